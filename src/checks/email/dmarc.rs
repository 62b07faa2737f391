//! `dmarc`: the mail domain publishes an enforcing DMARC policy that receivers discover the same
//! way under RFC 7489 (public-suffix fallback) and RFC 9989 (DNS tree walk), with aggregate
//! reports going to a mailbox that agreed to receive them.
//!
//! References: RFC 7489 §6.3 (tags), §6.6.3 (policy discovery), §7.1 (external report
//! destinations); RFC 9989 §4.7 (tags: np, psd, t), §4.10 (DNS tree walk).
//!
//! [`DmarcRecord`] parses and prints a record on its own; [`tree_walk_targets`] and
//! [`organizational_domain`] are the RFC 9989 discovery steps without DNS.

use std::fmt;

use super::tags::{TagError, TagList, VersionedTxt, has_version, versioned_txt};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};

/// Metadata of the `dmarc` check.
pub static META: CheckMeta = CheckMeta {
    id: "dmarc",
    title: "DMARC policy enforces and reports",
    category: Category::Email,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "DMARC tells receivers what to do with mail that claims the domain but fails SPF and DKIM; without an enforcing policy anyone can send as the domain and nobody hears about it.",
    breaks: "Phishing in the company's name reaches customers' inboxes, and Gmail and Yahoo bulk-sender rules reject or spam-folder the real mail.",
    remediation: "Publish one TXT record at _dmarc.<domain>: v=DMARC1; p=quarantine (then reject); rua=mailto:dmarc@<domain>, without pct<100 or t=y once reports look clean; authorize external report mailboxes with <domain>._report._dmarc.<dest> TXT v=DMARC1.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc7489",
        "https://www.rfc-editor.org/rfc/rfc9989",
    ],
};

/// A requested disposition, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Policy {
    /// Monitor only.
    None,
    /// Treat failing mail as suspicious (spam folder).
    Quarantine,
    /// Refuse failing mail.
    Reject,
}

impl Policy {
    fn parse(value: &str) -> Option<Policy> {
        match value.to_ascii_lowercase().as_str() {
            "none" => Some(Policy::None),
            "quarantine" => Some(Policy::Quarantine),
            "reject" => Some(Policy::Reject),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        })
    }
}

/// A report destination from `rua=` or `ruf=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUri {
    /// The URI without the `!size` suffix.
    pub uri: String,
    /// The mailbox host, for `mailto:` URIs.
    pub host: Option<String>,
}

/// A parsed DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcRecord {
    /// Every tag as written.
    pub tags: TagList,
    /// `p=`; `None` when absent (RFC 9989 §4.7: then treated as none).
    pub policy: Option<Policy>,
    /// `sp=`.
    pub subdomain_policy: Option<Policy>,
    /// `np=` (RFC 9989): for subdomains that do not exist.
    pub nonexistent_policy: Option<Policy>,
    /// `pct=` (RFC 7489).
    pub pct: Option<u8>,
    /// `t=y` (RFC 9989 testing mode).
    pub testing: bool,
    /// `psd=` (RFC 9989): `y`, `n` or `u`.
    pub psd: Option<char>,
    /// Aggregate report destinations.
    pub rua: Vec<ReportUri>,
    /// Failure report destinations.
    pub ruf: Vec<ReportUri>,
    /// `adkim=`, `r` unless given.
    pub adkim: char,
    /// `aspf=`, `r` unless given.
    pub aspf: char,
}

/// Why a TXT record is not a valid DMARC record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmarcError {
    /// Not a tag list.
    #[error("not a tag list: {0}")]
    Tags(#[from] TagError),
    /// The first tag is not `v=DMARC1`.
    #[error("the record does not start with v=DMARC1")]
    NotDmarc,
    /// A policy tag with a value other than none, quarantine, reject.
    #[error("{tag}={value} is not none, quarantine or reject")]
    BadPolicy {
        /// The tag.
        tag: &'static str,
        /// The value seen.
        value: String,
    },
    /// `pct=` outside 0..=100.
    #[error("pct={0} is not an integer from 0 to 100")]
    BadPct(String),
    /// A one-letter tag with a value outside its set.
    #[error("{tag}={value} is not one of {allowed}")]
    BadFlag {
        /// The tag.
        tag: &'static str,
        /// The value seen.
        value: String,
        /// The allowed letters.
        allowed: &'static str,
    },
    /// A report URI without a scheme, or a mailto without an address.
    #[error("`{0}` is not a report URI (mailto:address)")]
    BadUri(String),
}

fn uris(value: &str) -> Result<Vec<ReportUri>, DmarcError> {
    let mut out = Vec::new();
    for raw in value.split(',') {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let uri = match raw.rsplit_once('!') {
            Some((uri, size))
                if !size.is_empty() && size.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                uri
            }
            _ => raw,
        };
        let Some((scheme, rest)) = uri.split_once(':') else {
            return Err(DmarcError::BadUri(raw.to_string()));
        };
        if scheme.is_empty() || rest.is_empty() {
            return Err(DmarcError::BadUri(raw.to_string()));
        }
        let host = if scheme.eq_ignore_ascii_case("mailto") {
            let address = rest.split('?').next().unwrap_or_default();
            match address.rsplit_once('@') {
                Some((local, host)) if !local.is_empty() && !host.is_empty() => {
                    Some(host.trim_end_matches('.').to_ascii_lowercase())
                }
                _ => return Err(DmarcError::BadUri(raw.to_string())),
            }
        } else {
            None
        };
        out.push(ReportUri {
            uri: uri.to_string(),
            host,
        });
    }
    Ok(out)
}

fn flag(
    tags: &TagList,
    tag: &'static str,
    allowed: &'static str,
) -> Result<Option<char>, DmarcError> {
    match tags.get_ignore_case(tag) {
        None => Ok(None),
        Some(value) => {
            let lower = value.to_ascii_lowercase();
            let mut chars = lower.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if allowed.contains(c) => Ok(Some(c)),
                _ => Err(DmarcError::BadFlag {
                    tag,
                    value: value.to_string(),
                    allowed,
                }),
            }
        }
    }
}

impl DmarcRecord {
    /// Parses a record; unknown tags are ignored (RFC 7489 §6.3).
    pub fn parse(text: &str) -> Result<DmarcRecord, DmarcError> {
        if !has_version(text, "DMARC1") {
            return Err(DmarcError::NotDmarc);
        }
        let tags = TagList::parse(text)?;
        let policy_tag = |tag: &'static str| -> Result<Option<Policy>, DmarcError> {
            match tags.get_ignore_case(tag) {
                None => Ok(None),
                Some(value) => Policy::parse(value).map(Some).ok_or(DmarcError::BadPolicy {
                    tag,
                    value: value.to_string(),
                }),
            }
        };
        let policy = policy_tag("p")?;
        let subdomain_policy = policy_tag("sp")?;
        let nonexistent_policy = policy_tag("np")?;
        let pct = match tags.get_ignore_case("pct") {
            None => None,
            Some(value) => match value.parse::<u8>() {
                Ok(n) if n <= 100 => Some(n),
                _ => return Err(DmarcError::BadPct(value.to_string())),
            },
        };
        let testing = flag(&tags, "t", "yn")? == Some('y');
        let psd = flag(&tags, "psd", "ynu")?;
        let adkim = flag(&tags, "adkim", "rs")?.unwrap_or('r');
        let aspf = flag(&tags, "aspf", "rs")?.unwrap_or('r');
        let rua = tags
            .get_ignore_case("rua")
            .map(uris)
            .transpose()?
            .unwrap_or_default();
        let ruf = tags
            .get_ignore_case("ruf")
            .map(uris)
            .transpose()?
            .unwrap_or_default();
        Ok(DmarcRecord {
            tags,
            policy,
            subdomain_policy,
            nonexistent_policy,
            pct,
            testing,
            psd,
            rua,
            ruf,
            adkim,
            aspf,
        })
    }

    /// The policy for the domain that published the record (`p=`, none when absent).
    pub fn domain_policy(&self) -> Policy {
        self.policy.unwrap_or(Policy::None)
    }

    /// The policy for existing subdomains (`sp=`, else `p=`).
    pub fn effective_subdomain_policy(&self) -> Policy {
        self.subdomain_policy.unwrap_or(self.domain_policy())
    }

    /// The policy for non-existent subdomains (`np=`, else `sp=`, else `p=`).
    pub fn effective_nonexistent_policy(&self) -> Policy {
        self.nonexistent_policy
            .unwrap_or(self.effective_subdomain_policy())
    }
}

impl fmt::Display for DmarcRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tags.fmt(f)
    }
}

/// The names an RFC 9989 §4.10.1 tree walk queries (under `_dmarc.`), longest first: the domain,
/// then, past 8 labels, straight to the last 7, then one label less each step down to the TLD.
pub fn tree_walk_targets(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .collect();
    let mut targets = Vec::new();
    if labels.is_empty() {
        return targets;
    }
    targets.push(labels.join("."));
    let mut start = if labels.len() >= 8 {
        labels.len() - 7
    } else {
        1
    };
    while start < labels.len() {
        targets.push(labels[start..].join("."));
        start += 1;
    }
    targets
}

/// The organizational domain per RFC 9989 §4.10.2, from the walk's records (longest name first):
/// the first record with psd=n; the name one label below the first psd=y record other than the
/// starting one; else the record with the fewest labels.
pub fn organizational_domain(start: &str, found: &[(String, DmarcRecord)]) -> Option<String> {
    for (name, record) in found {
        match record.psd {
            Some('n') => return Some(name.clone()),
            Some('y') if name != start => {
                let below = start
                    .strip_suffix(name.as_str())
                    .and_then(|rest| rest.strip_suffix('.'))
                    .and_then(|rest| rest.rsplit('.').next())?;
                return Some(format!("{below}.{name}"));
            }
            _ => {}
        }
    }
    found
        .iter()
        .min_by_key(|(name, _)| name.split('.').count())
        .map(|(name, _)| name.clone())
}

/// The organizational domain per RFC 7489 §3.2: the registrable domain under the public suffix
/// list (the `psl` crate embeds it).
pub fn psl_organizational_domain(domain: &str) -> String {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&domain)
        .map(str::to_string)
        .unwrap_or(domain)
}

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(Dmarc {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit the mail domain",
        )),
    }
}

struct Dmarc {
    settings: EmailSettings,
}

/// One level of the walk: the TXT answer at `_dmarc.<domain>`.
struct Level {
    domain: String,
    txt: VersionedTxt,
}

impl Level {
    /// The one valid record here, parsed, when there is exactly one DMARC1 record.
    fn single(&self) -> Option<Result<DmarcRecord, DmarcError>> {
        match self.txt.matching.as_slice() {
            [only] => Some(DmarcRecord::parse(only)),
            _ => None,
        }
    }
}

/// A policy found by one of the discovery methods.
struct Discovered {
    domain: String,
    text: String,
    record: DmarcRecord,
}

#[async_trait::async_trait]
impl Check for Dmarc {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.to_ascii_lowercase();
        let mut targets = tree_walk_targets(&domain);
        let psl_org = psl_organizational_domain(&domain);
        if !targets.contains(&psl_org) {
            targets.push(psl_org.clone());
        }
        let levels: Vec<Level> = futures::future::join_all(targets.iter().map(|d| async move {
            Level {
                domain: d.clone(),
                txt: versioned_txt(&ctx.net.dns, &format!("_dmarc.{d}"), "DMARC1").await,
            }
        }))
        .await;
        let level = |d: &str| levels.iter().find(|l| l.domain == d);
        let own_name = format!("_dmarc.{domain}");
        let Some(own) = level(&domain) else {
            return vec![Finding::error(
                &META,
                Subject::dns(&own_name, "TXT"),
                format!("`{domain}` is not a domain name"),
            )];
        };
        if let Some(message) = own.txt.failed() {
            return vec![
                Finding::error(
                    &META,
                    Subject::dns(&own_name, "TXT"),
                    format!("cannot look up {own_name}: {message}"),
                )
                .evidence("rule", "RFC 7489 §6.6.3"),
            ];
        }
        let mut findings = Vec::new();
        if own.txt.matching.len() > 1 {
            findings.push(
                Finding::fail(
                    &META,
                    Subject::dns(&own_name, "TXT"),
                    format!("{own_name} has {} v=DMARC1 records: receivers apply no DMARC policy at all", own.txt.matching.len()),
                )
                .severity(Severity::Critical)
                .evidence("records", own.txt.matching.join(" | "))
                .evidence("rule", "RFC 7489 §6.6.3 step 5: more than one record means no policy")
                .remediation(format!("keep exactly one v=DMARC1 TXT record at {own_name}")),
            );
            return findings;
        }
        // RFC 9989: the first single valid record walking up the tree is the policy.
        let walk: Vec<&Level> = tree_walk_targets(&domain)
            .iter()
            .filter_map(|d| level(d))
            .collect();
        let walk_records: Vec<(String, DmarcRecord, String)> = walk
            .iter()
            .filter_map(|l| match l.single() {
                Some(Ok(record)) => Some((l.domain.clone(), record, l.txt.matching[0].clone())),
                _ => None,
            })
            .collect();
        let bis = walk_records.first().map(|(d, r, t)| Discovered {
            domain: d.clone(),
            text: t.clone(),
            record: r.clone(),
        });
        let found: Vec<(String, DmarcRecord)> = walk_records
            .iter()
            .map(|(d, r, _)| (d.clone(), r.clone()))
            .collect();
        let bis_org = organizational_domain(&domain, &found);
        // RFC 7489: the domain's own record, else the PSL organizational domain's.
        let legacy = [domain.as_str(), psl_org.as_str()]
            .iter()
            .filter_map(|d| level(d))
            .find_map(|l| match l.single() {
                Some(Ok(record)) => Some(Discovered {
                    domain: l.domain.clone(),
                    text: l.txt.matching[0].clone(),
                    record,
                }),
                _ => None,
            });
        let queried: Vec<String> = levels
            .iter()
            .map(|l| format!("_dmarc.{}: {}", l.domain, l.txt.describe_outcome()))
            .collect();
        let queried = queried.join("; ");

        if let Some(Err(error)) = own.single() {
            findings.push(
                Finding::fail(
                    &META,
                    Subject::dns(&own_name, "TXT"),
                    format!("{own_name} is not a valid DMARC record: {error}"),
                )
                .evidence("record", own.txt.matching[0].clone())
                .evidence("rule", "RFC 7489 §6.3, RFC 9989 §4.7")
                .remediation("fix the record: v=DMARC1; p=quarantine; rua=mailto:dmarc@<domain>"),
            );
        }

        let legacy_domain = legacy.as_ref().map(|d| d.domain.clone());
        let bis_domain = bis.as_ref().map(|d| d.domain.clone());
        let org_differs = bis_org.as_ref().is_some_and(|org| *org != psl_org);
        if legacy_domain != bis_domain || org_differs {
            let show = |d: &Option<String>| {
                d.as_ref()
                    .map(|d| format!("the policy at _dmarc.{d}"))
                    .unwrap_or_else(|| "no policy".into())
            };
            findings.push(
                Finding::fail(
                    &META,
                    Subject::dns(&own_name, "TXT"),
                    format!(
                        "policy discovery disagrees: RFC 7489 receivers apply {} (organizational domain {psl_org} from the public suffix list), RFC 9989 receivers apply {} (organizational domain {} from the DNS tree walk)",
                        show(&legacy_domain),
                        show(&bis_domain),
                        bis_org.as_deref().unwrap_or("none"),
                    ),
                )
                .severity(Severity::Medium)
                .evidence("queried", queried.clone())
                .evidence("rule", "RFC 7489 §6.6.3 vs RFC 9989 §4.10")
                .remediation(format!("publish the policy at {own_name} itself so both discovery methods find the same record")),
            );
        }

        let own_invalid = matches!(own.single(), Some(Err(_)));
        let Some(policy) = bis.or(legacy) else {
            if own_invalid {
                return findings;
            }
            let severity = Severity::High;
            findings.push(
                Finding::fail(&META, Subject::dns(&own_name, "TXT"), format!("no DMARC record for {domain}: not at {own_name} nor at any parent"))
                    .severity(severity)
                    .evidence("queried", queried)
                    .evidence("rule", "RFC 7489 §6.6.3, RFC 9989 §4.10")
                    .remediation(if self.settings.sends_mail {
                        format!("publish {own_name} TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}\"")
                    } else {
                        format!("publish {own_name} TXT \"v=DMARC1; p=reject\": the domain sends no mail")
                    }),
            );
            return findings;
        };
        findings.extend(
            self.judge(
                ctx,
                &domain,
                &policy,
                bis_org.as_deref().unwrap_or(&psl_org),
            )
            .await,
        );
        findings
    }
}

impl Dmarc {
    async fn judge(
        &self,
        ctx: &Context,
        domain: &str,
        found: &Discovered,
        org: &str,
    ) -> Vec<Finding> {
        let record = &found.record;
        let policy_name = format!("_dmarc.{}", found.domain);
        let inherited = found.domain != domain;
        let subject = || Subject::dns(&policy_name, "TXT");
        let with_record = |finding: Finding| {
            let finding = finding.evidence("record", found.text.clone());
            if inherited {
                finding.evidence(
                    "inherited",
                    format!(
                        "{domain} has no valid record of its own; the policy of {} applies",
                        found.domain
                    ),
                )
            } else {
                finding
            }
        };
        let mut findings = Vec::new();
        let (effective, which) = if inherited {
            (
                record.effective_subdomain_policy(),
                "sp (inherited from the organizational domain)",
            )
        } else {
            (record.domain_policy(), "p")
        };
        let needed = if self.settings.sends_mail {
            Policy::Quarantine
        } else {
            Policy::Reject
        };
        if effective < needed {
            let message = if record.policy.is_none() && !inherited {
                format!(
                    "{policy_name} has no p= tag: treated as p=none, mail failing DMARC is delivered"
                )
            } else if self.settings.sends_mail {
                format!(
                    "DMARC policy for {domain} is {which}={effective}: failing mail is delivered, the domain is spoofable"
                )
            } else {
                format!(
                    "{domain} sends no mail but its DMARC policy is {which}={effective}, not reject"
                )
            };
            findings.push(
                with_record(Finding::fail(&META, subject(), message))
                    .evidence("rule", "RFC 7489 §6.3 (p, sp), RFC 9989 §4.7")
                    .remediation(if self.settings.sends_mail {
                        "move to p=quarantine once aggregate reports show your senders aligned, then p=reject"
                    } else {
                        "set p=reject (and sp=reject) for a domain that sends no mail"
                    }),
            );
        }
        if !inherited {
            let p = record.domain_policy();
            for (tag, value, weaker) in [
                (
                    "sp",
                    record.subdomain_policy,
                    record.effective_subdomain_policy() < p,
                ),
                (
                    "np",
                    record.nonexistent_policy,
                    record.effective_nonexistent_policy() < p,
                ),
            ] {
                if let (Some(value), true) = (value, weaker) {
                    findings.push(
                        with_record(Finding::fail(
                            &META,
                            subject(),
                            format!(
                                "{tag}={value} is weaker than p={p}: {} can be spoofed",
                                if tag == "sp" {
                                    "subdomains"
                                } else {
                                    "non-existent subdomains"
                                }
                            ),
                        ))
                        .severity(Severity::Medium)
                        .evidence(
                            "rule",
                            if tag == "sp" {
                                "RFC 7489 §6.3 (sp)"
                            } else {
                                "RFC 9989 §4.7 (np)"
                            },
                        )
                        .remediation(format!("drop {tag}= or set it to {p}")),
                    );
                }
            }
        }
        if let Some(pct) = record.pct.filter(|pct| *pct < 100) {
            findings.push(
                with_record(Finding::fail(
                    &META,
                    subject(),
                    format!("pct={pct}: the policy applies to only {pct}% of failing mail"),
                ))
                .severity(Severity::Medium)
                .evidence("rule", "RFC 7489 §6.3 (pct); RFC 9989 removes pct")
                .remediation("remove pct= (100 is the default) once reports are clean"),
            );
        }
        if record.testing {
            findings.push(
                with_record(Finding::fail(
                    &META,
                    subject(),
                    "t=y: the policy is in testing mode and receivers apply one step less",
                ))
                .severity(Severity::Medium)
                .evidence("rule", "RFC 9989 §4.7 (t)")
                .remediation("remove t=y once reports are clean"),
            );
        }
        if record.rua.is_empty() {
            findings.push(
                with_record(Finding::fail(&META, subject(), format!("{policy_name} has no rua=: nobody receives aggregate reports of failing mail")))
                    .severity(Severity::Medium)
                    .evidence("rule", "RFC 7489 §6.3 (rua)")
                    .remediation(format!("add rua=mailto:dmarc-reports@{}", found.domain)),
            );
        }
        let policy_org = psl_organizational_domain(&found.domain);
        let mut checked = Vec::new();
        for uri in record.rua.iter().chain(record.ruf.iter()) {
            let Some(host) = &uri.host else { continue };
            if psl_organizational_domain(host) == policy_org
                || org == psl_organizational_domain(host)
                || checked.contains(host)
            {
                continue;
            }
            checked.push(host.clone());
            let name = format!("{}._report._dmarc.{host}", found.domain);
            let txt = versioned_txt(&ctx.net.dns, &name, "DMARC1").await;
            let sub = Subject::dns(&name, "TXT");
            if let Some(message) = txt.failed() {
                findings.push(
                    Finding::error(&META, sub, format!("cannot look up {name}: {message}"))
                        .evidence("report uri", uri.uri.clone()),
                );
            } else if txt.matching.is_empty() {
                findings.push(
                    with_record(Finding::fail(
                        &META,
                        sub,
                        format!("report destination {host} is outside {policy_org} and has not authorized it: {name} has no v=DMARC1 record, so receivers send no reports there"),
                    ))
                    .severity(Severity::Medium)
                    .evidence("report uri", uri.uri.clone())
                    .evidence("lookup", txt.describe_outcome())
                    .evidence("rule", "RFC 7489 §7.1")
                    .remediation(format!("ask the operator of {host} to publish {name} TXT \"v=DMARC1\" (or *._report._dmarc.{host})")),
                );
            } else {
                findings.push(
                    Finding::pass(
                        &META,
                        sub,
                        format!(
                            "external report destination {host} authorizes reports for {}",
                            found.domain
                        ),
                    )
                    .evidence("record", txt.matching[0].clone())
                    .evidence("report uri", uri.uri.clone())
                    .evidence("rule", "RFC 7489 §7.1"),
                );
            }
        }
        if !findings
            .iter()
            .any(|f| f.status != crate::check::Status::Pass)
        {
            findings.insert(
                0,
                with_record(Finding::pass(
                    &META,
                    subject(),
                    format!(
                        "DMARC policy for {domain} is {which}={effective} with aggregate reports"
                    ),
                ))
                .evidence(
                    "alignment",
                    format!("adkim={} aspf={}", record.adkim, record.aspf),
                )
                .evidence("rule", "RFC 7489 §6.3, RFC 9989 §4.7"),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_a_full_record() {
        let r = DmarcRecord::parse("v=DMARC1; p=reject; sp=none; np=quarantine; pct=50; t=y; psd=n; rua=mailto:a@x.test!10m,mailto:b@y.test; ruf=mailto:f@x.test; adkim=s; ASPF=s; fo=1; zz=ignored").unwrap();
        assert_eq!(r.policy, Some(Policy::Reject));
        assert_eq!(r.effective_subdomain_policy(), Policy::None);
        assert_eq!(r.effective_nonexistent_policy(), Policy::Quarantine);
        assert_eq!(r.pct, Some(50));
        assert!(r.testing);
        assert_eq!(r.psd, Some('n'));
        assert_eq!(r.rua[0].uri, "mailto:a@x.test");
        assert_eq!(r.rua[1].host.as_deref(), Some("y.test"));
        assert_eq!((r.adkim, r.aspf), ('s', 's'));
    }

    #[test]
    fn defaults_follow_the_rfc() {
        let r = DmarcRecord::parse("v=DMARC1; p=quarantine").unwrap();
        assert_eq!(r.effective_subdomain_policy(), Policy::Quarantine);
        assert_eq!(r.effective_nonexistent_policy(), Policy::Quarantine);
        assert_eq!((r.adkim, r.aspf, r.testing), ('r', 'r', false));
        let no_p = DmarcRecord::parse("v=DMARC1; rua=mailto:a@b.test").unwrap();
        assert_eq!(no_p.domain_policy(), Policy::None);
    }

    #[test]
    fn rejects_invalid_records() {
        assert_eq!(
            DmarcRecord::parse("p=none; v=DMARC1"),
            Err(DmarcError::NotDmarc)
        );
        assert!(matches!(
            DmarcRecord::parse("v=DMARC1; p=block"),
            Err(DmarcError::BadPolicy { tag: "p", .. })
        ));
        assert_eq!(
            DmarcRecord::parse("v=DMARC1; p=none; pct=150"),
            Err(DmarcError::BadPct("150".into()))
        );
        assert!(matches!(
            DmarcRecord::parse("v=DMARC1; p=none; adkim=x"),
            Err(DmarcError::BadFlag { tag: "adkim", .. })
        ));
        assert_eq!(
            DmarcRecord::parse("v=DMARC1; p=none; rua=dmarc@a.test"),
            Err(DmarcError::BadUri("dmarc@a.test".into()))
        );
    }

    #[test]
    fn tree_walk_jumps_past_eight_labels() {
        assert_eq!(
            tree_walk_targets("mail.acme.test"),
            ["mail.acme.test", "acme.test", "test"]
        );
        let long = "a.b.c.d.e.f.g.h.i.test";
        let targets = tree_walk_targets(long);
        assert_eq!(targets[0], long);
        assert_eq!(targets[1], "d.e.f.g.h.i.test");
        assert_eq!(targets.len(), 8);
        assert_eq!(targets.last().map(String::as_str), Some("test"));
    }

    #[test]
    fn organizational_domain_honours_psd() {
        let rec = |t: &str| DmarcRecord::parse(t).unwrap();
        let start = "mail.shop.acme.test";
        let found = vec![
            ("shop.acme.test".to_string(), rec("v=DMARC1; p=reject")),
            ("acme.test".to_string(), rec("v=DMARC1; p=none")),
        ];
        assert_eq!(
            organizational_domain(start, &found).as_deref(),
            Some("acme.test")
        );
        let found = vec![
            (
                "shop.acme.test".to_string(),
                rec("v=DMARC1; p=reject; psd=n"),
            ),
            ("acme.test".to_string(), rec("v=DMARC1; p=none")),
        ];
        assert_eq!(
            organizational_domain(start, &found).as_deref(),
            Some("shop.acme.test")
        );
        let found = vec![("test".to_string(), rec("v=DMARC1; p=reject; psd=y"))];
        assert_eq!(
            organizational_domain(start, &found).as_deref(),
            Some("acme.test")
        );
        assert_eq!(organizational_domain(start, &[]), None);
    }

    #[test]
    fn public_suffix_fallback_uses_the_list() {
        assert_eq!(
            psl_organizational_domain("mail.example.co.uk"),
            "example.co.uk"
        );
        assert_eq!(psl_organizational_domain("a.b.acme.test"), "acme.test");
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = DmarcRecord::parse(&text);
            let _ = tree_walk_targets(&text);
            let _ = psl_organizational_domain(&text);
        }

        #[test]
        fn print_then_parse_round_trips(
            p in proptest::option::of(prop_oneof![Just("none"), Just("quarantine"), Just("reject")]),
            sp in proptest::option::of(prop_oneof![Just("none"), Just("reject")]),
            pct in proptest::option::of(0u8..=100),
            rua in proptest::option::of("mailto:[a-z]{1,8}@[a-z]{1,8}\\.test(!10m)?"),
            extra in proptest::option::of("[a-z]{3,6}=[a-z0-9]{1,6}"),
        ) {
            let mut parts = vec!["v=DMARC1".to_string()];
            parts.extend(p.map(|v| format!("p={v}")));
            parts.extend(sp.map(|v| format!("sp={v}")));
            parts.extend(pct.map(|v| format!("pct={v}")));
            parts.extend(rua.map(|v| format!("rua={v}")));
            parts.extend(extra.filter(|e| !e.starts_with("pct=") && !e.starts_with("rua=")));
            if let Ok(record) = DmarcRecord::parse(&parts.join(";")) {
                prop_assert_eq!(DmarcRecord::parse(&record.to_string()), Ok(record));
            }
        }
    }
}
