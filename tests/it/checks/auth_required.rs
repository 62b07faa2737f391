//! `auth-required` against the demo portal: the flawed admin route serves anonymous callers; the
//! hardened portal refuses them everywhere, and the whoami proof line shows auth is applied.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_admin_route_serves_anonymous_callers() {
    let card = audit_demo(Variant::Flawed, &["auth-required"], false).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail, "{:#?}", row.findings);
    let admin: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.subject.to_string().contains("/api/admin/users"))
        .collect();
    assert_eq!(
        admin.len(),
        2,
        "anonymous and garbage token: {:#?}",
        row.findings
    );
    assert!(admin.iter().all(|f| f.severity == Severity::Critical));
    let evidence = format!("{:?}", admin[0].evidence);
    assert!(evidence.contains("curl -i"), "{evidence}");
    assert!(evidence.contains("users"), "{evidence}");
    let imported = row
        .findings
        .iter()
        .find(|f| {
            f.status == Status::Fail && f.subject.to_string().contains("/api/admin/audit-log")
        })
        .expect("the route only the OpenAPI document lists is probed");
    assert_eq!(imported.severity, Severity::Critical);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("OpenAPI document lists 11 operations"))
    );
    let protected = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().contains("/api/invoices/inv-a-1"))
        .unwrap();
    assert_eq!(protected.status, Status::Pass);
}

#[tokio::test]
async fn hardened_portal_refuses_and_proves_auth_is_applied() {
    let card = audit_demo(Variant::Hardened, &["auth-required"], false).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let proof = row
        .findings
        .iter()
        .find(|f| f.message.starts_with("auth is applied"))
        .expect("a whoami line");
    assert!(
        proof.message.contains("as alice: 200; anonymous: 401"),
        "{}",
        proof.message
    );
    let text = format!("{:?}", row.findings);
    assert!(
        text.contains("$ALICE_TOKEN"),
        "the curl names the token variable, not the token"
    );
    assert!(!text.contains("eyJ"), "no token in evidence");
}
