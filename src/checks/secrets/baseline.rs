//! The baseline: accepted secrets keyed by content fingerprint (sha256 of rule id + secret), never
//! by line number, so moving code around keeps them accepted and a changed secret does not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One accepted secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// sha256 hex of rule id, NUL, secret.
    pub fingerprint: String,
    /// The rule that matched.
    pub rule: String,
    /// Where it was found: `tree`, `history` or `bundle`.
    pub source: String,
    /// Where it was first seen, for people reading the file (never used for matching).
    pub location: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<BaselineEntry>,
}

/// A loaded baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file it came from.
    pub path: PathBuf,
    /// Its entries.
    pub entries: Vec<BaselineEntry>,
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a baseline file; a missing file is an empty baseline.
    pub fn load(path: &Path) -> Result<Self, String> {
        let entries = match std::fs::read(path) {
            Ok(bytes) => {
                let file: BaselineFile = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("{}: not a launchready baseline: {e}", path.display()))?;
                file.entries
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Baseline::new(path.to_path_buf(), entries))
    }

    /// A baseline from entries.
    pub fn new(path: PathBuf, entries: Vec<BaselineEntry>) -> Self {
        let fingerprints = entries.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            path,
            entries,
            fingerprints,
        }
    }

    /// True when the fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// The file's JSON text, entries sorted and deduplicated by fingerprint.
    pub fn to_json(entries: &[BaselineEntry]) -> String {
        let mut seen = BTreeSet::new();
        let mut sorted: Vec<BaselineEntry> = entries
            .iter()
            .filter(|e| seen.insert(e.fingerprint.clone()))
            .cloned()
            .collect();
        sorted.sort();
        let file = BaselineFile {
            version: 1,
            entries: sorted,
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_by_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let entry = BaselineEntry {
            fingerprint: "ab".repeat(32),
            rule: "generic-secret".into(),
            source: "tree".into(),
            location: "a.env:1:1".into(),
        };
        std::fs::write(&path, Baseline::to_json(&[entry.clone(), entry])).unwrap();
        let baseline = Baseline::load(&path).unwrap();
        assert_eq!(baseline.entries.len(), 1);
        assert!(baseline.contains(&"ab".repeat(32)));
        assert!(!baseline.contains(&"cd".repeat(32)));
        assert!(
            Baseline::load(&dir.path().join("missing.json"))
                .unwrap()
                .entries
                .is_empty()
        );
    }
}
