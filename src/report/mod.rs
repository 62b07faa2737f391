//! Report formats: pure functions of a finished [`Scorecard`], one file each.

pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use std::io::{self, Write};

use crate::check::metrics::{Metrics, ms, whole_ms};
use crate::check::{CheckMeta, Finding, Status};
use crate::scorecard::Scorecard;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal scorecard.
    Table,
    /// A handover document.
    Markdown,
    /// Machine-readable, versioned schema.
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// JUnit XML for CI test dashboards.
    Junit,
}

/// Presentation settings that do not change content.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Use ANSI colours (table only).
    pub color: bool,
}

/// Writes the scorecard in the given format.
pub fn write(
    format: Format,
    scorecard: &Scorecard,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(scorecard, style, out),
        Format::Markdown => markdown::write(scorecard, out),
        Format::Json => json::write(scorecard, out),
        Format::Sarif => sarif::write(scorecard, out),
        Format::Junit => junit::write(scorecard, out),
    }
}

/// The fix to show for a finding: its own, else the check's generic one.
pub(crate) fn fix_for(finding: &Finding, meta: &CheckMeta) -> String {
    finding
        .remediation
        .clone()
        .unwrap_or_else(|| meta.remediation.to_string())
}

/// One-line verdict of the whole run.
pub(crate) fn headline(scorecard: &Scorecard) -> String {
    let blockers = scorecard.blockers().len();
    let errors = scorecard.blocking_errors().len();
    let threshold = scorecard
        .run
        .fail_on
        .map_or("never".to_string(), |s| format!("{s} or worse"));
    if blockers == 0 && errors == 0 {
        format!("READY: no launch blocker (threshold: {threshold})")
    } else {
        let mut parts = Vec::new();
        if blockers > 0 {
            parts.push(format!("{blockers} launch blocker{}", plural(blockers)));
        }
        if errors > 0 {
            parts.push(format!(
                "{errors} check error{} at the threshold",
                plural(errors)
            ));
        }
        format!("BLOCKED: {} (threshold: {threshold})", parts.join(", "))
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Findings that need a person: inconclusive ones.
pub(crate) fn reviews(scorecard: &Scorecard) -> Vec<&Finding> {
    scorecard.with_status(Status::Inconclusive)
}

/// The metadata of the check that produced a finding.
pub(crate) fn meta_of<'a>(scorecard: &'a Scorecard, finding: &Finding) -> &'a CheckMeta {
    scorecard
        .rows
        .iter()
        .find(|r| r.meta.id == finding.check)
        .map(|r| r.meta)
        .expect("every finding belongs to a row of its scorecard")
}

/// Findings that carry measurements, in scorecard order.
pub(crate) fn measured(scorecard: &Scorecard) -> Vec<&Finding> {
    scorecard
        .rows
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.metrics.is_some())
        .collect()
}

/// A one-line summary of a finding's measurements.
pub(crate) fn metrics_line(metrics: &Metrics) -> String {
    match metrics {
        Metrics::Latency(m) => {
            let budget = m
                .budget_us
                .map(|b| format!(" (budget p95 {})", whole_ms(b)))
                .unwrap_or_default();
            format!(
                "p50 {} · p95 {} · p99 {} · max {} · first byte p50 {} · {} samples, {} errors ({:.1}%){budget}",
                ms(m.total.p50_us),
                ms(m.total.p95_us),
                ms(m.total.p99_us),
                ms(m.total.max_us),
                ms(m.first_byte.p50_us),
                m.samples,
                m.errors,
                m.error_rate() * 100.0,
            )
        }
    }
}
