//! `tls-versions`: the demo's flawed portal answers TLS 1.0/1.1 ClientHellos; the hardened one
//! (rustls) refuses them with an alert; a fake server that only speaks TLS 1.0 has no 1.2+;
//! servers that reset or answer garbage offer nothing and are not mistaken for TLS.

use launchready::check::{Severity, Status};
use launchready::demo::{TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, Server, reachable_demo_findings};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_accepts_tls_1_0_and_1_1() {
    let card = audit_demo(Variant::Flawed, &["tls-versions"], false).await;
    let row = card.row("tls-versions").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    for finding in reachable_demo_findings(row) {
        assert_eq!(finding.status, Status::Fail, "{}", finding.message);
        assert_eq!(finding.severity, Severity::Medium);
        assert!(
            finding.message.contains("accepts TLS 1.0 and TLS 1.1"),
            "{}",
            finding.message
        );
    }
}

#[tokio::test]
async fn hardened_demo_refuses_legacy_versions() {
    let card = audit_demo(Variant::Hardened, &["tls-versions"], false).await;
    let row = card.row("tls-versions").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let evidence = &row.findings[0].evidence;
    assert!(
        evidence
            .iter()
            .any(|e| e.value.contains("TLS 1.0: fatal alert")),
        "{evidence:?}"
    );
    assert!(row.findings[0].message.contains("TLS 1.3, TLS 1.2"));
}

#[tokio::test]
async fn a_tls_1_0_only_server_has_no_modern_version() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let fixture = Fixture::start(Server::Tls10Only, &ca, "").await;
    let findings = fixture.findings("tls-versions").await;
    assert_eq!(findings[0].status, Status::Fail, "{}", findings[0].message);
    assert_eq!(findings[0].severity, Severity::Critical);
    assert!(findings[0].message.contains("neither TLS 1.2 nor TLS 1.3"));
}

#[tokio::test]
async fn a_resetting_server_offers_nothing() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let fixture = Fixture::start(Server::Reset, &ca, "").await;
    let findings = fixture.findings("tls-versions").await;
    assert_eq!(findings[0].status, Status::Fail, "{}", findings[0].message);
    assert!(
        findings[0].evidence.iter().any(|e| e
            .value
            .contains("TLS 1.0: connection closed without an answer")),
        "{:?}",
        findings[0].evidence
    );
}

#[tokio::test]
async fn a_garbage_answer_is_not_mistaken_for_tls() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let fixture = Fixture::start(Server::Garbage, &ca, "").await;
    let findings = fixture.findings("tls-versions").await;
    assert_eq!(findings[0].status, Status::Fail, "{}", findings[0].message);
    assert!(
        findings[0]
            .evidence
            .iter()
            .any(|e| e.value.contains("not a TLS answer: `HTTP/1.1")),
        "{:?}",
        findings[0].evidence
    );
}
