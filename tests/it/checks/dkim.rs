//! `dkim`: key records of every kind on an in-process authority (RSA 512/1024/2048, Ed25519 made
//! by rcgen at test time, revoked, t=y, h=sha1, a CNAME-delegated selector, a host name pasted as
//! TXT), probing the well-known selectors, and the demo's flawed and hardened variants.

use base64::Engine;
use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::demo::mail::{rsa_key_base64, txt_data};
use launchready::scorecard::Verdict;

use super::email_fixture::{audit, authority, evidence, row, with};
use crate::support::audit_demo;

fn txt(name: &str, text: &str) -> String {
    format!("{name} IN TXT {}", txt_data(text))
}

fn ed25519_key() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("ed25519 key");
    base64::engine::general_purpose::STANDARD.encode(key.public_key_raw())
}

#[tokio::test]
async fn judges_each_configured_selector() {
    let dns = authority(&[
        (
            "keys.test",
            vec![
                txt(
                    "rsa512._domainkey",
                    &format!("v=DKIM1; k=rsa; p={}", rsa_key_base64(512)),
                ),
                txt(
                    "rsa1024._domainkey",
                    &format!("v=DKIM1; k=rsa; p={}", rsa_key_base64(1024)),
                ),
                txt(
                    "rsa2048._domainkey",
                    &format!("v=DKIM1; k=rsa; p={}", rsa_key_base64(2048)),
                ),
                txt(
                    "ed._domainkey",
                    &format!("v=DKIM1; k=ed25519; p={}", ed25519_key()),
                ),
                txt("old._domainkey", "v=DKIM1; k=rsa; p="),
                txt(
                    "test._domainkey",
                    &format!("v=DKIM1; t=y; p={}", rsa_key_base64(2048)),
                ),
                txt(
                    "sha1._domainkey",
                    &format!("v=DKIM1; h=sha1; p={}", rsa_key_base64(2048)),
                ),
                "esp._domainkey IN CNAME acme.dkim.provider.test.".to_string(),
                txt("pasted._domainkey", "acme.dkim.provider.test"),
            ],
        ),
        (
            "provider.test",
            vec![txt(
                "acme.dkim",
                &format!("v=DKIM1; k=rsa; p={}", rsa_key_base64(2048)),
            )],
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let selectors = r#"dkim-selectors = ["rsa512", "rsa1024", "rsa2048", "ed", "old", "test", "sha1", "esp", "pasted", "missing"]"#;
    let card = audit(&dns, dir.path(), "dkim", "keys.test", selectors, "").await;
    let row = row(&card, "dkim");
    assert_eq!(row.verdict(), Verdict::Fail);
    let fail = |sel: &str| with(row, &format!("{sel}._domainkey.keys.test"), Status::Fail);
    let pass = |sel: &str| with(row, &format!("{sel}._domainkey.keys.test"), Status::Pass);

    let f = fail("rsa512");
    assert_eq!(f.len(), 1, "{:#?}", row.findings);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("512 bits"));
    assert!(evidence(f[0], "record").is_some_and(|r| r.starts_with("v=DKIM1; k=rsa; p=MF")));
    assert!(evidence(f[0], "rule").is_some_and(|r| r.contains("RFC 8301")));

    let f = fail("rsa1024");
    assert_eq!((f.len(), f[0].severity), (1, Severity::Medium));
    assert!(f[0].message.contains("1024 bits"));

    assert!(pass("rsa2048")[0].message.contains("RSA 2048 bits"));
    assert!(pass("ed")[0].message.contains("Ed25519"));
    assert!(pass("old")[0].message.contains("revoked"));

    let f = fail("test");
    assert_eq!((f.len(), f[0].severity), (1, Severity::Medium));
    assert!(f[0].message.contains("t=y"));
    assert!(fail("sha1")[0].message.contains("sha1"));

    let esp = pass("esp");
    assert_eq!(esp.len(), 1, "{:#?}", row.findings);
    assert!(esp[0].message.contains("RSA 2048 bits"));
    assert_eq!(
        evidence(esp[0], "cname chain"),
        Some("esp._domainkey.keys.test → acme.dkim.provider.test")
    );

    let f = fail("pasted");
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("host name"));

    let f = fail("missing");
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("no key record"));
}

#[tokio::test]
async fn probes_known_selectors_and_lists_them_when_none_is_found() {
    let dns = authority(&[
        ("bare.test", vec!["@ IN A 127.0.0.1".to_string()]),
        (
            "revoked.test",
            vec![txt("google._domainkey", "v=DKIM1; p=")],
        ),
        (
            "found.test",
            vec![txt(
                "selector2._domainkey",
                &format!("v=DKIM1; p={}", rsa_key_base64(2048)),
            )],
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();

    let card = audit(&dns, dir.path(), "dkim", "bare.test", "", "").await;
    let bare = row(&card, "dkim");
    assert_eq!(bare.verdict(), Verdict::Fail);
    assert_eq!(bare.findings.len(), 1);
    assert_eq!(bare.findings[0].severity, Severity::High);
    let tried = evidence(&bare.findings[0], "selectors tried").unwrap();
    assert!(tried.contains("google") && tried.contains("selector1") && tried.contains("zendesk2"));

    let card = audit(&dns, dir.path(), "dkim", "revoked.test", "", "").await;
    let revoked = row(&card, "dkim");
    let only = with(revoked, "_domainkey.revoked.test", Status::Fail);
    assert_eq!(only.len(), 1, "{:#?}", revoked.findings);
    assert_eq!(only[0].severity, Severity::High);
    assert!(only[0].message.contains("every DKIM key found is revoked"));

    let card = audit(&dns, dir.path(), "dkim", "found.test", "", "").await;
    let found = row(&card, "dkim");
    assert_eq!(found.verdict(), Verdict::Pass, "{:#?}", found.findings);
    assert_eq!(found.findings.len(), 1);
    assert!(
        found.findings[0]
            .subject
            .to_string()
            .contains("selector2._domainkey.found.test")
    );

    let card = audit(
        &dns,
        dir.path(),
        "dkim",
        "bare.test",
        "sends-mail = false",
        "",
    )
    .await;
    assert_eq!(row(&card, "dkim").verdict(), Verdict::Pass);
}

#[tokio::test]
async fn demo_flawed_key_is_short_and_in_testing() {
    let card = audit_demo(Variant::Flawed, &["dkim"], false).await;
    let row = card.row("dkim").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let f = with(row, "default._domainkey.acme.test", Status::Fail);
    assert_eq!(f.len(), 1, "{:#?}", row.findings);
    assert!(f[0].message.contains("1024 bits") && f[0].message.contains("t=y"));
}

#[tokio::test]
async fn demo_hardened_keys_pass() {
    let card = audit_demo(Variant::Hardened, &["dkim"], false).await;
    let row = card.row("dkim").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 2, "s1 (Ed25519) and s2 (RSA 2048)");
}
