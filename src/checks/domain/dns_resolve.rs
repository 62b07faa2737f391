//! `dns-resolve`: every configured host has an A or AAAA address, following CNAMEs, through the
//! audit's resolver.
//!
//! Reference: RFC 1034 §3.6.2 (aliases), RFC 1035 §3.4.1 (A), RFC 3596 (AAAA).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::dns::{DnsAnswer, DnsOutcome, RecordType};

/// Metadata of the `dns-resolve` check.
pub static META: CheckMeta = CheckMeta {
    id: "dns-resolve",
    title: "Every host resolves to an address",
    category: Category::Domain,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "A host listed for launch that does not resolve is a dead link in every email, ad and bookmark that points at it.",
    breaks: "Visitors get a browser error page instead of the product; API clients and webhooks configured with that host fail outright.",
    remediation: "Add an A (and ideally AAAA) record for the host at the DNS provider, or remove the host from the launch plan and every link to it.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2",
        "https://www.rfc-editor.org/rfc/rfc3596",
    ],
};

/// Builds the check; `[target]` always lists at least the base URL's host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(DnsResolve {
        hosts: target.hosts.clone(),
    }))
}

struct DnsResolve {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for DnsResolve {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for host in &self.hosts {
            let v4 = ctx.net.dns.lookup(host, RecordType::A).await;
            let v6 = ctx.net.dns.lookup(host, RecordType::AAAA).await;
            // A CNAME to a missing name answers NXDOMAIN without the alias: ask for it.
            let alias = if v4.ips().is_empty() && v6.ips().is_empty() && v4.cnames().is_empty() {
                ctx.net.dns.lookup(host, RecordType::CNAME).await.cnames()
            } else {
                Vec::new()
            };
            findings.push(judge(host, &v4, &v6, &alias));
        }
        findings
    }
}

fn list(answer: &DnsAnswer) -> String {
    let ips = answer.ips();
    if ips.is_empty() {
        return match &answer.outcome {
            DnsOutcome::NxDomain => "NXDOMAIN".into(),
            DnsOutcome::NoData | DnsOutcome::Answer => "none".into(),
            DnsOutcome::Failed(m) => format!("query failed: {m}"),
        };
    }
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Judges the A and AAAA answers; `alias` is the CNAME chain when the answers do not carry it.
fn judge(host: &str, v4: &DnsAnswer, v6: &DnsAnswer, alias: &[String]) -> Finding {
    let subject = Subject::dns(host, "A/AAAA");
    let mut chain = v4.cnames();
    if chain.is_empty() {
        chain = v6.cnames();
    }
    if chain.is_empty() {
        chain = alias.to_vec();
    }
    let with_evidence = |f: Finding| {
        let f = f.evidence("A", list(v4)).evidence("AAAA", list(v6));
        if chain.is_empty() {
            f
        } else {
            f.evidence("CNAME chain", format!("{host} → {}", chain.join(" → ")))
        }
    };
    let has_v4 = !v4.ips().is_empty();
    let has_v6 = !v6.ips().is_empty();
    if has_v4 && has_v6 {
        return with_evidence(Finding::pass(
            &META,
            subject,
            format!("{host} resolves over IPv4 and IPv6"),
        ));
    }
    if has_v4 {
        return with_evidence(Finding::pass(
            &META,
            subject,
            format!(
                "{host} resolves over IPv4 only (info: no AAAA, IPv6-only clients go through NAT64)"
            ),
        ));
    }
    if has_v6 {
        return with_evidence(Finding::pass(
            &META,
            subject,
            format!("{host} resolves over IPv6 only"),
        ));
    }
    if let (DnsOutcome::Failed(m), _) | (_, DnsOutcome::Failed(m)) = (&v4.outcome, &v6.outcome) {
        return with_evidence(Finding::error(
            &META,
            subject,
            format!("cannot tell whether {host} resolves: the query failed ({m})"),
        ))
        .remediation("check that the configured nameservers answer for this zone, then run again");
    }
    let (message, fix) = if let Some(last) = chain.last() {
        let why = if v4.outcome == DnsOutcome::NxDomain {
            "which does not exist (NXDOMAIN)"
        } else {
            "which has no A or AAAA record"
        };
        (
            format!("{host} is an alias of {last}, {why}"),
            "point the CNAME at a name that resolves, or replace it with A/AAAA records (see dns-dangling-cname)".into(),
        )
    } else if v4.outcome == DnsOutcome::NxDomain {
        (
            format!("{host} does not exist (NXDOMAIN): it has no A or AAAA record"),
            format!(
                "create an A/AAAA (or CNAME) record for {host}, or drop it from [target] hosts and from every link"
            ),
        )
    } else {
        (
            format!("{host} exists but has no A or AAAA record (NODATA)"),
            format!("add an A/AAAA record for {host}"),
        )
    };
    with_evidence(Finding::fail(&META, subject, message)).remediation(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::net::dns::{RData, Record};
    use hickory_resolver::proto::rr::Name;
    use std::str::FromStr;

    fn answer(name: &str, rt: RecordType, outcome: DnsOutcome, records: Vec<Record>) -> DnsAnswer {
        DnsAnswer {
            name: name.into(),
            record_type: rt,
            outcome,
            records,
        }
    }

    fn a(name: &str) -> Record {
        Record::from_rdata(
            Name::from_str(name).unwrap(),
            60,
            RData::A("127.0.0.1".parse::<std::net::Ipv4Addr>().unwrap().into()),
        )
    }

    #[test]
    fn nxdomain_fails_high_and_ipv4_only_passes_with_a_note() {
        let nx = answer("old.a.test", RecordType::A, DnsOutcome::NxDomain, vec![]);
        let nx6 = answer("old.a.test", RecordType::AAAA, DnsOutcome::NxDomain, vec![]);
        let f = judge("old.a.test", &nx, &nx6, &[]);
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.severity, Severity::High);
        assert!(f.message.contains("NXDOMAIN"));
        let alias = ["gone.saas.test".to_string()];
        let f = judge("shop.a.test", &nx, &nx6, &alias);
        assert_eq!(
            f.message,
            "shop.a.test is an alias of gone.saas.test, which does not exist (NXDOMAIN)"
        );

        let ok = answer(
            "a.test",
            RecordType::A,
            DnsOutcome::Answer,
            vec![a("a.test.")],
        );
        let none = answer("a.test", RecordType::AAAA, DnsOutcome::NoData, vec![]);
        let f = judge("a.test", &ok, &none, &[]);
        assert_eq!(f.status, Status::Pass);
        assert!(f.message.contains("IPv4 only"));
    }

    #[test]
    fn a_failed_query_is_an_error_not_a_verdict() {
        let failed = answer(
            "a.test",
            RecordType::A,
            DnsOutcome::Failed("timeout".into()),
            vec![],
        );
        let none = answer("a.test", RecordType::AAAA, DnsOutcome::NoData, vec![]);
        assert_eq!(judge("a.test", &failed, &none, &[]).status, Status::Error);
    }
}
