//! `idor` against the demo portal with two orgs: the flawed invoice route returns org A's invoice
//! to org B and the file list leaks other orgs' rows; the hardened portal enforces both, and the
//! shared document is recognised as public by design.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::{audit_config, audit_config_as, audit_demo, loopback_target, serve};

#[tokio::test]
async fn flawed_invoices_and_file_list_cross_orgs() {
    let card = audit_demo(Variant::Flawed, &["idor"], false).await;
    let row = card.row("idor").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail, "{:#?}", row.findings);
    let bola = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().contains("/api/invoices/inv-a-1"))
        .unwrap();
    assert_eq!(bola.status, Status::Fail, "{bola:#?}");
    assert_eq!(bola.severity, Severity::Critical);
    assert!(
        bola.message
            .contains("bob (org-b) reads alice's object inv-a-1"),
        "{}",
        bola.message
    );
    let list = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().ends_with("/api/files"))
        .unwrap();
    assert_eq!(list.status, Status::Fail, "{list:#?}");
    assert!(list.message.contains("file-a-1"), "{}", list.message);
    let file = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().contains("/api/files/file-a-1"))
        .unwrap();
    assert_eq!(
        file.status,
        Status::Pass,
        "files by id are enforced: {file:#?}"
    );
}

#[tokio::test]
async fn hardened_portal_enforces_and_shared_document_is_public() {
    let card = audit_demo(Variant::Hardened, &["idor"], false).await;
    let row = card.row("idor").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let shared = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().contains("/api/shared/doc-terms"))
        .unwrap();
    assert!(shared.message.contains("is public"), "{}", shared.message);
    assert!(row.findings.len() >= 5, "{:#?}", row.findings);
}

#[tokio::test]
async fn writes_are_replayed_only_with_active_and_write_probes() {
    let passive = audit_demo(Variant::Flawed, &["idor"], false).await;
    let row = passive.row("idor").unwrap();
    let writes: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.subject.to_string().starts_with("PATCH"))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:#?}");
    assert_eq!(writes[0].status, Status::Pass);
    assert_eq!(writes[0].severity, Severity::Info);
    assert!(
        writes[0].message.contains("not probed") && writes[0].message.contains("--active"),
        "the held-back write is shown, not silent: {}",
        writes[0].message
    );
    let active = audit_demo(Variant::Flawed, &["idor"], true).await;
    let write = active
        .row("idor")
        .unwrap()
        .findings
        .iter()
        .find(|f| f.subject.to_string().starts_with("PATCH"))
        .cloned()
        .expect("a write replay");
    assert_eq!(write.status, Status::Fail, "{write:#?}");
    assert!(
        write
            .message
            .contains("bob (org-b) can PATCH alice's object inv-a-2"),
        "{}",
        write.message
    );
    let hardened = audit_demo(Variant::Hardened, &["idor"], true).await;
    let row = hardened.row("idor").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.subject.to_string().starts_with("PATCH") && f.status == Status::Pass)
    );
}

/// A tenant API on loopback. `alice-token` is org A's; `bob-token` is org B's, accepted only when
/// `accept_bob` is set. Reads of things are scoped to org A; DELETE is not scoped at all.
#[derive(Clone)]
struct Things {
    live: Arc<Mutex<BTreeSet<String>>>,
    accept_bob: bool,
}

impl Things {
    fn new(accept_bob: bool) -> Self {
        Things {
            live: Arc::new(Mutex::new(BTreeSet::from(["t-1".to_string()]))),
            accept_bob,
        }
    }

    fn caller(&self, headers: &HeaderMap) -> Option<&'static str> {
        match headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer alice-token") => Some("alice"),
            Some("Bearer bob-token") if self.accept_bob => Some("bob"),
            _ => None,
        }
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

async fn things_api(things: Things) -> u16 {
    let me = |State(t): State<Things>, headers: HeaderMap| async move {
        match t.caller(&headers) {
            Some(who) => json(StatusCode::OK, serde_json::json!({ "name": who })),
            None => json(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"error": "login"}),
            ),
        }
    };
    let list = |State(t): State<Things>, headers: HeaderMap| async move {
        let item = |id: &str| serde_json::json!({"id": id, "plan": {"id": "pro"}});
        match t.caller(&headers) {
            Some("alice") => json(StatusCode::OK, serde_json::json!({"things": [item("t-1")]})),
            Some(_) => json(StatusCode::OK, serde_json::json!({"things": [item("b-1")]})),
            None => json(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"error": "login"}),
            ),
        }
    };
    let read = |State(t): State<Things>, Path(id): Path<String>, headers: HeaderMap| async move {
        let exists = t.live.lock().unwrap().contains(&id);
        match t.caller(&headers) {
            None => json(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"error": "login"}),
            ),
            Some("alice") if exists => json(
                StatusCode::OK,
                serde_json::json!({"id": id, "org": "org-a", "name": "thing"}),
            ),
            Some(_) => json(
                StatusCode::NOT_FOUND,
                serde_json::json!({"error": "not found"}),
            ),
        }
    };
    let delete = |State(t): State<Things>, Path(id): Path<String>, headers: HeaderMap| async move {
        if t.caller(&headers).is_none() {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        if t.live.lock().unwrap().remove(&id) {
            StatusCode::NO_CONTENT.into_response()
        } else {
            json(
                StatusCode::NOT_FOUND,
                serde_json::json!({"error": "not found"}),
            )
        }
    };
    serve(
        Router::new()
            .route("/api/me", get(me))
            .route("/api/things", get(list))
            .route("/api/things/{id}", get(read).delete(delete))
            .with_state(things),
    )
    .await
}

const IDENTITIES: &str = "[[identities]]\nname = \"alice\"\norg = \"org-a\"\nbearer = \"${ALICE}\"\n\n[[identities]]\nname = \"bob\"\norg = \"org-b\"\nbearer = \"${BOB}\"\n\n[[endpoints]]\nname = \"whoami\"\npath = \"/api/me\"\nidentity = \"alice\"\n";
const TOKENS: &[(&str, &str)] = &[("ALICE", "alice-token"), ("BOB", "bob-token")];

#[tokio::test]
async fn a_delete_by_another_org_is_caught_although_it_removes_the_object() {
    let port = things_api(Things::new(true)).await;
    let config = format!(
        "{}{IDENTITIES}\n[[endpoints]]\nname = \"delete thing\"\nmethod = \"DELETE\"\npath = \"/api/things/{{id}}\"\nidentity = \"alice\"\nids = [\"t-1\"]\ndisposable = true\n",
        loopback_target(port, "write-probes = true")
    );
    let card = audit_config_as(&config, TOKENS, &["idor"], true).await;
    let row = card.row("idor").unwrap();
    let delete = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().starts_with("DELETE"))
        .expect("a write replay");
    assert_eq!(delete.status, Status::Fail, "{delete:#?}");
    assert!(
        delete
            .message
            .contains("bob (org-b) can DELETE alice's object t-1"),
        "{}",
        delete.message
    );
}

#[tokio::test]
async fn refusals_of_a_broken_other_identity_prove_nothing() {
    let port = things_api(Things::new(false)).await;
    let config = format!(
        "{}{IDENTITIES}\n[[endpoints]]\nname = \"things\"\npath = \"/api/things\"\nidentity = \"alice\"\nlist = true\n\n[[endpoints]]\nname = \"thing\"\npath = \"/api/things/{{id}}\"\nidentity = \"alice\"\nids = [\"t-1\"]\n",
        loopback_target(port, "")
    );
    let card = audit_config(&config, TOKENS, &["idor"]).await;
    let row = card.row("idor").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .all(|f| f.status == Status::Inconclusive),
        "bob's 401s are no enforcement: {:#?}",
        row.findings
    );
    let list = row
        .findings
        .iter()
        .find(|f| f.subject.to_string().ends_with("/api/things"))
        .unwrap();
    assert!(list.message.contains("answers 401"), "{}", list.message);
}

#[tokio::test]
async fn ids_nested_in_list_items_are_not_leaked_objects() {
    let port = things_api(Things::new(true)).await;
    let config = format!(
        "{}{IDENTITIES}\n[[endpoints]]\nname = \"things\"\npath = \"/api/things\"\nidentity = \"alice\"\nlist = true\n",
        loopback_target(port, "")
    );
    let card = audit_config(&config, TOKENS, &["idor"]).await;
    let row = card.row("idor").unwrap();
    assert_eq!(
        row.verdict(),
        Verdict::Pass,
        "both orgs' items share plan id `pro`, which is not an item: {:#?}",
        row.findings
    );
}

#[tokio::test]
async fn nothing_to_replay_is_a_skip_not_an_error() {
    let port = things_api(Things::new(true)).await;
    let config = format!("{}{IDENTITIES}", loopback_target(port, ""));
    let card = audit_config(&config, TOKENS, &["idor"]).await;
    assert_eq!(card.row("idor").unwrap().verdict(), Verdict::Skipped);
}
