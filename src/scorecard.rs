//! The finished audit: one row per check, launch blockers, accepted risks. Reports render it.

use std::time::Duration;

use serde::Serialize;

use crate::check::{Acceptance, CheckMeta, Finding, Severity, Status};
use crate::config::AcceptRule;

/// The JSON schema version of [`Scorecard`] as written by the json report.
pub const SCHEMA_VERSION: u32 = 1;

/// Whether a check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// It ran; see its findings.
    Ran,
    /// It did not run, for this reason.
    Skipped(String),
}

/// The verdict of one check over all its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every finding passed.
    Pass,
    /// At least one live failure.
    Fail,
    /// No failure, but the check errored for some subject.
    Error,
    /// No failure or error, but some subject needs a person's review.
    Inconclusive,
    /// Failures exist, all covered by live acceptances.
    Accepted,
    /// The check did not run.
    Skipped,
}

impl Verdict {
    /// Upper-case label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
            Verdict::Inconclusive => "REVIEW",
            Verdict::Accepted => "ACCEPTED",
            Verdict::Skipped => "SKIPPED",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct CheckRow {
    /// The check.
    pub meta: &'static CheckMeta,
    /// Ran or skipped.
    pub outcome: RowOutcome,
    /// Wall time.
    pub duration: Duration,
    /// Findings, failures first.
    pub findings: Vec<Finding>,
}

impl CheckRow {
    /// The row's verdict.
    pub fn verdict(&self) -> Verdict {
        if let RowOutcome::Skipped(_) = self.outcome {
            return Verdict::Skipped;
        }
        let live = |f: &&Finding| f.accepted.as_ref().is_none_or(|a| a.expired);
        let fails: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .collect();
        if fails.iter().any(live) {
            Verdict::Fail
        } else if self.findings.iter().any(|f| f.status == Status::Error) {
            Verdict::Error
        } else if self
            .findings
            .iter()
            .any(|f| f.status == Status::Inconclusive)
        {
            Verdict::Inconclusive
        } else if !fails.is_empty() {
            Verdict::Accepted
        } else {
            Verdict::Pass
        }
    }

    /// Highest severity among live failures.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.accepted.as_ref().is_none_or(|a| a.expired))
            .map(|f| f.severity)
            .max()
    }

    /// The skip reason, when skipped.
    pub fn skip_reason(&self) -> Option<&str> {
        match &self.outcome {
            RowOutcome::Skipped(reason) => Some(reason),
            RowOutcome::Ran => None,
        }
    }
}

/// What the run was asked to do, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Failures at or above this block launch; `None` means never.
    pub fail_on: Option<Severity>,
    /// Active probes allowed.
    pub active: bool,
    /// Errored checks do not fail the run.
    pub allow_errors: bool,
}

/// The finished audit.
#[derive(Debug, Clone)]
pub struct Scorecard {
    /// Target display name.
    pub target_name: String,
    /// Target base URL.
    pub base_url: String,
    /// Hosts checked.
    pub hosts: Vec<String>,
    /// When the run started (RFC 3339, UTC).
    pub generated_at: String,
    /// Wall time.
    pub duration: Duration,
    /// Run options.
    pub run: RunSummary,
    /// One row per check, in registry order.
    pub rows: Vec<CheckRow>,
    /// Acceptances that matched no finding.
    pub unused_acceptances: Vec<AcceptRule>,
}

impl Scorecard {
    /// Failures that block launch, worst first (severity, then confidence), ties by check and subject.
    pub fn blockers(&self) -> Vec<&Finding> {
        let mut out: Vec<&Finding> = self
            .rows
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.blocks_at(self.run.fail_on))
            .collect();
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.confidence.cmp(&a.confidence))
                .then(a.check.cmp(b.check))
                .then(a.subject.cmp(&b.subject))
        });
        out
    }

    /// Failures below the threshold, or accepted: shown, not blocking.
    pub fn other_failures(&self) -> Vec<&Finding> {
        let mut out: Vec<&Finding> = self
            .rows
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.status == Status::Fail && !f.blocks_at(self.run.fail_on))
            .collect();
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check.cmp(b.check))
                .then(a.subject.cmp(&b.subject))
        });
        out
    }

    /// Findings with the given status, in row order.
    pub fn with_status(&self, status: Status) -> Vec<&Finding> {
        self.rows
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.status == status)
            .collect()
    }

    /// Errored findings that fail the run at the threshold (unless errors are allowed).
    pub fn blocking_errors(&self) -> Vec<&Finding> {
        match (self.run.fail_on, self.run.allow_errors) {
            (Some(threshold), false) => self
                .with_status(Status::Error)
                .into_iter()
                .filter(|f| f.severity >= threshold)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// True when launch is blocked: exit code 1.
    pub fn blocked(&self) -> bool {
        !self.blockers().is_empty() || !self.blocking_errors().is_empty()
    }

    /// Counts of rows by verdict: (pass, fail, error, inconclusive, accepted, skipped).
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for row in &self.rows {
            match row.verdict() {
                Verdict::Pass => t.pass += 1,
                Verdict::Fail => t.fail += 1,
                Verdict::Error => t.error += 1,
                Verdict::Inconclusive => t.inconclusive += 1,
                Verdict::Accepted => t.accepted += 1,
                Verdict::Skipped => t.skipped += 1,
            }
        }
        t
    }

    /// The row of a check.
    pub fn row(&self, id: &str) -> Option<&CheckRow> {
        self.rows.iter().find(|r| r.meta.id == id)
    }
}

/// Row counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Passed checks.
    pub pass: usize,
    /// Failed checks.
    pub fail: usize,
    /// Errored checks.
    pub error: usize,
    /// Checks needing review.
    pub inconclusive: usize,
    /// Checks whose failures are all accepted.
    pub accepted: usize,
    /// Skipped checks.
    pub skipped: usize,
}

/// Marks failures covered by `[[accept]]` rules; returns the rules that matched nothing.
pub fn apply_acceptances(
    rows: &mut [CheckRow],
    rules: &[AcceptRule],
    today: time::Date,
) -> Vec<AcceptRule> {
    let mut used = vec![false; rules.len()];
    for finding in rows.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        if finding.status != Status::Fail {
            continue;
        }
        let subject = finding.subject.to_string();
        let matched = rules.iter().enumerate().find(|(_, r)| {
            r.check == finding.check
                && r.subject
                    .as_ref()
                    .is_none_or(|s| subject.contains(s.as_str()))
        });
        if let Some((i, rule)) = matched {
            used[i] = true;
            finding.accepted = Some(Acceptance {
                reason: rule.reason.clone(),
                until: rule.until.map(|d| d.to_string()),
                expired: rule.until.is_some_and(|d| d < today),
            });
        }
    }
    rules
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(r, _)| r.clone())
        .collect()
}
