//! `uptime` against the demo portal: the flawed health route leaks versions, environment and a
//! stack trace and its status page is down; the hardened one answers a fixed body.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_health_route_leaks_and_status_page_is_down() {
    let card = audit_demo(Variant::Flawed, &["uptime"], false).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failures: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("expected") && f.severity == Severity::High)
    );
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("environment") && f.severity == Severity::High)
    );
    assert!(failures.iter().any(|f| f.message.contains("stack trace")));
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("status page answered 502"))
    );
    let text = format!("{:?}", row.findings);
    assert!(
        !text.contains("portal-db-pass"),
        "evidence must not carry the leaked password"
    );
}

#[tokio::test]
async fn hardened_health_route_passes() {
    let card = audit_demo(Variant::Hardened, &["uptime"], false).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 2, "health and status page");
}
