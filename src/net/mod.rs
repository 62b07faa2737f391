//! Shared network clients, built once per run: HTTP, DNS, the TLS trust store and the scope guard.

pub mod dns;
pub mod http;
pub mod pages;
pub mod scope;
pub mod session;
pub mod tls;

use std::sync::Arc;

use crate::config::Target;

pub use dns::Dns;
pub use http::{Http, HttpError, HttpRequest, HttpResponse, Route, RouteEnd};
pub use pages::Pages;
pub use scope::{Scope, ScopeError};
pub use session::{SessionError, Sessions};
pub use tls::{TlsProber, TrustStore};

/// Why the network clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// DNS resolver setup failed.
    #[error(transparent)]
    Dns(#[from] dns::DnsSetupError),
    /// The trust store could not be built.
    #[error(transparent)]
    Trust(#[from] tls::TrustError),
    /// The HTTP client could not be built.
    #[error("{0}")]
    Http(String),
    /// The TLS prober could not be built.
    #[error(transparent)]
    Prober(#[from] tls::ProberError),
}

/// Everything a check needs to reach the target.
pub struct Net {
    /// The HTTP client.
    pub http: Http,
    /// The DNS resolver.
    pub dns: Arc<Dns>,
    /// Trusted roots.
    pub trust: TrustStore,
    /// The TLS prober: one cached handshake per host:port, legacy version probes.
    pub tls: TlsProber,
    /// Scope guard for active probes, shared with the sessions so logins are admitted too.
    pub scope: Arc<Scope>,
    /// The configured identities and their credentials.
    pub sessions: Sessions,
    /// Pages fetched this run, shared by the checks that read them.
    pub pages: Pages,
}

impl Net {
    /// Builds the clients from the target's settings.
    pub fn new(target: &Target) -> Result<Self, NetError> {
        let trust = TrustStore::new(&target.tls)?;
        Net::with_trust(target, trust)
    }

    /// Builds the clients with a given trust store.
    pub fn with_trust(target: &Target, trust: TrustStore) -> Result<Self, NetError> {
        let dns = Arc::new(Dns::new(&target.dns)?);
        let scope_patterns = target.scope.clone();
        let in_scope = Arc::new(move |host: &str| scope_patterns.iter().any(|p| p.matches(host)));
        let tls = TlsProber::new(&trust, dns.clone(), &target.http, in_scope.clone())?;
        let http = Http::new(&target.http, dns.clone(), trust.client_config(), in_scope)
            .map_err(NetError::Http)?;
        let scope = Arc::new(Scope::new(target.scope.clone(), &target.http));
        Ok(Net {
            http,
            dns,
            trust,
            tls,
            scope: scope.clone(),
            sessions: Sessions::new(&target.identities, scope),
            pages: Pages::new(target.http.max_redirects),
        })
    }
}
