//! The audit's one HTTP client.
//!
//! reqwest with rustls, our resolver, no proxy, no referer, and automatic redirects off: redirects
//! are walked here hop by hop so scope is checked at every hop and credentials are attached only to
//! in-scope requests on the original origin. Bodies are capped; every request has a timeout.
//! Target hosts' URLs are logical (`https://acme.test/`); the `[http]` port map is applied only on
//! the wire, so evidence shows the URLs a user knows.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::time::Instant;
use url::Url;

use super::dns::Dns;
use crate::config::{HttpSettings, Secret};

/// A request to send; build it with [`HttpRequest::new`] or [`HttpRequest::get`].
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Logical URL.
    pub url: Url,
    /// Headers that are not credentials.
    pub headers: Vec<(String, String)>,
    /// Credential headers (Authorization, Cookie, API keys): sent in scope and same-origin only.
    pub credentials: Vec<(String, Secret)>,
    /// Body bytes.
    pub body: Option<Vec<u8>>,
    /// Overrides the configured total timeout.
    pub timeout: Option<Duration>,
    /// Overrides the configured body cap (`max-body-bytes`) for a download known to be large,
    /// such as a script bundle; the response says when the body was still cut.
    pub max_body_bytes: Option<usize>,
}

impl HttpRequest {
    /// A request with no headers or body.
    pub fn new(method: Method, url: Url) -> Self {
        HttpRequest {
            method,
            url,
            headers: Vec::new(),
            credentials: Vec::new(),
            body: None,
            timeout: None,
            max_body_bytes: None,
        }
    }

    /// A GET request.
    pub fn get(url: Url) -> Self {
        HttpRequest::new(Method::GET, url)
    }

    /// Adds a plain header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a credential header.
    pub fn credential(mut self, name: impl Into<String>, value: Secret) -> Self {
        self.credentials.push((name.into(), value));
        self
    }

    /// Sets a JSON body and content type.
    pub fn json(mut self, value: &serde_json::Value) -> Self {
        self.body = Some(value.to_string().into_bytes());
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the total timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Caps this response's body at `bytes` instead of the configured `max-body-bytes`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = Some(bytes);
        self
    }
}

/// A response with a capped body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The logical URL requested.
    pub url: Url,
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body, at most `max-body-bytes` (or the request's own cap).
    pub body: Vec<u8>,
    /// True when the body was cut at the cap.
    pub truncated: bool,
    /// Time until the headers arrived.
    pub time_to_headers: Duration,
    /// Time until the body was read.
    pub elapsed: Duration,
}

impl HttpResponse {
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of a header.
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The redirect target, resolved against the request URL, when this is a redirect.
    pub fn location(&self) -> Option<Result<Url, String>> {
        if !self.status.is_redirection() {
            return None;
        }
        let raw = self.header("location")?;
        Some(
            self.url
                .join(raw)
                .map_err(|e| format!("bad Location `{raw}`: {e}")),
        )
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The host is outside the target's scope; nothing was sent.
    #[error("{0} is outside the target's scope; not requested")]
    OutOfScope(String),
    /// Name resolution failed.
    #[error("cannot resolve {host}: {message}")]
    Dns {
        /// The host.
        host: String,
        /// Resolver message.
        message: String,
    },
    /// TCP connect failed or was refused.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// TLS handshake or certificate failure.
    #[error("TLS failure: {0}")]
    Tls(String),
    /// No complete answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The server broke the protocol or the connection.
    #[error("{0}")]
    Protocol(String),
}

/// One hop of a redirect walk.
#[derive(Debug, Clone)]
pub struct Hop {
    /// URL requested.
    pub url: Url,
    /// Status answered.
    pub status: u16,
}

/// How a redirect walk ended.
#[derive(Debug, Clone)]
pub enum RouteEnd {
    /// A non-redirect response.
    Final(Box<HttpResponse>),
    /// A URL was visited twice; the cycle starts at `start` (index into hops).
    Loop {
        /// Index of the first hop of the cycle.
        start: usize,
    },
    /// More hops than the limit.
    TooManyHops,
    /// The next hop leaves the target's scope; it was not requested.
    OffScope(Url),
    /// A redirect without a usable Location.
    BadLocation(String),
    /// A hop failed.
    Failed(HttpError),
}

/// The route a request took through redirects.
#[derive(Debug, Clone)]
pub struct Route {
    /// Every response seen, in order; the last is the final one when the walk ended normally.
    pub hops: Vec<Hop>,
    /// How it ended.
    pub end: RouteEnd,
}

impl Route {
    /// `http://a/ → 301 https://a/ → 200`, for evidence.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (i, hop) in self.hops.iter().enumerate() {
            if i == 0 {
                out.push_str(hop.url.as_str());
            }
            out.push_str(&format!(" → {}", hop.status));
            if let Some(next) = self.hops.get(i + 1) {
                out.push_str(&format!(" {}", next.url));
            }
        }
        match &self.end {
            RouteEnd::Final(_) => {}
            RouteEnd::Loop { start } => {
                out.push_str(&format!(" → (loops back to {})", self.hops[*start].url))
            }
            RouteEnd::TooManyHops => out.push_str(" → (hop limit reached)"),
            RouteEnd::OffScope(url) => out.push_str(&format!(" {url} (off scope, not followed)")),
            RouteEnd::BadLocation(m) => out.push_str(&format!(" → ({m})")),
            RouteEnd::Failed(e) => out.push_str(&format!(" → ({e})")),
        }
        out
    }

    /// The final response, when the walk ended on one.
    pub fn response(&self) -> Option<&HttpResponse> {
        match &self.end {
            RouteEnd::Final(r) => Some(r),
            _ => None,
        }
    }
}

/// Idle connections kept per host. Open-loop samplers keep about `rate × latency` requests in
/// flight (10/s at 600 ms is 6); a smaller pool would close and re-dial connections between
/// samples and count handshakes as latency.
const IDLE_CONNECTIONS_PER_HOST: usize = 64;

/// The shared client.
pub struct Http {
    client: reqwest::Client,
    settings: HttpSettings,
    scope: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    sent: AtomicU64,
}

/// Resolves names for reqwest through the audit's DNS.
struct Resolver(Arc<Dns>);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            if let Ok(ip) = host.parse::<std::net::IpAddr>() {
                let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(SocketAddr::new(ip, 0)));
                return Ok(addrs);
            }
            match dns.ips(&host).await {
                Ok(ips) if !ips.is_empty() => {
                    let addrs: reqwest::dns::Addrs =
                        Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
                    Ok(addrs)
                }
                Ok(_) => Err(format!("no address for {host}").into()),
                Err(answer) => Err(format!("no address for {host}: {:?}", answer.outcome).into()),
            }
        })
    }
}

impl Http {
    /// Builds the client: `tls` carries the trust store, `scope` says which hosts are in scope.
    pub fn new(
        settings: &HttpSettings,
        dns: Arc<Dns>,
        tls: rustls::ClientConfig,
        scope: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .dns_resolver(Arc::new(Resolver(dns)))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .pool_max_idle_per_host(IDLE_CONNECTIONS_PER_HOST)
            .user_agent(settings.user_agent.clone())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Http {
            client,
            settings: settings.clone(),
            scope,
            sent: AtomicU64::new(0),
        })
    }

    /// The URL actually dialled: the `[http]` port map applied to in-scope hosts.
    pub fn wire_url(&self, logical: &Url) -> Url {
        let mut url = logical.clone();
        let in_scope = url.host_str().is_some_and(|h| (self.scope)(h));
        if in_scope && logical.port().is_none() {
            let port = match logical.scheme() {
                "http" => self.settings.http_port,
                "https" => self.settings.https_port,
                _ => None,
            };
            if let Some(port) = port {
                let _ = url.set_port(Some(port));
            }
        }
        url
    }

    /// True when the host is in the target's scope.
    pub fn in_scope(&self, host: &str) -> bool {
        (self.scope)(host)
    }

    /// Number of requests sent this run.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends one request without following redirects.
    ///
    /// Credentials are attached only when the host is in scope; an off-scope request that carries
    /// credentials is refused outright.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let host = request.url.host_str().unwrap_or_default().to_string();
        if !request.credentials.is_empty() && !self.in_scope(&host) {
            return Err(HttpError::OutOfScope(host));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            insert(&mut headers, name, value)?;
        }
        for (name, value) in &request.credentials {
            insert(&mut headers, name, value.expose())?;
        }
        let mut builder = self
            .client
            .request(request.method.clone(), self.wire_url(&request.url))
            .headers(headers);
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let timeout = request.timeout.unwrap_or(self.settings.timeout);
        builder = builder.timeout(timeout);
        self.sent.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let read = async {
            let mut response = builder
                .send()
                .await
                .map_err(|e| classify(&e, &host, timeout))?;
            let time_to_headers = start.elapsed();
            let status = response.status();
            let headers = response.headers().clone();
            let cap = request
                .max_body_bytes
                .unwrap_or(self.settings.max_body_bytes);
            let mut body = Vec::new();
            let mut truncated = false;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| classify(&e, &host, timeout))?
            {
                let room = cap - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                url: request.url.clone(),
                status,
                headers,
                body,
                truncated,
                time_to_headers,
                elapsed: start.elapsed(),
            })
        };
        match tokio::time::timeout(timeout + Duration::from_millis(250), read).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout(timeout)),
        }
    }

    /// Sends `request` and follows redirects by hand, up to `max-redirects` hops.
    ///
    /// Credentials go only to hops on the first request's origin; a hop to an off-scope host is not
    /// requested. 301/302/303 turn a POST into a GET without body, as browsers do.
    pub async fn walk(&self, request: HttpRequest) -> Route {
        self.walk_inner(request, None).await
    }

    /// Like [`Http::walk`] for a URL the user declared in the config (a status page, say): its
    /// host may be off scope, and so may later hops on that same host. No credentials are sent.
    pub async fn walk_declared(&self, mut request: HttpRequest) -> Route {
        request.credentials.clear();
        let host = request.url.host_str().unwrap_or_default().to_string();
        self.walk_inner(request, Some(host)).await
    }

    async fn walk_inner(&self, request: HttpRequest, declared_host: Option<String>) -> Route {
        let origin = request.url.origin();
        let mut current = request;
        let mut hops: Vec<Hop> = Vec::new();
        loop {
            if let Some(start) = hops.iter().position(|h| h.url == current.url) {
                return Route {
                    hops,
                    end: RouteEnd::Loop { start },
                };
            }
            if hops.len() > self.settings.max_redirects as usize {
                return Route {
                    hops,
                    end: RouteEnd::TooManyHops,
                };
            }
            let host = current.url.host_str().unwrap_or_default();
            if !self.in_scope(host) && declared_host.as_deref() != Some(host) {
                return Route {
                    hops,
                    end: RouteEnd::OffScope(current.url.clone()),
                };
            }
            let response = match self.send(&current).await {
                Ok(r) => r,
                Err(e) => {
                    return Route {
                        hops,
                        end: RouteEnd::Failed(e),
                    };
                }
            };
            hops.push(Hop {
                url: current.url.clone(),
                status: response.status.as_u16(),
            });
            let next = match response.location() {
                None => {
                    return Route {
                        hops,
                        end: RouteEnd::Final(Box::new(response)),
                    };
                }
                Some(Err(message)) => {
                    return Route {
                        hops,
                        end: RouteEnd::BadLocation(message),
                    };
                }
                Some(Ok(next)) => next,
            };
            if next.origin() != origin {
                current.credentials.clear();
            }
            if matches!(response.status.as_u16(), 301..=303) && current.method != Method::HEAD {
                current.method = Method::GET;
                current.body = None;
            }
            current.url = next;
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), HttpError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| HttpError::Protocol(format!("invalid header name `{name}`")))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| HttpError::Protocol(format!("invalid value for header `{name}`")))?;
    headers.append(name, value);
    Ok(())
}

fn classify(error: &reqwest::Error, host: &str, timeout: Duration) -> HttpError {
    let chain = error_chain(error);
    if error.is_timeout() {
        HttpError::Timeout(timeout)
    } else if chain.contains("no address for") || chain.contains("dns error") {
        HttpError::Dns {
            host: host.to_string(),
            message: chain,
        }
    } else if chain.contains("certificate")
        || chain.contains("tls")
        || chain.contains("TLS")
        || chain.contains("handshake")
    {
        HttpError::Tls(chain)
    } else if error.is_connect() {
        HttpError::Connect(chain)
    } else {
        HttpError::Protocol(chain)
    }
}

/// The error and its sources, joined, without the URL reqwest puts in front.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        let text = text.split(" for url (").next().unwrap_or(&text).to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
