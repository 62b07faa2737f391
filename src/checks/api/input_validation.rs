//! `input-validation` (active): write endpoints refuse malformed JSON, wrong types and overlong
//! fields with 4xx, and ignore or refuse privilege fields slipped into the body (mass assignment).
//!
//! Reference: OWASP API Security Top 10 2023, API3 (Broken Object Property Level Authorization,
//! mass assignment) and API8 (Security Misconfiguration); OWASP ASVS V5.1 (input validation).

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Endpoint, Target};
use crate::net::HttpRequest;

use super::{
    Caller, Exchange, method_of, not_probed, nothing_probed, sample_url, send, write_refusal,
};

/// Metadata of the `input-validation` check.
pub static META: CheckMeta = CheckMeta {
    id: "input-validation",
    title: "Write endpoints validate input and resist mass assignment",
    category: Category::Api,
    default_severity: Severity::Medium,
    mode: Mode::Active,
    why: "Endpoints that crash on bad input are fragile and leak internals; endpoints that bind every body field to the model let a user make themselves admin.",
    breaks: "A crafted request escalates privileges (role = admin) or takes the service down with a 500 per request.",
    remediation: "Validate bodies against a schema (types, lengths, no unknown fields) and answer 400/422; bind only an explicit allow-list of writable fields.",
    references: &[
        "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Privilege fields tried for mass assignment, with the value that would grant privilege.
const PRIVILEGE_FIELDS: &[(&str, &str)] = &[
    ("role", "\"admin\""),
    ("admin", "true"),
    ("is_admin", "true"),
    ("isAdmin", "true"),
];

/// Length of the overlong string field.
const OVERLONG: usize = 64 * 1024;

/// Builds the check for endpoints with a JSON object `body`; every probe is a write, so at least
/// one of them must be marked `disposable` with `[target] write-probes = true`.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let endpoints: Vec<Endpoint> = target
        .endpoints
        .iter()
        .filter(|e| {
            method_of(e) != reqwest::Method::GET && e.body.as_ref().is_some_and(|b| b.is_object())
        })
        .cloned()
        .collect();
    if endpoints.is_empty() {
        return Err(Skip::because(
            "no [[endpoints]] with a method other than GET and a JSON object `body`",
        ));
    }
    if !target.write_probes || !endpoints.iter().any(|e| e.disposable) {
        return Err(Skip::because(
            "the probes are writes (malformed, overlong and privilege-granting bodies): mark the write [[endpoints]] disposable = true and set [target] write-probes = true",
        ));
    }
    Ok(Box::new(InputValidation {
        endpoints,
        write_probes: target.write_probes,
    }))
}

struct InputValidation {
    endpoints: Vec<Endpoint>,
    write_probes: bool,
}

/// How an answer to invalid input is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// 400, 422 and the other validation 4xx: refused.
    Refused,
    /// 5xx: crashed.
    Crashed,
    /// 2xx/3xx: accepted input it should have refused.
    Accepted,
    /// 401, 403, 404, 405 or 429: an answer about the caller, the route or the rate, not about
    /// the input; it proves nothing about validation.
    Unrelated,
}

/// Judges the status of an answer to invalid input.
pub fn judge(status: u16) -> Handling {
    match status {
        401 | 403 | 404 | 405 | 429 => Handling::Unrelated,
        400..=499 => Handling::Refused,
        500..=599 => Handling::Crashed,
        _ => Handling::Accepted,
    }
}

/// The privilege fields of `response` that carry the injected value.
pub fn assigned(response: &serde_json::Value) -> Vec<&'static str> {
    PRIVILEGE_FIELDS
        .iter()
        .filter(|(name, value)| {
            let injected: serde_json::Value =
                serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
            find_key(response, name).is_some_and(|v| *v == injected)
        })
        .map(|(name, _)| *name)
        .collect()
}

fn find_key<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|v| find_key(v, key))),
        serde_json::Value::Array(items) => items.iter().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

/// The body with every scalar field given a value of another type.
pub fn wrong_types(body: &serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
    let swapped = body
        .iter()
        .map(|(k, v)| {
            let other = match v {
                serde_json::Value::String(_) => serde_json::json!(12345),
                serde_json::Value::Number(_) => serde_json::json!("launchready"),
                serde_json::Value::Bool(_) => serde_json::json!("yes"),
                _ => serde_json::json!(["launchready"]),
            };
            (k.clone(), other)
        })
        .collect();
    serde_json::Value::Object(swapped)
}

/// The privilege fields an answer shows with the injected values, when it is JSON.
fn privileges_in(exchange: &Exchange) -> Option<Vec<&'static str>> {
    let response = exchange.response().filter(|r| r.status.is_success())?;
    let json: serde_json::Value = serde_json::from_slice(&response.body).ok()?;
    Some(assigned(&json))
}

#[async_trait::async_trait]
impl Check for InputValidation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut probed = 0;
        for endpoint in &self.endpoints {
            if let Some(reason) = write_refusal(endpoint, ctx.active, self.write_probes) {
                findings.push(not_probed(&META, endpoint, &reason));
                continue;
            }
            probed += 1;
            findings.extend(self.probe(ctx, endpoint).await);
        }
        if probed == 0 {
            findings.push(nothing_probed(
                &META,
                "no write endpoint may be sent (see the rows above)",
            ));
        }
        findings
    }
}

impl InputValidation {
    async fn probe(&self, ctx: &Context, endpoint: &Endpoint) -> Vec<Finding> {
        let (Some(url), Some(serde_json::Value::Object(body))) =
            (sample_url(endpoint), &endpoint.body)
        else {
            return vec![Finding::error(
                &META,
                Subject::endpoint(endpoint.method.clone(), endpoint.url.clone()),
                format!("`{}`: `{}` is not a URL", endpoint.name, endpoint.url),
            )];
        };
        let method = method_of(endpoint);
        let subject = || Subject::endpoint(endpoint.method.clone(), url.as_str());
        let caller = match &endpoint.identity {
            Some(name) => Caller::Identity(name),
            None => Caller::Anonymous,
        };
        let base = || HttpRequest::new(method.clone(), url.clone());
        let control = send(
            ctx,
            base().json(&serde_json::Value::Object(body.clone())),
            caller,
        )
        .await;
        match control.status() {
            Some(status) if (200..300).contains(&status) => {}
            Some(status) => {
                return vec![control.attach(
                    Finding::inconclusive(
                        &META,
                        subject(),
                        format!(
                            "`{}` answers the configured valid body with {status}, so refusals of invalid input would prove nothing",
                            endpoint.name
                        ),
                    )
                    .severity(Severity::Medium)
                    .remediation("give the endpoint a `body` (and `identity`) that succeeds, so invalid variants of it can be judged"),
                    "valid body",
                )];
            }
            None => {
                return vec![control.attach(
                    Finding::error(
                        &META,
                        subject(),
                        format!("`{}` gave no answer to the valid body", endpoint.name),
                    ),
                    "valid body",
                )];
            }
        }
        let mut overlong = body.clone();
        for value in overlong.values_mut() {
            if value.is_string() {
                *value = serde_json::Value::String("A".repeat(OVERLONG));
            }
        }
        let cases: Vec<(&str, HttpRequest)> = vec![
            (
                "malformed JSON",
                base()
                    .header("content-type", "application/json")
                    .body(b"{\"launchready\": ".to_vec()),
            ),
            ("wrong types", base().json(&wrong_types(body))),
            (
                "a 64 KiB field",
                base().json(&serde_json::Value::Object(overlong)),
            ),
        ];
        let mut findings = Vec::new();
        let mut refused = Vec::new();
        for (case, request) in cases {
            let exchange = send(ctx, request, caller).await;
            let Some(status) = exchange.status() else {
                findings.push(exchange.attach(
                    Finding::error(&META, subject(), format!("no answer to {case}")),
                    case,
                ));
                continue;
            };
            match judge(status) {
                Handling::Refused => refused.push(format!("{case}: {status}")),
                Handling::Crashed => findings.push(exchange.attach(
                    Finding::fail(
                        &META,
                        subject(),
                        format!(
                            "`{}` crashes on {case} with {status} instead of answering 4xx",
                            endpoint.name
                        ),
                    ),
                    case,
                )),
                Handling::Accepted => findings.push(
                    exchange.attach(
                        Finding::fail(
                            &META,
                            subject(),
                            format!(
                                "`{}` accepts {case} with {status}; it should answer 400/422",
                                endpoint.name
                            ),
                        )
                        .severity(Severity::Low),
                        case,
                    ),
                ),
                Handling::Unrelated => findings.push(exchange.attach(
                    Finding::inconclusive(
                        &META,
                        subject(),
                        format!(
                            "`{}` answers {case} with {status}, which is about the caller, route or rate rather than the input (the valid body got {})",
                            endpoint.name,
                            control.status().unwrap_or_default()
                        ),
                    )
                    .severity(Severity::Medium),
                    case,
                )),
            }
        }
        findings.extend(
            self.mass_assignment(ctx, endpoint, body, caller, &control, &mut refused)
                .await,
        );
        if findings.is_empty() {
            findings.push(Finding::pass(
                &META,
                subject(),
                format!(
                    "`{}` refuses invalid input and privilege fields ({})",
                    endpoint.name,
                    refused.join(", ")
                ),
            ));
        }
        findings
    }

    /// Sends the body with privilege fields added. A field counts as assigned only when the
    /// answer (or a read-back) shows it and the baseline did not: the read-back before the write,
    /// else the valid write's own answer. Without a baseline the check cannot tell and says so.
    async fn mass_assignment(
        &self,
        ctx: &Context,
        endpoint: &Endpoint,
        body: &serde_json::Map<String, serde_json::Value>,
        caller: Caller<'_>,
        control: &Exchange,
        refused: &mut Vec<String>,
    ) -> Option<Finding> {
        let url = sample_url(endpoint)?;
        let subject = Subject::endpoint(endpoint.method.clone(), url.as_str());
        let mut injected = body.clone();
        for (name, value) in PRIVILEGE_FIELDS {
            injected.insert(
                (*name).to_string(),
                serde_json::from_str(value).unwrap_or(serde_json::Value::Null),
            );
        }
        let before = self.privileges_read_back(ctx, &url, caller).await;
        let baseline = before.clone().or_else(|| privileges_in(control));
        let request = HttpRequest::new(method_of(endpoint), url.clone())
            .json(&serde_json::Value::Object(injected));
        let exchange: Exchange = send(ctx, request, caller).await;
        let response = exchange.response()?;
        let status = response.status.as_u16();
        if !response.status.is_success() {
            refused.push(format!("privilege fields: {status}"));
            return None;
        }
        let echoed = privileges_in(&exchange).unwrap_or_default();
        let Some(baseline) = baseline else {
            return Some(exchange.attach(
                Finding::inconclusive(
                    &META,
                    subject,
                    format!(
                        "`{}` accepts privilege fields with {status}{}, but there is no baseline to compare with (no JSON read-back by GET and no JSON answer to the valid body)",
                        endpoint.name,
                        if echoed.is_empty() {
                            String::new()
                        } else {
                            format!(" and shows {}", echoed.join(", "))
                        }
                    ),
                )
                .severity(Severity::Medium),
                "mass assignment",
            ));
        };
        let mut fields: Vec<&'static str> = echoed
            .into_iter()
            .filter(|f| !baseline.contains(f))
            .collect();
        if fields.is_empty() && before.is_some() {
            let after = self.privileges_read_back(ctx, &url, caller).await;
            fields = applied(before.as_deref(), after.as_deref());
        }
        if fields.is_empty() {
            refused.push(format!("privilege fields ignored: {status}"));
            return None;
        }
        Some(exchange.attach(
            Finding::fail(
                &META,
                subject,
                format!("`{}` mass-assigns {} from the request body (echoed or read back, and not set before): a caller can grant itself privileges", endpoint.name, fields.join(", ")),
            )
            .severity(Severity::High)
            .evidence("baseline", if baseline.is_empty() { "no privilege field set".to_string() } else { baseline.join(", ") })
            .remediation("bind only an explicit allow-list of writable fields; refuse or ignore role and admin flags from clients"),
            "mass assignment",
        ))
    }
}

/// Privilege fields that a read-back shows after the write but did not show before it.
pub fn applied(
    before: Option<&[&'static str]>,
    after: Option<&[&'static str]>,
) -> Vec<&'static str> {
    match (before, after) {
        (Some(before), Some(after)) => after
            .iter()
            .filter(|f| !before.contains(f))
            .copied()
            .collect(),
        _ => Vec::new(),
    }
}

impl InputValidation {
    /// The privilege fields a GET of the same URL shows with the injected values, when it answers
    /// JSON.
    async fn privileges_read_back(
        &self,
        ctx: &Context,
        url: &url::Url,
        caller: Caller<'_>,
    ) -> Option<Vec<&'static str>> {
        privileges_in(&send(ctx, HttpRequest::get(url.clone()), caller).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_refused_crashed_accepted() {
        assert_eq!(judge(400), Handling::Refused);
        assert_eq!(judge(422), Handling::Refused);
        assert_eq!(judge(500), Handling::Crashed);
        assert_eq!(judge(200), Handling::Accepted);
    }

    #[test]
    fn answers_about_the_caller_route_or_rate_say_nothing_about_input() {
        for status in [401, 403, 404, 405, 429] {
            assert_eq!(judge(status), Handling::Unrelated, "{status}");
        }
        assert_eq!(judge(413), Handling::Refused);
        assert_eq!(judge(415), Handling::Refused);
    }

    #[test]
    fn echoed_privileges_count_as_assigned() {
        let echoed = serde_json::json!({"user": {"name": "a", "role": "admin"}});
        assert_eq!(assigned(&echoed), vec!["role"]);
        let ignored = serde_json::json!({"name": "a", "role": "member", "admin": false});
        assert!(assigned(&ignored).is_empty());
    }

    #[test]
    fn privileges_gained_by_the_write_count_as_applied() {
        assert_eq!(applied(Some(&[]), Some(&["role"])), vec!["role"]);
        assert!(
            applied(Some(&["role"]), Some(&["role"])).is_empty(),
            "already admin before"
        );
        assert!(
            applied(None, Some(&["role"])).is_empty(),
            "no baseline, no verdict"
        );
    }

    #[test]
    fn wrong_types_swap_every_scalar() {
        let body = serde_json::json!({"name": "x", "age": 3, "ok": true});
        let swapped = wrong_types(body.as_object().unwrap());
        assert_eq!(swapped["name"], 12345);
        assert_eq!(swapped["age"], "launchready");
        assert_eq!(swapped["ok"], "yes");
    }
}
