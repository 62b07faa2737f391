//! Fixtures for the email checks: small zones served by an in-process DNS authority on loopback,
//! a config pointing `[dns]` at it, and an in-process audit of one check.

use std::path::Path;

use launchready::check::{Finding, Status};
use launchready::demo::DnsAuthority;
use launchready::scorecard::{CheckRow, Scorecard};

/// Zone text for `origin` with an SOA, an NS and the given record lines (relative names).
pub fn zone(origin: &str, records: &[&str]) -> String {
    let mut text = format!(
        "$ORIGIN {origin}.\n$TTL 60\n@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n"
    );
    for record in records {
        text.push_str(record);
        text.push('\n');
    }
    text
}

/// Serves the zones, each `(origin, records)`.
pub async fn authority(zones: &[(&str, Vec<String>)]) -> DnsAuthority {
    let texts: Vec<(String, String)> = zones
        .iter()
        .map(|(origin, records)| {
            let refs: Vec<&str> = records.iter().map(String::as_str).collect();
            (origin.to_string(), zone(origin, &refs))
        })
        .collect();
    let pairs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    DnsAuthority::start(&pairs)
        .await
        .expect("the test authority starts")
}

/// Audits `domain` with check `id` against the authority; `email` is the body of `[email]`
/// (besides `domain`), `extra` more config sections; files in `dir` are relative to the config.
pub async fn audit(
    dns: &DnsAuthority,
    dir: &Path,
    id: &str,
    domain: &str,
    email: &str,
    extra: &str,
) -> Scorecard {
    let config = format!(
        "[target]\nbase-url = \"https://{domain}\"\nscope = [\"*.test\"]\n\n[dns]\nnameservers = [\"{}\"]\ntimeout-ms = 2000\n\n{extra}\n[email]\ndomain = \"{domain}\"\n{email}\n",
        dns.addr
    );
    let path = dir.join(format!("{id}-{domain}.toml"));
    std::fs::write(&path, config).expect("the config is written");
    let env = std::collections::BTreeMap::new();
    let target = launchready::config::load(&path, &env).expect("the fixture config is valid");
    let net = launchready::net::Net::new(&target).expect("the clients build");
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec![id.to_string()];
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

/// The row of `id`, which must have run.
pub fn row<'a>(card: &'a Scorecard, id: &str) -> &'a CheckRow {
    card.row(id).expect("the check has a row")
}

/// Findings of the row whose subject mentions `subject` and whose status is `status`.
pub fn with<'a>(row: &'a CheckRow, subject: &str, status: Status) -> Vec<&'a Finding> {
    row.findings
        .iter()
        .filter(|f| f.status == status && f.subject.to_string().contains(subject))
        .collect()
}

/// The evidence value labelled `label`, if any.
pub fn evidence<'a>(finding: &'a Finding, label: &str) -> Option<&'a str> {
    finding
        .evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
}
