//! `mixed-content` against the demo world: the flawed home page loads a script and an image over
//! http:; the hardened one loads nothing over plain HTTP.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_home_loads_a_script_and_an_image_over_http() {
    let card = audit_demo(Variant::Flawed, &["mixed-content"], false).await;
    let row = card.row("mixed-content").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.subject.to_string() == "https://acme.test/" && f.status == Status::Fail)
        .collect();
    assert_eq!(apex.len(), 2, "{apex:#?}");
    assert_eq!(apex[0].severity, Severity::High);
    assert!(
        apex[0]
            .message
            .contains("<script> http://cdn.acme.test/analytics.js")
    );
    assert_eq!(apex[1].severity, Severity::Low);
    assert!(
        apex[1]
            .message
            .contains("<img> http://cdn.acme.test/logo.png")
    );
}

#[tokio::test]
async fn hardened_home_loads_nothing_over_http() {
    let card = audit_demo(Variant::Hardened, &["mixed-content"], false).await;
    let row = card.row("mixed-content").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
