//! Benchmark driver for the `latency` sampler (run by `bench/latency.sh`; loopback only).
//!
//! `latency_bench serve DELAY_MS` serves `GET /delay` on 127.0.0.1:0, answering exactly DELAY_MS
//! after the handler starts (an OS-thread timer, not tokio's millisecond wheel), and prints its
//! address; `latency_bench sample URL RATE SAMPLES` runs launchready's open-loop sampler against
//! URL and prints one line of figures.

use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use launchready::check::metrics::ms;
use launchready::checks::latency::{Plan, metrics, sample};
use launchready::net::{HttpRequest, Net};

fn usage() -> ! {
    eprintln!("usage: latency_bench serve DELAY_MS | sample URL RATE SAMPLES");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", delay] => serve(delay.parse().unwrap_or_else(|_| usage())).await,
        ["sample", url, rate, samples] => {
            let rate: f64 = rate.parse().unwrap_or_else(|_| usage());
            let samples: u32 = samples.parse().unwrap_or_else(|_| usage());
            run_sampler(url, rate, samples).await
        }
        _ => usage(),
    }
}

async fn serve(delay_ms: u64) {
    let delay = Duration::from_millis(delay_ms);
    let timer = ExactTimer::start();
    let app = axum::Router::new().route(
        "/delay",
        axum::routing::get(move || {
            let timer = timer.clone();
            async move {
                timer.wait_until(Instant::now() + delay).await;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    println!("{}", listener.local_addr().expect("local address"));
    axum::serve(listener, app).await.expect("serve");
}

/// Wakes handlers at their exact deadline: tokio's timer rounds a sleep up to its next
/// millisecond tick, which would blur the injected delay by up to 1 ms, so deadlines go to one OS
/// thread that sleeps on a condition variable (a high-resolution futex timeout) instead.
#[derive(Clone)]
struct ExactTimer {
    shared: Arc<(Mutex<BinaryHeap<Wake>>, Condvar)>,
}

/// One handler waiting for its deadline.
struct Wake {
    at: Instant,
    fire: tokio::sync::oneshot::Sender<()>,
}

impl PartialEq for Wake {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Wake {}

impl PartialOrd for Wake {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wake {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.at.cmp(&self.at)
    }
}

impl ExactTimer {
    fn start() -> Self {
        let timer = ExactTimer {
            shared: Arc::new((Mutex::new(BinaryHeap::new()), Condvar::new())),
        };
        let shared = timer.shared.clone();
        std::thread::spawn(move || {
            let (heap, ready) = &*shared;
            let mut queue = heap.lock().expect("timer lock");
            loop {
                let now = Instant::now();
                while queue.peek().is_some_and(|w| w.at <= now) {
                    if let Some(wake) = queue.pop() {
                        let _ = wake.fire.send(());
                    }
                }
                queue = match queue.peek().map(|w| w.at - now) {
                    Some(wait) => ready.wait_timeout(queue, wait).expect("timer lock").0,
                    None => ready.wait(queue).expect("timer lock"),
                };
            }
        });
        timer
    }

    async fn wait_until(&self, at: Instant) {
        let (fire, fired) = tokio::sync::oneshot::channel();
        {
            let (heap, ready) = &*self.shared;
            heap.lock().expect("timer lock").push(Wake { at, fire });
            ready.notify_one();
        }
        let _ = fired.await;
    }
}

async fn run_sampler(url: &str, rate: f64, samples: u32) {
    let text = format!(
        "[target]\nbase-url = \"{url}\"\nscope = [\"127.0.0.1\"]\n[http]\ntimeout-ms = 10000\n"
    );
    let target = launchready::config::parse(&text, Path::new("bench.toml"), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("bench config: {e}"));
    let net = Arc::new(Net::new(&target).expect("clients build"));
    let plan = Plan {
        warmup: (rate as u32).clamp(5, 200),
        samples,
        rate_per_second: rate,
        stop_by: None,
        admit: None,
    };
    let request = HttpRequest::get(url.parse().expect("a URL"));
    let started = Instant::now();
    let sampled = sample(net, request, None, &plan).await;
    let wall = started.elapsed().as_secs_f64();
    let m = metrics(&sampled, &plan, None);
    let sent = f64::from(plan.warmup + plan.samples);
    println!(
        "launchready rate={rate}/s samples={} good={} errors={} p50={} p95={} p99={} max={} first-byte-p95={} schedule-lag p50={} p99={} max={} achieved={:.0}/s",
        m.samples,
        m.good,
        m.errors,
        ms(m.total.p50_us),
        ms(m.total.p95_us),
        ms(m.total.p99_us),
        ms(m.total.max_us),
        ms(m.first_byte.p95_us),
        ms(m.schedule_lag_p50_us),
        ms(m.schedule_lag_p99_us),
        ms(m.schedule_lag_max_us),
        sent / wall,
    );
}
