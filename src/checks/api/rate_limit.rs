//! `rate-limit` (active): a bounded burst of failed logins for a dummy account, then of password
//! reset requests, meets a 429, a Retry-After or a lockout message; and the login answers an
//! unknown user exactly as it answers a wrong password (no user enumeration).
//!
//! Reference: OWASP API Security Top 10 2023, API4 (Unrestricted Resource Consumption) and API2
//! (Broken Authentication); OWASP WSTG-IDNT-04 (account enumeration), WSTG-ATHN-03 (lockout).

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Credential, LoginBody, RateLimitSettings, Target};
use crate::net::{HttpRequest, HttpResponse};

use super::{Caller, Exchange, random_token, send};

/// Metadata of the `rate-limit` check.
pub static META: CheckMeta = CheckMeta {
    id: "rate-limit",
    title: "Login and reset are rate limited; no user enumeration",
    category: Category::Api,
    default_severity: Severity::High,
    mode: Mode::Active,
    why: "Without a limit on failed logins, credential stuffing and password guessing run at full speed; distinct error messages tell attackers which emails have accounts.",
    breaks: "Accounts fall to password spraying, reset emails flood users, and a list of customers' emails leaks.",
    remediation: "Limit failed logins and reset requests per account and per IP (answer 429 with Retry-After, or lock out temporarily), and answer every failed login with the same status and message.",
    references: &[
        "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/03-Identity_Management_Testing/04-Testing_for_Account_Enumeration_and_Guessable_User_Account",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling",
    ],
};

static LOCKOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)too many|rate.?limit|locked|lockout|try again later|temporarily (blocked|disabled)|slow down|captcha")
        .expect("valid pattern")
});

/// Builds the check when `[rate-limit]` names a login endpoint.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let Some(settings) = target.rate_limit.clone() else {
        return Err(Skip::because(
            "no [rate-limit] section: set login-path to burst-test the login",
        ));
    };
    let Some(login) = settings.login_url.clone() else {
        return Err(Skip::because("[rate-limit] has no login-path"));
    };
    let known_user = target.identities.iter().find_map(|i| match &i.credential {
        Credential::Login(l) if l.url == login => match &l.body {
            LoginBody::Json(fields) | LoginBody::Form(fields) => fields
                .get(&settings.username_field)
                .map(|v| v.value().to_string()),
            LoginBody::None => None,
        },
        _ => None,
    });
    Ok(Box::new(RateLimit {
        settings,
        login,
        known_user,
        apex: target.apex(),
    }))
}

struct RateLimit {
    settings: RateLimitSettings,
    login: Url,
    known_user: Option<String>,
    apex: String,
}

/// True when the response shows a limit: 429, Retry-After, or a lockout message in the body.
pub fn limited(response: &HttpResponse) -> bool {
    response.status.as_u16() == 429
        || response.header("retry-after").is_some()
        || LOCKOUT.is_match(&response.text())
}

/// Two failed-login answers tell users apart when status or body (with the user name removed)
/// differ.
pub fn enumerates(unknown: (u16, &str, &str), known: (u16, &str, &str)) -> bool {
    let normal = |(status, body, user): (u16, &str, &str)| (status, body.replace(user, "<user>"));
    normal(unknown) != normal(known)
}

#[async_trait::async_trait]
impl Check for RateLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let dummy = format!("launchready-{}@{}", random_token(), self.apex);
        let mut findings = Vec::new();
        let first = self.attempt(ctx, &self.login, &dummy, true).await;
        if let Some(finding) = self.enumeration(ctx, &first, &dummy).await {
            findings.push(finding);
        }
        findings.push(
            self.burst(ctx, &self.login, "login", &dummy, true, Some(first))
                .await,
        );
        if let Some(reset) = self.settings.reset_url.clone() {
            findings.push(
                self.burst(ctx, &reset, "password reset", &dummy, false, None)
                    .await,
            );
        }
        findings
    }
}

impl RateLimit {
    async fn attempt(&self, ctx: &Context, url: &Url, user: &str, with_password: bool) -> Exchange {
        let mut body = serde_json::Map::new();
        body.insert(self.settings.username_field.clone(), user.into());
        if with_password {
            body.insert(
                self.settings.password_field.clone(),
                format!("wrong-{}", random_token()).into(),
            );
        }
        let request = HttpRequest::new(reqwest::Method::POST, url.clone())
            .json(&serde_json::Value::Object(body));
        send(ctx, request, Caller::Anonymous).await
    }

    async fn enumeration(&self, ctx: &Context, unknown: &Exchange, dummy: &str) -> Option<Finding> {
        let user = self.known_user.as_deref()?;
        let known = self.attempt(ctx, &self.login, user, true).await;
        let (u, k) = (unknown.response()?, known.response()?);
        let subject = Subject::endpoint("POST", self.login.as_str());
        let (u_text, k_text) = (u.text(), k.text());
        if enumerates(
            (u.status.as_u16(), &u_text, dummy),
            (k.status.as_u16(), &k_text, user),
        ) {
            Some(known.attach(
                unknown.attach(
                    Finding::fail(
                        &META,
                        subject,
                        format!(
                            "the login tells unknown users ({}) from wrong passwords ({}): account emails can be enumerated",
                            u.status.as_u16(),
                            k.status.as_u16()
                        ),
                    )
                    .severity(Severity::Medium)
                    .remediation("answer every failed login with the same status and message, e.g. \"invalid email or password\""),
                    "unknown user",
                ),
                "wrong password",
            ))
        } else {
            Some(Finding::pass(
                &META,
                subject,
                format!(
                    "unknown users and wrong passwords get the same {} answer",
                    k.status.as_u16()
                ),
            ))
        }
    }

    async fn burst(
        &self,
        ctx: &Context,
        url: &Url,
        what: &str,
        dummy: &str,
        with_password: bool,
        first: Option<Exchange>,
    ) -> Finding {
        let subject = Subject::endpoint("POST", url.as_str());
        let burst = self.settings.burst;
        let mut last: Option<Exchange> = None;
        let mut pending = first;
        for n in 1..=burst {
            let exchange = match pending.take() {
                Some(e) => e,
                None => self.attempt(ctx, url, dummy, with_password).await,
            };
            let Some(response) = exchange.response() else {
                return exchange.attach(
                    Finding::error(
                        &META,
                        subject,
                        format!("{what} attempt {n} of {burst} got no answer"),
                    )
                    .severity(Severity::Medium),
                    "attempt",
                );
            };
            if limited(response) {
                let status = response.status.as_u16();
                return exchange.attach(
                    Finding::pass(
                        &META,
                        subject,
                        format!("the {what} is limited after {n} attempts (answer {status})"),
                    ),
                    "limited attempt",
                );
            }
            last = Some(exchange);
        }
        let finding = Finding::fail(
            &META,
            subject,
            format!("{burst} {what} attempts for one account in a burst met no 429, Retry-After or lockout message"),
        )
        .evidence("dummy account", dummy.to_string());
        match last {
            Some(exchange) => exchange.attach(finding, "last attempt"),
            None => finding,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
    use std::time::Duration;

    fn response(status: u16, headers: HeaderMap, body: &str) -> HttpResponse {
        HttpResponse {
            url: Url::parse("https://acme.test/api/login").unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
            truncated: false,
            time_to_headers: Duration::ZERO,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn limits_are_seen_in_status_header_or_body() {
        assert!(limited(&response(429, HeaderMap::new(), "")));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        assert!(limited(&response(503, headers, "")));
        assert!(limited(&response(
            200,
            HeaderMap::new(),
            r#"{"error":"Account locked for 15 minutes"}"#
        )));
        assert!(!limited(&response(
            200,
            HeaderMap::new(),
            r#"{"ok":false,"error":"invalid email or password"}"#
        )));
        assert!(!limited(&response(401, HeaderMap::new(), "wrong password")));
    }

    #[test]
    fn distinct_failures_enumerate_users() {
        assert!(enumerates(
            (401, "no account with that email", "x@a"),
            (401, "wrong password", "bob@a")
        ));
        assert!(enumerates(
            (404, "invalid", "x@a"),
            (401, "invalid", "bob@a")
        ));
        assert!(!enumerates(
            (200, "invalid email or password", "x@a"),
            (200, "invalid email or password", "bob@a")
        ));
        assert!(!enumerates(
            (401, "no login for x@a", "x@a"),
            (401, "no login for bob@a", "bob@a")
        ));
    }
}
