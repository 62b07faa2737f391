//! `dns-dangling-cname`: every CNAME chain that starts at a configured host ends on a name that
//! resolves. A CNAME to a deleted cloud or SaaS resource lets whoever claims that resource serve
//! content on the host (subdomain takeover).
//!
//! Reference: RFC 1034 §3.6.2; OWASP WSTG-CONF-10 (test for subdomain takeover).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::Dns;
use crate::net::dns::{DnsOutcome, RecordType};

/// Metadata of the `dns-dangling-cname` check.
pub static META: CheckMeta = CheckMeta {
    id: "dns-dangling-cname",
    title: "No CNAME points at a name that does not exist",
    category: Category::Domain,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "A CNAME left pointing at a deleted app, bucket or SaaS tenant can be claimed by anyone who registers that resource name, and then serves content on your domain.",
    breaks: "An attacker can host phishing pages or steal cookies scoped to the parent domain from a host your users trust.",
    remediation: "Delete the CNAME (or point it at a live resource you own) before deprovisioning the service it targets; review CNAMEs whenever a SaaS account is closed.",
    references: &[
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/10-Test_for_Subdomain_Takeover",
        "https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2",
    ],
};

/// Hosting suffixes where a freed resource name can be claimed by anyone.
const TAKEOVER_SUFFIXES: &[&str] = &[
    "herokuapp.com",
    "herokudns.com",
    "github.io",
    "azurewebsites.net",
    "cloudapp.net",
    "trafficmanager.net",
    "blob.core.windows.net",
    "cloudfront.net",
    "s3.amazonaws.com",
    "elasticbeanstalk.com",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "myshopify.com",
    "zendesk.com",
    "ghost.io",
    "surge.sh",
    "fly.dev",
    "readthedocs.io",
];

/// Aliases followed before a chain counts as too long.
const MAX_CHAIN: usize = 8;

/// Builds the check; `[target]` always lists at least the base URL's host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(DanglingCname {
        hosts: target.hosts.clone(),
    }))
}

struct DanglingCname {
    hosts: Vec<String>,
}

/// How a CNAME chain ends.
#[derive(Debug, PartialEq, Eq)]
enum ChainEnd {
    /// The host is not an alias.
    NotAlias,
    /// The last name resolves to addresses.
    Resolves,
    /// The last name does not exist.
    NxDomain,
    /// The last name exists without addresses.
    NoAddress,
    /// The chain is longer than [`MAX_CHAIN`] or loops.
    TooLong,
    /// A query failed.
    Failed(String),
}

#[async_trait::async_trait]
impl Check for DanglingCname {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for host in &self.hosts {
            let (chain, end) = follow(&ctx.net.dns, host).await;
            findings.push(judge(host, &chain, &end));
        }
        findings
    }
}

/// Follows CNAMEs from `host` one query at a time and resolves the last name.
async fn follow(dns: &Dns, host: &str) -> (Vec<String>, ChainEnd) {
    let mut chain: Vec<String> = Vec::new();
    let mut current = host.to_ascii_lowercase();
    loop {
        let answer = dns.lookup(&current, RecordType::CNAME).await;
        if let DnsOutcome::Failed(m) = &answer.outcome {
            return (chain, ChainEnd::Failed(m.clone()));
        }
        let next = answer
            .cnames()
            .into_iter()
            .find(|c| !c.eq_ignore_ascii_case(&current));
        let Some(next) = next else { break };
        let next = next.to_ascii_lowercase();
        if chain.len() >= MAX_CHAIN || chain.contains(&next) || next == host {
            chain.push(next);
            return (chain, ChainEnd::TooLong);
        }
        chain.push(next.clone());
        current = next;
    }
    if chain.is_empty() {
        return (chain, ChainEnd::NotAlias);
    }
    let v4 = dns.lookup(&current, RecordType::A).await;
    let v6 = dns.lookup(&current, RecordType::AAAA).await;
    let end = if !v4.ips().is_empty() || !v6.ips().is_empty() {
        ChainEnd::Resolves
    } else if let DnsOutcome::Failed(m) = &v4.outcome {
        ChainEnd::Failed(m.clone())
    } else if v4.outcome == DnsOutcome::NxDomain {
        ChainEnd::NxDomain
    } else {
        ChainEnd::NoAddress
    };
    (chain, end)
}

fn takeover_suffix(name: &str) -> Option<&'static str> {
    TAKEOVER_SUFFIXES
        .iter()
        .copied()
        .find(|s| name == *s || name.ends_with(&format!(".{s}")))
}

fn judge(host: &str, chain: &[String], end: &ChainEnd) -> Finding {
    let subject = Subject::dns(host, "CNAME");
    let shown = if chain.is_empty() {
        host.to_string()
    } else {
        format!("{host} → {}", chain.join(" → "))
    };
    let last = chain.last().map_or(host, String::as_str);
    let finding = match end {
        ChainEnd::NotAlias => Finding::pass(&META, subject, format!("{host} is not a CNAME alias")),
        ChainEnd::Resolves => Finding::pass(
            &META,
            subject,
            format!("{host} is an alias of {last}, which resolves"),
        ),
        ChainEnd::NxDomain => {
            let risk = match takeover_suffix(last) {
                Some(suffix) => {
                    format!("; {suffix} names can be claimed by anyone: subdomain-takeover risk")
                }
                None => "; whoever registers that name can serve content on the host".into(),
            };
            Finding::fail(
                &META,
                subject,
                format!("{host} is a CNAME to {last}, which does not exist (NXDOMAIN){risk}"),
            )
            .remediation(format!(
                "delete the CNAME record of {host}, or recreate {last} under your own account before anyone else does"
            ))
        }
        ChainEnd::NoAddress => Finding::fail(
            &META,
            subject,
            format!("{host} is a CNAME to {last}, which exists but has no A or AAAA record"),
        )
        .severity(Severity::Medium)
        .remediation(format!(
            "point {host} at a name that resolves, or give {last} an address"
        )),
        ChainEnd::TooLong => Finding::fail(
            &META,
            subject,
            format!("the CNAME chain of {host} loops or is longer than {MAX_CHAIN} aliases"),
        )
        .severity(Severity::Medium)
        .remediation("replace the chain with one CNAME to the final name"),
        ChainEnd::Failed(m) => Finding::error(
            &META,
            subject,
            format!("cannot follow the CNAME chain of {host}: the query for {last} failed ({m})"),
        ),
    };
    finding.evidence("chain", shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn nxdomain_target_on_a_saas_suffix_names_the_takeover_risk() {
        let chain = vec!["acme-shop.herokuapp.com".to_string()];
        let f = judge("shop.acme.test", &chain, &ChainEnd::NxDomain);
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.severity, Severity::High);
        assert!(f.message.contains("herokuapp.com names can be claimed"));
        assert_eq!(
            f.evidence[0].value,
            "shop.acme.test → acme-shop.herokuapp.com"
        );
    }

    #[test]
    fn hosts_without_alias_and_live_aliases_pass() {
        assert_eq!(
            judge("a.test", &[], &ChainEnd::NotAlias).status,
            Status::Pass
        );
        let chain = vec!["b.test".to_string()];
        assert_eq!(
            judge("a.test", &chain, &ChainEnd::Resolves).status,
            Status::Pass
        );
        assert_eq!(
            judge("a.test", &chain, &ChainEnd::Failed("timeout".into())).status,
            Status::Error
        );
    }

    #[test]
    fn suffixes_match_whole_labels() {
        assert_eq!(takeover_suffix("x.github.io"), Some("github.io"));
        assert_eq!(takeover_suffix("xgithub.io"), None);
    }
}
