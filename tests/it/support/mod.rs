//! Test helpers: the binary, fixture paths, and placeholders for what varies between runs.

use std::process::{Command, Output};

/// A command for the built binary, run from the repository root, with colour and logs off.
pub fn launchready() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_launchready"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("LAUNCHREADY_LOG");
    cmd
}

/// Runs the command and returns its output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the launchready binary runs")
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Replaces timings, timestamps, ports and temp paths with placeholders before snapshots.
pub fn stable(text: &str) -> String {
    let rules: &[(&str, &str)] = &[
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[timestamp]"),
        (r#""duration_ms": \d+"#, r#""duration_ms": "[duration]""#),
        (r#"time="[\d.]+""#, r#"time="[seconds]""#),
        (r"in \d+ ms", "in [n] ms"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r":\d{4,5}/", ":[port]/"),
    ];
    let mut out = text.to_string();
    for (pattern, replacement) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, *replacement)
            .into_owned();
    }
    out
}
