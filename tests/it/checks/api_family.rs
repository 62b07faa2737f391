//! The whole API family against the demo portal with --active: the flawed variant trips every
//! check, the hardened variant fails none and errors on none.

use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

const API: &[&str] = &[
    "auth-required",
    "idor",
    "cors",
    "exposed-files",
    "error-leakage",
    "jwt",
    "input-validation",
    "rate-limit",
];

#[tokio::test]
async fn flawed_portal_trips_every_api_check() {
    let card = audit_demo(Variant::Flawed, API, true).await;
    for id in API {
        let row = card.row(id).unwrap();
        assert_eq!(row.verdict(), Verdict::Fail, "{id}: {:#?}", row.findings);
    }
}

#[tokio::test]
async fn hardened_portal_passes_every_api_check() {
    let card = audit_demo(Variant::Hardened, API, true).await;
    for id in API {
        let row = card.row(id).unwrap();
        assert_eq!(row.verdict(), Verdict::Pass, "{id}: {:#?}", row.findings);
    }
}
