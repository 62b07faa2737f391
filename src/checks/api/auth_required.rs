//! `auth-required`: every endpoint that requires authentication refuses anonymous callers and
//! garbage tokens, after proving that the configured identity's credential is applied at all.
//!
//! Reference: OWASP API Security Top 10 2023, API2 (Broken Authentication) and API5 (Broken
//! Function Level Authorization).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Secret, Target};
use crate::net::HttpRequest;

use super::{Caller, Exchange, method_of, openapi, request_for, sample_url, send};

/// Metadata of the `auth-required` check.
pub static META: CheckMeta = CheckMeta {
    id: "auth-required",
    title: "Protected endpoints refuse anonymous callers",
    category: Category::Api,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "An endpoint that answers without a valid credential is open to the whole internet; scanners and bots find such routes within days of launch.",
    breaks: "Anyone can read (or change) customer data or run admin functions without an account.",
    remediation: "Enforce authentication in one middleware applied to every route by default, with public routes as explicit exceptions; answer 401 for missing or invalid credentials.",
    references: &[
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
        "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
    ],
};

/// A token no server should accept.
const GARBAGE_TOKEN: &str = "Bearer launchready.invalid.token";

/// Builds the check when at least one endpoint requires authentication or an OpenAPI document
/// is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let endpoints: Vec<Endpoint> = target
        .endpoints
        .iter()
        .filter(|e| e.auth == AuthRequirement::Required)
        .cloned()
        .collect();
    if endpoints.is_empty() && target.openapi.is_none() {
        return Err(Skip::because(
            "no [[endpoints]] with auth = \"required\" and no [target] openapi: list the API's protected routes",
        ));
    }
    Ok(Box::new(AuthRequired {
        endpoints,
        openapi: target.openapi.clone(),
        base_url: target.base_url.clone(),
        base_dir: target.base_dir.clone(),
    }))
}

struct AuthRequired {
    endpoints: Vec<Endpoint>,
    openapi: Option<String>,
    base_url: url::Url,
    base_dir: std::path::PathBuf,
}

/// How one unauthenticated answer is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401, 403, another refusing 4xx, or a redirect to a login page.
    Refused,
    /// 2xx: the endpoint served the caller.
    Served,
    /// 5xx: it crashed instead of refusing.
    Crashed,
    /// 404/405 or a redirect elsewhere: the route may be wrong; a person must look.
    Unclear,
}

/// Judges one answer to a request without a valid credential.
pub fn judge(status: u16, location: Option<&str>) -> Refusal {
    match status {
        200..=299 => Refusal::Served,
        300..=399 => {
            let to_login = location.is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                ["login", "signin", "sign-in", "auth", "sso"]
                    .iter()
                    .any(|w| l.contains(w))
            });
            if to_login {
                Refusal::Refused
            } else {
                Refusal::Unclear
            }
        }
        404 | 405 => Refusal::Unclear,
        400..=499 => Refusal::Refused,
        _ => Refusal::Crashed,
    }
}

#[async_trait::async_trait]
impl Check for AuthRequired {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Some(proof) = self.prove_auth_applies(ctx).await {
            findings.push(proof);
        }
        let mut endpoints = self.endpoints.clone();
        if let Some(source) = &self.openapi {
            match openapi::load(ctx, source, &self.base_dir).await {
                Ok(spec) => {
                    let operations = openapi::operations(&spec, &self.base_url);
                    let secured: Vec<Endpoint> = operations
                        .iter()
                        .filter(|o| o.auth == AuthRequirement::Required)
                        .filter(|o| {
                            !endpoints
                                .iter()
                                .any(|e| e.method == o.method && e.url == o.url)
                        })
                        .cloned()
                        .collect();
                    findings.push(Finding::pass(
                        &META,
                        Subject::url(source.clone()),
                        format!(
                            "OpenAPI document lists {} operations; {} require security and are not in [[endpoints]], so they are probed too",
                            operations.len(),
                            secured.len()
                        ),
                    ));
                    endpoints.extend(secured);
                }
                Err(error) => findings.push(
                    Finding::error(
                        &META,
                        Subject::url(source.clone()),
                        format!("cannot import the OpenAPI document: {error}"),
                    )
                    .severity(Severity::Medium),
                ),
            }
        }
        for endpoint in &endpoints {
            if method_of(endpoint) != reqwest::Method::GET && !ctx.active {
                continue;
            }
            findings.extend(self.probe(ctx, endpoint).await);
        }
        findings
    }
}

impl AuthRequired {
    /// The whoami line: an identity's call succeeds and the anonymous one does not.
    async fn prove_auth_applies(&self, ctx: &Context) -> Option<Finding> {
        let endpoint = self.endpoints.iter().find(|e| {
            e.identity.is_some() && method_of(e) == reqwest::Method::GET && e.body.is_none()
        })?;
        let identity = endpoint.identity.as_deref()?;
        let url = sample_url(endpoint)?;
        let subject = Subject::endpoint("GET", url.as_str());
        let authenticated = send(
            ctx,
            HttpRequest::get(url.clone()),
            Caller::Identity(identity),
        )
        .await;
        let anonymous = send(ctx, HttpRequest::get(url), Caller::Anonymous).await;
        let shown = |e: &Exchange| {
            e.status()
                .map_or("no answer".to_string(), |s| s.to_string())
        };
        let line = format!(
            "as {identity}: {}; anonymous: {}",
            shown(&authenticated),
            shown(&anonymous)
        );
        let finding = match (authenticated.status(), anonymous.status()) {
            (Some(a), Some(n)) if (200..300).contains(&a) && !(200..300).contains(&n) => {
                Finding::pass(&META, subject, format!("auth is applied: {line}"))
                    .evidence("whoami", line)
            }
            (Some(a), _) if (200..300).contains(&a) => Finding::inconclusive(
                &META,
                subject,
                format!("cannot prove auth is applied: the anonymous call succeeds too ({line})"),
            )
            .severity(Severity::Medium)
            .evidence("whoami", line),
            _ => Finding::inconclusive(
                &META,
                subject,
                format!("cannot prove auth is applied: the call as {identity} does not succeed ({line})"),
            )
            .severity(Severity::Medium)
            .evidence("whoami", line)
            .remediation("fix the identity's login in [[identities]] so authenticated calls succeed; until then results for protected routes prove little"),
        };
        Some(authenticated.attach(finding, "authenticated"))
    }

    async fn probe(&self, ctx: &Context, endpoint: &Endpoint) -> Vec<Finding> {
        let Some(url) = sample_url(endpoint) else {
            return Vec::new();
        };
        let subject = || Subject::endpoint(endpoint.method.clone(), url.as_str());
        let anonymous = send(ctx, request_for(endpoint, url.clone()), Caller::Anonymous).await;
        let garbage = send(
            ctx,
            request_for(endpoint, url.clone())
                .credential("Authorization", Secret::new(GARBAGE_TOKEN)),
            Caller::Anonymous,
        )
        .await;
        let mut findings = Vec::new();
        let mut refused = Vec::new();
        for (who, exchange) in [("anonymous", &anonymous), ("garbage token", &garbage)] {
            let Some(response) = exchange.response() else {
                findings.push(
                    exchange.attach(
                        Finding::error(
                            &META,
                            subject(),
                            format!("{} got no answer for the {who} call", endpoint.name),
                        )
                        .severity(Severity::Medium),
                        who,
                    ),
                );
                continue;
            };
            let status = response.status.as_u16();
            let finding = match judge(status, response.header("location")) {
                Refusal::Refused => {
                    refused.push(format!("{who}: {status}"));
                    continue;
                }
                Refusal::Served => Finding::fail(
                    &META,
                    subject(),
                    format!(
                        "`{}` requires auth but served the {who} call with {status} ({} bytes)",
                        endpoint.name,
                        response.body.len()
                    ),
                )
                .remediation("put this route behind the authentication middleware and answer 401 without a valid credential"),
                Refusal::Crashed => Finding::fail(
                    &META,
                    subject(),
                    format!("`{}` answered the {who} call with {status} instead of 401/403", endpoint.name),
                )
                .severity(Severity::Medium)
                .remediation("check credentials before doing work, and answer 401 when they are missing or invalid"),
                Refusal::Unclear => Finding::inconclusive(
                    &META,
                    subject(),
                    format!("`{}` answered the {who} call with {status}: neither served nor refused", endpoint.name),
                )
                .severity(Severity::Medium)
                .remediation("check the endpoint's path in the config; a protected route should answer 401 or 403"),
            };
            findings.push(exchange.attach(finding, who));
        }
        if findings.is_empty() {
            findings.push(anonymous.attach(
                Finding::pass(
                    &META,
                    subject(),
                    format!(
                        "`{}` refuses callers without a valid credential ({})",
                        endpoint.name,
                        refused.join(", ")
                    ),
                ),
                "anonymous",
            ));
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_serves_crashes_and_unclear_answers() {
        assert_eq!(judge(401, None), Refusal::Refused);
        assert_eq!(judge(403, None), Refusal::Refused);
        assert_eq!(judge(302, Some("/login?next=/api")), Refusal::Refused);
        assert_eq!(judge(302, Some("/home")), Refusal::Unclear);
        assert_eq!(judge(200, None), Refusal::Served);
        assert_eq!(judge(204, None), Refusal::Served);
        assert_eq!(judge(500, None), Refusal::Crashed);
        assert_eq!(judge(404, None), Refusal::Unclear);
    }
}
