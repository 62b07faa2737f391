//! The built-in sample world behind `launchready demo` and the integration tests: the Acme portal
//! over HTTP and HTTPS, a CA it trusts, and a DNS authority that maps its names to 127.0.0.1.
//! Everything binds to 127.0.0.1 on port 0 and stops when dropped.

pub mod dns;
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
];

/// The zone for the sample's apex in the given variant, every host on 127.0.0.1.
pub fn zone(variant: Variant) -> String {
    let _ = variant;
    format!(
        "$ORIGIN {APEX}.\n$TTL 60\n@ IN SOA ns.{APEX}. hostmaster.{APEX}. 1 3600 600 86400 60\n@ IN NS ns.{APEX}.\nns IN A 127.0.0.1\n@ IN A 127.0.0.1\nwww IN A 127.0.0.1\napi IN A 127.0.0.1\nstatus IN A 127.0.0.1\n"
    )
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
        let leaf = ca.issue(&LeafSpec::valid(HOSTS)).map_err(err)?;
        let tls = leaf.server_config().map_err(io::Error::other)?;
        let portal = Portal::start(variant, tls).await?;
        let zone = zone(variant);
        let dns = DnsAuthority::start(&[(APEX, &zone)]).await?;
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
            env: BTreeMap::new(),
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
hosts = ["{APEX}", "www.{APEX}", "api.{APEX}"]
scope = ["{APEX}", "*.{APEX}"]

[dns]
nameservers = ["{dns}"]

[tls]
extra-ca = "ca.pem"

[http]
http-port = {http}
https-port = {https}
timeout-ms = 5000

[uptime]
health = "/healthz"
expect-body = "\"status\":\"ok\""
status-page = "https://status.{APEX}/"

[secrets]
paths = ["sample-repo"]
live = true
"#,
        dns = dns.addr,
        http = portal.http_addr.port(),
        https = portal.https_addr.port(),
    )
}
