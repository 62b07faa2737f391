//! SARIF 2.1.0: one rule per registered check that ran, one result per failed or inconclusive
//! finding; check errors become tool execution notifications.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::fix_for;
use crate::check::{Finding, Severity, Status, Subject};
use crate::scorecard::Scorecard;

/// Writes the SARIF log.
pub fn write(s: &Scorecard, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = s
        .rows
        .iter()
        .map(|r| {
            let m = r.meta;
            let mut help = format!(
                "{}\n\nWhat breaks: {}\n\nFix: {}",
                m.why, m.breaks, m.remediation
            );
            for reference in m.references {
                help.push_str(&format!("\n- {reference}"));
            }
            json!({
                "id": m.id,
                "name": pascal(m.id),
                "shortDescription": { "text": m.title },
                "fullDescription": { "text": m.why },
                "help": { "text": help },
                "helpUri": m.references.first().copied().unwrap_or("https://example.invalid"),
                "defaultConfiguration": { "level": level(m.default_severity) },
                "properties": {
                    "tags": ["security", m.category.title()],
                    "security-severity": security_severity(m.default_severity),
                    "mode": m.mode.to_string(),
                },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (index, row) in s.rows.iter().enumerate() {
        for f in &row.findings {
            match f.status {
                Status::Fail | Status::Inconclusive => {
                    results.push(result(index, f, &fix_for(f, row.meta)))
                }
                Status::Error => notifications.push(json!({
                    "level": "error",
                    "message": { "text": format!("{}: {}", f.subject, f.message) },
                    "descriptor": { "id": f.check },
                })),
                Status::Pass => {}
            }
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "launchready",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/launchready/launchready",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": { "target": s.target_name, "baseUrl": s.base_url },
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn result(rule_index: usize, f: &Finding, fix: &str) -> Value {
    let mut text = f.message.clone();
    for e in &f.evidence {
        text.push_str(&format!("\n{}: {}", e.label, e.value));
    }
    let mut result = json!({
        "ruleId": f.check,
        "ruleIndex": rule_index,
        "kind": if f.status == Status::Fail { "fail" } else { "review" },
        "level": if f.status == Status::Fail { level(f.severity) } else { "note" },
        "message": { "text": text },
        "locations": [location(&f.subject)],
        "partialFingerprints": { "launchready/v1": fingerprint(f) },
        "properties": {
            "severity": f.severity.as_str(),
            "confidence": f.confidence.to_string(),
            "subject": f.subject.to_string(),
            "remediation": fix,
        },
    });
    if let Some(metrics) = &f.metrics {
        result["properties"]["metrics"] = json!(metrics);
    }
    if let Some(a) = &f.accepted
        && !a.expired
    {
        result["suppressions"] = json!([{ "kind": "external", "justification": a.reason }]);
    }
    result
}

fn location(subject: &Subject) -> Value {
    match subject {
        Subject::Url { url } | Subject::Endpoint { url, .. } => json!({
            "physicalLocation": { "artifactLocation": { "uri": url } },
        }),
        Subject::File { path, line, column }
        | Subject::Commit {
            path, line, column, ..
        } => {
            let mut loc = json!({ "physicalLocation": { "artifactLocation": { "uri": path.replace('\\', "/") } } });
            if let Some(line) = line {
                let mut region = json!({ "startLine": line });
                if let Some(column) = column {
                    region["startColumn"] = json!(column);
                }
                loc["physicalLocation"]["region"] = region;
            }
            loc
        }
        Subject::Host { host } => json!({ "logicalLocations": [{ "name": host, "kind": "host" }] }),
        Subject::Dns { name, record } => {
            json!({ "logicalLocations": [{ "name": name, "fullyQualifiedName": format!("{name} {record}"), "kind": "dns-record" }] })
        }
        Subject::Target => json!({ "logicalLocations": [{ "name": "target", "kind": "target" }] }),
    }
}

/// The SARIF level for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's numeric security severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A stable identity of a finding across runs: FNV-1a over check, subject and message, with every
/// run of digits in the message folded to one `#`, so that a count or a date that moves from one
/// run to the next ("expires in 5 days (2026-12-07)") does not turn the same problem into a new
/// alert in a code-scanning dashboard.
fn fingerprint(f: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for byte in format!("{}\0{}\0", f.check, f.subject).bytes() {
        feed(byte);
    }
    let mut in_digits = false;
    for byte in f.message.bytes() {
        match (byte.is_ascii_digit(), in_digits) {
            (true, true) => {}
            (true, false) => feed(b'#'),
            (false, _) => feed(byte),
        }
        in_digits = byte.is_ascii_digit();
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::tls::expiry::META;

    fn at(host: &str, message: &str) -> String {
        fingerprint(&Finding::fail(&META, Subject::host(host), message))
    }

    #[test]
    fn fingerprints_ignore_moving_figures_but_not_words() {
        assert_eq!(
            at("acme.test", "certificate expires in 5 days (2026-12-07)"),
            at("acme.test", "certificate expires in 14 days (2026-12-16)")
        );
        assert_ne!(
            at("acme.test", "certificate expires in 5 days"),
            at("acme.test", "certificate expired 5 days ago")
        );
        assert_ne!(at("acme.test", "x"), at("api.acme.test", "x"));
    }
}
