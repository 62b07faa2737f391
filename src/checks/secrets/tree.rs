//! `secrets-tree`: no keys, tokens, passwords or private keys in the files of the working tree
//! (or, with `launchready secrets --staged`, in what is staged), and no secret-bearing files
//! (`.env`, `id_rsa`, `*.tfstate`) committed.
//!
//! Reference: OWASP ASVS V2.10 / V6.4 (secrets are not stored in source code); CWE-798 (use of
//! hard-coded credentials).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::engine::{self, Hit};
use super::{Exposure, rules, sources};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{SecretsSettings, Target};

/// Metadata of the `secrets-tree` check.
pub static META: CheckMeta = CheckMeta {
    id: "secrets-tree",
    title: "No secrets in the working tree",
    category: Category::Secrets,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "A key committed to the repository is readable by everyone with access to it, every clone, every CI log and every fork; attackers scan public and leaked repositories for them within minutes.",
    breaks: "Whoever reads the key acts as you: cloud bills, data exfiltration, sent mail and payments in your name.",
    remediation: "Rotate the key at its provider, remove it from the code, load it from the environment or a secret manager, and add the pre-commit hook (`launchready secrets --staged`).",
    references: &[
        "https://owasp.org/www-project-application-security-verification-standard/",
        "https://cwe.mitre.org/data/definitions/798.html",
    ],
};

/// Builds the check when `[secrets]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.secrets {
        Some(settings) => Ok(Box::new(SecretsTree {
            settings: settings.clone(),
            base: target.base_dir.clone(),
        })),
        None => Err(Skip::because(
            "no [secrets] section: add one (paths = [\".\"]) to scan the repository",
        )),
    }
}

struct SecretsTree {
    settings: SecretsSettings,
    base: PathBuf,
}

#[async_trait::async_trait]
impl Check for SecretsTree {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _ctx: &Context) -> Vec<Finding> {
        let settings = self.settings.clone();
        let base = self.base.clone();
        // A crashed scan is reported without its panic text: that text can quote the input.
        tokio::task::spawn_blocking(move || scan(&settings, &base))
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

/// Scans the configured paths (or the index when `staged`) and judges every hit.
pub fn scan(settings: &SecretsSettings, base: &Path) -> Vec<Finding> {
    let baseline = match super::load_baseline(settings) {
        Ok(b) => b,
        Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
    };
    let mut findings = Vec::new();
    let used = RefCell::new(BTreeSet::new());
    // One file's hits; a secret-bearing file name is folded into them as evidence, and is a
    // finding of its own only when the content gave none.
    let judge = |findings: &mut Vec<Finding>, path: &str, hits: &[Hit], secret_file: bool| {
        if secret_file && hits.is_empty() {
            let f = super::secret_file_finding(&META, path, baseline.as_ref());
            if f.accepted.is_some() {
                used.borrow_mut()
                    .insert(super::fingerprint(rules::SECRET_FILE_RULE, path));
            }
            findings.push(f);
        }
        for hit in hits {
            let mut f = super::finding(
                &META,
                hit,
                Subject::file(path, Some(hit.line), Some(hit.column)),
                Exposure::Tree,
                baseline.as_ref(),
            );
            if secret_file {
                f = f.evidence(
                    rules::SECRET_FILE_RULE,
                    format!("`{path}` is a secret-bearing file: remove it from the repository"),
                );
            }
            if f.accepted.is_some() {
                used.borrow_mut()
                    .insert(super::fingerprint(hit.rule.id, &hit.secret));
            }
            findings.push(f);
        }
    };
    let mut unreadable: Vec<String> = Vec::new();
    let (files, bytes) = if settings.staged {
        let Some(dir) = settings.paths.first() else {
            return Vec::new();
        };
        let Some(root) = sources::repo_root(dir) else {
            return vec![Finding::error(
                &META,
                Subject::file(dir.display().to_string(), None, None),
                "--staged needs a git repository",
            )];
        };
        let staged = match sources::staged_files(&root) {
            Ok(s) => s,
            Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
        };
        let names = staged.iter().map(|s| s.blob.clone()).collect();
        let mut bytes = 0u64;
        let scanner = engine::shared();
        let read = sources::cat_file(&root, names, |index, content| {
            bytes += content.len() as u64;
            let path = &staged[index].path;
            let secret_file = match rules::secret_file(path) {
                Some(rules::SecretFile::ByName) => true,
                Some(rules::SecretFile::ByContent) => rules::holds_secret(path, &content),
                None => false,
            };
            let hits = if sources::looks_binary(&content) {
                Vec::new()
            } else {
                scanner.scan_bytes(&content).0
            };
            judge(&mut findings, path, &hits, secret_file);
        });
        if let Err(e) = read {
            findings.push(Finding::error(&META, Subject::Target, e));
        }
        (staged.len(), bytes)
    } else {
        let bundles = super::bundle_dirs(settings);
        let mut files: Vec<PathBuf> = settings
            .paths
            .iter()
            .flat_map(|p| sources::tree_files(p))
            .filter(|f| !bundles.iter().any(|b| f.starts_with(b)))
            .collect();
        files.sort();
        files.dedup();
        let count = files.len();
        let mut bytes = 0u64;
        for result in engine::scan_files(engine::shared(), files) {
            let shown = super::display_path(base, &result.path);
            let hits = match &result.outcome {
                Ok((hits, stats)) => {
                    bytes += stats.bytes;
                    hits.as_slice()
                }
                Err(e) => {
                    unreadable.push(format!("{shown} ({e})"));
                    &[]
                }
            };
            let secret_file = match rules::secret_file(&shown) {
                Some(rules::SecretFile::ByName) => true,
                Some(rules::SecretFile::ByContent) => {
                    read_head(&result.path).is_some_and(|head| rules::holds_secret(&shown, &head))
                }
                None => false,
            };
            judge(&mut findings, &shown, hits, secret_file);
        }
        (count, bytes)
    };
    if !unreadable.is_empty() {
        findings.push(unreadable_finding(&unreadable));
    }
    // A staged scan sees only what is staged: every other entry would look unused.
    if let Some(baseline) = baseline.as_ref().filter(|_| !settings.staged) {
        // Entries in build output (`.next/server` is tree-severity) are the bundle check's.
        let bundles: Vec<String> = super::bundle_dirs(settings)
            .iter()
            .map(|d| super::display_path(base, d))
            .collect();
        let own = super::Baseline::new(
            baseline.path.clone(),
            baseline
                .entries
                .iter()
                .filter(|e| {
                    !bundles
                        .iter()
                        .any(|d| super::location_under(&e.location, d))
                        && scanned_location(&settings.paths, base, &e.location)
                })
                .cloned()
                .collect(),
        );
        findings.extend(super::unused_baseline_findings(
            &META,
            &own,
            Exposure::Tree,
            &used.borrow(),
        ));
    }
    if findings.is_empty() {
        let what = if settings.staged {
            "staged files"
        } else {
            "files"
        };
        findings.push(
            Finding::pass(
                &META,
                Subject::Target,
                format!("no secrets in {files} {what}"),
            )
            .evidence("scanned", format!("{files} files, {bytes} bytes"))
            .evidence("rules", rules::RULES.len().to_string()),
        );
    }
    findings
}

/// Whether a baseline location (`path:line:col`, shown relative to `base`) lies under one of
/// the scanned `paths`; an entry outside them was not looked for, so it cannot be called unused.
fn scanned_location(paths: &[PathBuf], base: &Path, location: &str) -> bool {
    paths.iter().any(|p| {
        p.strip_prefix(base)
            .is_ok_and(|rel| rel.as_os_str().is_empty())
            || super::location_under(location, &super::display_path(base, p))
    })
}

/// Bytes of a file read to decide whether a secret-bearing name holds a secret.
const HEAD_BYTES: u64 = 64 * 1024;

/// The first [`HEAD_BYTES`] of a file, if it can be read.
fn read_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// One inconclusive finding for the files that could not be read: they were not scanned, and
/// no pass may claim they were.
fn unreadable_finding(unreadable: &[String]) -> Finding {
    Finding::inconclusive(
        &META,
        Subject::Target,
        match unreadable.len() {
            1 => "1 file could not be read and was not scanned".to_string(),
            n => format!("{n} files could not be read and were not scanned"),
        },
    )
    .severity(Severity::Medium)
    .evidence("unreadable", super::first_few(unreadable))
    .remediation("make the files readable by the user running launchready, then scan again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_location_matches_whole_path_components() {
        let base = Path::new("/repo");
        let paths = [PathBuf::from("/repo/src"), PathBuf::from("/repo/.env")];
        assert!(scanned_location(&paths, base, "src/a.rs:1:1"));
        assert!(scanned_location(&paths, base, ".env:2:5"));
        assert!(!scanned_location(&paths, base, "srcx/a.rs:1:1"));
        assert!(!scanned_location(&paths, base, "lib/a.rs:1:1"));
        assert!(scanned_location(
            &[PathBuf::from("/repo")],
            base,
            "lib/a.rs:1:1"
        ));
        assert!(scanned_location(
            &[PathBuf::from("/elsewhere")],
            base,
            "/elsewhere/k:1:1"
        ));
    }
}
