//! `secrets-history`: no secret lives on in the git history. Every commit on every ref is covered,
//! each unique blob scanned once; a secret that is no longer in HEAD is reported with the commit
//! that added it, because deleting a file does not un-leak it.
//!
//! Reference: OWASP ASVS V6.4 (secret management); CWE-798; GitHub docs "Removing sensitive data
//! from a repository" (rotate first).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::engine::Hit;
use super::{Exposure, sources};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{SecretsSettings, Target};

/// Metadata of the `secrets-history` check.
pub static META: CheckMeta = CheckMeta {
    id: "secrets-history",
    title: "No secrets left in git history",
    category: Category::Secrets,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "A key removed in a later commit is still in every clone, fork and backup of the repository; history is where scanners of leaked repositories look first.",
    breaks: "A key you believe is gone is still usable by anyone who cloned the repository.",
    remediation: "Rotate the key at its provider (that is the fix); then, if you must, rewrite history with git filter-repo and force-push, and ask forks to re-clone.",
    references: &[
        "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository",
        "https://cwe.mitre.org/data/definitions/798.html",
    ],
};

/// Builds the check when `[secrets]` is configured and a path is a git repository.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let Some(settings) = &target.secrets else {
        return Err(Skip::because("no [secrets] section"));
    };
    if settings.history == Some(false) {
        return Err(Skip::because("history = false in [secrets]"));
    }
    if settings.staged {
        return Err(Skip::because("--staged scans only what is staged"));
    }
    let mut repos: Vec<PathBuf> = settings
        .paths
        .iter()
        .filter_map(|p| sources::repo_root(if p.is_dir() { p } else { p.parent()? }))
        .collect();
    repos.sort();
    repos.dedup();
    if repos.is_empty() {
        return Err(Skip::because(
            "no [secrets] path is inside a git repository",
        ));
    }
    Ok(Box::new(SecretsHistory {
        settings: settings.clone(),
        repos,
    }))
}

struct SecretsHistory {
    settings: SecretsSettings,
    repos: Vec<PathBuf>,
}

#[async_trait::async_trait]
impl Check for SecretsHistory {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _ctx: &Context) -> Vec<Finding> {
        let (settings, repos) = (self.settings.clone(), self.repos.clone());
        tokio::task::spawn_blocking(move || {
            let baseline = match super::load_baseline(&settings) {
                Ok(b) => b,
                Err(e) => return vec![Finding::error(&META, Subject::Target, e)],
            };
            let mut findings = Vec::new();
            let mut used = BTreeSet::new();
            for repo in &repos {
                findings.extend(scan_repo(repo, baseline.as_ref(), &mut used));
            }
            if let Some(baseline) = &baseline {
                findings.extend(super::unused_baseline_findings(
                    &META,
                    baseline,
                    Exposure::History,
                    &used,
                ));
            }
            findings
        })
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

/// Scans every unique blob of the repository; returns findings for the secrets the working tree
/// no longer holds, each at the oldest commit that added it.
pub fn scan_repo(
    repo: &std::path::Path,
    baseline: Option<&super::Baseline>,
    used: &mut BTreeSet<String>,
) -> Vec<Finding> {
    let subject = || Subject::file(repo.display().to_string(), None, None);
    let history = match sources::history_blobs(repo) {
        Ok(v) => v,
        Err(e) => {
            return vec![Finding::error(
                &META,
                subject(),
                format!("cannot list the history: {e}"),
            )];
        }
    };
    let blobs = &history.blobs;
    let names = blobs.iter().map(|b| b.id.clone()).collect();
    let scanner = super::engine::shared();
    let scanned = match sources::scan_blobs(scanner, repo, names) {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::error(
                &META,
                subject(),
                format!("cannot read the history: {e}"),
            )];
        }
    };
    let current = sources::current_state(repo);
    let print = |hit: &Hit| super::fingerprint(hit.rule.id, &hit.secret);
    // What the working tree still holds is the tree check's to report.
    let mut in_tree: BTreeSet<String> = scanned
        .iter()
        .filter(|(i, _)| current.unchanged.contains(&blobs[*i].id))
        .flat_map(|(_, hits)| hits.iter().map(print))
        .collect();
    for result in super::engine::scan_files(scanner, current.changed.clone()) {
        if let Ok((hits, _)) = &result.outcome {
            in_tree.extend(hits.iter().map(print));
        }
    }
    // One finding per secret gone from the tree, at the first blob (in history order) holding it.
    let mut only_history: BTreeMap<String, (usize, Hit)> = BTreeMap::new();
    for (index, hits) in &scanned {
        for hit in hits {
            let print = print(hit);
            if !in_tree.contains(&print) {
                only_history.entry(print).or_insert((*index, hit.clone()));
            }
        }
    }
    let mut only_history: Vec<(String, (usize, Hit))> = only_history.into_iter().collect();
    only_history.sort_by_key(|(_, (index, hit))| (*index, hit.line, hit.column));
    let mut findings = Vec::new();
    for (print, (index, hit)) in &only_history {
        let blob = &blobs[*index];
        let subject = Subject::Commit {
            commit: blob.commit.clone(),
            path: blob.path.clone(),
            line: Some(hit.line),
            column: Some(hit.column),
        };
        let f = super::finding(&META, hit, subject, Exposure::History, baseline)
            .evidence("added in", blob.commit.clone())
            .evidence("blob", blob.id.clone());
        if f.accepted.is_some() {
            used.insert(print.clone());
        }
        findings.push(f);
    }
    // What the history holds but this scan could not read: reported so no pass claims it.
    let unread = |message: String, remediation: &str| {
        Finding::inconclusive(&META, subject(), message)
            .severity(Severity::Low)
            .remediation(remediation)
    };
    if history.oversized > 0 {
        findings.push(unread(
            format!(
                "{} blobs over {} MiB were not scanned",
                history.oversized,
                sources::MAX_BLOB_BYTES / (1024 * 1024)
            ),
            "large blobs are usually media or build artefacts; scan them with `launchready secrets` on a checkout if they may hold keys",
        ));
    }
    if history.missing > 0 {
        let one = history.missing == 1;
        findings.push(unread(
            format!(
                "{} blob{} named by the history {} not in this clone and {} not scanned",
                history.missing,
                crate::report::plural(history.missing as usize),
                if one { "is" } else { "are" },
                if one { "was" } else { "were" },
            ),
            "a partial clone lacks old objects; run the scan on a full clone (one made without `--filter`)",
        ));
    }
    if history.shallow {
        findings.push(unread(
            "the clone is shallow: commits older than its boundary were not scanned".to_string(),
            "run the scan on a full clone (`git fetch --unshallow`); in CI, check out with the full history (fetch-depth: 0)",
        ));
    }
    if only_history.is_empty() {
        findings.push(
            Finding::pass(
                &META,
                subject(),
                format!(
                    "no secret only in history: {} commits, {} unique blobs scanned",
                    history.commits,
                    blobs.len()
                ),
            )
            .evidence("commits", history.commits.to_string())
            .evidence("blobs", blobs.len().to_string()),
        );
    }
    findings
}
