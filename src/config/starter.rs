//! The starter config written by `launchready init`, derived from the documented example.

use url::Url;

/// The documented example config (`checks.example.toml`).
pub const EXAMPLE: &str = include_str!("../../checks.example.toml");

/// Sections kept active in a starter; the rest are written commented out.
const ACTIVE: &[&str] = &["[target]", "[dns]", "[tls]", "[http]", "[uptime]"];

/// A commented starter config for `base_url`: the example with the sample host replaced and every
/// section that needs details (accounts, endpoints, email) commented out.
pub fn starter(base_url: &Url) -> String {
    let host = base_url.host_str().unwrap_or("example.com");
    let apex = host.strip_prefix("www.").unwrap_or(host);
    let origin = base_url.origin().ascii_serialization();
    let mut out = String::new();
    let mut active = true;
    for line in EXAMPLE.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            active = ACTIVE.contains(&trimmed);
        }
        let line = line
            .replace("https://acme.test", &origin)
            .replace("acme.test", apex)
            .replace("Acme portal", apex);
        let keep_as_is = active
            && !line.starts_with("extra-health")
            && !line.starts_with("status-page")
            && !line.starts_with("hosts =")
            && !line.starts_with("canonical-host");
        if keep_as_is || line.trim().is_empty() || line.starts_with('#') {
            out.push_str(&line);
        } else {
            out.push_str("# ");
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;

    #[test]
    fn the_example_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checks.toml");
        let env = BTreeMap::from([
            (
                "ACME_ALICE_PASSWORD".to_string(),
                "pw-alice-123".to_string(),
            ),
            ("ACME_BOB_TOKEN".to_string(), "tok-bob-456".to_string()),
        ]);
        let target = crate::config::parse(EXAMPLE, &path, &env).unwrap();
        assert_eq!(target.identities.len(), 2);
        assert_eq!(target.endpoints.len(), 2);
        assert_eq!(target.uptime.as_ref().unwrap().health.len(), 2);
    }

    #[test]
    fn starters_are_valid_and_name_the_host() {
        let url = Url::parse("https://shop.example.com").unwrap();
        let text = starter(&url);
        assert!(text.contains("base-url = \"https://shop.example.com\""));
        assert!(!text.contains("acme"));
        let target =
            crate::config::parse(&text, Path::new("checks.toml"), &BTreeMap::new()).unwrap();
        assert_eq!(target.hosts, vec!["shop.example.com"]);
        assert!(target.identities.is_empty());
        assert!(target.uptime.is_some());
    }
}
