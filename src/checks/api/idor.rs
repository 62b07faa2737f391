//! `idor`: one tenant cannot read another tenant's objects. Each object owned by identity A is
//! replayed as B (another org) and anonymously, and B's list endpoints must not contain A's ids.
//!
//! Reference: OWASP API Security Top 10 2023, API1 (Broken Object Level Authorization). The
//! decision follows Autorize's "bypassed / enforced / is enforced???" verdicts, made explicit.

use std::collections::{BTreeMap, BTreeSet};

use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{Endpoint, Identity, Target};
use crate::net::HttpRequest;

use super::{Caller, Exchange, fill, harvest_ids, has_params, method_of, send};

/// Metadata of the `idor` check.
pub static META: CheckMeta = CheckMeta {
    id: "idor",
    title: "Objects of one org are hidden from another",
    category: Category::Api,
    default_severity: Severity::Critical,
    mode: Mode::Passive,
    why: "Object-level authorization bugs are the most common API breach: change an id in the URL and read another customer's invoices. Scanners with one account cannot see them.",
    breaks: "One customer reads (or lists) another customer's data: a reportable breach and the end of trust for a B2B product.",
    remediation: "Scope every query by the caller's tenant (WHERE org_id = :caller_org) in one data-access layer, answer 404 for objects of other tenants, and test with two accounts in CI.",
    references: &[
        "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
        "https://github.com/PortSwigger/autorize",
    ],
};

/// Builds the check when two identities of different orgs and an endpoint owned by one exist.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let pair = |e: &Endpoint| -> Option<(Endpoint, Identity, Identity)> {
        let owner = target.identity(e.identity.as_deref()?)?;
        let org = owner.org.as_deref()?;
        let other = target
            .identities
            .iter()
            .find(|i| i.org.as_deref().is_some_and(|o| o != org))?;
        Some((e.clone(), owner.clone(), other.clone()))
    };
    let writes: Vec<(Endpoint, Identity, Identity)> = target
        .endpoints
        .iter()
        .filter(|e| {
            e.disposable
                && has_params(&e.url)
                && matches!(e.method.as_str(), "PUT" | "PATCH" | "DELETE")
        })
        .filter_map(pair)
        .collect();
    let endpoints: Vec<(Endpoint, Identity, Identity)> = target
        .endpoints
        .iter()
        .filter(|e| method_of(e) == reqwest::Method::GET)
        .filter_map(|e| {
            let owner = target.identity(e.identity.as_deref()?)?;
            let org = owner.org.as_deref()?;
            let other = target
                .identities
                .iter()
                .find(|i| i.org.as_deref().is_some_and(|o| o != org))?;
            Some((e.clone(), owner.clone(), other.clone()))
        })
        .collect();
    if endpoints.is_empty() && writes.is_empty() {
        return Err(Skip::because(
            "needs two [[identities]] with different `org` and a GET endpoint whose `identity` owns its objects",
        ));
    }
    Ok(Box::new(Idor {
        endpoints,
        writes,
        write_probes: target.write_probes,
    }))
}

struct Idor {
    endpoints: Vec<(Endpoint, Identity, Identity)>,
    /// PUT/PATCH/DELETE endpoints on disposable objects, replayed only with --active and
    /// `[target] write-probes = true`.
    writes: Vec<(Endpoint, Identity, Identity)>,
    write_probes: bool,
}

/// Decides one write replayed as another org: the owner's write must work, then the other org's
/// 2xx without a denial body is a bypass and a 4xx is enforcement.
pub fn decide_write(owner: &Seen, other: &Seen) -> Decision {
    if !(200..300).contains(&owner.status) {
        return Decision::Inconclusive(format!(
            "the owner's own write gets {}, so the replay proves nothing",
            owner.status
        ));
    }
    match other.status {
        200..=299 if !is_denial(&other.body) => Decision::Bypassed,
        200..=299 | 400..=499 => Decision::Enforced,
        status => Decision::Inconclusive(format!("the other org's write gets {status}")),
    }
}

/// What one observer saw when reading an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Status code.
    pub status: u16,
    /// Body text.
    pub body: String,
}

/// The verdict for one object replayed as another org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// B read A's object: 2xx, equivalent body, anonymous denied, not in B's own list.
    Bypassed,
    /// B was refused: another status or a denial body.
    Enforced,
    /// The anonymous replay succeeds too: the object is public by design.
    Public,
    /// Cannot decide; the reason says why.
    Inconclusive(String),
}

/// Decides one replay. `in_b_list` is `None` when there is no list endpoint to compare with.
pub fn decide(
    id: &str,
    owner: &Seen,
    other: &Seen,
    anonymous: &Seen,
    in_b_list: Option<bool>,
) -> Decision {
    let ok = |s: &Seen| (200..300).contains(&s.status);
    if !ok(owner) {
        return Decision::Inconclusive(format!(
            "the owner itself gets {}, so the replay proves nothing",
            owner.status
        ));
    }
    if !ok(other) || is_denial(&other.body) {
        return Decision::Enforced;
    }
    if !equivalent(id, &owner.body, &other.body) {
        return Decision::Inconclusive(format!(
            "the other org gets {} with a different body: a person must compare them",
            other.status
        ));
    }
    if ok(anonymous) && equivalent(id, &owner.body, &anonymous.body) {
        return Decision::Public;
    }
    if in_b_list == Some(true) {
        return Decision::Inconclusive(
            "the other org also lists this object: it may be shared with it on purpose".into(),
        );
    }
    Decision::Bypassed
}

/// True when a 2xx body says the caller was refused.
pub fn is_denial(body: &str) -> bool {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) {
        if map.len() <= 3 && (map.contains_key("error") || map.contains_key("errors")) {
            return true;
        }
        if map.get("ok") == Some(&serde_json::Value::Bool(false))
            || map.get("success") == Some(&serde_json::Value::Bool(false))
        {
            return true;
        }
        return false;
    }
    let lower = body.to_ascii_lowercase();
    body.len() < 2048
        && [
            "access denied",
            "forbidden",
            "not authorized",
            "unauthorized",
            "not found",
            "permission",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Two bodies show the same object: for JSON, the requested id at the same path plus at least one
/// other equal field; otherwise at least 90% token similarity.
pub fn equivalent(id: &str, a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (flatten(&a), flatten(&b));
            let id_paths: Vec<&String> = a
                .iter()
                .filter(|(path, value)| *value == id && b.get(*path) == Some(value))
                .map(|(path, _)| path)
                .collect();
            !id_paths.is_empty()
                && a.iter()
                    .any(|(path, value)| !id_paths.contains(&path) && b.get(path) == Some(value))
        }
        _ => similarity(a, b) >= 0.9,
    }
}

/// Scalars of a JSON document keyed by their JSON pointer.
fn flatten(value: &serde_json::Value) -> BTreeMap<String, String> {
    fn walk(value: &serde_json::Value, path: String, out: &mut BTreeMap<String, String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(v, format!("{path}/{k}"), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{path}/{i}"), out);
                }
            }
            serde_json::Value::String(s) => {
                out.insert(path, s.clone());
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(value, String::new(), &mut out);
    out
}

/// Jaccard similarity of the two texts' word sets.
fn similarity(a: &str, b: &str) -> f64 {
    let words = |s: &str| {
        s.split_whitespace()
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
    };
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let shared = a.intersection(&b).count() as f64;
    shared / a.union(&b).count() as f64
}

fn seen(exchange: &Exchange) -> Seen {
    match exchange.response() {
        Some(r) => Seen {
            status: r.status.as_u16(),
            body: r.text(),
        },
        None => Seen {
            status: 0,
            body: String::new(),
        },
    }
}

#[async_trait::async_trait]
impl Check for Idor {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut lists: BTreeMap<(String, String), Option<Vec<String>>> = BTreeMap::new();
        for (endpoint, owner, other) in &self.endpoints {
            if endpoint.list {
                findings.push(self.check_list(ctx, endpoint, owner, other).await);
            } else if has_params(&endpoint.url) {
                let list = self.list_for(endpoint);
                let mut ids = endpoint.ids.clone();
                if ids.is_empty()
                    && let Some(list) = list
                    && let Some(harvested) = cached_list(ctx, &mut lists, list, &owner.name).await
                {
                    ids = harvested.into_iter().take(2).collect();
                }
                if ids.is_empty() {
                    findings.push(Finding::inconclusive(
                        &META,
                        Subject::endpoint("GET", endpoint.url.clone()),
                        format!("`{}`: no object ids to replay; set `ids` or configure its list endpoint", endpoint.name),
                    ).severity(Severity::Medium));
                    continue;
                }
                for id in ids {
                    let in_b_list = match list {
                        Some(list) => cached_list(ctx, &mut lists, list, &other.name)
                            .await
                            .map(|b_ids| b_ids.contains(&id)),
                        None => None,
                    };
                    findings.push(
                        self.replay(ctx, endpoint, owner, other, &id, in_b_list)
                            .await,
                    );
                }
            }
        }
        if ctx.active && self.write_probes {
            for (endpoint, owner, other) in &self.writes {
                for id in &endpoint.ids {
                    findings.push(self.replay_write(ctx, endpoint, owner, other, id).await);
                }
            }
        }
        findings
    }
}

/// The ids an identity's list endpoint shows, fetched once per run.
async fn cached_list(
    ctx: &Context,
    cache: &mut BTreeMap<(String, String), Option<Vec<String>>>,
    list: &Endpoint,
    identity: &str,
) -> Option<Vec<String>> {
    let key = (list.url.clone(), identity.to_string());
    if let Some(found) = cache.get(&key) {
        return found.clone();
    }
    let ids = match Url::parse(&list.url) {
        Ok(url) => {
            let exchange = send(ctx, HttpRequest::get(url), Caller::Identity(identity)).await;
            exchange
                .response()
                .filter(|r| r.status.is_success())
                .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
                .map(|json| harvest_ids(&json))
        }
        Err(_) => None,
    };
    cache.insert(key, ids.clone());
    ids
}

impl Idor {
    /// The list endpoint of the same collection: `…/invoices` for `…/invoices/{id}`.
    fn list_for(&self, endpoint: &Endpoint) -> Option<&Endpoint> {
        let collection = endpoint.url.rsplit_once("/{")?.0;
        self.endpoints
            .iter()
            .map(|(e, ..)| e)
            .find(|e| e.list && e.url.trim_end_matches('/') == collection)
    }

    async fn check_list(
        &self,
        ctx: &Context,
        endpoint: &Endpoint,
        owner: &Identity,
        other: &Identity,
    ) -> Finding {
        let subject = Subject::endpoint("GET", endpoint.url.clone());
        let Ok(url) = Url::parse(&endpoint.url) else {
            return Finding::error(&META, subject, format!("`{}` is not a URL", endpoint.url));
        };
        let as_owner = send(
            ctx,
            HttpRequest::get(url.clone()),
            Caller::Identity(&owner.name),
        )
        .await;
        let as_other = send(ctx, HttpRequest::get(url), Caller::Identity(&other.name)).await;
        let ids = |e: &Exchange| {
            e.response()
                .filter(|r| r.status.is_success())
                .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
                .map(|json| harvest_ids(&json))
        };
        let Some(owner_ids) = ids(&as_owner).filter(|ids| !ids.is_empty()) else {
            return as_owner.attach(
                Finding::inconclusive(
                    &META,
                    subject,
                    format!(
                        "`{}`: {}'s list shows no object ids to compare",
                        endpoint.name, owner.name
                    ),
                )
                .severity(Severity::Medium),
                &owner.name,
            );
        };
        let other_ids: BTreeSet<String> = ids(&as_other).unwrap_or_default().into_iter().collect();
        let leaked: Vec<&String> = owner_ids
            .iter()
            .filter(|id| other_ids.contains(*id))
            .collect();
        if leaked.is_empty() {
            return Finding::pass(
                &META,
                subject,
                format!(
                    "`{}`: {}'s list holds none of the {} ids {} sees",
                    endpoint.name,
                    other.name,
                    owner_ids.len(),
                    owner.name
                ),
            );
        }
        let shown: Vec<&str> = leaked.iter().take(5).map(|s| s.as_str()).collect();
        as_other.attach(
            Finding::fail(
                &META,
                subject,
                format!(
                    "`{}` leaks across orgs: {} ({}) sees {} of {}'s objects: {}",
                    endpoint.name,
                    other.name,
                    other.org.as_deref().unwrap_or("?"),
                    leaked.len(),
                    owner.name,
                    shown.join(", ")
                ),
            )
            .remediation("filter the list query by the caller's org; never by a client-supplied filter alone"),
            &other.name,
        )
    }

    async fn replay_write(
        &self,
        ctx: &Context,
        endpoint: &Endpoint,
        owner: &Identity,
        other: &Identity,
        id: &str,
    ) -> Finding {
        let raw = fill(&endpoint.url, id);
        let subject = Subject::endpoint(endpoint.method.clone(), raw.clone());
        let Ok(url) = Url::parse(&raw) else {
            return Finding::error(&META, subject, format!("`{raw}` is not a URL"));
        };
        let as_owner = send(
            ctx,
            super::request_for(endpoint, url.clone()),
            Caller::Identity(&owner.name),
        )
        .await;
        let as_other = send(
            ctx,
            super::request_for(endpoint, url),
            Caller::Identity(&other.name),
        )
        .await;
        if let Err(error) = &as_other.result {
            return Finding::error(
                &META,
                subject,
                format!("write replay as {} failed: {error}", other.name),
            );
        }
        let statuses = format!(
            "{}: {}; {}: {}",
            owner.name,
            seen(&as_owner).status,
            other.name,
            seen(&as_other).status
        );
        let finding = match decide_write(&seen(&as_owner), &seen(&as_other)) {
            Decision::Bypassed => Finding::fail(
                &META,
                subject,
                format!(
                    "`{}`: {} ({}) can {} {}'s object {id}",
                    endpoint.name,
                    other.name,
                    other.org.as_deref().unwrap_or("?"),
                    endpoint.method,
                    owner.name
                ),
            )
            .remediation("check the object's org against the caller's before every write; answer 404 otherwise"),
            Decision::Enforced | Decision::Public => Finding::pass(
                &META,
                subject,
                format!("`{}`: {} is refused a {} on {}'s object {id}", endpoint.name, other.name, endpoint.method, owner.name),
            ),
            Decision::Inconclusive(reason) => Finding::inconclusive(&META, subject, format!("`{}` object {id}: {reason}", endpoint.name))
                .severity(Severity::Medium),
        };
        as_other.attach(
            finding.evidence("statuses", statuses),
            &format!("as {}", other.name),
        )
    }

    async fn replay(
        &self,
        ctx: &Context,
        endpoint: &Endpoint,
        owner: &Identity,
        other: &Identity,
        id: &str,
        in_b_list: Option<bool>,
    ) -> Finding {
        let raw = fill(&endpoint.url, id);
        let subject = Subject::endpoint("GET", raw.clone());
        let Ok(url) = Url::parse(&raw) else {
            return Finding::error(&META, subject, format!("`{raw}` is not a URL"));
        };
        let as_owner = send(
            ctx,
            HttpRequest::get(url.clone()),
            Caller::Identity(&owner.name),
        )
        .await;
        let as_other = send(
            ctx,
            HttpRequest::get(url.clone()),
            Caller::Identity(&other.name),
        )
        .await;
        let anonymous = send(ctx, HttpRequest::get(url), Caller::Anonymous).await;
        if let Err(error) = &as_other.result {
            return Finding::error(
                &META,
                subject,
                format!("replay as {} failed: {error}", other.name),
            );
        }
        let decision = decide(
            id,
            &seen(&as_owner),
            &seen(&as_other),
            &seen(&anonymous),
            in_b_list,
        );
        let (a_status, b_status, n_status) = (
            seen(&as_owner).status,
            seen(&as_other).status,
            seen(&anonymous).status,
        );
        let statuses = format!(
            "{}: {a_status}; {}: {b_status}; anonymous: {n_status}",
            owner.name, other.name
        );
        let finding = match decision {
            Decision::Bypassed => Finding::fail(
                &META,
                subject,
                format!(
                    "`{}`: {} ({}) reads {}'s object {id}: same object returned to another org",
                    endpoint.name,
                    other.name,
                    other.org.as_deref().unwrap_or("?"),
                    owner.name
                ),
            )
            .remediation("look the object up scoped by the caller's org and answer 404 when it belongs to another"),
            Decision::Enforced => Finding::pass(
                &META,
                subject,
                format!("`{}`: {} is refused {}'s object {id}", endpoint.name, other.name, owner.name),
            ),
            Decision::Public => Finding::pass(
                &META,
                subject,
                format!("`{}`: object {id} is public (the anonymous replay succeeds too), not an authorization bypass", endpoint.name),
            ),
            Decision::Inconclusive(reason) => Finding::inconclusive(
                &META,
                subject,
                format!("`{}` object {id}: {reason}", endpoint.name),
            )
            .severity(Severity::Medium),
        };
        as_other.attach(
            finding.evidence("statuses", statuses),
            &format!("as {}", other.name),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(status: u16, body: &str) -> Seen {
        Seen {
            status,
            body: body.into(),
        }
    }

    const INVOICE: &str = r#"{"id":"inv-a-1","org":"org-a","amount_cents":100}"#;
    const DENIED: &str = r#"{"error":"authentication required"}"#;

    #[test]
    fn same_object_to_another_org_is_bypassed() {
        let d = decide(
            "inv-a-1",
            &s(200, INVOICE),
            &s(200, INVOICE),
            &s(401, DENIED),
            Some(false),
        );
        assert_eq!(d, Decision::Bypassed);
        let d = decide(
            "inv-a-1",
            &s(200, INVOICE),
            &s(200, INVOICE),
            &s(401, DENIED),
            None,
        );
        assert_eq!(d, Decision::Bypassed);
    }

    #[test]
    fn other_status_or_denial_body_is_enforced() {
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(404, "{}"),
                &s(401, DENIED),
                None
            ),
            Decision::Enforced
        );
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, r#"{"ok":false,"error":"forbidden"}"#),
                &s(401, DENIED),
                None
            ),
            Decision::Enforced
        );
    }

    #[test]
    fn anonymous_success_means_public() {
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, INVOICE),
                &s(200, INVOICE),
                None
            ),
            Decision::Public
        );
    }

    #[test]
    fn undecidable_replays_are_inconclusive() {
        let other = r#"{"id":"inv-b-9","org":"org-b","amount_cents":5}"#;
        assert!(matches!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, other),
                &s(401, DENIED),
                None
            ),
            Decision::Inconclusive(_)
        ));
        assert!(matches!(
            decide(
                "inv-a-1",
                &s(403, DENIED),
                &s(403, DENIED),
                &s(401, DENIED),
                None
            ),
            Decision::Inconclusive(_)
        ));
        assert!(matches!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, INVOICE),
                &s(401, DENIED),
                Some(true)
            ),
            Decision::Inconclusive(_)
        ));
    }

    #[test]
    fn writes_by_another_org_are_bypassed_unless_refused() {
        let ok = s(200, INVOICE);
        assert_eq!(decide_write(&ok, &s(200, INVOICE)), Decision::Bypassed);
        assert_eq!(decide_write(&ok, &s(404, "{}")), Decision::Enforced);
        assert_eq!(decide_write(&ok, &s(200, DENIED)), Decision::Enforced);
        assert!(matches!(
            decide_write(&ok, &s(500, "")),
            Decision::Inconclusive(_)
        ));
        assert!(matches!(
            decide_write(&s(403, DENIED), &s(200, INVOICE)),
            Decision::Inconclusive(_)
        ));
    }

    #[test]
    fn equivalence_needs_the_id_and_one_more_field() {
        assert!(equivalent("inv-a-1", INVOICE, INVOICE));
        assert!(!equivalent("inv-a-1", INVOICE, r#"{"id":"inv-a-1"}"#));
        assert!(!equivalent(
            "inv-a-1",
            r#"{"id":"x","org":"org-a"}"#,
            r#"{"id":"x","org":"org-a"}"#
        ));
        assert!(equivalent(
            "7",
            "<p>Invoice 7 for Globex total 12</p>",
            "<p>Invoice 7 for Globex total 12</p>"
        ));
        assert!(!equivalent(
            "7",
            "<p>Invoice 7</p>",
            "<p>Access denied for you</p>"
        ));
    }
}
