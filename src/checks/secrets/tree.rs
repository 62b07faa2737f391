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
        tokio::task::spawn_blocking(move || scan(&settings, &base))
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

/// Scans the configured paths (or the index when `staged`) and judges every hit.
pub fn scan(settings: &SecretsSettings, base: &Path) -> Vec<Finding> {
    let baseline = match super::load_baseline(settings) {
        Ok(b) => b,
        Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
    };
    let mut findings = Vec::new();
    let used = RefCell::new(BTreeSet::new());
    let judge = |findings: &mut Vec<Finding>, path: &str, hit: &Hit| {
        let f = super::finding(
            &META,
            hit,
            Subject::file(path, Some(hit.line), Some(hit.column)),
            Exposure::Tree,
            baseline.as_ref(),
        );
        if f.accepted.is_some() {
            used.borrow_mut()
                .insert(super::fingerprint(hit.rule.id, &hit.secret));
        }
        findings.push(f);
    };
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
            if rules::is_secret_file(path) {
                let f = super::secret_file_finding(&META, path, baseline.as_ref());
                if f.accepted.is_some() {
                    used.borrow_mut()
                        .insert(super::fingerprint(rules::SECRET_FILE_RULE, path));
                }
                findings.push(f);
            }
            if sources::looks_binary(&content) {
                return;
            }
            for hit in scanner.scan_bytes(&content).0 {
                judge(&mut findings, path, &hit);
            }
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
            if rules::is_secret_file(&shown) {
                let f = super::secret_file_finding(&META, &shown, baseline.as_ref());
                if f.accepted.is_some() {
                    used.borrow_mut()
                        .insert(super::fingerprint(rules::SECRET_FILE_RULE, &shown));
                }
                findings.push(f);
            }
            if let Ok((hits, stats)) = &result.outcome {
                bytes += stats.bytes;
                for hit in hits {
                    judge(&mut findings, &shown, hit);
                }
            }
        }
        (count, bytes)
    };
    if let Some(baseline) = &baseline {
        findings.extend(super::unused_baseline_findings(
            &META,
            baseline,
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
