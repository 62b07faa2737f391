//! JUnit XML: one test suite per area, one test case per check and subject.

use std::io::{self, Write};

use crate::check::{Category, Status};
use crate::scorecard::Scorecard;

/// Writes the JUnit report.
pub fn write(s: &Scorecard, out: &mut dyn Write) -> io::Result<()> {
    struct Case {
        name: String,
        class: String,
        time: f64,
        body: String,
    }
    let mut suites = Vec::new();
    let (mut total, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for category in Category::ALL {
        let rows: Vec<_> = s
            .rows
            .iter()
            .filter(|r| r.meta.category == category)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut cases = Vec::new();
        let (mut f_count, mut e_count, mut s_count) = (0, 0, 0);
        for row in rows {
            let class = format!("launchready.{}", row.meta.id);
            if let Some(reason) = row.skip_reason() {
                s_count += 1;
                cases.push(Case {
                    name: row.meta.id.to_string(),
                    class,
                    time: 0.0,
                    body: format!("<skipped message=\"{}\"/>", escape(reason)),
                });
                continue;
            }
            let per_case = row.duration.as_secs_f64() / row.findings.len().max(1) as f64;
            for f in &row.findings {
                let name = format!("{}: {}", row.meta.id, f.subject);
                let mut detail = format!(
                    "{}\nsubject: {}\nseverity: {}",
                    f.message, f.subject, f.severity
                );
                for e in &f.evidence {
                    detail.push_str(&format!("\n{}: {}", e.label, e.value));
                }
                let accepted = f.accepted.as_ref().is_some_and(|a| !a.expired);
                let body = match f.status {
                    Status::Fail if accepted => {
                        s_count += 1;
                        format!(
                            "<skipped message=\"accepted risk: {}\"/>",
                            escape(
                                &f.accepted
                                    .as_ref()
                                    .map(|a| a.reason.clone())
                                    .unwrap_or_default()
                            )
                        )
                    }
                    Status::Fail => {
                        f_count += 1;
                        format!(
                            "<failure message=\"{}\" type=\"{}\">{}</failure>",
                            escape(&f.message),
                            f.severity,
                            escape(&detail)
                        )
                    }
                    Status::Error => {
                        e_count += 1;
                        format!(
                            "<error message=\"{}\" type=\"check-error\">{}</error>",
                            escape(&f.message),
                            escape(&detail)
                        )
                    }
                    Status::Inconclusive => format!(
                        "<system-out>{}</system-out>",
                        escape(&format!("needs review: {detail}"))
                    ),
                    Status::Pass => String::new(),
                };
                cases.push(Case {
                    name,
                    class: class.clone(),
                    time: per_case,
                    body,
                });
            }
        }
        total += cases.len();
        failures += f_count;
        errors += e_count;
        skipped += s_count;
        suites.push((category, cases, f_count, e_count, s_count));
    }
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="launchready" tests="{total}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{:.3}">"#,
        s.duration.as_secs_f64()
    )?;
    for (category, cases, f, e, sk) in suites {
        let time: f64 = cases.iter().map(|c| c.time).sum();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{f}" errors="{e}" skipped="{sk}" time="{time:.3}">"#,
            escape(category.title()),
            cases.len()
        )?;
        for case in cases {
            let open = format!(
                r#"    <testcase classname="{}" name="{}" time="{:.3}""#,
                escape(&case.class),
                escape(&case.name),
                case.time
            );
            if case.body.is_empty() {
                writeln!(out, "{open}/>")?;
            } else {
                writeln!(out, "{open}>\n      {}\n    </testcase>", case.body)?;
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
