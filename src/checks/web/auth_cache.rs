//! `auth-cache`: answers to authenticated requests carry `Cache-Control: no-store` or `private`, so
//! no shared cache (CDN, proxy) stores one user's data and serves it to another.
//!
//! Reference: RFC 9111 §5.2.2.3 (no-store) and §5.2.2.7 (private); OWASP ASVS V8.2.1; OWASP WSTG
//! ATHN-06 (browser cache weaknesses).

use std::collections::BTreeSet;

use reqwest::Method;
use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Target};
use crate::net::{HttpRequest, HttpResponse};

/// Metadata of the `auth-cache` check.
pub static META: CheckMeta = CheckMeta {
    id: "auth-cache",
    title: "Authenticated answers are not cacheable by shared caches",
    category: Category::Web,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "A CDN or proxy that caches an authenticated answer serves it to the next visitor of the same URL: one user's invoices, profile or tokens shown to another.",
    breaks: "Personal data leaks across accounts as soon as a cache is put in front of the API, often silently and only under load.",
    remediation: "Send `Cache-Control: no-store` (or at least `private`) on every response to an authenticated request; set it in the auth middleware so new routes inherit it.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.3",
        "https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/04-Authentication_Testing/06-Testing_for_Browser_Cache_Weaknesses",
    ],
};

/// An authenticated GET to judge.
#[derive(Debug, Clone)]
struct Probe {
    name: String,
    url: Url,
    identity: String,
}

/// Builds the check from `[[endpoints]]` with `auth = "required"`, an identity and a GET method.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let probes: Vec<Probe> = target.endpoints.iter().filter_map(probe).collect();
    if probes.is_empty() {
        return Err(Skip::because(
            "no authenticated GET endpoint: add [[endpoints]] with auth = \"required\", an identity and sample ids",
        ));
    }
    Ok(Box::new(AuthCache { probes }))
}

/// The request for an endpoint: its `{param}` placeholders filled with its first sample id.
fn probe(endpoint: &Endpoint) -> Option<Probe> {
    if endpoint.auth != AuthRequirement::Required || !endpoint.method.eq_ignore_ascii_case("GET") {
        return None;
    }
    let identity = endpoint.identity.clone()?;
    let url = fill(&endpoint.url, endpoint.ids.first().map(String::as_str))?;
    Some(Probe {
        name: endpoint.name.clone(),
        url: Url::parse(&url).ok()?,
        identity,
    })
}

/// `template` with every `{param}` replaced by `id`; `None` when a placeholder has no value.
fn fill(template: &str, id: Option<&str>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')?;
        out.push_str(&rest[..start]);
        out.push_str(id?);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

struct AuthCache {
    probes: Vec<Probe>,
}

#[async_trait::async_trait]
impl Check for AuthCache {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for probe in &self.probes {
            let subject = Subject::endpoint("GET", probe.url.as_str());
            let request = HttpRequest::new(Method::GET, probe.url.clone());
            match ctx
                .net
                .sessions
                .send_as(&ctx.net.http, &probe.identity, &request)
                .await
            {
                Ok(response) => findings.push(judge(probe, &response)),
                Err(e) => findings.push(
                    Finding::error(
                        &META,
                        subject,
                        format!("cannot send {} as `{}`: {e}", probe.name, probe.identity),
                    )
                    .remediation("fix the identity's login or the endpoint, then run again"),
                ),
            }
        }
        findings
    }
}

/// The lowercase directive names of every Cache-Control header.
fn directives(response: &HttpResponse) -> BTreeSet<String> {
    response
        .header_all("cache-control")
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|d| {
            let name = d.split('=').next()?.trim().to_ascii_lowercase();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn judge(probe: &Probe, response: &HttpResponse) -> Finding {
    let subject = Subject::endpoint("GET", probe.url.as_str());
    let status = response.status.as_u16();
    let seen = {
        let values = response.header_all("cache-control");
        if values.is_empty() {
            "absent".to_string()
        } else {
            values.join(", ")
        }
    };
    if matches!(status, 401 | 403) {
        return Finding::error(
            &META,
            subject,
            format!(
                "{} refused `{}` with {status}: no authenticated answer to judge",
                probe.name, probe.identity
            ),
        )
        .remediation("check the identity's credentials and the endpoint's sample ids");
    }
    if !response.status.is_success() {
        return Finding::inconclusive(
            &META,
            subject,
            format!(
                "{} answered {status} as `{}`: no authenticated answer to judge",
                probe.name, probe.identity
            ),
        )
        .evidence("Cache-Control", seen);
    }
    let directives = directives(response);
    if directives.contains("no-store") || directives.contains("private") {
        return Finding::pass(
            &META,
            subject,
            format!(
                "{} answers `{}` with Cache-Control: {seen}",
                probe.name, probe.identity
            ),
        )
        .evidence("Cache-Control", seen);
    }
    let why = if directives.contains("public") {
        "marks it public, so any shared cache may store it"
    } else if directives.is_empty() {
        "has no Cache-Control, so a shared cache may store it heuristically"
    } else {
        "lacks no-store and private, so a shared cache may store it"
    };
    Finding::fail(
        &META,
        subject,
        format!("the authenticated {status} answer of {} to `{}` {why}", probe.name, probe.identity),
    )
    .evidence("Cache-Control", seen)
    .remediation(format!(
        "send `Cache-Control: no-store` on {} (and every authenticated route) from the auth middleware",
        probe.url.path()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::checks::domain::testing::response;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn probe() -> Probe {
        Probe {
            name: "me".into(),
            url: Url::parse("https://a.test/api/me").unwrap(),
            identity: "alice".into(),
        }
    }

    fn with_cache_control(status: u16, value: Option<&'static str>) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(v) = value {
            headers.insert("cache-control", HeaderValue::from_static(v));
        }
        response("https://a.test/api/me", status, headers)
    }

    #[test]
    fn missing_or_public_cache_control_fails_and_private_or_no_store_passes() {
        assert_eq!(
            judge(&probe(), &with_cache_control(200, None)).status,
            Status::Fail
        );
        assert_eq!(
            judge(
                &probe(),
                &with_cache_control(200, Some("public, max-age=600"))
            )
            .status,
            Status::Fail
        );
        assert_eq!(
            judge(
                &probe(),
                &with_cache_control(200, Some("max-age=0, must-revalidate"))
            )
            .status,
            Status::Fail
        );
        assert_eq!(
            judge(
                &probe(),
                &with_cache_control(200, Some("private, max-age=60"))
            )
            .status,
            Status::Pass
        );
        assert_eq!(
            judge(&probe(), &with_cache_control(200, Some("No-Store"))).status,
            Status::Pass
        );
        assert_eq!(
            judge(&probe(), &with_cache_control(401, None)).status,
            Status::Error
        );
    }

    #[test]
    fn placeholders_take_the_first_sample_id_or_the_endpoint_is_left_out() {
        assert_eq!(
            fill("https://a.test/inv/{id}", Some("7")).as_deref(),
            Some("https://a.test/inv/7")
        );
        assert_eq!(fill("https://a.test/inv/{id}", None), None);
        assert_eq!(
            fill("https://a.test/me", None).as_deref(),
            Some("https://a.test/me")
        );
    }
}
