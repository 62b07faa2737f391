//! The terminal scorecard: rows grouped by area, then launch blockers with evidence and fixes,
//! then what needs review, errors, accepted risks and skipped checks.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::{Style, fix_for, headline, measured, meta_of, metrics_line, reviews};
use crate::check::{Category, Finding, Severity, Status};
use crate::scorecard::{Scorecard, Verdict};

/// Writes the table report.
pub fn write(scorecard: &Scorecard, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "launchready scorecard: {} ({})",
        scorecard.target_name, scorecard.base_url
    )?;
    writeln!(out, "hosts: {}", scorecard.hosts.join(", "))?;
    writeln!(out)?;
    for category in Category::ALL {
        let rows: Vec<_> = scorecard
            .rows
            .iter()
            .filter(|r| r.meta.category == category)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(120)
            .set_header(vec![
                Cell::new(category.title()).add_attribute(Attribute::Bold),
                Cell::new("Verdict"),
                Cell::new("Why it matters"),
                Cell::new("What breaks"),
            ]);
        if !style.color {
            table.force_no_tty();
        }
        for row in rows {
            let verdict = row.verdict();
            let label = match (verdict, row.worst()) {
                (Verdict::Fail, Some(worst)) => format!("FAIL ({worst})"),
                (v, _) => v.label().to_string(),
            };
            let mut cell = Cell::new(label);
            if style.color {
                cell = cell.fg(color(verdict, row.worst()));
            }
            table.add_row(vec![
                Cell::new(format!("{}\n{}", row.meta.title, row.meta.id)),
                cell,
                Cell::new(row.meta.why),
                Cell::new(row.meta.breaks),
            ]);
        }
        writeln!(out, "{table}")?;
        writeln!(out)?;
    }

    let measurements = measured(scorecard);
    if !measurements.is_empty() {
        writeln!(out, "Measurements")?;
        for finding in measurements {
            if let Some(metrics) = &finding.metrics {
                writeln!(
                    out,
                    "- {} {} [{}]: {}",
                    finding.check,
                    finding.subject,
                    finding.status,
                    metrics_line(metrics)
                )?;
            }
        }
        writeln!(out)?;
    }

    let blockers = scorecard.blockers();
    if !blockers.is_empty() {
        writeln!(out, "Launch blockers")?;
        for (i, finding) in blockers.iter().enumerate() {
            write_finding(scorecard, out, &format!("{}.", i + 1), finding)?;
        }
        writeln!(out)?;
    }
    let others = scorecard.other_failures();
    if !others.is_empty() {
        writeln!(out, "Other findings (below the threshold or accepted)")?;
        for finding in others {
            write_finding(scorecard, out, "-", finding)?;
        }
        writeln!(out)?;
    }
    let review = reviews(scorecard);
    if !review.is_empty() {
        writeln!(out, "Needs review (the check could not decide)")?;
        for finding in review {
            write_finding(scorecard, out, "-", finding)?;
        }
        writeln!(out)?;
    }
    let errors = scorecard.with_status(Status::Error);
    if !errors.is_empty() {
        writeln!(out, "Check errors (not verified)")?;
        for finding in errors {
            writeln!(
                out,
                "- {} {}: {}",
                finding.check, finding.subject, finding.message
            )?;
        }
        writeln!(out)?;
    }
    let skipped: Vec<_> = scorecard
        .rows
        .iter()
        .filter_map(|r| r.skip_reason().map(|s| (r.meta.id, s)))
        .collect();
    if !skipped.is_empty() {
        writeln!(out, "Not checked")?;
        for (id, reason) in skipped {
            writeln!(out, "- {id}: {reason}")?;
        }
        writeln!(out)?;
    }
    for rule in &scorecard.unused_acceptances {
        writeln!(
            out,
            "note: [[accept]] for `{}` matched no failure; remove it",
            rule.check
        )?;
    }
    let t = scorecard.tally();
    writeln!(
        out,
        "{} checks: {} pass, {} fail, {} error, {} review, {} accepted, {} skipped",
        scorecard.rows.len(),
        t.pass,
        t.fail,
        t.error,
        t.inconclusive,
        t.accepted,
        t.skipped
    )?;
    writeln!(out, "{}", headline(scorecard))
}

fn write_finding(
    scorecard: &Scorecard,
    out: &mut dyn Write,
    bullet: &str,
    f: &Finding,
) -> io::Result<()> {
    writeln!(
        out,
        "{bullet} [{}] {} — {}: {}",
        f.severity, f.check, f.subject, f.message
    )?;
    if f.confidence != crate::check::Confidence::High {
        writeln!(out, "    confidence: {}", f.confidence)?;
    }
    for e in &f.evidence {
        writeln!(out, "    {}: {}", e.label, e.value)?;
    }
    if let Some(a) = &f.accepted {
        let until = a
            .until
            .as_deref()
            .map(|u| format!(" until {u}"))
            .unwrap_or_default();
        let state = if a.expired {
            "acceptance EXPIRED"
        } else {
            "accepted"
        };
        writeln!(out, "    {state}{until}: {}", a.reason)?;
    }
    writeln!(out, "    fix: {}", fix_for(f, meta_of(scorecard, f)))
}

fn color(verdict: Verdict, worst: Option<Severity>) -> Color {
    match verdict {
        Verdict::Pass => Color::Green,
        Verdict::Fail if worst >= Some(Severity::High) => Color::Red,
        Verdict::Fail => Color::Yellow,
        Verdict::Error | Verdict::Inconclusive => Color::Magenta,
        Verdict::Accepted | Verdict::Skipped => Color::DarkGrey,
    }
}
