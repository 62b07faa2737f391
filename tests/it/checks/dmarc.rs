//! `dmarc`: one zone per case on an in-process authority (missing, p=none, quarantine, reject with
//! sp=none, pct=50, two records, external rua with and without authorization, a policy inherited
//! from the organizational domain, RFC 7489 and RFC 9989 discovery disagreeing), and the demo's
//! flawed and hardened variants.

use launchready::check::{Severity, Status};
use launchready::demo::Variant;
use launchready::demo::mail::txt_data;
use launchready::scorecard::{Scorecard, Verdict};

use super::email_fixture::{audit, authority, evidence, row, with};
use crate::support::audit_demo;

fn dmarc(text: &str) -> Vec<String> {
    vec![format!("_dmarc IN TXT {}", txt_data(text))]
}

async fn cases() -> (launchready::demo::DnsAuthority, tempfile::TempDir) {
    let dns = authority(&[
        ("missing.test", vec!["@ IN A 127.0.0.1".to_string()]),
        (
            "badp.test",
            dmarc("v=DMARC1; p=block; rua=mailto:d@badp.test"),
        ),
        (
            "none.test",
            dmarc("v=DMARC1; p=none; rua=mailto:d@none.test"),
        ),
        (
            "quarantine.test",
            dmarc("v=DMARC1; p=quarantine; rua=mailto:d@quarantine.test"),
        ),
        (
            "spnone.test",
            dmarc("v=DMARC1; p=reject; sp=none; rua=mailto:d@spnone.test"),
        ),
        (
            "pct.test",
            dmarc("v=DMARC1; p=quarantine; pct=50; rua=mailto:d@pct.test"),
        ),
        (
            "two.test",
            vec![
                format!("_dmarc IN TXT {}", txt_data("v=DMARC1; p=reject")),
                format!("_dmarc IN TXT {}", txt_data("v=DMARC1; p=none")),
            ],
        ),
        (
            "extok.test",
            dmarc("v=DMARC1; p=reject; rua=mailto:agg@reports.test"),
        ),
        (
            "extno.test",
            dmarc("v=DMARC1; p=reject; rua=mailto:agg@reports.test"),
        ),
        (
            "reports.test",
            vec![format!(
                "extok.test._report._dmarc IN TXT {}",
                txt_data("v=DMARC1")
            )],
        ),
        (
            "org.test",
            [
                dmarc("v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@org.test"),
                vec!["mail IN A 127.0.0.1".to_string()],
                dmarc("v=DMARC1; p=none")
                    .into_iter()
                    .map(|r| r.replace("_dmarc", "_dmarc.b"))
                    .collect(),
            ]
            .concat(),
        ),
    ])
    .await;
    (dns, tempfile::tempdir().unwrap())
}

fn failures(card: &Scorecard) -> Vec<(Severity, String)> {
    row(card, "dmarc")
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| (f.severity, f.message.clone()))
        .collect()
}

#[tokio::test]
async fn judges_policy_strength_and_reporting() {
    let (dns, dir) = cases().await;
    let run = |domain: &'static str| audit(&dns, dir.path(), "dmarc", domain, "", "");

    let card = run("missing.test").await;
    let f = failures(&card);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::High);
    assert!(f[0].1.contains("no DMARC record"));
    let queried = evidence(&row(&card, "dmarc").findings[0], "queried").unwrap();
    assert!(
        queried.contains("_dmarc.missing.test: NXDOMAIN"),
        "{queried}"
    );

    let f = failures(&run("none.test").await);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::High);
    assert!(f[0].1.contains("p=none"));

    let card = run("quarantine.test").await;
    let quarantine = row(&card, "dmarc");
    assert_eq!(
        quarantine.verdict(),
        Verdict::Pass,
        "{:#?}",
        quarantine.findings
    );
    let pass = &quarantine.findings[0];
    assert_eq!(
        evidence(pass, "record"),
        Some("v=DMARC1; p=quarantine; rua=mailto:d@quarantine.test")
    );
    assert!(evidence(pass, "rule").is_some_and(|r| r.contains("RFC 7489")));

    let f = failures(&run("spnone.test").await);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::Medium);
    assert!(f[0].1.contains("sp=none is weaker than p=reject"));

    let f = failures(&run("pct.test").await);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::Medium);
    assert!(f[0].1.contains("pct=50"));

    let card = run("badp.test").await;
    let f = failures(&card);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::High);
    assert!(f[0].1.contains("p=block is not none, quarantine or reject"));

    let f = failures(&run("two.test").await);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, Severity::Critical);
    assert!(f[0].1.contains("2 v=DMARC1 records"));
}

#[tokio::test]
async fn checks_external_report_authorization() {
    let (dns, dir) = cases().await;
    let card = audit(&dns, dir.path(), "dmarc", "extok.test", "", "").await;
    let ok = row(&card, "dmarc");
    assert_eq!(ok.verdict(), Verdict::Pass, "{:#?}", ok.findings);
    let auth = with(ok, "extok.test._report._dmarc.reports.test", Status::Pass);
    assert_eq!(auth.len(), 1);

    let card = audit(&dns, dir.path(), "dmarc", "extno.test", "", "").await;
    let no = row(&card, "dmarc");
    let f = with(no, "extno.test._report._dmarc.reports.test", Status::Fail);
    assert_eq!(f.len(), 1, "{:#?}", no.findings);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("has not authorized"));
    assert!(evidence(f[0], "rule").is_some_and(|r| r.contains("RFC 7489 §7.1")));
}

#[tokio::test]
async fn inherits_from_the_organizational_domain_and_flags_disagreement() {
    let (dns, dir) = cases().await;
    let card = audit(&dns, dir.path(), "dmarc", "mail.org.test", "", "").await;
    let inherited = row(&card, "dmarc");
    assert_eq!(
        inherited.verdict(),
        Verdict::Pass,
        "{:#?}",
        inherited.findings
    );
    let pass = &inherited.findings[0];
    assert!(
        pass.message
            .contains("sp (inherited from the organizational domain)=quarantine"),
        "{}",
        pass.message
    );
    assert!(evidence(pass, "inherited").is_some_and(|e| e.contains("org.test")));

    // a.b.org.test: RFC 9989 finds _dmarc.b.org.test (p=none) walking up; RFC 7489 jumps to the
    // public-suffix organizational domain org.test (sp=quarantine).
    let card = audit(&dns, dir.path(), "dmarc", "a.b.org.test", "", "").await;
    let f = failures(&card);
    assert!(
        f.iter().any(|(s, m)| *s == Severity::Medium
            && m.contains("policy discovery disagrees")
            && m.contains("_dmarc.org.test")
            && m.contains("_dmarc.b.org.test")),
        "{f:#?}"
    );
}

#[tokio::test]
async fn demo_flawed_policy_is_none_without_reports() {
    let card = audit_demo(Variant::Flawed, &["dmarc"], false).await;
    assert_eq!(card.row("dmarc").unwrap().verdict(), Verdict::Fail);
    let f = failures(&card);
    assert!(
        f.iter()
            .any(|(s, m)| *s == Severity::High && m.contains("p=none")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|(s, m)| *s == Severity::Medium && m.contains("no rua=")),
        "{f:#?}"
    );
}

#[tokio::test]
async fn demo_hardened_policy_rejects_and_reports() {
    let card = audit_demo(Variant::Hardened, &["dmarc"], false).await;
    let row = card.row("dmarc").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
    assert!(row.findings[0].message.contains("p=reject"));
}
