//! Operations routes of the sample portal: the core API reads the `latency` check samples and a
//! readiness route for `uptime`'s second health URL.
//!
//! Flawed: the catalog answers in 400 ms (over its 300 ms budget), search fails one request in
//! ten, and readiness answers 503. Hardened: all answer at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use super::{Variant, json};

/// How long the flawed catalog takes to answer.
pub const FLAWED_CATALOG_DELAY: Duration = Duration::from_millis(400);

/// The flawed search fails every this many requests.
pub const FLAWED_SEARCH_FAILS_EVERY: u64 = 10;

#[derive(Clone)]
struct Ops {
    variant: Variant,
    searches: Arc<AtomicU64>,
}

/// The operations routes for the variant.
pub fn router(variant: Variant) -> Router {
    let routes = Router::new()
        .route("/api/catalog", get(catalog))
        .route("/api/search", get(search))
        .route("/readyz", get(ready))
        .with_state(Ops {
            variant,
            searches: Arc::new(AtomicU64::new(0)),
        });
    match variant {
        Variant::Flawed => routes,
        Variant::Hardened => routes.layer(middleware::from_fn(approved_origin_only)),
    }
}

/// The hardened public reads let the approved app origin read them, and no other.
async fn approved_origin_only(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(origin) = origin.filter(|o| o.as_bytes() == super::api::APP_ORIGIN.as_bytes()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

async fn catalog(State(ops): State<Ops>) -> Response {
    if ops.variant == Variant::Flawed {
        tokio::time::sleep(FLAWED_CATALOG_DELAY).await;
    }
    json(
        StatusCode::OK,
        r#"{"items":[{"sku":"A-100","name":"Widget"},{"sku":"A-200","name":"Gadget"}]}"#,
    )
}

async fn search(State(ops): State<Ops>) -> Response {
    let n = ops.searches.fetch_add(1, Ordering::Relaxed) + 1;
    if ops.variant == Variant::Flawed && n.is_multiple_of(FLAWED_SEARCH_FAILS_EVERY) {
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"search backend unavailable"}"#,
        );
    }
    json(StatusCode::OK, r#"{"results":[{"sku":"A-100"}]}"#)
}

async fn ready(State(ops): State<Ops>) -> Response {
    match ops.variant {
        Variant::Hardened => json(StatusCode::OK, r#"{"status":"ok"}"#),
        Variant::Flawed => json(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"starting"}"#),
    }
}
