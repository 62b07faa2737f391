//! `tls-rpt`: a missing, a valid, an invalid and a doubled `_smtp._tls` record on an in-process
//! authority, and the demo's flawed and hardened variants.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::demo::mail::txt_data;
use launchready::scorecard::Verdict;

use super::email_fixture::{audit, authority, evidence, row};
use crate::support::audit_demo;

fn rpt(text: &str) -> String {
    format!("_smtp._tls IN TXT {}", txt_data(text))
}

#[tokio::test]
async fn judges_the_reporting_record() {
    let dns = authority(&[
        ("none.test", vec!["@ IN A 127.0.0.1".to_string()]),
        (
            "ok.test",
            vec![rpt(
                "v=TLSRPTv1; rua=mailto:tls@ok.test,https://r.ok.test/v1",
            )],
        ),
        ("bad.test", vec![rpt("v=TLSRPTv1; rua=http://r.bad.test/")]),
        (
            "two.test",
            vec![
                rpt("v=TLSRPTv1; rua=mailto:a@two.test"),
                rpt("v=TLSRPTv1; rua=mailto:b@two.test"),
            ],
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let run = |d: &'static str| audit(&dns, dir.path(), "tls-rpt", d, "", "");

    let card = run("none.test").await;
    let f = &row(&card, "tls-rpt").findings[0];
    assert_eq!((f.status, f.severity), (Status::Fail, Severity::Low));
    assert!(f.message.contains("requests no SMTP TLS reports"));

    let card = run("ok.test").await;
    let ok = row(&card, "tls-rpt");
    assert_eq!(ok.verdict(), Verdict::Pass, "{:#?}", ok.findings);
    assert!(
        ok.findings[0]
            .message
            .contains("mailto:tls@ok.test, https://r.ok.test/v1")
    );
    assert!(evidence(&ok.findings[0], "rule").is_some_and(|r| r.contains("RFC 8460")));

    let card = run("bad.test").await;
    let f = &row(&card, "tls-rpt").findings[0];
    assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
    assert!(f.message.contains("http://r.bad.test/"));
    assert_eq!(
        evidence(f, "record"),
        Some("v=TLSRPTv1; rua=http://r.bad.test/")
    );

    let card = run("two.test").await;
    let f = &row(&card, "tls-rpt").findings[0];
    assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
    assert!(f.message.contains("2 v=TLSRPTv1 records"));
}

#[tokio::test]
async fn demo_flawed_requests_no_reports() {
    let card = audit_demo(Variant::Flawed, &["tls-rpt"], false).await;
    assert_eq!(card.row("tls-rpt").unwrap().verdict(), Verdict::Fail);
}

#[tokio::test]
async fn demo_hardened_requests_reports() {
    let card = audit_demo(Variant::Hardened, &["tls-rpt"], false).await;
    let row = card.row("tls-rpt").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
