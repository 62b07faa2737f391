//! `mixed-content`: HTTPS pages load no subresource over plain `http:`: scripts, stylesheets and
//! frames (active content, high) or images and icons (passive content, low). A small tag scanner
//! reads `src`/`href` of `script`, `link`, `img` and `iframe`.
//!
//! Reference: W3C Mixed Content (§3 active vs. optionally-blockable content); OWASP ASVS V9.1.

use regex::Regex;
use std::sync::LazyLock;

use super::{Page, Responses, home_pages};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip};
use crate::config::Target;
use crate::detect;

/// Metadata of the `mixed-content` check.
pub static META: CheckMeta = CheckMeta {
    id: "mixed-content",
    title: "HTTPS pages load nothing over plain HTTP",
    category: Category::Web,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "A script fetched over http: on an https page can be rewritten by anyone on the network path and then runs with the page's full authority; browsers block it, which breaks the page instead.",
    breaks: "Features that depend on the blocked script or stylesheet stop working in every modern browser, and on older ones the page can be taken over; http: images show a broken padlock.",
    remediation: "Load every subresource over https:// (or a same-origin path); add `Content-Security-Policy: upgrade-insecure-requests` as a safety net.",
    references: &[
        "https://www.w3.org/TR/mixed-content/",
        "https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content",
    ],
};

/// An opening tag of interest.
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<(script|link|img|iframe)\b([^>]*)>").expect("a valid pattern")
});

/// One attribute of a tag, quoted or not.
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
        .expect("a valid pattern")
});

/// Builds the check; it reads `https://host/` of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(MixedContent {
        hosts: target.hosts.clone(),
    }))
}

struct MixedContent {
    hosts: Vec<String>,
}

/// An `http:` subresource found in a page.
#[derive(Debug, PartialEq, Eq)]
struct Insecure {
    tag: String,
    url: String,
    active: bool,
    offset: usize,
}

/// Every `http:` subresource in `html`.
fn scan(html: &str) -> Vec<Insecure> {
    let mut found = Vec::new();
    for tag in TAG.captures_iter(html) {
        let name = tag[1].to_ascii_lowercase();
        let mut rel = String::new();
        let mut target = None;
        for attribute in ATTRIBUTE.captures_iter(&tag[2]) {
            let key = attribute[1].to_ascii_lowercase();
            let value = attribute
                .get(2)
                .or_else(|| attribute.get(3))
                .or_else(|| attribute.get(4))
                .map_or("", |m| m.as_str())
                .trim();
            match key.as_str() {
                "rel" => rel = value.to_ascii_lowercase(),
                "src" if name != "link" => target = Some(value.to_string()),
                "href" if name == "link" => target = Some(value.to_string()),
                _ => {}
            }
        }
        let Some(url) = target else { continue };
        if !url.to_ascii_lowercase().starts_with("http:") {
            continue;
        }
        let active = match name.as_str() {
            "script" | "iframe" => true,
            "link" => rel
                .split_whitespace()
                .any(|r| matches!(r, "stylesheet" | "preload" | "modulepreload")),
            _ => false,
        };
        let loads = name != "link"
            || rel.split_whitespace().any(|r| {
                matches!(
                    r,
                    "stylesheet" | "preload" | "modulepreload" | "icon" | "apple-touch-icon"
                )
            });
        if loads {
            found.push(Insecure {
                tag: name,
                url,
                active,
                offset: tag.get(0).map_or(0, |m| m.start()),
            });
        }
    }
    found
}

#[async_trait::async_trait]
impl Check for MixedContent {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let (pages, mut findings) = home_pages(ctx, &META, &self.hosts, Responses::Final).await;
        for page in &pages {
            findings.extend(judge(page));
        }
        findings
    }
}

fn is_html(page: &Page) -> bool {
    page.response
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
}

fn judge(page: &Page) -> Vec<Finding> {
    let url = page.response.url.as_str();
    if page.response.url.scheme() != "https" || !is_html(page) {
        let what = if page.response.url.scheme() != "https" {
            "is not served over HTTPS (see https-redirect)"
        } else {
            "is not HTML"
        };
        return vec![Finding::pass(
            &META,
            page.subject(),
            format!("{url} {what}; no subresources to judge"),
        )];
    }
    let html = page.response.text();
    let found = scan(&html);
    if found.is_empty() {
        let note = if page.response.truncated {
            " (body cut at the size cap)"
        } else {
            ""
        };
        return vec![Finding::pass(
            &META,
            page.subject(),
            format!("{url} loads no subresource over http:{note}"),
        )];
    }
    found
        .into_iter()
        .map(|item| {
            let (severity, kind) = if item.active {
                (
                    Severity::High,
                    "active content the browser blocks and an attacker on the path can rewrite",
                )
            } else {
                (Severity::Low, "passive content that breaks the padlock")
            };
            let https = item.url.replacen("http:", "https:", 1);
            Finding::fail(
                &META,
                page.subject(),
                format!(
                    "{url} loads <{}> {} over plain HTTP: {kind}",
                    item.tag, item.url
                ),
            )
            .severity(severity)
            .evidence("tag", detect::excerpt(&html, item.offset, item.offset))
            .remediation(format!("load it from {https} (or serve it same-origin)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_stylesheets_are_active_and_images_passive() {
        let html = r#"<script src="http://cdn.x/a.js"></script><link rel=stylesheet href='http://cdn.x/a.css'>
            <img alt="logo" SRC="http://cdn.x/l.png"><link rel="canonical" href="http://x/">
            <script src="https://cdn.x/ok.js"></script><img src="/local.png">"#;
        let found = scan(html);
        let summary: Vec<(&str, bool)> = found.iter().map(|f| (f.tag.as_str(), f.active)).collect();
        assert_eq!(summary, [("script", true), ("link", true), ("img", false)]);
        assert_eq!(found[2].url, "http://cdn.x/l.png");
    }

    #[test]
    fn a_clean_page_has_nothing() {
        assert!(
            scan("<p>http://plain.text/ in prose</p><a href=\"http://x/\">link</a>").is_empty()
        );
    }
}
