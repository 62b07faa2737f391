//! `secrets-bundle`: no secrets in build output that ships to browsers (`dist/`, `build/`,
//! `.next/`, `out/`), including the original sources embedded in source maps (`sourcesContent`).
//!
//! Reference: OWASP ASVS V14.3 (unintended information disclosure); OWASP Top 10 A05:2021
//! (security misconfiguration).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{Exposure, sources};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{SecretsSettings, Target};

/// Metadata of the `secrets-bundle` check.
pub static META: CheckMeta = CheckMeta {
    id: "secrets-bundle",
    title: "No secrets in build bundles and source maps",
    category: Category::Secrets,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "Everything in a front-end bundle is downloaded by every visitor; a server key inlined at build time (a mis-prefixed env variable, a config import) is public the moment it deploys, and source maps carry the original files with it.",
    breaks: "Anyone opening the browser's dev tools holds your secret key.",
    remediation: "Keep server secrets out of client code (only publishable keys belong in bundles), check which env variables the bundler inlines, and do not publish source maps with sourcesContent.",
    references: &[
        "https://owasp.org/www-project-application-security-verification-standard/",
        "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/",
    ],
};

/// Builds the check when `[secrets]` is configured and a bundle directory exists.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let Some(settings) = &target.secrets else {
        return Err(Skip::because("no [secrets] section"));
    };
    if settings.staged {
        return Err(Skip::because("--staged scans only what is staged"));
    }
    let dirs = super::bundle_dirs(settings);
    if dirs.is_empty() {
        return Err(Skip::because(
            "no build output (dist, build, .next, out) under [secrets] paths: set bundles = [\"dist\"]",
        ));
    }
    Ok(Box::new(SecretsBundle {
        settings: settings.clone(),
        dirs,
        base: target.base_dir.clone(),
    }))
}

struct SecretsBundle {
    settings: SecretsSettings,
    dirs: Vec<PathBuf>,
    base: PathBuf,
}

#[async_trait::async_trait]
impl Check for SecretsBundle {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _ctx: &Context) -> Vec<Finding> {
        let (settings, dirs, base) = (self.settings.clone(), self.dirs.clone(), self.base.clone());
        tokio::task::spawn_blocking(move || scan(&settings, &dirs, &base))
            .await
            .unwrap_or_else(|e| {
                vec![Finding::error(
                    &META,
                    Subject::Target,
                    format!("the scan failed: {e}"),
                )]
            })
    }
}

fn scan(settings: &SecretsSettings, dirs: &[PathBuf], base: &Path) -> Vec<Finding> {
    let baseline = match super::load_baseline(settings) {
        Ok(b) => b,
        Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
    };
    let mut findings = Vec::new();
    let mut used = BTreeSet::new();
    let mut files = 0usize;
    let mut bytes = 0u64;
    for dir in dirs {
        if !dir.exists() {
            findings.push(Finding::error(
                &META,
                Subject::file(super::display_path(base, dir), None, None),
                "configured bundle directory does not exist",
            ));
            continue;
        }
        for path in sources::tree_files_unfiltered(dir) {
            let Ok(data) = sources::read(&path) else {
                continue;
            };
            if sources::looks_binary(&data) {
                continue;
            }
            files += 1;
            bytes += data.len() as u64;
            let shown = super::display_path(base, &path);
            for (source, hit) in sources::scan_maybe_map(super::engine::shared(), &shown, &data) {
                let place = match &source {
                    Some(s) => format!("{shown} (sourcesContent: {s})"),
                    None => shown.clone(),
                };
                let f = super::finding(
                    &META,
                    &hit,
                    Subject::file(place, Some(hit.line), Some(hit.column)),
                    Exposure::Bundle,
                    baseline.as_ref(),
                );
                if f.accepted.is_some() {
                    used.insert(super::fingerprint(hit.rule.id, &hit.secret));
                }
                findings.push(f);
            }
        }
    }
    if let Some(baseline) = &baseline {
        findings.extend(super::unused_baseline_findings(
            &META,
            baseline,
            Exposure::Bundle,
            &used,
        ));
    }
    if findings.is_empty() {
        findings.push(
            Finding::pass(
                &META,
                Subject::Target,
                format!("no secrets in {files} bundle files"),
            )
            .evidence("scanned", format!("{files} files, {bytes} bytes")),
        );
    }
    findings
}
