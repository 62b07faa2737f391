//! `spf` against an in-process DNS authority serving one zone, `spf.test`, with a subdomain per
//! case: the lookup limit through nested includes and exactly at it, void lookups, two records,
//! +all, ?all, ptr, macros, an include loop, redirect with and without all, split TXT strings,
//! missing and parked records, and check_host() for configured senders.

use std::collections::BTreeMap;
use std::path::Path;

use launchready::check::{Finding, Severity, Status};
use launchready::config;
use launchready::demo::{DnsAuthority, Variant};
use launchready::net::Net;
use launchready::scorecard::{CheckRow, Verdict};

use crate::support::audit_demo;

/// Every SPF case, one subdomain each. Names absent from the zone are NXDOMAIN.
pub(crate) const SPF_ZONE: &str = r#"$ORIGIN spf.test.
$TTL 60
@ IN SOA ns.spf.test. hostmaster.spf.test. 1 3600 600 86400 60
@ IN NS ns.spf.test.
ns IN A 127.0.0.1
mail IN A 192.0.2.10
mx1 IN A 192.0.2.20
mxhost IN MX 10 mx1.spf.test.

ten IN TXT "v=spf1 a:mail.spf.test mx:mxhost.spf.test include:ten-a.spf.test include:ten-b.spf.test -all"
ten-a IN TXT "v=spf1 a:mail.spf.test a:mail.spf.test include:ten-c.spf.test ~all"
ten-c IN TXT "v=spf1 exists:mail.spf.test a:mail.spf.test -all"
ten-b IN TXT "v=spf1 mx:mxhost.spf.test -all"

over IN TXT "v=spf1 include:over-1.spf.test -all"
over-1 IN TXT "v=spf1 include:over-2.spf.test a:mail.spf.test a:mail.spf.test a:mail.spf.test -all"
over-2 IN TXT "v=spf1 include:over-3.spf.test a:mail.spf.test a:mail.spf.test a:mail.spf.test -all"
over-3 IN TXT "v=spf1 a:mail.spf.test a:mail.spf.test a:mail.spf.test ~all"

voids IN TXT "v=spf1 a:gone1.spf.test a:gone2.spf.test mx:gone3.spf.test ip4:192.0.2.10 -all"
two-voids IN TXT "v=spf1 a:gone1.spf.test mx:gone2.spf.test ip4:192.0.2.10 -all"

two IN TXT "v=spf1 ip4:192.0.2.10 -all"
two IN TXT "v=spf1 a:mail.spf.test -all"
two IN TXT "google-site-verification=abc123"

plusall IN TXT "v=spf1 ip4:192.0.2.10 +all"
zeroprefix IN TXT "v=spf1 ip6:::/0 ip4:192.0.2.10 -all"
neutral IN TXT "v=spf1 ip4:192.0.2.10 ?all"
noall IN TXT "v=spf1 ip4:192.0.2.10"
softfail IN TXT "v=spf1 ip4:192.0.2.10 ~all"
ptr IN TXT "v=spf1 ptr:spf.test ip4:192.0.2.10 -all"

macro IN TXT "v=spf1 exists:%{i}._ip.%{d} include:_m.%{d} -all"
_m.macro IN TXT "v=spf1 ip4:192.0.2.10 -all"
192.0.2.99._ip.macro IN A 127.0.0.2
badmacro IN TXT "v=spf1 exists:%{x}.spf.test a:%(ir).spf.test -all"
unknown IN TXT "v=spf1 foo:bar.spf.test -all"

loop IN TXT "v=spf1 include:loop-b.spf.test -all"
loop-b IN TXT "v=spf1 include:loop.spf.test -all"

redir IN TXT "v=spf1 ip4:192.0.2.10 redirect=_spf.redir.spf.test"
_spf.redir IN TXT "v=spf1 mx:mxhost.spf.test -all"
redirall IN TXT "v=spf1 ip4:192.0.2.10 ~all redirect=_spf.redir.spf.test"
redirnone IN TXT "v=spf1 ip4:192.0.2.10 redirect=nothing.spf.test"

split IN TXT "v=spf1 ip4:192.0" ".2.10 " "include:ten-b.spf.test -all"

noinclude IN TXT "v=spf1 include:nothing.spf.test -all"
afterall IN TXT "v=spf1 ip4:192.0.2.10 -all include:over.spf.test +all"
nospf IN TXT "hello world"
parked IN TXT "v=spf1 -all"
parked-open IN TXT "v=spf1 a:mail.spf.test -all"
"#;

/// Audits `domain` in a zone served on loopback with only `check`, with extra `[email]` keys.
pub(crate) async fn audit_email(
    zone: (&str, &str),
    domain: &str,
    email_keys: &str,
    check: &str,
) -> CheckRow {
    let dns = DnsAuthority::start(&[zone]).await.expect("the zone loads");
    let text = format!(
        "[target]\nname = \"t\"\nbase-url = \"https://{domain}\"\n\n[dns]\nnameservers = [\"{}\"]\n\n[email]\ndomain = \"{domain}\"\n{email_keys}\n",
        dns.addr
    );
    let target =
        config::parse(&text, Path::new("checks.toml"), &BTreeMap::new()).expect("valid config");
    let net = Net::new(&target).expect("net");
    let mut options = launchready::AuditOptions::default();
    options.run.only = vec![check.to_string()];
    let card =
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await;
    card.row(check).expect("the check ran").clone()
}

async fn spf(domain: &str) -> CheckRow {
    audit_email(("spf.test", SPF_ZONE), domain, "", "spf").await
}

async fn spf_with(domain: &str, email_keys: &str) -> CheckRow {
    audit_email(("spf.test", SPF_ZONE), domain, email_keys, "spf").await
}

fn failures(row: &CheckRow) -> Vec<&Finding> {
    row.findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect()
}

fn evidence<'a>(finding: &'a Finding, label: &str) -> &'a str {
    finding
        .evidence
        .iter()
        .find(|e| e.label == label)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("no `{label}` evidence in {finding:#?}"))
}

/// The one failure whose message contains `needle`.
fn failure<'a>(row: &'a CheckRow, needle: &str) -> &'a Finding {
    let matching: Vec<_> = failures(row)
        .into_iter()
        .filter(|f| f.message.contains(needle))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one failure with `{needle}` in {:#?}",
        row.findings
    );
    matching[0]
}

#[tokio::test]
async fn over_the_lookup_limit_through_nested_includes_is_critical_with_the_tree() {
    let row = spf("over.spf.test").await;
    assert_eq!(row.verdict(), Verdict::Fail);
    let f = failure(&row, "12 DNS lookups");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.message.contains("lookup #11"), "{}", f.message);
    assert_eq!(
        evidence(f, "lookups"),
        "12/10 lookups: include:over-1.spf.test (12)"
    );
    let tree = evidence(f, "tree");
    for line in [
        "include:over-1.spf.test [#1, 12 in all]",
        "include:over-2.spf.test [#2, 8 in all]",
        "include:over-3.spf.test [#3, 4 in all]",
        "over-3.spf.test: v=spf1 a:mail.spf.test a:mail.spf.test a:mail.spf.test ~all",
    ] {
        assert!(tree.contains(line), "`{line}` missing from\n{tree}");
    }
    assert_eq!(evidence(f, "record"), "v=spf1 include:over-1.spf.test -all");
    assert_eq!(evidence(f, "rule"), "RFC 7208 §4.6.4");
}

#[tokio::test]
async fn exactly_ten_lookups_pass() {
    let row = spf("ten.spf.test").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let f = row
        .findings
        .iter()
        .find(|f| f.message.contains("10/10 DNS lookups"))
        .expect("the lookup count");
    assert_eq!(
        evidence(f, "lookups"),
        "10/10 lookups: a:mail.spf.test (1) + mx:mxhost.spf.test (1) + include:ten-a.spf.test (6) + include:ten-b.spf.test (2)"
    );
    assert!(evidence(f, "tree").contains("1 MX host"));
}

#[tokio::test]
async fn three_void_lookups_are_a_permerror_and_two_are_not() {
    let row = spf("voids.spf.test").await;
    let f = failure(&row, "3 void lookups");
    assert_eq!(f.severity, Severity::High);
    let listed = evidence(f, "void lookups");
    for term in ["a:gone1.spf.test", "a:gone2.spf.test", "mx:gone3.spf.test"] {
        assert!(listed.contains(term), "{term} not attributed in {listed}");
    }
    assert!(listed.contains("NXDOMAIN"));

    let row = spf("two-voids.spf.test").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("2/2 void lookups"))
    );
}

#[tokio::test]
async fn two_spf_records_are_a_critical_permerror() {
    let row = spf("two.spf.test").await;
    let f = failure(&row, "2 SPF records");
    assert_eq!(f.severity, Severity::Critical);
    let record = evidence(f, "record");
    assert!(
        record.contains("v=spf1 ip4:192.0.2.10 -all")
            && record.contains("v=spf1 a:mail.spf.test -all")
    );
    assert!(!record.contains("google-site-verification"));
    assert_eq!(row.findings.len(), 1);
}

#[tokio::test]
async fn plus_all_is_critical() {
    let row = spf("plusall.spf.test").await;
    let f = failure(&row, "every host on the Internet");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(evidence(f, "term"), "+all");
    assert_eq!(evidence(f, "record"), "v=spf1 ip4:192.0.2.10 +all");
    assert_eq!(evidence(f, "rule"), "RFC 7208 §5.1");

    let row = spf("zeroprefix.spf.test").await;
    let f = failure(&row, "covers every address");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(evidence(f, "term"), "ip6:::/0");
}

#[tokio::test]
async fn neutral_and_missing_all_are_high_and_softfail_is_info() {
    let row = spf("neutral.spf.test").await;
    assert_eq!(failure(&row, "`?all`").severity, Severity::High);
    let row = spf("noall.spf.test").await;
    assert_eq!(failure(&row, "no `all`").severity, Severity::High);
    let row = spf("softfail.spf.test").await;
    let f = failure(&row, "`~all`");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(row.worst(), Some(Severity::Info));
}

#[tokio::test]
async fn ptr_is_deprecated() {
    let row = spf("ptr.spf.test").await;
    let f = failure(&row, "deprecated");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(evidence(f, "term"), "ptr:spf.test");
    assert_eq!(evidence(f, "rule"), "RFC 7208 §5.5");
    assert_eq!(row.worst(), Some(Severity::Medium));
}

#[tokio::test]
async fn macros_are_counted_and_evaluated_per_sender() {
    let row = spf_with(
        "macro.spf.test",
        "senders = [\"192.0.2.10\", \"192.0.2.99\", \"203.0.113.5\"]",
    )
    .await;
    let count = row
        .findings
        .iter()
        .find(|f| f.message.contains("2/10 DNS lookups"))
        .expect("exists and include both counted");
    let tree = evidence(count, "tree");
    assert!(
        tree.contains("exists:%{i}._ip.%{d} [#1] — macro %{i} known only when a message arrives"),
        "{tree}"
    );
    assert!(
        tree.contains("_m.macro.spf.test: v=spf1 ip4:192.0.2.10 -all"),
        "{tree}"
    );
    let mut senders: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.message.starts_with("check_host("))
        .map(|f| (evidence(f, "sender").to_string(), f.status))
        .collect();
    senders.sort();
    assert_eq!(
        senders,
        [
            ("192.0.2.10".to_string(), Status::Pass),
            ("192.0.2.99".to_string(), Status::Pass),
            ("203.0.113.5".to_string(), Status::Fail),
        ]
    );
    let refused = failure(&row, "check_host(203.0.113.5");
    assert!(refused.message.contains("= fail"), "{}", refused.message);
    assert_eq!(refused.severity, Severity::High);
}

#[tokio::test]
async fn invalid_macros_and_unknown_mechanisms_are_permerrors() {
    let row = spf("badmacro.spf.test").await;
    let fails = failures(&row);
    assert_eq!(fails.len(), 2, "{fails:#?}");
    assert!(fails.iter().all(|f| f.severity == Severity::Critical));
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("`%{x` is not a macro letter"))
    );
    assert!(
        fails
            .iter()
            .any(|f| f.message.contains("`%(` is not a macro"))
    );
    assert!(fails.iter().all(|f| evidence(f, "rule") == "RFC 7208 §4.6"));

    let row = spf("unknown.spf.test").await;
    let f = failure(&row, "unknown mechanism `foo`");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(evidence(f, "term"), "foo:bar.spf.test");
}

#[tokio::test]
async fn terms_after_all_cost_nothing() {
    let row = spf("afterall.spf.test").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    let count = row
        .findings
        .iter()
        .find(|f| f.message.contains("0/10 DNS lookups"))
        .expect("nothing after -all is counted");
    assert!(
        evidence(count, "tree").contains("include:over.spf.test — after `all`: never evaluated")
    );
}

#[tokio::test]
async fn include_loops_are_detected() {
    let row = spf("loop.spf.test").await;
    let f = failure(&row, "loops back");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.message
            .contains("loop.spf.test → loop-b.spf.test → loop.spf.test"),
        "{}",
        f.message
    );
    assert_eq!(evidence(f, "via"), "loop.spf.test → loop-b.spf.test");
}

#[tokio::test]
async fn redirect_without_all_supplies_the_final_all() {
    let row = spf("redir.spf.test").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("ends in `-all`"))
    );
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("2/10 DNS lookups"))
    );
}

#[tokio::test]
async fn redirect_beside_all_is_ignored_and_reported() {
    let row = spf("redirall.spf.test").await;
    let f = failure(&row, "never applies");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(evidence(f, "rule"), "RFC 7208 §6.1");
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("0/10 DNS lookups"))
    );
}

#[tokio::test]
async fn include_and_redirect_targets_without_spf_are_permerrors() {
    let row = spf("noinclude.spf.test").await;
    let f = failure(&row, "publishes no SPF record");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.message.contains("include target nothing.spf.test"));

    let row = spf("redirnone.spf.test").await;
    let f = failure(&row, "redirect target nothing.spf.test");
    assert_eq!(f.severity, Severity::Critical);
}

#[tokio::test]
async fn split_txt_strings_are_joined_without_spaces() {
    let row = spf_with("split.spf.test", "senders = [\"192.0.2.10\"]").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings.iter().any(|f| {
        f.evidence.iter().any(|e| {
            e.label == "record" && e.value == "v=spf1 ip4:192.0.2.10 include:ten-b.spf.test -all"
        })
    }));
}

#[tokio::test]
async fn missing_spf_fails_and_parked_domains_need_dash_all() {
    let row = spf("nospf.spf.test").await;
    let f = failure(&row, "publishes no SPF record");
    assert_eq!(f.severity, Severity::High);

    let row = spf_with("parked.spf.test", "sends-mail = false").await;
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("refuses every sender"))
    );

    let row = spf_with("parked-open.spf.test", "sends-mail = false").await;
    assert_eq!(
        failure(&row, "configured as parked").severity,
        Severity::High
    );
}

#[tokio::test]
async fn over_the_limit_senders_get_permerror() {
    let row = spf_with("over.spf.test", "senders = [\"203.0.113.5\"]").await;
    let f = failure(&row, "check_host(203.0.113.5");
    assert!(f.message.contains("= permerror"), "{}", f.message);
    assert!(
        f.message.contains("DNS lookup 11 of at most 10"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn demo_flawed_spf_fails_and_hardened_passes() {
    let card = audit_demo(Variant::Flawed, &["spf"], false).await;
    let row = card.row("spf").unwrap();
    assert_eq!(row.verdict(), Verdict::Fail);
    assert_eq!(row.worst(), Some(Severity::Critical));
    assert!(
        failures(row)
            .iter()
            .any(|f| f.message.contains("over the limit of 10"))
    );

    let card = audit_demo(Variant::Hardened, &["spf"], false).await;
    let row = card.row("spf").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}
