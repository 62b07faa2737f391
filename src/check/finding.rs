//! Findings: what a check observed about one subject, with its verdict, severity and evidence.

use std::fmt;

use serde::Serialize;

use super::CheckMeta;
use super::metrics::Metrics;

/// How bad a failed finding is, from `info` to `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never a reason to delay launch.
    Info,
    /// Fix when convenient.
    Low,
    /// Fix soon after launch.
    Medium,
    /// Fix before launch.
    High,
    /// Launch would expose users or data.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the check is that the finding is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A heuristic matched; a person should confirm.
    Low,
    /// Strong signal, some room for a benign explanation.
    Medium,
    /// Proven by the response itself.
    High,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        })
    }
}

/// The verdict of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The subject meets the rule.
    Pass,
    /// The check could not decide; shown for a person to review, never silently passed.
    Inconclusive,
    /// The subject breaks the rule.
    Fail,
    /// The check could not run against the subject (target fault or internal failure).
    Error,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Inconclusive => "inconclusive",
            Status::Fail => "fail",
            Status::Error => "error",
        })
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// The target as a whole.
    Target,
    /// A host name such as `api.acme.test`.
    Host {
        /// The host name.
        host: String,
    },
    /// A URL that was requested.
    Url {
        /// The absolute URL.
        url: String,
    },
    /// An API operation.
    Endpoint {
        /// HTTP method, upper case.
        method: String,
        /// The absolute URL requested.
        url: String,
    },
    /// A DNS name and record type.
    Dns {
        /// The queried name.
        name: String,
        /// The record type, such as `TXT`.
        record: String,
    },
    /// A place in a file of the working tree or a build output.
    File {
        /// Path as given to or found by the scanner.
        path: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// 1-based column, when known.
        column: Option<u32>,
    },
    /// A place in a file as it was in a commit of the git history.
    Commit {
        /// Full commit id.
        commit: String,
        /// Path in that commit.
        path: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// 1-based column, when known.
        column: Option<u32>,
    },
}

impl Subject {
    /// A host subject.
    pub fn host(host: impl Into<String>) -> Self {
        Subject::Host { host: host.into() }
    }

    /// A URL subject.
    pub fn url(url: impl Into<String>) -> Self {
        Subject::Url { url: url.into() }
    }

    /// An endpoint subject.
    pub fn endpoint(method: impl Into<String>, url: impl Into<String>) -> Self {
        Subject::Endpoint {
            method: method.into(),
            url: url.into(),
        }
    }

    /// A DNS subject.
    pub fn dns(name: impl Into<String>, record: impl Into<String>) -> Self {
        Subject::Dns {
            name: name.into(),
            record: record.into(),
        }
    }

    /// A file subject.
    pub fn file(path: impl Into<String>, line: Option<u32>, column: Option<u32>) -> Self {
        Subject::File {
            path: path.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn position(
            f: &mut fmt::Formatter<'_>,
            line: Option<u32>,
            column: Option<u32>,
        ) -> fmt::Result {
            if let Some(line) = line {
                write!(f, ":{line}")?;
                if let Some(column) = column {
                    write!(f, ":{column}")?;
                }
            }
            Ok(())
        }
        match self {
            Subject::Target => f.write_str("target"),
            Subject::Host { host } => f.write_str(host),
            Subject::Url { url } => f.write_str(url),
            Subject::Endpoint { method, url } => write!(f, "{method} {url}"),
            Subject::Dns { name, record } => write!(f, "{name} {record}"),
            Subject::File { path, line, column } => {
                f.write_str(path)?;
                position(f, *line, *column)
            }
            Subject::Commit {
                commit,
                path,
                line,
                column,
            } => {
                write!(f, "{}:{path}", &commit[..commit.len().min(12)])?;
                position(f, *line, *column)
            }
        }
    }
}

/// One labelled piece of evidence. Secrets only enter through [`Evidence::secret`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What the value is, e.g. `status` or `route`.
    pub label: String,
    /// The observed value, already redacted where it held a secret.
    pub value: String,
}

impl Evidence {
    /// Evidence whose value is safe to print as it is.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Evidence {
            label: label.into(),
            value: value.into(),
        }
    }

    /// Evidence whose value is a secret: only a redacted form is kept.
    pub fn secret(label: impl Into<String>, secret: &str) -> Self {
        Evidence {
            label: label.into(),
            value: redact(secret),
        }
    }
}

/// Redacts a secret to at most its first four characters and its length.
pub fn redact(secret: &str) -> String {
    let chars = secret.chars().count();
    let keep = if chars >= 12 { 4 } else { 0 };
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}…[redacted, {chars} chars]")
}

/// An accepted risk that matched a finding, from the config's `[[accept]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// Why the risk was accepted.
    pub reason: String,
    /// Last day the acceptance holds (ISO date), if any.
    pub until: Option<String>,
    /// True when the acceptance expired; the finding counts as a failure again.
    pub expired: bool,
}

/// What a check observed about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Id of the check that produced it.
    pub check: &'static str,
    /// The verdict.
    pub status: Status,
    /// Severity of a failure; for other statuses, the severity a failure would have had.
    pub severity: Severity,
    /// How sure the check is.
    pub confidence: Confidence,
    /// What the finding is about.
    pub subject: Subject,
    /// One sentence naming the value seen and the rule it meets or breaks.
    pub message: String,
    /// Observations that back the message.
    pub evidence: Vec<Evidence>,
    /// A fix specific to this finding; the check's generic fix path applies when absent.
    pub remediation: Option<String>,
    /// Set when an `[[accept]]` entry matched this finding.
    pub accepted: Option<Acceptance>,
    /// Structured measurements behind the verdict (latency percentiles, say), when the check took
    /// any; omitted from JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Box<Metrics>>,
}

impl Finding {
    fn new(meta: &'static CheckMeta, status: Status, subject: Subject, message: String) -> Self {
        Finding {
            check: meta.id,
            status,
            severity: meta.default_severity,
            confidence: Confidence::High,
            subject,
            message,
            evidence: Vec::new(),
            remediation: None,
            accepted: None,
            metrics: None,
        }
    }

    /// The subject meets the rule.
    pub fn pass(meta: &'static CheckMeta, subject: Subject, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Pass, subject, message.into())
    }

    /// The subject breaks the rule, at the check's default severity unless changed.
    pub fn fail(meta: &'static CheckMeta, subject: Subject, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Fail, subject, message.into())
    }

    /// The check could not reach a verdict for the subject.
    pub fn error(meta: &'static CheckMeta, subject: Subject, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Error, subject, message.into())
    }

    /// The check could not decide; a person must review.
    pub fn inconclusive(
        meta: &'static CheckMeta,
        subject: Subject,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(meta, Status::Inconclusive, subject, message.into())
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the confidence.
    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Adds a piece of evidence that holds no secret.
    pub fn evidence(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(label, value));
        self
    }

    /// Adds a piece of evidence holding a secret; only its redacted form is kept.
    pub fn secret(mut self, label: impl Into<String>, secret: &str) -> Self {
        self.evidence.push(Evidence::secret(label, secret));
        self
    }

    /// Sets a remediation specific to this finding.
    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// Attaches structured measurements.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(Box::new(metrics));
        self
    }

    /// True when this finding counts against launch at the given threshold:
    /// a failure at or above it that no live acceptance covers.
    pub fn blocks_at(&self, threshold: Option<Severity>) -> bool {
        let accepted = self.accepted.as_ref().is_some_and(|a| !a.expired);
        match threshold {
            Some(threshold) => {
                self.status == Status::Fail && !accepted && self.severity >= threshold
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_keeps_at_most_four_characters() {
        let shown = redact(concat!("sk_", "live_0123456789abcdef"));
        assert!(shown.starts_with("sk_l…"));
        assert!(!shown.contains("0123"));
        assert_eq!(redact("hunter2"), "…[redacted, 7 chars]");
    }

    #[test]
    fn subjects_render_positions() {
        assert_eq!(
            Subject::file("src/a.rs", Some(3), Some(9)).to_string(),
            "src/a.rs:3:9"
        );
        assert_eq!(
            Subject::endpoint("GET", "https://a.test/x").to_string(),
            "GET https://a.test/x"
        );
    }
}
