//! `version-disclosure` against the demo world: the flawed portal sends `Server: nginx/1.18.0` and
//! `X-Powered-By: Express`; the hardened one sends no banner.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_banners_name_versions() {
    let card = audit_demo(Variant::Flawed, &["version-disclosure"], false).await;
    let row = card.row("version-disclosure").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.subject.to_string() == "https://acme.test/")
        .collect();
    assert_eq!(apex.len(), 2, "{apex:#?}");
    assert_eq!(
        (apex[0].status, apex[0].severity),
        (Status::Fail, Severity::Low)
    );
    assert!(apex[0].message.contains("`server: nginx/1.18.0`"));
    assert_eq!(apex[1].severity, Severity::Info);
    assert!(apex[1].message.contains("x-powered-by: Express"));
}

#[tokio::test]
async fn hardened_sends_no_banner() {
    let card = audit_demo(Variant::Hardened, &["version-disclosure"], false).await;
    let row = card.row("version-disclosure").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
