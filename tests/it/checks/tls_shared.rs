//! The certificate checks share one handshake per host: chain, hostname, expiry, key and caa
//! together make exactly one shared TLS connection to each host of the demo.

use std::sync::Arc;
use std::time::Duration;

use launchready::check::registry;
use launchready::check::{Context, Status};
use launchready::demo::{DemoWorld, Variant};

#[tokio::test]
async fn certificate_checks_share_one_handshake_per_host() {
    let world = DemoWorld::start(Variant::Hardened).await.unwrap();
    let target = launchready::config::load(&world.config_path, &world.env).unwrap();
    let net = Arc::new(launchready::net::Net::new(&target).unwrap());
    let target = Arc::new(target);
    let ctx = Context {
        target: target.clone(),
        net: net.clone(),
        deadline: tokio::time::Instant::now() + Duration::from_secs(60),
        active: false,
    };
    let checks: Vec<_> = ["tls-chain", "tls-hostname", "tls-expiry", "tls-key", "caa"]
        .iter()
        .map(|id| (registry::find(id).unwrap().build)(&target).unwrap())
        .collect();
    let runs = checks.iter().map(|c| c.run(&ctx));
    let findings: Vec<_> = futures::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(findings.len(), 5 * target.hosts.len());
    assert!(findings.iter().all(|f| f.status == Status::Pass));
    for host in &target.hosts {
        let counts = net.tls.counts_for(host);
        assert_eq!(counts.shared, 1, "{host}: {counts:?}");
        assert_eq!(counts.restricted + counts.legacy, 0, "{host}: {counts:?}");
    }
    assert_eq!(net.tls.shared_handshakes(), target.hosts.len() as u64);
}
