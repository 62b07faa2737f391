//! The sample portal: one axum app served over HTTP and HTTPS on loopback, in a flawed and a
//! hardened variant. Hosts are told apart by the Host header, as behind a real load balancer.

pub mod api;
mod edge;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

mod email;
mod ops;
mod secrets;
pub mod tls;

/// Which sample portal to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Every check has something to find.
    Flawed,
    /// Every check passes.
    Hardened,
}

/// A running portal; its servers stop when dropped.
pub struct Portal {
    /// Plain HTTP listener.
    pub http_addr: SocketAddr,
    /// HTTPS listener.
    pub https_addr: SocketAddr,
    _tasks: JoinSet<()>,
}

impl Portal {
    /// Serves the variant on two loopback ports, HTTPS with the given TLS config.
    pub async fn start(variant: Variant, tls: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        let http = TcpListener::bind("127.0.0.1:0").await?;
        let https = TcpListener::bind("127.0.0.1:0").await?;
        let (http_addr, https_addr) = (http.local_addr()?, https.local_addr()?);
        let mut tasks = JoinSet::new();
        let plain = plain_router(variant);
        tasks.spawn(async move {
            let _ = axum::serve(http, plain).await;
        });
        tasks.spawn(self::tls::serve(https, tls, router(variant), variant));
        Ok(Portal {
            http_addr,
            https_addr,
            _tasks: tasks,
        })
    }
}

/// Accepts TLS connections and serves the router on each.
pub async fn serve_tls(listener: TcpListener, acceptor: TlsAcceptor, app: Router) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        connections.spawn(serve_tls_connection(stream, acceptor.clone(), app.clone()));
        while connections.try_join_next().is_some() {}
    }
}

/// Completes the TLS handshake on one accepted connection and serves the router on it.
pub async fn serve_tls_connection(
    stream: tokio::net::TcpStream,
    acceptor: TlsAcceptor,
    app: Router,
) {
    let Ok(Ok(tls)) =
        tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream)).await
    else {
        return;
    };
    let service = TowerToHyperService::new(app);
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

/// The host a request was sent to, without the port.
pub fn host_of(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    host.to_ascii_lowercase()
}

/// The plain-HTTP app: the hardened variant redirects everything to HTTPS.
fn plain_router(variant: Variant) -> Router {
    match variant {
        Variant::Flawed => router(variant),
        Variant::Hardened => Router::new().fallback(|request: Request| async move {
            let host = host_of(request.headers());
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("https://{host}{path}"))],
            )
                .into_response()
        }),
    }
}

/// The HTTPS app.
pub fn router(variant: Variant) -> Router {
    let app = Router::new()
        .route("/", get(home))
        .route("/healthz", get(health))
        .merge(edge::routes())
        .merge(secrets::routes())
        .with_state(variant)
        .merge(ops::router(variant))
        .merge(api::routes(variant))
        .merge(email::routes(variant));
    edge::layer(app, variant)
}

async fn home(State(variant): State<Variant>, headers: HeaderMap) -> Response {
    let host = host_of(&headers);
    if host.starts_with("status.") {
        return match variant {
            Variant::Hardened => html(
                StatusCode::OK,
                "<h1>Acme status</h1><p>All systems operational.</p>",
            ),
            Variant::Flawed => html(StatusCode::BAD_GATEWAY, "<h1>502 Bad Gateway</h1>"),
        };
    }
    html(
        StatusCode::OK,
        "<!doctype html><title>Acme portal</title><h1>Welcome to Acme</h1><script src=\"/static/app.js\"></script>",
    )
}

async fn health(State(variant): State<Variant>) -> Response {
    match variant {
        Variant::Hardened => json(StatusCode::OK, r#"{"status":"ok"}"#),
        Variant::Flawed => json(
            StatusCode::OK,
            r#"{"status":"degraded","version":"express/4.17.1","env":{"NODE_ENV":"production","DATABASE_URL":"postgres://portal:portal-db-pass@10.0.3.7/portal"},"lastError":"Error: connect ETIMEDOUT\n    at Socket.<anonymous> (/srv/portal/node_modules/pg/lib/connection.js:134:22)"}"#,
        ),
    }
}

fn html(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}
