//! `tls-expiry`: the demo's flawed apex certificate expires in 5 days; fixtures for expired,
//! not-yet-valid and 10-days-left certificates; the hardened demo has 89 days left.

use launchready::check::{Severity, Status};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;

use super::tls_fixture::{Fixture, HOST, Server};
use crate::support::audit_demo;

#[tokio::test]
async fn flawed_demo_certificate_expires_in_five_days() {
    let card = audit_demo(Variant::Flawed, &["tls-expiry"], false).await;
    let row = card.row("tls-expiry").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "acme.test")
        .unwrap();
    assert_eq!(apex.status, Status::Fail);
    assert_eq!(apex.severity, Severity::Critical);
    assert!(
        apex.message
            .starts_with("certificate for acme.test expires in 5 days (")
            && apex
                .message
                .ends_with("); renew now and check auto-renewal"),
        "{}",
        apex.message
    );
}

#[tokio::test]
async fn hardened_demo_certificates_have_time_left() {
    let card = audit_demo(Variant::Hardened, &["tls-expiry"], false).await;
    let row = card.row("tls-expiry").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn expired_not_yet_valid_and_high_thresholds() {
    let ca = TestCa::new("Fixture Root CA").unwrap();
    let cases = [
        (
            LeafSpec::expired(&[HOST]),
            Status::Fail,
            Severity::Critical,
            "expired 3 days ago",
        ),
        (
            LeafSpec::not_yet_valid(&[HOST]),
            Status::Fail,
            Severity::Critical,
            "not valid until",
        ),
        (
            LeafSpec::expiring_in(&[HOST], 10),
            Status::Fail,
            Severity::High,
            "expires in 10 days",
        ),
        (
            LeafSpec::expiring_in(&[HOST], 20),
            Status::Fail,
            Severity::Medium,
            "expires in 20 days",
        ),
        (
            LeafSpec::valid(&[HOST]),
            Status::Pass,
            Severity::Critical,
            "expires in 89 days",
        ),
    ];
    for (spec, status, severity, text) in cases {
        let leaf = ca.issue(&spec).unwrap();
        let fixture = Fixture::start(Server::Tls(leaf, None), &ca, "").await;
        let findings = fixture.findings("tls-expiry").await;
        assert_eq!(findings[0].status, status, "{}", findings[0].message);
        assert_eq!(findings[0].severity, severity, "{}", findings[0].message);
        assert!(
            findings[0].message.contains(text),
            "{}",
            findings[0].message
        );
    }
}
