//! `jwt` against the demo portal: the flawed tokens are signed with "secret", carry no `exp`, and
//! (with --active) a forged alg=none token is accepted; the hardened tokens resist all three.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_tokens_are_weak_eternal_and_forgeable() {
    let card = audit_demo(Variant::Flawed, &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let cracked = fails
        .iter()
        .find(|f| f.message.contains("wordlist"))
        .expect("cracked key");
    assert_eq!(cracked.severity, Severity::Critical);
    let key = cracked
        .evidence
        .iter()
        .find(|e| e.label == "signing key")
        .unwrap();
    assert!(
        !key.value.contains("secret"),
        "the key is redacted: {}",
        key.value
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("no `exp`") && f.severity == Severity::Medium)
    );
    let forged = fails
        .iter()
        .find(|f| f.message.contains("alg=none"))
        .expect("alg=none accepted");
    assert_eq!(forged.severity, Severity::Critical);
}

#[tokio::test]
async fn hardened_tokens_pass_offline_and_forged_checks() {
    let card = audit_demo(Variant::Hardened, &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .all(|f| f.message.contains("alg=none is refused"))
    );
}
