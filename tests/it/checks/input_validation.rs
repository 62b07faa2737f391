//! `input-validation` against the demo portal (active): the flawed profile update crashes on bad
//! JSON and wrong types, accepts a 64 KiB name and mass-assigns `role`; the hardened one refuses
//! all of it with 4xx.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch};
use axum::{Json, Router};
use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::{audit_config_as, audit_demo, loopback_target, serve};

#[tokio::test]
async fn flawed_profile_update_crashes_and_mass_assigns() {
    let card = audit_demo(Variant::Flawed, &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("malformed JSON with 500"))
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("wrong types with 500"))
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("64 KiB") && f.severity == Severity::Low)
    );
    let mass = fails
        .iter()
        .find(|f| f.message.contains("mass-assigns role"))
        .unwrap();
    assert_eq!(mass.severity, Severity::High);
}

#[tokio::test]
async fn hardened_profile_update_refuses_invalid_input() {
    let card = audit_demo(Variant::Hardened, &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn skipped_without_active() {
    let card = audit_demo(Variant::Flawed, &["input-validation"], false).await;
    assert_eq!(
        card.row("input-validation").unwrap().verdict(),
        Verdict::Skipped
    );
}

/// A loopback API whose caller is already an admin: `/api/profile` validates its body (400 for
/// malformed JSON, 422 for a bad or overlong name), ignores unknown fields and always shows
/// `role: admin`; `/api/other` counts the writes it gets.
async fn profile_api(writes: Arc<AtomicU32>) -> u16 {
    let show = |name: &str| Json(serde_json::json!({"name": name, "role": "admin"}));
    let read = move || async move { show("Alice") };
    let update = move |body: Bytes| async move {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&body) else {
            return (StatusCode::BAD_REQUEST, "{\"error\":\"bad json\"}").into_response();
        };
        match fields.get("name").and_then(|v| v.as_str()) {
            Some(name) if name.len() <= 200 => show(name).into_response(),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "{\"error\":\"bad name\"}").into_response(),
        }
    };
    let other = move || {
        let writes = writes.clone();
        async move {
            writes.fetch_add(1, Ordering::SeqCst);
            StatusCode::OK
        }
    };
    serve(
        Router::new()
            .route("/api/profile", get(read).patch(update))
            .route("/api/other", patch(other)),
    )
    .await
}

const ALICE: &str = "[[identities]]\nname = \"alice\"\nbearer = \"${ALICE}\"\n";

fn write_endpoint(name: &str, path: &str, disposable: bool) -> String {
    format!(
        "\n[[endpoints]]\nname = \"{name}\"\nmethod = \"PATCH\"\npath = \"{path}\"\nidentity = \"alice\"\nbody = {{ name = \"Alice\" }}\ndisposable = {disposable}\n"
    )
}

#[tokio::test]
async fn an_admin_already_is_no_mass_assignment_and_other_writes_stay_unsent() {
    let writes = Arc::new(AtomicU32::new(0));
    let port = profile_api(writes.clone()).await;
    let config = format!(
        "{}{ALICE}{}{}",
        loopback_target(port, "write-probes = true"),
        write_endpoint("profile", "/api/profile", true),
        write_endpoint("other", "/api/other", false),
    );
    let card = audit_config_as(&config, &[("ALICE", "t")], &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(
        writes.load(Ordering::SeqCst),
        0,
        "not disposable: never sent"
    );
    assert!(
        row.findings
            .iter()
            .any(|f| f.subject.to_string().ends_with("/api/other")
                && f.message.contains("not probed"))
    );
}

#[tokio::test]
async fn refusals_of_a_route_that_refuses_everything_prove_nothing() {
    let port = profile_api(Arc::default()).await;
    let config = format!(
        "{}{ALICE}{}",
        loopback_target(port, "write-probes = true"),
        write_endpoint("nowhere", "/api/nowhere", true),
    );
    let card = audit_config_as(&config, &[("ALICE", "t")], &["input-validation"], true).await;
    let row = card.row("input-validation").unwrap();
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
    assert!(
        row.findings[0].message.contains("valid body with 404"),
        "{:#?}",
        row.findings
    );
}

#[tokio::test]
async fn without_a_disposable_write_the_check_is_skipped() {
    let writes = Arc::new(AtomicU32::new(0));
    let port = profile_api(writes.clone()).await;
    let config = format!(
        "{}{ALICE}{}",
        loopback_target(port, "write-probes = true"),
        write_endpoint("other", "/api/other", false),
    );
    let card = audit_config_as(&config, &[("ALICE", "t")], &["input-validation"], true).await;
    assert_eq!(
        card.row("input-validation").unwrap().verdict(),
        Verdict::Skipped
    );
    assert_eq!(writes.load(Ordering::SeqCst), 0);
}
