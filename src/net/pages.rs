//! A per-run cache of fetched pages: each URL is walked (GET, redirects by hand) at most once per
//! run, however many checks read it. The redirect, canonical-host and web-hardening checks all look
//! at the same `http://host/` and `https://host/` routes, so they share one request chain per URL.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};
use url::Url;

use super::http::{Http, HttpRequest, Route};

/// Routes walked this run, keyed by the URL the walk started from.
#[derive(Default)]
pub struct Pages {
    routes: Mutex<HashMap<String, Arc<OnceCell<Arc<Route>>>>>,
}

impl Pages {
    /// An empty cache.
    pub fn new() -> Self {
        Pages::default()
    }

    /// The route of a GET of `url`, walked on first use and shared afterwards. Concurrent callers
    /// for the same URL wait for the one walk in flight.
    pub async fn walk(&self, http: &Http, url: &Url) -> Arc<Route> {
        let cell = {
            let mut routes = self.routes.lock().await;
            routes.entry(url.to_string()).or_default().clone()
        };
        cell.get_or_init(|| async { Arc::new(http.walk(HttpRequest::get(url.clone())).await) })
            .await
            .clone()
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

    /// Number of distinct URLs walked so far.
    pub async fn walked(&self) -> usize {
        self.routes.lock().await.len()
    }
}
