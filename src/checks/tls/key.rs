//! `tls-key`: each host's leaf key is strong enough (RSA ≥ 2048 bits, EC ≥ 256 bits) and no
//! certificate the server sends is signed with SHA-1 or MD5.
//!
//! Reference: NIST SP 800-131A Rev. 2 (key lengths, SHA-1 retirement); CA/Browser Forum Baseline
//! Requirements §6.1.5 and §7.1.3.

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::tls::{KeyInfo, KeyKind, TlsProbe};

use super::{dialled, handshake_or_error, per_host};

/// Metadata of the `tls-key` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-key",
    title: "Certificate key and signatures are strong",
    category: Category::Tls,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "RSA keys under 2048 bits can be factored with affordable compute and SHA-1 signatures can be forged by collision; modern clients reject both.",
    breaks: "Modern browsers and TLS libraries refuse the handshake, and an attacker with the means can impersonate the site.",
    remediation: "Reissue the certificate with an ECDSA P-256 (or RSA 2048+) key and a SHA-256 signature; drop SHA-1 intermediates from the chain.",
    references: &[
        "https://csrc.nist.gov/pubs/sp/800/131/a/r2/final",
        "https://cabforum.org/working-groups/server/baseline-requirements/",
    ],
};

/// Builds the check: it judges the certificate of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(TlsKey {
        hosts: target.hosts.clone(),
    }))
}

struct TlsKey {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for TlsKey {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        per_host(&self.hosts, |host| async move {
            judge(&*ctx.net.tls.probe(&host).await)
        })
        .await
    }
}

/// Why a key is too weak, or `None` when it is strong enough.
pub fn weakness(key: &KeyInfo) -> Option<String> {
    match key.kind {
        KeyKind::Rsa if key.bits < 2048 => {
            Some(format!("RSA key of {} bits is below 2048", key.bits))
        }
        KeyKind::Ec if key.bits < 256 => Some(format!("EC key of {} bits is below 256", key.bits)),
        _ => None,
    }
}

fn judge(probe: &TlsProbe) -> Vec<Finding> {
    let handshake = match handshake_or_error(&META, probe) {
        Ok(h) => h,
        Err(finding) => return vec![*finding],
    };
    let host = &probe.host;
    let subject = || Subject::host(host);
    let leaf = match handshake.leaf() {
        Ok(leaf) => leaf,
        Err(e) => {
            return vec![
                Finding::error(
                    &META,
                    subject(),
                    format!("cannot read the certificate of {host}: {e}"),
                )
                .evidence("dialled", dialled(probe)),
            ];
        }
    };
    let mut findings = Vec::new();
    if let Some(why) = weakness(&leaf.key) {
        let mut finding = Finding::fail(
            &META,
            subject(),
            format!("certificate for {host} has a weak key: {why}"),
        )
        .evidence("key", leaf.key.describe())
        .remediation(format!(
            "reissue the certificate for {host} with an ECDSA P-256 or RSA 2048+ key"
        ));
        if let Some(signature) = &handshake.signature_error {
            finding = finding.evidence(
                "handshake signature",
                format!("rejected by rustls: {signature}"),
            );
        }
        findings.push(finding);
    } else if let KeyKind::Other(oid) = &leaf.key.kind {
        findings.push(
            Finding::inconclusive(
                &META,
                subject(),
                format!(
                    "certificate for {host} uses key algorithm {oid}, which launchready cannot size"
                ),
            )
            .evidence("key", leaf.key.describe()),
        );
    } else if let Some(signature) = &handshake.signature_error {
        findings.push(
            Finding::fail(&META, subject(), format!("{host} signed the handshake with a key or scheme its certificate does not support: {signature}"))
                .evidence("key", leaf.key.describe())
                .remediation("serve the private key that matches the certificate, with a SHA-256 (or stronger) signature scheme"),
        );
    }
    // The last certificate may be a root sent along; its self-signature does not matter.
    for (position, cert) in handshake.chain.iter().enumerate() {
        let Ok(cert) = cert else { continue };
        let sent_root = position > 0 && cert.self_issued;
        if cert.weak_signature && !sent_root {
            findings.push(
                Finding::fail(
                    &META,
                    subject(),
                    format!("{} in the chain of {host} is signed with {}, a broken hash", cert.subject, cert.signature_algorithm),
                )
                .evidence("signature", cert.signature_algorithm.clone())
                .remediation("reissue the certificate (or replace the intermediate) with a SHA-256 signature"),
            );
        }
    }
    if findings.is_empty() {
        findings.push(
            Finding::pass(
                &META,
                subject(),
                format!(
                    "certificate for {host} has key {} and signature {}",
                    leaf.key.describe(),
                    leaf.signature_algorithm
                ),
            )
            .evidence("key", leaf.key.describe())
            .evidence("signature", leaf.signature_algorithm.clone()),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_size_floors() {
        let key = |kind, bits| KeyInfo { kind, bits };
        assert!(weakness(&key(KeyKind::Rsa, 1024)).is_some());
        assert!(weakness(&key(KeyKind::Rsa, 2048)).is_none());
        assert!(weakness(&key(KeyKind::Ec, 224)).is_some());
        assert!(weakness(&key(KeyKind::Ec, 256)).is_none());
        assert!(weakness(&key(KeyKind::Edwards, 256)).is_none());
    }
}
