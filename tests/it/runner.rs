//! The runner in-process: a check that panics and one that hangs each become an error row while
//! every other row still appears, in registry order.

use std::time::Duration;

use launchready::check::registry::{CHECKS, Entry};
use launchready::check::{
    Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Status,
};
use launchready::config::{self, Target};
use launchready::demo::{DemoWorld, Variant};
use launchready::net::Net;
use launchready::scorecard::Verdict;
use launchready::{AuditOptions, audit_with};

static PANICS: CheckMeta = CheckMeta {
    id: "test-panics",
    title: "A check that panics",
    category: Category::Operations,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "test only",
    breaks: "test only",
    remediation: "test only",
    references: &[],
};

static HANGS: CheckMeta = CheckMeta {
    id: "test-hangs",
    title: "A check that never returns",
    ..PANICS
};

struct Panics;
struct Hangs;

#[async_trait::async_trait]
impl Check for Panics {
    fn meta(&self) -> &'static CheckMeta {
        &PANICS
    }
    async fn run(&self, _: &Context) -> Vec<Finding> {
        panic!("boom in a check")
    }
}

#[async_trait::async_trait]
impl Check for Hangs {
    fn meta(&self) -> &'static CheckMeta {
        &HANGS
    }
    async fn run(&self, _: &Context) -> Vec<Finding> {
        std::future::pending().await
    }
}

fn build_panics(_: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(Panics))
}

fn build_hangs(_: &Target) -> Result<Box<dyn Check>, Skip> {
    Ok(Box::new(Hangs))
}

#[tokio::test]
async fn panics_and_hangs_become_error_rows_and_the_rest_survives() {
    let world = DemoWorld::start(Variant::Hardened).await.unwrap();
    let target = config::load(&world.config_path, &world.env).unwrap();
    let net = Net::new(&target).unwrap();
    let mut entries: Vec<Entry> = vec![
        Entry {
            meta: &PANICS,
            build: build_panics,
        },
        Entry {
            meta: &HANGS,
            build: build_hangs,
        },
    ];
    entries.extend_from_slice(CHECKS);
    let mut options = AuditOptions::default();
    options.run.check_timeout = Duration::from_secs(3);
    let card = audit_with(&entries, target, net, &options).await;

    let ids: Vec<&str> = card.rows.iter().map(|r| r.meta.id).collect();
    assert_eq!(ids[..2], ["test-panics", "test-hangs"]);
    assert_eq!(ids.len(), entries.len(), "every check has a row");

    let panicked = card.row("test-panics").unwrap();
    assert_eq!(panicked.verdict(), Verdict::Error);
    assert!(panicked.findings[0].message.contains("boom in a check"));

    let hung = card.row("test-hangs").unwrap();
    assert_eq!(hung.verdict(), Verdict::Error);
    assert!(
        hung.findings[0]
            .message
            .contains("did not finish within 3s")
    );

    assert_eq!(card.row("uptime").unwrap().verdict(), Verdict::Pass);
    assert!(card.blocked(), "errors at the threshold fail the run");
    assert_eq!(card.blocking_errors().len(), 2);
    assert!(
        card.with_status(Status::Error)
            .iter()
            .all(|f| f.severity == Severity::High)
    );
}
