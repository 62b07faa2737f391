//! `https-redirect`: `http://host/` of every configured host answers a permanent redirect to
//! `https://` on the same host first, before any move to another host.
//!
//! Reference: Mozilla Observatory "Redirection" test; RFC 9110 §15.4 (redirection status codes);
//! OWASP ASVS V9.1.1.

use std::sync::Arc;

use super::{first_redirect_target, route_text};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::{Route, RouteEnd};

/// Metadata of the `https-redirect` check.
pub static META: CheckMeta = CheckMeta {
    id: "https-redirect",
    title: "Plain HTTP redirects to HTTPS on the same host",
    category: Category::Domain,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "Users type bare domains and old links use http://; without an immediate upgrade to HTTPS that first request, and everything it sets, travels in clear text.",
    breaks: "Anyone on the network path (public Wi-Fi, a hostile ISP) can read or rewrite pages and steal session cookies; HSTS preloading is impossible.",
    remediation: "Answer every http:// request with 301 (or 308) to the same host and path over https://; move to another host only after that first hop.",
    references: &[
        "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring",
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.4",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Builds the check; `[target]` always lists at least the base URL's host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(HttpsRedirect {
        hosts: target.hosts.clone(),
    }))
}

struct HttpsRedirect {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for HttpsRedirect {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for host in &self.hosts {
            let subject = Subject::url(format!("http://{host}/"));
            match ctx.net.pages.http_home(&ctx.net.http, host).await {
                Some(route) => findings.push(judge(host, &route)),
                None => findings.push(Finding::error(
                    &META,
                    subject,
                    format!("`{host}` does not make a valid URL"),
                )),
            }
        }
        findings
    }
}

fn judge(host: &str, route: &Arc<Route>) -> Finding {
    let start = format!("http://{host}/");
    let subject = Subject::url(start.as_str());
    let shown = route_text(&start, route);
    let Some(first) = route.hops.first() else {
        let message = match &route.end {
            RouteEnd::Failed(e) => format!("http://{host}/ did not answer: {e}"),
            _ => format!("http://{host}/ was not requested"),
        };
        return Finding::error(&META, subject, message)
            .evidence("route", shown.clone())
            .remediation("make port 80 answer with a redirect to https://, or check DNS and the load balancer");
    };
    let status = first.status;
    let Some(next) = first_redirect_target(route) else {
        if let RouteEnd::BadLocation(m) = &route.end {
            return Finding::fail(
                &META,
                subject,
                format!("http://{host}/ answered {status} with an unusable Location ({m})"),
            )
            .severity(Severity::Medium)
            .evidence("route", shown.clone());
        }
        return Finding::fail(
            &META,
            subject,
            format!("http://{host}/ answered {status} over plain HTTP instead of redirecting to https://"),
        )
        .evidence("route", shown.clone())
        .remediation(format!(
            "answer http://{host}/* with `301 Location: https://{host}/*` at the load balancer or web server"
        ));
    };
    let same_host = next
        .host_str()
        .is_some_and(|h| h.eq_ignore_ascii_case(host));
    if next.scheme() != "https" {
        return Finding::fail(
            &META,
            subject,
            format!("http://{host}/ redirects ({status}) to another plain-HTTP URL, {next}"),
        )
        .severity(Severity::Medium)
        .evidence("route", shown.clone())
        .remediation(format!("make the first hop go to https://{host}/"));
    }
    if !same_host {
        return Finding::fail(
            &META,
            subject,
            format!(
                "http://{host}/ redirects ({status}) straight to {next}, another host, instead of upgrading https://{host}/ first"
            ),
        )
        .severity(Severity::Medium)
        .evidence("route", shown.clone())
        .remediation(format!(
            "redirect http://{host}/ to https://{host}/ first, then to the canonical host; HSTS on {host} needs that hop"
        ));
    }
    if matches!(status, 302 | 303 | 307) {
        return Finding::fail(
            &META,
            subject,
            format!("http://{host}/ upgrades to HTTPS with a temporary {status}, not 301/308"),
        )
        .severity(Severity::Low)
        .evidence("route", shown.clone())
        .remediation("use 301 or 308 so browsers and search engines remember the upgrade");
    }
    Finding::pass(
        &META,
        subject,
        format!("http://{host}/ redirects with {status} to {next}"),
    )
    .evidence("route", shown.clone())
}

#[cfg(test)]
mod tests {
    use super::super::testing::route;
    use super::*;
    use crate::check::Status;
    use crate::net::HttpError;

    fn check(steps: &[(&str, u16)]) -> Finding {
        judge("a.test", &Arc::new(route(steps)))
    }

    #[test]
    fn content_over_http_fails_high() {
        let f = check(&[("http://a.test/", 200)]);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert_eq!(f.evidence[0].value, "http://a.test/ → 200");
    }

    #[test]
    fn off_host_first_hop_and_http_target_fail_medium_and_temporary_fails_low() {
        let f = check(&[("http://a.test/", 301), ("https://www.a.test/", 200)]);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.message.contains("another host"));
        let f = check(&[("http://a.test/", 301), ("http://www.a.test/", 200)]);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.message.contains("plain-HTTP"));
        let f = check(&[("http://a.test/", 302), ("https://a.test/", 200)]);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Low));
    }

    #[test]
    fn same_host_permanent_upgrade_passes_even_when_later_hops_move() {
        let f = check(&[
            ("http://a.test/", 308),
            ("https://a.test/", 301),
            ("https://www.a.test/", 200),
        ]);
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert_eq!(
            f.evidence[0].value,
            "http://a.test/ → 308 https://a.test/ → 301 https://www.a.test/ → 200"
        );
    }

    #[test]
    fn an_unreachable_port_is_an_error() {
        let r = Route {
            hops: vec![],
            end: RouteEnd::Failed(HttpError::Connect("refused".into())),
        };
        assert_eq!(judge("a.test", &Arc::new(r)).status, Status::Error);
    }
}
