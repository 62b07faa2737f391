//! `redirect-map` against the demo world's two `[[redirects]]`: the flawed portal sends
//! /pricing.html to the wrong page with a 302 and has dropped /old-blog; the hardened one maps
//! both with 301s.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_redirects_go_wrong_or_404() {
    let card = audit_demo(Variant::Flawed, &["redirect-map"], false).await;
    let row = card.row("redirect-map").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let pricing = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "https://acme.test/pricing.html")
        .unwrap();
    assert_eq!(
        (pricing.status, pricing.severity),
        (Status::Fail, Severity::Medium)
    );
    assert!(pricing.message.contains("ends on https://acme.test/plans"));
    let blog = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "https://acme.test/old-blog")
        .unwrap();
    assert_eq!((blog.status, blog.severity), (Status::Fail, Severity::High));
    assert!(blog.message.contains("answers 404"));
}

#[tokio::test]
async fn hardened_redirects_land() {
    let card = audit_demo(Variant::Hardened, &["redirect-map"], false).await;
    let row = card.row("redirect-map").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 2);
}
