//! Email trust routes: the MTA-STS policy on `mta-sts.<apex>`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Variant, host_of};
use crate::demo::mail;

/// The MTA-STS policy route, answered only on the `mta-sts.` host.
pub fn routes(variant: Variant) -> Router {
    Router::new()
        .route("/.well-known/mta-sts.txt", get(policy))
        .with_state(variant)
}

async fn policy(State(variant): State<Variant>, headers: HeaderMap) -> Response {
    if !host_of(&headers).starts_with("mta-sts.") {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        mail::mta_sts_policy(variant),
    )
        .into_response()
}
