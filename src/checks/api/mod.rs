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

use crate::check::{Context, Finding, redact};
use crate::config::{Apply, Endpoint};
use crate::detect;
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

/// Every value of an `id` field anywhere in a JSON document, as text.
pub fn harvest_ids(value: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_ids(value, &mut out);
    out
}

fn collect_ids(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                if key == "id" {
                    match inner {
                        serde_json::Value::String(s) => out.push(s.clone()),
                        serde_json::Value::Number(n) => out.push(n.to_string()),
                        _ => {}
                    }
                }
                collect_ids(inner, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_ids(i, out)),
        _ => {}
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
    fn ids_are_harvested_at_any_depth() {
        let doc = serde_json::json!({"items": [{"id": "a", "owner": {"id": 7}}, {"name": "x"}]});
        assert_eq!(harvest_ids(&doc), vec!["a".to_string(), "7".to_string()]);
    }
}
