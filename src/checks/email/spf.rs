//! `spf`: the mail domain publishes exactly one valid SPF record whose whole include/redirect tree
//! stays within 10 DNS lookups and 2 void lookups, ends in `-all`, avoids `ptr` and `+all`, and
//! authorizes every configured sender (a parked domain publishes `v=spf1 -all`).
//!
//! Reference: RFC 7208 (§4.5 record selection, §4.6.4 lookup limits, §5 mechanisms, §6 modifiers,
//! §7 macros). The parser and printer live in [`record`], the tree walk and `check_host()` in
//! [`eval`]; both are usable on their own.

pub mod eval;
pub mod record;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};

use eval::{LOOKUP_LIMIT, Problem, Published, SpfResult, VOID_LIMIT, Walk};
use record::{Mechanism, Qualifier};

/// Metadata of the `spf` check.
pub static META: CheckMeta = CheckMeta {
    id: "spf",
    title: "SPF record is valid, within lookup limits, and ends in -all",
    category: Category::Email,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "SPF tells receivers which hosts may send mail as the domain; DMARC builds on it. A missing, broken or over-limit record leaves the domain spoofable and gets real mail junked.",
    breaks: "Phishing in the company's name lands in customers' inboxes, while invoices, password resets and sign-up mail from the real senders fail SPF and go to spam or bounce.",
    remediation: "Publish one TXT record `v=spf1 <your senders> -all` at the mail domain: list senders with ip4/ip6 or a few includes, keep the whole tree at 10 DNS lookups or fewer (flatten nested includes), drop ptr, and never use +all.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc7208",
        "https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4",
        "https://www.m3aawg.org/sites/default/files/m3aawg_parked_domains_bp-2015-12.pdf",
    ],
};

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(Spf {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit SPF",
        )),
    }
}

struct Spf {
    settings: EmailSettings,
}

#[async_trait::async_trait]
impl Check for Spf {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.as_str();
        let walk = Walk::run(&ctx.net.dns, domain).await;
        let mut findings = judge(&self.settings, &walk);
        let published = matches!(walk.root.published, Published::One { .. });
        if published {
            let record = walk.root.published.text().unwrap_or_default();
            for ip in &self.settings.senders {
                let outcome = eval::check_host(&ctx.net.dns, *ip, domain).await;
                findings.push(judge_sender(domain, record, *ip, &outcome));
            }
        }
        findings
    }
}

fn subject(domain: &str) -> Subject {
    Subject::dns(domain, "TXT")
}

/// Every finding about the walked tree (senders aside).
fn judge(settings: &EmailSettings, walk: &Walk) -> Vec<Finding> {
    let domain = settings.domain.as_str();
    let record = match &walk.root.published {
        Published::DnsFailed(why) => {
            return vec![
                Finding::error(
                    &META,
                    subject(domain),
                    format!("the TXT query for {domain} failed ({why}): receivers return temperror and may defer mail"),
                )
                .evidence("record", "(query failed)")
                .evidence("rule", "RFC 7208 §4.4"),
            ];
        }
        Published::None { void } => {
            let seen = if *void {
                "the name has no TXT records"
            } else {
                "no TXT record starts with `v=spf1 `"
            };
            let finding = if settings.sends_mail {
                Finding::fail(
                    &META,
                    subject(domain),
                    format!("{domain} publishes no SPF record ({seen}): receivers get `none`, so anyone can send as {domain}"),
                )
                .remediation(format!("publish a TXT record at {domain}: `v=spf1 <your senders> -all`"))
            } else {
                Finding::fail(
                    &META,
                    subject(domain),
                    format!("parked domain {domain} publishes no SPF record ({seen}): it must refuse all senders"),
                )
                .remediation(format!("publish a TXT record at {domain}: `v=spf1 -all`"))
            };
            return vec![
                finding
                    .severity(Severity::High)
                    .evidence("record", "(none)")
                    .evidence("rule", "RFC 7208 §4.5"),
            ];
        }
        Published::Multiple(texts) => {
            return vec![
                Finding::fail(
                    &META,
                    subject(domain),
                    format!(
                        "{domain} publishes {} SPF records: receivers return permerror for every message",
                        texts.len()
                    ),
                )
                .severity(Severity::Critical)
                .evidence("record", texts.join(" | "))
                .evidence("rule", "RFC 7208 §4.5")
                .remediation("merge the records into one TXT record starting `v=spf1` and delete the others"),
            ];
        }
        Published::Invalid { .. } => {
            return walk.problems.iter().map(problem_finding).collect();
        }
        Published::One { text, .. } => text.as_str(),
    };

    let mut findings = Vec::new();
    let tree = walk.tree();
    if walk.lookups > LOOKUP_LIMIT {
        let stop = walk
            .first_over_limit
            .as_deref()
            .map(|t| {
                format!(
                    ": receivers stop at lookup #{} (`{t}`) and return permerror",
                    LOOKUP_LIMIT + 1
                )
            })
            .unwrap_or_default();
        findings.push(
            Finding::fail(
                &META,
                subject(domain),
                format!(
                    "{domain}'s SPF tree needs {} DNS lookups, over the limit of {LOOKUP_LIMIT}{stop}",
                    walk.lookups
                ),
            )
            .severity(Severity::Critical)
            .evidence("record", record)
            .evidence("lookups", walk.summary())
            .evidence("tree", tree.clone())
            .evidence("rule", "RFC 7208 §4.6.4")
            .remediation("flatten nested includes into ip4/ip6 ranges, drop unused includes and a/mx/ptr terms, until the tree needs 10 lookups or fewer"),
        );
    } else {
        findings.push(
            Finding::pass(
                &META,
                subject(domain),
                format!(
                    "{domain}'s SPF tree needs {}/{LOOKUP_LIMIT} DNS lookups and {}/{VOID_LIMIT} void lookups",
                    walk.lookups,
                    walk.voids.len()
                ),
            )
            .evidence("record", record)
            .evidence("lookups", walk.summary())
            .evidence("tree", tree.clone())
            .evidence("rule", "RFC 7208 §4.6.4"),
        );
    }
    if walk.voids.len() as u32 > VOID_LIMIT {
        let listed: Vec<String> = walk
            .voids
            .iter()
            .enumerate()
            .map(|(i, v)| format!("#{} `{}` in {}: {}", i + 1, v.term, v.domain, v.query))
            .collect();
        findings.push(
            Finding::fail(
                &META,
                subject(domain),
                format!(
                    "{domain}'s SPF tree makes {} void lookups (no answer or NXDOMAIN), over the limit of {VOID_LIMIT}: receivers return permerror",
                    walk.voids.len()
                ),
            )
            .severity(Severity::High)
            .evidence("record", record)
            .evidence("void lookups", listed.join("; "))
            .evidence("tree", tree)
            .evidence("rule", "RFC 7208 §4.6.4")
            .remediation("remove terms that name hosts or includes that no longer exist"),
        );
    }
    findings.extend(walk.problems.iter().map(problem_finding));
    findings.extend(judge_all(settings, record, walk));
    if !settings.sends_mail {
        findings.extend(judge_parked(domain, record, walk));
    }
    findings
}

fn problem_finding(problem: &Problem) -> Finding {
    let mut finding = Finding::fail(&META, subject(&problem.domain), problem.message.clone())
        .severity(problem.kind.severity())
        .evidence("record", problem.record.clone());
    if let Some(term) = &problem.term {
        finding = finding.evidence("term", term.clone());
    }
    if problem.path.len() > 1 {
        finding = finding.evidence("via", problem.path.join(" → "));
    }
    finding.evidence("rule", problem.kind.section())
}

/// How the record treats senders it does not list.
fn judge_all(settings: &EmailSettings, record: &str, walk: &Walk) -> Option<Finding> {
    let domain = settings.domain.as_str();
    let finding = match walk.final_all {
        // +all is reported as a critical problem where it is written.
        Some(Qualifier::Pass) => return None,
        Some(Qualifier::Fail) => Finding::pass(
            &META,
            subject(domain),
            format!("{domain}'s SPF ends in `-all`: unlisted senders fail"),
        ),
        Some(Qualifier::SoftFail) => Finding::fail(
            &META,
            subject(domain),
            format!("{domain}'s SPF ends in `~all` (softfail): unlisted senders are only marked suspicious; fine while DMARC enforces, `-all` is stricter"),
        )
        .severity(Severity::Info)
        .remediation("end the record in `-all` once every sender is listed"),
        Some(Qualifier::Neutral) => Finding::fail(
            &META,
            subject(domain),
            format!("{domain}'s SPF ends in `?all` (neutral): it asserts nothing about unlisted senders, so spoofed mail is not refused"),
        )
        .severity(Severity::High)
        .remediation("end the record in `-all` (or `~all` while rolling out)"),
        None => Finding::fail(
            &META,
            subject(domain),
            format!("{domain}'s SPF has no `all` (and no redirect that supplies one): unlisted senders get neutral, so spoofed mail is not refused"),
        )
        .severity(Severity::High)
        .remediation("end the record in `-all` (or `~all` while rolling out)"),
    };
    Some(
        finding
            .evidence("record", record)
            .evidence("rule", "RFC 7208 §4.7, §5.1"),
    )
}

/// A parked domain must publish exactly `v=spf1 -all`.
fn judge_parked(domain: &str, record: &str, walk: &Walk) -> Option<Finding> {
    let Published::One { record: parsed, .. } = &walk.root.published else {
        return None;
    };
    let directives: Vec<_> = parsed.directives().collect();
    let refuses_all = matches!(
        directives.as_slice(),
        [only] if matches!(only.mechanism, Mechanism::All) && only.effective_qualifier() == Qualifier::Fail
    ) && parsed.redirect().is_none();
    let finding = if refuses_all {
        Finding::pass(
            &META,
            subject(domain),
            format!("parked domain {domain} refuses every sender with `v=spf1 -all`"),
        )
    } else {
        Finding::fail(
            &META,
            subject(domain),
            format!("{domain} is configured as parked (sends-mail = false) but its SPF authorizes senders"),
        )
        .severity(Severity::High)
        .remediation(format!("replace the record at {domain} with `v=spf1 -all`"))
    };
    Some(
        finding
            .evidence("record", record)
            .evidence("rule", "RFC 7208 §5.1; M3AAWG parked domains"),
    )
}

fn judge_sender(
    domain: &str,
    record: &str,
    ip: std::net::IpAddr,
    outcome: &eval::HostCheck,
) -> Finding {
    let message = format!(
        "check_host({ip}, {domain}) = {}: {}",
        outcome.result.as_str(),
        outcome.reason
    );
    let finding = if outcome.result == SpfResult::Pass {
        Finding::pass(&META, subject(domain), message)
    } else {
        Finding::fail(&META, subject(domain), message)
            .severity(Severity::High)
            .remediation(format!(
                "authorize {ip} in {domain}'s SPF (ip4/ip6 or the sending provider's include), or stop sending from it"
            ))
    };
    finding
        .evidence("sender", ip.to_string())
        .evidence("record", record)
        .evidence(
            "evaluation",
            format!(
                "{} lookups, {} void: {}",
                outcome.lookups,
                outcome.voids,
                outcome.trace.join("; ")
            ),
        )
        .evidence("rule", "RFC 7208 §4")
}
