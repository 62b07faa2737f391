//! `auth-cache` against a loopback API with a JSON login and an authenticated `/api/me`: without
//! Cache-Control the authenticated answer fails; with `no-store` it passes; without an
//! authenticated endpoint in the config the check is skipped with its reason.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use launchready::check::{Severity, Status};
use launchready::scorecard::{RowOutcome, Verdict};

use crate::support::audit_config;

/// The Cache-Control the API sends on authenticated answers, if any.
#[derive(Clone, Copy)]
struct Api {
    cache_control: Option<&'static str>,
}

async fn login(Json(body): Json<serde_json::Value>) -> Response {
    if body["password"] != "correct horse" {
        return (StatusCode::UNAUTHORIZED, "bad credentials").into_response();
    }
    Json(serde_json::json!({ "token": "tok-alice-0001" })).into_response()
}

async fn me(State(api): State<Api>, headers: HeaderMap) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth != Some("Bearer tok-alice-0001") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut response = Json(serde_json::json!({ "email": "alice@a.acme.test" })).into_response();
    if let Some(value) = api.cache_control {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, value.parse().unwrap());
    }
    response
}

async fn start(api: Api) -> u16 {
    let app = Router::new()
        .route("/login", post(login))
        .route("/api/me", get(me))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

fn config(port: u16, endpoints: bool) -> String {
    let mut text = format!(
        "[target]\nbase-url = \"http://127.0.0.1:{port}\"\n\n[[identities]]\nname = \"alice\"\nlogin = {{ url = \"/login\", json = {{ password = \"${{PW}}\" }} }}\n"
    );
    if endpoints {
        text.push_str(
            "\n[[endpoints]]\nname = \"my profile\"\npath = \"/api/me\"\nidentity = \"alice\"\n",
        );
    }
    text
}

#[tokio::test]
async fn an_authenticated_answer_without_cache_control_fails() {
    let port = start(Api {
        cache_control: None,
    })
    .await;
    let card = audit_config(
        &config(port, true),
        &[("PW", "correct horse")],
        &["auth-cache"],
    )
    .await;
    let row = card.row("auth-cache").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let f = &row.findings[0];
    assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
    assert!(f.message.contains("has no Cache-Control"), "{f:#?}");
    assert_eq!(f.evidence[0].value, "absent");
    assert!(
        !format!("{f:?}").contains("tok-alice"),
        "the token stays out of findings"
    );
}

#[tokio::test]
async fn an_authenticated_answer_with_no_store_passes() {
    let port = start(Api {
        cache_control: Some("no-store"),
    })
    .await;
    let card = audit_config(
        &config(port, true),
        &[("PW", "correct horse")],
        &["auth-cache"],
    )
    .await;
    let row = card.row("auth-cache").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings[0].evidence[0].value, "no-store");
}

#[tokio::test]
async fn a_failed_login_is_an_error_not_a_pass() {
    let port = start(Api {
        cache_control: Some("no-store"),
    })
    .await;
    let card = audit_config(&config(port, true), &[("PW", "wrong")], &["auth-cache"]).await;
    let row = card.row("auth-cache").unwrap();
    assert_eq!(row.verdict(), Verdict::Error, "{:#?}", row.findings);
}

#[tokio::test]
async fn without_an_authenticated_endpoint_the_check_is_skipped() {
    let card = audit_config(&config(9, false), &[("PW", "x")], &["auth-cache"]).await;
    let row = card.row("auth-cache").unwrap();
    match &row.outcome {
        RowOutcome::Skipped(reason) => assert!(reason.contains("auth = \"required\"")),
        other => panic!("expected a skip, got {other:?}"),
    }
}
