//! The TOML schema as written by users: serde types, one per section, before validation.
//!
//! Keys are kebab-case. Values that validation must point at keep their span (`Spanned`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[target]`: what is audited and which hosts may be probed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawTarget {
    pub name: Option<String>,
    pub base_url: Spanned<String>,
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    #[serde(default)]
    pub scope: Vec<Spanned<String>>,
    pub canonical_host: Option<Spanned<String>>,
    pub openapi: Option<Spanned<String>>,
    #[serde(default)]
    pub write_probes: bool,
}

/// `[dns]`: which nameservers answer the audit's queries.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawDns {
    #[serde(default)]
    pub nameservers: Vec<Spanned<String>>,
    pub timeout_ms: Option<Spanned<u64>>,
}

/// `[tls]`: extra trust anchor and certificate expiry thresholds.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawTls {
    pub extra_ca: Option<Spanned<String>>,
    pub expiry_critical_days: Option<Spanned<i64>>,
    pub expiry_high_days: Option<Spanned<i64>>,
    pub expiry_medium_days: Option<Spanned<i64>>,
    pub caa_issuer: Option<Spanned<String>>,
}

/// `[http]`: ports, timeouts and limits for every HTTP request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawHttp {
    pub http_port: Option<Spanned<u16>>,
    pub https_port: Option<Spanned<u16>>,
    pub connect_timeout_ms: Option<Spanned<u64>>,
    pub timeout_ms: Option<Spanned<u64>>,
    pub max_body_bytes: Option<Spanned<u64>>,
    pub max_redirects: Option<Spanned<u32>>,
    pub user_agent: Option<String>,
    pub requests_per_second: Option<Spanned<u32>>,
    pub request_budget: Option<Spanned<u32>>,
}

/// `[email]`: the mail domain and what it is expected to do.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawEmail {
    pub domain: Option<Spanned<String>>,
    pub sends_mail: Option<bool>,
    #[serde(default)]
    pub dkim_selectors: Vec<Spanned<String>>,
    #[serde(default)]
    pub senders: Vec<Spanned<String>>,
}

/// `[[identities]]`: an account the audit can log in as.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawIdentity {
    pub name: Spanned<String>,
    pub org: Option<String>,
    pub login: Option<RawLogin>,
    pub token: Option<RawTokenSource>,
    pub bearer: Option<Spanned<String>>,
    pub apply: Option<RawApply>,
}

/// `[identities.login]`: the login request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawLogin {
    pub method: Option<Spanned<String>>,
    pub url: Spanned<String>,
    pub json: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pub form: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
}

/// `[identities.token]`: where the login response carries the credential.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawTokenSource {
    pub json_pointer: Option<Spanned<String>>,
    pub header: Option<Spanned<String>>,
    pub cookie: Option<Spanned<String>>,
}

/// `[identities.apply]`: how the credential is sent on later requests.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawApply {
    pub header: Option<Spanned<String>>,
    pub prefix: Option<String>,
    pub cookie: Option<Spanned<String>>,
}

/// `[[endpoints]]`: an API operation to audit.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawEndpoint {
    pub name: Option<String>,
    pub method: Option<Spanned<String>>,
    pub path: Spanned<String>,
    pub auth: Option<Spanned<String>>,
    pub identity: Option<Spanned<String>>,
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(default)]
    pub list: bool,
    #[serde(default)]
    pub core: bool,
    pub budget_ms: Option<Spanned<u64>>,
    #[serde(default)]
    pub disposable: bool,
    pub body: Option<toml::Value>,
}

/// `[cors]`: the origins allowed to call the API from a browser.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawCors {
    #[serde(default)]
    pub allowed_origins: Vec<Spanned<String>>,
}

/// `[rate-limit]`: the login and reset endpoints to burst-test.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawRateLimit {
    pub login_path: Option<Spanned<String>>,
    pub reset_path: Option<Spanned<String>>,
    pub username_field: Option<String>,
    pub password_field: Option<String>,
    pub burst: Option<Spanned<u32>>,
}

/// `[secrets]`: what the secret scanner reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawSecrets {
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    pub history: Option<bool>,
    pub bundles: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub live: bool,
    pub baseline: Option<Spanned<String>>,
}

/// `[latency]`: sampling plan and budgets.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawLatency {
    pub samples: Option<Spanned<u32>>,
    pub warmup: Option<Spanned<u32>>,
    pub rate_per_second: Option<Spanned<f64>>,
    pub budget_ms: Option<Spanned<u64>>,
}

/// `[uptime]`: health endpoints and status page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawUptime {
    pub health: Spanned<String>,
    #[serde(default)]
    pub extra_health: Vec<Spanned<String>>,
    pub expect_body: Option<String>,
    pub timeout_ms: Option<Spanned<u64>>,
    pub status_page: Option<Spanned<String>>,
}

/// `[[redirects]]`: an old URL that must map to a new one.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawRedirect {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub status: Option<Spanned<u16>>,
}

/// `[[accept]]`: a risk the team accepted, until a date.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawAccept {
    pub check: Spanned<String>,
    pub subject: Option<String>,
    pub reason: Spanned<String>,
    pub until: Option<Spanned<toml::value::Datetime>>,
}
