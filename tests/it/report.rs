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
