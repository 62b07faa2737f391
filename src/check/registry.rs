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
    Entry {
        meta: &checks::domain::dns_resolve::META,
        build: checks::domain::dns_resolve::build,
    },
    Entry {
        meta: &checks::domain::dns_dangling_cname::META,
        build: checks::domain::dns_dangling_cname::build,
    },
    Entry {
        meta: &checks::domain::https_redirect::META,
        build: checks::domain::https_redirect::build,
    },
    Entry {
        meta: &checks::domain::canonical_host::META,
        build: checks::domain::canonical_host::build,
    },
    Entry {
        meta: &checks::domain::redirect_map::META,
        build: checks::domain::redirect_map::build,
    },
    Entry {
        meta: &checks::caa::META,
        build: checks::caa::build,
    },
    // TLS.
    Entry {
        meta: &checks::tls::chain::META,
        build: checks::tls::chain::build,
    },
    Entry {
        meta: &checks::tls::hostname::META,
        build: checks::tls::hostname::build,
    },
    Entry {
        meta: &checks::tls::expiry::META,
        build: checks::tls::expiry::build,
    },
    Entry {
        meta: &checks::tls::versions::META,
        build: checks::tls::versions::build,
    },
    Entry {
        meta: &checks::tls::key::META,
        build: checks::tls::key::build,
    },
    Entry {
        meta: &checks::tls::hsts::META,
        build: checks::tls::hsts::build,
    },
    // Web hardening.
    Entry {
        meta: &checks::web::security_headers::META,
        build: checks::web::security_headers::build,
    },
    Entry {
        meta: &checks::web::cookie_flags::META,
        build: checks::web::cookie_flags::build,
    },
    Entry {
        meta: &checks::web::auth_cache::META,
        build: checks::web::auth_cache::build,
    },
    Entry {
        meta: &checks::web::version_disclosure::META,
        build: checks::web::version_disclosure::build,
    },
    Entry {
        meta: &checks::web::mixed_content::META,
        build: checks::web::mixed_content::build,
    },
    // Email trust.
    Entry {
        meta: &checks::email::spf::META,
        build: checks::email::spf::build,
    },
    Entry {
        meta: &checks::email::mx::META,
        build: checks::email::mx::build,
    },
    Entry {
        meta: &checks::email::dkim::META,
        build: checks::email::dkim::build,
    },
    Entry {
        meta: &checks::email::dmarc::META,
        build: checks::email::dmarc::build,
    },
    Entry {
        meta: &checks::email::mta_sts::META,
        build: checks::email::mta_sts::build,
    },
    Entry {
        meta: &checks::email::tls_rpt::META,
        build: checks::email::tls_rpt::build,
    },
    // API security.
    Entry {
        meta: &checks::api::auth_required::META,
        build: checks::api::auth_required::build,
    },
    Entry {
        meta: &checks::api::idor::META,
        build: checks::api::idor::build,
    },
    Entry {
        meta: &checks::api::cors::META,
        build: checks::api::cors::build,
    },
    Entry {
        meta: &checks::api::exposed_files::META,
        build: checks::api::exposed_files::build,
    },
    Entry {
        meta: &checks::api::error_leakage::META,
        build: checks::api::error_leakage::build,
    },
    Entry {
        meta: &checks::api::jwt::META,
        build: checks::api::jwt::build,
    },
    Entry {
        meta: &checks::api::input_validation::META,
        build: checks::api::input_validation::build,
    },
    Entry {
        meta: &checks::api::rate_limit::META,
        build: checks::api::rate_limit::build,
    },
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
    Entry {
        meta: &checks::latency::META,
        build: checks::latency::build,
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
