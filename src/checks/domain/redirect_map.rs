//! `redirect-map`: every `[[redirects]] from → to` pair holds: the old URL redirects (with the
//! pinned status, when given) and ends on the new URL, which answers.
//!
//! Reference: RFC 9110 §15.4 (redirection status codes); Google Search Central, "Site moves with
//! URL changes".

use std::sync::Arc;

use super::{cycle, route_text};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{RedirectRule, Target};
use crate::net::{Route, RouteEnd};

/// Metadata of the `redirect-map` check.
pub static META: CheckMeta = CheckMeta {
    id: "redirect-map",
    title: "Declared redirects land where they should",
    category: Category::Domain,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "Old URLs live on in bookmarks, emails, docs and search results; a move that drops or misroutes them loses visitors and ranking at launch.",
    breaks: "Links to the old URLs show 404 pages or the wrong content, and search engines drop the pages' history.",
    remediation: "Add a permanent redirect (301/308) from each old URL straight to its new URL, and keep it for as long as the old URL is linked anywhere.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.4",
        "https://developers.google.com/search/docs/crawling-indexing/site-move-with-url-changes",
    ],
};

/// Builds the check when `[[redirects]]` declares at least one pair.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.redirects.is_empty() {
        return Err(Skip::because(
            "no [[redirects]]: add from/to pairs for URLs that moved",
        ));
    }
    Ok(Box::new(RedirectMap {
        rules: target.redirects.clone(),
    }))
}

struct RedirectMap {
    rules: Vec<RedirectRule>,
}

#[async_trait::async_trait]
impl Check for RedirectMap {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for rule in &self.rules {
            let route = ctx.net.pages.walk(&ctx.net.http, &rule.from).await;
            findings.push(judge(rule, &route));
        }
        findings
    }
}

fn judge(rule: &RedirectRule, route: &Arc<Route>) -> Finding {
    let (from, to) = (rule.from.as_str(), rule.to.as_str());
    let subject = Subject::url(from);
    let shown = route_text(from, route);
    let with = |f: Finding| {
        f.evidence("route", shown.clone())
            .evidence("expected", format!("{from} → {to}"))
    };
    let first = route.hops.first().map(|h| h.status);
    let response = match &route.end {
        RouteEnd::Final(r) => r,
        RouteEnd::OffScope(url) if url == &rule.to => {
            return with(Finding::pass(
                &META,
                subject,
                format!("{from} redirects to {to} (off scope, not requested)"),
            ));
        }
        RouteEnd::OffScope(url) => {
            return with(Finding::fail(
                &META,
                subject,
                format!("{from} redirects to {url}, not {to}"),
            ))
            .remediation(format!("point the redirect of {from} at {to}"));
        }
        RouteEnd::Loop { .. } | RouteEnd::TooManyHops => {
            let how = cycle(route).map_or("never reaches a page".to_string(), |c| {
                format!("loops: {c}")
            });
            return with(Finding::fail(&META, subject, format!("{from} {how}")))
                .severity(Severity::High)
                .remediation(format!("make {from} redirect once, straight to {to}"));
        }
        RouteEnd::BadLocation(m) => {
            return with(Finding::fail(
                &META,
                subject,
                format!("{from} redirects with an unusable Location: {m}"),
            ));
        }
        RouteEnd::Failed(e) => {
            return with(Finding::error(
                &META,
                subject,
                format!("{from} did not answer: {e}"),
            ));
        }
    };
    let status = response.status.as_u16();
    if route.hops.len() <= 1 {
        let (severity, what) = if matches!(status, 404 | 410) {
            (
                Severity::High,
                format!("{from} answers {status}: the old URL is gone, not redirected"),
            )
        } else {
            (
                Severity::Medium,
                format!("{from} answers {status} itself instead of redirecting to {to}"),
            )
        };
        return with(Finding::fail(&META, subject, what))
            .severity(severity)
            .remediation(format!(
                "add `301 Location: {to}` for {from} at the web server or CDN"
            ));
    }
    if response.url != rule.to {
        return with(Finding::fail(
            &META,
            subject,
            format!("{from} ends on {}, not on {to}", response.url),
        ))
        .remediation(format!("point the redirect of {from} at {to}"));
    }
    if let (Some(pinned), Some(seen)) = (rule.status, first)
        && pinned != seen
    {
        return with(Finding::fail(
            &META,
            subject,
            format!("{from} redirects with {seen}, not the declared {pinned}"),
        ))
        .remediation(format!("answer {from} with {pinned}"));
    }
    if !response.status.is_success() {
        let severity = if status == 404 {
            Severity::High
        } else {
            Severity::Medium
        };
        return with(Finding::fail(
            &META,
            subject,
            format!("{from} reaches {to}, which answers {status}"),
        ))
        .severity(severity)
        .remediation(format!("make {to} serve the moved content"));
    }
    with(Finding::pass(
        &META,
        subject,
        format!("{from} redirects to {to}, which answers {status}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::route;
    use super::*;
    use crate::check::Status;
    use url::Url;

    fn rule(status: Option<u16>) -> RedirectRule {
        RedirectRule {
            from: Url::parse("https://a.test/old").unwrap(),
            to: Url::parse("https://a.test/new").unwrap(),
            status,
        }
    }

    #[test]
    fn missing_redirect_is_high_and_wrong_target_or_status_medium() {
        let r = Arc::new(route(&[("https://a.test/old", 404)]));
        let f = judge(&rule(None), &r);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        let r = Arc::new(route(&[
            ("https://a.test/old", 301),
            ("https://a.test/other", 200),
        ]));
        let f = judge(&rule(None), &r);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.message.contains("ends on https://a.test/other"));
        let r = Arc::new(route(&[
            ("https://a.test/old", 302),
            ("https://a.test/new", 200),
        ]));
        let f = judge(&rule(Some(301)), &r);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.message.contains("302, not the declared 301"));
    }

    #[test]
    fn a_redirect_to_the_live_target_passes() {
        let r = Arc::new(route(&[
            ("https://a.test/old", 301),
            ("https://a.test/new", 200),
        ]));
        assert_eq!(judge(&rule(Some(301)), &r).status, Status::Pass);
    }
}
