//! The registry: one explicit, ordered table of every check. Order here is scorecard order.

use super::{Build, CheckMeta};
use crate::checks;

/// A registered check: its metadata and how to build it from a target.
#[derive(Clone, Copy)]
pub struct Entry {
    /// Static description.
    pub meta: &'static CheckMeta,
    /// Builds the check or says why it cannot run.
    pub build: Build,
}

/// Every check launchready ships, in scorecard order.
pub static CHECKS: &[Entry] = &[
    // Domain & redirects.
    // TLS.
    // Web hardening.
    // Email trust.
    // API security.
    // Secrets.
    Entry {
        meta: &checks::secrets::tree::META,
        build: checks::secrets::tree::build,
    },
    Entry {
        meta: &checks::secrets::history::META,
        build: checks::secrets::history::build,
    },
    Entry {
        meta: &checks::secrets::bundle::META,
        build: checks::secrets::bundle::build,
    },
    Entry {
        meta: &checks::secrets::live::META,
        build: checks::secrets::live::build,
    },
    // Operations.
    Entry {
        meta: &checks::uptime::META,
        build: checks::uptime::build,
    },
];

/// True when `id` names a registered check.
pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}

/// The entry with this id.
pub fn find(id: &str) -> Option<&'static Entry> {
    CHECKS.iter().find(|e| e.meta.id == id)
}

/// The check list as a Markdown table, grouped by area; the README embeds it and a test keeps it
/// current.
pub fn markdown_list() -> String {
    let mut out =
        String::from("| id | area | default severity | mode | verifies |\n|---|---|---|---|---|\n");
    for category in super::Category::ALL {
        for entry in CHECKS.iter().filter(|e| e.meta.category == category) {
            let m = entry.meta;
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                m.id,
                category.title(),
                m.default_severity.as_str(),
                m.mode,
                m.title
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = BTreeSet::new();
        for entry in CHECKS {
            let m = entry.meta;
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert!(
                !m.id.is_empty()
                    && m.id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !m.id.starts_with('-')
                    && !m.id.ends_with('-'),
                "{} is not kebab-case",
                m.id
            );
            for (what, text) in [
                ("title", m.title),
                ("why", m.why),
                ("breaks", m.breaks),
                ("remediation", m.remediation),
            ] {
                assert!(text.trim().len() >= 10, "{}: {what} is missing", m.id);
            }
            assert!(!m.references.is_empty(), "{}: no references", m.id);
        }
    }
}
