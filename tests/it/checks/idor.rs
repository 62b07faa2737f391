//! `idor` against the demo portal with two orgs: the flawed invoice route returns org A's invoice
//! to org B and the file list leaks other orgs' rows; the hardened portal enforces both, and the
//! shared document is recognised as public by design.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

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
    assert!(
        !row.findings
            .iter()
            .any(|f| f.subject.to_string().starts_with("PATCH"))
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
