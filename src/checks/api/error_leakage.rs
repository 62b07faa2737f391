//! `error-leakage`: API answers, including error answers to an odd id and an unknown route, carry
//! no stack traces, framework debug pages, SQL errors or interactive debuggers.
//!
//! Reference: OWASP API Security Top 10 2023, API8 (Security Misconfiguration); OWASP WSTG-ERRH-01
//! and WSTG-ERRH-02 (improper error handling, stack traces); CWE-209.

use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Endpoint, Target};
use crate::detect::{self, LeakKind};
use crate::net::HttpRequest;

use super::{Caller, Exchange, fill, has_params, method_of, random_token, sample_url, send};

/// Metadata of the `error-leakage` check.
pub static META: CheckMeta = CheckMeta {
    id: "error-leakage",
    title: "Errors reveal no stack traces or SQL",
    category: Category::Api,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "Stack traces and SQL errors map the code, its libraries and its queries for an attacker, and an interactive debugger is remote code execution.",
    breaks: "Attackers learn file paths, versions and query shapes that turn a guess into an exploit; a debugger console gives them a shell.",
    remediation: "Install one error handler that logs details server-side and answers a generic JSON error with a request id; turn debug mode off in production.",
    references: &[
        "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/08-Testing_for_Error_Handling/",
        "https://cwe.mitre.org/data/definitions/209.html",
    ],
};

/// A value that breaks hand-built SQL and naive parsers, used as an object id.
const ODD_ID: &str = "1'\"";

/// Builds the check for the configured GET endpoints and the base URL.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let endpoints: Vec<Endpoint> = target
        .endpoints
        .iter()
        .filter(|e| method_of(e) == reqwest::Method::GET)
        .cloned()
        .collect();
    Ok(Box::new(ErrorLeakage {
        endpoints,
        base: target.base_url.clone(),
    }))
}

struct ErrorLeakage {
    endpoints: Vec<Endpoint>,
    base: Url,
}

/// The severity of a leak, per CHECKS.md: interactive debuggers are critical, versions low.
pub fn severity_of(kind: LeakKind) -> Severity {
    match kind {
        LeakKind::InteractiveDebugger => Severity::Critical,
        LeakKind::StackTrace | LeakKind::SqlError | LeakKind::Environment => Severity::Medium,
        LeakKind::Version => Severity::Low,
    }
}

#[async_trait::async_trait]
impl Check for ErrorLeakage {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut exchanges: Vec<Exchange> = Vec::new();
        if let Ok(url) = self
            .base
            .join(&format!("/launchready-missing-{}", random_token()))
        {
            exchanges.push(send(ctx, HttpRequest::get(url), Caller::Anonymous).await);
        }
        for endpoint in &self.endpoints {
            let caller = match &endpoint.identity {
                Some(name) => Caller::Identity(name),
                None => Caller::Anonymous,
            };
            if let Some(url) = sample_url(endpoint) {
                exchanges.push(send(ctx, HttpRequest::get(url.clone()), caller).await);
                if caller != Caller::Anonymous {
                    exchanges.push(send(ctx, HttpRequest::get(url), Caller::Anonymous).await);
                }
            }
            if has_params(&endpoint.url)
                && let Ok(url) = Url::parse(&fill(&endpoint.url, ODD_ID))
            {
                exchanges.push(send(ctx, HttpRequest::get(url), caller).await);
            }
        }
        let mut findings = Vec::new();
        let mut answered = 0;
        for exchange in &exchanges {
            let Some(response) = exchange.response() else {
                continue;
            };
            answered += 1;
            for leak in detect::leaks(&response.text()) {
                findings.push(
                    Finding::fail(
                        &META,
                        Subject::endpoint("GET", response.url.as_str()),
                        format!(
                            "the {} answer reveals {} ({})",
                            response.status.as_u16(),
                            leak.kind.describe(),
                            leak.pattern
                        ),
                    )
                    .severity(severity_of(leak.kind))
                    .evidence("request", exchange.curl.clone())
                    .evidence("status", response.status.as_u16().to_string())
                    .evidence("excerpt", leak.excerpt),
                );
            }
        }
        if findings.is_empty() {
            let subject = Subject::url(self.base.as_str());
            findings.push(if answered == 0 {
                Finding::error(&META, subject, "no request got an answer; nothing to judge")
                    .severity(Severity::Medium)
            } else {
                Finding::pass(
                    &META,
                    subject,
                    format!("none of {answered} answers (normal, anonymous, odd id, unknown route) reveals a stack trace, debug page or SQL error"),
                )
            });
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debuggers_are_critical_traces_medium_versions_low() {
        assert_eq!(
            severity_of(LeakKind::InteractiveDebugger),
            Severity::Critical
        );
        assert_eq!(severity_of(LeakKind::StackTrace), Severity::Medium);
        assert_eq!(severity_of(LeakKind::SqlError), Severity::Medium);
        assert_eq!(severity_of(LeakKind::Version), Severity::Low);
    }
}
