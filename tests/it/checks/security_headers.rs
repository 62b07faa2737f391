//! `security-headers` against the demo world: flawed pages send none of the headers; the hardened
//! portal's layer adds CSP, nosniff, X-Frame-Options and Referrer-Policy to every response.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_pages_miss_every_header() {
    let card = audit_demo(Variant::Flawed, &["security-headers"], false).await;
    let row = card.row("security-headers").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.subject.to_string() == "https://acme.test/" && f.status == Status::Fail)
        .collect();
    let severities: Vec<Severity> = apex.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [
            Severity::Medium,
            Severity::Medium,
            Severity::Low,
            Severity::Low
        ],
        "CSP, nosniff, framing, referrer: {apex:#?}"
    );
    assert!(
        row.findings
            .iter()
            .any(|f| f.status == Status::Inconclusive && f.message.contains("app.acme.test")),
        "the looping host has no page to inspect"
    );
}

#[tokio::test]
async fn hardened_pages_send_every_header() {
    let card = audit_demo(Variant::Hardened, &["security-headers"], false).await;
    let row = card.row("security-headers").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(
        row.findings.len(),
        5,
        "acme, api, app, shop, legacy (www redirects to acme)"
    );
}
