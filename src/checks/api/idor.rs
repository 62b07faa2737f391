//! `idor`: one tenant cannot read another tenant's objects. Each object owned by identity A is
//! replayed as B (another org) and anonymously, and B's list endpoints must not contain A's ids.
//!
//! Reference: OWASP API Security Top 10 2023, API1 (Broken Object Level Authorization). The
//! decision follows Autorize's "bypassed / enforced / is enforced???" verdicts, made explicit.

use std::collections::{BTreeMap, BTreeSet};

use url::Url;

use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, Identity, Target};
use crate::net::HttpRequest;

use super::{
    Caller, Exchange, fill, harvest_ids, has_params, method_of, not_probed, nothing_probed, send,
    write_refusal,
};

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

/// An endpoint with the identity that owns its objects and an identity of another org.
type Pairing = (Endpoint, Identity, Identity);

/// Builds the check when two identities of different orgs and an endpoint owned by one exist:
/// a list endpoint, a GET with an `{id}` placeholder, or a disposable write.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let pair = |e: &Endpoint| -> Option<Pairing> {
        let owner = target.identity(e.identity.as_deref()?)?;
        let org = owner.org.as_deref()?;
        let other = target
            .identities
            .iter()
            .find(|i| i.org.as_deref().is_some_and(|o| o != org))?;
        Some((e.clone(), owner.clone(), other.clone()))
    };
    let writes: Vec<Pairing> = target
        .endpoints
        .iter()
        .filter(|e| {
            e.disposable
                && has_params(&e.url)
                && matches!(e.method.as_str(), "PUT" | "PATCH" | "DELETE")
        })
        .filter_map(pair)
        .collect();
    let endpoints: Vec<Pairing> = target
        .endpoints
        .iter()
        .filter(|e| method_of(e) == reqwest::Method::GET && (e.list || has_params(&e.url)))
        .filter_map(pair)
        .collect();
    if endpoints.is_empty() && (writes.is_empty() || !target.write_probes) {
        return Err(Skip::because(
            "needs two [[identities]] with different `org` and a list endpoint or a GET with an `{id}` placeholder whose `identity` owns its objects",
        ));
    }
    let whoami = target
        .endpoints
        .iter()
        .filter(|e| {
            method_of(e) == reqwest::Method::GET
                && e.auth == AuthRequirement::Required
                && !e.list
                && !has_params(&e.url)
        })
        .map(|e| e.url.clone())
        .collect();
    Ok(Box::new(Idor {
        endpoints,
        writes,
        write_probes: target.write_probes,
        whoami,
    }))
}

struct Idor {
    endpoints: Vec<Pairing>,
    /// PUT/PATCH/DELETE endpoints on disposable objects, replayed only with --active and
    /// `[target] write-probes = true`.
    writes: Vec<Pairing>,
    write_probes: bool,
    /// Protected GET routes without placeholders (a whoami): the other org's control call when
    /// there is no list to ask.
    whoami: Vec<String>,
}

/// Decides one write replayed as another org. The other org's write goes first and the owner's
/// own write after it, as the control, so a DELETE by the owner cannot hide the other org's
/// (its 404 would look like enforcement). `method` is the write's method; `existed` is the
/// owner's GET of the object before anything was written, when it answered.
pub fn decide_write(method: &str, existed: Option<u16>, owner: &Seen, other: &Seen) -> Decision {
    let ok = |status: u16| (200..300).contains(&status);
    if let Some(status @ (404 | 410)) = existed {
        return Decision::Inconclusive(format!(
            "the owner's own GET of the object answers {status} before the replay: it does not exist"
        ));
    }
    let other_wrote = ok(other.status) && !is_denial(&other.body);
    if other_wrote {
        if ok(owner.status) {
            return Decision::Bypassed;
        }
        let gone = matches!(owner.status, 404 | 410);
        if method.eq_ignore_ascii_case("DELETE") && existed.is_some_and(ok) && gone {
            return Decision::Bypassed;
        }
        return Decision::Inconclusive(format!(
            "the other org's write gets {}, and the owner's own write after it gets {}",
            other.status, owner.status
        ));
    }
    if ok(other.status) || (400..500).contains(&other.status) {
        if ok(owner.status) {
            return Decision::Enforced;
        }
        return Decision::Inconclusive(format!(
            "the owner's own write gets {}, so the other org's refusal proves nothing",
            owner.status
        ));
    }
    Decision::Inconclusive(format!("the other org's write gets {}", other.status))
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

/// Decides one replay. `anonymous` is `None` when the anonymous replay got no answer (budget,
/// timeout); `in_b_list` is `None` when there is no list endpoint to compare with.
pub fn decide(
    id: &str,
    owner: &Seen,
    other: &Seen,
    anonymous: Option<&Seen>,
    in_b_list: Option<bool>,
) -> Decision {
    let ok = |s: &Seen| (200..300).contains(&s.status);
    if !ok(owner) {
        return Decision::Inconclusive(format!(
            "the owner itself gets {}, so the replay proves nothing",
            owner.status
        ));
    }
    let same = ok(other) && equivalent(id, &owner.body, &other.body);
    if !ok(other) || (!same && is_denial(&other.body)) {
        return Decision::Enforced;
    }
    if !same {
        return Decision::Inconclusive(format!(
            "the other org gets {} with a different body: a person must compare them",
            other.status
        ));
    }
    let Some(anonymous) = anonymous else {
        return Decision::Inconclusive(
            "the other org gets the same object, but the anonymous replay got no answer, so the object may be public".into(),
        );
    };
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

/// True when a 2xx body says the caller was refused: a small JSON object whose `error` or
/// `errors` holds something (not null, empty or false), or `ok`/`success` false; for bodies that
/// are not JSON, a short text with a refusal phrase. Other JSON (arrays, objects with data and a
/// null error) is never a denial.
pub fn is_denial(body: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => {
            let holds = |value: &serde_json::Value| match value {
                serde_json::Value::Null => false,
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::String(s) => !s.trim().is_empty(),
                serde_json::Value::Array(items) => !items.is_empty(),
                serde_json::Value::Object(fields) => !fields.is_empty(),
                serde_json::Value::Number(_) => true,
            };
            let error = ["error", "errors"]
                .iter()
                .any(|key| map.get(*key).is_some_and(holds));
            let refused = |key: &str| map.get(key) == Some(&serde_json::Value::Bool(false));
            (map.len() <= 3 && error) || refused("ok") || refused("success")
        }
        Ok(_) => false,
        Err(_) => {
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
    }
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

/// The ids a list answer holds, or why it cannot be trusted: only a 2xx JSON answer counts.
pub fn list_ids(exchange: &Exchange) -> Result<Vec<String>, String> {
    let response = exchange
        .result
        .as_ref()
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status.as_u16();
    if !response.status.is_success() {
        return Err(format!("it answers {status}"));
    }
    let json: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|_| format!("it answers {status} with a body that is not JSON"))?;
    Ok(harvest_ids(&json))
}

/// What the run learned once and reuses: each identity's list ids, and whether each identity's
/// own control call succeeds.
#[derive(Default)]
struct Memo {
    lists: BTreeMap<(String, String), Result<Vec<String>, String>>,
    controls: BTreeMap<String, Result<String, String>>,
}

#[async_trait::async_trait]
impl Check for Idor {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut memo = Memo::default();
        for (endpoint, owner, other) in &self.endpoints {
            if endpoint.list {
                findings.push(self.check_list(ctx, endpoint, owner, other).await);
                continue;
            }
            let list = self.list_for(endpoint);
            let mut ids = endpoint.ids.clone();
            if ids.is_empty()
                && let Some(list) = list
                && let Ok(harvested) = cached_list(ctx, &mut memo, list, &owner.name).await
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
                    Some(list) => cached_list(ctx, &mut memo, list, &other.name)
                        .await
                        .ok()
                        .map(|b_ids| b_ids.contains(&id)),
                    None => None,
                };
                let (decision, finding) = self
                    .replay(ctx, endpoint, owner, other, &id, in_b_list)
                    .await;
                findings.push(
                    self.confirm(ctx, &mut memo, &decision, finding, endpoint, other)
                        .await,
                );
            }
        }
        for (endpoint, owner, other) in &self.writes {
            if let Some(reason) = write_refusal(endpoint, ctx.active, self.write_probes) {
                findings.push(not_probed(&META, endpoint, &reason));
                continue;
            }
            if endpoint.ids.is_empty() {
                findings.push(
                    Finding::inconclusive(
                        &META,
                        Subject::endpoint(endpoint.method.clone(), endpoint.url.clone()),
                        format!(
                            "`{}`: no disposable object ids to write to; set `ids`",
                            endpoint.name
                        ),
                    )
                    .severity(Severity::Medium),
                );
            }
            for id in &endpoint.ids {
                let (decision, finding) = self.replay_write(ctx, endpoint, owner, other, id).await;
                findings.push(
                    self.confirm(ctx, &mut memo, &decision, finding, endpoint, other)
                        .await,
                );
            }
        }
        if findings.is_empty() {
            findings.push(nothing_probed(
                &META,
                "no list or `{id}` endpoint to replay, and the writes were held back",
            ));
        }
        findings
    }
}

/// The ids an identity's list endpoint shows, fetched once per run; an error when the list
/// does not answer 2xx JSON.
async fn cached_list(
    ctx: &Context,
    memo: &mut Memo,
    list: &Endpoint,
    identity: &str,
) -> Result<Vec<String>, String> {
    let key = (list.url.clone(), identity.to_string());
    if let Some(found) = memo.lists.get(&key) {
        return found.clone();
    }
    let ids = match Url::parse(&list.url) {
        Ok(url) => list_ids(&send(ctx, HttpRequest::get(url), Caller::Identity(identity)).await),
        Err(_) => Err(format!("`{}` is not a URL", list.url)),
    };
    memo.lists.insert(key, ids.clone());
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

    /// Whether `other`'s credential works at all: its own list of the collection, else a whoami
    /// route, answers 2xx. A refusal is trusted only then.
    async fn control(
        &self,
        ctx: &Context,
        memo: &mut Memo,
        endpoint: &Endpoint,
        other: &Identity,
    ) -> Result<String, String> {
        if let Some(list) = self.list_for(endpoint) {
            return match cached_list(ctx, memo, list, &other.name).await {
                Ok(_) => Ok(format!(
                    "{}'s own list {} answers 2xx JSON",
                    other.name, list.url
                )),
                Err(reason) => Err(format!("{}'s own list {}: {reason}", other.name, list.url)),
            };
        }
        if let Some(found) = memo.controls.get(&other.name) {
            return found.clone();
        }
        let outcome = match self.whoami.first().map(|u| (u, Url::parse(u))) {
            Some((raw, Ok(url))) => {
                let exchange =
                    send(ctx, HttpRequest::get(url), Caller::Identity(&other.name)).await;
                match &exchange.result {
                    Ok(r) if r.status.is_success() => Ok(format!(
                        "{}'s own call to {raw} answers {}",
                        other.name,
                        r.status.as_u16()
                    )),
                    Ok(r) => Err(format!(
                        "{}'s own call to {raw} answers {}",
                        other.name,
                        r.status.as_u16()
                    )),
                    Err(e) => Err(format!(
                        "{}'s own call to {raw} got no answer ({e})",
                        other.name
                    )),
                }
            }
            Some((raw, Err(_))) => Err(format!("`{raw}` is not a URL")),
            None => Err(format!(
                "there is no list or whoami endpoint to show that {}'s credential works",
                other.name
            )),
        };
        memo.controls.insert(other.name.clone(), outcome.clone());
        outcome
    }

    /// Keeps an enforced verdict only when the other org's own control call succeeds; otherwise
    /// the refusal may be its credential failing, and the finding becomes inconclusive.
    async fn confirm(
        &self,
        ctx: &Context,
        memo: &mut Memo,
        decision: &Option<Decision>,
        finding: Finding,
        endpoint: &Endpoint,
        other: &Identity,
    ) -> Finding {
        if *decision != Some(Decision::Enforced) {
            return finding;
        }
        match self.control(ctx, memo, endpoint, other).await {
            Ok(control) => finding.evidence("control", control),
            Err(reason) => {
                let mut inconclusive = Finding::inconclusive(
                    &META,
                    finding.subject.clone(),
                    format!("{}, but that proves nothing: {reason}", finding.message),
                )
                .severity(Severity::Medium)
                .remediation(format!(
                    "fix {}'s credential in [[identities]] (or list its collection), so its refusals can be trusted",
                    other.name
                ));
                inconclusive.evidence = finding.evidence;
                inconclusive.evidence("control", reason)
            }
        }
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
        let Some(owner_ids) = list_ids(&as_owner).ok().filter(|ids| !ids.is_empty()) else {
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
        let other_ids: BTreeSet<String> = match list_ids(&as_other) {
            Ok(ids) => ids.into_iter().collect(),
            Err(reason) => {
                let message = format!(
                    "`{}`: {}'s own call to the list cannot be compared: {reason}",
                    endpoint.name, other.name
                );
                let finding = if as_other.result.is_err() {
                    Finding::error(&META, subject, message)
                } else {
                    Finding::inconclusive(&META, subject, message).remediation(format!(
                        "fix {}'s credential in [[identities]] so its list answers 2xx JSON",
                        other.name
                    ))
                };
                return as_other.attach(finding.severity(Severity::Medium), &other.name);
            }
        };
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
    ) -> (Option<Decision>, Finding) {
        let raw = fill(&endpoint.url, id);
        let subject = Subject::endpoint(endpoint.method.clone(), raw.clone());
        let Ok(url) = Url::parse(&raw) else {
            return (
                None,
                Finding::error(&META, subject, format!("`{raw}` is not a URL")),
            );
        };
        let existence = send(
            ctx,
            HttpRequest::get(url.clone()),
            Caller::Identity(&owner.name),
        )
        .await;
        let as_other = send(
            ctx,
            super::request_for(endpoint, url.clone()),
            Caller::Identity(&other.name),
        )
        .await;
        if let Err(error) = &as_other.result {
            return (
                None,
                Finding::error(
                    &META,
                    subject,
                    format!("write replay as {} failed: {error}", other.name),
                ),
            );
        }
        let as_owner = send(
            ctx,
            super::request_for(endpoint, url),
            Caller::Identity(&owner.name),
        )
        .await;
        let shown = |e: &Exchange| {
            e.status()
                .map_or("no answer".to_string(), |s| s.to_string())
        };
        let statuses = format!(
            "{} GET before: {}; {} {}: {}; then {} {}: {}",
            owner.name,
            shown(&existence),
            other.name,
            endpoint.method,
            shown(&as_other),
            owner.name,
            endpoint.method,
            shown(&as_owner),
        );
        let decision = decide_write(
            &endpoint.method,
            existence.status(),
            &seen(&as_owner),
            &seen(&as_other),
        );
        let finding = match decision.clone() {
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
        let finding = as_other.attach(
            finding.evidence("statuses", statuses),
            &format!("as {}", other.name),
        );
        (Some(decision), finding)
    }

    async fn replay(
        &self,
        ctx: &Context,
        endpoint: &Endpoint,
        owner: &Identity,
        other: &Identity,
        id: &str,
        in_b_list: Option<bool>,
    ) -> (Option<Decision>, Finding) {
        let raw = fill(&endpoint.url, id);
        let subject = Subject::endpoint("GET", raw.clone());
        let Ok(url) = Url::parse(&raw) else {
            return (
                None,
                Finding::error(&META, subject, format!("`{raw}` is not a URL")),
            );
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
            return (
                None,
                Finding::error(
                    &META,
                    subject,
                    format!("replay as {} failed: {error}", other.name),
                ),
            );
        }
        let anonymous_seen = anonymous.response().map(|_| seen(&anonymous));
        let decision = decide(
            id,
            &seen(&as_owner),
            &seen(&as_other),
            anonymous_seen.as_ref(),
            in_b_list,
        );
        let shown = |e: &Exchange| {
            e.status()
                .map_or("no answer".to_string(), |s| s.to_string())
        };
        let statuses = format!(
            "{}: {}; {}: {}; anonymous: {}",
            owner.name,
            shown(&as_owner),
            other.name,
            shown(&as_other),
            shown(&anonymous)
        );
        let finding = match decision.clone() {
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
        let finding = match &anonymous.result {
            Err(error) => finding.evidence("anonymous replay", format!("no answer: {error}")),
            Ok(_) => finding,
        };
        let finding = as_other.attach(
            finding.evidence("statuses", statuses),
            &format!("as {}", other.name),
        );
        (Some(decision), finding)
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
            Some(&s(401, DENIED)),
            Some(false),
        );
        assert_eq!(d, Decision::Bypassed);
        let d = decide(
            "inv-a-1",
            &s(200, INVOICE),
            &s(200, INVOICE),
            Some(&s(401, DENIED)),
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
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Enforced
        );
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, r#"{"ok":false,"error":"forbidden"}"#),
                Some(&s(401, DENIED)),
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
                Some(&s(200, INVOICE)),
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
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Inconclusive(_)
        ));
        assert!(matches!(
            decide(
                "inv-a-1",
                &s(403, DENIED),
                &s(403, DENIED),
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Inconclusive(_)
        ));
        assert!(matches!(
            decide(
                "inv-a-1",
                &s(200, INVOICE),
                &s(200, INVOICE),
                Some(&s(401, DENIED)),
                Some(true)
            ),
            Decision::Inconclusive(_)
        ));
    }

    #[test]
    fn writes_by_another_org_are_bypassed_unless_refused() {
        let ok = s(200, INVOICE);
        let write = |owner: &Seen, other: &Seen| decide_write("PATCH", Some(200), owner, other);
        assert_eq!(write(&ok, &s(200, INVOICE)), Decision::Bypassed);
        assert_eq!(write(&ok, &s(404, "{}")), Decision::Enforced);
        assert_eq!(write(&ok, &s(200, DENIED)), Decision::Enforced);
        assert!(matches!(write(&ok, &s(500, "")), Decision::Inconclusive(_)));
        assert!(matches!(
            write(&s(403, DENIED), &s(404, "{}")),
            Decision::Inconclusive(_)
        ));
    }

    #[test]
    fn a_delete_by_the_other_org_that_removes_the_object_is_bypassed() {
        let gone = s(404, r#"{"error":"not found"}"#);
        assert_eq!(
            decide_write("DELETE", Some(200), &gone, &s(204, "")),
            Decision::Bypassed,
            "the owner's control DELETE finds the object gone after the other org's"
        );
        assert_eq!(
            decide_write("DELETE", Some(200), &s(204, ""), &gone),
            Decision::Enforced
        );
        assert!(
            matches!(
                decide_write("DELETE", None, &gone, &s(204, "")),
                Decision::Inconclusive(_)
            ),
            "without the GET before, a missing object proves nothing"
        );
        assert!(
            matches!(
                decide_write("DELETE", Some(404), &s(204, ""), &s(204, "")),
                Decision::Inconclusive(_)
            ),
            "an object that never existed"
        );
    }

    #[test]
    fn an_unanswered_anonymous_replay_is_inconclusive_not_a_bypass() {
        assert!(matches!(
            decide("inv-a-1", &s(200, INVOICE), &s(200, INVOICE), None, Some(false)),
            Decision::Inconclusive(reason) if reason.contains("anonymous")
        ));
    }

    #[test]
    fn denials_need_an_error_that_holds_something() {
        assert!(is_denial(DENIED));
        assert!(is_denial(r#"{"errors":[{"message":"forbidden"}]}"#));
        assert!(is_denial(r#"{"ok":false,"data":null}"#));
        assert!(!is_denial(
            r#"{"data":{"id":"inv-a-1","org":"org-a"},"error":null}"#
        ));
        assert!(!is_denial(r#"{"data":{"id":"x"},"errors":[]}"#));
        assert!(!is_denial(r#"{"data":{"id":"x"},"error":""}"#));
        assert!(
            !is_denial(r#"[{"id":"x","note":"permission granted"}]"#),
            "a JSON array is data, whatever words it holds"
        );
        assert!(is_denial("<h1>Access denied</h1>"));
    }

    #[test]
    fn a_body_equivalent_to_the_owners_is_never_a_denial() {
        let wrapped = r#"{"data":{"id":"inv-a-1","org":"org-a","amount_cents":100},"error":null}"#;
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, wrapped),
                &s(200, wrapped),
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Bypassed
        );
        let with_warning = r#"{"id":"inv-a-1","org":"org-a","error":"cache stale"}"#;
        assert_eq!(
            decide(
                "inv-a-1",
                &s(200, with_warning),
                &s(200, with_warning),
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Bypassed,
            "the same object with an error field is still the same object"
        );
        let page = "<p>Invoice 7 for Globex: permission to pay granted</p>";
        assert_eq!(
            decide(
                "7",
                &s(200, page),
                &s(200, page),
                Some(&s(401, DENIED)),
                None
            ),
            Decision::Bypassed
        );
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
