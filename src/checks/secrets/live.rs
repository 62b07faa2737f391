//! `secrets-live`: the scripts the live site serves (same-origin `<script src>` on the home page,
//! inline scripts, and their source maps) carry no secret, and no source map with the original
//! sources is public.
//!
//! Reference: OWASP ASVS V14.3.1 (no sensitive data in client-side code); OWASP WSTG-INFO-05
//! (review webpage content for information leakage).

use std::collections::BTreeSet;

use base64::Engine as _;
use url::Url;

use super::{Exposure, engine, sources};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::HttpRequest;
use crate::net::http::{HttpResponse, Route, RouteEnd};

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

/// Body cap for the page, its scripts and their maps, unless `max-body-bytes` is larger: bundles
/// of several MB are common, and the default cap would cut them.
pub const SCRIPT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Builds the check when `[secrets] live = true`.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.secrets {
        Some(s) if s.live => Ok(Box::new(SecretsLive {
            page: target.base_url.clone(),
            cap: SCRIPT_MAX_BYTES.max(target.http.max_body_bytes),
        })),
        _ => Err(Skip::because(
            "live scanning is off: set live = true in [secrets] to crawl the site's scripts",
        )),
    }
}

struct SecretsLive {
    page: Url,
    cap: usize,
}

/// A successful response, or what the route ended on.
fn fetched(route: Route) -> Result<HttpResponse, String> {
    let described = route.describe();
    match route.end {
        RouteEnd::Final(r) if r.status.is_success() => Ok(*r),
        _ => Err(described),
    }
}

#[async_trait::async_trait]
impl Check for SecretsLive {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let get = |url: &Url| HttpRequest::get(url.clone()).max_body_bytes(self.cap);
        let page = match fetched(ctx.net.http.walk(get(&self.page)).await) {
            Ok(page) => page,
            Err(route) => {
                return vec![
                    Finding::error(
                        &META,
                        Subject::url(self.page.as_str()),
                        "the home page did not answer 2xx",
                    )
                    .evidence("route", route),
                ];
            }
        };
        let page_url = page.url.clone();
        let scripts = script_urls(&page.text(), &page_url);
        let mut findings = Vec::new();
        let mut cut = Vec::new();
        if page.truncated {
            cut.push(page_url.to_string());
        }
        findings.extend(scan_document(page_url.clone(), page.body).await);
        let mut unreachable = Vec::new();
        let mut maps_seen = BTreeSet::new();
        for script in scripts.iter().take(MAX_SCRIPTS) {
            let response = match fetched(ctx.net.http.walk(get(script)).await) {
                Ok(r) => r,
                Err(route) => {
                    unreachable.push(route);
                    continue;
                }
            };
            if response.truncated {
                cut.push(script.to_string());
            }
            let declared = source_map_url(
                &response.body,
                response
                    .header("sourcemap")
                    .or_else(|| response.header("x-sourcemap")),
                script,
            );
            if let Some(sources) = map_comment(&response.body)
                .and_then(|c| decode_data_url(&c.url))
                .and_then(|map| sources::source_map_sources(&map))
                .filter(|s| !s.is_empty())
            {
                findings.push(public_map(
                    script,
                    script,
                    format!(
                        "script carries an inline source map with {} original sources in sourcesContent",
                        sources.len()
                    ),
                ));
            }
            findings.extend(scan_document(script.clone(), response.body).await);
            let guessed = Url::parse(&format!("{script}.map")).ok();
            for map in declared.into_iter().chain(guessed) {
                if !maps_seen.insert(map.to_string()) || !same_origin(&map, &page_url) {
                    continue;
                }
                let Ok(response) = fetched(ctx.net.http.walk(get(&map)).await) else {
                    continue;
                };
                if response.truncated {
                    cut.push(map.to_string());
                }
                let body = response.body;
                let scanned = scan_blocking(map.clone(), move || {
                    let sources = sources::source_map_sources(&body)?;
                    let count = sources.len();
                    let hits = sources::scan_maybe_map(engine::shared(), ".map", &body);
                    Some((count, hits))
                })
                .await;
                let (count, hits) = match scanned {
                    Ok(Some(scanned)) => scanned,
                    Ok(None) => continue,
                    Err(crashed) => {
                        findings.push(crashed);
                        continue;
                    }
                };
                findings.push(public_map(
                    &map,
                    script,
                    format!("source map is public with {count} original sources in sourcesContent"),
                ));
                for (source, hit) in hits {
                    let place = match source {
                        Some(s) => format!("{map} ({s})"),
                        None => map.to_string(),
                    };
                    findings.push(super::finding(
                        &META,
                        &hit,
                        Subject::file(place, Some(hit.line), Some(hit.column)),
                        Exposure::Live,
                        None,
                    ));
                }
            }
        }
        if !cut.is_empty() {
            findings.push(
                listed(
                    cut.first().map_or(page_url.as_str(), String::as_str),
                    &cut,
                    format!(
                        "only the first {} bytes of {} were scanned: the rest is over the body cap",
                        self.cap,
                        cut.first().map_or("", String::as_str)
                    ),
                )
                .evidence("cap", format!("{} bytes", self.cap))
                .remediation("raise [http] max-body-bytes (up to 64 MiB) or scan the build output with secrets-bundle"),
            );
        }
        if !unreachable.is_empty() {
            findings.push(
                listed(
                    page_url.as_str(),
                    &unreachable,
                    format!(
                        "{} of {} same-origin scripts could not be fetched and were not scanned",
                        unreachable.len(),
                        scripts.len().min(MAX_SCRIPTS)
                    ),
                )
                .remediation("check that the page's scripts are served, then scan again"),
            );
        }
        if scripts.len() > MAX_SCRIPTS {
            let rest: Vec<String> = scripts[MAX_SCRIPTS..].iter().map(Url::to_string).collect();
            findings.push(listed(
                page_url.as_str(),
                &rest,
                format!(
                    "{} more same-origin scripts were not fetched (limit {MAX_SCRIPTS} per page)",
                    rest.len()
                ),
            ));
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

/// A public source map (a `.map` file, or inline when `map` is the script) with its original
/// sources.
fn public_map(map: &Url, script: &Url, message: String) -> Finding {
    let remediation = if map == script {
        "build without inline source maps (or strip sourcesContent): the script itself hands out the original sources"
    } else {
        "do not deploy .map files (or strip sourcesContent and serve them only to your error tracker)"
    };
    Finding::fail(&META, Subject::url(map.as_str()), message)
        .severity(Severity::Medium)
        .evidence("script", script.as_str())
        .remediation(remediation)
}

/// An inconclusive finding about `subject` for what was not scanned, the first few `items`
/// listed as evidence.
fn listed(subject: &str, items: &[String], message: String) -> Finding {
    Finding::inconclusive(&META, Subject::url(subject), message)
        .severity(Severity::High)
        .evidence("not scanned", super::first_few(items))
}

/// Runs a scan on the blocking pool: megabytes of script do not stall the runtime, and a crash
/// becomes an error finding without its panic text (which can quote the input).
async fn scan_blocking<T: Send + 'static>(
    url: Url,
    scan: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Finding> {
    tokio::task::spawn_blocking(scan).await.map_err(|_| {
        Finding::error(
            &META,
            Subject::url(url.as_str()),
            "scanning this document failed: internal error (this is a launchready bug)",
        )
    })
}

/// The page or a script, scanned with its inline source map decoded (never its `mappings`).
async fn scan_document(url: Url, body: Vec<u8>) -> Vec<Finding> {
    let name = url.path().to_string();
    let hits = match scan_blocking(url.clone(), move || {
        sources::scan_maybe_map(engine::shared(), &name, &body)
    })
    .await
    {
        Ok(hits) => hits,
        Err(crashed) => return vec![crashed],
    };
    hits.iter()
        .map(|(source, hit)| {
            let place = match source {
                Some(s) => format!("{url} ({s})"),
                None => url.to_string(),
            };
            super::finding(
                &META,
                hit,
                Subject::file(place, Some(hit.line), Some(hit.column)),
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

/// A script's `//# sourceMappingURL=` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapComment {
    /// Where the URL sits in the script, in bytes.
    pub at: std::ops::Range<usize>,
    /// The URL as written: relative, absolute or a `data:` URL.
    pub url: String,
}

/// The script's last `sourceMappingURL` comment (`//# `, `//@ `, `/*# … */`), read on bytes so
/// any input is safe; `None` when there is none or its URL is not text.
pub fn map_comment(script: &[u8]) -> Option<MapComment> {
    const KEY: &[u8] = b"sourceMappingURL=";
    let at = memchr::memmem::rfind(script, KEY)?;
    let (mark, opener) = script[..at].trim_ascii_end().split_last()?;
    if !matches!(*mark, b'#' | b'@') || !(opener.ends_with(b"//") || opener.ends_with(b"/*")) {
        return None;
    }
    let start = at + KEY.len();
    let len = script[start..]
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(script.len() - start);
    let mut url = std::str::from_utf8(&script[start..start + len]).ok()?;
    url = url.strip_suffix("*/").unwrap_or(url);
    (!url.is_empty()).then(|| MapComment {
        at: start..start + url.len(),
        url: url.to_string(),
    })
}

/// The payload of a `data:` URL: base64 (`;base64,`) or percent-encoded; `None` when it is not
/// a data URL or does not decode.
pub fn decode_data_url(url: &str) -> Option<Vec<u8>> {
    if !url.get(..5)?.eq_ignore_ascii_case("data:") {
        return None;
    }
    let (meta, payload) = url[5..].split_once(',')?;
    let bytes = percent_decode(payload.as_bytes());
    if !meta.to_ascii_lowercase().ends_with(";base64") {
        return Some(bytes);
    }
    let cleaned: Vec<u8> = bytes
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let engines = [
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|e| e.decode(&cleaned).ok())
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let pair = input
            .get(i + 1..i + 3)
            .and_then(|p| Some(hex(p[0])? * 16 + hex(p[1])?));
        match (input[i], pair) {
            (b'%', Some(byte)) => {
                out.push(byte as u8);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The script's declared source map URL (a `SourceMap` header, else its comment), resolved
/// against the script; inline `data:` maps are scanned with the script itself, not fetched.
fn source_map_url(script: &[u8], header: Option<&str>, base: &Url) -> Option<Url> {
    let declared = match header {
        Some(h) => h.to_string(),
        None => map_comment(script)?.url,
    };
    if declared
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
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
        let url = source_map_url(b"x();\n//# sourceMappingURL=app.js.map\n", None, &base).unwrap();
        assert_eq!(url.as_str(), "https://acme.test/static/app.js.map");
    }

    #[test]
    fn map_comments_are_read_on_bytes_whatever_the_tail() {
        let base = Url::parse("https://acme.test/static/app.js").unwrap();
        // 2048 bytes before the end falls inside a two-byte character.
        let tail = format!("x();\n//{}\n", "é".repeat(2000));
        assert_eq!(source_map_url(tail.as_bytes(), None, &base), None);
        let declared = format!(
            "x(\"{}\");\n//# sourceMappingURL=app.js.map\n",
            "é".repeat(2000)
        );
        assert_eq!(
            source_map_url(declared.as_bytes(), None, &base)
                .unwrap()
                .as_str(),
            "https://acme.test/static/app.js.map"
        );
        let invalid = b"x();\n/*# sourceMappingURL=\xff\xfe.map */";
        assert_eq!(map_comment(invalid), None);
        let block = b"x();\n/*# sourceMappingURL=a.map*/";
        assert_eq!(map_comment(block).unwrap().url, "a.map");
        assert_eq!(map_comment(b"var s = 'sourceMappingURL=a.map';"), None);
    }

    #[test]
    fn data_urls_decode_in_base64_and_percent_forms() {
        let json = r#"{"version":3,"sourcesContent":["é"]}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(json);
        let script = format!(
            "x();\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,{b64}\n"
        );
        let comment = map_comment(script.as_bytes()).unwrap();
        assert_eq!(&script[comment.at.clone()], comment.url);
        assert_eq!(decode_data_url(&comment.url).unwrap(), json.as_bytes());
        assert_eq!(
            decode_data_url("data:application/json,%7B%22a%22%3A1%7D%zz").unwrap(),
            b"{\"a\":1}%zz"
        );
        assert_eq!(
            source_map_url(
                script.as_bytes(),
                None,
                &Url::parse("https://a.test/").unwrap()
            ),
            None
        );
        assert_eq!(decode_data_url("https://a.test/x.map"), None);
        assert_eq!(decode_data_url("data:application/json;base64,@@@@"), None);
    }
}
