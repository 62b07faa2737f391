//! `cookie-flags`: session cookies set by the site's pages carry `Secure` and `HttpOnly` and a
//! `SameSite` of `Lax` or `Strict`; other cookies on HTTPS pages carry `Secure`.
//!
//! Reference: RFC 6265 §4.1.2.5–6 (Secure, HttpOnly); RFC 6265bis §4.1.2.7 (SameSite); OWASP ASVS
//! V3.4 (cookie-based session management).

use regex::Regex;
use std::sync::LazyLock;

use super::{Page, Responses, home_pages};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;

/// Metadata of the `cookie-flags` check.
pub static META: CheckMeta = CheckMeta {
    id: "cookie-flags",
    title: "Session cookies are Secure, HttpOnly and SameSite",
    category: Category::Web,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "The session cookie is the login: without Secure it travels over plain HTTP, without HttpOnly any injected script can read it, and without SameSite other sites can ride it (CSRF).",
    breaks: "Sessions are stolen from public Wi-Fi or through one XSS bug, and cross-site forms act as the logged-in user.",
    remediation: "Set session cookies with `Secure; HttpOnly; SameSite=Lax` (or Strict) and a Path; in most frameworks this is one session-config switch.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
        "https://datatracker.ietf.org/doc/draft-ietf-httpbis-rfc6265bis/",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Cookie names that carry a session or a credential.
static SESSION_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)sess|sid\b|^sid|auth|token|jwt|login|remember|connect\.sid|^_?identity")
        .expect("a valid pattern")
});

/// Builds the check; it reads `https://host/` of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(CookieFlags {
        hosts: target.hosts.clone(),
    }))
}

struct CookieFlags {
    hosts: Vec<String>,
}

/// The parts of a `Set-Cookie` header this check judges.
#[derive(Debug, PartialEq, Eq)]
struct Cookie {
    name: String,
    secure: bool,
    http_only: bool,
    same_site: Option<String>,
    /// The attributes as sent (the value is left out: it may be a credential).
    attributes: String,
}

fn parse(header: &str) -> Option<Cookie> {
    let mut parts = header.split(';');
    let (name, _value) = parts.next()?.split_once('=')?;
    let name = name.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let mut cookie = Cookie {
        name,
        secure: false,
        http_only: false,
        same_site: None,
        attributes: String::new(),
    };
    let mut shown = Vec::new();
    for attribute in parts {
        let attribute = attribute.trim();
        if attribute.is_empty() {
            continue;
        }
        shown.push(attribute.to_string());
        let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
        match key.trim().to_ascii_lowercase().as_str() {
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            "samesite" => cookie.same_site = Some(value.trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    cookie.attributes = if shown.is_empty() {
        "(none)".into()
    } else {
        shown.join("; ")
    };
    Some(cookie)
}

#[async_trait::async_trait]
impl Check for CookieFlags {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let (pages, mut findings) = home_pages(ctx, &META, &self.hosts, Responses::Every).await;
        let mut seen_any = false;
        for page in &pages {
            let page_findings = judge(page);
            seen_any |= !page_findings.is_empty();
            findings.extend(page_findings);
        }
        if !seen_any && !pages.is_empty() {
            let urls: Vec<&str> = pages.iter().map(|p| p.response.url.as_str()).collect();
            findings.push(
                Finding::pass(
                    &META,
                    Subject::url(urls[0]),
                    "no page fetched sets a cookie",
                )
                .evidence("pages", urls.join(", ")),
            );
        }
        findings
    }
}

fn judge(page: &Page) -> Vec<Finding> {
    let url = page.response.url.as_str();
    let mut findings = Vec::new();
    for header in page.response.header_all("set-cookie") {
        let Some(cookie) = parse(&header) else {
            continue;
        };
        let session = SESSION_NAME.is_match(&cookie.name);
        let name = &cookie.name;
        let mut problems: Vec<(Severity, String)> = Vec::new();
        if !cookie.secure {
            let severity = if session {
                Severity::High
            } else {
                Severity::Low
            };
            problems.push((
                severity,
                "no Secure: it is also sent over plain HTTP".into(),
            ));
        }
        if session && !cookie.http_only {
            problems.push((
                Severity::High,
                "no HttpOnly: any script on the page can read it".into(),
            ));
        }
        if session {
            match cookie.same_site.as_deref() {
                Some("lax" | "strict") => {}
                Some(other) => problems.push((
                    Severity::Medium,
                    format!("SameSite={other}: other sites' requests carry it (CSRF)"),
                )),
                None => problems.push((
                    Severity::Medium,
                    "no SameSite: browsers that default to None send it cross-site (CSRF)".into(),
                )),
            }
        }
        let kind = if session { "session cookie" } else { "cookie" };
        let evidence = format!("{name}=…; {}", cookie.attributes);
        if problems.is_empty() {
            findings.push(
                Finding::pass(
                    &META,
                    Subject::url(url),
                    format!("{kind} `{name}` on {url} is {}", flags(&cookie)),
                )
                .evidence("Set-Cookie", evidence),
            );
            continue;
        }
        for (severity, problem) in problems {
            findings.push(
                Finding::fail(
                    &META,
                    Subject::url(url),
                    format!("{kind} `{name}` set by {url} has {problem}"),
                )
                .severity(severity)
                .evidence("Set-Cookie", evidence.clone())
                .remediation(format!(
                    "set `{name}` with `Secure; HttpOnly; SameSite=Lax` in the session middleware"
                )),
            );
        }
    }
    findings
}

fn flags(cookie: &Cookie) -> String {
    let mut out = Vec::new();
    if cookie.secure {
        out.push("Secure".to_string());
    }
    if cookie.http_only {
        out.push("HttpOnly".to_string());
    }
    if let Some(s) = &cookie.same_site {
        out.push(format!("SameSite={s}"));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::checks::domain::testing::response;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn page(cookies: &[&'static str]) -> Page {
        let mut map = HeaderMap::new();
        for c in cookies {
            map.append("set-cookie", HeaderValue::from_static(c));
        }
        Page {
            route: "https://a.test/ → 200".into(),
            response: response("https://a.test/", 200, map),
        }
    }

    #[test]
    fn a_bare_session_cookie_fails_three_rules_without_showing_its_value() {
        let findings = judge(&page(&["session=s3cr3t-value-123; Path=/"]));
        let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(
            severities,
            [Severity::High, Severity::High, Severity::Medium]
        );
        assert!(findings.iter().all(|f| f.status == Status::Fail));
        assert!(!format!("{findings:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_flagged_session_cookie_passes_and_a_preference_cookie_needs_only_secure() {
        let findings = judge(&page(&[
            "__Host-session=x; Path=/; Secure; HttpOnly; SameSite=Lax",
            "theme=dark; Path=/; Secure",
        ]));
        assert!(
            findings.iter().all(|f| f.status == Status::Pass),
            "{findings:?}"
        );
        let findings = judge(&page(&["theme=dark"]));
        assert_eq!(findings[0].severity, Severity::Low);
    }

    #[test]
    fn samesite_none_on_a_session_cookie_is_medium() {
        let findings = judge(&page(&["sid=x; Secure; HttpOnly; SameSite=None"]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Medium);
    }
}
