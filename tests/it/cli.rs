//! The command line: exit codes, list, explain, init.

use crate::support::{code, launchready, run};

#[test]
fn flawed_demo_is_blocked_and_exits_1() {
    let out = run(launchready().args(["demo", "-q"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 1, "{stdout}");
    assert!(stdout.contains("Launch blockers"), "{stdout}");
    assert!(stdout.contains("BLOCKED"), "{stdout}");
    assert!(
        !stdout.contains("portal-db-pass"),
        "a secret was printed in full:\n{stdout}"
    );
}

#[test]
fn hardened_demo_is_ready_and_exits_0() {
    let out = run(launchready().args(["demo", "--hardened", "-q"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        code(&out),
        0,
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("READY: no launch blocker"), "{stdout}");
}

#[test]
fn fail_on_never_exits_0_even_when_flawed() {
    let out = run(launchready().args(["demo", "-q", "--fail-on", "never"]));
    assert_eq!(code(&out), 0);
}

#[test]
fn list_and_explain_describe_registered_checks() {
    let out = run(launchready().arg("list"));
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("uptime"));
    let out = run(launchready().args(["explain", "uptime"]));
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Why it matters") && text.contains("How to fix it"),
        "{text}"
    );
}

#[test]
fn unknown_check_ids_are_usage_errors() {
    let out = run(launchready().args(["explain", "no-such-check"]));
    assert_eq!(code(&out), 2);
    let out = run(launchready().args(["demo", "--only", "no-such-check"]));
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no check with id `no-such-check`"));
}

#[test]
fn init_writes_a_starter_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checks.toml");
    let out = run(launchready()
        .args(["init", "https://shop.example.com", "-o"])
        .arg(&path));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("base-url = \"https://shop.example.com\""));
    let out = run(launchready()
        .args(["init", "https://shop.example.com", "-o"])
        .arg(&path));
    assert_eq!(code(&out), 2);
    let out = run(launchready()
        .args(["init", "not a url", "-o"])
        .arg(dir.path().join("x.toml")));
    assert_eq!(code(&out), 2);
}

#[test]
fn a_missing_config_file_is_a_usage_error() {
    let out = run(launchready().args(["audit", "-c", "fixtures/does-not-exist.toml"]));
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read config"));
}
