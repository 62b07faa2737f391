//! Domain + TLS family benchmark: every registered check of Category::Domain and Category::Tls
//! against a loopback target of 10 hosts (one TLS server whose certificate names all ten, our DNS
//! authority), run together on one shared `Net`, then each check alone on a fresh `Net`.
//! Prints the family's wall time, the slowest single check, and connections per host.
//!
//! Run with `cargo bench --bench tls_family` (or `cargo bench --profile dev --bench tls_family`
//! to reuse the test build; dependencies are optimised in dev too). Loopback only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use launchready::check::registry::CHECKS;
use launchready::check::{Category, Context};
use launchready::config::Target;
use launchready::demo::{DnsAuthority, LeafSpec, TestCa};
use launchready::net::Net;
use tokio::net::TcpListener;

const HOSTS: usize = 10;
const ROUNDS: usize = 5;

fn family_ids() -> Vec<&'static str> {
    CHECKS
        .iter()
        .filter(|e| matches!(e.meta.category, Category::Domain | Category::Tls))
        .map(|e| e.meta.id)
        .collect()
}

async fn run_checks(target: &Arc<Target>, ids: &[&str]) -> (Duration, Arc<Net>, usize) {
    let net = Arc::new(Net::new(target).expect("clients build"));
    let ctx = Context {
        target: target.clone(),
        net: net.clone(),
        deadline: tokio::time::Instant::now() + Duration::from_secs(120),
        active: false,
    };
    let checks: Vec<_> = CHECKS
        .iter()
        .filter(|e| ids.contains(&e.meta.id))
        .filter_map(|e| (e.build)(target).ok())
        .collect();
    let started = Instant::now();
    let findings: usize = futures::future::join_all(checks.iter().map(|c| c.run(&ctx)))
        .await
        .iter()
        .map(Vec::len)
        .sum();
    (started.elapsed(), net, findings)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let hosts: Vec<String> = (0..HOSTS).map(|i| format!("h{i}.bench.test")).collect();
    let ca = TestCa::new("Bench Root CA").expect("ca");
    let names: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let leaf = ca.issue(&LeafSpec::valid(&names)).expect("leaf");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "bench" }));
    let acceptor = tokio_rustls::TlsAcceptor::from(leaf.server_config().expect("config"));
    let server = tokio::spawn(launchready::demo::portal::serve_tls(
        listener, acceptor, app,
    ));
    let mut zone = String::from(
        "$ORIGIN bench.test.\n$TTL 60\n@ IN SOA ns.bench.test. h.bench.test. 1 3600 600 86400 60\n@ IN NS ns.bench.test.\nns IN A 127.0.0.1\n@ IN CAA 0 issue \"pki.bench.test\"\n",
    );
    for i in 0..HOSTS {
        zone.push_str(&format!("h{i} IN A 127.0.0.1\n"));
    }
    let dns = DnsAuthority::start(&[("bench.test", &zone)])
        .await
        .expect("dns");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).expect("ca.pem");
    let config = dir.path().join("checks.toml");
    let quoted: Vec<String> = hosts.iter().map(|h| format!("\"{h}\"")).collect();
    std::fs::write(
        &config,
        format!(
            "[target]\nbase-url = \"https://{}\"\nhosts = [{}]\nscope = [\"*.bench.test\"]\n[dns]\nnameservers = [\"{}\"]\n[tls]\nextra-ca = \"ca.pem\"\ncaa-issuer = \"pki.bench.test\"\n[http]\nhttps-port = {port}\n",
            hosts[0],
            quoted.join(", "),
            dns.addr
        ),
    )
    .expect("config");
    let target = Arc::new(
        launchready::config::load(&config, &std::collections::BTreeMap::new()).expect("config"),
    );
    let ids = family_ids();
    println!(
        "domain+TLS family on {HOSTS} loopback hosts: {}",
        ids.join(", ")
    );

    let mut family = Vec::new();
    let mut last_net = None;
    for _ in 0..ROUNDS {
        let (elapsed, net, findings) = run_checks(&target, &ids).await;
        assert_eq!(
            findings,
            ids.len() * HOSTS,
            "one finding per check and host"
        );
        family.push(elapsed);
        last_net = Some(net);
    }
    let mut singles = Vec::new();
    for id in &ids {
        let mut samples = Vec::new();
        for _ in 0..ROUNDS {
            samples.push(run_checks(&target, &[id]).await.0);
        }
        singles.push((*id, median(samples)));
    }
    let family = median(family);
    for (id, elapsed) in &singles {
        println!(
            "  {id:<14} alone: {:>8.1} ms (median of {ROUNDS})",
            elapsed.as_secs_f64() * 1e3
        );
    }
    let (slowest_id, slowest) = singles.iter().max_by_key(|(_, d)| *d).expect("checks");
    println!(
        "family together: {:.1} ms (median of {ROUNDS}); slowest single check {slowest_id}: {:.1} ms; ratio {:.2}",
        family.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
        family.as_secs_f64() / slowest.as_secs_f64()
    );
    let net = last_net.expect("a family run");
    for host in &hosts {
        let counts = net.tls.counts_for(host);
        println!(
            "  {host}: shared handshakes {} (chain/hostname/expiry/key/caa), TLS 1.2-only {}, legacy hellos {}",
            counts.shared, counts.restricted, counts.legacy
        );
        assert_eq!(counts.shared, 1);
    }
    server.abort();
}
