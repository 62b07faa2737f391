//! launchready: a launch-readiness auditor.
//!
//! [`audit`] reads a validated [`config::Target`], runs the check registry against it and returns a
//! [`scorecard::Scorecard`]; [`report`] renders that in five formats. The binary is a thin shell
//! around these.

pub mod check;
pub mod checks;
pub mod cli;
pub mod config;
pub mod demo;
pub mod detect;
pub mod net;
pub mod report;
pub mod scorecard;

use std::sync::Arc;

use check::Severity;
use check::registry::{CHECKS, Entry};
use check::runner::{self, RunOptions};
use config::Target;
use net::Net;
use scorecard::{RunSummary, Scorecard};

/// What an audit run is asked to do.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Runner settings: selection, concurrency, deadlines.
    pub run: RunOptions,
    /// Failures at or above this block launch; `None` never blocks.
    pub fail_on: Option<Severity>,
    /// Errored checks do not fail the run.
    pub allow_errors: bool,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            run: RunOptions::default(),
            fail_on: Some(Severity::High),
            allow_errors: false,
        }
    }
}

/// Why an audit could not run at all (as opposed to checks failing).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The network clients could not be built from the config.
    #[error(transparent)]
    Net(#[from] net::NetError),
}

/// Audits the target with every registered check.
pub async fn audit(target: Target, options: &AuditOptions) -> Result<Scorecard, AuditError> {
    let net = Net::new(&target)?;
    Ok(audit_with(CHECKS, target, net, options).await)
}

/// Audits the target with the given checks and network clients (tests add their own checks).
pub async fn audit_with(
    entries: &[Entry],
    target: Target,
    net: Net,
    options: &AuditOptions,
) -> Scorecard {
    let started = std::time::Instant::now();
    let generated_at = time::OffsetDateTime::now_utc();
    let target = Arc::new(target);
    let mut rows = runner::run(entries, target.clone(), Arc::new(net), &options.run).await;
    let unused = scorecard::apply_acceptances(&mut rows, &target.accept, generated_at.date());
    Scorecard {
        target_name: target.name.clone(),
        base_url: target.base_url.to_string(),
        hosts: target.hosts.clone(),
        generated_at: generated_at
            .replace_nanosecond(0)
            .unwrap_or(generated_at)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration: started.elapsed(),
        run: RunSummary {
            fail_on: options.fail_on,
            active: options.run.active,
            allow_errors: options.allow_errors,
        },
        rows,
        unused_acceptances: unused,
    }
}
