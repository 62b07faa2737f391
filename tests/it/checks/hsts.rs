//! `hsts`: the demo's flawed portal sends no Strict-Transport-Security; a fixture sends a
//! 300-second max-age; the hardened portal sends a preload-ready policy.

use launchready::check::{Severity, Status};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_sends_no_hsts() {
    let card = audit_demo(Variant::Flawed, &["hsts"], false).await;
    let row = card.row("hsts").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "https://acme.test/")
        .unwrap();
    assert_eq!(apex.status, Status::Fail);
    assert_eq!(apex.severity, Severity::High);
    assert!(apex.message.contains("without Strict-Transport-Security"));
}

#[tokio::test]
async fn hardened_demo_sends_a_preload_ready_policy() {
    let card = audit_demo(Variant::Hardened, &["hsts"], false).await;
    let row = card.row("hsts").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .all(|f| f.message.contains("preload-ready"))
    );
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_an_error() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let fixture = Fixture::start(Server::Garbage, &ca, "").await;
    let findings = fixture.findings("hsts").await;
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].status, Status::Error, "{}", findings[0].message);
    assert!(findings[0].message.contains("cannot read the HSTS header"));
}

#[tokio::test]
async fn a_short_max_age_is_medium() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let leaf = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(leaf, Some("max-age=300")), &ca, "").await;
    let findings = fixture.findings("hsts").await;
    assert_eq!(findings[0].status, Status::Fail);
    assert_eq!(findings[0].severity, Severity::Medium);
    assert!(findings[0].message.contains("max-age=300"));

    let leaf = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(leaf, Some("max-age=31536000")), &ca, "").await;
    let findings = fixture.findings("hsts").await;
    assert_eq!(findings[0].status, Status::Pass);
    assert!(
        findings[0]
            .message
            .contains("not preload-ready: lacks includeSubDomains, preload")
    );
}
