//! `caa`: the flawed demo zone allows only letsencrypt.org while the demo CA (CAA domain from
//! `[tls] caa-issuer`) issued the certificates; the hardened zone allows it; a zone without CAA
//! is low; a host's own CAA set takes precedence over its parent's (tree climb).

use launchready::check::{Severity, Status};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server, reachable_demo_findings};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_caa_does_not_allow_the_issuer() {
    let card = audit_demo(Variant::Flawed, &["caa"], false).await;
    let row = card.row("caa").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    for finding in reachable_demo_findings(row) {
        assert_eq!(finding.status, Status::Fail, "{}", finding.message);
        assert_eq!(finding.severity, Severity::High);
        assert!(
            finding.message.contains("allows letsencrypt.org"),
            "{}",
            finding.message
        );
    }
    // api.acme.test has no CAA of its own: the climb finds the apex's set.
    let api = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "api.acme.test CAA")
        .unwrap();
    assert!(
        api.message.starts_with("CAA at acme.test "),
        "{}",
        api.message
    );
}

#[tokio::test]
async fn hardened_demo_caa_allows_the_issuer() {
    let card = audit_demo(Variant::Hardened, &["caa"], false).await;
    let row = card.row("caa").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn missing_caa_is_low_and_records_are_read_at_the_host() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let leaf = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(Server::Tls(leaf, None), &ca, "").await;
    let findings = fixture.findings("caa").await;
    assert_eq!(findings[0].status, Status::Fail);
    assert_eq!(findings[0].severity, Severity::Low);
    assert!(findings[0].message.contains("no CAA record"));

    let leaf = ca.issue(&LeafSpec::valid(&[HOST])).unwrap();
    let fixture = Fixture::start(
        Server::Tls(leaf, None),
        &ca,
        "@ IN CAA 0 issue \"pki.shop.test; account=42\"\n",
    )
    .await;
    let findings = fixture.findings("caa").await;
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
}
