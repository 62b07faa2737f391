//! `auth-required`: every endpoint that requires authentication refuses anonymous callers and
//! garbage tokens, after proving that the configured identity's credential is applied at all.
//!
//! Reference: OWASP API Security Top 10 2023, API2 (Broken Authentication) and API5 (Broken
//! Function Level Authorization).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Target};
use crate::net::HttpRequest;

use super::{
    Caller, Exchange, GARBAGE_TOKEN, is_write, method_of, not_probed, nothing_probed, openapi,
    request_for, sample_url, send, with_forged_credential, write_refusal,
};

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

/// Builds the check when at least one endpoint requires authentication and can be probed, or an
/// OpenAPI document is configured.
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
    let ever_probed = |e: &Endpoint| !is_write(e) || (e.disposable && target.write_probes);
    if target.openapi.is_none() && !endpoints.iter().any(ever_probed) {
        return Err(Skip::because(
            "every protected endpoint is a write that is never sent (writes need disposable = true, [target] write-probes = true and --active): list a protected GET route",
        ));
    }
    Ok(Box::new(AuthRequired {
        endpoints,
        openapi: target.openapi.clone(),
        base_url: target.base_url.clone(),
        base_dir: target.base_dir.clone(),
        write_probes: target.write_probes,
        any_identity: target.identities.first().map(|i| i.name.clone()),
    }))
}

struct AuthRequired {
    endpoints: Vec<Endpoint>,
    openapi: Option<String>,
    base_url: url::Url,
    base_dir: std::path::PathBuf,
    write_probes: bool,
    /// Whose credential form (header or cookie) the garbage token takes on endpoints without an
    /// identity of their own.
    any_identity: Option<String>,
}

/// How one unauthenticated answer is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401, 403, or a redirect to a login page.
    Refused,
    /// 2xx: the endpoint served the caller.
    Served,
    /// 5xx: it crashed instead of refusing.
    Crashed,
    /// Any other 4xx (400 from validation before auth, 404/405, 429) or a redirect elsewhere:
    /// the route may be wrong or the answer unrelated to auth; a person must look.
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
        401 | 403 => Refusal::Refused,
        500..=599 => Refusal::Crashed,
        _ => Refusal::Unclear,
    }
}

/// Whether the whoami proof showed that credentials decide the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Proof {
    /// An identity's call succeeded and the anonymous one did not.
    Proven,
    /// Refusals prove little: the reason says why.
    Missing(String),
}

#[async_trait::async_trait]
impl Check for AuthRequired {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let (proof, proof_finding) = self.prove_auth_applies(ctx).await;
        findings.push(proof_finding);
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
        let mut probed = 0;
        for endpoint in &endpoints {
            if let Some(reason) = write_refusal(endpoint, ctx.active, self.write_probes) {
                findings.push(not_probed(&META, endpoint, &reason));
                continue;
            }
            probed += 1;
            findings.extend(self.probe(ctx, endpoint, &proof).await);
        }
        if probed == 0 {
            findings.push(nothing_probed(
                &META,
                "every protected endpoint is a write that was held back",
            ));
        }
        findings
    }
}

impl AuthRequired {
    /// The whoami line: an identity's call succeeds and the anonymous one does not. Without it a
    /// refusal may come from a wrong route or a gateway that refuses everything.
    async fn prove_auth_applies(&self, ctx: &Context) -> (Proof, Finding) {
        let candidate = self.endpoints.iter().find(|e| {
            e.identity.is_some() && method_of(e) == reqwest::Method::GET && e.body.is_none()
        });
        let (Some(endpoint), Some(url)) = (candidate, candidate.and_then(sample_url)) else {
            let reason = "no protected GET endpoint with an `identity` to prove that credentials are applied (a whoami route such as /api/me)".to_string();
            return (
                Proof::Missing(reason.clone()),
                Finding::inconclusive(&META, Subject::Target, format!("cannot prove auth is applied: {reason}"))
                    .severity(Severity::Medium)
                    .remediation("add a protected GET [[endpoints]] entry with `identity` set, so an authenticated call can be compared with an anonymous one"),
            );
        };
        let identity = endpoint.identity.as_deref().unwrap_or_default();
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
        let ok = |status: Option<u16>| status.is_some_and(|s| (200..300).contains(&s));
        let (proof, finding) = if ok(authenticated.status())
            && anonymous.status().is_some()
            && !ok(anonymous.status())
        {
            (
                Proof::Proven,
                Finding::pass(&META, subject, format!("auth is applied: {line}"))
                    .evidence("whoami", line),
            )
        } else {
            let (reason, fix) = if ok(authenticated.status()) {
                (
                    format!("the anonymous call does not show a refusal ({line})"),
                    None,
                )
            } else {
                (
                    format!("the call as {identity} does not succeed ({line})"),
                    Some(
                        "fix the identity's login in [[identities]] so authenticated calls succeed; until then refusals of protected routes prove little",
                    ),
                )
            };
            let mut finding = Finding::inconclusive(
                &META,
                subject,
                format!("cannot prove auth is applied: {reason}"),
            )
            .severity(Severity::Medium)
            .evidence("whoami", line);
            if let Some(fix) = fix {
                finding = finding.remediation(fix);
            }
            (Proof::Missing(reason), finding)
        };
        (proof, authenticated.attach(finding, "authenticated"))
    }

    async fn probe(&self, ctx: &Context, endpoint: &Endpoint, proof: &Proof) -> Vec<Finding> {
        let Some(url) = sample_url(endpoint) else {
            return vec![
                Finding::error(
                    &META,
                    Subject::endpoint(endpoint.method.clone(), endpoint.url.clone()),
                    format!("`{}`: `{}` is not a URL", endpoint.name, endpoint.url),
                )
                .severity(Severity::Medium),
            ];
        };
        let subject = || Subject::endpoint(endpoint.method.clone(), url.as_str());
        let anonymous = send(ctx, request_for(endpoint, url.clone()), Caller::Anonymous).await;
        let forger = endpoint
            .identity
            .as_deref()
            .or(self.any_identity.as_deref());
        let garbage = send(
            ctx,
            with_forged_credential(
                ctx,
                forger,
                GARBAGE_TOKEN,
                request_for(endpoint, url.clone()),
            ),
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
                    format!("`{}` answered the {who} call with {status}: neither served nor refused with 401/403", endpoint.name),
                )
                .severity(Severity::Medium)
                .remediation("check the endpoint's path and body in the config; a protected route should answer 401 or 403 before validating input or counting requests"),
            };
            findings.push(exchange.attach(finding, who));
        }
        if findings.is_empty() {
            let refusals = format!(
                "`{}` refuses callers without a valid credential ({})",
                endpoint.name,
                refused.join(", ")
            );
            let finding = match proof {
                Proof::Proven => Finding::pass(&META, subject(), refusals),
                Proof::Missing(reason) => Finding::inconclusive(
                    &META,
                    subject(),
                    format!("{refusals}, but that proves little: {reason}"),
                )
                .severity(Severity::Medium),
            };
            findings.push(anonymous.attach(finding, "anonymous"));
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

    #[test]
    fn only_401_403_and_login_redirects_are_refusals() {
        for status in [400, 405, 409, 422, 429] {
            assert_eq!(judge(status, None), Refusal::Unclear, "{status}");
        }
        assert_eq!(judge(101, None), Refusal::Unclear);
    }
}
