//! `dns-dangling-cname` against the demo world: the flawed shop host is a CNAME to a SaaS tenant
//! name that no longer exists; the hardened one points at a live tenant.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::Verdict;

use crate::support::audit_demo;

#[tokio::test]
async fn flawed_shop_cname_dangles() {
    let card = audit_demo(Variant::Flawed, &["dns-dangling-cname"], false).await;
    let row = card.row("dns-dangling-cname").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    let failed: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].severity, Severity::High);
    assert!(
        failed[0]
            .message
            .contains("CNAME to acme-shop.saas.test, which does not exist (NXDOMAIN)")
    );
    assert_eq!(
        failed[0].evidence[0].value,
        "shop.acme.test → acme-shop.saas.test"
    );
}

#[tokio::test]
async fn hardened_shop_cname_resolves() {
    let card = audit_demo(Variant::Hardened, &["dns-dangling-cname"], false).await;
    let row = card.row("dns-dangling-cname").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message
                == "shop.acme.test is an alias of acme-shop.saas.test, which resolves")
    );
}
