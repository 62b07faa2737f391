//! The target description: TOML in, a validated [`Target`] out, or every problem at once.
//!
//! Loading has two phases. The document is parsed with spans and each section is deserialized on
//! its own (so one bad section does not hide the next); unknown keys are collected rather than
//! fatal. Then `validate` checks meaning: URLs, hosts in scope, references between sections,
//! `${ENV}` secrets. Every problem becomes a `file:line:col: key: message` diagnostic.

mod diagnostic;
mod raw;
mod starter;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use url::Url;

pub use diagnostic::{ConfigError, Diagnostic};
pub use starter::{EXAMPLE, starter};

/// A value that must never be printed: credentials from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for sending it to the target. Never for display.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A string that may embed secrets from `${ENV}` references, kept apart from plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Templated {
    /// A literal, safe to show.
    Plain(String),
    /// Built from at least one environment secret.
    Secret(Secret),
}

impl Templated {
    /// The value to send.
    pub fn value(&self) -> &str {
        match self {
            Templated::Plain(s) => s,
            Templated::Secret(s) => s.expose(),
        }
    }
}

/// A host pattern in `[target] scope`: an exact name, or `*.` for any subdomain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostPattern(String);

impl HostPattern {
    /// Parses `acme.test` or `*.acme.test` (lowercased).
    pub fn new(pattern: &str) -> Self {
        HostPattern(pattern.trim_end_matches('.').to_ascii_lowercase())
    }

    /// True when `host` matches this pattern.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match self.0.strip_prefix("*.") {
            Some(parent) => host.len() > parent.len() + 1 && host.ends_with(&format!(".{parent}")),
            None => host == self.0,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the audit's DNS queries go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsSettings {
    /// Nameservers as ip:port; empty means the system resolver configuration.
    pub nameservers: Vec<SocketAddr>,
    /// Timeout of one query.
    pub timeout: Duration,
}

/// Trust and expiry settings for TLS checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// An extra CA certificate (PEM) trusted beside the web PKI roots.
    pub extra_ca: Option<PathBuf>,
    /// Fewer days left than this is critical.
    pub expiry_critical_days: i64,
    /// Fewer days left than this is high.
    pub expiry_high_days: i64,
    /// Fewer days left than this is medium.
    pub expiry_medium_days: i64,
    /// The CAA issuer-domain of a CA launchready does not recognise (a private or staging CA);
    /// public CAs are recognised from the certificate's issuer.
    pub caa_issuer: Option<String>,
}

/// Limits applied to every HTTP request of the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Port used for `http://` URLs on target hosts (default 80).
    pub http_port: Option<u16>,
    /// Port used for `https://` URLs on target hosts (default 443).
    pub https_port: Option<u16>,
    /// TCP and TLS connect timeout.
    pub connect_timeout: Duration,
    /// Timeout of one whole request, body included.
    pub timeout: Duration,
    /// Bodies are cut at this many bytes.
    pub max_body_bytes: usize,
    /// Hops followed when walking redirects.
    pub max_redirects: u32,
    /// User-Agent header.
    pub user_agent: String,
    /// Active probes send at most this many requests per second to one host.
    pub requests_per_second: u32,
    /// Active probes send at most this many requests in a run.
    pub request_budget: u32,
}

/// What the email checks expect of the mail domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The mail domain (default: the target's apex).
    pub domain: String,
    /// False for a parked domain that must refuse all mail.
    pub sends_mail: bool,
    /// DKIM selectors to query; empty means probing the well-known ones.
    pub dkim_selectors: Vec<String>,
    /// IPs that send mail for the domain; SPF must authorize each.
    pub senders: Vec<IpAddr>,
}

/// Where a login response carries the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// A JSON pointer into the response body, e.g. `/token`.
    JsonPointer(String),
    /// A response header.
    Header(String),
    /// A cookie set by the response.
    Cookie(String),
}

/// How a credential is attached to requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apply {
    /// A header with a prefix, e.g. `Authorization: Bearer <token>`.
    Header {
        /// Header name.
        name: String,
        /// Text before the token.
        prefix: String,
    },
    /// A cookie.
    Cookie(String),
}

/// Body of a login request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginBody {
    /// No body.
    None,
    /// A JSON object of string fields.
    Json(BTreeMap<String, Templated>),
    /// A form-encoded body.
    Form(BTreeMap<String, Templated>),
}

/// A declarative login request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// HTTP method.
    pub method: String,
    /// Absolute URL of the login endpoint.
    pub url: Url,
    /// The request body.
    pub body: LoginBody,
    /// Where the credential comes back.
    pub token: TokenSource,
}

/// How an identity obtains its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Logs in with a request.
    Login(Login),
    /// A static token from the environment.
    Static(Secret),
}

/// An account the audit can act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Name used by endpoints to refer to it.
    pub name: String,
    /// The organisation (tenant) it belongs to; IDOR tests pair identities of different orgs.
    pub org: Option<String>,
    /// How it gets its credential.
    pub credential: Credential,
    /// How the credential is attached.
    pub apply: Apply,
}

/// Whether an endpoint must refuse anonymous callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthRequirement {
    /// Anonymous callers must be refused.
    Required,
    /// Open to everyone by design.
    Public,
}

/// An API operation from `[[endpoints]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Display name.
    pub name: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Absolute URL template, with `{param}` placeholders.
    pub url: String,
    /// Whether auth is required.
    pub auth: AuthRequirement,
    /// The identity that owns the sample objects.
    pub identity: Option<String>,
    /// Sample object ids for `{id}`.
    pub ids: Vec<String>,
    /// Returns a list of objects.
    pub list: bool,
    /// Measured by the latency check.
    pub core: bool,
    /// p95 budget for this endpoint, overriding `[latency] budget-ms`.
    pub budget: Option<Duration>,
    /// Objects may be modified or deleted by active write probes.
    pub disposable: bool,
    /// A JSON body for writes.
    pub body: Option<serde_json::Value>,
}

/// `[cors]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsSettings {
    /// Origins that must keep working.
    pub allowed_origins: Vec<String>,
}

/// `[rate-limit]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Login endpoint URL.
    pub login_url: Option<Url>,
    /// Password reset endpoint URL.
    pub reset_url: Option<Url>,
    /// Field carrying the user name in the login body.
    pub username_field: String,
    /// Field carrying the password in the login body.
    pub password_field: String,
    /// Attempts in one burst.
    pub burst: u32,
}

/// `[secrets]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsSettings {
    /// Directories or files to scan (default: the config file's directory).
    pub paths: Vec<PathBuf>,
    /// Scan the full git history; `None` means "when a path is a git repository".
    pub history: Option<bool>,
    /// Build output directories; `None` means the usual ones when present.
    pub bundles: Option<Vec<PathBuf>>,
    /// Crawl the live site's same-origin scripts and source maps.
    pub live: bool,
    /// Baseline file of accepted fingerprints.
    pub baseline: Option<PathBuf>,
    /// Scan what is staged for commit instead of the working tree (`launchready secrets
    /// --staged`; not a config key).
    pub staged: bool,
}

/// `[latency]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySettings {
    /// Samples per endpoint.
    pub samples: u32,
    /// Warm-up requests per endpoint, not recorded.
    pub warmup: u32,
    /// Open-loop sending rate.
    pub rate_per_second: f64,
    /// Default p95 budget.
    pub budget: Duration,
}

/// `[uptime]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UptimeSettings {
    /// Health endpoints: the main one first.
    pub health: Vec<Url>,
    /// A substring the healthy body must contain.
    pub expect_body: Option<String>,
    /// How long a health answer may take.
    pub timeout: Duration,
    /// Public status page.
    pub status_page: Option<Url>,
}

/// An old URL that must redirect to a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRule {
    /// The old URL.
    pub from: Url,
    /// The expected final URL.
    pub to: Url,
    /// The expected status of the first hop, if pinned.
    pub status: Option<u16>,
}

/// An accepted risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRule {
    /// Check id it applies to.
    pub check: String,
    /// Only findings whose subject contains this text; all findings of the check when absent.
    pub subject: Option<String>,
    /// Why it is accepted.
    pub reason: String,
    /// Last day it holds.
    pub until: Option<time::Date>,
}

/// A validated target description.
#[derive(Debug, Clone)]
pub struct Target {
    /// The config file, when loaded from one.
    pub source: Option<PathBuf>,
    /// Directory relative paths are resolved against.
    pub base_dir: PathBuf,
    /// Display name.
    pub name: String,
    /// The main URL of the product.
    pub base_url: Url,
    /// Every host to check (lowercase).
    pub hosts: Vec<String>,
    /// Hosts active probes and credentials may reach.
    pub scope: Vec<HostPattern>,
    /// The host every other host should redirect to.
    pub canonical_host: String,
    /// An OpenAPI document (path or URL) listing the API's operations.
    pub openapi: Option<String>,
    /// Active probes may modify or delete objects of endpoints marked `disposable` (idor writes).
    pub write_probes: bool,
    /// DNS settings.
    pub dns: DnsSettings,
    /// TLS settings.
    pub tls: TlsSettings,
    /// HTTP settings.
    pub http: HttpSettings,
    /// Email settings, when the section is present.
    pub email: Option<EmailSettings>,
    /// Test accounts.
    pub identities: Vec<Identity>,
    /// API operations.
    pub endpoints: Vec<Endpoint>,
    /// CORS settings.
    pub cors: Option<CorsSettings>,
    /// Rate-limit probe settings.
    pub rate_limit: Option<RateLimitSettings>,
    /// Secret scanning settings.
    pub secrets: Option<SecretsSettings>,
    /// Latency sampling settings.
    pub latency: LatencySettings,
    /// Uptime settings.
    pub uptime: Option<UptimeSettings>,
    /// Redirects that must exist.
    pub redirects: Vec<RedirectRule>,
    /// Accepted risks.
    pub accept: Vec<AcceptRule>,
}

impl Target {
    /// True when `host` is in the declared scope.
    pub fn in_scope(&self, host: &str) -> bool {
        self.scope.iter().any(|p| p.matches(host))
    }

    /// The registrable apex: the shortest host suffix shared with the canonical host's parent.
    pub fn apex(&self) -> String {
        apex_of(&self.canonical_host)
    }

    /// Looks up an identity by name.
    pub fn identity(&self, name: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.name == name)
    }

    /// Resolves a path relative to the config file's directory.
    pub fn resolve_path(&self, path: &Path) -> PathBuf {
        self.base_dir.join(path)
    }
}

/// Strips a leading `www.` to find the apex of a host.
pub fn apex_of(host: &str) -> String {
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

/// Looks up environment variables for `${VAR}` references.
pub trait Env {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Reads and validates a config file.
pub fn load(path: &Path, env: &dyn Env) -> Result<Target, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path, env)
}

/// Validates config text; `path` names the file in diagnostics and anchors relative paths.
pub fn parse(text: &str, path: &Path, env: &dyn Env) -> Result<Target, ConfigError> {
    validate::parse(text, path, env)
}
