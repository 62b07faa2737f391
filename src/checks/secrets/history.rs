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

/// Scans every unique blob of the repository; returns findings for secrets absent from HEAD.
pub fn scan_repo(
    repo: &std::path::Path,
    baseline: Option<&super::Baseline>,
    used: &mut BTreeSet<String>,
) -> Vec<Finding> {
    let subject = || Subject::file(repo.display().to_string(), None, None);
    let (blobs, commits) = match sources::history_blobs(repo) {
        Ok(v) => v,
        Err(e) => {
            return vec![Finding::error(
                &META,
                subject(),
                format!("cannot list the history: {e}"),
            )];
        }
    };
    let names = blobs.iter().map(|b| b.id.clone()).collect();
    let scanned = match sources::scan_blobs(super::engine::shared(), repo, names) {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::error(
                &META,
                subject(),
                format!("cannot read the history: {e}"),
            )];
        }
    };
    let head = sources::head_blobs(repo);
    let in_head: BTreeSet<String> = scanned
        .iter()
        .filter(|(i, _)| head.contains(&blobs[*i].id))
        .flat_map(|(_, hits)| {
            hits.iter()
                .map(|h| super::fingerprint(h.rule.id, &h.secret))
        })
        .collect();
    // One finding per secret no longer in HEAD, at the first blob (in history order) holding it.
    let mut only_history: BTreeMap<String, (usize, Hit)> = BTreeMap::new();
    for (index, hits) in &scanned {
        if head.contains(&blobs[*index].id) {
            continue;
        }
        for hit in hits {
            let print = super::fingerprint(hit.rule.id, &hit.secret);
            if !in_head.contains(&print) {
                only_history.entry(print).or_insert((*index, hit.clone()));
            }
        }
    }
    let mut findings = Vec::new();
    for (print, (index, hit)) in &only_history {
        let blob = &blobs[*index];
        let commit = sources::commit_adding(repo, &blob.id).unwrap_or_else(|| blob.id.clone());
        let subject = Subject::Commit {
            commit: commit.clone(),
            path: blob.path.clone(),
            line: Some(hit.line),
            column: Some(hit.column),
        };
        let f = super::finding(&META, hit, subject, Exposure::History, baseline)
            .evidence("added in", commit)
            .evidence("blob", blob.id.clone());
        if f.accepted.is_some() {
            used.insert(print.clone());
        }
        findings.push(f);
    }
    if findings.is_empty() {
        findings.push(
            Finding::pass(
                &META,
                subject(),
                format!(
                    "no secret only in history: {commits} commits, {} unique blobs scanned",
                    blobs.len()
                ),
            )
            .evidence("commits", commits.to_string())
            .evidence("blobs", blobs.len().to_string()),
        );
    }
    findings
}
