//! Every report format, rendered from a demo run through the binary and snapshotted with timings,
//! timestamps and ports replaced by placeholders.

use crate::support::{launchready, run, stable};

fn render(format: &str, hardened: bool) -> String {
    let mut cmd = launchready();
    cmd.args(["demo", "-q", "--format", format]);
    if hardened {
        cmd.arg("--hardened");
    }
    let out = run(&mut cmd);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stable(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn table_report() {
    insta::assert_snapshot!("table_flawed", render("table", false));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!("markdown_flawed", render("markdown", false));
    insta::assert_snapshot!("markdown_hardened", render("markdown", true));
}

#[test]
fn json_report() {
    let text = render("json", false);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["summary"]["ready"], false);
    insta::assert_snapshot!("json_flawed", text);
}

/// Every violation of the SARIF 2.1.0 schema shipped under fixtures/ (from the npm package
/// @microsoft/jest-sarif, MIT; the OASIS schema as published at 2.1.0 rtm.5).
fn sarif_schema_violations(log: &serde_json::Value) -> Vec<String> {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/sarif-schema-2.1.0.json")).unwrap();
    // The published `language` patterns have a stray `]` (legal in ECMAScript, rejected by the
    // meta-schema's regex format); use the pattern they mean.
    let mut fixed = 0;
    for definition in schema["definitions"].as_object_mut().unwrap().values_mut() {
        let pattern = definition.pointer_mut("/properties/language/pattern");
        if let Some(pattern) = pattern.filter(|p| *p == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$")
        {
            *pattern = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
            fixed += 1;
        }
    }
    assert!(
        fixed > 0,
        "the schema's language patterns changed; revisit this fix"
    );
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    for hardened in [false, true] {
        let log: serde_json::Value = serde_json::from_str(&render("sarif", hardened)).unwrap();
        assert_eq!(sarif_schema_violations(&log), Vec::<String>::new());
    }
}

#[test]
fn the_schema_check_rejects_a_broken_log() {
    let mut log: serde_json::Value = serde_json::from_str(&render("sarif", false)).unwrap();
    log["runs"][0]["results"][0]["level"] = "severe".into();
    log["runs"][0]["tool"]["driver"]["rules"][0]["id"] = serde_json::Value::Null;
    assert_eq!(sarif_schema_violations(&log).len(), 2);
}

#[test]
fn sarif_report() {
    let text = render("sarif", false);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(result["locations"][0].is_object());
    }
    insta::assert_snapshot!("sarif_flawed", text);
}

#[test]
fn junit_report() {
    let text = render("junit", false);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert!(text.contains("<failure "));
    insta::assert_snapshot!("junit_flawed", text);
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let out = run(launchready()
        .args([
            "demo",
            "-q",
            "--hardened",
            "--format",
            "markdown",
            "--output",
        ])
        .arg(&path));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("# Launch readiness")
    );
}

#[test]
fn sarif_with_every_subject_kind_validates() {
    use launchready::check::registry::CHECKS;
    use launchready::check::{Finding, Severity, Subject};
    use launchready::report::{self, Format, Style};
    use launchready::scorecard::{CheckRow, RowOutcome, RunSummary, Scorecard};

    let meta = CHECKS[0].meta;
    let subjects = [
        Subject::Target,
        Subject::host("acme.test"),
        Subject::url("https://acme.test/"),
        Subject::dns("_dmarc.acme.test", "TXT"),
        Subject::File {
            path: "src\\config.js".into(),
            line: Some(12),
            column: Some(7),
        },
        Subject::Commit {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            path: "deploy/.env".into(),
            line: Some(3),
            column: None,
        },
    ];
    let findings = subjects
        .into_iter()
        .map(|s| {
            Finding::fail(meta, s, "a finding")
                .severity(Severity::High)
                .secret(
                    "token",
                    concat!("gh", "p_abcdefghijklmnopqrstuvwxyz0123456789"),
                )
        })
        .chain([Finding::error(meta, Subject::Target, "the check broke")])
        .collect();
    let card = Scorecard {
        target_name: "t".into(),
        base_url: "https://acme.test/".into(),
        hosts: vec!["acme.test".into()],
        generated_at: "2026-01-01T00:00:00Z".into(),
        duration: std::time::Duration::from_millis(5),
        run: RunSummary {
            fail_on: Some(Severity::High),
            active: false,
            allow_errors: false,
        },
        rows: vec![CheckRow {
            meta,
            outcome: RowOutcome::Ran,
            duration: std::time::Duration::from_millis(5),
            findings,
        }],
        unused_acceptances: Vec::new(),
    };
    let mut out = Vec::new();
    report::write(Format::Sarif, &card, Style { color: false }, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.contains("ghp_abcdefghijklmnop"),
        "secrets are redacted"
    );
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sarif_schema_violations(&log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let region = &results[4]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "src/config.js");
    assert_eq!(region["region"]["startLine"], 12);
    assert_eq!(region["region"]["startColumn"], 7);
}
