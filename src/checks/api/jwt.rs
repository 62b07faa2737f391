//! `jwt`: the tokens the identities receive are signed with a strong key, expire, and live at most
//! a day; with `--active`, a forged `alg: none` token is refused.
//!
//! Reference: RFC 8725 (JSON Web Token Best Current Practices) §3.1–3.5; RFC 7519 §4.1.4 (`exp`);
//! OWASP API Security Top 10 2023, API2 (Broken Authentication).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Target};
use crate::net::HttpRequest;

use super::token::{self, Jwt};
use super::{
    Caller, GARBAGE_TOKEN, has_params, method_of, sample_url, send, with_forged_credential,
};

/// Metadata of the `jwt` check.
pub static META: CheckMeta = CheckMeta {
    id: "jwt",
    title: "JWTs are strongly signed and expire",
    category: Category::Api,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "A JWT signed with a guessable key, or accepted unsigned, lets anyone mint a token for any user or role; a token without expiry stays valid forever once stolen.",
    breaks: "Account takeover of every user, admin included, without a password; stolen tokens cannot be revoked by waiting.",
    remediation: "Sign with a random key of at least 256 bits (or an asymmetric key), pin the accepted algorithm on the verifier, refuse `none`, and issue tokens with `exp` of at most a few hours.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc8725",
        "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4",
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
    ],
};

/// HS256 keys tried offline: defaults from tutorials, frameworks and leaked-secret lists.
pub const WORDLIST: &[&str] = &[
    "secret",
    "Secret",
    "SECRET",
    "secret123",
    "secretkey",
    "secret-key",
    "secret_key",
    "mysecret",
    "my-secret",
    "my_secret",
    "supersecret",
    "super-secret",
    "topsecret",
    "s3cr3t",
    "password",
    "Password",
    "password1",
    "password123",
    "passw0rd",
    "changeme",
    "change-me",
    "changeit",
    "default",
    "key",
    "jwt",
    "jwtsecret",
    "jwt-secret",
    "jwt_secret",
    "JWT_SECRET",
    "jwtkey",
    "jwt-key",
    "token",
    "tokensecret",
    "auth",
    "authsecret",
    "your-256-bit-secret",
    "your_jwt_secret",
    "your-secret-key",
    "yoursecret",
    "shhhhh",
    "shhhhhhared-secret",
    "keyboard cat",
    "test",
    "testing",
    "testsecret",
    "dev",
    "development",
    "devsecret",
    "prod",
    "production",
    "admin",
    "administrator",
    "root",
    "qwerty",
    "letmein",
    "welcome",
    "123456",
    "12345678",
    "1234567890",
    "abc123",
    "hello",
    "hellojwt",
    "api",
    "apikey",
    "app",
    "appsecret",
    "app-secret",
    "node",
    "express",
    "django-insecure",
    "laravel",
    "rails",
    "spring",
    "flask",
    "example",
    "sample",
    "demo",
    "private",
    "privatekey",
    "signingkey",
    "signing-key",
    "hmac",
    "hs256",
    "HS256",
    "gopher",
    "golang",
    "1234",
    "0000",
    "null",
    "undefined",
    "none",
];

/// Lifetimes above this are flagged.
const MAX_LIFETIME_SECS: i64 = 24 * 3600;

/// Builds the check when at least one identity is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    if target.identities.is_empty() {
        return Err(Skip::because(
            "no [[identities]]: the check reads the tokens they receive",
        ));
    }
    Ok(Box::new(JwtCheck {
        identities: target.identities.iter().map(|i| i.name.clone()).collect(),
        endpoints: target.endpoints.clone(),
    }))
}

struct JwtCheck {
    identities: Vec<String>,
    endpoints: Vec<Endpoint>,
}

/// The HS256 key from the wordlist that verifies the token, if any.
pub fn crack(jwt: &Jwt) -> Option<&'static str> {
    if jwt.alg() != "HS256" {
        return None;
    }
    WORDLIST
        .iter()
        .copied()
        .find(|word| jwt.verifies_hs256(word.as_bytes()))
}

/// Findings on the token's own claims: missing `exp` (M), lifetime over a day (L).
pub fn lifetime_problem(jwt: &Jwt, now: i64) -> Option<(Severity, String)> {
    match jwt.numeric("exp") {
        None => Some((
            Severity::Medium,
            "the token has no `exp` claim: it never expires".into(),
        )),
        Some(exp) => {
            let issued = jwt.numeric("iat").unwrap_or(now);
            let lifetime = exp.saturating_sub(issued);
            (lifetime > MAX_LIFETIME_SECS).then(|| {
                (
                    Severity::Low,
                    format!(
                        "the token lives {} h (exp - iat), more than 24 h",
                        lifetime / 3600
                    ),
                )
            })
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[async_trait::async_trait]
impl Check for JwtCheck {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for name in &self.identities {
            let subject = Subject::Target;
            let token = match ctx.net.sessions.token(&ctx.net.http, name).await {
                Ok(token) => token,
                Err(error) => {
                    findings.push(
                        Finding::error(
                            &META,
                            subject,
                            format!("cannot obtain {name}'s token: {error}"),
                        )
                        .severity(Severity::Medium),
                    );
                    continue;
                }
            };
            let Some(jwt) = Jwt::parse(token.expose()) else {
                findings.push(Finding::pass(
                    &META,
                    subject,
                    format!("{name}'s credential is not a JWT; nothing to decode"),
                ));
                continue;
            };
            let mut problems = Vec::new();
            if let Some(word) = crack(&jwt) {
                problems.push(
                    Finding::fail(
                        &META,
                        subject.clone(),
                        format!("{name}'s token is HS256-signed with a key from the built-in wordlist: anyone can forge tokens"),
                    )
                    .secret("signing key", word)
                    .evidence("header", jwt.header.to_string())
                    .remediation("rotate to a random key of 32+ bytes from a secret store, and invalidate all issued tokens"),
                );
            }
            if let Some((severity, message)) = lifetime_problem(&jwt, now()) {
                problems.push(
                    Finding::fail(&META, subject.clone(), format!("{name}: {message}"))
                        .severity(severity)
                        .evidence("claims", claim_names(&jwt))
                        .remediation(
                            "issue access tokens with `exp` a few hours out and refresh them",
                        ),
                );
            }
            if ctx.active {
                problems.extend(self.forge_none(ctx, name, &jwt).await);
            }
            if problems.is_empty() {
                problems.push(
                    Finding::pass(
                        &META,
                        subject,
                        format!(
                            "{name}'s {} token resists the wordlist and expires within 24 h{}",
                            jwt.alg(),
                            if ctx.active {
                                "; alg=none is refused"
                            } else {
                                " (alg=none forging runs with --active)"
                            }
                        ),
                    )
                    .evidence("claims", claim_names(&jwt)),
                );
            }
            findings.extend(problems);
        }
        findings
    }
}

/// The claim names, never their values.
fn claim_names(jwt: &Jwt) -> String {
    jwt.claims
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

impl JwtCheck {
    /// A protected GET endpoint without placeholders to replay forged tokens on: the identity's
    /// own first, else any endpoint some identity calls.
    fn probe_endpoint(&self, identity: &str) -> Option<&Endpoint> {
        let candidates = || {
            self.endpoints.iter().filter(|e| {
                e.auth == AuthRequirement::Required
                    && e.identity.is_some()
                    && method_of(e) == reqwest::Method::GET
                    && !has_params(&e.url)
            })
        };
        candidates()
            .find(|e| e.identity.as_deref() == Some(identity))
            .or_else(|| candidates().next())
    }

    /// Replays a forged `alg: none` token with the identity's claims, carried the way the
    /// identity carries its real credential. It proves something only when the real token works
    /// on that endpoint and a garbage token does not; otherwise the result is inconclusive.
    async fn forge_none(&self, ctx: &Context, name: &str, jwt: &Jwt) -> Vec<Finding> {
        let Some(endpoint) = self.probe_endpoint(name) else {
            return vec![Finding::inconclusive(
                &META,
                Subject::Target,
                format!("no protected GET endpoint of {name} without placeholders to replay a forged alg=none token on"),
            )
            .severity(Severity::Medium)];
        };
        let Some(url) = sample_url(endpoint) else {
            return vec![
                Finding::inconclusive(
                    &META,
                    Subject::endpoint("GET", endpoint.url.clone()),
                    format!(
                        "`{}` is not a URL, so no forged alg=none token was replayed for {name}",
                        endpoint.url
                    ),
                )
                .severity(Severity::Medium),
            ];
        };
        let subject = Subject::endpoint("GET", url.as_str());
        let genuine = send(ctx, HttpRequest::get(url.clone()), Caller::Identity(name)).await;
        if !genuine.status().is_some_and(|s| (200..300).contains(&s)) {
            return vec![genuine.attach(
                Finding::inconclusive(
                    &META,
                    subject,
                    format!("{name}'s own token does not succeed on this endpoint ({}), so a refused forgery would prove nothing", genuine.summary()),
                )
                .severity(Severity::Medium),
                "genuine token",
            )];
        }
        let forged_request = |token: &str| {
            with_forged_credential(ctx, Some(name), token, HttpRequest::get(url.clone()))
        };
        let garbage = send(ctx, forged_request(GARBAGE_TOKEN), Caller::Anonymous).await;
        if garbage.status().is_some_and(|s| (200..300).contains(&s)) {
            return vec![garbage.attach(
                Finding::inconclusive(&META, subject, "the endpoint accepts a garbage token too, so a forged one proves nothing here")
                    .severity(Severity::Medium),
                "garbage token",
            )];
        }
        let forged = token::encode_none(&jwt.claims);
        let exchange = send(ctx, forged_request(&forged), Caller::Anonymous).await;
        match exchange.status() {
            Some(status) if (200..300).contains(&status) => vec![exchange.attach(
                Finding::fail(
                    &META,
                    subject,
                    format!("an unsigned alg=none token with {name}'s claims is accepted ({status}): anyone can impersonate any user"),
                )
                .evidence("forged header", r#"{"alg":"none","typ":"JWT"}"#)
                .remediation("pin the verifier to the one algorithm you sign with and refuse `none`"),
                "forged",
            )],
            Some(_) => Vec::new(),
            None => vec![exchange.attach(
                Finding::error(&META, subject, "no answer to the forged-token request").severity(Severity::Medium),
                "forged",
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_keys_are_cracked_random_ones_are_not() {
        let claims = serde_json::json!({"sub": "a"});
        let weak = Jwt::parse(&token::encode_hs256(&claims, b"secret")).unwrap();
        assert_eq!(crack(&weak), Some("secret"));
        let strong = Jwt::parse(&token::encode_hs256(
            &claims,
            b"f3a9c0d1e2b4a5968778695a4b3c2d1e",
        ))
        .unwrap();
        assert_eq!(crack(&strong), None);
        let none = Jwt::parse(&token::encode_none(&claims)).unwrap();
        assert_eq!(crack(&none), None);
    }

    #[test]
    fn missing_exp_is_medium_long_lifetimes_low() {
        let no_exp =
            Jwt::parse(&token::encode_hs256(&serde_json::json!({"iat": 0}), b"k")).unwrap();
        assert_eq!(
            lifetime_problem(&no_exp, 0).map(|p| p.0),
            Some(Severity::Medium)
        );
        let week = Jwt::parse(&token::encode_hs256(
            &serde_json::json!({"iat": 0, "exp": 7 * 86400}),
            b"k",
        ))
        .unwrap();
        assert_eq!(lifetime_problem(&week, 0).map(|p| p.0), Some(Severity::Low));
        let hour = Jwt::parse(&token::encode_hs256(
            &serde_json::json!({"iat": 0, "exp": 3600}),
            b"k",
        ))
        .unwrap();
        assert_eq!(lifetime_problem(&hour, 0), None);
    }

    #[test]
    fn extreme_claims_do_not_overflow() {
        let hostile = Jwt::parse(&token::encode_hs256(
            &serde_json::json!({"iat": i64::MIN, "exp": i64::MAX}),
            b"k",
        ))
        .unwrap();
        assert_eq!(
            lifetime_problem(&hostile, 0).map(|p| p.0),
            Some(Severity::Low)
        );
        let backwards = Jwt::parse(&token::encode_hs256(
            &serde_json::json!({"iat": i64::MAX, "exp": i64::MIN}),
            b"k",
        ))
        .unwrap();
        assert_eq!(lifetime_problem(&backwards, 0), None);
    }

    #[test]
    fn fractional_numeric_dates_count_as_exp() {
        let fractional = Jwt::parse(&token::encode_hs256(
            &serde_json::json!({"iat": 1_700_000_000.25, "exp": 1_700_003_600.5}),
            b"k",
        ))
        .unwrap();
        assert_eq!(lifetime_problem(&fractional, 1_700_000_000), None);
    }
}
