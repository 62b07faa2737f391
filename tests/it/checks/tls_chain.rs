//! `tls-chain`: the demo's flawed api host chains to an untrusted CA and the hardened one to the
//! configured CA; fixtures bring out self-signed and leaf-only chains, and hostile servers
//! (garbage instead of TLS, a reset, silence) that must give error findings, not hangs.

use launchready::check::{Severity, Status};
use launchready::demo::{Leaf, LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_api_host_is_untrusted() {
    let card = audit_demo(Variant::Flawed, &["tls-chain"], false).await;
    let row = card.row("tls-chain").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let api = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "legacy.acme.test")
        .unwrap();
    assert_eq!(api.status, Status::Fail);
    assert_eq!(api.severity, Severity::Critical);
    assert!(api.message.contains("Rogue Issuing CA"), "{}", api.message);
    let apex = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "acme.test")
        .unwrap();
    assert_eq!(apex.status, Status::Pass, "{}", apex.message);
}

#[tokio::test]
async fn hardened_demo_chains_are_trusted() {
    let card = audit_demo(Variant::Hardened, &["tls-chain"], false).await;
    let row = card.row("tls-chain").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 6, "one per configured host");
}

#[tokio::test]
async fn self_signed_and_leaf_only_chains_fail() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let self_signed = Leaf::self_signed(&[HOST]).unwrap();
    let fixture = Fixture::start(Server::Tls(self_signed, None), &ca, "").await;
    let findings = fixture.findings("tls-chain").await;
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0].message.contains("self-signed"),
        "{}",
        findings[0].message
    );

    let untrusted = TestCa::new("Unknown Intermediate").unwrap();
    let mut leaf = untrusted.issue(&LeafSpec::valid(&[HOST])).unwrap();
    leaf.chain.truncate(1);
    let fixture = Fixture::start(Server::Tls(leaf, None), &ca, "").await;
    let findings = fixture.findings("tls-chain").await;
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0].message.contains("only the leaf"),
        "{}",
        findings[0].message
    );

    let trusted = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(trusted, None), &ca, "").await;
    assert_eq!(fixture.findings("tls-chain").await[0].status, Status::Pass);
}

#[tokio::test]
async fn an_expired_leaf_from_a_trusted_ca_still_has_a_trusted_chain() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let leaf = ca.issue(&LeafSpec::expired(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(leaf, None), &ca, "").await;
    let findings = fixture.findings("tls-chain").await;
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
    assert!(
        findings[0]
            .evidence
            .iter()
            .any(|e| e.label == "full verdict" && e.value.contains("expired")),
        "{:?}",
        findings[0].evidence
    );
}

#[tokio::test]
async fn hostile_servers_give_error_findings() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    for (server, expect) in [
        (Server::Garbage, "no certificate"),
        (Server::Reset, "no certificate"),
        (Server::Silent, "within"),
    ] {
        let fixture = Fixture::start(server, &ca, "").await;
        let findings = fixture.findings("tls-chain").await;
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Error, "{}", findings[0].message);
        assert!(
            findings[0].message.contains(expect),
            "{}",
            findings[0].message
        );
    }
}
