//! `mta-sts`: a policy server on loopback over TLS (a test CA trusted through `[tls] extra-ca`)
//! serving enforce, testing, a policy that misses an MX and a policy behind a redirect, beside the
//! `_mta-sts` TXT records and MX hosts on an in-process authority; and the demo's variants.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use launchready::check::{Severity, Status};
use launchready::demo::mail::txt_data;
use launchready::demo::portal::{host_of, serve_tls};
use launchready::demo::{LeafSpec, TestCa, Variant};
use launchready::scorecard::Verdict;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::email_fixture::{audit, authority, evidence, row, with};
use crate::support::audit_demo;

const DOMAINS: &[&str] = &[
    "enforce.test",
    "testing.test",
    "miss.test",
    "moved.test",
    "absent.test",
];

async fn policy(headers: HeaderMap) -> Response {
    let host = host_of(&headers);
    let body = match host.as_str() {
        "mta-sts.enforce.test" => {
            "version: STSv1\r\nmode: enforce\r\nmx: *.enforce.test\r\nmax_age: 604800\r\n"
        }
        "mta-sts.testing.test" => {
            "version: STSv1\r\nmode: testing\r\nmx: mx.testing.test\r\nmax_age: 86400\r\n"
        }
        "mta-sts.miss.test" => {
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.miss.test\r\nmax_age: 604800\r\n"
        }
        "mta-sts.moved.test" => {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, "https://elsewhere.moved.test/mta-sts.txt")],
            )
                .into_response();
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

struct World {
    dns: launchready::demo::DnsAuthority,
    dir: tempfile::TempDir,
    extra: String,
    _server: tokio::task::JoinHandle<()>,
}

async fn world() -> World {
    let ca = TestCa::new("MTA-STS test CA").unwrap();
    let names: Vec<String> = DOMAINS.iter().map(|d| format!("mta-sts.{d}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let leaf = ca.issue(&LeafSpec::valid(&refs)).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/.well-known/mta-sts.txt", get(policy));
    let server = tokio::spawn(serve_tls(
        listener,
        TlsAcceptor::from(leaf.server_config().unwrap()),
        app,
    ));
    let zones: Vec<(&str, Vec<String>)> = DOMAINS
        .iter()
        .map(|d| {
            let mut records = vec![
                "@ IN MX 10 mx".to_string(),
                "@ IN MX 20 mx2".to_string(),
                "mx IN A 127.0.0.1".to_string(),
                "mx2 IN A 127.0.0.1".to_string(),
                "mta-sts IN A 127.0.0.1".to_string(),
            ];
            if *d != "absent.test" {
                records.push(format!(
                    "_mta-sts IN TXT {}",
                    txt_data("v=STSv1; id=20260101")
                ));
            }
            (*d, records)
        })
        .collect();
    let dns = authority(&zones).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    let extra = format!("[tls]\nextra-ca = \"ca.pem\"\n\n[http]\nhttps-port = {port}\n");
    World {
        dns,
        dir,
        extra,
        _server: server,
    }
}

#[tokio::test]
async fn enforce_policy_matching_every_mx_passes() {
    let w = world().await;
    let card = audit(
        &w.dns,
        w.dir.path(),
        "mta-sts",
        "enforce.test",
        "",
        &w.extra,
    )
    .await;
    let row = row(&card, "mta-sts");
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let pass = &row.findings[0];
    assert!(
        pass.message.contains("mode enforce")
            && pass.message.contains("mx.enforce.test, mx2.enforce.test")
    );
    assert_eq!(evidence(pass, "txt record"), Some("v=STSv1; id=20260101"));
    assert!(evidence(pass, "policy").is_some_and(|p| p.contains("mx: *.enforce.test")));
}

#[tokio::test]
async fn testing_mode_and_unmatched_mx_fail() {
    let w = world().await;
    let card = audit(
        &w.dns,
        w.dir.path(),
        "mta-sts",
        "testing.test",
        "",
        &w.extra,
    )
    .await;
    let testing = row(&card, "mta-sts");
    assert_eq!(testing.verdict(), Verdict::Fail);
    let mode = with(testing, "mta-sts.testing.test", Status::Fail);
    assert!(
        mode.iter()
            .any(|f| f.severity == Severity::Low && f.message.contains("testing mode")),
        "{:#?}",
        testing.findings
    );
    let mx = with(testing, "testing.test MX", Status::Fail);
    assert_eq!(mx.len(), 1, "{:#?}", testing.findings);
    assert_eq!(mx[0].severity, Severity::Medium);
    assert!(mx[0].message.contains("mx2.testing.test"));

    let card = audit(&w.dns, w.dir.path(), "mta-sts", "miss.test", "", &w.extra).await;
    let miss = row(&card, "mta-sts");
    let mx = with(miss, "miss.test MX", Status::Fail);
    assert_eq!(mx.len(), 1, "{:#?}", miss.findings);
    assert_eq!(mx[0].severity, Severity::High);
    assert!(mx[0].message.contains("mx.miss.test, mx2.miss.test"));
    assert!(mx[0].message.contains("enforcing senders refuse"));
    assert!(evidence(mx[0], "rule").is_some_and(|r| r.contains("RFC 8461 §4.1")));
}

#[tokio::test]
async fn a_redirected_policy_and_a_missing_record_fail() {
    let w = world().await;
    let card = audit(&w.dns, w.dir.path(), "mta-sts", "moved.test", "", &w.extra).await;
    let moved = row(&card, "mta-sts");
    assert_eq!(moved.findings.len(), 1, "{:#?}", moved.findings);
    let f = &moved.findings[0];
    assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
    assert!(f.message.contains("301 redirect") && f.message.contains("must not follow"));

    let card = audit(&w.dns, w.dir.path(), "mta-sts", "absent.test", "", &w.extra).await;
    let absent = row(&card, "mta-sts");
    assert_eq!(absent.findings.len(), 1);
    assert_eq!(absent.findings[0].status, Status::Fail);
    assert_eq!(absent.findings[0].severity, Severity::Medium);
    assert!(absent.findings[0].message.contains("no MTA-STS record"));
}

#[tokio::test]
async fn an_untrusted_certificate_fails() {
    let w = world().await;
    let no_ca = w.extra.replace("extra-ca = \"ca.pem\"\n", "");
    let card = audit(&w.dns, w.dir.path(), "mta-sts", "enforce.test", "", &no_ca).await;
    let row = row(&card, "mta-sts");
    assert_eq!(row.findings.len(), 1, "{:#?}", row.findings);
    assert_eq!(row.findings[0].severity, Severity::High);
    assert!(
        row.findings[0].message.contains("valid certificate"),
        "{}",
        row.findings[0].message
    );
}

#[tokio::test]
async fn demo_flawed_policy_tests_and_misses_the_mx() {
    let card = audit_demo(Variant::Flawed, &["mta-sts"], false).await;
    let row = card.row("mta-sts").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("testing mode")),
        "{:#?}",
        row.findings
    );
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("mx.acme.test")),
        "{:#?}",
        row.findings
    );
}

#[tokio::test]
async fn demo_hardened_policy_enforces() {
    let card = audit_demo(Variant::Hardened, &["mta-sts"], false).await;
    let row = card.row("mta-sts").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
