//! Web hardening: response headers, cookies, caching of authenticated answers, version banners and
//! mixed content, judged on the pages the audit already fetched (`net::Pages`), so the family adds
//! no request per check.

pub mod auth_cache;
pub mod cookie_flags;
pub mod mixed_content;
pub mod security_headers;
pub mod version_disclosure;

use crate::check::{CheckMeta, Context, Finding, Subject};
use crate::net::HttpResponse;

/// A page to judge: the final response of `https://host/` for one or more configured hosts.
pub(crate) struct Page {
    /// The route that reached it, described for evidence.
    pub route: String,
    /// The final response.
    pub response: HttpResponse,
}

impl Page {
    /// The final URL, the finding's subject.
    pub fn subject(&self) -> Subject {
        Subject::url(self.response.url.as_str())
    }
}

/// Which responses of a route a check judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Responses {
    /// Only the page the route ends on (documents: headers, HTML).
    Final,
    /// Every response on the way, redirects included (cookies, banners).
    Every,
}

/// The responses of `https://host/` for every host, one per distinct URL, and an inconclusive
/// finding for each host that gave nothing to judge. Every response comes from the run's page
/// cache: judging sends no request of its own.
pub(crate) async fn home_pages(
    ctx: &Context,
    meta: &'static CheckMeta,
    hosts: &[String],
    which: Responses,
) -> (Vec<Page>, Vec<Finding>) {
    let mut pages: Vec<Page> = Vec::new();
    let mut unreachable = Vec::new();
    for host in hosts {
        let Some(route) = ctx.net.pages.https_home(&ctx.net.http, host).await else {
            continue;
        };
        let mut responses: Vec<HttpResponse> = Vec::new();
        if which == Responses::Every {
            // The last hop is the final response when the route ends on one; otherwise every
            // hop was a redirect.
            let redirects = match route.response() {
                Some(_) => route.hops.len().saturating_sub(1),
                None => route.hops.len(),
            };
            for hop in route.hops.iter().take(redirects) {
                if let Ok(response) = ctx.net.pages.fetch(&ctx.net.http, &hop.url).await.as_ref() {
                    responses.push(response.clone());
                }
            }
        }
        if let Some(response) = route.response() {
            responses.push(response.clone());
        }
        if responses.is_empty() || (which == Responses::Final && route.response().is_none()) {
            unreachable.push(
                Finding::inconclusive(
                    meta,
                    Subject::url(format!("https://{host}/")),
                    format!("no page to inspect on {host}: its route does not end on a response"),
                )
                .evidence("route", crate::checks::domain::route_text(&format!("https://{host}/"), &route))
                .remediation("fix the route first (see https-redirect, canonical-host and the TLS checks), then run again"),
            );
            continue;
        }
        for response in responses {
            if !pages.iter().any(|p| p.response.url == response.url) {
                pages.push(Page {
                    route: route.describe(),
                    response,
                });
            }
        }
    }
    (pages, unreachable)
}
