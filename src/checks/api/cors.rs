//! `cors`: the API does not let foreign origins read authenticated responses, and the approved
//! origins still work.
//!
//! Reference: Fetch Standard, CORS protocol; OWASP WSTG-CLNT-07 (Testing Cross Origin Resource
//! Sharing); PortSwigger "Exploiting CORS misconfigurations".

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Target};
use crate::net::HttpRequest;

use super::{Caller, method_of, sample_url, send};

/// Metadata of the `cors` check.
pub static META: CheckMeta = CheckMeta {
    id: "cors",
    title: "CORS refuses foreign origins",
    category: Category::Api,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "A CORS policy that reflects the caller's Origin with credentials lets any website a logged-in user visits read that user's API responses.",
    breaks: "A malicious page silently exfiltrates account data, tokens and invoices from every visitor who is logged in.",
    remediation: "Answer Access-Control-Allow-Origin only for an explicit allow-list of exact origins (never by reflecting or suffix matching), never for `null`, add Vary: Origin, and send Allow-Credentials only to those origins.",
    references: &[
        "https://fetch.spec.whatwg.org/#http-cors-protocol",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing",
        "https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties",
    ],
};

/// Builds the check when there is at least one GET endpoint to ask.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for e in &target.endpoints {
        if method_of(e) == reqwest::Method::GET && !endpoints.iter().any(|k| k.url == e.url) {
            endpoints.push(e.clone());
        }
    }
    if endpoints.is_empty() {
        return Err(Skip::because(
            "no GET [[endpoints]] to send cross-origin requests to",
        ));
    }
    let allowed = target
        .cors
        .as_ref()
        .map(|c| c.allowed_origins.clone())
        .unwrap_or_default();
    Ok(Box::new(Cors { endpoints, allowed }))
}

struct Cors {
    endpoints: Vec<Endpoint>,
    allowed: Vec<String>,
}

/// How one cross-origin answer is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The origin is not granted.
    Refused,
    /// `*` on an endpoint that needs authentication.
    Wildcard,
    /// The origin is reflected without credentials.
    Reflected,
    /// The origin (or `null`) is reflected with `Access-Control-Allow-Credentials: true`.
    ReflectedWithCredentials,
}

/// Judges the answer to a request sent with `Origin: origin`.
pub fn judge(
    origin: &str,
    allow_origin: Option<&str>,
    allow_credentials: Option<&str>,
    authenticated: bool,
) -> Grant {
    let credentials = allow_credentials.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    match allow_origin.map(str::trim) {
        Some(granted) if granted == origin => {
            if credentials {
                Grant::ReflectedWithCredentials
            } else {
                Grant::Reflected
            }
        }
        Some("*") if authenticated => Grant::Wildcard,
        _ => Grant::Refused,
    }
}

/// An origin unrelated to any target. Fixed rather than random so reports are reproducible.
pub const FOREIGN_ORIGIN: &str = "https://launchready-foreign-origin.example";

/// The hostile origins to try for a base URL.
pub fn hostile_origins(url: &url::Url) -> Vec<String> {
    let host = url.host_str().unwrap_or_default();
    let mut origins = vec![
        FOREIGN_ORIGIN.to_string(),
        "null".to_string(),
        format!("https://{host}.evil.example"),
        format!("https://evil-{host}"),
    ];
    if url.scheme() == "https" {
        origins.push(format!("http://{host}"));
    }
    origins
}

#[async_trait::async_trait]
impl Check for Cors {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for endpoint in &self.endpoints {
            findings.extend(self.probe(ctx, endpoint).await);
        }
        findings
    }
}

impl Cors {
    async fn probe(&self, ctx: &Context, endpoint: &Endpoint) -> Vec<Finding> {
        let Some(url) = sample_url(endpoint) else {
            return Vec::new();
        };
        let subject = || Subject::endpoint("GET", url.as_str());
        let caller = match &endpoint.identity {
            Some(name) => Caller::Identity(name),
            None => Caller::Anonymous,
        };
        let authenticated = endpoint.auth == AuthRequirement::Required;
        let mut findings = Vec::new();
        let mut worst: Option<(Grant, String, super::Exchange)> = None;
        let mut granted = Vec::new();
        for origin in hostile_origins(&url) {
            let request = HttpRequest::get(url.clone()).header("origin", origin.clone());
            let exchange = send(ctx, request, caller).await;
            let Some(response) = exchange.response() else {
                findings.push(
                    exchange.attach(
                        Finding::error(
                            &META,
                            subject(),
                            format!("no answer to the request with Origin: {origin}"),
                        )
                        .severity(Severity::Medium),
                        "cross-origin",
                    ),
                );
                continue;
            };
            let grant = judge(
                &origin,
                response.header("access-control-allow-origin"),
                response.header("access-control-allow-credentials"),
                authenticated,
            );
            if grant != Grant::Refused {
                granted.push(origin.clone());
            }
            if worst.as_ref().is_none_or(|(g, ..)| rank(grant) > rank(*g)) {
                worst = Some((grant, origin, exchange));
            }
        }
        if let Some((grant, origin, exchange)) = worst {
            let finding = match grant {
                Grant::Refused => Finding::pass(
                    &META,
                    subject(),
                    format!("`{}` grants none of {} hostile origins", endpoint.name, hostile_origins(&url).len()),
                ),
                Grant::ReflectedWithCredentials => Finding::fail(
                    &META,
                    subject(),
                    format!("`{}` grants `{origin}` with Access-Control-Allow-Credentials: true: any site can read its users' responses", endpoint.name),
                ),
                Grant::Reflected => Finding::fail(
                    &META,
                    subject(),
                    format!("`{}` reflects the foreign origin `{origin}` in Access-Control-Allow-Origin", endpoint.name),
                )
                .severity(Severity::Medium),
                Grant::Wildcard => Finding::fail(
                    &META,
                    subject(),
                    format!("`{}` needs auth but answers Access-Control-Allow-Origin: *", endpoint.name),
                )
                .severity(Severity::Medium),
            };
            let finding = if granted.is_empty() {
                finding
            } else {
                finding.evidence("origins granted", granted.join(", "))
            };
            findings.push(exchange.attach(finding, "cross-origin"));
        }
        for approved in &self.allowed {
            let request = HttpRequest::get(url.clone()).header("origin", approved.clone());
            let exchange = send(ctx, request, caller).await;
            let ok = exchange
                .response()
                .and_then(|r| r.header("access-control-allow-origin"))
                .is_some_and(|v| v.trim() == approved || v.trim() == "*");
            if !ok && exchange.response().is_some() {
                findings.push(exchange.attach(
                    Finding::fail(
                        &META,
                        subject(),
                        format!("`{}` does not grant the approved origin `{approved}` from [cors]", endpoint.name),
                    )
                    .severity(Severity::Low)
                    .remediation("add the approved origin to the server's CORS allow-list, or remove it from [cors] allowed-origins"),
                    "approved origin",
                ));
            }
        }
        findings
    }
}

fn rank(grant: Grant) -> u8 {
    match grant {
        Grant::Refused => 0,
        Grant::Wildcard => 1,
        Grant::Reflected => 2,
        Grant::ReflectedWithCredentials => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflection_with_credentials_is_the_worst() {
        assert_eq!(
            judge(
                "https://x.example",
                Some("https://x.example"),
                Some("true"),
                true
            ),
            Grant::ReflectedWithCredentials
        );
        assert_eq!(
            judge("null", Some("null"), Some("true"), false),
            Grant::ReflectedWithCredentials
        );
        assert_eq!(
            judge("https://x.example", Some("https://x.example"), None, true),
            Grant::Reflected
        );
    }

    #[test]
    fn wildcards_matter_only_on_authenticated_endpoints() {
        assert_eq!(
            judge("https://x.example", Some("*"), None, true),
            Grant::Wildcard
        );
        assert_eq!(
            judge("https://x.example", Some("*"), None, false),
            Grant::Refused
        );
    }

    #[test]
    fn other_or_missing_origins_are_refusals() {
        assert_eq!(
            judge(
                "https://x.example",
                Some("https://app.acme.test"),
                Some("true"),
                true
            ),
            Grant::Refused
        );
        assert_eq!(judge("https://x.example", None, None, true), Grant::Refused);
    }

    #[test]
    fn hostile_origins_cover_prefix_suffix_null_and_http() {
        let origins = hostile_origins(&url::Url::parse("https://acme.test/api").unwrap());
        assert!(origins.contains(&"null".to_string()));
        assert!(origins.contains(&"https://acme.test.evil.example".to_string()));
        assert!(origins.contains(&"https://evil-acme.test".to_string()));
        assert!(origins.contains(&"http://acme.test".to_string()));
        assert_eq!(origins.len(), 5);
    }
}
