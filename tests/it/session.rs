//! Identities against a loopback login server: JSON login, cookie login, re-login after a 401, and
//! a failed login reported without the password.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use launchready::config;
use launchready::net::{HttpRequest, Net, SessionError};

/// Issues `token-N` on each successful login; `/me` accepts only the newest token, and the first
/// `/me` call after each login is refused once when `expire_first` is set (always when
/// `expire_always` is). `attempts` counts every login request, failed ones included.
#[derive(Default)]
struct Server {
    logins: AtomicU32,
    attempts: AtomicU32,
    expire_first: bool,
    expire_always: bool,
}

async fn login(State(server): State<Arc<Server>>, Json(body): Json<serde_json::Value>) -> Response {
    server.attempts.fetch_add(1, Ordering::SeqCst);
    if body["password"] != "correct horse" {
        return (StatusCode::UNAUTHORIZED, "bad credentials").into_response();
    }
    let n = server.logins.fetch_add(1, Ordering::SeqCst) + 1;
    (
        [(header::SET_COOKIE, format!("sid=cookie-{n}; HttpOnly"))],
        Json(serde_json::json!({ "data": { "token": format!("token-{n}") } })),
    )
        .into_response()
}

async fn me(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    let n = server.logins.load(Ordering::SeqCst);
    let wanted = if server.expire_always || (server.expire_first && n == 1) {
        "never".to_string()
    } else {
        format!("Bearer token-{n}")
    };
    let cookie = format!("sid=cookie-{n}");
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let sent_cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    if auth == Some(wanted.as_str()) || (!server.expire_first && sent_cookie == Some(&cookie)) {
        (StatusCode::OK, "alice").into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

async fn start(server: Server) -> (u16, Arc<Server>) {
    let server = Arc::new(server);
    let app = Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, server)
}

fn net(port: u16, identity: &str, password: &str) -> Net {
    net_with(port, identity, password, "")
}

/// Clients for one identity `alice`, with extra `[http]` lines.
fn net_with(port: u16, identity: &str, password: &str, http: &str) -> Net {
    let text = format!(
        "[target]\nname = \"t\"\nbase-url = \"http://127.0.0.1:{port}\"\nscope = [\"127.0.0.1\"]\n\n[http]\n{http}\n\n[[identities]]\nname = \"alice\"\n{identity}\n"
    );
    let env = BTreeMap::from([("PW".to_string(), password.to_string())]);
    let target = config::parse(&text, Path::new("checks.toml"), &env).expect("valid config");
    Net::new(&target).expect("net")
}

fn me_request(port: u16) -> HttpRequest {
    HttpRequest::get(format!("http://127.0.0.1:{port}/me").parse().unwrap())
}

const JSON_LOGIN: &str = "login = { url = \"/login\", json = { email = \"a@x.test\", password = \"${PW}\" } }\ntoken = { json-pointer = \"/data/token\" }";

#[tokio::test]
async fn json_login_token_is_applied_as_bearer() {
    let (port, _) = start(Server::default()).await;
    let net = net(port, JSON_LOGIN, "correct horse");
    let response = net
        .sessions
        .send_as(&net.http, "alice", &me_request(port))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "alice");
    assert_eq!(net.sessions.logins(), 1);
}

#[tokio::test]
async fn cookie_login_is_applied_as_cookie() {
    let (port, _) = start(Server::default()).await;
    let identity = "login = { url = \"/login\", json = { password = \"${PW}\" } }\ntoken = { cookie = \"sid\" }\napply = { cookie = \"sid\" }";
    let net = net(port, identity, "correct horse");
    let response = net
        .sessions
        .send_as(&net.http, "alice", &me_request(port))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn a_401_mid_run_logs_in_again_once() {
    let (port, _) = start(Server {
        expire_first: true,
        ..Server::default()
    })
    .await;
    let net = net(port, JSON_LOGIN, "correct horse");
    let response = net
        .sessions
        .send_as(&net.http, "alice", &me_request(port))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(net.sessions.logins(), 2);
}

#[tokio::test]
async fn a_failed_login_is_an_error_without_the_password() {
    let (port, _) = start(Server::default()).await;
    let net = net(port, JSON_LOGIN, "wrong-password-value");
    let error = net
        .sessions
        .send_as(&net.http, "alice", &me_request(port))
        .await
        .unwrap_err();
    assert!(matches!(error, SessionError::Login { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains("wrong-password-value"), "{text}");
}

#[tokio::test]
async fn unknown_identity_is_refused() {
    let (port, _) = start(Server::default()).await;
    let net = net(port, JSON_LOGIN, "correct horse");
    let error = net
        .sessions
        .send_as(&net.http, "mallory", &me_request(port))
        .await
        .unwrap_err();
    assert_eq!(error, SessionError::Unknown("mallory".into()));
}

#[tokio::test]
async fn a_failed_login_is_tried_once_per_run() {
    let (port, server) = start(Server::default()).await;
    let net = net(port, JSON_LOGIN, "wrong-password-value");
    for _ in 0..3 {
        let error = net
            .sessions
            .send_as(&net.http, "alice", &me_request(port))
            .await
            .unwrap_err();
        assert!(matches!(error, SessionError::Login { .. }), "{error:?}");
    }
    assert_eq!(server.attempts.load(Ordering::SeqCst), 1);
    assert_eq!(net.sessions.logins(), 1);
}

#[tokio::test]
async fn a_401_logs_in_again_at_most_once_per_identity() {
    let (port, server) = start(Server {
        expire_always: true,
        ..Server::default()
    })
    .await;
    let net = net(port, JSON_LOGIN, "correct horse");
    for _ in 0..3 {
        let response = net
            .sessions
            .send_as(&net.http, "alice", &me_request(port))
            .await
            .unwrap();
        assert_eq!(response.status, 401);
    }
    assert_eq!(
        server.attempts.load(Ordering::SeqCst),
        2,
        "the first login and one re-login"
    );
}

#[tokio::test]
async fn logins_spend_the_request_budget() {
    let (port, server) = start(Server {
        expire_always: true,
        ..Server::default()
    })
    .await;
    let net = net_with(port, JSON_LOGIN, "correct horse", "request-budget = 1");
    let error = net
        .sessions
        .send_as(&net.http, "alice", &me_request(port))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("budget"), "{error}");
    assert_eq!(
        server.attempts.load(Ordering::SeqCst),
        1,
        "the first login spent the budget; the re-login was not sent"
    );
    assert_eq!(net.scope.remaining(), 0);
}
