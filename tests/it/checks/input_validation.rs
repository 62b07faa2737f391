//! `input-validation` against the demo portal (active): the flawed profile update crashes on bad
//! JSON and wrong types, accepts a 64 KiB name and mass-assigns `role`; the hardened one refuses
//! all of it with 4xx.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_profile_update_crashes_and_mass_assigns() {
    let card = audit_demo(Variant::Flawed, &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("malformed JSON with 500"))
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("wrong types with 500"))
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("64 KiB") && f.severity == Severity::Low)
    );
    let mass = fails
        .iter()
        .find(|f| f.message.contains("mass-assigns role"))
        .unwrap();
    assert_eq!(mass.severity, Severity::High);
}

#[tokio::test]
async fn hardened_profile_update_refuses_invalid_input() {
    let card = audit_demo(Variant::Hardened, &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn skipped_without_active() {
    let card = audit_demo(Variant::Flawed, &["input-validation"], false).await;
    assert_eq!(
        card.row("input-validation").unwrap().verdict(),
        Verdict::Skipped
    );
}
