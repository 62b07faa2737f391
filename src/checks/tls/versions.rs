//! `tls-versions`: each host speaks TLS 1.2 and/or 1.3 and refuses SSL 3.0, TLS 1.0 and TLS 1.1.
//! The modern versions are tried with rustls (the shared handshake, then one offering only 1.2);
//! the legacy ones with a hand-built ClientHello, reading the ServerHello or the alert.
//!
//! Reference: RFC 8996 (deprecating TLS 1.0 and 1.1); RFC 7568 (deprecating SSL 3.0); Mozilla
//! Server Side TLS guidelines.

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::tls::{LegacyVersion, ProbeError};

use super::{dialled, per_host};

/// Metadata of the `tls-versions` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-versions",
    title: "Only TLS 1.2 and 1.3 are offered",
    category: Category::Tls,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "TLS 1.0 and 1.1 lack modern cipher suites and are deprecated by RFC 8996; accepting them invites downgrade attacks and fails PCI DSS. A server without TLS 1.2 or 1.3 cannot be reached by current clients at all.",
    breaks: "Compliance scans (PCI DSS, SSL Labs) fail, old clients are kept on weak cryptography, and without 1.2+ current browsers cannot connect.",
    remediation: "Set the minimum protocol version to TLS 1.2 on every listener, load balancer and CDN (e.g. nginx `ssl_protocols TLSv1.2 TLSv1.3;`).",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc8996",
        "https://www.rfc-editor.org/rfc/rfc7568",
        "https://wiki.mozilla.org/Security/Server_Side_TLS",
    ],
};

/// Builds the check: it probes every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(TlsVersions {
        hosts: target.hosts.clone(),
    }))
}

struct TlsVersions {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for TlsVersions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        per_host(&self.hosts, |host| async move {
            vec![probe_host(ctx, &host).await]
        })
        .await
    }
}

async fn probe_host(ctx: &Context, host: &str) -> Finding {
    let tls = &ctx.net.tls;
    let shared = tls.probe(host).await;
    if let Err(e @ (ProbeError::Dns { .. } | ProbeError::Connect { .. })) = &shared.result {
        return Finding::error(
            &META,
            Subject::host(host),
            format!("cannot probe TLS versions of {host}: {e}"),
        )
        .evidence("dialled", dialled(&shared));
    }
    let mut offered = Vec::new();
    let mut modern_evidence = Vec::new();
    match &shared.result {
        Ok(h) if h.completed.is_ok() => {
            if let Some(version) = &h.version {
                offered.push(version.clone());
            }
        }
        Ok(h) => modern_evidence.push(format!(
            "TLS 1.2/1.3: {}",
            h.completed.as_ref().err().map_or("", String::as_str)
        )),
        Err(e) => modern_evidence.push(format!("TLS 1.2/1.3: {e}")),
    }
    if !offered.iter().any(|v| v == "TLS 1.2") {
        let only12 = tls.probe_tls12_only(host).await;
        match &only12.result {
            Ok(h) if h.completed.is_ok() => offered.push("TLS 1.2".to_string()),
            Ok(h) => modern_evidence.push(format!(
                "TLS 1.2 only: {}",
                h.completed.as_ref().err().map_or("", String::as_str)
            )),
            Err(e) => modern_evidence.push(format!("TLS 1.2 only: {e}")),
        }
    }
    let mut accepted = Vec::new();
    let mut answers = Vec::new();
    for version in LegacyVersion::ALL {
        let answer = tls.probe_legacy(host, version).await;
        let text = match &answer {
            Ok(a) => a.describe(),
            Err(e) => e.to_string(),
        };
        if matches!(&answer, Ok(a) if a.accepts(version)) {
            accepted.push(version.name());
        }
        answers.push(format!("{}: {text}", version.name()));
    }
    let subject = Subject::host(host);
    let legacy_evidence = answers.join("; ");
    if offered.is_empty() {
        let mut finding = Finding::fail(
            &META,
            subject,
            format!(
                "{host} negotiates neither TLS 1.2 nor TLS 1.3; current clients cannot connect"
            ),
        )
        .severity(Severity::Critical)
        .evidence("legacy probes", legacy_evidence)
        .remediation("enable TLS 1.2 and 1.3 on the listener");
        for line in modern_evidence {
            finding = finding.evidence("modern handshake", line);
        }
        return finding;
    }
    let offered_text = offered.join(", ");
    if accepted.is_empty() {
        Finding::pass(
            &META,
            subject,
            format!("{host} offers {offered_text} and refuses SSL 3.0, TLS 1.0 and TLS 1.1"),
        )
        .evidence("legacy probes", legacy_evidence)
    } else {
        Finding::fail(
            &META,
            subject,
            format!(
                "{host} accepts {}, deprecated by RFC 8996; it also offers {offered_text}",
                accepted.join(" and ")
            ),
        )
        .evidence("legacy probes", legacy_evidence)
        .remediation(format!(
            "set the minimum TLS version to 1.2 for {host} on its server, load balancer or CDN"
        ))
    }
}
