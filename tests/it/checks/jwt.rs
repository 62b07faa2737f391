//! `jwt` against the demo portal: the flawed tokens are signed with "secret", carry no `exp`, and
//! (with --active) a forged alg=none token is accepted; the hardened tokens resist all three.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use launchready::check::{Severity, Status};
use launchready::checks::api::token::{self, Jwt};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::{audit_config_as, audit_demo, loopback_target, serve};

#[tokio::test]
async fn flawed_tokens_are_weak_eternal_and_forgeable() {
    let card = audit_demo(Variant::Flawed, &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let cracked = fails
        .iter()
        .find(|f| f.message.contains("wordlist"))
        .expect("cracked key");
    assert_eq!(cracked.severity, Severity::Critical);
    let key = cracked
        .evidence
        .iter()
        .find(|e| e.label == "signing key")
        .unwrap();
    assert!(
        !key.value.contains("secret"),
        "the key is redacted: {}",
        key.value
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("no `exp`") && f.severity == Severity::Medium)
    );
    let forged = fails
        .iter()
        .find(|f| f.message.contains("alg=none"))
        .expect("alg=none accepted");
    assert_eq!(forged.severity, Severity::Critical);
}

#[tokio::test]
async fn hardened_tokens_pass_offline_and_forged_checks() {
    let card = audit_demo(Variant::Hardened, &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .all(|f| f.message.contains("alg=none is refused"))
    );
}

/// A loopback API whose session cookie `sid` carries a JWT; it accepts its own HS256 tokens and,
/// being flawed, unsigned alg=none ones. An `Authorization` header is ignored.
async fn cookie_jwt_api() -> u16 {
    let me = |headers: HeaderMap| async move {
        let token = headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.strip_prefix("sid="))
            .and_then(Jwt::parse);
        let accepted = token.is_some_and(|jwt| jwt.alg() == "none" || jwt.verifies_hs256(KEY));
        if accepted {
            (StatusCode::OK, "{\"name\":\"alice\"}").into_response()
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        }
    };
    serve(Router::new().route("/api/me", get(me))).await
}

const KEY: &[u8] = b"9c1e5f0a7b3d42e8a6f1c0d9b8e7a6f5";

#[tokio::test]
async fn alg_none_is_forged_into_the_cookie_the_identity_uses() {
    let port = cookie_jwt_api().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let issued = token::encode_hs256(
        &serde_json::json!({"sub": "alice", "iat": now, "exp": now + 3600}),
        KEY,
    );
    let config = format!(
        "{}[[identities]]\nname = \"alice\"\nbearer = \"${{ALICE}}\"\napply = {{ cookie = \"sid\" }}\n\n[[endpoints]]\nname = \"whoami\"\npath = \"/api/me\"\nidentity = \"alice\"\n",
        loopback_target(port, "")
    );
    let card = audit_config_as(&config, &[("ALICE", &issued)], &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.status == Status::Fail && f.message.contains("alg=none")),
        "{:#?}",
        row.findings
    );
}

#[tokio::test]
async fn no_replay_means_no_claim_that_alg_none_is_refused() {
    let port = cookie_jwt_api().await;
    let issued = token::encode_hs256(&serde_json::json!({"sub": "alice", "exp": 1}), KEY);
    let config = format!(
        "{}[[identities]]\nname = \"alice\"\nbearer = \"${{ALICE}}\"\n\n[[endpoints]]\nname = \"whoami\"\npath = \"/api/me\"\nidentity = \"alice\"\n",
        loopback_target(port, "")
    );
    let card = audit_config_as(&config, &[("ALICE", &issued)], &["jwt"], true).await;
    let row = card.row("jwt").unwrap();
    assert!(
        !row.findings
            .iter()
            .any(|f| f.message.contains("alg=none is refused")),
        "the identity's own token is refused there (sent as a header), so nothing was proven: {:#?}",
        row.findings
    );
    assert_eq!(row.verdict(), Verdict::Inconclusive, "{:#?}", row.findings);
}
