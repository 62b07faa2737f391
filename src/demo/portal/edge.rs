//! The portal's domain and web-hardening behaviour: moved pages for `[[redirects]]`, the
//! canonical-host redirect, a redirect loop on `app.`, and the response headers, cookies and page
//! content the web-hardening checks judge. The variant's layer wraps every route of the portal.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Variant, host_of};

/// Subresources over plain HTTP that the flawed home page loads.
const FLAWED_SUBRESOURCES: &str = r#"<script src="http://cdn.acme.test/analytics.js"></script><img src="http://cdn.acme.test/logo.png" alt="Acme">"#;

/// Headers every hardened HTTPS response carries.
const HARDENED_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];

/// Pages that moved URLs point to.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/pricing", get(|| page("Pricing")))
        .route("/plans", get(|| page("Plans")))
        .route("/blog", get(|| page("Blog")))
}

/// Wraps the whole app in the variant's behaviour.
pub fn layer(app: Router, variant: Variant) -> Router {
    match variant {
        Variant::Flawed => app.layer(from_fn(flawed)),
        Variant::Hardened => app.layer(from_fn(hardened)),
    }
}

async fn page(title: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!doctype html><title>{title}</title><h1>{title}</h1>"),
    )
        .into_response()
}

fn redirect(status: StatusCode, location: &str) -> Response {
    (status, [(header::LOCATION, location.to_string())]).into_response()
}

/// Apex and www both serve, `app.` loops, `/pricing.html` goes to the wrong page with a 302 and
/// `/old-blog` is gone; every response names its software and the home page sets a bare session
/// cookie and loads a script and an image over http:.
async fn flawed(request: Request, next: Next) -> Response {
    let host = host_of(request.headers());
    let path = request.uri().path().to_string();
    let mut response = match (host.starts_with("app."), path.as_str()) {
        (true, "/") => redirect(StatusCode::FOUND, "/login"),
        (true, "/login") => redirect(StatusCode::FOUND, "/"),
        (_, "/pricing.html") => redirect(StatusCode::FOUND, "/plans"),
        _ => next.run(request).await,
    };
    if path == "/" && is_html(&response) {
        response = append_html(response, FLAWED_SUBRESOURCES).await;
    }
    let headers = response.headers_mut();
    headers.insert(header::SERVER, HeaderValue::from_static("nginx/1.18.0"));
    headers.insert("x-powered-by", HeaderValue::from_static("Express"));
    if path == "/" {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("session=demo-flawed-session-0001; Path=/"),
        );
    }
    response
}

/// www redirects to the apex, moved pages redirect permanently to their new URLs, and every
/// response carries the security headers; the session cookie is Secure, HttpOnly and SameSite.
async fn hardened(request: Request, next: Next) -> Response {
    let host = host_of(request.headers());
    let path = request.uri().path().to_string();
    let mut response = if let Some(apex) = host.strip_prefix("www.") {
        let rest = request.uri().path_and_query().map_or("/", |p| p.as_str());
        redirect(
            StatusCode::MOVED_PERMANENTLY,
            &format!("https://{apex}{rest}"),
        )
    } else {
        match path.as_str() {
            "/pricing.html" => redirect(StatusCode::MOVED_PERMANENTLY, "/pricing"),
            "/old-blog" => redirect(StatusCode::MOVED_PERMANENTLY, "/blog"),
            _ => next.run(request).await,
        }
    };
    let serves_home = path == "/" && response.status().is_success();
    let headers = response.headers_mut();
    for (name, value) in HARDENED_HEADERS {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    if serves_home {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static(
                "__Host-session=demo-hardened-session-0001; Path=/; Secure; HttpOnly; SameSite=Lax",
            ),
        );
    }
    response
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The response with `extra` appended to its HTML body.
async fn append_html(response: Response, extra: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "body too large").into_response();
    };
    let mut html = bytes.to_vec();
    html.extend_from_slice(extra.as_bytes());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
