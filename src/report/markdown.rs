//! The handover document: the scorecard as Markdown that pastes cleanly into a doc or PR.

use std::io::{self, Write};

use super::{fix_for, headline, measured, meta_of, metrics_line, plural, reviews};
use crate::check::metrics::{Metrics, ms};
use crate::check::{Category, Finding, Status};
use crate::scorecard::{Scorecard, Verdict};

/// Writes the Markdown report.
pub fn write(s: &Scorecard, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# Launch readiness: {}", escape(&s.target_name))?;
    writeln!(out)?;
    writeln!(out, "**{}**", headline(s))?;
    writeln!(out)?;
    writeln!(out, "- Target: {} ({})", s.base_url, s.hosts.join(", "))?;
    writeln!(
        out,
        "- Generated: {} by launchready {}",
        s.generated_at,
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "- Active probes: {}",
        if s.run.active { "allowed" } else { "not run" }
    )?;
    let t = s.tally();
    writeln!(
        out,
        "- Checks: {} pass, {} fail, {} error, {} review, {} accepted, {} skipped",
        t.pass, t.fail, t.error, t.inconclusive, t.accepted, t.skipped
    )?;
    writeln!(out)?;
    writeln!(out, "## Scorecard")?;
    for category in Category::ALL {
        let rows: Vec<_> = s
            .rows
            .iter()
            .filter(|r| r.meta.category == category)
            .collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "### {}", category.title())?;
        writeln!(out)?;
        writeln!(out, "| Check | Verdict | Why it matters | What breaks |")?;
        writeln!(out, "|---|---|---|---|")?;
        for row in rows {
            let verdict = match (row.verdict(), row.worst()) {
                (Verdict::Fail, Some(worst)) => format!("❌ FAIL ({worst})"),
                (Verdict::Pass, _) => "✅ PASS".to_string(),
                (v, _) => format!("⚠️ {}", v.label()),
            };
            writeln!(
                out,
                "| {} (`{}`) | {} | {} | {} |",
                escape(row.meta.title),
                row.meta.id,
                verdict,
                escape(row.meta.why),
                escape(row.meta.breaks)
            )?;
        }
    }
    measurements(s, out)?;
    let blockers = s.blockers();
    writeln!(out)?;
    writeln!(out, "## Launch blockers")?;
    writeln!(out)?;
    if blockers.is_empty() {
        writeln!(out, "None.")?;
    }
    for (i, f) in blockers.iter().enumerate() {
        finding(s, out, &format!("{}.", i + 1), f)?;
    }
    section(s, out, "Other findings", &s.other_failures())?;
    section(s, out, "Needs review", &reviews(s))?;
    let errors = s.with_status(Status::Error);
    if !errors.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Check errors ({} not verified)", errors.len())?;
        writeln!(out)?;
        for f in errors {
            writeln!(
                out,
                "- `{}` {}: {}",
                f.check,
                code(&f.subject.to_string()),
                escape(&f.message)
            )?;
        }
    }
    let accepted: Vec<&Finding> = s
        .rows
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.accepted.is_some())
        .collect();
    if !accepted.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Accepted risks")?;
        writeln!(out)?;
        writeln!(out, "| Check | Subject | Reason | Until | State |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in accepted {
            let a = f.accepted.as_ref().expect("filtered on accepted");
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                f.check,
                code(&f.subject.to_string()),
                escape(&a.reason),
                a.until.as_deref().unwrap_or("open"),
                if a.expired {
                    "expired: counts again"
                } else {
                    "accepted"
                }
            )?;
        }
    }
    let skipped: Vec<_> = s
        .rows
        .iter()
        .filter_map(|r| r.skip_reason().map(|why| (r.meta.id, why)))
        .collect();
    writeln!(out)?;
    writeln!(out, "## Not checked")?;
    writeln!(out)?;
    if skipped.is_empty() {
        writeln!(out, "Every registered check ran.")?;
    } else {
        writeln!(out, "| Check | Reason |")?;
        writeln!(out, "|---|---|")?;
        for (id, why) in skipped {
            writeln!(out, "| `{id}` | {} |", escape(why))?;
        }
    }
    Ok(())
}

/// Widest bar of a histogram, in characters.
const BAR_WIDTH: u64 = 30;

/// Each measured finding: its summary line and, for latency, a text histogram of the samples.
fn measurements(s: &Scorecard, out: &mut dyn Write) -> io::Result<()> {
    let findings = measured(s);
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "## Measurements")?;
    for f in findings {
        let Some(metrics) = &f.metrics else { continue };
        writeln!(out)?;
        writeln!(
            out,
            "### `{}` {} ({})",
            f.check,
            code(&f.subject.to_string()),
            f.status
        )?;
        writeln!(out)?;
        writeln!(out, "{}", escape(&metrics_line(metrics)))?;
        match metrics.as_ref() {
            Metrics::Latency(m) if !m.histogram.is_empty() => {
                let peak = m
                    .histogram
                    .iter()
                    .map(|b| b.count)
                    .max()
                    .unwrap_or(1)
                    .max(1);
                writeln!(out)?;
                writeln!(out, "```text")?;
                for bucket in &m.histogram {
                    let bar = "█".repeat((bucket.count * BAR_WIDTH).div_ceil(peak) as usize);
                    writeln!(out, "≤ {:>10} │{bar} {}", ms(bucket.up_to_us), bucket.count)?;
                }
                writeln!(out, "```")?;
            }
            Metrics::Latency(_) => {}
        }
    }
    Ok(())
}

fn section(
    s: &Scorecard,
    out: &mut dyn Write,
    title: &str,
    findings: &[&Finding],
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "## {title} ({} finding{})",
        findings.len(),
        plural(findings.len())
    )?;
    writeln!(out)?;
    for f in findings {
        finding(s, out, "-", f)?;
    }
    Ok(())
}

fn finding(s: &Scorecard, out: &mut dyn Write, bullet: &str, f: &Finding) -> io::Result<()> {
    writeln!(
        out,
        "{bullet} **{}** `{}` on {}: {}",
        f.severity,
        f.check,
        code(&f.subject.to_string()),
        escape(&f.message)
    )?;
    for e in &f.evidence {
        writeln!(out, "   - {}: {}", escape(&e.label), code(&e.value))?;
    }
    writeln!(out, "   - Fix: {}", escape(&fix_for(f, meta_of(s, f))))
}

/// Escapes table pipes and line breaks so a cell stays one cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Inline code that survives backticks and pipes in the value.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let fence = if text.contains('`') { "``" } else { "`" };
    format!("{fence}{text}{fence}")
}
