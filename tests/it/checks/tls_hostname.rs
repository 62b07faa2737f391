//! `tls-hostname`: the demo's flawed api host serves a certificate for another name; the
//! hardened certificate names every host; wildcards cover exactly one label.

use launchready::check::{Severity, Status};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_api_certificate_names_another_host() {
    let card = audit_demo(Variant::Flawed, &["tls-hostname"], false).await;
    let row = card.row("tls-hostname").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failures: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].subject.to_string(), "legacy.acme.test");
    assert_eq!(failures[0].severity, Severity::Critical);
    assert!(failures[0].message.contains("legacy.acme.test"));
}

#[tokio::test]
async fn hardened_demo_certificate_covers_every_host() {
    let card = audit_demo(Variant::Hardened, &["tls-hostname"], false).await;
    let row = card.row("tls-hostname").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn wildcards_cover_one_label_only() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let deeper = ca.issue(&LeafSpec::valid(&["*.shop.test"])).unwrap();
    let fixture = Fixture::start(Server::Tls(deeper, None), &ca, "").await;
    let findings = fixture.findings("tls-hostname").await;
    assert_eq!(
        findings[0].status,
        Status::Fail,
        "*.shop.test must not cover {HOST}"
    );

    let parent = ca.issue(&LeafSpec::valid(&["*.test"])).unwrap();
    let fixture = Fixture::start(Server::Tls(parent, None), &ca, "").await;
    let findings = fixture.findings("tls-hostname").await;
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
}
