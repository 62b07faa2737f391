//! The email-policy family as a whole against the hardened demo: every DNS name is asked once per
//! run (the per-run cache), however many checks need it. Prints the family's wall time and the
//! queries sent, the figures the issue asks for (no timing is asserted).

use launchready::demo::{DemoWorld, Variant};
use launchready::scorecard::Verdict;

const FAMILY: &[&str] = &["dkim", "dmarc", "mta-sts", "tls-rpt"];

#[tokio::test]
async fn each_name_is_queried_once_per_run() {
    let world = DemoWorld::start(Variant::Hardened).await.unwrap();
    let target = launchready::config::load(&world.config_path, &world.env).unwrap();
    let net = launchready::net::Net::new(&target).unwrap();
    let dns = net.dns.clone();
    let mut options = launchready::AuditOptions::default();
    options.run.only = FAMILY.iter().map(|s| s.to_string()).collect();
    let started = std::time::Instant::now();
    let card =
        launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await;
    let elapsed = started.elapsed();
    for id in FAMILY {
        assert_eq!(card.row(id).unwrap().verdict(), Verdict::Pass, "{id}");
    }
    // The distinct (name, type) pairs the family needs: 24 well-known DKIM selectors, _dmarc at
    // acme.test and at the TLD (tree walk), _mta-sts TXT, the acme.test MX, mta-sts.acme.test A
    // and AAAA (the policy fetch), and _smtp._tls.
    let minimum = launchready::checks::email::dkim::KNOWN_SELECTORS.len() + 2 + 1 + 1 + 2 + 1;
    assert_eq!(dns.queries_sent(), minimum as u64);
    eprintln!(
        "email-policy family: {} checks in {:?}, {} DNS queries sent, minimum {minimum}",
        FAMILY.len(),
        elapsed,
        dns.queries_sent()
    );
}
