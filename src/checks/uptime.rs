//! `uptime`: the health endpoints answer 2xx in time with the expected body, leak nothing, and the
//! status page is reachable.
//!
//! Reference: Google SRE book, "Monitoring Distributed Systems" (black-box probing); OWASP ASVS
//! V14.3 (unintended information disclosure).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Target, UptimeSettings};
use crate::detect::{self, LeakKind};
use crate::net::{HttpRequest, Route, RouteEnd};

/// Metadata of the `uptime` check.
pub static META: CheckMeta = CheckMeta {
    id: "uptime",
    title: "Health endpoint and status page answer",
    category: Category::Operations,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "Load balancers, uptime monitors and on-call alerts all hang off the health endpoint; if it is down or lies, nobody learns about an outage before customers do.",
    breaks: "Outages go unnoticed, deploys roll forward onto broken instances, and a health page that dumps versions or stack traces hands attackers a map.",
    remediation: "Serve a cheap GET health route that returns 2xx with a fixed body (e.g. {\"status\":\"ok\"}) within a second, without versions, environment or errors; publish a status page hosted apart from the product.",
    references: &[
        "https://sre.google/sre-book/monitoring-distributed-systems/",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Builds the check when `[uptime]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.uptime {
        Some(settings) => Ok(Box::new(Uptime {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [uptime] section: set health = \"/healthz\" to monitor it",
        )),
    }
}

struct Uptime {
    settings: UptimeSettings,
}

#[async_trait::async_trait]
impl Check for Uptime {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for url in &self.settings.health {
            let request = HttpRequest::get(url.clone()).timeout(self.settings.timeout);
            let route = ctx.net.http.walk(request).await;
            findings.extend(self.judge_health(&route, url.as_str()));
        }
        if let Some(page) = &self.settings.status_page {
            let request = HttpRequest::get(page.clone()).timeout(self.settings.timeout);
            let route = ctx.net.http.walk_declared(request).await;
            findings.push(judge_status_page(&route, page.as_str()));
        }
        findings
    }
}

impl Uptime {
    fn judge_health(&self, route: &Route, url: &str) -> Vec<Finding> {
        let subject = || Subject::url(url);
        let response = match &route.end {
            RouteEnd::Final(response) => response,
            RouteEnd::Failed(error) => {
                return vec![Finding::fail(&META, subject(), format!("health endpoint is down: {error}"))
                    .evidence("route", route.describe())
                    .remediation("make the health route answer; check the process, the load balancer and DNS")];
            }
            _ => {
                return vec![
                    Finding::fail(
                        &META,
                        subject(),
                        "health endpoint does not answer: its redirects do not end on a response",
                    )
                    .evidence("route", route.describe()),
                ];
            }
        };
        let status = response.status.as_u16();
        let timing = format!("{} ms", response.elapsed.as_millis());
        if !response.status.is_success() {
            return vec![
                Finding::fail(
                    &META,
                    subject(),
                    format!("health endpoint answered {status}, not 2xx"),
                )
                .evidence("route", route.describe())
                .evidence("body", detect::excerpt(&response.text(), 0, 0)),
            ];
        }
        let mut findings = Vec::new();
        let body = response.text();
        if let Some(expected) = &self.settings.expect_body
            && !body.contains(expected.as_str())
        {
            findings.push(
                Finding::fail(
                    &META,
                    subject(),
                    format!("health body does not contain the expected `{expected}`"),
                )
                .severity(Severity::High)
                .evidence("body", detect::excerpt(&body, 0, 0)),
            );
        }
        for leak in detect::leaks(&body) {
            let severity = match leak.kind {
                LeakKind::InteractiveDebugger => Severity::Critical,
                LeakKind::Environment => Severity::High,
                LeakKind::StackTrace | LeakKind::SqlError => Severity::Medium,
                LeakKind::Version => Severity::Low,
            };
            findings.push(
                Finding::fail(&META, subject(), format!("health body reveals {}", leak.kind.describe()))
                    .severity(severity)
                    .evidence("matched", leak.pattern)
                    .evidence("excerpt", leak.excerpt)
                    .remediation("return only a fixed status body from the health route; log details server-side"),
            );
        }
        if findings.is_empty() {
            findings.push(
                Finding::pass(
                    &META,
                    subject(),
                    format!("health endpoint answered {status} in {timing}"),
                )
                .evidence("route", route.describe()),
            );
        }
        findings
    }
}

fn judge_status_page(route: &Route, url: &str) -> Finding {
    let subject = Subject::url(url);
    match route.response() {
        Some(r) if r.status.is_success() => Finding::pass(
            &META,
            subject,
            format!("status page answered {}", r.status.as_u16()),
        )
        .evidence("route", route.describe()),
        Some(r) => Finding::fail(
            &META,
            subject,
            format!("status page answered {}", r.status.as_u16()),
        )
        .severity(Severity::Medium)
        .evidence("route", route.describe()),
        None => Finding::fail(&META, subject, "status page is unreachable")
            .severity(Severity::Medium)
            .evidence("route", route.describe()),
    }
}
