//! The JSON report: a stable schema (see README, "JSON schema"), versioned by `schema_version`.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::{Category, Finding, Mode, Severity};
use crate::config::AcceptRule;
use crate::scorecard::{RunSummary, SCHEMA_VERSION, Scorecard, Tally, Verdict};

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    target: TargetInfo<'a>,
    generated_at: &'a str,
    duration_ms: u128,
    run: &'a RunSummary,
    summary: Summary,
    checks: Vec<CheckJson<'a>>,
    blockers: Vec<BlockerJson<'a>>,
    unused_acceptances: Vec<UnusedJson<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct TargetInfo<'a> {
    name: &'a str,
    base_url: &'a str,
    hosts: &'a [String],
}

#[derive(Serialize)]
struct Summary {
    ready: bool,
    blockers: usize,
    blocking_errors: usize,
    checks: Tally,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    id: &'static str,
    title: &'static str,
    category: Category,
    mode: Mode,
    default_severity: Severity,
    verdict: Verdict,
    worst_severity: Option<Severity>,
    skipped_reason: Option<&'a str>,
    duration_ms: u128,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct BlockerJson<'a> {
    check: &'static str,
    severity: Severity,
    subject: String,
    message: &'a str,
}

#[derive(Serialize)]
struct UnusedJson<'a> {
    check: &'a str,
    subject: Option<&'a str>,
    reason: &'a str,
}

/// Writes the JSON report (pretty-printed, one trailing newline).
pub fn write(s: &Scorecard, out: &mut dyn Write) -> io::Result<()> {
    let blockers = s.blockers();
    let document = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "launchready",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: TargetInfo {
            name: &s.target_name,
            base_url: &s.base_url,
            hosts: &s.hosts,
        },
        generated_at: &s.generated_at,
        duration_ms: s.duration.as_millis(),
        run: &s.run,
        summary: Summary {
            ready: !s.blocked(),
            blockers: blockers.len(),
            blocking_errors: s.blocking_errors().len(),
            checks: s.tally(),
        },
        checks: s
            .rows
            .iter()
            .map(|r| CheckJson {
                id: r.meta.id,
                title: r.meta.title,
                category: r.meta.category,
                mode: r.meta.mode,
                default_severity: r.meta.default_severity,
                verdict: r.verdict(),
                worst_severity: r.worst(),
                skipped_reason: r.skip_reason(),
                duration_ms: r.duration.as_millis(),
                findings: &r.findings,
            })
            .collect(),
        blockers: blockers
            .iter()
            .map(|f| BlockerJson {
                check: f.check,
                severity: f.severity,
                subject: f.subject.to_string(),
                message: &f.message,
            })
            .collect(),
        unused_acceptances: s.unused_acceptances.iter().map(unused).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn unused(rule: &AcceptRule) -> UnusedJson<'_> {
    UnusedJson {
        check: &rule.check,
        subject: rule.subject.as_deref(),
        reason: &rule.reason,
    }
}
