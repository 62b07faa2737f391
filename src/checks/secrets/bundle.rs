//! `secrets-bundle`: no secrets in build output that ships to browsers (`dist/`, `build/`,
//! `.next/`, `out/`), including the original sources embedded in source maps (`sourcesContent`),
//! inline `data:` maps included. `.next/cache` (the webpack cache) is not shipped and not read;
//! `.next/server` is server code, scanned with working-tree severity.
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
        // A crashed scan is reported without its panic text: that text can quote the input.
        tokio::task::spawn_blocking(move || scan(&settings, &dirs, &base))
            .await
            .unwrap_or_else(|_| {
                vec![Finding::error(
                    &META,
                    Subject::Target,
                    "the scan failed: internal error (this is a launchready bug)",
                )]
            })
    }
}

/// Files larger than this are not read whole: they are reported as not scanned.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Where a file of a bundle directory belongs.
enum Part {
    /// Shipped to browsers.
    Shipped,
    /// Next.js server code (`.next/server`): in the repository's build, not in browsers.
    Server,
    /// Next.js webpack cache (`.next/cache`): never shipped, not scanned.
    Cache,
}

fn part(dir: &Path, path: &Path) -> Part {
    if dir.file_name().is_some_and(|n| n == ".next") {
        if path.starts_with(dir.join("cache")) {
            return Part::Cache;
        }
        if path.starts_with(dir.join("server")) {
            return Part::Server;
        }
    }
    Part::Shipped
}

fn scan(settings: &SecretsSettings, dirs: &[PathBuf], base: &Path) -> Vec<Finding> {
    let baseline = match super::load_baseline(settings) {
        Ok(b) => b,
        Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
    };
    let mut findings = Vec::new();
    let mut used = BTreeSet::new();
    let mut server_dirs = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    let mut oversized: Vec<String> = Vec::new();
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
        if dir.file_name().is_some_and(|n| n == ".next") {
            server_dirs.push(super::display_path(base, &dir.join("server")));
        }
        for path in sources::tree_files_unfiltered(dir) {
            let exposure = match part(dir, &path) {
                Part::Cache => continue,
                Part::Server => Exposure::Tree,
                Part::Shipped => Exposure::Bundle,
            };
            let shown = super::display_path(base, &path);
            let data = match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_FILE_BYTES => {
                    oversized.push(format!("{shown} ({} bytes)", m.len()));
                    continue;
                }
                Ok(_) => sources::read(&path, MAX_FILE_BYTES + 1),
                Err(e) => Err(e),
            };
            let data = match data {
                Ok(d) if d.len() as u64 > MAX_FILE_BYTES => {
                    oversized.push(format!("{shown} (over {MAX_FILE_BYTES} bytes)"));
                    continue;
                }
                Ok(d) => d,
                Err(e) => {
                    unreadable.push(format!("{shown} ({e})"));
                    continue;
                }
            };
            if sources::looks_binary(&data) {
                continue;
            }
            files += 1;
            bytes += data.len() as u64;
            for (source, hit) in sources::scan_maybe_map(super::engine::shared(), &shown, &data) {
                let place = match &source {
                    Some(s) => format!("{shown} ({s})"),
                    None => shown.clone(),
                };
                let f = super::finding(
                    &META,
                    &hit,
                    Subject::file(place, Some(hit.line), Some(hit.column)),
                    exposure,
                    baseline.as_ref(),
                );
                if f.accepted.is_some() {
                    used.insert(super::fingerprint(hit.rule.id, &hit.secret));
                }
                findings.push(f);
            }
        }
    }
    if !unreadable.is_empty() {
        findings.push(
            not_scanned(
                &unreadable,
                match unreadable.len() {
                    1 => "1 bundle file could not be read and was not scanned".to_string(),
                    n => format!("{n} bundle files could not be read and were not scanned"),
                },
            )
            .remediation(
                "make the files readable by the user running launchready, then scan again",
            ),
        );
    }
    if !oversized.is_empty() {
        findings.push(
            not_scanned(
                &oversized,
                format!(
                    "{} bundle file{} not scanned: over the {} MiB cap",
                    oversized.len(),
                    if oversized.len() == 1 { "" } else { "s" },
                    MAX_FILE_BYTES >> 20
                ),
            )
            .remediation("a bundle this large is unusual: check what it holds (inlined assets, a data dump) and scan it on its own"),
        );
    }
    if let Some(baseline) = &baseline {
        findings.extend(super::unused_baseline_findings(
            &META,
            baseline,
            Exposure::Bundle,
            &used,
        ));
        // `.next/server` findings are the tree's by exposure but only this check scans them.
        let server = super::Baseline::new(
            baseline.path.clone(),
            baseline
                .entries
                .iter()
                .filter(|e| {
                    server_dirs
                        .iter()
                        .any(|d| super::location_under(&e.location, d))
                })
                .cloned()
                .collect(),
        );
        findings.extend(super::unused_baseline_findings(
            &META,
            &server,
            Exposure::Tree,
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

/// An inconclusive finding for files that were not scanned: their count in `message`, the first
/// few of them as evidence.
fn not_scanned(files: &[String], message: String) -> Finding {
    Finding::inconclusive(&META, Subject::Target, message)
        .severity(Severity::Medium)
        .evidence("files", super::first_few(files))
}
