//! `uptime` against the demo portal: the flawed health route leaks versions, environment and a
//! stack trace, its second health URL (`extra-health`) answers 503 and its status page is down;
//! the hardened ones answer a fixed body and the status page is up. Fixtures: health URLs and a
//! status page on a closed port (down: critical, unreachable: medium), and a status page on a host
//! outside the scope (still requested, as the config declares it).

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_health_route_leaks_and_status_page_is_down() {
    let card = audit_demo(Variant::Flawed, &["uptime"], false).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failures: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("expected") && f.severity == Severity::High)
    );
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("environment") && f.severity == Severity::High)
    );
    assert!(failures.iter().any(|f| f.message.contains("stack trace")));
    assert!(
        failures
            .iter()
            .any(|f| f.message.contains("status page answered 502")
                && f.severity == Severity::Medium)
    );
    let ready = failures
        .iter()
        .find(|f| f.subject.to_string() == "https://api.acme.test/readyz")
        .expect("the extra health URL is checked");
    assert_eq!(ready.severity, Severity::Critical);
    assert!(ready.message.contains("answered 503"), "{}", ready.message);
    let text = format!("{:?}", row.findings);
    assert!(
        !text.contains("portal-db-pass"),
        "evidence must not carry the leaked password"
    );
}

#[tokio::test]
async fn hardened_health_route_passes() {
    let card = audit_demo(Variant::Hardened, &["uptime"], false).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let subjects: Vec<String> = row.findings.iter().map(|f| f.subject.to_string()).collect();
    assert_eq!(
        subjects,
        [
            "https://acme.test/healthz",
            "https://api.acme.test/readyz",
            "https://status.acme.test/"
        ],
        "both health URLs and the status page"
    );
}

#[tokio::test]
async fn unreachable_health_and_status_page_fail() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let text = format!(
        r#"[target]
base-url = "http://127.0.0.1:{closed}/"
scope = ["127.0.0.1"]

[uptime]
health = "/healthz"
extra-health = ["http://127.0.0.1:{closed}/readyz"]
timeout-ms = 2000
status-page = "http://127.0.0.1:{closed}/status"
"#
    );
    let env = std::collections::BTreeMap::new();
    let target =
        launchready::config::parse(&text, std::path::Path::new("checks.toml"), &env).unwrap();
    let net = launchready::net::Net::new(&target).unwrap();
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec!["uptime".into()];
    let card =
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let verdicts: Vec<(String, Status, Severity)> = row
        .findings
        .iter()
        .map(|f| (f.message.clone(), f.status, f.severity))
        .collect();
    assert_eq!(verdicts.len(), 3, "{verdicts:#?}");
    for (message, status, severity) in &verdicts[..2] {
        assert_eq!(*status, Status::Fail);
        assert_eq!(
            *severity,
            Severity::Critical,
            "a down health URL: {message}"
        );
        assert!(message.contains("down"), "{message}");
    }
    let (message, status, severity) = &verdicts[2];
    assert_eq!((*status, *severity), (Status::Fail, Severity::Medium));
    assert!(message.contains("status page is unreachable"), "{message}");
}

#[tokio::test]
async fn status_page_off_scope_is_still_checked() {
    async fn listen(addr: &str, body: &'static str) -> std::net::SocketAddr {
        let app = axum::Router::new().fallback(move || async move { body });
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let local = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        local
    }
    let health = listen("127.0.0.1:0", r#"{"status":"ok"}"#).await;
    let status = listen("[::1]:0", "All systems operational").await;
    let text = format!(
        r#"[target]
base-url = "http://{health}/"
scope = ["127.0.0.1"]

[uptime]
health = "/healthz"
expect-body = "ok"
status-page = "http://{status}/"
"#
    );
    let env = std::collections::BTreeMap::new();
    let target =
        launchready::config::parse(&text, std::path::Path::new("checks.toml"), &env).unwrap();
    assert!(!target.in_scope("::1") && !target.in_scope("[::1]"));
    let net = launchready::net::Net::new(&target).unwrap();
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec!["uptime".into()];
    let card =
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await;
    let row = card.row("uptime").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let page = row.findings.last().unwrap();
    assert_eq!(page.subject.to_string(), format!("http://{status}/"));
    assert!(
        page.message.contains("status page answered 200"),
        "{}",
        page.message
    );
}
