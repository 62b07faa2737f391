//! A per-run cache of fetched pages: every URL is requested (GET, no credentials) at most once per
//! run, however many checks and redirect walks pass through it. The redirect, canonical-host and
//! web-hardening checks all read the same `http://host/` and `https://host/` routes, and those
//! routes share hops (`http://www.a/ → https://www.a/ → https://a/`), so the cache is per hop.
//!
//! Walks follow the rules of [`Http::walk`] for a GET without credentials: scope checked before
//! every hop, the hop limit from `[http] max-redirects`, loops ended with their cycle.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};
use url::Url;

use super::http::{Hop, Http, HttpError, HttpRequest, HttpResponse, Route, RouteEnd};

type Fetched = Arc<Result<HttpResponse, HttpError>>;

/// Responses fetched this run, keyed by URL.
pub struct Pages {
    max_redirects: usize,
    responses: Mutex<HashMap<String, Arc<OnceCell<Fetched>>>>,
}

impl Pages {
    /// An empty cache whose walks follow at most `max_redirects` redirects.
    pub fn new(max_redirects: u32) -> Self {
        Pages {
            max_redirects: max_redirects as usize,
            responses: Mutex::new(HashMap::new()),
        }
    }

    /// The answer to one GET of `url`, sent on first use and shared afterwards; concurrent callers
    /// for the same URL wait for the one request in flight.
    pub async fn fetch(&self, http: &Http, url: &Url) -> Fetched {
        let cell = {
            let mut responses = self.responses.lock().await;
            responses.entry(url.to_string()).or_default().clone()
        };
        cell.get_or_init(|| async { Arc::new(http.send(&HttpRequest::get(url.clone())).await) })
            .await
            .clone()
    }

    /// The route of a GET of `url` through its redirects, each hop fetched through the cache.
    pub async fn walk(&self, http: &Http, url: &Url) -> Arc<Route> {
        let mut current = url.clone();
        let mut hops: Vec<Hop> = Vec::new();
        let end = loop {
            if let Some(start) = hops.iter().position(|h| h.url == current) {
                break RouteEnd::Loop { start };
            }
            if hops.len() > self.max_redirects {
                break RouteEnd::TooManyHops;
            }
            if !http.in_scope(current.host_str().unwrap_or_default()) {
                break RouteEnd::OffScope(current);
            }
            let fetched = self.fetch(http, &current).await;
            let response = match fetched.as_ref() {
                Ok(response) => response,
                Err(error) => break RouteEnd::Failed(error.clone()),
            };
            hops.push(Hop {
                url: current.clone(),
                status: response.status.as_u16(),
            });
            match response.location() {
                None => break RouteEnd::Final(Box::new(response.clone())),
                Some(Err(message)) => break RouteEnd::BadLocation(message),
                Some(Ok(next)) => current = next,
            }
        };
        Arc::new(Route { hops, end })
    }

    /// The route of `https://host/`.
    pub async fn https_home(&self, http: &Http, host: &str) -> Option<Arc<Route>> {
        let url = Url::parse(&format!("https://{host}/")).ok()?;
        Some(self.walk(http, &url).await)
    }

    /// The route of `http://host/`.
    pub async fn http_home(&self, http: &Http, host: &str) -> Option<Arc<Route>> {
        let url = Url::parse(&format!("http://{host}/")).ok()?;
        Some(self.walk(http, &url).await)
    }

    /// Number of distinct URLs fetched so far.
    pub async fn fetched(&self) -> usize {
        self.responses.lock().await.len()
    }
}
