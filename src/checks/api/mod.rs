//! The API security family: authentication, object-level authorization, CORS, exposed files,
//! error leakage, JWT hygiene, input validation and login rate limits (OWASP API Security Top 10,
//! 2023).
//!
//! Shared here: filling `{param}` templates, sending a probe (scope, budget and rate first), and
//! rendering the proving request as a replayable curl command with credentials left out.
pub mod auth_required;
pub mod cors;
pub mod error_leakage;
pub mod exposed_files;
pub mod idor;
pub mod input_validation;
pub mod jwt;
pub mod openapi;
pub mod rate_limit;
pub mod token;

use reqwest::Method;
use url::Url;

use crate::check::{CheckMeta, Context, Finding, Severity, Subject, redact};
use crate::config::{Apply, Endpoint, Secret};
use crate::detect;
use crate::net::session::attach;
use crate::net::{HttpRequest, HttpResponse};

/// True when the URL template has a `{param}` placeholder.
pub fn has_params(template: &str) -> bool {
    template
        .find('{')
        .is_some_and(|open| template[open..].contains('}'))
}

/// The template with every `{param}` replaced by `value`, percent-encoded as a path segment.
pub fn fill(template: &str, value: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&encoded);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The endpoint's URL with its first sample id (or `1`) filled in.
pub fn sample_url(endpoint: &Endpoint) -> Option<Url> {
    let id = endpoint.ids.first().map_or("1", String::as_str);
    Url::parse(&fill(&endpoint.url, id)).ok()
}

/// The endpoint's method, GET when it does not parse.
pub fn method_of(endpoint: &Endpoint) -> Method {
    Method::from_bytes(endpoint.method.as_bytes()).unwrap_or(Method::GET)
}

/// True when the endpoint's method changes state: anything but GET, HEAD and OPTIONS.
pub fn is_write(endpoint: &Endpoint) -> bool {
    !matches!(
        method_of(endpoint),
        Method::GET | Method::HEAD | Method::OPTIONS
    )
}

/// Why a probe may not send `endpoint`'s method, or `None` when it may. Reads always may; a write
/// (with its real method and body, by any caller) goes out only with `--active`, to an endpoint
/// marked `disposable = true`, with `[target] write-probes = true`.
pub fn write_refusal(endpoint: &Endpoint, active: bool, write_probes: bool) -> Option<String> {
    if !is_write(endpoint) {
        return None;
    }
    let mut missing = Vec::new();
    if !active {
        missing.push("--active");
    }
    if !endpoint.disposable {
        missing.push("`disposable = true` on the endpoint");
    }
    if !write_probes {
        missing.push("`write-probes = true` in [target]");
    }
    (!missing.is_empty()).then(|| {
        format!(
            "a {} changes data, so it is sent only with {}",
            endpoint.method,
            missing.join(", ")
        )
    })
}

/// The visible row for a write endpoint that was deliberately not sent: an informational pass
/// that names the endpoint and why, so the omission is never silent.
pub fn not_probed(meta: &'static CheckMeta, endpoint: &Endpoint, reason: &str) -> Finding {
    Finding::pass(
        meta,
        Subject::endpoint(endpoint.method.clone(), endpoint.url.clone()),
        format!("`{}` was not probed: {reason}", endpoint.name),
    )
    .severity(Severity::Info)
    .evidence("not probed", reason.to_string())
}

/// The row for a run that sent nothing at all (every endpoint was held back): inconclusive, so
/// the check never passes without having tested anything.
pub fn nothing_probed(meta: &'static CheckMeta, what: &str) -> Finding {
    Finding::inconclusive(meta, Subject::Target, format!("nothing was probed: {what}"))
        .severity(Severity::Info)
}

/// A token no server should accept, sent where an identity sends its real credential.
pub const GARBAGE_TOKEN: &str = "launchready.invalid.token";

/// `request` carrying `token` the way `identity` applies its credential (its header and prefix,
/// or its cookie), so a forged or garbage credential reaches the same place a real one does.
/// Without a known identity it goes as `Authorization: Bearer <token>`.
pub fn with_forged_credential(
    ctx: &Context,
    identity: Option<&str>,
    token: &str,
    request: HttpRequest,
) -> HttpRequest {
    let apply = identity
        .and_then(|name| ctx.net.sessions.identity(name))
        .map(|i| i.apply.clone());
    forge_credential(apply.as_ref(), token, request)
}

/// [`with_forged_credential`] without a context: `apply` is how the identity sends its credential.
pub fn forge_credential(apply: Option<&Apply>, token: &str, request: HttpRequest) -> HttpRequest {
    let bearer = Apply::Header {
        name: "Authorization".into(),
        prefix: "Bearer ".into(),
    };
    attach(apply.unwrap_or(&bearer), &Secret::new(token), request)
}

/// Who a probe is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// No credentials at all.
    Anonymous,
    /// A configured identity, by name.
    Identity(&'a str),
}

/// One probe: the replayable request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The request as a curl command, credentials left out or redacted.
    pub curl: String,
    /// The response, or why there is none.
    pub result: Result<HttpResponse, String>,
}

impl Exchange {
    /// The status code, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.result.as_ref().ok().map(|r| r.status.as_u16())
    }

    /// The response, when one arrived.
    pub fn response(&self) -> Option<&HttpResponse> {
        self.result.as_ref().ok()
    }

    /// `401: {"error":…}` or `no response: …`, for evidence.
    pub fn summary(&self) -> String {
        match &self.result {
            Ok(r) => {
                let text = r.text();
                let body = detect::excerpt(&text, 0, 0);
                if body.is_empty() {
                    format!("{} (empty body)", r.status.as_u16())
                } else {
                    format!("{}: {body}", r.status.as_u16())
                }
            }
            Err(e) => format!("no response: {e}"),
        }
    }

    /// Adds this exchange to a finding as `<label> request` and `<label> response` evidence.
    pub fn attach(&self, finding: Finding, label: &str) -> Finding {
        finding
            .evidence(format!("{label} request"), self.curl.clone())
            .evidence(format!("{label} response"), self.summary())
    }
}

/// A shell-quoted argument.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The request as a curl command. Credentials on the request are redacted; an identity's
/// credential is shown as an environment variable the reader fills in.
pub fn curl(request: &HttpRequest, caller: Caller<'_>, ctx: &Context) -> String {
    let identity = match caller {
        Caller::Identity(name) => ctx.net.sessions.identity(name).map(|i| (name, &i.apply)),
        Caller::Anonymous => None,
    };
    render_curl(request, identity)
}

/// [`curl`] without a context: `identity` is the caller's name and how its credential is applied.
pub fn render_curl(request: &HttpRequest, identity: Option<(&str, &Apply)>) -> String {
    let mut parts = vec!["curl".to_string(), "-i".to_string()];
    if request.method != Method::GET {
        parts.push(format!("-X {}", request.method));
    }
    for (name, value) in &request.headers {
        parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    for (name, value) in &request.credentials {
        parts.push(format!(
            "-H {}",
            quote(&format!("{name}: {}", redact(value.expose())))
        ));
    }
    if let Some((name, apply)) = identity {
        let variable = format!("${}_TOKEN", name.to_ascii_uppercase().replace('-', "_"));
        parts.push(match apply {
            Apply::Header { name, prefix } => format!("-H \"{name}: {prefix}{variable}\""),
            Apply::Cookie(cookie) => format!("-b \"{cookie}={variable}\""),
        });
    }
    if let Some(body) = &request.body {
        let text = String::from_utf8_lossy(body);
        let shown: String = if text.chars().count() > 200 {
            format!(
                "{}… ({} bytes)",
                text.chars().take(60).collect::<String>(),
                body.len()
            )
        } else {
            text.into_owned()
        };
        parts.push(format!("--data-raw {}", quote(&shown)));
    }
    parts.push(quote(request.url.as_str()));
    parts.join(" ")
}

/// Sends one probe: asks the scope guard first (allow-list, budget, per-host rate), then sends
/// without following redirects, as `caller`.
pub async fn send(ctx: &Context, request: HttpRequest, caller: Caller<'_>) -> Exchange {
    let curl = curl(&request, caller, ctx);
    let host = request.url.host_str().unwrap_or_default().to_string();
    if let Err(refused) = ctx.net.scope.admit(&host).await {
        return Exchange {
            curl,
            result: Err(refused.to_string()),
        };
    }
    let result = match caller {
        Caller::Anonymous => ctx.net.http.send(&request).await.map_err(|e| e.to_string()),
        Caller::Identity(name) => ctx
            .net
            .sessions
            .send_as(&ctx.net.http, name, &request)
            .await
            .map_err(|e| e.to_string()),
    };
    Exchange { curl, result }
}

/// A request for `endpoint` at `url`, with the endpoint's JSON body when it has one.
pub fn request_for(endpoint: &Endpoint, url: Url) -> HttpRequest {
    let request = HttpRequest::new(method_of(endpoint), url);
    match &endpoint.body {
        Some(body) => request.json(body),
        None => request,
    }
}

/// The ids of the items a list answer holds: the `id` of each element of the top-level array, or
/// of the first array-valued field of the top-level object whose elements carry ids. Ids nested
/// inside an item (its owner, its plan, its tags) belong to other objects and are never taken.
pub fn harvest_ids(value: &serde_json::Value) -> Vec<String> {
    fn item_id(item: &serde_json::Value) -> Option<String> {
        match item.get("id")? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn ids_of(items: &[serde_json::Value]) -> Vec<String> {
        items.iter().filter_map(item_id).collect()
    }
    match value {
        serde_json::Value::Array(items) => ids_of(items),
        serde_json::Value::Object(map) => map
            .values()
            .filter_map(serde_json::Value::as_array)
            .map(|items| ids_of(items))
            .find(|ids| !ids.is_empty())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A random lowercase token for probe paths and dummy accounts.
pub fn random_token() -> String {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 8];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos as u64).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_every_param_encoded() {
        assert!(has_params("https://a.test/x/{id}"));
        assert!(!has_params("https://a.test/x"));
        assert_eq!(
            fill("https://a.test/o/{org}/i/{id}", "a b'"),
            "https://a.test/o/a%20b%27/i/a%20b%27"
        );
        assert_eq!(fill("https://a.test/x", "1"), "https://a.test/x");
    }

    #[test]
    fn curl_commands_redact_credentials_and_name_identity_tokens() {
        let request = HttpRequest::new(
            Method::PATCH,
            Url::parse("https://acme.test/api/me").unwrap(),
        )
        .credential(
            "Authorization",
            crate::config::Secret::new("Bearer eyJhbGciOiJIUzI1NiJ9.x.y"),
        )
        .json(&serde_json::json!({"name": "it's"}));
        let shown = render_curl(&request, None);
        assert!(
            shown.starts_with("curl -i -X PATCH -H 'content-type: application/json'"),
            "{shown}"
        );
        assert!(shown.contains("Authorization: Bear…"), "{shown}");
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(
            shown.contains(r#"--data-raw '{"name":"it'\''s"}'"#),
            "{shown}"
        );
        assert!(shown.ends_with("'https://acme.test/api/me'"));
        let cookie = Apply::Cookie("sid".into());
        let shown = render_curl(
            &HttpRequest::get(Url::parse("https://acme.test/").unwrap()),
            Some(("alice", &cookie)),
        );
        assert!(shown.contains(r#"-b "sid=$ALICE_TOKEN""#), "{shown}");
    }

    #[test]
    fn ids_are_harvested_from_list_items_only() {
        let doc = serde_json::json!({"items": [{"id": "a", "owner": {"id": 7}}, {"name": "x"}]});
        assert_eq!(harvest_ids(&doc), vec!["a".to_string()]);
        let plans = serde_json::json!({
            "invoices": [
                {"id": "inv-1", "plan": {"id": "pro"}},
                {"id": "inv-2", "plan": {"id": "pro"}, "tags": [{"id": "t1"}]}
            ],
            "meta": {"org": {"id": "org-a"}}
        });
        assert_eq!(
            harvest_ids(&plans),
            vec!["inv-1".to_string(), "inv-2".to_string()],
            "nested plan, tag and org ids are not list items"
        );
        let top = serde_json::json!([{"id": 1}, {"id": 2, "parent": {"id": 9}}]);
        assert_eq!(harvest_ids(&top), vec!["1".to_string(), "2".to_string()]);
        let empty_first = serde_json::json!({"errors": [], "files": [{"id": "f"}]});
        assert_eq!(harvest_ids(&empty_first), vec!["f".to_string()]);
        assert!(harvest_ids(&serde_json::json!({"id": "me", "org": {"id": "x"}})).is_empty());
    }

    #[test]
    fn writes_need_active_disposable_and_write_probes() {
        let mut endpoint = Endpoint {
            name: "delete invoice".into(),
            method: "DELETE".into(),
            url: "https://acme.test/api/invoices/{id}".into(),
            auth: crate::config::AuthRequirement::Required,
            identity: None,
            ids: vec!["1".into()],
            list: false,
            core: false,
            budget: None,
            disposable: false,
            body: None,
        };
        let refused = write_refusal(&endpoint, true, true).expect("not disposable");
        assert!(refused.contains("disposable"), "{refused}");
        endpoint.disposable = true;
        assert!(write_refusal(&endpoint, false, true).is_some_and(|r| r.contains("--active")));
        assert!(write_refusal(&endpoint, true, false).is_some_and(|r| r.contains("write-probes")));
        assert_eq!(write_refusal(&endpoint, true, true), None);
        endpoint.method = "GET".into();
        endpoint.disposable = false;
        assert_eq!(
            write_refusal(&endpoint, false, false),
            None,
            "reads always go"
        );
    }

    #[test]
    fn forged_credentials_follow_the_identity_apply_mode() {
        let url = Url::parse("https://acme.test/api/me").unwrap();
        let cookie = Apply::Cookie("sid".into());
        let request = forge_credential(Some(&cookie), "garbage", HttpRequest::get(url.clone()));
        assert_eq!(request.credentials[0].0, "cookie");
        assert_eq!(request.credentials[0].1.expose(), "sid=garbage");
        let key = Apply::Header {
            name: "X-Api-Key".into(),
            prefix: String::new(),
        };
        let request = forge_credential(Some(&key), "garbage", HttpRequest::get(url.clone()));
        assert_eq!(request.credentials[0].0, "X-Api-Key");
        assert_eq!(request.credentials[0].1.expose(), "garbage");
        let request = forge_credential(None, "garbage", HttpRequest::get(url));
        assert_eq!(request.credentials[0].0, "Authorization");
        assert_eq!(request.credentials[0].1.expose(), "Bearer garbage");
    }
}
