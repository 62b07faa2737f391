//! `dns-resolve` against the demo world: the flawed shop host is an alias of a deleted SaaS
//! tenant, so it has no address; in the hardened world every host resolves.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_shop_host_does_not_resolve() {
    let card = audit_demo(Variant::Flawed, &["dns-resolve"], false).await;
    let row = card.row("dns-resolve").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failed: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].severity, Severity::High);
    assert!(failed[0].message.contains("shop.acme.test"));
    assert!(
        failed[0]
            .message
            .contains("alias of acme-shop.saas.test, which does not exist (NXDOMAIN)")
    );
    let passed = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .count();
    assert_eq!(passed, 5, "the other five hosts resolve");
}

#[tokio::test]
async fn hardened_hosts_all_resolve() {
    let card = audit_demo(Variant::Hardened, &["dns-resolve"], false).await;
    let row = card.row("dns-resolve").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(row.findings.len(), 6);
    let shop = row
        .findings
        .iter()
        .find(|f| f.message.contains("shop.acme.test"))
        .unwrap();
    assert!(
        shop.evidence
            .iter()
            .any(|e| e.label == "CNAME chain" && e.value == "shop.acme.test → acme-shop.saas.test"),
        "{shop:#?}"
    );
}
