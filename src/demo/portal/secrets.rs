//! The portal's front-end assets for the secret checks: `/static/app.js` and, in the flawed
//! variant, a live key inlined into the bundle and a public `/static/app.js.map` whose
//! `sourcesContent` carries the original config file. The hardened bundle is clean and has no map.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Variant;
use crate::demo::sample_repo::{fake, stripe_live_key};

/// Routes for `/static/app.js` and `/static/app.js.map`.
pub fn routes() -> Router<Variant> {
    Router::new()
        .route("/static/app.js", get(bundle))
        .route("/static/app.js.map", get(source_map))
}

/// The flawed variant's inlined secrets: a Stripe live key and a SendGrid key in the map.
fn sendgrid_key() -> String {
    format!("{}{}.{}", "SG.", fake(31, 22), fake(32, 43))
}

async fn bundle(State(variant): State<Variant>) -> Response {
    let body = match variant {
        Variant::Flawed => format!(
            "(()=>{{const c={{api:\"/api\",stripeKey:\"{}\"}};fetch(c.api+\"/me\").then(r=>r.json());}})();\n//# sourceMappingURL=app.js.map\n",
            stripe_live_key()
        ),
        Variant::Hardened => {
            "(()=>{const c={api:\"/api\"};fetch(c.api+\"/me\").then(r=>r.json());})();\n"
                .to_string()
        }
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/javascript")],
        body,
    )
        .into_response()
}

async fn source_map(State(variant): State<Variant>) -> Response {
    match variant {
        Variant::Flawed => {
            let config = format!(
                "export const config = {{\n  api: \"/api\",\n  stripeKey: \"{}\",\n  mailKey: \"{}\",\n}};\n",
                stripe_live_key(),
                sendgrid_key()
            );
            let map = serde_json::json!({
                "version": 3,
                "file": "app.js",
                "sources": ["src/config.ts"],
                "sourcesContent": [config],
                "mappings": "AAAA,MAAMA,CAAC"
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                map.to_string(),
            )
                .into_response()
        }
        Variant::Hardened => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
