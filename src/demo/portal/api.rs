//! The sample portal's JSON API: two orgs with two users each, JWT login, object-scoped invoices
//! and files, an admin route, a profile update and a document shared with everyone by design.
//!
//! The flawed variant carries the classic API bugs (BOLA on invoices, a file list leaking other
//! orgs' rows, an open admin route, CORS reflecting any origin with credentials, an unlimited login
//! that tells unknown users from wrong passwords, stack traces on bad input, mass assignment, a
//! served `.env` and `.git/config`, HS256 signed with a dictionary word and no `exp`, `alg: none`
//! accepted). The hardened variant has none of them, and adds what trips naive scanners: a soft-404
//! catch-all answering 200 with the home page, failed logins answered 200 with an error body, and
//! `Cache-Control: no-store` on every API answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use super::Variant;
use crate::checks::api::token::{self, Jwt};

/// The dictionary word the flawed variant signs its tokens with.
const WEAK_SECRET: &[u8] = b"secret";
/// The only origin the hardened API lets browsers call it from.
pub const APP_ORIGIN: &str = "https://app.acme.test";
/// Failed logins (or reset requests) per account the hardened variant allows before 429.
const HARDENED_ATTEMPTS: u32 = 5;

/// A demo account: `(name, email, org, role)`.
const ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    ("alice", "alice@a.acme.test", "org-a", "member"),
    ("carol", "carol@a.acme.test", "org-a", "owner"),
    ("bob", "bob@b.acme.test", "org-b", "member"),
    ("dave", "dave@b.acme.test", "org-b", "owner"),
];

/// Random bytes from the system generator, hex-encoded.
fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if SystemRandom::new().fill(&mut buf).is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        buf = nanos.to_le_bytes().to_vec();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The demo passwords, generated once per process: account name → password.
static PASSWORDS: LazyLock<BTreeMap<&'static str, String>> = LazyLock::new(|| {
    ACCOUNTS
        .iter()
        .map(|(name, ..)| (*name, random_hex(12)))
        .collect()
});

/// The hardened variant's signing key, generated once per process.
static STRONG_SECRET: LazyLock<Vec<u8>> = LazyLock::new(|| random_hex(32).into_bytes());

/// The environment the generated config's `${ACME_<NAME>_PASSWORD}` references resolve against.
pub fn credentials_env() -> BTreeMap<String, String> {
    PASSWORDS
        .iter()
        .map(|(name, password)| {
            (
                format!("ACME_{}_PASSWORD", name.to_ascii_uppercase()),
                password.clone(),
            )
        })
        .collect()
}

/// The `[[identities]]`, `[[endpoints]]`, `[cors]` and `[rate-limit]` sections of the demo config.
pub fn config_sections() -> String {
    r#"
[[identities]]
name = "alice"
org = "org-a"
login = { url = "/api/login", json = { email = "alice@a.acme.test", password = "${ACME_ALICE_PASSWORD}" } }

[[identities]]
name = "bob"
org = "org-b"
login = { url = "/api/login", json = { email = "bob@b.acme.test", password = "${ACME_BOB_PASSWORD}" } }

[[endpoints]]
name = "whoami"
path = "/api/me"
identity = "alice"

[[endpoints]]
name = "invoice by id"
path = "/api/invoices/{id}"
identity = "alice"
ids = ["inv-a-1"]

[[endpoints]]
name = "invoice list"
path = "/api/invoices"
identity = "alice"
list = true

[[endpoints]]
name = "update invoice"
method = "PATCH"
path = "/api/invoices/{id}"
identity = "alice"
ids = ["inv-a-2"]
disposable = true
body = { status = "void" }

[[endpoints]]
name = "file by id"
path = "/api/files/{id}"
identity = "alice"
ids = ["file-a-1"]

[[endpoints]]
name = "file list"
path = "/api/files"
identity = "alice"
list = true

[[endpoints]]
name = "admin user list"
path = "/api/admin/users"

[[endpoints]]
name = "shared document"
path = "/api/shared/{id}"
auth = "public"
identity = "alice"
ids = ["doc-terms"]

[[endpoints]]
name = "update profile"
method = "PATCH"
path = "/api/me"
identity = "alice"
body = { name = "Alice Archer" }
disposable = true

[cors]
allowed-origins = ["https://app.acme.test"]

[rate-limit]
login-path = "/api/login"
reset-path = "/api/password-reset"
username-field = "email"
password-field = "password"
burst = 12
"#
    .to_string()
}

/// The caller as the token says.
#[derive(Debug, Clone)]
struct Caller {
    email: String,
    org: String,
    role: String,
}

struct Api {
    variant: Variant,
    login_failures: Mutex<HashMap<String, u32>>,
    reset_requests: Mutex<HashMap<String, u32>>,
}

impl Api {
    fn secret(&self) -> &[u8] {
        match self.variant {
            Variant::Flawed => WEAK_SECRET,
            Variant::Hardened => &STRONG_SECRET,
        }
    }

    /// The caller's identity from `Authorization: Bearer`, if the token is one this variant accepts.
    fn caller(&self, headers: &HeaderMap) -> Option<Caller> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let jwt = Jwt::parse(value.strip_prefix("Bearer ")?)?;
        let accepted = match (self.variant, jwt.alg()) {
            (Variant::Flawed, "none") => true,
            (_, "HS256") => jwt.verifies_hs256(self.secret()),
            _ => false,
        };
        let fresh = match self.variant {
            Variant::Flawed => true,
            Variant::Hardened => jwt.numeric("exp").is_some_and(|exp| exp > now()),
        };
        if !accepted || !fresh {
            return None;
        }
        let claim = |name: &str| jwt.claims[name].as_str().map(str::to_string);
        Some(Caller {
            email: claim("sub")?,
            org: claim("org")?,
            role: claim("role")?,
        })
    }

    /// Counts one attempt for `key`; true when the hardened limit is now exceeded.
    fn over_limit(&self, counter: &Mutex<HashMap<String, u32>>, key: &str) -> bool {
        if self.variant == Variant::Flawed {
            return false;
        }
        let mut counts = counter.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key.to_ascii_lowercase()).or_insert(0);
        *count += 1;
        *count > HARDENED_ATTEMPTS
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn invoices() -> Vec<Value> {
    vec![
        json!({"id": "inv-a-1", "org": "org-a", "customer": "Globex", "amount_cents": 129900, "status": "paid"}),
        json!({"id": "inv-a-2", "org": "org-a", "customer": "Initech", "amount_cents": 45000, "status": "open"}),
        json!({"id": "inv-b-1", "org": "org-b", "customer": "Umbrella", "amount_cents": 990000, "status": "open"}),
        json!({"id": "inv-b-2", "org": "org-b", "customer": "Hooli", "amount_cents": 12000, "status": "void"}),
    ]
}

fn files() -> Vec<Value> {
    vec![
        json!({"id": "file-a-1", "org": "org-a", "name": "contract-globex.pdf", "bytes": 48213}),
        json!({"id": "file-b-1", "org": "org-b", "name": "payroll-2026.xlsx", "bytes": 90112}),
    ]
}

/// The API routes, merged into the HTTPS and plain routers.
pub fn routes(variant: Variant) -> Router {
    let api = Arc::new(Api {
        variant,
        login_failures: Mutex::new(HashMap::new()),
        reset_requests: Mutex::new(HashMap::new()),
    });
    let json_api = Router::new()
        .route("/api/login", post(login))
        .route("/api/password-reset", post(password_reset))
        .route("/api/me", get(me).patch(update_me))
        .route("/api/invoices", get(invoice_list))
        .route("/api/invoices/{id}", get(invoice).patch(update_invoice))
        .route("/api/files", get(file_list))
        .route("/api/files/{id}", get(file))
        .route("/api/shared/{id}", get(shared))
        .route("/api/admin/users", get(admin_users))
        .route("/api/admin/audit-log", get(audit_log))
        .route("/openapi.json", get(openapi_document))
        .layer(middleware::from_fn_with_state(api.clone(), api_headers))
        .with_state(api);
    match variant {
        Variant::Flawed => json_api
            .route("/.env", get(dot_env))
            .route("/.git/config", get(git_config))
            .route("/.git/HEAD", get(git_head)),
        Variant::Hardened => json_api.fallback(soft_not_found),
    }
}

/// CORS and caching headers on every API answer.
async fn api_headers(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let allowed = match api.variant {
        Variant::Flawed => origin,
        Variant::Hardened => origin.filter(|o| o.as_bytes() == APP_ORIGIN.as_bytes()),
    };
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    if api.variant == Variant::Hardened {
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn denied() -> Response {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"error": "authentication required"}),
    )
}

fn not_found() -> Response {
    reply(StatusCode::NOT_FOUND, json!({"error": "not found"}))
}

/// A Node/Express-style crash page, as the flawed variant shows on bad input.
fn crash(message: &str) -> Response {
    let body = format!(
        "{message}\n    at JSON.parse (<anonymous>)\n    at parse (/srv/portal/node_modules/body-parser/lib/types/json.js:89:19)\n    at /srv/portal/node_modules/body-parser/lib/read.js:121:18\n    at invokeCallback (/srv/portal/node_modules/raw-body/index.js:224:16)"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The JSON object in a request body, or the variant's answer to a malformed one.
fn parse_object(
    variant: Variant,
    body: &Bytes,
) -> Result<serde_json::Map<String, Value>, Box<Response>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) | Err(_) => Err(Box::new(match variant {
            Variant::Flawed => crash("SyntaxError: Unexpected token in JSON at position 0"),
            Variant::Hardened => reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "the body must be a JSON object"}),
            ),
        })),
    }
}

async fn login(State(api): State<Arc<Api>>, body: Bytes) -> Response {
    let fields = match parse_object(api.variant, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let email = fields
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = fields
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if api.over_limit(&api.login_failures, email) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::RETRY_AFTER, "60"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            json!({"error": "too many attempts; try again later"}).to_string(),
        )
            .into_response();
    }
    let account = ACCOUNTS.iter().find(|(_, e, ..)| *e == email);
    let Some((name, email, org, role)) = account else {
        return match api.variant {
            Variant::Flawed => reply(
                StatusCode::UNAUTHORIZED,
                json!({"error": "no account with that email"}),
            ),
            Variant::Hardened => reply(
                StatusCode::OK,
                json!({"ok": false, "error": "invalid email or password"}),
            ),
        };
    };
    if PASSWORDS.get(name).map(String::as_str) != Some(password) {
        return match api.variant {
            Variant::Flawed => reply(StatusCode::UNAUTHORIZED, json!({"error": "wrong password"})),
            Variant::Hardened => reply(
                StatusCode::OK,
                json!({"ok": false, "error": "invalid email or password"}),
            ),
        };
    }
    if let Ok(mut counts) = api.login_failures.lock() {
        counts.remove(&email.to_ascii_lowercase());
    }
    let mut claims = json!({"sub": email, "org": org, "role": role, "iat": now()});
    if api.variant == Variant::Hardened {
        claims["exp"] = json!(now() + 3600);
    }
    let token = token::encode_hs256(&claims, api.secret());
    reply(StatusCode::OK, json!({"token": token}))
}

async fn password_reset(State(api): State<Arc<Api>>, body: Bytes) -> Response {
    let fields = match parse_object(api.variant, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let email = fields
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if api.over_limit(&api.reset_requests, email) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::RETRY_AFTER, "300"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            json!({"error": "too many reset requests; try again later"}).to_string(),
        )
            .into_response();
    }
    reply(
        StatusCode::OK,
        json!({"ok": true, "message": "if the account exists, a reset link is on its way"}),
    )
}

async fn me(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    match api.caller(&headers) {
        Some(c) => reply(
            StatusCode::OK,
            json!({"email": c.email, "org": c.org, "role": c.role}),
        ),
        None => denied(),
    }
}

/// The longest display name the hardened variant accepts.
const NAME_LIMIT: usize = 200;

async fn update_me(State(api): State<Arc<Api>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    let fields = match parse_object(api.variant, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let name = fields.get("name");
    match api.variant {
        Variant::Flawed => {
            let Some(name) = name.and_then(Value::as_str) else {
                return crash("TypeError: body.name.trim is not a function");
            };
            let role = fields
                .get("role")
                .and_then(Value::as_str)
                .unwrap_or(&caller.role);
            reply(
                StatusCode::OK,
                json!({"email": caller.email, "org": caller.org, "name": name, "role": role}),
            )
        }
        Variant::Hardened => {
            if let Some(unknown) = fields.keys().find(|k| k.as_str() != "name") {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("unknown field `{unknown}`")}),
                );
            }
            match name.and_then(Value::as_str) {
                Some(name) if !name.is_empty() && name.chars().count() <= NAME_LIMIT => reply(
                    StatusCode::OK,
                    json!({"email": caller.email, "org": caller.org, "name": name, "role": caller.role}),
                ),
                _ => reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": format!("name must be a string of 1 to {NAME_LIMIT} characters")}),
                ),
            }
        }
    }
}

/// The flawed variant builds SQL by hand: a quote in an id breaks the query.
fn sql_error(id: &str) -> Response {
    reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"error": format!("PG::SyntaxError: ERROR:  unterminated quoted string at or near \"'{id}\"")}),
    )
}

async fn invoice_list(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    let rows: Vec<Value> = invoices()
        .into_iter()
        .filter(|i| i["org"] == caller.org.as_str())
        .collect();
    reply(StatusCode::OK, json!({"invoices": rows}))
}

async fn invoice(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    if api.variant == Variant::Flawed && id.contains('\'') {
        return sql_error(&id);
    }
    let scoped = api.variant == Variant::Hardened;
    match invoices()
        .into_iter()
        .find(|i| i["id"] == id.as_str() && (!scoped || i["org"] == caller.org.as_str()))
    {
        Some(row) => reply(StatusCode::OK, row),
        None => not_found(),
    }
}

/// The invoice statuses a client may set.
const INVOICE_STATUSES: &[&str] = &["open", "paid", "void"];

async fn update_invoice(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    let fields = match parse_object(api.variant, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let scoped = api.variant == Variant::Hardened;
    let Some(mut row) = invoices()
        .into_iter()
        .find(|i| i["id"] == id.as_str() && (!scoped || i["org"] == caller.org.as_str()))
    else {
        return not_found();
    };
    let status = fields.get("status");
    match api.variant {
        Variant::Flawed => {
            let Some(status) = status.and_then(Value::as_str) else {
                return crash("TypeError: body.status.toLowerCase is not a function");
            };
            for (key, value) in &fields {
                row[key.as_str()] = value.clone();
            }
            row["status"] = json!(status);
            reply(StatusCode::OK, row)
        }
        Variant::Hardened => {
            if let Some(unknown) = fields.keys().find(|k| k.as_str() != "status") {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("unknown field `{unknown}`")}),
                );
            }
            match status.and_then(Value::as_str) {
                Some(status) if INVOICE_STATUSES.contains(&status) => {
                    row["status"] = json!(status);
                    reply(StatusCode::OK, row)
                }
                _ => reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": "status must be one of open, paid, void"}),
                ),
            }
        }
    }
}

async fn file_list(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    let scoped = api.variant == Variant::Hardened;
    let rows: Vec<Value> = files()
        .into_iter()
        .filter(|f| !scoped || f["org"] == caller.org.as_str())
        .collect();
    reply(StatusCode::OK, json!({"files": rows}))
}

async fn file(State(api): State<Arc<Api>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(caller) = api.caller(&headers) else {
        return denied();
    };
    match files()
        .into_iter()
        .find(|f| f["id"] == id.as_str() && f["org"] == caller.org.as_str())
    {
        Some(row) => reply(StatusCode::OK, row),
        None => reply(StatusCode::FORBIDDEN, json!({"error": "forbidden"})),
    }
}

async fn shared(Path(id): Path<String>) -> Response {
    if id != "doc-terms" {
        return not_found();
    }
    reply(
        StatusCode::OK,
        json!({"id": "doc-terms", "title": "Terms of service", "version": 3, "body": "Acme provides the portal as is."}),
    )
}

async fn admin_users(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    if api.variant == Variant::Hardened {
        match api.caller(&headers) {
            None => return denied(),
            Some(c) if c.role != "admin" => {
                return reply(StatusCode::FORBIDDEN, json!({"error": "admins only"}));
            }
            Some(_) => {}
        }
    }
    let users: Vec<Value> = ACCOUNTS
        .iter()
        .map(|(_, email, org, role)| json!({"email": email, "org": org, "role": role}))
        .collect();
    reply(StatusCode::OK, json!({"users": users}))
}

/// Admin-only in the hardened variant; the flawed variant forgot the guard. Only the OpenAPI
/// document lists it, so only an OpenAPI import finds it.
async fn audit_log(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    if api.variant == Variant::Hardened {
        match api.caller(&headers) {
            None => return denied(),
            Some(c) if c.role != "admin" => {
                return reply(StatusCode::FORBIDDEN, json!({"error": "admins only"}));
            }
            Some(_) => {}
        }
    }
    reply(
        StatusCode::OK,
        json!({"events": [{"at": "2026-11-30T09:12:00Z", "actor": "carol@a.acme.test", "action": "invoice.void"}]}),
    )
}

/// The API's OpenAPI 3 document: bearer auth everywhere except login, reset and shared documents.
async fn openapi_document() -> Response {
    let open = json!([]);
    reply(
        StatusCode::OK,
        json!({
            "openapi": "3.0.3",
            "info": {"title": "Acme portal API", "version": "1.0.0"},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearer": []}],
            "paths": {
                "/api/login": {"post": {"operationId": "login", "security": open}},
                "/api/password-reset": {"post": {"operationId": "requestPasswordReset", "security": open}},
                "/api/me": {"get": {"operationId": "whoami"}, "patch": {"operationId": "updateProfile"}},
                "/api/invoices": {"get": {"operationId": "listInvoices"}},
                "/api/invoices/{id}": {"get": {"operationId": "getInvoice"}},
                "/api/files": {"get": {"operationId": "listFiles"}},
                "/api/files/{id}": {"get": {"operationId": "getFile"}},
                "/api/shared/{id}": {"get": {"operationId": "getSharedDocument", "security": open}},
                "/api/admin/users": {"get": {"operationId": "listUsers"}},
                "/api/admin/audit-log": {"get": {"operationId": "getAuditLog"}}
            }
        }),
    )
}

fn plain_text(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        Body::from(body),
    )
        .into_response()
}

async fn dot_env() -> Response {
    plain_text(concat!(
        "NODE_ENV=production\nDATABASE_URL=postgres://portal:portal-db-pass@10.0.3.7/portal\n",
        "JWT_SECRET=secret\nSTRIPE_KEY=sk_",
        "live_demo0000000000000000\n",
    ))
}

async fn git_config() -> Response {
    plain_text(
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/portal.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    )
}

async fn git_head() -> Response {
    plain_text("ref: refs/heads/main\n")
}

/// The hardened variant's catch-all: every unknown path gets the home page with 200, as many
/// single-page-app hosts do.
async fn soft_not_found() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>Acme portal</title><h1>Welcome to Acme</h1>",
    )
        .into_response()
}
