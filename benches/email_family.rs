//! Email family benchmark: every registered check of Category::Email against a loopback DNS
//! authority serving a domain whose SPF tree needs exactly 10 lookups, with one configured sender
//! (so check_host() runs too). Each round builds a fresh `Net` (fresh per-run DNS cache) and runs
//! the family's checks together. Prints the wall time per round and the DNS queries sent against
//! the minimum (each distinct name/type asked once) and the lookups the checks asked for (cache hits
//! included), beside the lookups counted under RFC 7208.
//!
//! Run with `cargo bench --bench email_family` (or `--profile dev` to reuse the test build).
//! Loopback only.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use launchready::check::registry::CHECKS;
use launchready::check::{Category, Context};
use launchready::checks::email::spf::eval::Walk;
use launchready::config;
use launchready::demo::DnsAuthority;
use launchready::net::Net;

const ROUNDS: usize = 20;

const ZONE: &str = r#"$ORIGIN bench.test.
$TTL 60
@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
@ IN NS ns.bench.test.
ns IN A 127.0.0.1
@ IN MX 10 mx1.bench.test.
mail IN A 192.0.2.10
mx1 IN A 192.0.2.20
@ IN TXT "v=spf1 a:mail.bench.test mx include:_a.bench.test include:_b.bench.test -all"
_a IN TXT "v=spf1 a:mail.bench.test a:mx1.bench.test include:_c.bench.test ~all"
_c IN TXT "v=spf1 exists:mail.bench.test mx:bench.test -all"
_b IN TXT "v=spf1 a:mx1.bench.test -all"
"#;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let dns = DnsAuthority::start(&[("bench.test", ZONE)])
        .await
        .expect("zone loads");
    let text = format!(
        "[target]\nname = \"bench\"\nbase-url = \"https://bench.test\"\n\n[dns]\nnameservers = [\"{}\"]\n\n[email]\ndomain = \"bench.test\"\nsenders = [\"192.0.2.10\"]\n",
        dns.addr
    );
    let target = Arc::new(
        config::parse(&text, Path::new("bench.toml"), &BTreeMap::new()).expect("valid config"),
    );
    let family: Vec<_> = CHECKS
        .iter()
        .filter(|e| e.meta.category == Category::Email)
        .collect();
    let ids: Vec<&str> = family.iter().map(|e| e.meta.id).collect();

    let mut times = Vec::new();
    let mut sent = Vec::new();
    let mut asked = Vec::new();
    let mut distinct = Vec::new();
    let mut findings = 0;
    for _ in 0..ROUNDS {
        let net = Arc::new(Net::new(&target).expect("clients build"));
        let ctx = Context {
            target: target.clone(),
            net: net.clone(),
            deadline: tokio::time::Instant::now() + Duration::from_secs(60),
            active: false,
        };
        let checks: Vec<_> = family
            .iter()
            .filter_map(|e| (e.build)(&target).ok())
            .collect();
        let started = Instant::now();
        findings = futures::future::join_all(checks.iter().map(|c| c.run(&ctx)))
            .await
            .iter()
            .map(Vec::len)
            .sum();
        times.push(started.elapsed());
        sent.push(net.dns.queries_sent());
        asked.push(net.dns.lookups_asked());
        distinct.push(net.dns.distinct_lookups().await);
    }

    let net = Net::new(&target).expect("clients build");
    let walk = Walk::run(&net.dns, "bench.test").await;
    let check_host = launchready::checks::email::spf::eval::check_host(
        &net.dns,
        "192.0.2.10".parse().unwrap(),
        "bench.test",
    )
    .await;

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    println!(
        "email family: {} ({} findings per round)",
        ids.join(", "),
        findings
    );
    println!("SPF tree: {}", walk.summary());
    println!(
        "rounds: {ROUNDS}; wall time per round: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(median),
        ms(times[times.len() - 1])
    );
    let set = |v: &[u64]| {
        v.iter()
            .copied()
            .collect::<std::collections::BTreeSet<u64>>()
    };
    println!(
        "DNS per round: lookups asked by the checks {:?}; queries sent {:?}; minimum (distinct name/type asked) {:?}",
        set(&asked),
        set(&sent),
        distinct.iter().collect::<std::collections::BTreeSet<_>>()
    );
    println!(
        "RFC 7208 lookups counted: {} by the tree walk + {} by check_host(192.0.2.10) = {}",
        walk.lookups,
        check_host.lookups,
        walk.lookups + check_host.lookups
    );
}
