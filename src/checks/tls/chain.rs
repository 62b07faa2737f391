//! `tls-chain`: the certificate chain each host presents (with SNI) leads to a trusted root: the
//! web PKI roots (webpki-roots) plus the config's extra CA.
//!
//! Reference: RFC 5280 §6 (certification path validation); RFC 8446 §4.4.2 (the server sends its
//! chain); OWASP ASVS V9.1.

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::tls::TlsProbe;

use super::{dialled, handshake_or_error, negotiated, per_host};

/// Metadata of the `tls-chain` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-chain",
    title: "Certificate chain is trusted",
    category: Category::Tls,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "Browsers and API clients refuse a certificate that does not chain to a trusted root; a self-signed or privately issued certificate, or a chain missing its intermediate, looks like an attack to every visitor.",
    breaks: "Visitors get a full-page certificate warning, API clients and webhooks fail outright, and users are trained to click through warnings.",
    remediation: "Serve a certificate from a public CA (e.g. Let's Encrypt via ACME) and configure the full chain (leaf followed by its intermediates) on the server or load balancer.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc5280#section-6",
        "https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Builds the check: it handshakes with every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(TlsChain {
        hosts: target.hosts.clone(),
    }))
}

struct TlsChain {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for TlsChain {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        per_host(&self.hosts, |host| async move {
            vec![judge(&*ctx.net.tls.probe(&host).await)]
        })
        .await
    }
}

fn judge(probe: &TlsProbe) -> Finding {
    let handshake = match handshake_or_error(&META, probe) {
        Ok(h) => h,
        Err(finding) => return *finding,
    };
    let subject = Subject::host(&probe.host);
    let chain: Vec<String> = handshake
        .chain
        .iter()
        .map(|c| match c {
            Ok(cert) => format!("{} (issued by {})", cert.subject, cert.issuer),
            Err(e) => e.clone(),
        })
        .collect();
    let chain_text = chain.join(" ← ");
    let leaf = handshake.leaf();
    match &handshake.trust {
        Ok(()) => {
            let finding = Finding::pass(
                &META,
                subject,
                format!(
                    "certificate chain for {} is trusted ({} certificate{}, issuer {})",
                    probe.host,
                    chain.len(),
                    if chain.len() == 1 { "" } else { "s" },
                    leaf.map_or_else(|e| e, |l| l.issuer_display()),
                ),
            )
            .evidence("chain", chain_text)
            .evidence("negotiated", negotiated(handshake))
            .evidence("dialled", dialled(probe));
            // A trusted chain whose leaf is out of date or for another name: tls-expiry and
            // tls-hostname judge those; say so here too.
            match &handshake.verdict {
                Err(verdict) => finding.evidence(
                    "full verdict",
                    format!("{verdict} (see tls-expiry and tls-hostname)"),
                ),
                Ok(()) => finding,
            }
        }
        Err(reason) => {
            let (message, fix) = match leaf {
                Ok(leaf) if leaf.self_issued && handshake.chain.len() == 1 => (
                    format!("certificate for {} is self-signed ({}); no client trusts it", probe.host, leaf.subject),
                    "replace the self-signed certificate with one from a public CA (ACME / Let's Encrypt) or, for internal hosts, your internal CA distributed to every client".to_string(),
                ),
                Ok(leaf) if handshake.chain.len() == 1 => (
                    format!(
                        "certificate chain for {} is untrusted: the server sent only the leaf, issued by {}, which is not a trusted root",
                        probe.host,
                        leaf.issuer_display()
                    ),
                    "configure the full chain file (leaf then intermediates), or get a certificate from a CA clients trust".to_string(),
                ),
                Ok(leaf) => (
                    format!(
                        "certificate chain for {} is untrusted: its issuer {} does not lead to a trusted root",
                        probe.host,
                        leaf.issuer_display()
                    ),
                    "get the certificate from a CA clients trust and serve its full chain".to_string(),
                ),
                Err(e) => (
                    format!("certificate chain for {} is untrusted ({reason}); the leaf is unreadable: {e}", probe.host),
                    "serve a well-formed certificate from a public CA".to_string(),
                ),
            };
            Finding::fail(&META, subject, message)
                .evidence("chain", chain_text)
                .evidence("verdict", reason.clone())
                .evidence("dialled", dialled(probe))
                .remediation(fix)
        }
    }
}
