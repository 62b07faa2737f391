//! Domain & redirects: every configured host resolves, no CNAME dangles, plain HTTP upgrades to
//! HTTPS, apex and www settle on one canonical origin, and declared redirects hold.

pub mod canonical_host;
pub mod dns_dangling_cname;
pub mod dns_resolve;
pub mod https_redirect;
pub mod redirect_map;

use url::Url;

use crate::net::{Route, RouteEnd};

/// The URL the first hop of `route` pointed to, when its first response was a redirect.
pub(crate) fn first_redirect_target(route: &Route) -> Option<Url> {
    if let Some(second) = route.hops.get(1) {
        return Some(second.url.clone());
    }
    match &route.end {
        RouteEnd::OffScope(url) => Some(url.clone()),
        RouteEnd::Loop { start } => route.hops.get(*start).map(|h| h.url.clone()),
        _ => None,
    }
}

/// The URLs of a loop's cycle, `a → b → a`, when the route ended in one.
pub(crate) fn cycle(route: &Route) -> Option<String> {
    let RouteEnd::Loop { start } = route.end else {
        return None;
    };
    let mut urls: Vec<String> = route.hops[start..]
        .iter()
        .map(|h| h.url.to_string())
        .collect();
    urls.push(route.hops.get(start)?.url.to_string());
    Some(urls.join(" → "))
}

/// The route for evidence, starting with `start` even when not one hop answered.
pub(crate) fn route_text(start: &str, route: &Route) -> String {
    let text = route.describe();
    if route.hops.is_empty() {
        format!("{start}{text}")
    } else {
        text
    }
}

/// `scheme://host[:port]` of a URL, for comparing origins in messages.
pub(crate) fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Builders for routes in unit tests.

    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;
    use std::time::Duration;
    use url::Url;

    use crate::net::http::Hop;
    use crate::net::{HttpResponse, Route, RouteEnd};

    /// A route through `urls` with the given statuses; the last ends as a final response.
    pub fn route(steps: &[(&str, u16)]) -> Route {
        let hops: Vec<Hop> = steps
            .iter()
            .map(|(u, s)| Hop {
                url: Url::parse(u).unwrap(),
                status: *s,
            })
            .collect();
        let (last_url, last_status) = steps[steps.len() - 1];
        Route {
            hops,
            end: RouteEnd::Final(Box::new(response(last_url, last_status, HeaderMap::new()))),
        }
    }

    /// A response with headers and an empty body.
    pub fn response(url: &str, status: u16, headers: HeaderMap) -> HttpResponse {
        HttpResponse {
            url: Url::parse(url).unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Vec::new(),
            truncated: false,
            time_to_headers: Duration::ZERO,
            elapsed: Duration::ZERO,
        }
    }

    /// A route through `steps` that ends with `end` instead of a final response.
    pub fn route_ending(steps: &[(&str, u16)], end: RouteEnd) -> Route {
        let mut r = route(steps);
        r.end = end;
        r
    }
}
