//! `error-leakage` against the demo portal: the flawed invoice route answers an odd id with a SQL
//! error; the hardened portal answers generic errors.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_portal_leaks_a_sql_error() {
    let card = audit_demo(Variant::Flawed, &["error-leakage"], false).await;
    let row = card.row("error-leakage").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let sql = row
        .findings
        .iter()
        .find(|f| f.status == Status::Fail && f.message.contains("SQL error"))
        .expect("a SQL error finding");
    assert_eq!(sql.severity, Severity::Medium);
    assert!(
        sql.subject.to_string().contains("/api/invoices/1%27%22"),
        "{}",
        sql.subject
    );
    assert!(format!("{:?}", sql.evidence).contains("PG::SyntaxError"));
}

#[tokio::test]
async fn hardened_portal_leaks_nothing() {
    let card = audit_demo(Variant::Hardened, &["error-leakage"], false).await;
    let row = card.row("error-leakage").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
