//! Command-line interface: argument definitions and the commands behind them.
//!
//! `main.rs` only parses, calls [`execute`], and maps the [`Outcome`] to an exit code.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::check::registry::{self, CHECKS};
use crate::check::runner::RunOptions;
use crate::check::{Category, Severity};
use crate::config::{self, ConfigError, ProcessEnv};
use crate::report::{self, Format, Style};
use crate::scorecard::Scorecard;
use crate::{AuditOptions, demo};

const EXIT_CODES: &str = "\
Exit codes:
  0  no launch blocker
  1  at least one launch blocker, or a check error at or above --fail-on (unless --allow-errors)
  2  bad configuration or usage
  3  internal failure (e.g. the report could not be written)";

/// launchready: audits a product before go-live and prints a scorecard of launch blockers.
#[derive(Debug, Parser)]
#[command(name = "launchready", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress bar and no logs; only the report.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit the target described by a config file.
    Audit(AuditArgs),
    /// Start the built-in sample portal on loopback and audit it.
    Demo(DemoArgs),
    /// List every check: id, area, default severity, passive or active.
    List,
    /// Explain a check: why it matters, what breaks, how to fix it, references.
    Explain {
        /// The check id, as shown by `launchready list`.
        id: String,
    },
    /// Scan a directory for secrets (working tree, git history, build output) without a config
    /// file; same formats and exit codes as `audit`.
    Secrets(SecretsArgs),
    /// Write a baseline of the secrets found now (content fingerprints), so that only new ones
    /// are reported; point `[secrets] baseline` or `secrets --baseline` at it.
    Baseline(BaselineArgs),
    /// Write a commented starter config for a base URL.
    Init {
        /// The product's main URL, e.g. `https://example.com`.
        base_url: String,
        /// Where to write it.
        #[arg(short, long, default_value = "checks.toml")]
        output: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Options shared by `audit` and `demo`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Report format.
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to a file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Failures at or above this severity block launch (exit 1).
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
    /// Run only these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Skip these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Allow active probes (bursts, forged tokens, fuzzing) against in-scope hosts.
    #[arg(long)]
    pub active: bool,
    /// Checks running at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Deadline of one check, in seconds.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Check errors do not fail the run.
    #[arg(long)]
    pub allow_errors: bool,
    /// Colour in the table report.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// `audit` arguments.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The target description.
    #[arg(short, long, default_value = "checks.toml")]
    pub config: PathBuf,
    /// Run options.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `demo` arguments.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Audit the hardened variant of the sample portal instead of the flawed one.
    #[arg(long)]
    pub hardened: bool,
    /// Print the generated config (with its loopback ports) to stderr.
    #[arg(long)]
    pub show_config: bool,
    /// Run options.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `secrets` arguments.
#[derive(Debug, Args)]
pub struct SecretsArgs {
    /// The directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Scan what is staged for commit instead of the working tree (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
    /// Do not scan the git history.
    #[arg(long)]
    pub no_history: bool,
    /// A baseline written by `launchready baseline`; its fingerprints are reported as accepted.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Run options.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `baseline` arguments.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The directory to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write the baseline.
    #[arg(short, long, default_value = ".launchready-baseline.json")]
    pub output: PathBuf,
    /// Do not scan the git history.
    #[arg(long)]
    pub no_history: bool,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only critical failures block.
    Critical,
    /// High and critical failures block.
    High,
    /// Medium and worse block.
    Medium,
    /// Low and worse block.
    Low,
    /// Nothing blocks; always exit 0 unless the config is bad.
    Never,
}

impl FailOn {
    /// The threshold severity.
    pub fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }
}

/// When to colour the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How a command ended; `main` maps it to an exit code.
#[derive(Debug)]
pub enum Outcome {
    /// Done, nothing blocks: exit 0.
    Ok,
    /// Launch blockers found: exit 1.
    Blocked,
    /// Bad config or usage: exit 2, with the message on stderr.
    Usage(String),
    /// Our own failure: exit 3.
    Internal(String),
}

/// Runs a parsed command line.
pub async fn execute(cli: Cli) -> Outcome {
    let progress = !cli.quiet && cli.verbose == 0 && io::stderr().is_terminal();
    match cli.command {
        Command::Audit(args) => {
            let target = match config::load(&args.config, &ProcessEnv) {
                Ok(t) => t,
                Err(e @ ConfigError::Read { .. }) => return Outcome::Usage(e.to_string()),
                Err(ConfigError::Invalid(list)) => {
                    let mut text = format!(
                        "error: {} has {} problem{}:",
                        args.config.display(),
                        list.len(),
                        report::plural(list.len())
                    );
                    for d in list {
                        text.push_str(&format!("\n{d}"));
                    }
                    return Outcome::Usage(text);
                }
            };
            let options = match audit_options(&args.run, progress) {
                Ok(o) => o,
                Err(message) => return Outcome::Usage(message),
            };
            match crate::audit(target, &options).await {
                Ok(scorecard) => finish(&scorecard, &args.run),
                Err(e) => Outcome::Usage(format!("error: {e}")),
            }
        }
        Command::Demo(args) => {
            let options = match audit_options(&args.run, progress) {
                Ok(o) => o,
                Err(message) => return Outcome::Usage(message),
            };
            let variant = if args.hardened {
                demo::Variant::Hardened
            } else {
                demo::Variant::Flawed
            };
            let world = match demo::DemoWorld::start(variant).await {
                Ok(w) => w,
                Err(e) => return Outcome::Internal(format!("cannot start the sample portal: {e}")),
            };
            if args.show_config {
                let mut err = io::stderr().lock();
                let _ = writeln!(
                    err,
                    "# {}\n{}",
                    world.config_path.display(),
                    world.config_text
                );
            }
            let target = match config::load(&world.config_path, &world.env) {
                Ok(t) => t,
                Err(e) => return Outcome::Internal(format!("the demo config is invalid: {e}")),
            };
            match crate::audit(target, &options).await {
                Ok(scorecard) => finish(&scorecard, &args.run),
                Err(e) => Outcome::Internal(format!("demo audit failed: {e}")),
            }
        }
        Command::Secrets(args) => {
            let options = match audit_options(&args.run, progress) {
                Ok(o) => o,
                Err(message) => return Outcome::Usage(message),
            };
            let history = !args.no_history && !args.staged;
            match secrets_scan(
                &args.path,
                history,
                args.staged,
                args.baseline.as_deref(),
                &options,
            )
            .await
            {
                Ok(scorecard) => finish(&scorecard, &args.run),
                Err(message) => Outcome::Usage(message),
            }
        }
        Command::Baseline(args) => baseline(&args).await,
        Command::List => print(&list_text()),
        Command::Explain { id } => match registry::find(&id) {
            Some(entry) => print(&explain_text(entry.meta)),
            None => Outcome::Usage(format!(
                "error: no check with id `{id}`; see `launchready list`"
            )),
        },
        Command::Init {
            base_url,
            output,
            force,
        } => init(&base_url, &output, force),
    }
}

/// The local secret checks run by `launchready secrets` and `launchready baseline`.
const SECRET_CHECKS: &[&str] = &["secrets-tree", "secrets-history", "secrets-bundle"];

/// Runs the local secret checks on `path` with a config built on the fly.
async fn secrets_scan(
    path: &std::path::Path,
    history: bool,
    staged: bool,
    baseline: Option<&std::path::Path>,
    options: &AuditOptions,
) -> Result<Scorecard, String> {
    let root = std::fs::canonicalize(path)
        .map_err(|e| format!("error: cannot scan {}: {e}", path.display()))?;
    let (dir, scan) = if root.is_file() {
        let parent = root
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        (parent, root.clone())
    } else {
        (root.clone(), root.clone())
    };
    // Inside a repository, places are shown relative to its top, as git shows them: a scan of a
    // subdirectory then agrees with a baseline written from the top.
    let dir = crate::checks::secrets::sources::repo_root(&dir)
        .and_then(|top| std::fs::canonicalize(top).ok())
        .filter(|top| scan.starts_with(top))
        .unwrap_or(dir);
    let quote = |p: &std::path::Path| toml::Value::String(p.display().to_string()).to_string();
    let mut text = format!(
        "[target]\nname = {}\nbase-url = \"https://localhost\"\n\n[secrets]\npaths = [{}]\nhistory = {history}\n",
        toml::Value::String(format!("secrets in {}", path.display())),
        quote(&scan)
    );
    if let Some(baseline) = baseline {
        let absolute = std::path::absolute(baseline).unwrap_or_else(|_| baseline.to_path_buf());
        text.push_str(&format!("baseline = {}\n", quote(&absolute)));
    }
    let mut target = config::parse(&text, &dir.join("launchready-secrets.toml"), &ProcessEnv)
        .map_err(|e| format!("error: {e}"))?;
    if let Some(settings) = target.secrets.as_mut() {
        settings.staged = staged;
    }
    let entries: Vec<registry::Entry> = CHECKS
        .iter()
        .filter(|e| SECRET_CHECKS.contains(&e.meta.id))
        .copied()
        .collect();
    let net = crate::net::Net::new(&target).map_err(|e| format!("error: {e}"))?;
    Ok(crate::audit_with(&entries, target, net, options).await)
}

/// `launchready baseline`: every secret found now becomes an accepted fingerprint.
async fn baseline(args: &BaselineArgs) -> Outcome {
    let options = AuditOptions {
        fail_on: None,
        ..AuditOptions::default()
    };
    let scorecard = match secrets_scan(&args.path, !args.no_history, false, None, &options).await {
        Ok(s) => s,
        Err(message) => return Outcome::Usage(message),
    };
    // A baseline from a partial scan would look complete; the user fixes the scan first.
    let errors: Vec<String> = scorecard
        .rows
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.status == crate::check::Status::Error)
        .map(|f| format!("{} on {}: {}", f.check, f.subject, f.message))
        .collect();
    if !errors.is_empty() {
        return Outcome::Internal(format!(
            "baseline not written: the scan did not complete\n  {}",
            errors.join("\n  ")
        ));
    }
    let entries = baseline_entries(&scorecard);
    let text = crate::checks::secrets::Baseline::to_json(&entries);
    match std::fs::write(&args.output, text) {
        Ok(()) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(
                err,
                "wrote {} with {} fingerprint{}",
                args.output.display(),
                entries.len(),
                report::plural(entries.len())
            );
            Outcome::Ok
        }
        Err(e) => Outcome::Internal(format!("cannot write {}: {e}", args.output.display())),
    }
}

/// Baseline entries for every failed secret finding of a scorecard.
pub fn baseline_entries(
    scorecard: &Scorecard,
) -> Vec<crate::checks::secrets::baseline::BaselineEntry> {
    let value = |f: &crate::check::Finding, label: &str| {
        f.evidence
            .iter()
            .find(|e| e.label == label)
            .map(|e| e.value.clone())
    };
    scorecard
        .rows
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.status == crate::check::Status::Fail)
        .filter_map(|f| {
            Some(crate::checks::secrets::baseline::BaselineEntry {
                fingerprint: value(f, "fingerprint")?,
                rule: value(f, "rule")?,
                source: value(f, "exposure")?,
                location: f.subject.to_string(),
            })
        })
        .collect()
}

fn audit_options(run: &RunArgs, progress: bool) -> Result<AuditOptions, String> {
    for id in run.only.iter().chain(&run.skip) {
        if !registry::is_known(id) {
            return Err(format!(
                "error: no check with id `{id}`; see `launchready list`"
            ));
        }
    }
    Ok(AuditOptions {
        run: RunOptions {
            concurrency: usize::from(run.concurrency),
            check_timeout: Duration::from_secs(run.timeout),
            active: run.active,
            only: run.only.clone(),
            skip: run.skip.clone(),
            progress,
        },
        fail_on: run.fail_on.severity(),
        allow_errors: run.allow_errors,
    })
}

fn finish(scorecard: &Scorecard, run: &RunArgs) -> Outcome {
    let to_terminal = run.output.is_none() && io::stdout().is_terminal();
    let color = match run.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut buffer = Vec::new();
    if let Err(e) = report::write(run.format, scorecard, Style { color }, &mut buffer) {
        return Outcome::Internal(format!("cannot render the report: {e}"));
    }
    let written = match &run.output {
        Some(path) => std::fs::write(path, &buffer)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => write_stdout(&buffer),
    };
    match written {
        Err(message) => Outcome::Internal(message),
        Ok(()) if scorecard.blocked() => Outcome::Blocked,
        Ok(()) => Outcome::Ok,
    }
}

fn print(text: &str) -> Outcome {
    match write_stdout(text.as_bytes()) {
        Ok(()) => Outcome::Ok,
        Err(message) => Outcome::Internal(message),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the report: {e}")),
    }
}

/// The text of `launchready list`.
pub fn list_text() -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_header(vec!["ID", "AREA", "SEVERITY", "MODE", "TITLE"]);
    for category in Category::ALL {
        for entry in CHECKS.iter().filter(|e| e.meta.category == category) {
            let m = entry.meta;
            table.add_row(vec![
                m.id,
                category.title(),
                m.default_severity.as_str(),
                &m.mode.to_string(),
                m.title,
            ]);
        }
    }
    format!("{table}\n")
}

/// The text of `launchready explain ID`.
pub fn explain_text(m: &crate::check::CheckMeta) -> String {
    let mut out = format!(
        "{} — {}\narea: {} · default severity: {} · {}\n\nWhy it matters\n  {}\n\nWhat breaks\n  {}\n\nHow to fix it\n  {}\n\nReferences\n",
        m.id,
        m.title,
        m.category.title(),
        m.default_severity,
        m.mode,
        m.why,
        m.breaks,
        m.remediation
    );
    for r in m.references {
        out.push_str(&format!("  - {r}\n"));
    }
    if m.mode == crate::check::Mode::Active {
        out.push_str("\nThis is an active probe: it runs only with --active, and only against hosts in [target] scope.\n");
    }
    out
}

fn init(base_url: &str, output: &PathBuf, force: bool) -> Outcome {
    let url = match url::Url::parse(base_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            return Outcome::Usage(format!(
                "error: `{base_url}` is not an http(s) URL like https://example.com"
            ));
        }
    };
    if output.exists() && !force {
        return Outcome::Usage(format!(
            "error: {} exists; pass --force to overwrite it",
            output.display()
        ));
    }
    let text = crate::config::starter(&url);
    match std::fs::write(output, text) {
        Ok(()) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(
                err,
                "wrote {}; edit it, then run: launchready audit -c {}",
                output.display(),
                output.display()
            );
            Outcome::Ok
        }
        Err(e) => Outcome::Internal(format!("cannot write {}: {e}", output.display())),
    }
}
