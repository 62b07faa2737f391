//! `mta-sts`: the domain publishes an MTA-STS policy senders can fetch and apply: a
//! `_mta-sts.<domain>` TXT `v=STSv1; id=…`, and a policy at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` served 200 without redirects over a valid
//! certificate, `version: STSv1`, a mode, `max_age` within a year, and mx patterns matching every
//! MX host.
//!
//! Reference: RFC 8461 §3.1 (TXT record), §3.2 (policy), §3.3 (HTTPS fetch), §4.1 (MX matching).
//!
//! [`StsRecord`] and [`StsPolicy`] parse and print on their own; [`mx_matches`] is the §4.1 rule.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::tags::{TagError, TagList, has_version, versioned_txt};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};
use crate::net::dns::{DnsOutcome, RData, RecordType};
use crate::net::{HttpError, HttpRequest};

/// Metadata of the `mta-sts` check.
pub static META: CheckMeta = CheckMeta {
    id: "mta-sts",
    title: "MTA-STS policy enforces TLS for inbound mail",
    category: Category::Email,
    default_severity: Severity::Medium,
    mode: Mode::Passive,
    why: "Without MTA-STS, sending servers fall back to plaintext SMTP whenever STARTTLS is stripped, so an on-path attacker can read or redirect inbound mail.",
    breaks: "Password resets and invoices sent to the domain can be intercepted; a broken policy in enforce mode makes senders refuse to deliver at all.",
    remediation: "Publish _mta-sts.<domain> TXT \"v=STSv1; id=<date>\" and serve https://mta-sts.<domain>/.well-known/mta-sts.txt (200, text/plain, no redirect, valid certificate) with version: STSv1, mode: enforce, one mx: line per MX host and max_age: 604800 or more.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc8461#section-3",
        "https://www.rfc-editor.org/rfc/rfc8461#section-4.1",
    ],
};

/// Largest `max_age` allowed (RFC 8461 §3.2): one year.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// A parsed `_mta-sts` TXT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRecord {
    /// Every tag as written.
    pub tags: TagList,
    /// The policy id (1 to 32 letters or digits).
    pub id: String,
}

/// Why a `_mta-sts` TXT record is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsRecordError {
    /// Not a tag list.
    #[error("not a tag list: {0}")]
    Tags(#[from] TagError),
    /// The first tag is not `v=STSv1`.
    #[error("the record does not start with v=STSv1")]
    NotSts,
    /// No `id=`, or one that is not 1 to 32 letters and digits.
    #[error("id= is missing or not 1 to 32 letters and digits")]
    BadId,
}

impl StsRecord {
    /// Parses the TXT record.
    pub fn parse(text: &str) -> Result<StsRecord, StsRecordError> {
        if !has_version(text, "STSv1") {
            return Err(StsRecordError::NotSts);
        }
        let tags = TagList::parse(text)?;
        let id = tags.get("id").ok_or(StsRecordError::BadId)?;
        if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(StsRecordError::BadId);
        }
        Ok(StsRecord {
            id: id.to_string(),
            tags,
        })
    }
}

impl fmt::Display for StsRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tags.fmt(f)
    }
}

/// The policy mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsMode {
    /// Senders refuse delivery without a valid TLS connection to a matching MX.
    Enforce,
    /// Senders deliver anyway and only report failures.
    Testing,
    /// The policy is withdrawn.
    None,
}

impl fmt::Display for StsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StsMode::Enforce => "enforce",
            StsMode::Testing => "testing",
            StsMode::None => "none",
        })
    }
}

/// A parsed policy file: `key: value` lines, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsPolicy {
    /// Every field as written (keys and values trimmed).
    pub fields: Vec<(String, String)>,
}

/// Why a policy file does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsPolicyError {
    /// A line that is not `key: value`.
    #[error("line {line} is not `key: value`: `{text}`")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
}

/// What is wrong with a parsed policy, per RFC 8461 §3.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    /// `version` missing or not STSv1.
    Version(Option<String>),
    /// `mode` missing or not enforce, testing, none.
    Mode(Option<String>),
    /// `max_age` missing, not a number, or over a year.
    MaxAge(Option<String>),
    /// No `mx` line while the mode is not none.
    NoMx,
    /// A field that must appear once appears more often.
    Repeated(String),
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "missing".into());
        match self {
            PolicyProblem::Version(v) => write!(f, "version is {}, not STSv1", shown(v)),
            PolicyProblem::Mode(v) => {
                write!(f, "mode is {}, not enforce, testing or none", shown(v))
            }
            PolicyProblem::MaxAge(v) => write!(
                f,
                "max_age is {}, not a number of seconds up to {MAX_AGE_LIMIT}",
                shown(v)
            ),
            PolicyProblem::NoMx => f.write_str("no mx: line, so no MX host can match"),
            PolicyProblem::Repeated(key) => write!(f, "{key} appears more than once"),
        }
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl StsPolicy {
    /// Parses the policy body; lines end in CRLF or LF, blank lines are skipped.
    pub fn parse(text: &str) -> Result<StsPolicy, StsPolicyError> {
        let mut fields = Vec::new();
        for (i, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let bad = || StsPolicyError::BadLine {
                line: i + 1,
                text: line.to_string(),
            };
            let (key, value) = line.split_once(':').ok_or_else(bad)?;
            let (key, value) = (key.trim(), value.trim());
            if !valid_key(key) || value.chars().any(|c| c.is_control()) {
                return Err(bad());
            }
            fields.push((key.to_string(), value.to_string()));
        }
        Ok(StsPolicy { fields })
    }

    fn values(&self, key: &str) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.values(key).next()
    }

    /// `version`.
    pub fn version(&self) -> Option<&str> {
        self.one("version")
    }

    /// `mode`, when valid.
    pub fn mode(&self) -> Option<StsMode> {
        match self.one("mode")? {
            "enforce" => Some(StsMode::Enforce),
            "testing" => Some(StsMode::Testing),
            "none" => Some(StsMode::None),
            _ => None,
        }
    }

    /// `max_age` in seconds, when a number within the limit.
    pub fn max_age(&self) -> Option<u64> {
        let value = self.one("max_age")?;
        if value.is_empty() || value.len() > 10 || !value.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        value.parse().ok().filter(|age| *age <= MAX_AGE_LIMIT)
    }

    /// The `mx` patterns.
    pub fn mx(&self) -> Vec<&str> {
        self.values("mx").collect()
    }

    /// Everything §3.2 forbids in this policy.
    pub fn problems(&self) -> Vec<PolicyProblem> {
        let mut problems = Vec::new();
        for key in ["version", "mode", "max_age"] {
            if self.values(key).count() > 1 {
                problems.push(PolicyProblem::Repeated(key.to_string()));
            }
        }
        if self.version() != Some("STSv1") {
            problems.push(PolicyProblem::Version(self.version().map(str::to_string)));
        }
        if self.mode().is_none() {
            problems.push(PolicyProblem::Mode(self.one("mode").map(str::to_string)));
        }
        if self.max_age().is_none() {
            problems.push(PolicyProblem::MaxAge(
                self.one("max_age").map(str::to_string),
            ));
        }
        if self.mode() != Some(StsMode::None) && self.mx().is_empty() {
            problems.push(PolicyProblem::NoMx);
        }
        problems
    }
}

impl fmt::Display for StsPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.fields {
            write!(f, "{key}: {value}\r\n")?;
        }
        Ok(())
    }
}

/// RFC 8461 §4.1: `host` matches `pattern` exactly, or `*.rest` when host is one label plus rest.
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => !pattern.is_empty() && pattern == host,
    }
}

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(MtaSts {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit the mail domain",
        )),
    }
}

struct MtaSts {
    settings: EmailSettings,
}

/// How long the policy fetch may take (RFC 8461 §3.3 suggests senders wait at least a minute;
/// an audit needs less).
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

#[async_trait::async_trait]
impl Check for MtaSts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.to_ascii_lowercase();
        let name = format!("_mta-sts.{domain}");
        let subject = || Subject::dns(&name, "TXT");
        let txt = versioned_txt(&ctx.net.dns, &name, "STSv1").await;
        if let Some(message) = txt.failed() {
            return vec![
                Finding::error(
                    &META,
                    subject(),
                    format!("cannot look up {name}: {message}"),
                )
                .evidence("rule", "RFC 8461 §3.1"),
            ];
        }
        let record_text = match txt.matching.as_slice() {
            [] if !self.settings.sends_mail => {
                return vec![
                    Finding::pass(
                        &META,
                        subject(),
                        format!("{domain} sends no mail; no MTA-STS policy is needed"),
                    )
                    .evidence("lookup", txt.describe_outcome()),
                ];
            }
            [] => {
                return vec![Finding::fail(&META, subject(), format!("{domain} publishes no MTA-STS record: senders deliver over unauthenticated or plaintext SMTP"))
                    .evidence("lookup", txt.describe_outcome())
                    .evidence("rule", "RFC 8461 §3.1")
                    .remediation(format!("publish {name} TXT \"v=STSv1; id=<yyyymmddnn>\" and serve the policy at https://mta-sts.{domain}/.well-known/mta-sts.txt"))];
            }
            [one] => one.clone(),
            many => {
                return vec![Finding::fail(&META, subject(), format!("{name} has {} v=STSv1 records: senders treat the domain as having no policy", many.len()))
                    .severity(Severity::High)
                    .evidence("records", many.join(" | "))
                    .evidence("rule", "RFC 8461 §3.1: the number of records must be one")
                    .remediation(format!("keep exactly one v=STSv1 record at {name}"))];
            }
        };
        if let Err(error) = StsRecord::parse(&record_text) {
            return vec![
                Finding::fail(&META, subject(), format!("{name} is invalid: {error}"))
                    .severity(Severity::High)
                    .evidence("record", record_text)
                    .evidence("rule", "RFC 8461 §3.1")
                    .remediation("publish v=STSv1; id=<1-32 letters and digits>"),
            ];
        }
        let mut findings = self.judge_policy(ctx, &domain).await;
        for finding in &mut findings {
            finding.evidence.insert(
                0,
                crate::check::Evidence::new("txt record", record_text.clone()),
            );
        }
        findings
    }
}

impl MtaSts {
    async fn judge_policy(&self, ctx: &Context, domain: &str) -> Vec<Finding> {
        let host = format!("mta-sts.{domain}");
        let url_text = format!("https://{host}/.well-known/mta-sts.txt");
        let subject = || Subject::url(&url_text);
        let url = match Url::parse(&url_text) {
            Ok(url) => url,
            Err(e) => {
                return vec![Finding::error(
                    &META,
                    subject(),
                    format!("cannot build the policy URL: {e}"),
                )];
            }
        };
        let response = match ctx
            .net
            .http
            .send(&HttpRequest::get(url).timeout(FETCH_TIMEOUT))
            .await
        {
            Ok(response) => response,
            Err(error) => {
                let (message, rule) = match &error {
                    HttpError::Tls(_) => (
                        format!(
                            "the policy host {host} does not present a valid certificate: {error}"
                        ),
                        "RFC 8461 §3.3: the certificate must be valid for mta-sts.<domain> and chain to a trusted root",
                    ),
                    _ => (
                        format!("the policy cannot be fetched: {error}"),
                        "RFC 8461 §3.3",
                    ),
                };
                return vec![Finding::fail(&META, subject(), message)
                    .severity(Severity::High)
                    .evidence("rule", rule)
                    .remediation(format!("serve the policy at {url_text} over HTTPS with a publicly trusted certificate for {host}"))];
            }
        };
        let status = response.status.as_u16();
        if response.status.is_redirection() {
            return vec![Finding::fail(
                &META,
                subject(),
                format!("the policy URL answers {status} redirect to {}: senders must not follow redirects", response.header("location").unwrap_or("(no Location)")),
            )
            .severity(Severity::High)
            .evidence("status", status.to_string())
            .evidence("rule", "RFC 8461 §3.3: HTTP 3xx redirects MUST NOT be followed")
            .remediation(format!("serve the policy file itself at {url_text}"))];
        }
        if status != 200 {
            return vec![
                Finding::fail(
                    &META,
                    subject(),
                    format!("the policy URL answers {status}, not 200"),
                )
                .severity(Severity::High)
                .evidence("status", status.to_string())
                .evidence("rule", "RFC 8461 §3.3: only a 200 answer is a policy")
                .remediation(format!("serve the policy at {url_text} with status 200")),
            ];
        }
        let body = response.text();
        let policy = match StsPolicy::parse(&body) {
            Ok(policy) => policy,
            Err(error) => {
                return vec![
                    Finding::fail(
                        &META,
                        subject(),
                        format!("the policy does not parse: {error}"),
                    )
                    .severity(Severity::High)
                    .evidence("policy", body.chars().take(400).collect::<String>())
                    .evidence("rule", "RFC 8461 §3.2"),
                ];
            }
        };
        let shown = policy.to_string().trim_end().replace("\r\n", " | ");
        let with_policy = |finding: Finding| finding.evidence("policy", shown.clone());
        let mut findings = Vec::new();
        let content_type = response
            .header("content-type")
            .unwrap_or("(none)")
            .to_string();
        if !content_type.to_ascii_lowercase().starts_with("text/plain") {
            findings.push(
                with_policy(Finding::fail(
                    &META,
                    subject(),
                    format!("the policy is served as {content_type}, not text/plain"),
                ))
                .severity(Severity::Low)
                .evidence("rule", "RFC 8461 §3.3: the media type must be text/plain")
                .remediation("serve the policy with Content-Type: text/plain"),
            );
        }
        let problems = policy.problems();
        if !problems.is_empty() {
            findings.push(
                with_policy(Finding::fail(
                    &META,
                    subject(),
                    format!("the policy is invalid: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
                ))
                .severity(Severity::High)
                .evidence("rule", "RFC 8461 §3.2")
                .remediation("fix the policy: version: STSv1, mode: enforce, max_age: 604800, one mx: per MX host"),
            );
            return findings;
        }
        let mode = policy.mode().unwrap_or(StsMode::None);
        let patterns = policy.mx();
        let mx = ctx.net.dns.lookup(domain, RecordType::MX).await;
        let hosts: Vec<String> = mx
            .records
            .iter()
            .filter_map(|r| match &r.data {
                RData::MX(mx) => Some(
                    mx.exchange
                        .to_ascii()
                        .trim_end_matches('.')
                        .to_ascii_lowercase(),
                ),
                _ => None,
            })
            .filter(|h| !h.is_empty())
            .collect();
        let mx_subject = Subject::dns(domain, "MX");
        match &mx.outcome {
            DnsOutcome::Failed(message) => findings.push(
                Finding::error(
                    &META,
                    mx_subject,
                    format!("cannot look up the MX of {domain} to match the policy: {message}"),
                )
                .evidence("rule", "RFC 8461 §4.1"),
            ),
            _ if hosts.is_empty() => findings.push(
                with_policy(Finding::inconclusive(
                    &META,
                    mx_subject,
                    format!("{domain} has no MX host to match against the policy's mx patterns"),
                ))
                .evidence("rule", "RFC 8461 §4.1"),
            ),
            _ => {
                let unmatched: Vec<&String> = hosts
                    .iter()
                    .filter(|h| !patterns.iter().any(|p| mx_matches(p, h)))
                    .collect();
                if !unmatched.is_empty() {
                    let severity = match mode {
                        StsMode::Enforce => Severity::High,
                        StsMode::Testing => Severity::Medium,
                        StsMode::None => Severity::Low,
                    };
                    let consequence = if mode == StsMode::Enforce {
                        "enforcing senders refuse to deliver to it"
                    } else {
                        "senders would refuse it once the mode is enforce"
                    };
                    findings.push(
                        with_policy(Finding::fail(
                            &META,
                            mx_subject,
                            format!(
                                "MX host(s) {} match no mx pattern of the policy ({}): {consequence}",
                                unmatched.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", "),
                                patterns.join(", ")
                            ),
                        ))
                        .severity(severity)
                        .evidence("mx hosts", hosts.join(", "))
                        .evidence("rule", "RFC 8461 §4.1")
                        .remediation(format!("add an mx: line for each of {} and bump the id in the TXT record", unmatched.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", "))),
                    );
                }
            }
        }
        match mode {
            StsMode::Enforce => {}
            StsMode::Testing => findings.push(
                with_policy(Finding::fail(&META, subject(), "the policy is in testing mode: senders report TLS failures but still deliver without TLS"))
                    .severity(Severity::Low)
                    .evidence("rule", "RFC 8461 §5 (testing)")
                    .remediation("switch to mode: enforce once TLS-RPT reports show no failures, and bump the id"),
            ),
            StsMode::None => findings.push(
                with_policy(Finding::fail(&META, subject(), "the policy mode is none: MTA-STS is withdrawn"))
                    .evidence("rule", "RFC 8461 §5 (none)")
                    .remediation("set mode: enforce and bump the id"),
            ),
        }
        if findings.is_empty() {
            findings.push(
                with_policy(Finding::pass(
                    &META,
                    subject(),
                    format!(
                        "MTA-STS policy in mode {mode} matches every MX ({}), max_age {}",
                        hosts.join(", "),
                        policy.max_age().unwrap_or_default()
                    ),
                ))
                .evidence("rule", "RFC 8461 §3.2, §3.3, §4.1"),
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
    fn parses_record_and_policy() {
        let record = StsRecord::parse("v=STSv1; id=20260101T01").unwrap();
        assert_eq!(record.id, "20260101T01");
        assert_eq!(StsRecord::parse("v=STSv1;"), Err(StsRecordError::BadId));
        assert_eq!(
            StsRecord::parse("id=1; v=STSv1"),
            Err(StsRecordError::NotSts)
        );
        let policy = StsPolicy::parse("version: STSv1\r\nmode: enforce\r\nmx: mx.acme.test\r\nmx: *.backup.acme.test\r\nmax_age: 604800\r\n").unwrap();
        assert_eq!(policy.mode(), Some(StsMode::Enforce));
        assert_eq!(policy.max_age(), Some(604_800));
        assert_eq!(policy.mx(), ["mx.acme.test", "*.backup.acme.test"]);
        assert!(policy.problems().is_empty());
    }

    #[test]
    fn reports_policy_problems() {
        let policy =
            StsPolicy::parse("version: STSv2\nmode: strict\nmax_age: 99999999999\n").unwrap();
        let problems = policy.problems();
        assert!(problems.contains(&PolicyProblem::Version(Some("STSv2".into()))));
        assert!(problems.contains(&PolicyProblem::Mode(Some("strict".into()))));
        assert!(problems.contains(&PolicyProblem::MaxAge(Some("99999999999".into()))));
        assert!(problems.contains(&PolicyProblem::NoMx));
        assert!(matches!(
            StsPolicy::parse("version STSv1"),
            Err(StsPolicyError::BadLine { line: 1, .. })
        ));
        let over = StsPolicy::parse("version: STSv1\nmode: none\nmax_age: 31557601").unwrap();
        assert_eq!(
            over.problems(),
            [PolicyProblem::MaxAge(Some("31557601".into()))]
        );
    }

    #[test]
    fn mx_wildcards_cover_one_label() {
        assert!(mx_matches("mx.acme.test", "MX.acme.test."));
        assert!(mx_matches("*.acme.test", "mx1.acme.test"));
        assert!(!mx_matches("*.acme.test", "a.mx.acme.test"));
        assert!(!mx_matches("*.acme.test", "acme.test"));
        assert!(!mx_matches("mail.acme.test", "mx.acme.test"));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            if let Ok(policy) = StsPolicy::parse(&text) {
                let _ = policy.problems();
            }
            let _ = StsRecord::parse(&text);
            let _ = mx_matches(&text, &text);
        }

        #[test]
        fn record_print_then_parse_round_trips(id in "[A-Za-z0-9]{1,32}", extra in proptest::option::of("[a-z]{2,5}=[a-z0-9]{0,5}")) {
            let text = match extra {
                Some(extra) if !extra.starts_with("id=") && !extra.starts_with("v=") => format!("v=STSv1;id={id};{extra}"),
                _ => format!("v=STSv1;id={id}"),
            };
            let record = StsRecord::parse(&text).unwrap();
            prop_assert_eq!(StsRecord::parse(&record.to_string()), Ok(record));
        }

        #[test]
        fn print_then_parse_round_trips(text in "([a-z_]{1,10}:[ -~]{0,20}\r?\n){0,6}") {
            if let Ok(policy) = StsPolicy::parse(&text) {
                prop_assert_eq!(StsPolicy::parse(&policy.to_string()), Ok(policy));
            }
        }
    }
}
