//! `caa`: CAA records exist for every host (RFC 8659 tree climb: the host, then each parent) and
//! allow the CA that issued the certificate the host serves today.
//!
//! The issuer is mapped to its CAA issuer-domain from the certificate's issuer organisation for
//! the public CAs listed in [`KNOWN_ISSUERS`]; any other issuer (a private or staging CA) maps to
//! `[tls] caa-issuer` when configured, else the check cannot decide and says so.
//!
//! Reference: RFC 8659 (DNS Certification Authority Authorization); CA/Browser Forum Baseline
//! Requirements §3.2.2.8.

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::dns::{DnsOutcome, RData, RecordType};

/// Metadata of the `caa` check.
pub static META: CheckMeta = CheckMeta {
    id: "caa",
    title: "CAA records allow only the CA in use",
    category: Category::Domain,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "CAA tells every public CA which of them may issue certificates for the domain; without it any of the hundreds of CAs can be tricked into issuing one, and a CAA set that excludes the current CA blocks the next renewal.",
    breaks: "Without CAA a mis-issued certificate for the domain is easier to obtain; with a CAA set that omits the CA in use, renewal fails and the site goes down when the certificate expires.",
    remediation: "Publish CAA records at the apex naming the CA(s) you use, e.g. `example.com. CAA 0 issue \"letsencrypt.org\"`, plus an iodef contact; add `issuewild` if wildcards come from elsewhere.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc8659",
        "https://cabforum.org/working-groups/server/baseline-requirements/",
    ],
};

/// Public CAs by a word of their issuer organisation, with the CAA issuer-domains they honour.
pub const KNOWN_ISSUERS: &[(&str, &[&str])] = &[
    ("let's encrypt", &["letsencrypt.org"]),
    ("digicert", &["digicert.com", "www.digicert.com"]),
    ("sectigo", &["sectigo.com", "comodoca.com"]),
    ("comodo", &["comodoca.com", "sectigo.com"]),
    ("zerossl", &["sectigo.com", "zerossl.com"]),
    ("google trust services", &["pki.goog"]),
    (
        "amazon",
        &[
            "amazon.com",
            "amazontrust.com",
            "awstrust.com",
            "amazonaws.com",
        ],
    ),
    ("globalsign", &["globalsign.com"]),
    ("godaddy", &["godaddy.com"]),
    ("starfield", &["starfieldtech.com", "godaddy.com"]),
    ("entrust", &["entrust.net"]),
    ("buypass", &["buypass.com"]),
    ("ssl corporation", &["ssl.com"]),
    ("microsoft", &["microsoft.com"]),
    ("certainly", &["certainly.com"]),
];

/// The CAA issuer-domains of an issuer organisation, from the table.
pub fn known_issuer_domains(organization: &str) -> Option<&'static [&'static str]> {
    let organization = organization.to_ascii_lowercase();
    KNOWN_ISSUERS
        .iter()
        .find(|(needle, _)| organization.contains(needle))
        .map(|(_, domains)| *domains)
}

/// Builds the check: it climbs the CAA tree of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(Caa {
        hosts: target.hosts.clone(),
        configured_issuer: target.tls.caa_issuer.clone(),
    }))
}

struct Caa {
    hosts: Vec<String>,
    configured_issuer: Option<String>,
}

/// One CAA property from DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Tag, lowercase: issue, issuewild, iodef...
    pub tag: String,
    /// The issuer-domain of an issue/issuewild value (empty: no CA may issue).
    pub issuer: String,
    /// The raw value text.
    pub value: String,
}

/// The issuer-domain of an issue value: the part before `;` parameters (RFC 8659 §4.2).
pub fn issuer_domain(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The CAA domains allowed for a (wildcard or not) certificate: issuewild applies to wildcards
/// when present, else issue (RFC 8659 §4.3).
pub fn allowed(properties: &[Property], wildcard: bool) -> Option<Vec<String>> {
    let of = |tag: &str| -> Vec<&Property> { properties.iter().filter(|p| p.tag == tag).collect() };
    let chosen = if wildcard && !of("issuewild").is_empty() {
        of("issuewild")
    } else {
        of("issue")
    };
    if chosen.is_empty() {
        return None;
    }
    Some(
        chosen
            .iter()
            .map(|p| p.issuer.clone())
            .filter(|d| !d.is_empty())
            .collect(),
    )
}

enum Climb {
    Found {
        at: String,
        properties: Vec<Property>,
    },
    None {
        tried: Vec<String>,
    },
    Failed {
        at: String,
        message: String,
    },
}

/// RFC 8659 §3: the relevant record set is the first non-empty one climbing from the host to its
/// parents; single-label names (TLDs) are not asked.
async fn climb(ctx: &Context, host: &str) -> Climb {
    let mut name = host.trim_end_matches('.').to_ascii_lowercase();
    let mut tried = Vec::new();
    while name.contains('.') {
        let answer = ctx.net.dns.lookup(&name, RecordType::CAA).await;
        tried.push(name.clone());
        match answer.outcome {
            DnsOutcome::Answer => {
                let properties: Vec<Property> = answer
                    .records
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::CAA(caa) => {
                            let value = String::from_utf8_lossy(&caa.value).into_owned();
                            Some(Property {
                                tag: caa.tag.to_ascii_lowercase(),
                                issuer: issuer_domain(&value),
                                value,
                            })
                        }
                        _ => None,
                    })
                    .collect();
                if !properties.is_empty() {
                    return Climb::Found {
                        at: name,
                        properties,
                    };
                }
            }
            DnsOutcome::NxDomain | DnsOutcome::NoData => {}
            DnsOutcome::Failed(message) => return Climb::Failed { at: name, message },
        }
        name = match name.split_once('.') {
            Some((_, parent)) => parent.to_string(),
            None => break,
        };
    }
    Climb::None { tried }
}

#[async_trait::async_trait]
impl Check for Caa {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let judged = self.hosts.iter().map(|host| self.judge(ctx, host));
        futures::future::join_all(judged).await
    }
}

impl Caa {
    async fn judge(&self, ctx: &Context, host: &str) -> Finding {
        let subject = Subject::dns(host, "CAA");
        let (at, properties) = match climb(ctx, host).await {
            Climb::Failed { at, message } => {
                return Finding::error(
                    &META,
                    subject,
                    format!("CAA lookup for {at} failed: {message}"),
                );
            }
            Climb::None { tried } => {
                return Finding::fail(
                    &META,
                    subject,
                    format!("no CAA record for {host} or its parents: any public CA may issue certificates for it"),
                )
                .severity(Severity::Low)
                .evidence("queried", tried.join(", "))
                .remediation(format!(
                    "publish `{} CAA 0 issue \"<your CA's domain>\"` naming the CA you use",
                    tried.last().map_or(host, String::as_str)
                ));
            }
            Climb::Found { at, properties } => (at, properties),
        };
        let records: Vec<String> = properties
            .iter()
            .map(|p| format!("{} \"{}\"", p.tag, p.value))
            .collect();
        let records = format!("{at}: {}", records.join(", "));
        let probe = ctx.net.tls.probe(host).await;
        let leaf = match &probe.result {
            Ok(handshake) => handshake.leaf(),
            Err(e) => Err(e.to_string()),
        };
        let leaf = match leaf {
            Ok(leaf) => leaf,
            Err(e) => {
                return Finding::error(
                    &META,
                    subject,
                    format!(
                        "cannot read the certificate {host} serves, so its issuer is unknown: {e}"
                    ),
                )
                .evidence("CAA", records);
            }
        };
        let wildcard = !leaf.dns_names.iter().any(|n| n == host) && leaf.covers(host);
        let Some(allowed) = allowed(&properties, wildcard) else {
            return Finding::fail(
                &META,
                subject,
                format!("CAA at {at} has no issue property, so it restricts no CA"),
            )
            .severity(Severity::Low)
            .evidence("CAA", records);
        };
        let issuer = leaf.issuer_display();
        let (domains, source): (Vec<String>, &str) = match leaf
            .issuer_organization
            .as_deref()
            .or(leaf.issuer_common_name.as_deref())
            .and_then(known_issuer_domains)
        {
            Some(domains) => (
                domains.iter().map(|d| d.to_string()).collect(),
                "known public CA",
            ),
            None => match &self.configured_issuer {
                Some(domain) => (vec![domain.clone()], "[tls] caa-issuer"),
                None => {
                    return Finding::inconclusive(
                        &META,
                        subject,
                        format!("{host}'s certificate comes from {issuer}, which launchready cannot map to a CAA domain; CAA at {at} allows {}", list(&allowed)),
                    )
                    .evidence("CAA", records)
                    .remediation("set [tls] caa-issuer to your CA's CAA issuer-domain");
                }
            },
        };
        let issuer_domains = format!("{} ({source})", domains.join(", "));
        if domains.iter().any(|d| allowed.contains(d)) {
            Finding::pass(
                &META,
                subject,
                format!(
                    "CAA at {at} allows {}, the issuer of {host}'s certificate ({issuer})",
                    list(&allowed)
                ),
            )
            .evidence("CAA", records)
            .evidence("issuer CAA domain", issuer_domains)
        } else {
            Finding::fail(
                &META,
                subject,
                format!(
                    "CAA at {at} allows {} but {host}'s certificate was issued by {issuer} ({}); its next renewal will be refused",
                    list(&allowed),
                    domains.join(", ")
                ),
            )
            .evidence("CAA", records)
            .evidence("issuer CAA domain", issuer_domains)
            .remediation(format!("add `{at}. CAA 0 issue \"{}\"` or switch to an allowed CA", domains[0]))
        }
    }
}

fn list(allowed: &[String]) -> String {
    if allowed.is_empty() {
        "no CA at all".to_string()
    } else {
        allowed.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(tag: &str, value: &str) -> Property {
        Property {
            tag: tag.into(),
            issuer: issuer_domain(value),
            value: value.into(),
        }
    }

    #[test]
    fn issue_values_and_wildcards() {
        assert_eq!(
            issuer_domain(" LetsEncrypt.org ; validationmethods=dns-01"),
            "letsencrypt.org"
        );
        assert_eq!(issuer_domain(";"), "");
        let props = [
            property("issue", "letsencrypt.org"),
            property("issuewild", "pki.goog"),
            property("iodef", "mailto:x@y"),
        ];
        assert_eq!(
            allowed(&props, false),
            Some(vec!["letsencrypt.org".to_string()])
        );
        assert_eq!(allowed(&props, true), Some(vec!["pki.goog".to_string()]));
        assert_eq!(allowed(&[property("issue", ";")], false), Some(vec![]));
        assert_eq!(allowed(&[property("iodef", "mailto:x@y")], false), None);
    }

    #[test]
    fn known_issuers_map_to_caa_domains() {
        assert_eq!(
            known_issuer_domains("Let's Encrypt"),
            Some(&["letsencrypt.org"][..])
        );
        assert_eq!(
            known_issuer_domains("Google Trust Services LLC"),
            Some(&["pki.goog"][..])
        );
        assert_eq!(known_issuer_domains("launchready test PKI"), None);
    }
}
