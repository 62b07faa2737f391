//! `version-disclosure`: responses do not announce software versions in `Server`, `X-Powered-By`
//! or the other banner headers frameworks add.
//!
//! Reference: OWASP WSTG-INFO-02 (fingerprint web server); OWASP ASVS V14.3.3.

use regex::Regex;
use std::sync::LazyLock;

use super::{Page, Responses, home_pages};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip};
use crate::config::Target;

/// Metadata of the `version-disclosure` check.
pub static META: CheckMeta = CheckMeta {
    id: "version-disclosure",
    title: "Headers do not disclose software versions",
    category: Category::Web,
    default_severity: Severity::Low,
    mode: Mode::Passive,
    why: "A version banner tells scanners exactly which published vulnerabilities to try, and tells them the moment a patch is missed.",
    breaks: "Automated exploit kits pick the site out of mass scans as soon as a CVE for that version appears.",
    remediation: "Turn off version banners: nginx `server_tokens off`, Apache `ServerTokens Prod`, Express `app.disable('x-powered-by')`, and strip X-AspNet-Version and friends at the proxy.",
    references: &[
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Headers that carry product banners.
const BANNERS: &[&str] = &[
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime-version",
];

/// A version number: `1.18`, `4.17.1`, `/7`, `v2`.
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\d+\.\d+|/\s*v?\d+|\bv\d+)").expect("a valid pattern"));

/// Builds the check; it reads `https://host/` of every configured host.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.hosts.is_empty() {
        return Err(Skip::because("no hosts in [target]"));
    }
    Ok(Box::new(VersionDisclosure {
        hosts: target.hosts.clone(),
    }))
}

struct VersionDisclosure {
    hosts: Vec<String>,
}

#[async_trait::async_trait]
impl Check for VersionDisclosure {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let (pages, mut findings) = home_pages(ctx, &META, &self.hosts, Responses::Every).await;
        for page in &pages {
            findings.extend(judge(page));
        }
        findings
    }
}

fn judge(page: &Page) -> Vec<Finding> {
    let url = page.response.url.as_str();
    let mut findings = Vec::new();
    let mut shown = Vec::new();
    for name in BANNERS {
        for value in page.response.header_all(name) {
            shown.push(format!("{name}: {value}"));
            if VERSION.is_match(&value) {
                findings.push(
                    Finding::fail(
                        &META,
                        page.subject(),
                        format!("{url} discloses a software version in `{name}: {value}`"),
                    )
                    .evidence(name.to_string(), value.clone())
                    .remediation(format!(
                        "remove the version from the {name} header (or the header itself)"
                    )),
                );
            } else if *name != "server" {
                findings.push(
                    Finding::fail(
                        &META,
                        page.subject(),
                        format!("{url} names its framework in `{name}: {value}` (no version, but it narrows the attack)"),
                    )
                    .severity(Severity::Info)
                    .evidence(name.to_string(), value.clone())
                    .remediation(format!("drop the {name} header")),
                );
            }
        }
    }
    if findings.is_empty() {
        let seen = if shown.is_empty() {
            "no banner headers".to_string()
        } else {
            shown.join(", ")
        };
        findings.push(
            Finding::pass(
                &META,
                page.subject(),
                format!("{url} sends no version banner"),
            )
            .evidence("banners", seen),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::checks::domain::testing::response;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn page(headers: &[(&'static str, &'static str)]) -> Page {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        Page {
            route: "https://a.test/ → 200".into(),
            response: response("https://a.test/", 200, map),
        }
    }

    #[test]
    fn versions_fail_low_and_a_bare_framework_name_is_info() {
        let findings = judge(&page(&[
            ("server", "nginx/1.18.0"),
            ("x-powered-by", "Express"),
        ]));
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].severity, Severity::Low);
        assert_eq!(findings[0].evidence[0].value, "nginx/1.18.0");
        assert_eq!(findings[1].severity, Severity::Info);
        assert!(findings.iter().all(|f| f.status == Status::Fail));
    }

    #[test]
    fn a_product_name_alone_passes() {
        let findings = judge(&page(&[("server", "nginx")]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].status, Status::Pass);
        let findings = judge(&page(&[("x-aspnet-version", "4.0.30319")]));
        assert_eq!(findings[0].status, Status::Fail);
    }
}
