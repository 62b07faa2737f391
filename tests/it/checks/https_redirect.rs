//! `https-redirect` against the demo world: the flawed portal serves pages over plain HTTP (and
//! app. sends http: to another http: URL); the hardened one upgrades every host with a 301.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_hosts_serve_plain_http() {
    let card = audit_demo(Variant::Flawed, &["https-redirect"], false).await;
    let row = card.row("https-redirect").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let apex = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "http://acme.test/")
        .unwrap();
    assert_eq!((apex.status, apex.severity), (Status::Fail, Severity::High));
    assert!(apex.message.contains("answered 200 over plain HTTP"));
    assert!(
        apex.evidence
            .iter()
            .any(|e| e.value == "http://acme.test/ → 200")
    );
    let app = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "http://app.acme.test/")
        .unwrap();
    assert_eq!((app.status, app.severity), (Status::Fail, Severity::Medium));
    assert!(app.message.contains("another plain-HTTP URL"));
}

#[tokio::test]
async fn hardened_hosts_upgrade_on_the_same_host() {
    let card = audit_demo(Variant::Hardened, &["https-redirect"], false).await;
    let row = card.row("https-redirect").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 6);
    let www = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "http://www.acme.test/")
        .unwrap();
    assert_eq!(
        www.evidence[0].value,
        "http://www.acme.test/ → 301 https://www.acme.test/ → 301 https://acme.test/ → 200"
    );
}
