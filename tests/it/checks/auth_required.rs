//! `auth-required` against the demo portal: the flawed admin route serves anonymous callers; the
//! hardened portal refuses them everywhere, and the whoami proof line shows auth is applied.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete as delete_route, get};
use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::{audit_config, audit_config_as, audit_demo, loopback_target, serve};

#[tokio::test]
async fn flawed_admin_route_serves_anonymous_callers() {
    let card = audit_demo(Variant::Flawed, &["auth-required"], false).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail, "{:#?}", row.findings);
    let admin: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.subject.to_string().contains("/api/admin/users"))
        .collect();
    assert_eq!(
        admin.len(),
        2,
        "anonymous and garbage token: {:#?}",
        row.findings
    );
    assert!(admin.iter().all(|f| f.severity == Severity::Critical));
    let evidence = format!("{:?}", admin[0].evidence);
    assert!(evidence.contains("curl -i"), "{evidence}");
    assert!(evidence.contains("users"), "{evidence}");
    let imported = row
        .findings
        .iter()
        .find(|f| {
            f.status == Status::Fail && f.subject.to_string().contains("/api/admin/audit-log")
        })
        .expect("the route only the OpenAPI document lists is probed");
    assert_eq!(imported.severity, Severity::Critical);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("OpenAPI document lists 11 operations"))
    );
    let protected = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().contains("/api/invoices/inv-a-1"))
        .unwrap();
    assert_eq!(protected.status, Status::Pass);
}

#[tokio::test]
async fn hardened_portal_refuses_and_proves_auth_is_applied() {
    let card = audit_demo(Variant::Hardened, &["auth-required"], false).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let proof = row
        .findings
        .iter()
        .find(|f| f.message.starts_with("auth is applied"))
        .expect("a whoami line");
    assert!(
        proof.message.contains("as alice: 200; anonymous: 401"),
        "{}",
        proof.message
    );
    let text = format!("{:?}", row.findings);
    assert!(
        text.contains("$ALICE_TOKEN"),
        "the curl names the token variable, not the token"
    );
    assert!(!text.contains("eyJ"), "no token in evidence");
}

/// A loopback API: `/api/me` accepts `Bearer good` or cookie `sid=good`; `/api/secret` only checks
/// that some `sid` cookie is present (any value passes); `/api/validate-first` answers 400 before
/// looking at credentials; `/api/locked` always answers 401; DELETEs are counted.
async fn auth_api(deletes: Arc<AtomicU32>) -> u16 {
    fn authorized(headers: &HeaderMap) -> bool {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        header("authorization") == Some("Bearer good") || header("cookie") == Some("sid=good")
    }
    let me = |headers: HeaderMap| async move {
        if authorized(&headers) {
            (StatusCode::OK, "{\"name\":\"alice\"}").into_response()
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        }
    };
    let secret = |headers: HeaderMap| async move {
        let cookie = headers.get("cookie").and_then(|v| v.to_str().ok());
        if cookie.is_some_and(|c| c.starts_with("sid=")) {
            (StatusCode::OK, "{\"secret\":\"the plans\"}").into_response()
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        }
    };
    let delete = move || {
        let deletes = deletes.clone();
        async move {
            deletes.fetch_add(1, Ordering::SeqCst);
            StatusCode::UNAUTHORIZED
        }
    };
    serve(
        Router::new()
            .route("/api/me", get(me))
            .route("/api/secret", get(secret))
            .route(
                "/api/validate-first",
                get(|| async { StatusCode::BAD_REQUEST }),
            )
            .route("/api/locked", get(|| async { StatusCode::UNAUTHORIZED }))
            .route("/api/things/{id}", delete_route(delete)),
    )
    .await
}

const COOKIE_ALICE: &str = "[[identities]]\nname = \"alice\"\nbearer = \"${ALICE}\"\napply = { cookie = \"sid\" }\n\n[[endpoints]]\nname = \"whoami\"\npath = \"/api/me\"\nidentity = \"alice\"\n";
const BEARER_ALICE: &str = "[[identities]]\nname = \"alice\"\nbearer = \"${ALICE}\"\n\n[[endpoints]]\nname = \"whoami\"\npath = \"/api/me\"\nidentity = \"alice\"\n";
const TOKEN: &[(&str, &str)] = &[("ALICE", "good")];

fn endpoint(name: &str, path: &str) -> String {
    format!("\n[[endpoints]]\nname = \"{name}\"\npath = \"{path}\"\n")
}

#[tokio::test]
async fn the_garbage_token_travels_as_the_identity_sends_its_credential() {
    let port = auth_api(Arc::default()).await;
    let config = format!(
        "{}{COOKIE_ALICE}{}",
        loopback_target(port, ""),
        endpoint("secret", "/api/secret")
    );
    let card = audit_config(&config, TOKEN, &["auth-required"]).await;
    let row = card.row("auth-required").unwrap();
    let served = row
        .findings
        .iter()
        .find(|f| f.status == Status::Fail && f.subject.to_string().ends_with("/api/secret"))
        .unwrap_or_else(|| panic!("a garbage sid cookie is served: {:#?}", row.findings));
    assert!(
        served.message.contains("garbage token"),
        "{}",
        served.message
    );
}

#[tokio::test]
async fn writes_not_marked_disposable_are_never_sent() {
    let deletes = Arc::new(AtomicU32::new(0));
    let port = auth_api(deletes.clone()).await;
    let config = format!(
        "{}{BEARER_ALICE}\n[[endpoints]]\nname = \"delete thing\"\nmethod = \"DELETE\"\npath = \"/api/things/{{id}}\"\nids = [\"1\"]\n",
        loopback_target(port, "write-probes = true")
    );
    let card = audit_config_as(&config, TOKEN, &["auth-required"], true).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(deletes.load(Ordering::SeqCst), 0, "{:#?}", row.findings);
    let held = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().starts_with("DELETE"))
        .expect("a visible row for the write");
    assert!(
        held.message.contains("not probed") && held.message.contains("disposable"),
        "{}",
        held.message
    );
}

#[tokio::test]
async fn refusals_without_the_whoami_proof_are_inconclusive() {
    let port = auth_api(Arc::default()).await;
    let config = format!(
        "{}{}",
        loopback_target(port, ""),
        endpoint("locked", "/api/locked")
    );
    let card = audit_config(&config, &[], &["auth-required"]).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
    assert!(row.findings.iter().all(|f| f.status != Status::Pass));
}

#[tokio::test]
async fn a_400_before_authentication_is_not_a_refusal() {
    let port = auth_api(Arc::default()).await;
    let config = format!(
        "{}{BEARER_ALICE}{}",
        loopback_target(port, ""),
        endpoint("validated", "/api/validate-first")
    );
    let card = audit_config(&config, TOKEN, &["auth-required"]).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
    let validated = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().ends_with("/api/validate-first"))
        .unwrap();
    assert_eq!(validated.status, Status::Inconclusive);
}

#[tokio::test]
async fn only_held_back_writes_give_a_row_not_an_empty_check() {
    let port = auth_api(Arc::default()).await;
    let config = format!(
        "{}\n[[endpoints]]\nname = \"delete thing\"\nmethod = \"DELETE\"\npath = \"/api/things/{{id}}\"\nids = [\"1\"]\ndisposable = true\n",
        loopback_target(port, "write-probes = true")
    );
    let card = audit_config(&config, &[], &["auth-required"]).await;
    let row = card.row("auth-required").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
    assert!(
        !row.findings
            .iter()
            .any(|f| f.message.contains("returned no finding")),
        "{:#?}",
        row.findings
    );
}
