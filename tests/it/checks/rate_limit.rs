//! `rate-limit` against the demo portal (active): the flawed login never limits and tells unknown
//! users from wrong passwords; the hardened one answers failures with 200 + an error body, the
//! same for everyone, and 429 after five attempts.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_login_is_unlimited_and_enumerates_users() {
    let card = audit_demo(Variant::Flawed, &["rate-limit"], true).await;
    let row = card.row("rate-limit").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("12 login attempts") && f.severity == Severity::High)
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("12 password reset attempts"))
    );
    let enumeration = fails
        .iter()
        .find(|f| f.message.contains("enumerated"))
        .unwrap();
    assert_eq!(enumeration.severity, Severity::Medium);
    let text = format!("{:?}", enumeration.evidence);
    assert!(
        text.contains("no account with that email") && text.contains("wrong password"),
        "{text}"
    );
}

#[tokio::test]
async fn hardened_login_limits_and_answers_alike() {
    let card = audit_demo(Variant::Hardened, &["rate-limit"], true).await;
    let row = card.row("rate-limit").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings.iter().any(|f| {
        f.message
            .contains("login is limited after 6 attempts (answer 429)")
    }));
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("same 200 answer"))
    );
}
