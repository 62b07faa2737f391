//! `canonical-host` against the demo world: in the flawed portal apex and www both serve and
//! app. loops between / and /login; in the hardened one www redirects to the apex.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_apex_and_www_both_serve_and_app_loops() {
    let card = audit_demo(Variant::Flawed, &["canonical-host"], false).await;
    let row = card.row("canonical-host").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let by_subject = |s: &str| {
        row.findings
            .iter()
            .find(|f| f.subject.to_string() == s)
            .unwrap_or_else(|| panic!("no finding for {s}: {:#?}", row.findings))
    };
    let www = by_subject("https://www.acme.test/");
    assert_eq!((www.status, www.severity), (Status::Fail, Severity::Medium));
    assert!(www.message.contains("serves its own content (200)"));
    let app = by_subject("https://app.acme.test/");
    assert_eq!((app.status, app.severity), (Status::Fail, Severity::High));
    let cycle = app.evidence.iter().find(|e| e.label == "cycle").unwrap();
    assert_eq!(
        cycle.value,
        "https://app.acme.test/ → https://app.acme.test/login → https://app.acme.test/"
    );
    assert_eq!(by_subject("https://acme.test/").status, Status::Pass);
}

#[tokio::test]
async fn hardened_www_redirects_to_the_apex() {
    let card = audit_demo(Variant::Hardened, &["canonical-host"], false).await;
    let row = card.row("canonical-host").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings.iter().any(|f| f.message
        == "https://www.acme.test/ ends on the canonical https://acme.test in 1 redirect(s)"));
}
