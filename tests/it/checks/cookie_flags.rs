//! `cookie-flags` against the demo world: the flawed home page sets `session` without Secure,
//! HttpOnly or SameSite (also on the redirects of the looping app. host); the hardened one sets
//! `__Host-session` with all three.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_session_cookie_has_no_flags() {
    let card = audit_demo(Variant::Flawed, &["cookie-flags"], false).await;
    let row = card.row("cookie-flags").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.subject.to_string() == "https://acme.test/" && f.status == Status::Fail)
        .collect();
    let severities: Vec<Severity> = apex.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [Severity::High, Severity::High, Severity::Medium]
    );
    assert!(
        row.findings
            .iter()
            .any(|f| f.subject.to_string() == "https://app.acme.test/" && f.status == Status::Fail),
        "cookies set on redirect responses are judged too"
    );
    let text = format!("{:?}", row.findings);
    assert!(
        !text.contains("demo-flawed-session"),
        "cookie values stay out of evidence"
    );
}

#[tokio::test]
async fn hardened_session_cookie_is_flagged() {
    let card = audit_demo(Variant::Hardened, &["cookie-flags"], false).await;
    let row = card.row("cookie-flags").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings.iter().any(|f| f.message
        == "session cookie `__Host-session` on https://acme.test/ is Secure, HttpOnly, SameSite=lax"));
}
