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

/// The final responses of `https://host/` for every host, one per distinct final URL, and an
/// inconclusive finding for each host whose walk did not end on a response.
pub(crate) async fn home_pages(
    ctx: &Context,
    meta: &'static CheckMeta,
    hosts: &[String],
) -> (Vec<Page>, Vec<Finding>) {
    let mut pages: Vec<Page> = Vec::new();
    let mut unreachable = Vec::new();
    for host in hosts {
        let Some(route) = ctx.net.pages.https_home(&ctx.net.http, host).await else {
            continue;
        };
        match route.response() {
            Some(response) => {
                if !pages.iter().any(|p| p.response.url == response.url) {
                    pages.push(Page {
                        route: route.describe(),
                        response: response.clone(),
                    });
                }
            }
            None => unreachable.push(
                Finding::inconclusive(
                    meta,
                    Subject::url(format!("https://{host}/")),
                    format!("no page to inspect on {host}: its route does not end on a response"),
                )
                .evidence("route", route.describe())
                .remediation("fix the route first (see https-redirect, canonical-host and the TLS checks), then run again"),
            ),
        }
    }
    (pages, unreachable)
}
