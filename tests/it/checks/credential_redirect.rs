//! Credentials and redirects: a hop to another origin drops Authorization, Cookie and custom
//! credential headers; a hop on the same origin keeps them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use launchready::config::{self, Secret};
use launchready::net::{HttpRequest, Net};

type Seen = Arc<Mutex<Vec<HeaderMap>>>;

async fn serve(app: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

fn recorder(seen: Seen) -> Router {
    Router::new().route(
        "/landing",
        get(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(headers);
                "landed"
            }
        }),
    )
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

fn credentialed(url: String) -> HttpRequest {
    HttpRequest::get(url.parse().unwrap())
        .credential("Authorization", Secret::new("Bearer t0ken"))
        .credential("Cookie", Secret::new("sid=s3ss"))
        .credential("X-Api-Key", Secret::new("k3y"))
}

fn net(port: u16) -> Net {
    let text = format!(
        "[target]\nname = \"t\"\nbase-url = \"http://127.0.0.1:{port}\"\nscope = [\"127.0.0.1\"]\n"
    );
    let target = config::parse(&text, Path::new("checks.toml"), &BTreeMap::new()).unwrap();
    Net::new(&target).unwrap()
}

const CREDENTIALS: [&str; 3] = ["authorization", "cookie", "x-api-key"];

#[tokio::test]
async fn cross_origin_hops_drop_every_credential_header() {
    let other_seen: Seen = Arc::default();
    let other = serve(recorder(other_seen.clone())).await;
    let first = serve(Router::new().route(
        "/start",
        get(move || async move { redirect(format!("http://127.0.0.1:{other}/landing")) }),
    ))
    .await;
    let route = net(first)
        .http
        .walk(credentialed(format!("http://127.0.0.1:{first}/start")))
        .await;
    assert_eq!(route.response().map(|r| r.status.as_u16()), Some(200));
    let seen = other_seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    for name in CREDENTIALS {
        assert!(
            seen[0].get(name).is_none(),
            "{name} reached the other origin"
        );
    }
}

#[tokio::test]
async fn same_origin_hops_keep_credentials() {
    let seen: Seen = Arc::default();
    let app = recorder(seen.clone()).route("/start", get(|| async { redirect("/landing".into()) }));
    let port = serve(app).await;
    let route = net(port)
        .http
        .walk(credentialed(format!("http://127.0.0.1:{port}/start")))
        .await;
    assert_eq!(route.response().map(|r| r.status.as_u16()), Some(200));
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].get("x-api-key").and_then(|v| v.to_str().ok()),
        Some("k3y")
    );
    assert_eq!(
        seen[0].get("authorization").and_then(|v| v.to_str().ok()),
        Some("Bearer t0ken")
    );
    assert_eq!(
        seen[0].get("cookie").and_then(|v| v.to_str().ok()),
        Some("sid=s3ss")
    );
}
