//! `secrets-live`: the scripts the live site serves (same-origin `<script src>` on the home page,
//! inline scripts, and their source maps) carry no secret, and no source map with the original
//! sources is public.
//!
//! Reference: OWASP ASVS V14.3.1 (no sensitive data in client-side code); OWASP WSTG-INFO-05
//! (review webpage content for information leakage).

use std::collections::BTreeSet;

use url::Url;

use super::{Exposure, engine, sources};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::HttpRequest;

/// Metadata of the `secrets-live` check.
pub static META: CheckMeta = CheckMeta {
    id: "secrets-live",
    title: "No secrets in the JavaScript the live site serves",
    category: Category::Secrets,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "What the site serves is what attackers read: a key inlined into a deployed bundle or a public source map is exposed whatever the repository says.",
    breaks: "Anyone visiting the site can copy the key; a public source map hands out the original source code.",
    remediation: "Rotate exposed keys, keep server secrets out of client bundles, and stop publishing source maps (or upload them to your error tracker privately).",
    references: &[
        "https://owasp.org/www-project-application-security-verification-standard/",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/05-Review_Webpage_Content_for_Information_Leakage",
    ],
};

/// Most scripts fetched from one page.
const MAX_SCRIPTS: usize = 50;

/// Builds the check when `[secrets] live = true`.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.secrets {
        Some(s) if s.live => Ok(Box::new(SecretsLive {
            page: target.base_url.clone(),
        })),
        _ => Err(Skip::because(
            "live scanning is off: set live = true in [secrets] to crawl the site's scripts",
        )),
    }
}

struct SecretsLive {
    page: Url,
}

#[async_trait::async_trait]
impl Check for SecretsLive {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let route = ctx.net.http.walk(HttpRequest::get(self.page.clone())).await;
        let Some(page) = route.response().filter(|r| r.status.is_success()) else {
            return vec![
                Finding::error(
                    &META,
                    Subject::url(self.page.as_str()),
                    "the home page did not answer 2xx",
                )
                .evidence("route", route.describe()),
            ];
        };
        let html = page.text();
        let page_url = page.url.clone();
        let mut findings = scan_document(&page_url, "html", &page.body);
        let scripts = script_urls(&html, &page_url);
        let mut maps_seen = BTreeSet::new();
        for script in scripts.iter().take(MAX_SCRIPTS) {
            let route = ctx.net.http.walk(HttpRequest::get(script.clone())).await;
            let Some(response) = route.response().filter(|r| r.status.is_success()) else {
                continue;
            };
            findings.extend(scan_document(script, "script", &response.body));
            let text = String::from_utf8_lossy(&response.body);
            let declared = source_map_url(&text, response.header("sourcemap"), script);
            let guessed = Url::parse(&format!("{script}.map")).ok();
            for map in declared.into_iter().chain(guessed) {
                if !maps_seen.insert(map.to_string()) || !same_origin(&map, &page_url) {
                    continue;
                }
                let route = ctx.net.http.walk(HttpRequest::get(map.clone())).await;
                let Some(response) = route.response().filter(|r| r.status.is_success()) else {
                    continue;
                };
                let Some(sources) = sources::source_map_sources(&response.body) else {
                    continue;
                };
                findings.push(
                    Finding::fail(
                        &META,
                        Subject::url(map.as_str()),
                        format!(
                            "source map is public with {} original sources in sourcesContent",
                            sources.len()
                        ),
                    )
                    .severity(Severity::Medium)
                    .evidence("script", script.as_str())
                    .remediation("do not deploy .map files (or strip sourcesContent and serve them only to your error tracker)"),
                );
                for (name, content) in sources {
                    let place = format!("{map} (sourcesContent: {name})");
                    for hit in engine::shared().scan_bytes(content.as_bytes()).0 {
                        findings.push(super::finding(
                            &META,
                            &hit,
                            Subject::file(place.clone(), Some(hit.line), Some(hit.column)),
                            Exposure::Live,
                            None,
                        ));
                    }
                }
            }
        }
        if findings.is_empty() {
            findings.push(
                Finding::pass(
                    &META,
                    Subject::url(page_url.as_str()),
                    format!("no secrets in the page and its {} same-origin scripts; no public source map", scripts.len()),
                )
                .evidence("scripts", scripts.iter().map(Url::as_str).collect::<Vec<_>>().join(", ")),
            );
        }
        findings
    }
}

fn scan_document(url: &Url, _kind: &str, body: &[u8]) -> Vec<Finding> {
    engine::shared()
        .scan_bytes(body)
        .0
        .iter()
        .map(|hit| {
            super::finding(
                &META,
                hit,
                Subject::file(url.as_str(), Some(hit.line), Some(hit.column)),
                Exposure::Live,
                None,
            )
        })
        .collect()
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Same-origin `<script src>` URLs of the page, in order, without duplicates.
pub fn script_urls(html: &str, page: &Url) -> Vec<Url> {
    static SCRIPT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?is)<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)"#)
            .expect("script regex compiles")
    });
    let mut seen = BTreeSet::new();
    SCRIPT
        .captures_iter(html)
        .filter_map(|c| page.join(c.get(1)?.as_str()).ok())
        .filter(|u| same_origin(u, page))
        .filter(|u| seen.insert(u.to_string()))
        .collect()
}

/// The script's declared source map (`//# sourceMappingURL=` or a `SourceMap` header).
fn source_map_url(script: &str, header: Option<&str>, base: &Url) -> Option<Url> {
    let declared = header.map(str::to_string).or_else(|| {
        let tail = &script[script.len().saturating_sub(2048)..];
        let at = tail.rfind("sourceMappingURL=")?;
        let rest = &tail[at + "sourceMappingURL=".len()..];
        Some(
            rest.split_whitespace()
                .next()?
                .trim_end_matches("*/")
                .to_string(),
        )
    })?;
    if declared.starts_with("data:") {
        return None;
    }
    base.join(&declared).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_same_origin_scripts_only() {
        let page = Url::parse("https://acme.test/").unwrap();
        let html = r#"<script src="/static/app.js"></script><script src="https://cdn.other.test/x.js"></script><script src='/static/app.js'></script>"#;
        let urls = script_urls(html, &page);
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].as_str(), "https://acme.test/static/app.js");
    }

    #[test]
    fn reads_the_declared_source_map() {
        let base = Url::parse("https://acme.test/static/app.js").unwrap();
        let url = source_map_url("x();\n//# sourceMappingURL=app.js.map\n", None, &base).unwrap();
        assert_eq!(url.as_str(), "https://acme.test/static/app.js.map");
    }
}
