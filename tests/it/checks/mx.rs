//! `mx` against an in-process DNS authority serving `mx.test`: a good MX, none, a null MX for a
//! parked and for a sending domain, a null MX beside real ones, an MX pointing at a CNAME, at an IP
//! literal and at a name without addresses; and the demo's flawed and hardened zones.

use launchready::check::{Finding, Severity, Status};
use launchready::demo::Variant;
use launchready::scorecard::{CheckRow, Verdict};

use super::spf::audit_email;
use crate::support::audit_demo;

const MX_ZONE: &str = r#"$ORIGIN mx.test.
$TTL 60
@ IN SOA ns.mx.test. hostmaster.mx.test. 1 3600 600 86400 60
@ IN NS ns.mx.test.
ns IN A 127.0.0.1
mx1 IN A 192.0.2.20
mx2 IN AAAA 2001:db8::25
alias IN CNAME mx1.mx.test.

good IN MX 10 mx1.mx.test.
good IN MX 20 mx2.mx.test.
missing IN A 127.0.0.1
nullmx IN MX 0 .
mixed IN MX 0 .
mixed IN MX 10 mx1.mx.test.
cname IN MX 10 alias.mx.test.
literal IN MX 10 192.0.2.1.
dangling IN MX 10 nowhere.mx.test.
"#;

async fn mx(domain: &str, email_keys: &str) -> CheckRow {
    audit_email(("mx.test", MX_ZONE), domain, email_keys, "mx").await
}

fn only_failure(row: &CheckRow) -> &Finding {
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(fails.len(), 1, "{:#?}", row.findings);
    fails[0]
}

fn evidence<'a>(finding: &'a Finding, label: &str) -> &'a str {
    finding
        .evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("no `{label}` evidence in {finding:#?}"))
}

#[tokio::test]
async fn resolvable_mx_hosts_pass() {
    let row = mx("good.mx.test", "").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(
        evidence(&row.findings[0], "record"),
        "10 mx1.mx.test., 20 mx2.mx.test."
    );
}

#[tokio::test]
async fn missing_mx_fails_for_a_sending_domain() {
    let row = mx("missing.mx.test", "").await;
    let f = only_failure(&row);
    assert_eq!(f.severity, Severity::High);
    assert!(f.message.contains("has no MX record"), "{}", f.message);
    assert_eq!(evidence(f, "record"), "(none: no MX records)");
}

#[tokio::test]
async fn null_mx_passes_for_a_parked_domain_only() {
    let row = mx("nullmx.mx.test", "sends-mail = false").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert_eq!(evidence(&row.findings[0], "record"), "0 .");

    let row = mx("nullmx.mx.test", "").await;
    let f = only_failure(&row);
    assert_eq!(f.severity, Severity::High);
    assert!(f.message.contains("but sends mail"), "{}", f.message);

    let row = mx("missing.mx.test", "sends-mail = false").await;
    assert!(only_failure(&row).message.contains("has no null MX"));

    let row = mx("mixed.mx.test", "sends-mail = false").await;
    assert!(only_failure(&row).message.contains("must stand alone"));
}

#[tokio::test]
async fn mx_to_a_cname_fails() {
    let row = mx("cname.mx.test", "").await;
    let f = only_failure(&row);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(evidence(f, "cname"), "alias.mx.test → mx1.mx.test");
    assert_eq!(evidence(f, "record"), "cname.mx.test. MX 10 alias.mx.test.");
    assert_eq!(evidence(f, "rule"), "RFC 2181 §10.3, RFC 5321 §5.1");
}

#[tokio::test]
async fn mx_to_an_ip_literal_fails() {
    let row = mx("literal.mx.test", "").await;
    let f = only_failure(&row);
    assert!(f.message.contains("is an IP address"), "{}", f.message);
    assert_eq!(f.severity, Severity::Medium);
}

#[tokio::test]
async fn mx_host_without_address_fails() {
    let row = mx("dangling.mx.test", "").await;
    let f = only_failure(&row);
    assert_eq!(f.severity, Severity::High);
    assert!(f.message.contains("NXDOMAIN"), "{}", f.message);
}

#[tokio::test]
async fn demo_flawed_mx_is_a_cname_and_hardened_passes() {
    let card = audit_demo(Variant::Flawed, &["mx"], false).await;
    let row = card.row("mx").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    assert!(only_failure(row).message.contains("is a CNAME"));

    let card = audit_demo(Variant::Hardened, &["mx"], false).await;
    let row = card.row("mx").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
