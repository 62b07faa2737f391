//! `mx`: the mail domain publishes MX records whose hosts are real names with addresses (not
//! CNAMEs, not IP literals), or a null MX (`0 .`) when it receives no mail at all.
//!
//! Reference: RFC 5321 §5.1 (locating the target host), RFC 7505 (null MX), RFC 2181 §10.3 (MX
//! must not point at an alias).

use std::net::IpAddr;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};
use crate::net::dns::{DnsAnswer, DnsOutcome, RData, RecordType};

/// Metadata of the `mx` check.
pub static META: CheckMeta = CheckMeta {
    id: "mx",
    title: "MX hosts exist and resolve, or a null MX for a domain without mail",
    category: Category::Email,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "MX records tell the world where the domain's mail goes: replies, bounces and DMARC reports. A missing or broken MX loses them; a domain that takes no mail should say so with a null MX.",
    breaks: "Customer replies and bounces vanish or queue for days; some receivers reject mail from a domain that cannot receive any, and a parked domain without a null MX keeps attracting delivery attempts.",
    remediation: "Publish MX records naming your mail provider's hosts (real A/AAAA names, not CNAMEs or IPs); for a domain that never receives mail publish a single `MX 0 .` (null MX) instead.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc5321#section-5.1",
        "https://www.rfc-editor.org/rfc/rfc7505",
        "https://www.rfc-editor.org/rfc/rfc2181#section-10.3",
    ],
};

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(Mx {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit MX",
        )),
    }
}

struct Mx {
    settings: EmailSettings,
}

/// One MX record: preference and exchange (lowercase, no trailing dot; empty for null MX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxRecord {
    /// Lower is preferred.
    pub preference: u16,
    /// The exchange host; empty for the root name `.`.
    pub exchange: String,
}

impl MxRecord {
    /// True for the null MX of RFC 7505: preference 0, exchange `.`.
    pub fn is_null(&self) -> bool {
        self.preference == 0 && self.exchange.is_empty()
    }

    /// The record as zone text, e.g. `10 mx1.acme.test.`.
    pub fn text(&self) -> String {
        format!("{} {}.", self.preference, self.exchange)
    }
}

/// The MX records of an answer, in preference order.
pub fn records(answer: &DnsAnswer) -> Vec<MxRecord> {
    let mut records: Vec<MxRecord> = answer
        .records
        .iter()
        .filter_map(|r| match &r.data {
            RData::MX(mx) => Some(MxRecord {
                preference: mx.preference,
                exchange: mx
                    .exchange
                    .to_ascii()
                    .trim_end_matches('.')
                    .to_ascii_lowercase(),
            }),
            _ => None,
        })
        .collect();
    records.sort_by(|a, b| (a.preference, &a.exchange).cmp(&(b.preference, &b.exchange)));
    records
}

#[async_trait::async_trait]
impl Check for Mx {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.as_str();
        let subject = || Subject::dns(domain, "MX");
        let answer = ctx.net.dns.lookup(domain, RecordType::MX).await;
        let mx = records(&answer);
        let text = if mx.is_empty() {
            "(none)".to_string()
        } else {
            mx.iter().map(MxRecord::text).collect::<Vec<_>>().join(", ")
        };
        match &answer.outcome {
            DnsOutcome::Failed(why) => {
                return vec![
                    Finding::error(
                        &META,
                        subject(),
                        format!("the MX query for {domain} failed: {why}"),
                    )
                    .evidence("record", text)
                    .evidence("rule", "RFC 5321 §5.1"),
                ];
            }
            _ if mx.is_empty() => {
                let finding = if self.settings.sends_mail {
                    Finding::fail(
                        &META,
                        subject(),
                        format!("{domain} has no MX record: replies and bounces fall back to its A record or are lost"),
                    )
                    .severity(Severity::High)
                    .remediation(format!("publish MX records for {domain} naming your mail provider's hosts"))
                } else {
                    Finding::fail(
                        &META,
                        subject(),
                        format!("parked domain {domain} has no null MX: senders still try to deliver to its A record"),
                    )
                    .severity(Severity::Medium)
                    .remediation(format!("publish `{domain}. MX 0 .` (null MX)"))
                };
                let seen = if answer.outcome == DnsOutcome::NxDomain {
                    "NXDOMAIN"
                } else {
                    "no MX records"
                };
                return vec![
                    finding
                        .evidence("record", format!("(none: {seen})"))
                        .evidence("rule", "RFC 5321 §5.1, RFC 7505 §3"),
                ];
            }
            _ => {}
        }
        let null = mx.iter().any(MxRecord::is_null);
        if null {
            return vec![self.judge_null(domain, &mx, &text)];
        }
        let mut findings = Vec::new();
        if !self.settings.sends_mail {
            findings.push(
                Finding::fail(
                    &META,
                    subject(),
                    format!("{domain} is configured as parked (sends-mail = false) but publishes MX hosts instead of a null MX"),
                )
                .severity(Severity::Low)
                .evidence("record", text.clone())
                .evidence("rule", "RFC 7505 §3")
                .remediation(format!("if {domain} receives no mail, replace its MX records with `MX 0 .`")),
            );
        }
        for record in &mx {
            if let Some(finding) = judge_host(ctx, domain, record).await {
                findings.push(finding);
            }
        }
        if findings.is_empty() {
            findings.push(
                Finding::pass(
                    &META,
                    subject(),
                    format!(
                        "{domain} has {} MX host{}, each a name with an address",
                        mx.len(),
                        if mx.len() == 1 { "" } else { "s" }
                    ),
                )
                .evidence("record", text)
                .evidence("rule", "RFC 5321 §5.1, RFC 2181 §10.3"),
            );
        }
        findings
    }
}

impl Mx {
    fn judge_null(&self, domain: &str, mx: &[MxRecord], text: &str) -> Finding {
        let subject = Subject::dns(domain, "MX");
        let finding = if mx.len() > 1 {
            Finding::fail(
                &META,
                subject,
                format!("{domain} publishes a null MX beside other MX records: the null MX must stand alone"),
            )
            .severity(Severity::Medium)
            .remediation("keep either the null MX (no mail) or the real MX hosts, not both")
        } else if self.settings.sends_mail {
            Finding::fail(
                &META,
                subject,
                format!("{domain} publishes a null MX (it receives no mail) but sends mail: replies and bounces are refused and receivers may reject its mail"),
            )
            .severity(Severity::High)
            .remediation(format!("publish real MX hosts for {domain}, or set sends-mail = false if it never sends"))
        } else {
            Finding::pass(
                &META,
                subject,
                format!("parked domain {domain} publishes a null MX: it receives no mail"),
            )
        };
        finding
            .evidence("record", text)
            .evidence("rule", "RFC 7505 §3, §4.2")
    }
}

/// A problem with one MX host, or `None` when it is a real name with an address.
async fn judge_host(ctx: &Context, domain: &str, record: &MxRecord) -> Option<Finding> {
    let host = record.exchange.as_str();
    let subject = Subject::dns(host, "A");
    let text = format!("{domain}. MX {}", record.text());
    if host.parse::<IpAddr>().is_ok() || is_dotted_quad(host) {
        return Some(
            Finding::fail(
                &META,
                subject,
                format!("MX host `{host}` is an IP address, not a host name: senders look it up as a name and fail"),
            )
            .severity(Severity::Medium)
            .evidence("record", text)
            .evidence("rule", "RFC 5321 §5.1")
            .remediation(format!("give the mail server a name with an A/AAAA record and point {domain}'s MX at it")),
        );
    }
    let v4 = ctx.net.dns.lookup(host, RecordType::A).await;
    let v6 = ctx.net.dns.lookup(host, RecordType::AAAA).await;
    let cnames = {
        let mut chain = v4.cnames();
        if chain.is_empty() {
            chain = v6.cnames();
        }
        chain
    };
    let mut ips = v4.ips();
    ips.extend(v6.ips());
    if let (DnsOutcome::Failed(why), true) = (&v4.outcome, ips.is_empty()) {
        return Some(
            Finding::error(
                &META,
                subject,
                format!("the address query for MX host {host} failed: {why}"),
            )
            .evidence("record", text)
            .evidence("rule", "RFC 5321 §5.1"),
        );
    }
    if !cnames.is_empty() {
        return Some(
            Finding::fail(
                &META,
                subject,
                format!(
                    "MX host {host} is a CNAME (→ {}): MX must name the host itself",
                    cnames.join(" → ")
                ),
            )
            .severity(Severity::Medium)
            .evidence("record", text)
            .evidence("cname", format!("{host} → {}", cnames.join(" → ")))
            .evidence("rule", "RFC 2181 §10.3, RFC 5321 §5.1")
            .remediation(format!(
                "point {domain}'s MX at the canonical name `{}` instead of the alias",
                cnames.last().map(String::as_str).unwrap_or(host)
            )),
        );
    }
    if ips.is_empty() {
        let seen = if v4.outcome == DnsOutcome::NxDomain {
            "NXDOMAIN"
        } else {
            "no A or AAAA records"
        };
        return Some(
            Finding::fail(
                &META,
                subject,
                format!("MX host {host} does not resolve ({seen}): mail to {domain} through it is undeliverable"),
            )
            .severity(Severity::High)
            .evidence("record", text)
            .evidence("rule", "RFC 5321 §5.1")
            .remediation(format!("add A/AAAA records for {host} or remove it from {domain}'s MX")),
        );
    }
    None
}

/// `a.b.c.d` with four numeric labels: what an IP pasted into an MX record looks like as a name.
fn is_dotted_quad(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() == 4
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_mx_is_preference_zero_and_root() {
        let null = MxRecord {
            preference: 0,
            exchange: String::new(),
        };
        assert!(null.is_null());
        assert_eq!(null.text(), "0 .");
        let real = MxRecord {
            preference: 0,
            exchange: "mx.acme.test".into(),
        };
        assert!(!real.is_null());
    }

    #[test]
    fn dotted_quads_are_ip_literals() {
        assert!(is_dotted_quad("192.0.2.1"));
        assert!(!is_dotted_quad("mx1.acme.test"));
        assert!(!is_dotted_quad("1.2.3"));
    }
}
