//! `tls-key`: the demo's flawed api certificate carries a 1024-bit RSA key; the hardened
//! certificates use ECDSA P-256 with SHA-256 signatures; a leaf labelled SHA-1 fails.

use launchready::check::{Severity, Status};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_api_key_is_1024_bit_rsa() {
    let card = audit_demo(Variant::Flawed, &["tls-key"], false).await;
    let row = card.row("tls-key").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failures: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].subject.to_string(), "legacy.acme.test");
    assert_eq!(failures[0].severity, Severity::High);
    assert!(failures[0].message.contains("RSA key of 1024 bits"));
}

#[tokio::test]
async fn hardened_demo_keys_are_strong() {
    let card = audit_demo(Variant::Hardened, &["tls-key"], false).await;
    let row = card.row("tls-key").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings[0].message.contains("EC 256-bit"));
    assert!(row.findings[0].message.contains("ecdsa-with-SHA256"));
}

#[tokio::test]
async fn weak_key_fixture_fails_and_strong_one_passes() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let weak = ca
        .issue_with_rsa1024_key(&LeafSpec::valid(&[HOST]))
        .unwrap();
    let fixture = Fixture::start(Server::Tls(weak, None), &ca, "").await;
    let findings = fixture.findings("tls-key").await;
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0]
            .evidence
            .iter()
            .any(|e| e.label == "handshake signature")
    );

    let strong = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(strong, None), &ca, "").await;
    assert_eq!(fixture.findings("tls-key").await[0].status, Status::Pass);
}

#[tokio::test]
async fn a_sha1_signed_leaf_fails() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let mut leaf = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    leaf.chain[0] = launchready::demo::pki::relabel_as_sha1(&leaf.chain[0]).into();
    let fixture = Fixture::start(Server::Tls(leaf, None), &ca, "").await;
    let findings = fixture.findings("tls-key").await;
    let sha1 = findings
        .iter()
        .find(|f| f.message.contains("ecdsa-with-SHA1"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(sha1.status, Status::Fail);
    assert_eq!(sha1.severity, Severity::High);
}
