//! The check model: metadata, the [`Check`] trait, the context a check runs in, and why a check was skipped.

pub mod finding;
pub mod metrics;
pub mod registry;
pub mod runner;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use tokio::time::Instant;

use crate::config::Target;
use crate::net::Net;

pub use finding::{Acceptance, Confidence, Evidence, Finding, Severity, Status, Subject, redact};
pub use metrics::{LatencyMetrics, Metrics};

/// The area of the scorecard a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// DNS and redirects.
    Domain,
    /// Certificates and protocol versions.
    Tls,
    /// Response headers, cookies and page content.
    Web,
    /// SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT.
    Email,
    /// Authentication, authorization and API hygiene.
    Api,
    /// Keys and tokens in code, history, bundles and live assets.
    Secrets,
    /// Latency and uptime.
    Operations,
}

impl Category {
    /// Every area in scorecard order.
    pub const ALL: [Category; 7] = [
        Category::Domain,
        Category::Tls,
        Category::Web,
        Category::Email,
        Category::Api,
        Category::Secrets,
        Category::Operations,
    ];

    /// The heading shown in reports.
    pub fn title(self) -> &'static str {
        match self {
            Category::Domain => "Domain & redirects",
            Category::Tls => "TLS",
            Category::Web => "Web hardening",
            Category::Email => "Email trust",
            Category::Api => "API security",
            Category::Secrets => "Secrets",
            Category::Operations => "Operations",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Whether a check only observes or actively probes the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Reads what any visitor would see; runs by default.
    Passive,
    /// Sends bursts, forged tokens or writes; runs only with `--active`, in scope only.
    Active,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Passive => "passive",
            Mode::Active => "active",
        })
    }
}

/// Static description of a check, kept beside its code.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable kebab-case id: the SARIF ruleId and the key in `[[accept]]`.
    pub id: &'static str,
    /// Short title for the scorecard row.
    pub title: &'static str,
    /// Scorecard area.
    pub category: Category,
    /// Severity of a failure unless the finding says otherwise.
    pub default_severity: Severity,
    /// Passive or active.
    pub mode: Mode,
    /// Why it matters, in one or two sentences.
    pub why: &'static str,
    /// What breaks for users or the business when it fails.
    pub breaks: &'static str,
    /// The generic fix path.
    pub remediation: &'static str,
    /// RFC, OWASP or vendor references.
    pub references: &'static [&'static str],
}

/// Why a check cannot run against this target; shown as a skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

impl Skip {
    /// A skip with the given reason.
    pub fn because(reason: impl Into<String>) -> Self {
        Skip(reason.into())
    }
}

/// What every check receives: the target, the shared network clients and the deadline.
pub struct Context {
    /// The validated target description.
    pub target: Arc<Target>,
    /// Shared HTTP client, DNS resolver, TLS trust store and scope guard.
    pub net: Arc<Net>,
    /// When the check's time is up; the runner cancels it then.
    pub deadline: Instant,
    /// True when the user allowed intrusive probes with `--active`.
    pub active: bool,
}

/// One audit of the registry.
#[async_trait::async_trait]
pub trait Check: Send + Sync {
    /// The check's static description.
    fn meta(&self) -> &'static CheckMeta;

    /// Pass, fail, inconclusive and error findings. Target faults are findings, never panics.
    async fn run(&self, ctx: &Context) -> Vec<Finding>;
}

/// Builds a check from the target, or says why it cannot run.
pub type Build = fn(&Target) -> Result<Box<dyn Check>, Skip>;
