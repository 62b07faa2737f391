//! `security-headers`: HTTPS pages send a Content-Security-Policy whose script-src allows neither
//! `unsafe-inline` nor `unsafe-eval`, `X-Content-Type-Options: nosniff`, framing protection
//! (CSP `frame-ancestors` or `X-Frame-Options`) and a `Referrer-Policy`. Answers that are not
//! documents (JSON, images) need only nosniff.
//!
//! Reference: OWASP Secure Headers Project; OWASP ASVS V14.4; Mozilla Observatory scoring (CSP
//! missing −25, X-Frame-Options missing −20, X-Content-Type-Options missing −5).

use super::{Page, Responses, home_pages};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip};
use crate::config::Target;

/// Metadata of the `security-headers` check.
pub static META: CheckMeta = CheckMeta {
    id: "security-headers",
    title: "Pages send CSP, nosniff, framing and referrer headers",
    category: Category::Web,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "These headers are the browser-side seatbelts: CSP limits what an injected script can do, framing protection stops clickjacking, nosniff stops content-type confusion, and a referrer policy keeps URLs with tokens from leaking to third parties.",
    breaks: "A single XSS bug becomes full account takeover, pages can be framed for clickjacking, and private URLs leak in Referer headers.",
    remediation: "Send on every HTML response: Content-Security-Policy (script-src without 'unsafe-inline'/'unsafe-eval', frame-ancestors 'none' or 'self'), X-Content-Type-Options: nosniff, Referrer-Policy: strict-origin-when-cross-origin; set them once in a middleware or at the CDN.",
    references: &[
        "https://owasp.org/www-project-secure-headers/",
        "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring",
        "https://www.w3.org/TR/CSP3/",
    ],
};

/// Builds the check; it reads `https://host/` of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(SecurityHeaders {
        hosts: target.hosts.clone(),
    }))
}

struct SecurityHeaders {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for SecurityHeaders {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let (pages, mut findings) = home_pages(ctx, &META, &self.hosts, Responses::Final).await;
        for page in &pages {
            findings.extend(judge(page));
        }
        findings
    }
}

/// The directives of a CSP header: name (lowercase) and its source list.
fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            let name = parts.next()?.to_ascii_lowercase();
            Some((name, parts.map(|p| p.to_ascii_lowercase()).collect()))
        })
        .collect()
}

/// What is wrong with a CSP's script policy, if anything.
fn weak_script_policy(csp: &str) -> Option<String> {
    let directives = directives(csp);
    let find = |name: &str| directives.iter().find(|(n, _)| n == name);
    let Some((name, sources)) = find("script-src").or_else(|| find("default-src")) else {
        return Some("neither script-src nor default-src is set, so any script may run".into());
    };
    let has_nonce_or_hash = sources
        .iter()
        .any(|s| s.starts_with("'nonce-") || s.starts_with("'sha"));
    let mut bad = Vec::new();
    if sources.iter().any(|s| s == "'unsafe-inline'") && !has_nonce_or_hash {
        bad.push("'unsafe-inline'");
    }
    if sources.iter().any(|s| s == "'unsafe-eval'") {
        bad.push("'unsafe-eval'");
    }
    (!bad.is_empty()).then(|| format!("{name} allows {}", bad.join(" and ")))
}

fn judge(page: &Page) -> Vec<Finding> {
    let response = &page.response;
    let url = response.url.as_str();
    let fail = |severity: Severity, message: String, fix: &str| {
        Finding::fail(&META, page.subject(), message)
            .severity(severity)
            .evidence("route", page.route.clone())
            .remediation(fix.to_string())
    };
    let mut findings = Vec::new();
    let mut observatory = 0i32;
    let csp = response.header_all("content-security-policy").join(", ");
    // CSP, framing and referrer rules protect documents; an API's JSON needs only nosniff.
    let content_type = response.header("content-type").unwrap_or_default();
    let document = content_type.is_empty() || content_type.to_ascii_lowercase().contains("html");
    match (document, csp.trim()) {
        (false, _) => {}
        (true, "") => {
            observatory -= 25;
            findings.push(fail(
                Severity::Medium,
                format!("{url} sends no Content-Security-Policy"),
                "add `Content-Security-Policy: default-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'` and widen it only for sources you use",
            ));
        }
        (true, policy) => {
            if let Some(weakness) = weak_script_policy(policy) {
                observatory -= 20;
                findings.push(
                    fail(
                        Severity::Medium,
                        format!("{url}'s Content-Security-Policy is weak: {weakness}"),
                        "remove 'unsafe-inline' and 'unsafe-eval' from script-src; move inline scripts to files or give them nonces",
                    )
                    .evidence("Content-Security-Policy", policy),
                );
            }
        }
    }
    let nosniff = response
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"));
    if !nosniff {
        observatory -= 5;
        let seen = response
            .header("x-content-type-options")
            .unwrap_or("absent");
        findings.push(
            fail(
                Severity::Low,
                format!("{url} does not send X-Content-Type-Options: nosniff"),
                "add `X-Content-Type-Options: nosniff` to every response",
            )
            .evidence("X-Content-Type-Options", seen),
        );
    }
    let frame_ancestors = directives(&csp).iter().any(|(n, _)| n == "frame-ancestors");
    let xfo = response
        .header("x-frame-options")
        .map(|v| v.trim().to_ascii_uppercase());
    let xfo_ok = matches!(xfo.as_deref(), Some("DENY" | "SAMEORIGIN"));
    if document && !frame_ancestors && !xfo_ok {
        observatory -= 20;
        findings.push(
            fail(
                Severity::Medium,
                format!("{url} can be framed by any site: no CSP frame-ancestors and no valid X-Frame-Options"),
                "add `frame-ancestors 'none'` (or 'self') to the CSP, or `X-Frame-Options: DENY`",
            )
            .evidence("X-Frame-Options", xfo.unwrap_or_else(|| "absent".into())),
        );
    }
    let referrer = response
        .header("referrer-policy")
        .map(|v| v.trim().to_ascii_lowercase());
    match referrer.as_deref() {
        _ if !document => {}
        None | Some("") => findings.push(fail(
            Severity::Low,
            format!("{url} sends no Referrer-Policy"),
            "add `Referrer-Policy: strict-origin-when-cross-origin` (or no-referrer)",
        )),
        Some(policy @ ("unsafe-url" | "no-referrer-when-downgrade")) => findings.push(
            fail(
                Severity::Low,
                format!("{url}'s Referrer-Policy `{policy}` sends full URLs to other sites"),
                "use `Referrer-Policy: strict-origin-when-cross-origin` (or no-referrer)",
            )
            .evidence("Referrer-Policy", policy),
        ),
        Some(_) => {}
    }
    if findings.is_empty() && !document {
        findings.push(
            Finding::pass(
                &META,
                page.subject(),
                format!("{url} is not a document ({content_type}) and sends nosniff"),
            )
            .evidence("route", page.route.clone()),
        );
    } else if findings.is_empty() {
        findings.push(
            Finding::pass(
                &META,
                page.subject(),
                format!(
                    "{url} sends a strict CSP, nosniff, framing protection and a Referrer-Policy"
                ),
            )
            .evidence("Content-Security-Policy", csp)
            .evidence("route", page.route.clone()),
        );
    } else {
        for f in &mut findings {
            f.evidence.push(crate::check::Evidence::new(
                "Observatory-style modifier for this page",
                observatory.to_string(),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::checks::domain::testing::response;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn page(headers: &[(&'static str, &'static str)]) -> Page {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        Page {
            route: "https://a.test/ → 200".into(),
            response: response("https://a.test/", 200, map),
        }
    }

    #[test]
    fn a_bare_page_fails_every_rule_with_the_observatory_total() {
        let findings = judge(&page(&[]));
        assert_eq!(findings.len(), 4);
        assert!(findings.iter().all(|f| f.status == Status::Fail));
        assert!(findings[0].evidence.iter().any(|e| e.value == "-50"));
    }

    #[test]
    fn unsafe_inline_is_weak_unless_a_nonce_overrides_it() {
        assert!(
            weak_script_policy("default-src 'self'; script-src 'self' 'unsafe-inline'").is_some()
        );
        assert!(weak_script_policy("script-src 'self' 'unsafe-inline' 'nonce-abc'").is_none());
        assert!(weak_script_policy("default-src 'self' 'unsafe-eval'").is_some());
        assert!(weak_script_policy("img-src *").is_some());
    }

    #[test]
    fn json_answers_need_only_nosniff() {
        let findings = judge(&page(&[("content-type", "application/json")]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Low);
        assert!(findings[0].message.contains("nosniff"));
        let findings = judge(&page(&[
            ("content-type", "application/json"),
            ("x-content-type-options", "nosniff"),
        ]));
        assert_eq!(findings[0].status, Status::Pass);
    }

    #[test]
    fn a_hardened_page_passes() {
        let findings = judge(&page(&[
            (
                "content-security-policy",
                "default-src 'self'; frame-ancestors 'none'",
            ),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
        ]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Pass);
    }
}
