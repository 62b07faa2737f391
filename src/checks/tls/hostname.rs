//! `tls-hostname`: the certificate each host presents names that host in its subjectAltName
//! (a wildcard stands for exactly one label).
//!
//! Reference: RFC 6125 §6.4 (matching the DNS-ID); RFC 5280 §4.2.1.6 (subjectAltName).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::tls::TlsProbe;

use super::{dialled, handshake_or_error, per_host};

/// Metadata of the `tls-hostname` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-hostname",
    title: "Certificate covers every host",
    category: Category::Tls,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "Clients accept a certificate only for the names in its subjectAltName; a host missing from it is a name-mismatch error on every visit, whatever the rest of the chain looks like.",
    breaks: "Visitors of the uncovered host get a certificate warning and API clients refuse to connect; often noticed only when a new subdomain goes live.",
    remediation: "Reissue the certificate with every served host in its subjectAltName (or a wildcard for one level of subdomains) and serve it for those names (SNI).",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc6125#section-6.4",
        "https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6",
    ],
};

/// Builds the check: it judges the certificate of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(TlsHostname {
        hosts: target.hosts.clone(),
    }))
}

struct TlsHostname {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for TlsHostname {
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
    let leaf = match handshake.leaf() {
        Ok(leaf) => leaf,
        Err(e) => {
            return Finding::error(
                &META,
                subject,
                format!("cannot read the certificate of {}: {e}", probe.host),
            )
            .evidence("dialled", dialled(probe));
        }
    };
    let names = if leaf.dns_names.is_empty() {
        "no DNS names".to_string()
    } else {
        leaf.dns_names.join(", ")
    };
    if leaf.covers(&probe.host) {
        Finding::pass(
            &META,
            subject,
            format!(
                "certificate for {} names it (subjectAltName: {names})",
                probe.host
            ),
        )
        .evidence("subjectAltName", names)
    } else {
        Finding::fail(
            &META,
            subject,
            format!(
                "certificate served for {} does not cover it: its subjectAltName lists {names}",
                probe.host
            ),
        )
        .evidence("subjectAltName", names)
        .evidence("subject", leaf.subject.clone())
        .evidence("dialled", dialled(probe))
        .remediation(format!(
            "reissue the certificate with {} in its subjectAltName and serve it for that SNI name",
            probe.host
        ))
    }
}
