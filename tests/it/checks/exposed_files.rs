//! `exposed-files` against the demo portal: the flawed portal serves /.env and /.git; the hardened
//! one answers every unknown path with its home page (a soft 404) and must stay quiet.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_portal_serves_env_and_git_files() {
    let card = audit_demo(Variant::Flawed, &["exposed-files"], false).await;
    let row = card.row("exposed-files").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failed: Vec<String> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity == Severity::Critical)
        .map(|f| f.subject.to_string())
        .collect();
    for path in ["/.env", "/.git/config", "/.git/HEAD"] {
        assert!(
            failed.iter().any(|s| s.ends_with(path)),
            "{path} in {failed:?}"
        );
    }
    let env = row
        .findings
        .iter()
        .find(|f| f.subject.to_string() == "https://acme.test/.env")
        .unwrap();
    let text = format!("{:?}", env.evidence);
    assert!(
        text.contains("DATABASE_URL") && text.contains("JWT_SECRET"),
        "{text}"
    );
    assert!(
        !text.contains("portal-db-pass"),
        "values are withheld: {text}"
    );
}

#[tokio::test]
async fn hardened_soft_404_stays_quiet() {
    let card = audit_demo(Variant::Hardened, &["exposed-files"], false).await;
    let row = card.row("exposed-files").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 6, "one pass per host");
}
