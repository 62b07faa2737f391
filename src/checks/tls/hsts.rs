//! `hsts`: HTTPS responses of every host carry `Strict-Transport-Security` with a max-age of at
//! least 180 days; includeSubDomains and preload readiness are noted.
//!
//! Reference: RFC 6797 (HTTP Strict Transport Security); OWASP ASVS V14.4.5; hstspreload.org
//! submission requirements.

use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::HttpRequest;

use super::per_host;

/// Metadata of the `hsts` check.
pub static META: CheckMeta = CheckMeta {
    id: "hsts",
    title: "HSTS is sent with a long max-age",
    category: Category::Tls,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "Without HSTS a visitor's first request (a typed name, an old http:// link) can be intercepted and downgraded to plain HTTP (SSL stripping) before the redirect to HTTPS happens.",
    breaks: "On hostile networks sessions and credentials can be stolen over plain HTTP, and the site cannot join the browsers' HSTS preload list.",
    remediation: "Send `Strict-Transport-Security: max-age=63072000; includeSubDomains; preload` on every HTTPS response, once every subdomain serves HTTPS.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc6797",
        "https://owasp.org/www-project-application-security-verification-standard/",
        "https://hstspreload.org/",
    ],
};

/// The minimum max-age: 180 days.
pub const MIN_MAX_AGE: u64 = 15_552_000;
/// The max-age the preload list requires: one year.
pub const PRELOAD_MAX_AGE: u64 = 31_536_000;

/// Builds the check: it requests `https://<host>/` for every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(Hsts {
        hosts: target.hosts.clone(),
    }))
}

struct Hsts {
    hosts: Vec<String>,
}

/// A parsed Strict-Transport-Security value (RFC 6797 §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// max-age in seconds, when present and valid.
    pub max_age: Option<u64>,
    /// includeSubDomains is present.
    pub include_subdomains: bool,
    /// preload is present.
    pub preload: bool,
}

/// Parses the header value; directive names are case-insensitive, values may be quoted.
pub fn parse(value: &str) -> Policy {
    let mut policy = Policy {
        max_age: None,
        include_subdomains: false,
        preload: false,
    };
    for directive in value.split(';') {
        let (name, argument) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        match name.to_ascii_lowercase().as_str() {
            "max-age" => policy.max_age = argument.and_then(|a| a.parse().ok()),
            "includesubdomains" => policy.include_subdomains = true,
            "preload" => policy.preload = true,
            _ => {}
        }
    }
    policy
}

#[async_trait::async_trait]
impl Check for Hsts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        per_host(&self.hosts, |host| async move {
            vec![check_host(ctx, &host).await]
        })
        .await
    }
}

async fn check_host(ctx: &Context, host: &str) -> Finding {
    let url = match Url::parse(&format!("https://{host}/")) {
        Ok(url) => url,
        Err(e) => {
            return Finding::error(
                &META,
                Subject::host(host),
                format!("`{host}` does not make a URL: {e}"),
            );
        }
    };
    let subject = Subject::url(url.as_str());
    let response = match ctx.net.http.send(&HttpRequest::get(url.clone())).await {
        Ok(response) => response,
        Err(e) => {
            return Finding::error(
                &META,
                subject,
                format!("cannot read the HSTS header of {url}: {e}"),
            )
            .remediation("make the host answer over HTTPS, then send Strict-Transport-Security");
        }
    };
    let status = response.status.as_u16();
    let Some(value) = response.header("strict-transport-security") else {
        return Finding::fail(
            &META,
            subject,
            format!("{url} answered {status} without Strict-Transport-Security; browsers may still be downgraded to http://{host}"),
        )
        .evidence("status", status.to_string())
        .remediation(format!("send `Strict-Transport-Security: max-age=63072000; includeSubDomains` on every HTTPS response of {host}"));
    };
    let policy = parse(value);
    let header = format!("Strict-Transport-Security: {value}");
    match policy.max_age {
        None | Some(0) => Finding::fail(
            &META,
            subject,
            format!("{url} sends Strict-Transport-Security without a usable max-age (`{value}`), so HSTS is off"),
        )
        .evidence("header", header)
        .remediation("set max-age=63072000 (two years)"),
        Some(age) if age < MIN_MAX_AGE => Finding::fail(
            &META,
            subject,
            format!(
                "{url} sends HSTS max-age={age} ({} days), below the 180 days (15552000 s) required",
                age / 86_400
            ),
        )
        .severity(Severity::Medium)
        .evidence("header", header)
        .remediation("raise max-age to at least 15552000; 63072000 (two years) is the usual value"),
        Some(age) => {
            let mut missing = Vec::new();
            if !policy.include_subdomains {
                missing.push("includeSubDomains");
            }
            if !policy.preload {
                missing.push("preload");
            }
            if age < PRELOAD_MAX_AGE {
                missing.push("max-age of a year or more");
            }
            let readiness = if missing.is_empty() {
                "preload-ready (includeSubDomains, preload, max-age ≥ 1 year)".to_string()
            } else {
                format!("not preload-ready: lacks {}", missing.join(", "))
            };
            Finding::pass(
                &META,
                subject,
                format!("{url} sends HSTS max-age={age} ({} days); {readiness}", age / 86_400),
            )
            .evidence("header", header)
            .evidence("preload readiness", readiness)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_case_insensitively() {
        let policy = parse("max-age=\"63072000\"; IncludeSubDomains ; preload");
        assert_eq!(policy.max_age, Some(63_072_000));
        assert!(policy.include_subdomains && policy.preload);
        let short = parse("max-age=300");
        assert_eq!(short.max_age, Some(300));
        assert!(!short.include_subdomains && !short.preload);
        assert_eq!(parse("includeSubDomains").max_age, None);
        assert_eq!(parse("max-age=soon").max_age, None);
    }
}
