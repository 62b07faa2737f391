//! `exposed-files`: no host serves environment files, git metadata, backups, source maps or debug
//! and status pages. Each candidate needs its own content matcher, HTML bodies are rejected, and a
//! random-path baseline per host keeps soft-404 catch-alls quiet. Redirects are never followed.
//!
//! Reference: OWASP WSTG-CONF-04 (Review Old Backup and Unreferenced Files), WSTG-CONF-05
//! (Enumerate Infrastructure and Application Admin Interfaces); CWE-538.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::Target;
use crate::net::{HttpRequest, HttpResponse};

use super::{Caller, random_token, send};

/// Metadata of the `exposed-files` check.
pub static META: CheckMeta = CheckMeta {
    id: "exposed-files",
    title: "No environment, git, backup or debug files served",
    category: Category::Api,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "A served .env or .git directory hands over database passwords, API keys and the full source; bots request /.env on every new host within hours.",
    breaks: "Credentials leak and must all be rotated; the source and its history become public; debug pages reveal internals.",
    remediation: "Deploy only build output, deny dot-files at the web server (location ~ /\\. { deny all; }), remove backups and debug routes from production, and do not publish source maps.",
    references: &[
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
        "https://cwe.mitre.org/data/definitions/538.html",
    ],
};

/// What a served file must contain to count as exposed.
#[derive(Debug, Clone, Copy)]
enum Matcher {
    /// At least two `KEY=value` lines.
    EnvLines,
    /// A regular expression.
    Pattern(&'static str),
    /// Starts with these bytes.
    Magic(&'static [u8]),
}

/// One candidate path.
struct Candidate {
    path: &'static str,
    what: &'static str,
    matcher: Matcher,
    /// Pages that are HTML by nature (phpinfo, server-status) may be HTML.
    html_allowed: bool,
    severity: Severity,
}

const fn candidate(
    path: &'static str,
    what: &'static str,
    matcher: Matcher,
    html_allowed: bool,
    severity: Severity,
) -> Candidate {
    Candidate {
        path,
        what,
        matcher,
        html_allowed,
        severity,
    }
}

static CANDIDATES: &[Candidate] = &[
    candidate(
        "/.env",
        "environment file",
        Matcher::EnvLines,
        false,
        Severity::Critical,
    ),
    candidate(
        "/.env.local",
        "environment file",
        Matcher::EnvLines,
        false,
        Severity::Critical,
    ),
    candidate(
        "/.env.production",
        "environment file",
        Matcher::EnvLines,
        false,
        Severity::Critical,
    ),
    candidate(
        "/.env.backup",
        "environment file",
        Matcher::EnvLines,
        false,
        Severity::Critical,
    ),
    candidate(
        "/.git/config",
        "git configuration",
        Matcher::Pattern(r"(?m)^\[core\]"),
        false,
        Severity::Critical,
    ),
    candidate(
        "/.git/HEAD",
        "git HEAD",
        Matcher::Pattern(r"\A(ref: refs/|[0-9a-f]{40}\s*\z)"),
        false,
        Severity::Critical,
    ),
    candidate(
        "/server-status",
        "Apache server-status page",
        Matcher::Pattern(r"Apache Server Status"),
        true,
        Severity::Medium,
    ),
    candidate(
        "/actuator/env",
        "Spring actuator environment",
        Matcher::Pattern(r#""(propertySources|activeProfiles)""#),
        false,
        Severity::High,
    ),
    candidate(
        "/phpinfo.php",
        "phpinfo page",
        Matcher::Pattern(r"phpinfo\(\)|PHP Version \d"),
        true,
        Severity::Medium,
    ),
    candidate(
        "/backup.sql",
        "database dump",
        Matcher::Pattern(r"(?i)(CREATE TABLE|INSERT INTO|-- MySQL dump|PostgreSQL database dump)"),
        false,
        Severity::High,
    ),
    candidate(
        "/dump.sql",
        "database dump",
        Matcher::Pattern(r"(?i)(CREATE TABLE|INSERT INTO|-- MySQL dump|PostgreSQL database dump)"),
        false,
        Severity::High,
    ),
    candidate(
        "/backup.zip",
        "backup archive",
        Matcher::Magic(b"PK\x03\x04"),
        false,
        Severity::High,
    ),
    candidate(
        "/backup.tar.gz",
        "backup archive",
        Matcher::Magic(b"\x1f\x8b"),
        false,
        Severity::High,
    ),
    candidate(
        "/debug/vars",
        "Go expvar dump",
        Matcher::Pattern(r#""(cmdline|memstats)""#),
        false,
        Severity::Medium,
    ),
    candidate(
        "/debug/pprof/",
        "Go pprof index",
        Matcher::Pattern(r"Types of profiles available"),
        true,
        Severity::Medium,
    ),
];

static ENV_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:export\s+)?([A-Z][A-Z0-9_]{1,63})=").expect("valid pattern")
});
static SCRIPT_SRC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<script[^>]+src=["']([^"']+\.js)["']"#).expect("valid pattern"));

/// Builds the check for every host of the target.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let mut bases = Vec::new();
    for host in &target.hosts {
        let mut url = target.base_url.clone();
        if url.set_host(Some(host)).is_ok() {
            url.set_path("/");
            url.set_query(None);
            bases.push(url);
        }
    }
    if bases.is_empty() {
        return Err(Skip::because("no hosts to probe"));
    }
    Ok(Box::new(ExposedFiles { bases }))
}

struct ExposedFiles {
    bases: Vec<Url>,
}

/// Variable names of a `.env` body, at most eight, values never kept.
pub fn env_names(body: &str) -> Vec<String> {
    ENV_LINE
        .captures_iter(body)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .take(8)
        .collect()
}

/// True when the body looks like an HTML page.
pub fn is_html(response_type: Option<&str>, body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    response_type.is_some_and(|t| t.contains("text/html"))
        || head.trim_start().starts_with("<!doctype html")
        || head.contains("<html")
}

/// True when the response is the host's answer for any unknown path.
fn same_as_baseline(response: &HttpResponse, baseline: Option<&HttpResponse>) -> bool {
    baseline.is_some_and(|b| b.status == response.status && b.body == response.body)
}

/// Decides whether a response exposes the candidate: 2xx, not the soft-404 baseline, not HTML
/// (unless HTML is its nature), and the content matcher hits.
fn exposes(
    candidate: &Candidate,
    response: &HttpResponse,
    baseline: Option<&HttpResponse>,
) -> bool {
    if !response.status.is_success() || same_as_baseline(response, baseline) {
        return false;
    }
    if !candidate.html_allowed && is_html(response.header("content-type"), &response.body) {
        return false;
    }
    matches(candidate.matcher, &response.body)
}

fn matches(matcher: Matcher, body: &[u8]) -> bool {
    match matcher {
        Matcher::EnvLines => ENV_LINE.find_iter(&String::from_utf8_lossy(body)).count() >= 2,
        Matcher::Pattern(pattern) => Regex::new(pattern)
            .map(|re| re.is_match(&String::from_utf8_lossy(body)))
            .unwrap_or(false),
        Matcher::Magic(magic) => body.starts_with(magic),
    }
}

#[async_trait::async_trait]
impl Check for ExposedFiles {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for base in &self.bases {
            findings.extend(self.probe_host(ctx, base).await);
        }
        findings
    }
}

impl ExposedFiles {
    async fn probe_host(&self, ctx: &Context, base: &Url) -> Vec<Finding> {
        let host = base.host_str().unwrap_or_default().to_string();
        let mut findings = Vec::new();
        let Ok(baseline_url) = base.join(&format!("/launchready-{}.env", random_token())) else {
            return findings;
        };
        let baseline = send(ctx, HttpRequest::get(baseline_url), Caller::Anonymous).await;
        if let Err(error) = &baseline.result {
            return vec![
                Finding::error(
                    &META,
                    Subject::host(host),
                    format!("cannot reach the host: {error}"),
                )
                .severity(Severity::Medium)
                .evidence("request", baseline.curl.clone()),
            ];
        }
        let baseline = baseline.response();
        let mut probed = 0;
        let mut paths: Vec<(String, &Candidate)> =
            CANDIDATES.iter().map(|c| (c.path.to_string(), c)).collect();
        paths.extend(self.source_maps(ctx, base).await);
        for (path, candidate) in paths {
            let Ok(url) = base.join(&path) else {
                continue;
            };
            let exchange = send(ctx, HttpRequest::get(url.clone()), Caller::Anonymous).await;
            probed += 1;
            let Some(response) = exchange.response() else {
                continue;
            };
            if !exposes(candidate, response, baseline) {
                continue;
            }
            let mut finding = Finding::fail(
                &META,
                Subject::url(url.as_str()),
                format!(
                    "{host} serves its {} at {path} ({} bytes)",
                    candidate.what,
                    response.body.len()
                ),
            )
            .severity(candidate.severity)
            .evidence("request", exchange.curl.clone())
            .evidence("status", response.status.as_u16().to_string());
            finding = match candidate.matcher {
                Matcher::EnvLines => finding
                    .evidence("variables (values withheld)", env_names(&response.text()).join(", "))
                    .remediation("remove the file from the web root, deny dot-files at the server, and rotate every secret it held"),
                Matcher::Magic(_) => finding.remediation("delete the archive from the web root and keep backups off the serving host"),
                Matcher::Pattern(_) => finding
                    .evidence("excerpt", crate::detect::excerpt(&response.text(), 0, 0))
                    .remediation("deny this path at the web server or remove the route from production builds"),
            };
            findings.push(finding);
        }
        if findings.is_empty() {
            findings.push(Finding::pass(
                &META,
                Subject::host(host.clone()),
                format!("{host} serves none of the {probed} sensitive paths probed"),
            ));
        }
        findings
    }

    /// `<script src>.map` paths for the same-origin scripts of the host's home page.
    async fn source_maps(&self, ctx: &Context, base: &Url) -> Vec<(String, &'static Candidate)> {
        static SOURCE_MAP: Candidate = candidate(
            "",
            "JavaScript source map",
            Matcher::Pattern(r#""mappings"\s*:"#),
            false,
            Severity::Low,
        );
        let home = send(ctx, HttpRequest::get(base.clone()), Caller::Anonymous).await;
        let Some(response) = home.response() else {
            return Vec::new();
        };
        let text = response.text();
        SCRIPT_SRC
            .captures_iter(&text)
            .filter_map(|c| base.join(c.get(1)?.as_str()).ok())
            .filter(|u| u.origin() == base.origin())
            .take(5)
            .map(|u| (format!("{}.map", u.path()), &SOURCE_MAP))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
    use std::time::Duration;

    fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        HttpResponse {
            url: Url::parse("https://acme.test/x").unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
            truncated: false,
            time_to_headers: Duration::ZERO,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_served_env_file_is_exposed_and_its_names_listed() {
        let env = &CANDIDATES[0];
        let r = response(200, "text/plain", "DB_URL=postgres://x\nJWT_SECRET=abc\n");
        assert!(exposes(env, &r, None));
        assert_eq!(env_names(&r.text()), vec!["DB_URL", "JWT_SECRET"]);
    }

    #[test]
    fn soft_404_html_and_missing_matchers_stay_quiet() {
        let env = &CANDIDATES[0];
        let home = response(200, "text/html", "<!doctype html><h1>Welcome</h1>");
        assert!(!exposes(env, &home, Some(&home)));
        assert!(!exposes(env, &home, None), "HTML is rejected");
        let same = response(200, "text/plain", "A=1\nB=2\n");
        assert!(
            !exposes(env, &same, Some(&same)),
            "the baseline answer is a soft 404"
        );
        let prose = response(200, "text/plain", "nothing to see");
        assert!(!exposes(env, &prose, None), "no KEY=value lines");
        let missing = response(404, "text/plain", "A=1\nB=2\n");
        assert!(!exposes(env, &missing, None));
    }

    #[test]
    fn git_config_needs_its_core_section() {
        let git = CANDIDATES
            .iter()
            .find(|c| c.path == "/.git/config")
            .unwrap();
        assert!(exposes(
            git,
            &response(200, "text/plain", "[core]\n\tbare = false\n"),
            None
        ));
        assert!(!exposes(
            git,
            &response(200, "text/plain", "core stuff"),
            None
        ));
    }
}
