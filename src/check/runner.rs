//! Runs checks concurrently with a global bound and a deadline per check.
//!
//! A check that panics or overruns its deadline becomes an `error` row; every other row is intact.
//! Rows come back in registry order and findings in a fixed order, never in completion order.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::registry::Entry;
use super::{Check, CheckMeta, Context, Finding, Mode, Status, Subject};
use crate::config::Target;
use crate::net::Net;
use crate::scorecard::{CheckRow, RowOutcome};

/// How the runner picks and runs checks.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Checks running at once.
    pub concurrency: usize,
    /// Deadline of one check.
    pub check_timeout: Duration,
    /// Allow active (intrusive) checks.
    pub active: bool,
    /// Run only these ids (all when empty).
    pub only: Vec<String>,
    /// Skip these ids.
    pub skip: Vec<String>,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 8,
            check_timeout: Duration::from_secs(120),
            active: false,
            only: Vec::new(),
            skip: Vec::new(),
            progress: false,
        }
    }
}

/// Runs the selected entries against the target and returns one row per selected check.
pub async fn run(
    entries: &[Entry],
    target: Arc<Target>,
    net: Arc<Net>,
    options: &RunOptions,
) -> Vec<CheckRow> {
    let mut rows: Vec<Option<CheckRow>> = Vec::new();
    let mut ready: Vec<(usize, Arc<dyn Check>)> = Vec::new();
    for entry in entries {
        let meta = entry.meta;
        if !options.only.is_empty() && !options.only.iter().any(|id| id == meta.id) {
            continue;
        }
        let index = rows.len();
        let skipped = |reason: String| Some(CheckRow::skipped(meta, reason));
        if options.skip.iter().any(|id| id == meta.id) {
            rows.push(skipped("skipped with --skip".into()));
        } else if meta.mode == Mode::Active && !options.active {
            rows.push(skipped(
                "active probe: run with --active to allow it".into(),
            ));
        } else {
            match (entry.build)(&target) {
                Ok(check) => {
                    rows.push(None);
                    ready.push((index, Arc::from(check)));
                }
                Err(skip) => rows.push(skipped(skip.0)),
            }
        }
    }

    let progress = progress_bar(options.progress, ready.len());
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut metas: Vec<(tokio::task::Id, usize, &'static CheckMeta)> = Vec::new();
    for (index, check) in ready {
        let meta = check.meta();
        let limit = limit.clone();
        let ctx = Context {
            target: target.clone(),
            net: net.clone(),
            deadline: Instant::now() + options.check_timeout,
            active: options.active,
        };
        let timeout = options.check_timeout;
        let progress = progress.clone();
        let handle = tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let started = Instant::now();
            let ctx = Context {
                deadline: Instant::now() + timeout,
                ..ctx
            };
            let findings = match tokio::time::timeout(timeout, check.run(&ctx)).await {
                Ok(findings) => findings,
                Err(_) => vec![
                    Finding::error(
                        meta,
                        Subject::Target,
                        format!(
                            "check did not finish within {}s; it was stopped",
                            timeout.as_secs()
                        ),
                    )
                    .remediation("raise --timeout, or look for a target that stalls responses"),
                ],
            };
            progress.inc(1);
            progress.set_message(meta.id);
            (index, meta, findings, started.elapsed())
        });
        metas.push((handle.id(), index, meta));
    }
    while let Some(joined) = tasks.join_next_with_id().await {
        let (index, row) = match joined {
            Ok((_, (index, meta, findings, elapsed))) => {
                (index, CheckRow::ran(meta, findings, elapsed))
            }
            Err(error) => {
                let Some(&(_, index, meta)) = metas.iter().find(|(id, _, _)| *id == error.id())
                else {
                    continue;
                };
                let message = if error.is_panic() {
                    format!("check crashed: {}", panic_message(error.into_panic()))
                } else {
                    "check was cancelled".to_string()
                };
                progress.inc(1);
                let finding = Finding::error(meta, Subject::Target, message)
                    .remediation("this is a launchready bug: please report it with the -v log");
                (index, CheckRow::ran(meta, vec![finding], Duration::ZERO))
            }
        };
        rows[index] = Some(row);
    }
    progress.finish_and_clear();
    rows.into_iter().flatten().collect()
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

fn progress_bar(enabled: bool, total: usize) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} checks {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Orders findings: failures first, then errors, inconclusive, passes; by severity, then subject.
pub fn sort_findings(findings: &mut [Finding]) {
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Inconclusive => 2,
        Status::Pass => 3,
    };
    findings.sort_by(|a, b| {
        rank(a.status)
            .cmp(&rank(b.status))
            .then(b.severity.cmp(&a.severity))
            .then(a.subject.cmp(&b.subject))
            .then(a.message.cmp(&b.message))
    });
}

impl CheckRow {
    /// A row for a check that ran.
    pub fn ran(meta: &'static CheckMeta, mut findings: Vec<Finding>, duration: Duration) -> Self {
        if findings.is_empty() {
            findings.push(Finding::error(
                meta,
                Subject::Target,
                "check returned no finding",
            ));
        }
        sort_findings(&mut findings);
        CheckRow {
            meta,
            outcome: RowOutcome::Ran,
            duration,
            findings,
        }
    }

    /// A row for a check that did not run.
    pub fn skipped(meta: &'static CheckMeta, reason: String) -> Self {
        CheckRow {
            meta,
            outcome: RowOutcome::Skipped(reason),
            duration: Duration::ZERO,
            findings: Vec::new(),
        }
    }
}
