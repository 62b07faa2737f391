//! `latency` against a loopback fixture whose endpoints answer in 5 ms, in 600 ms, and fail one
//! request in twenty (pass, fail, fail), one behind a bearer token; against too few samples (no
//! verdict); and against the demo portal's flawed and hardened core endpoints.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use launchready::check::{Finding, Metrics, Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::{Scorecard, Verdict};

use crate::support::audit_demo;

const TOKEN: &str = "latency-fixture-token-0123";

/// Counts requests to the flaky route so that exactly one in twenty fails, and keeps the one
/// live session of `/session` (its login generation and how often it was used).
#[derive(Clone, Default)]
struct Fixture {
    flaky: Arc<AtomicU64>,
    session: Arc<std::sync::Mutex<(u64, u64)>>,
    logins: Arc<AtomicU64>,
}

/// Uses a session answers before it expires.
const SESSION_USES: u64 = 30;

async fn login(State(fixture): State<Fixture>) -> axum::Json<serde_json::Value> {
    fixture.logins.fetch_add(1, Ordering::Relaxed);
    let mut session = fixture.session.lock().unwrap();
    *session = (session.0 + 1, 0);
    axum::Json(serde_json::json!({ "token": format!("session-token-{}", session.0) }))
}

async fn session(State(fixture): State<Fixture>, headers: HeaderMap) -> (StatusCode, &'static str) {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut session = fixture.session.lock().unwrap();
    let expected = format!("Bearer session-token-{}", session.0);
    let presented = headers.get("authorization").and_then(|v| v.to_str().ok());
    if presented == Some(expected.as_str()) && session.1 < SESSION_USES {
        session.1 += 1;
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::UNAUTHORIZED, "session expired")
    }
}

async fn fast() -> &'static str {
    tokio::time::sleep(Duration::from_millis(5)).await;
    "ok"
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(600)).await;
    "ok"
}

async fn flaky(State(fixture): State<Fixture>) -> (StatusCode, &'static str) {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let n = fixture.flaky.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_multiple_of(20) {
        (StatusCode::INTERNAL_SERVER_ERROR, "boom")
    } else {
        (StatusCode::OK, "ok")
    }
}

async fn private(headers: HeaderMap) -> (StatusCode, &'static str) {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let expected = format!("Bearer {TOKEN}");
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(value) if value == expected => (StatusCode::OK, "ok"),
        _ => (StatusCode::UNAUTHORIZED, "who are you"),
    }
}

/// Serves the fixture on 127.0.0.1:0 and returns its port; the server stops with the runtime.
async fn serve() -> u16 {
    serve_fixture(Fixture::default()).await
}

async fn serve_fixture(fixture: Fixture) -> u16 {
    let app = Router::new()
        .route("/fast", get(fast).post(fast))
        .route("/slow", get(slow))
        .route("/flaky", get(flaky))
        .route("/private", get(private))
        .route("/login", axum::routing::post(login))
        .route("/session", get(session))
        .with_state(fixture);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

async fn audit(port: u16, samples: u32, endpoints: &str) -> Scorecard {
    audit_as(port, samples, endpoints, false, 2000).await
}

async fn audit_as(
    port: u16,
    samples: u32,
    endpoints: &str,
    active: bool,
    request_budget: u32,
) -> Scorecard {
    let text = format!(
        r#"[target]
name = "latency fixture"
base-url = "http://127.0.0.1:{port}/"
scope = ["127.0.0.1"]

[http]
requests-per-second = 100
request-budget = {request_budget}

[latency]
samples = {samples}
warmup = 3
rate-per-second = 40.0
budget-ms = 500

[[identities]]
name = "ops"
bearer = "${{LATENCY_TOKEN}}"
{endpoints}"#
    );
    let env: BTreeMap<String, String> = [("LATENCY_TOKEN".to_string(), TOKEN.to_string())].into();
    let target = launchready::config::parse(&text, Path::new("checks.toml"), &env)
        .expect("the fixture config is valid");
    let net = launchready::net::Net::new(&target).expect("clients build");
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec!["latency".into()];
    options.run.active = active;
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

fn endpoint(card: &Scorecard, path: &str) -> Finding {
    let row = card.row("latency").expect("latency ran");
    row.findings
        .iter()
        .find(|f| f.subject.to_string().ends_with(path))
        .unwrap_or_else(|| panic!("no finding for {path}: {:#?}", row.findings))
        .clone()
}

fn latency(f: &Finding) -> &launchready::check::LatencyMetrics {
    match f.metrics.as_deref() {
        Some(Metrics::Latency(m)) => m,
        other => panic!("no latency metrics on {}: {other:?}", f.subject),
    }
}

const FIXTURE_ENDPOINTS: &str = r#"
[[endpoints]]
path = "/fast"
auth = "public"
core = true

[[endpoints]]
path = "/slow"
auth = "public"
core = true

[[endpoints]]
path = "/flaky"
auth = "public"
core = true

[[endpoints]]
path = "/private"
identity = "ops"
core = true
budget-ms = 300
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_passes_slow_and_flaky_fail() {
    let port = serve().await;
    let card = audit(port, 40, FIXTURE_ENDPOINTS).await;
    assert_eq!(card.row("latency").unwrap().verdict(), Verdict::Fail);

    let fast = endpoint(&card, "/fast");
    assert_eq!(fast.status, Status::Pass, "{}", fast.message);
    let m = latency(&fast);
    assert_eq!((m.samples, m.good, m.errors), (40, 40, 0));
    assert!(m.total.p50_us >= 5_000, "a 5 ms route cannot answer faster");
    assert!(m.first_byte.p50_us <= m.total.p50_us);
    assert_eq!(m.histogram.iter().map(|b| b.count).sum::<u64>(), 40);

    let slow = endpoint(&card, "/slow");
    assert_eq!(slow.status, Status::Fail, "{}", slow.message);
    assert_eq!(slow.severity, Severity::High);
    assert!(
        slow.message.contains("over the 500 ms budget"),
        "{}",
        slow.message
    );
    assert!(latency(&slow).total.p95_us >= 600_000);

    let flaky = endpoint(&card, "/flaky");
    assert_eq!(flaky.status, Status::Fail, "{}", flaky.message);
    assert_eq!(flaky.severity, Severity::High);
    assert_eq!(latency(&flaky).errors, 2, "requests 20 and 40 of 43 fail");
    assert!(
        flaky.message.contains("error rate is over the 1% limit"),
        "{}",
        flaky.message
    );
    assert!(
        flaky
            .evidence
            .iter()
            .any(|e| e.value.contains("HTTP 500 ×2")),
        "{:?}",
        flaky.evidence
    );

    let private = endpoint(&card, "/private");
    assert_eq!(
        private.status,
        Status::Pass,
        "sampled as `ops`: {}",
        private.message
    );
    assert_eq!(latency(&private).errors, 0);
    assert!(
        !format!("{card:?}").contains(TOKEN),
        "the token never reaches a report"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_expiring_mid_run_is_renewed_by_one_login() {
    let fixture = Fixture::default();
    let port = serve_fixture(fixture.clone()).await;
    let text = format!(
        r#"[target]
name = "latency session fixture"
base-url = "http://127.0.0.1:{port}/"
scope = ["127.0.0.1"]

[latency]
samples = 40
warmup = 3
rate-per-second = 40.0

[[identities]]
name = "ops"
login = {{ url = "/login", json = {{ user = "ops" }} }}

[[endpoints]]
path = "/session"
identity = "ops"
core = true
"#
    );
    let target = launchready::config::parse(&text, Path::new("checks.toml"), &BTreeMap::new())
        .expect("the fixture config is valid");
    let net = launchready::net::Net::new(&target).expect("clients build");
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec!["latency".into()];
    let card =
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await;
    let finding = endpoint(&card, "/session");
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    let m = latency(&finding);
    assert_eq!(
        (m.samples, m.good, m.errors),
        (40, 40, 0),
        "43 requests outlive a {SESSION_USES}-use session"
    );
    assert_eq!(
        fixture.logins.load(Ordering::Relaxed),
        2,
        "the first login, then one re-login"
    );
    assert!(!format!("{card:?}").contains("session-token-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_few_samples_give_a_visible_no_verdict() {
    let port = serve().await;
    let one = r#"
[[endpoints]]
path = "/fast"
auth = "public"
core = true
"#;
    let card = audit(port, 10, one).await;
    let row = card.row("latency").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive);
    let fast = endpoint(&card, "/fast");
    assert_eq!(fast.status, Status::Inconclusive);
    assert!(
        fast.message.contains("10 good samples, 20 needed"),
        "{}",
        fast.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_not_sampled_without_active() {
    let port = serve().await;
    let write = r#"
[[endpoints]]
method = "POST"
path = "/fast"
auth = "public"
core = true
"#;
    let card = audit(port, 40, write).await;
    let finding = endpoint(&card, "/fast");
    assert_eq!(finding.status, Status::Inconclusive);
    assert!(
        finding.message.contains("needs --active"),
        "{}",
        finding.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disposable_writes_are_sampled_with_active_through_the_scope_guard() {
    let port = serve().await;
    let write = r#"
[[endpoints]]
method = "POST"
path = "/fast"
auth = "public"
core = true
disposable = true
"#;
    let card = audit_as(port, 40, write, true, 2000).await;
    let finding = endpoint(&card, "/fast");
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert_eq!(latency(&finding).samples, 40);

    let card = audit_as(port, 40, write, true, 20).await;
    let finding = endpoint(&card, "/fast");
    assert_eq!(finding.status, Status::Inconclusive, "{}", finding.message);
    assert_eq!(
        latency(&finding).samples,
        17,
        "3 warm-up + 17 samples spend the budget of 20"
    );
    assert!(
        finding.message.contains("budget of 20"),
        "{}",
        finding.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flawed_demo_catalog_is_slow_and_search_fails() {
    let card = audit_demo(Variant::Flawed, &["latency"], false).await;
    let row = card.row("latency").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let catalog = endpoint(&card, "/api/catalog");
    assert_eq!(catalog.status, Status::Fail, "{}", catalog.message);
    assert!(
        catalog.message.contains("over the 300 ms budget"),
        "{}",
        catalog.message
    );
    let search = endpoint(&card, "/api/search?q=widget");
    assert_eq!(search.status, Status::Fail, "{}", search.message);
    assert_eq!(latency(&search).errors, 4, "one request in ten fails");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_demo_core_endpoints_pass() {
    let card = audit_demo(Variant::Hardened, &["latency"], false).await;
    let row = card.row("latency").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 2, "catalog and search");
}
