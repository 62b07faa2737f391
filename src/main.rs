//! The launchready binary: parse arguments, run the command, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use launchready::cli::{Cli, Outcome, execute};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("LAUNCHREADY_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("launchready={level},warn")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(3, &format!("error: cannot start the async runtime: {e}")),
    };
    match runtime.block_on(execute(cli)) {
        Outcome::Ok => ExitCode::SUCCESS,
        Outcome::Blocked => ExitCode::from(1),
        Outcome::Usage(message) => fail(2, &message),
        Outcome::Internal(message) => fail(3, &format!("error: {message}")),
    }
}

fn fail(code: u8, message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
    ExitCode::from(code)
}
