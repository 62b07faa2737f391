//! Benchmark of the API family on the demo portal (ignored by default; run with
//! `cargo test --test it api_bench -- --ignored --nocapture`): requests sent per check, and the
//! wall time of the whole family with and without --active.

use std::sync::Arc;
use std::time::Instant;

use launchready::check::registry::CHECKS;
use launchready::check::runner::{self, RunOptions};
use launchready::demo::{DemoWorld, Variant};
use launchready::net::Net;

const API: &[&str] = &[
    "auth-required",
    "idor",
    "cors",
    "exposed-files",
    "error-leakage",
    "jwt",
    "input-validation",
    "rate-limit",
];

/// Runs `only` against a fresh world and clients; returns (requests sent, logins, milliseconds).
async fn measure(variant: Variant, only: &[&str], active: bool) -> (u64, u64, u128) {
    let world = DemoWorld::start(variant).await.unwrap();
    let target = launchready::config::load(&world.config_path, &world.env).unwrap();
    let net = Arc::new(Net::new(&target).unwrap());
    let options = RunOptions {
        active,
        only: only.iter().map(|s| s.to_string()).collect(),
        ..RunOptions::default()
    };
    let start = Instant::now();
    let rows = runner::run(CHECKS, Arc::new(target), net.clone(), &options).await;
    let elapsed = start.elapsed().as_millis();
    assert_eq!(rows.len(), only.len());
    (net.http.requests_sent(), net.sessions.logins(), elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run on demand with --ignored --nocapture"]
async fn api_bench() {
    for variant in [Variant::Flawed, Variant::Hardened] {
        for id in API {
            let (sent, logins, ms) = measure(variant, &[id], true).await;
            assert!(sent > 0, "{id} sent nothing");
            eprintln!("{variant:?} {id}: {sent} requests ({logins} logins), {ms} ms");
        }
        for active in [false, true] {
            let (sent, logins, ms) = measure(variant, API, active).await;
            eprintln!(
                "{variant:?} API family active={active}: {sent} requests ({logins} logins), {ms} ms"
            );
        }
    }
}
