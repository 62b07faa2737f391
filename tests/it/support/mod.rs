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
        (r"\b\d{4}-\d{2}-\d{2}\b", "[date]"),
        (r#""duration_ms": \d+"#, r#""duration_ms": "[duration]""#),
        (r#"time="[\d.]+""#, r#"time="[seconds]""#),
        (r"in \d+ ms", "in [n] ms"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r":\d{4,5}/", ":[port]/"),
        // Sampled latencies: histogram lines, millisecond figures, JSON microseconds and buckets.
        (r"(?m)^≤ +\d+\.\d ms │█* \d+$", "≤ [t] ms │[bar]"),
        (r"\d+\.\d ms", "[t] ms"),
        (
            r#""histogram": \[[^\]]*\]"#,
            r#""histogram": "[histogram]""#,
        ),
        (r#"("\w+_us"): \d+"#, r#"$1: "[us]""#),
        // The flawed search fails every tenth request it gets, and other checks' requests to it
        // interleave with the sampler's: how many of the samples fail varies from run to run.
        (r"\d+ errors \(\d+\.\d%\)", "[n] errors ([rate])"),
        (r"\d+ of (\d+) \(\d+\.\d%\)", "[n] of $1 ([rate])"),
        (r"HTTP 503 ×\d+", "HTTP 503 ×[n]"),
        (r#""errors": [1-9]\d*"#, r#""errors": "[n]""#),
        (r#""good": \d+"#, r#""good": "[n]""#),
        (r"\bport \d+", "port [port]"),
        // exposed-files asks each host for a fresh random path to learn its soft-404 answer.
        (r"launchready-[0-9a-f]{16}", "launchready-[random]"),
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

/// Starts the demo world in `variant` and audits it in-process with only the checks named in
/// `only` (every check when empty), `--active` when `active` is set.
pub async fn audit_demo(
    variant: launchready::demo::Variant,
    only: &[&str],
    active: bool,
) -> launchready::scorecard::Scorecard {
    let world = launchready::demo::DemoWorld::start(variant)
        .await
        .expect("the demo world starts");
    let target = launchready::config::load(&world.config_path, &world.env)
        .expect("the demo config is valid");
    let net = launchready::net::Net::new(&target).expect("the demo's clients build");
    let mut options = launchready::AuditOptions::default();
    options.run.only = only.iter().map(|s| s.to_string()).collect();
    options.run.active = active;
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

/// Validates config `text` (with `${VAR}`s from `env`) and audits it in-process with only the
/// checks named in `only`.
pub async fn audit_config(
    text: &str,
    env: &[(&str, &str)],
    only: &[&str],
) -> launchready::scorecard::Scorecard {
    audit_config_as(text, env, only, false).await
}

/// [`audit_config`] with `--active` when `active` is set.
pub async fn audit_config_as(
    text: &str,
    env: &[(&str, &str)],
    only: &[&str],
    active: bool,
) -> launchready::scorecard::Scorecard {
    let env: std::collections::BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let target = launchready::config::parse(text, std::path::Path::new("checks.toml"), &env)
        .expect("the test config is valid");
    let net = launchready::net::Net::new(&target).expect("the clients build");
    let mut options = launchready::AuditOptions::default();
    options.run.only = only.iter().map(|s| s.to_string()).collect();
    options.run.active = active;
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

/// Serves `app` on 127.0.0.1 at a free port and returns the port.
pub async fn serve(app: axum::Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("bound").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

/// The `[target]` section of a loopback fixture on `port`, with `extra` lines appended to it.
pub fn loopback_target(port: u16, extra: &str) -> String {
    format!(
        "[target]\nname = \"fixture\"\nbase-url = \"http://127.0.0.1:{port}\"\nscope = [\"127.0.0.1\"]\n{extra}\n"
    )
}
