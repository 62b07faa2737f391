//! `canonical-host`: the apex and `www` hosts settle on one canonical HTTPS origin in at most two
//! redirects, and no configured host redirects in a loop (hops bounded by `[http] max-redirects`,
//! the cycle reported).
//!
//! Reference: RFC 9110 §15.4 (redirection); Google Search Central, "Consolidate duplicate URLs".

use std::sync::Arc;

use url::Url;

use super::{cycle, origin_text, route_text};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::{Route, RouteEnd};

/// Metadata of the `canonical-host` check.
pub static META: CheckMeta = CheckMeta {
    id: "canonical-host",
    title: "Apex and www end on one canonical origin",
    category: Category::Domain,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "When apex and www both serve the site, cookies, caches, analytics and search ranking split across two origins; a redirect loop makes a host unreachable.",
    breaks: "Users get logged out when they cross between the two names, search engines index duplicates, and a looping host shows \"too many redirects\" instead of the product.",
    remediation: "Pick one canonical host and answer every other name (apex or www) with a 301 to it on https://, in at most two hops from any http:// or https:// entry point.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.4",
        "https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls",
    ],
};

/// Redirects allowed before a chain is needlessly long.
const MAX_REDIRECTS: usize = 2;

/// Builds the check; `[target]` always names a canonical host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    let apex = target.apex();
    let www = format!("www.{apex}");
    let family = [apex, www]
        .into_iter()
        .filter(|h| target.hosts.contains(h) || *h == target.canonical_host)
        .collect();
    // The base URL names the canonical origin's port when it is on the canonical host.
    let base_host = target.base_url.host_str().unwrap_or_default();
    let canonical = if base_host.eq_ignore_ascii_case(&target.canonical_host) {
        let mut origin = target.base_url.clone();
        let _ = origin.set_scheme("https");
        origin_text(&origin)
    } else {
        format!("https://{}", target.canonical_host)
    };
    Ok(Box::new(CanonicalHost {
        hosts: target.hosts.clone(),
        family,
        canonical,
    }))
}

struct CanonicalHost {
    /// Every configured host: each must not loop.
    hosts: Vec<String>,
    /// The apex and www hosts that must end on the canonical origin.
    family: Vec<String>,
    /// The origin apex and www must end on, e.g. `https://acme.test`.
    canonical: String,
}

#[async_trait::async_trait]
impl Check for CanonicalHost {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for host in &self.hosts {
            let in_family = self.family.contains(host);
            let mut starts = vec![format!("https://{host}/")];
            if in_family {
                starts.push(format!("http://{host}/"));
            }
            for start in starts {
                let Ok(url) = Url::parse(&start) else {
                    findings.push(Finding::error(
                        &META,
                        Subject::url(start.clone()),
                        format!("`{start}` is not a valid URL"),
                    ));
                    continue;
                };
                let route = ctx.net.pages.walk(&ctx.net.http, &url).await;
                let expected = in_family.then_some(self.canonical.as_str());
                findings.push(judge(&start, &route, expected));
            }
        }
        findings
    }
}

/// Judges one walk; `canonical` is the origin it must end on, for apex and www.
fn judge(start: &str, route: &Arc<Route>, canonical: Option<&str>) -> Finding {
    let subject = Subject::url(start);
    let shown = route_text(start, route);
    let redirects = route.hops.len().saturating_sub(1);
    let response = match &route.end {
        RouteEnd::Final(response) => response,
        RouteEnd::Loop { .. } => {
            let cycle = cycle(route).unwrap_or_default();
            return Finding::fail(&META, subject, format!("{start} redirects in a loop: {cycle}"))
                .severity(Severity::High)
                .evidence("route", shown)
                .evidence("cycle", cycle)
                .remediation("break the loop: one of these URLs must answer 200 (often a rule that redirects back to where a login or www rule sent the visitor)");
        }
        RouteEnd::TooManyHops => {
            return Finding::fail(
                &META,
                subject,
                format!("{start} redirects more than {redirects} times without reaching a page"),
            )
            .severity(Severity::High)
            .evidence("route", shown)
            .remediation("collapse the chain into one redirect to the final URL");
        }
        RouteEnd::OffScope(url) => {
            return Finding::fail(
                &META,
                subject,
                format!("{start} redirects off the target's scope, to {url}"),
            )
            .evidence("route", shown)
            .remediation("redirect to the canonical host, or add the destination to [target] scope if it is yours");
        }
        RouteEnd::BadLocation(message) => {
            return Finding::fail(
                &META,
                subject,
                format!("{start} redirects with an unusable Location: {message}"),
            )
            .evidence("route", shown);
        }
        RouteEnd::Failed(error) => {
            return Finding::error(&META, subject, format!("{start} did not answer: {error}"))
                .evidence("route", shown);
        }
    };
    let status = response.status.as_u16();
    let end = origin_text(&response.url);
    if let Some(canonical) = canonical
        && end != canonical
    {
        let message = if redirects == 0 {
            format!(
                "{start} serves its own content ({status}) instead of redirecting to the canonical {canonical}"
            )
        } else {
            format!("{start} ends on {end}, not on the canonical {canonical}")
        };
        return Finding::fail(&META, subject, message)
            .evidence("route", shown)
            .evidence("canonical origin", canonical)
            .remediation(format!(
                "answer {start} with `301 Location: {canonical}/` (keep the path), so apex and www are one origin"
            ));
    }
    if redirects > MAX_REDIRECTS {
        return Finding::fail(
            &META,
            subject,
            format!("{start} takes {redirects} redirects to reach {end}; at most {MAX_REDIRECTS} are needed"),
        )
        .severity(Severity::Low)
        .evidence("route", shown)
        .remediation("redirect straight to the final https:// URL from each entry point");
    }
    let message = match canonical {
        Some(canonical) => {
            format!("{start} ends on the canonical {canonical} in {redirects} redirect(s)")
        }
        None => format!("{start} ends on {end} ({status}) without a loop"),
    };
    Finding::pass(&META, subject, message).evidence("route", shown)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{route, route_ending};
    use super::*;
    use crate::check::Status;

    #[test]
    fn www_serving_its_own_content_fails() {
        let r = Arc::new(route(&[("https://www.a.test/", 200)]));
        let f = judge("https://www.a.test/", &r, Some("https://a.test"));
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.message.contains("serves its own content"));
    }

    #[test]
    fn a_loop_is_high_and_names_the_cycle() {
        let r = Arc::new(route_ending(
            &[
                ("https://app.a.test/", 302),
                ("https://app.a.test/login", 302),
            ],
            RouteEnd::Loop { start: 0 },
        ));
        let f = judge("https://app.a.test/", &r, None);
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.message
                .contains("https://app.a.test/ → https://app.a.test/login → https://app.a.test/")
        );
    }

    #[test]
    fn long_chains_fail_low_and_short_ones_pass() {
        let long = Arc::new(route(&[
            ("http://www.a.test/", 301),
            ("https://www.a.test/", 301),
            ("http://a.test/", 301),
            ("https://a.test/", 200),
        ]));
        let f = judge("http://www.a.test/", &long, Some("https://a.test"));
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Low));
        let short = Arc::new(route(&[
            ("http://www.a.test/", 301),
            ("https://www.a.test/", 301),
            ("https://a.test/", 200),
        ]));
        let f = judge("http://www.a.test/", &short, Some("https://a.test"));
        assert_eq!(f.status, Status::Pass, "{f:?}");
    }
}
