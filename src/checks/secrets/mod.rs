//! Secret scanning: the engine, its rules, where it reads (working tree, git history, build
//! output, the live site's scripts) and the four checks built on them.
//!
//! Shared here: severity by exposure, fingerprints, the baseline, and turning a hit into a
//! redacted finding. The scanned repository's own scanner configuration (`.gitleaks.toml`,
//! `.secrets.baseline`…) is never read: only our `[secrets]` section and our baseline decide.

pub mod baseline;
pub mod bundle;
pub mod engine;
pub mod history;
pub mod live;
pub mod rules;
pub mod sources;
pub mod tree;

use std::path::{Path, PathBuf};

use crate::check::{Acceptance, CheckMeta, Confidence, Finding, Severity, Subject};
use crate::config::SecretsSettings;

pub use baseline::Baseline;
use engine::Hit;
use rules::Class;

/// Where a secret was found; it sets the severity together with the secret's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// A file of the working tree (or what is staged).
    Tree,
    /// Only in the git history.
    History,
    /// Build output that ships to browsers.
    Bundle,
    /// Served by the live site.
    Live,
}

impl Exposure {
    /// The name used in the baseline and evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Tree => "tree",
            Exposure::History => "history",
            Exposure::Bundle => "bundle",
            Exposure::Live => "live",
        }
    }
}

/// Severity of a secret of `class` found at `exposure` (CHECKS.md "Severity by exposure"): a key
/// that shipped to browsers or lives on in history is exposed beyond the team and must be rotated,
/// so it is critical; in the working tree it is still fixable before it spreads.
pub fn severity(class: Class, exposure: Exposure) -> Severity {
    let public = matches!(
        exposure,
        Exposure::Bundle | Exposure::Live | Exposure::History
    );
    match class {
        Class::Public => Severity::Info,
        Class::Test => Severity::Low,
        Class::Generic if public => Severity::High,
        Class::Generic => Severity::Medium,
        Class::Sensitive if public => Severity::Critical,
        Class::Sensitive => Severity::High,
        Class::Live => Severity::Critical,
    }
}

/// The content fingerprint the baseline keys on: sha256 of the rule id, a NUL, and the secret.
pub fn fingerprint(rule: &str, secret: &str) -> String {
    let mut input = Vec::with_capacity(rule.len() + secret.len() + 1);
    input.extend_from_slice(rule.as_bytes());
    input.push(0);
    input.extend_from_slice(secret.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The bundle directories to scan: configured, or `dist`, `build`, `.next`, `out` under each path
/// when present.
pub fn bundle_dirs(settings: &SecretsSettings) -> Vec<PathBuf> {
    match &settings.bundles {
        Some(dirs) => dirs.clone(),
        None => settings
            .paths
            .iter()
            .filter(|p| p.is_dir())
            .flat_map(|p| ["dist", "build", ".next", "out"].map(|d| p.join(d)))
            .filter(|d| d.is_dir())
            .collect(),
    }
}

/// A path shown relative to `root` when it lies under it.
pub fn display_path(root: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let text = shown.display().to_string();
    if text.is_empty() {
        path.display().to_string()
    } else {
        text
    }
}

/// Items an inconclusive finding lists at most before it says how many more there are.
pub const SHOWN_ITEMS: usize = 5;

/// The first [`SHOWN_ITEMS`] of `items`, comma-separated, then ` and N more` for the rest.
pub fn first_few(items: &[String]) -> String {
    let mut list = items
        .iter()
        .take(SHOWN_ITEMS)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN_ITEMS {
        list.push_str(&format!(" and {} more", items.len() - SHOWN_ITEMS));
    }
    list
}

/// Whether a shown location (`path:line:col`) lies at or under the shown path `place`, by whole
/// path components: `dist` holds `dist/app.js:1:1` and `dist:3:1`, not `distribution/a.js:1:1`.
pub fn location_under(location: &str, place: &str) -> bool {
    location
        .strip_prefix(place.trim_end_matches('/'))
        .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(':'))
}

/// Turns a hit into a failed, redacted finding; a baseline match marks it accepted.
pub fn finding(
    meta: &'static CheckMeta,
    hit: &Hit,
    subject: Subject,
    exposure: Exposure,
    baseline: Option<&Baseline>,
) -> Finding {
    let class = hit.accepted.class;
    let severity = severity(class, exposure);
    let confidence = if hit.accepted.proven {
        Confidence::High
    } else if class == Class::Generic {
        Confidence::Low
    } else {
        Confidence::Medium
    };
    let place = match exposure {
        Exposure::Tree => "in the working tree",
        Exposure::History => "only in git history",
        Exposure::Bundle => "in build output that ships to browsers",
        Exposure::Live => "served by the live site",
    };
    let encoded = hit
        .encoding
        .map(|e| format!(" ({e}-encoded)"))
        .unwrap_or_default();
    let public_note = if class == Class::Public {
        " — public by design, does not block launch"
    } else {
        ""
    };
    let print = fingerprint(hit.rule.id, &hit.secret);
    let mut f = Finding::fail(
        meta,
        subject,
        format!(
            "{}{encoded} {place}: rule {}{public_note}",
            hit.rule.title, hit.rule.id
        ),
    )
    .severity(severity)
    .confidence(confidence)
    .evidence("rule", hit.rule.id)
    .secret("secret", &hit.secret)
    .evidence("fingerprint", print.clone())
    .evidence("exposure", exposure.as_str());
    if let Some(note) = &hit.accepted.note {
        f = f.evidence("detail", note.clone());
    }
    f = f.remediation(match (class, exposure) {
        (Class::Public, _) => "public by design: make sure it is restricted (allowed origins, referrers, scopes) at the provider".to_string(),
        (_, Exposure::History) => format!(
            "rotate: still in history. Revoke this {} at its provider now; rewriting history (git filter-repo) only helps after rotation",
            hit.rule.title
        ),
        (_, Exposure::Bundle | Exposure::Live) => format!(
            "rotate the {} at its provider, then move the call behind your server: anything in a browser bundle is public",
            hit.rule.title
        ),
        _ => format!(
            "rotate the {} at its provider, remove it from the file and load it from the environment or a secret manager",
            hit.rule.title
        ),
    });
    if let Some(baseline) = baseline
        && baseline.contains(&print)
    {
        f.accepted = Some(Acceptance {
            reason: format!("fingerprint in baseline {}", baseline.path.display()),
            until: None,
            expired: false,
        });
    }
    f
}

/// A finding for a baseline entry of this source that no current match used.
pub fn unused_baseline_findings(
    meta: &'static CheckMeta,
    baseline: &Baseline,
    exposure: Exposure,
    used: &std::collections::BTreeSet<String>,
) -> Vec<Finding> {
    baseline
        .entries
        .iter()
        .filter(|e| e.source == exposure.as_str() && !used.contains(&e.fingerprint))
        .map(|e| {
            Finding::inconclusive(
                meta,
                Subject::file(baseline.path.display().to_string(), None, None),
                format!(
                    "baseline entry {} ({} at {}) matches nothing any more: remove it",
                    &e.fingerprint[..e.fingerprint.len().min(16)],
                    e.rule,
                    e.location
                ),
            )
            .severity(Severity::Low)
        })
        .collect()
}

/// Loads the configured baseline, or says why it could not be read.
pub fn load_baseline(settings: &SecretsSettings) -> Result<Option<Baseline>, String> {
    match &settings.baseline {
        Some(path) => Baseline::load(path).map(Some),
        None => Ok(None),
    }
}

/// A secret-bearing file by name (`.env`, `id_rsa`, `*.tfstate`…).
pub fn secret_file_finding(
    meta: &'static CheckMeta,
    path: &str,
    baseline: Option<&Baseline>,
) -> Finding {
    let print = fingerprint(rules::SECRET_FILE_RULE, path);
    let mut f = Finding::fail(
        meta,
        Subject::file(path, None, None),
        format!("secret-bearing file `{path}` is committed: rule {}", rules::SECRET_FILE_RULE),
    )
    .severity(Severity::High)
    .confidence(Confidence::Medium)
    .evidence("rule", rules::SECRET_FILE_RULE)
    .evidence("fingerprint", print.clone())
    .evidence("exposure", Exposure::Tree.as_str())
    .remediation("remove the file from the repository (git rm --cached), add it to .gitignore, and rotate what it held");
    if let Some(baseline) = baseline
        && baseline.contains(&print)
    {
        f.accepted = Some(Acceptance {
            reason: format!("fingerprint in baseline {}", baseline.path.display()),
            until: None,
            expired: false,
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_few_lists_five_then_counts_the_rest() {
        let items: Vec<String> = (1..=7).map(|i| format!("f{i}")).collect();
        assert_eq!(first_few(&items[..1]), "f1");
        assert_eq!(first_few(&items[..5]), "f1, f2, f3, f4, f5");
        assert_eq!(first_few(&items), "f1, f2, f3, f4, f5 and 2 more");
    }

    #[test]
    fn location_under_matches_whole_path_components() {
        assert!(location_under("dist/app.js:1:1", "dist"));
        assert!(location_under("dist/app.js:1:1", "dist/"));
        assert!(location_under("dist/broken.js:3:1", "dist/broken.js"));
        assert!(location_under(
            ".next/server/app/page.js:1:9",
            ".next/server"
        ));
        assert!(!location_under("distribution/a.js:1:1", "dist"));
        assert!(!location_under(".next/serverless/a.js:1:1", ".next/server"));
    }

    #[test]
    fn exposure_raises_severity() {
        assert_eq!(severity(Class::Sensitive, Exposure::Tree), Severity::High);
        assert_eq!(
            severity(Class::Sensitive, Exposure::Live),
            Severity::Critical
        );
        assert_eq!(severity(Class::Live, Exposure::History), Severity::Critical);
        assert_eq!(
            severity(Class::Sensitive, Exposure::History),
            Severity::Critical
        );
        assert_eq!(severity(Class::Generic, Exposure::History), Severity::High);
        assert_eq!(severity(Class::Public, Exposure::Live), Severity::Info);
        assert_eq!(severity(Class::Test, Exposure::Bundle), Severity::Low);
    }

    #[test]
    fn fingerprints_depend_on_rule_and_secret() {
        let a = fingerprint("stripe-secret-key", "abc");
        assert_eq!(a.len(), 64);
        assert_ne!(a, fingerprint("generic-secret", "abc"));
        assert_ne!(a, fingerprint("stripe-secret-key", "abd"));
    }
}
