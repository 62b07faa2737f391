//! The built-in sample world behind `launchready demo` and the integration tests: the Acme portal
//! over HTTP and HTTPS, a CA it trusts, and a DNS authority that maps its names to 127.0.0.1.
//! Everything binds to 127.0.0.1 on port 0 and stops when dropped.

pub mod dns;
pub mod mail;
pub mod pki;
pub mod portal;
pub mod sample_repo;

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

pub use dns::DnsAuthority;
pub use pki::{Leaf, LeafSpec, TestCa};
pub use portal::{Portal, Variant};

/// The sample's apex domain (`.test` is reserved: it never resolves on the public internet).
pub const APEX: &str = "acme.test";

/// Hosts the sample portal serves.
pub const HOSTS: &[&str] = &[
    "acme.test",
    "www.acme.test",
    "api.acme.test",
    "status.acme.test",
    "app.acme.test",
    "shop.acme.test",
    "legacy.acme.test",
    "mta-sts.acme.test",
];

/// A second zone, a stand-in for a SaaS provider the shop host is a CNAME to.
pub const SAAS_ZONE: &str = "saas.test";

/// The SaaS zone: the flawed variant's shop tenant was deleted, so the CNAME dangles.
pub fn saas_zone(variant: Variant) -> String {
    let tenant = match variant {
        Variant::Flawed => "",
        Variant::Hardened => "acme-shop IN A 127.0.0.1\n",
    };
    format!(
        "$ORIGIN {SAAS_ZONE}.\n$TTL 60\n@ IN SOA ns.{SAAS_ZONE}. hostmaster.{SAAS_ZONE}. 1 3600 600 86400 60\n@ IN NS ns.{SAAS_ZONE}.\nns IN A 127.0.0.1\n{tenant}"
    )
}

/// The zone for the sample's apex in the given variant, every host on 127.0.0.1.
pub fn zone(variant: Variant) -> String {
    let mut zone = format!(
        "$ORIGIN {APEX}.\n$TTL 60\n@ IN SOA ns.{APEX}. hostmaster.{APEX}. 1 3600 600 86400 60\n@ IN NS ns.{APEX}.\nns IN A 127.0.0.1\n@ IN A 127.0.0.1\nwww IN A 127.0.0.1\napi IN A 127.0.0.1\nstatus IN A 127.0.0.1\napp IN A 127.0.0.1\nlegacy IN A 127.0.0.1\nshop IN CNAME acme-shop.{SAAS_ZONE}.\n{caa}",
        caa = portal::tls::caa_record(variant),
    );
    zone.push_str(spf_mx_records(variant));
    zone.push_str(&mail::zone_records(variant));
    zone
}

/// SPF and MX: the flawed apex authorizes everyone (`+all`), uses `ptr`, needs 13 lookups through
/// nested includes, and its MX points at a CNAME; the hardened one lists its sender and ends in
/// `-all` within 2 lookups, with an MX that names the host itself.
fn spf_mx_records(variant: Variant) -> &'static str {
    match variant {
        Variant::Flawed => concat!(
            "@ IN MX 10 mx.acme.test.\n",
            "mx IN CNAME mail.acme.test.\n",
            "mail IN A 127.0.0.1\n",
            "@ IN TXT \"v=spf1 mx ptr include:_spf.acme.test +all\"\n",
            "_spf IN TXT \"v=spf1 a:mail.acme.test a:mail.acme.test include:_spf2.acme.test\"\n",
            "_spf2 IN TXT \"v=spf1 a:mail.acme.test a:mail.acme.test a:mail.acme.test mx:acme.test include:_spf3.acme.test\"\n",
            "_spf3 IN TXT \"v=spf1 a:mail.acme.test a:mail.acme.test ~all\"\n",
        ),
        Variant::Hardened => concat!(
            "@ IN MX 10 mail.acme.test.\n",
            "mail IN A 127.0.0.1\n",
            "@ IN TXT \"v=spf1 mx include:_spf.acme.test -all\"\n",
            "_spf IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n",
        ),
    }
}

/// A running sample world with its generated config file.
pub struct DemoWorld {
    /// Which variant runs.
    pub variant: Variant,
    /// The generated config file.
    pub config_path: PathBuf,
    /// Its text.
    pub config_text: String,
    /// Environment the config's `${VAR}` references resolve against.
    pub env: BTreeMap<String, String>,
    /// The portal.
    pub portal: Portal,
    /// The DNS authority.
    pub dns: DnsAuthority,
    /// The CA the config trusts.
    pub ca: TestCa,
    _dir: tempfile::TempDir,
}

impl DemoWorld {
    /// Starts the portal, its DNS and PKI, and writes a config for them into a temporary directory.
    pub async fn start(variant: Variant) -> io::Result<Self> {
        let err = |e: rcgen::Error| io::Error::other(e.to_string());
        let ca = TestCa::new("Acme Test Root CA").map_err(err)?;
        let tls = portal::tls::server_config(variant, &ca).map_err(io::Error::other)?;
        let portal = Portal::start(variant, tls).await?;
        let zone = zone(variant);
        let saas = saas_zone(variant);
        let dns = DnsAuthority::start(&[(APEX, &zone), (SAAS_ZONE, &saas)]).await?;
        let dir = tempfile::Builder::new()
            .prefix("launchready-demo-")
            .tempdir()?;
        std::fs::write(dir.path().join("ca.pem"), ca.cert_pem())?;
        sample_repo::write(&dir.path().join("sample-repo"), variant)?;
        let config_text = config_text(variant, &portal, &dns);
        let config_path = dir.path().join("checks.toml");
        std::fs::write(&config_path, &config_text)?;
        Ok(DemoWorld {
            variant,
            config_path,
            config_text,
            env: portal::api::credentials_env(),
            portal,
            dns,
            ca,
            _dir: dir,
        })
    }
}

fn config_text(variant: Variant, portal: &Portal, dns: &DnsAuthority) -> String {
    let label = match variant {
        Variant::Flawed => "flawed",
        Variant::Hardened => "hardened",
    };
    format!(
        r#"# launchready demo: the Acme sample portal ({label}), served on loopback.
[target]
name = "Acme portal ({label} sample)"
base-url = "https://{APEX}"
hosts = ["{APEX}", "www.{APEX}", "api.{APEX}", "app.{APEX}", "shop.{APEX}", "legacy.{APEX}"]
scope = ["{APEX}", "*.{APEX}"]
openapi = "https://{APEX}/openapi.json"
write-probes = true

[dns]
nameservers = ["{dns}"]

[tls]
extra-ca = "ca.pem"
caa-issuer = "{caa_issuer}"

[http]
http-port = {http}
https-port = {https}
timeout-ms = 5000
requests-per-second = 50

[email]
domain = "{APEX}"
senders = ["127.0.0.1"]

[uptime]
health = "/healthz"
extra-health = ["https://api.{APEX}/readyz"]
expect-body = "\"status\":\"ok\""
status-page = "https://status.{APEX}/"

[[redirects]]
from = "/pricing.html"
to = "/pricing"
status = 301

[[redirects]]
from = "/old-blog"
to = "/blog"

# Operations: core reads sampled by `latency` (kept short so the demo stays quick).
[latency]
samples = 40
warmup = 3
rate-per-second = 25.0

[[endpoints]]
name = "catalog"
path = "https://api.{APEX}/api/catalog"
auth = "public"
core = true
budget-ms = 300

[[endpoints]]
name = "search"
path = "https://api.{APEX}/api/search?q=widget"
auth = "public"
core = true

[secrets]
paths = ["sample-repo"]
live = true
{api}"#,
        api = portal::api::config_sections(),
        dns = dns.addr,
        http = portal.http_addr.port(),
        https = portal.https_addr.port(),
        caa_issuer = portal::tls::DEMO_CAA_ISSUER,
    )
}
