//! `cors` against the demo portal: the flawed API reflects any origin with credentials; the
//! hardened one grants only the approved origin.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_api_reflects_origins_with_credentials() {
    let card = audit_demo(Variant::Flawed, &["cors"], false).await;
    let row = card.row("cors").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fail = row
        .findings
        .iter()
        .find(|f| {
            f.status == Status::Fail && f.subject.to_string().contains("/api/invoices/inv-a-1")
        })
        .unwrap();
    assert_eq!(fail.severity, Severity::Critical);
    assert!(
        fail.message
            .contains("Access-Control-Allow-Credentials: true")
    );
    let granted = fail
        .evidence
        .iter()
        .find(|e| e.label == "origins granted")
        .unwrap();
    assert!(
        granted.value.contains("null") && granted.value.contains("evil-acme.test"),
        "{}",
        granted.value
    );
}

#[tokio::test]
async fn hardened_api_grants_only_the_approved_origin() {
    let card = audit_demo(Variant::Hardened, &["cors"], false).await;
    let row = card.row("cors").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings.iter().all(|f| f.status == Status::Pass));
}
