//! `latency`: every core endpoint answers within its p95 budget and almost never fails, measured
//! by open-loop sampling.
//!
//! Requests leave on a fixed schedule whatever the server does, and each latency is measured from
//! the request's intended start, so a server that stalls is charged for the queue it builds
//! (coordinated omission, as Gil Tene describes it for wrk2). Values go into an HDR histogram
//! in microseconds.
//!
//! Reference: Google SRE book, "Service Level Objectives" (latency percentiles, error rate); OWASP
//! ASVS V11 (business logic: resources within limits).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hdrhistogram::Histogram;
use reqwest::Method;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use crate::check::metrics::{Bucket, LatencyMetrics, Metrics, Percentiles, ms, whole_ms};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{AuthRequirement, Endpoint, LatencySettings, Target};
use crate::net::{HttpRequest, Net};

/// Metadata of the `latency` check.
pub static META: CheckMeta = CheckMeta {
    id: "latency",
    title: "Core endpoints meet their p95 latency budget",
    category: Category::Operations,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "Users feel the slow tail, not the average: when one request in twenty is over budget, most page views that make several calls hit it.",
    breaks: "Pages stall, clients time out and retry, and a launch-day traffic spike turns a slow tail into an outage.",
    remediation: "Profile the slow endpoint (queries, N+1 calls, missing indexes, cold caches), fix the errors its logs show, and keep p95 under the budget; raise budget-ms only when the budget itself is wrong.",
    references: &[
        "https://sre.google/sre-book/service-level-objectives/",
        "https://github.com/giltene/wrk2",
        "https://docs.rs/hdrhistogram",
        "https://owasp.org/www-project-application-security-verification-standard/",
    ],
};

/// Fewer good samples than this give no verdict: a p95 over a handful of values is noise.
pub const MIN_GOOD_SAMPLES: u64 = 20;

/// Failed samples above this fraction fail the endpoint.
pub const MAX_ERROR_RATE: f64 = 0.01;

/// Buckets in the histogram attached to each finding.
const HISTOGRAM_BUCKETS: u64 = 10;

/// Builds the check when some endpoint is marked `core = true`.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    let core: Vec<Endpoint> = target
        .endpoints
        .iter()
        .filter(|e| e.core)
        .cloned()
        .collect();
    if core.is_empty() {
        return Err(Skip::because(
            "no [[endpoints]] entry has core = true: mark the endpoints users wait on",
        ));
    }
    Ok(Box::new(Latency {
        core,
        settings: target.latency.clone(),
        request_timeout: target.http.timeout,
        probe_rate: target.http.requests_per_second,
    }))
}

struct Latency {
    core: Vec<Endpoint>,
    settings: LatencySettings,
    request_timeout: Duration,
    probe_rate: u32,
}

#[async_trait::async_trait]
impl Check for Latency {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let runs = self.core.iter().map(|endpoint| self.measure(ctx, endpoint));
        futures::future::join_all(runs).await
    }
}

impl Latency {
    async fn measure(&self, ctx: &Context, endpoint: &Endpoint) -> Finding {
        let url = match fill(&endpoint.url, &endpoint.ids) {
            Ok(url) => url,
            Err(reason) => {
                return Finding::inconclusive(
                    &META,
                    Subject::endpoint(&endpoint.method, &endpoint.url),
                    format!("not sampled: {reason}"),
                )
                .remediation("give the endpoint sample `ids` for its placeholders");
            }
        };
        let subject = || Subject::endpoint(&endpoint.method, url.as_str());
        let Ok(method) = Method::from_bytes(endpoint.method.as_bytes()) else {
            return Finding::error(
                &META,
                subject(),
                format!("`{}` is not an HTTP method", endpoint.method),
            );
        };
        let safe = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        let writes = !safe;
        if writes && !(ctx.active && endpoint.disposable) {
            return Finding::inconclusive(
                &META,
                subject(),
                format!(
                    "not sampled: {} would send {} writes; sampling a write needs --active and disposable = true",
                    endpoint.method,
                    self.settings.warmup + self.settings.samples
                ),
            )
            .remediation("mark a read endpoint core, or allow the writes with disposable = true and --active");
        }
        let mut request = HttpRequest::new(method, url.clone());
        if let Some(body) = &endpoint.body {
            request = request.json(body);
        }
        match (&endpoint.identity, endpoint.auth) {
            (Some(identity), _) => {
                // Log in before the clock starts, so the first sample does not carry the login.
                if let Err(e) = ctx.net.sessions.token(&ctx.net.http, identity).await {
                    return Finding::error(&META, subject(), format!("not sampled: {e}"))
                        .remediation(
                            "fix the identity's login so the endpoint can be sampled as it",
                        );
                }
            }
            (None, AuthRequirement::Required) => {
                return Finding::inconclusive(
                    &META,
                    subject(),
                    "not sampled: the endpoint requires auth but names no identity",
                )
                .remediation("set identity = \"…\" on the endpoint, or auth = \"public\"");
            }
            (None, AuthRequirement::Public) => {}
        }
        let mut rate = self.settings.rate_per_second;
        if writes {
            rate = rate.min(f64::from(self.probe_rate.max(1)));
        }
        let stop_by = ctx
            .deadline
            .checked_sub(self.request_timeout + Duration::from_secs(1));
        let plan = Plan {
            warmup: self.settings.warmup,
            samples: self.settings.samples,
            rate_per_second: rate,
            stop_by,
            admit: writes.then(|| url.host_str().unwrap_or_default().to_string()),
        };
        let sampled = sample(ctx.net.clone(), request, endpoint.identity.clone(), &plan).await;
        let budget = endpoint.budget.unwrap_or(self.settings.budget);
        judge(subject(), &sampled, &plan, budget)
    }
}

/// The URL with every `{param}` placeholder replaced by the endpoint's first sample id.
fn fill(template: &str, ids: &[String]) -> Result<Url, String> {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("unclosed placeholder in `{template}`"));
        };
        let Some(id) = ids.first() else {
            return Err(format!(
                "`{template}` has a placeholder and the endpoint has no ids"
            ));
        };
        filled.push_str(&rest[..open]);
        filled.push_str(id);
        rest = &rest[open + close + 1..];
    }
    filled.push_str(rest);
    Url::parse(&filled).map_err(|e| format!("`{filled}` is not a URL: {e}"))
}

/// The sampling schedule for one endpoint.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Requests sent first on the same schedule and not recorded (they open connections).
    pub warmup: u32,
    /// Requests recorded.
    pub samples: u32,
    /// Requests leave every `1 / rate` seconds, whatever the server does.
    pub rate_per_second: f64,
    /// No request is scheduled after this instant (the check's deadline, less a request timeout).
    pub stop_by: Option<Instant>,
    /// When set, each request is first admitted by the scope guard for this host (active writes).
    pub admit: Option<String>,
}

/// What sampling one endpoint observed.
pub struct Sampled {
    /// Good samples: intended start to last body byte, in microseconds.
    pub total: Histogram<u64>,
    /// Good samples: intended start to response headers, in microseconds.
    pub first_byte: Histogram<u64>,
    /// Recorded requests sent.
    pub samples: u64,
    /// Recorded requests that failed.
    pub errors: u64,
    /// Failure kinds (`HTTP 503`, `timed out after 5s`) and how often each occurred.
    pub error_kinds: BTreeMap<String, u64>,
    /// How late each recorded request left after its slot, in microseconds.
    pub lag: Histogram<u64>,
    /// Why fewer requests than planned were sent, if so.
    pub cut_short: Option<String>,
}

/// One request's result, measured from its slot.
struct Outcome {
    recorded: bool,
    total: Duration,
    first_byte: Duration,
    lag: Duration,
    error: Option<String>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_max(3_600_000_000, 3).expect("static histogram bounds are valid")
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Sends `request` on the plan's open-loop schedule and records every answer from its slot.
///
/// Each request runs in its own task, so a slow answer never delays the next departure. With an
/// `identity`, each request goes out as it (`request` carries no credential then), and a session
/// that expires mid-run is renewed by one re-login instead of turning the rest into 401s.
pub async fn sample(
    net: Arc<Net>,
    request: HttpRequest,
    identity: Option<String>,
    plan: &Plan,
) -> Sampled {
    let request = Arc::new(request);
    let interval = Duration::from_secs_f64(1.0 / plan.rate_per_second.max(0.001));
    let slots = plan.warmup + plan.samples;
    let mut sampled = Sampled {
        total: histogram(),
        first_byte: histogram(),
        samples: 0,
        errors: 0,
        error_kinds: BTreeMap::new(),
        lag: histogram(),
        cut_short: None,
    };
    let mut in_flight = JoinSet::new();
    let start = Instant::now();
    let mut ticker = Ticker::start(start.into_std(), interval, slots);
    for slot in 0..slots {
        let intended = start + interval * slot;
        if plan.stop_by.is_some_and(|stop| intended > stop) {
            sampled.cut_short = Some(format!(
                "the check's deadline stopped sampling after {slot} of {slots} requests"
            ));
            break;
        }
        if ticker.next().await {
            while Instant::now() < intended {
                tokio::task::yield_now().await;
            }
        } else {
            tokio::time::sleep_until(intended).await;
        }
        if let Some(host) = &plan.admit
            && let Err(refused) = net.scope.admit(host).await
        {
            sampled.cut_short = Some(format!(
                "stopped after {slot} of {slots} requests: {refused}"
            ));
            break;
        }
        let (net, request, identity) = (net.clone(), request.clone(), identity.clone());
        let recorded = slot >= plan.warmup;
        in_flight.spawn(async move {
            let departed = Instant::now();
            let result = match &identity {
                Some(name) => net
                    .sessions
                    .send_as(&net.http, name, &request)
                    .await
                    .map_err(|e| e.to_string()),
                None => net.http.send(&request).await.map_err(|e| e.to_string()),
            };
            let total = intended.elapsed();
            let lag = departed.saturating_duration_since(intended);
            match result {
                Ok(response) if response.status.as_u16() < 400 => Outcome {
                    recorded,
                    total,
                    first_byte: lag + response.time_to_headers,
                    lag,
                    error: None,
                },
                Ok(response) => Outcome {
                    recorded,
                    total,
                    first_byte: total,
                    lag,
                    error: Some(format!("HTTP {}", response.status.as_u16())),
                },
                Err(e) => Outcome {
                    recorded,
                    total,
                    first_byte: total,
                    lag,
                    error: Some(e),
                },
            }
        });
        while let Some(done) = in_flight.try_join_next() {
            record(&mut sampled, done);
        }
    }
    while let Some(done) = in_flight.join_next().await {
        record(&mut sampled, done);
    }
    sampled
}

fn record(sampled: &mut Sampled, done: Result<Outcome, tokio::task::JoinError>) {
    let outcome = match done {
        Ok(outcome) => outcome,
        Err(e) => Outcome {
            recorded: true,
            total: Duration::ZERO,
            first_byte: Duration::ZERO,
            lag: Duration::ZERO,
            error: Some(format!("sampling task failed: {e}")),
        },
    };
    if !outcome.recorded {
        return;
    }
    sampled.samples += 1;
    sampled.lag.saturating_record(micros(outcome.lag));
    match outcome.error {
        Some(kind) => {
            sampled.errors += 1;
            *sampled.error_kinds.entry(kind).or_default() += 1;
        }
        None => {
            sampled.total.saturating_record(micros(outcome.total));
            sampled
                .first_byte
                .saturating_record(micros(outcome.first_byte));
        }
    }
}

/// How early the ticker wakes the sampler before a slot: enough for a parked runtime worker to
/// wake up, after which the sampler yields until the exact instant.
const TICK_LEAD: Duration = Duration::from_micros(300);

/// Slot ticks from an OS thread: its timed wait is a high-resolution timer (tens of microseconds
/// late), while tokio's timer wheel rounds every sleep up to its next millisecond, and a late
/// departure would be charged to the server. Dropping this ends the thread at once.
struct Ticker {
    ticks: tokio::sync::mpsc::UnboundedReceiver<u32>,
    _stop: std::sync::mpsc::Sender<()>,
}

impl Ticker {
    /// Ticks once for every slot, [`TICK_LEAD`] before `start + interval * slot`.
    fn start(start: std::time::Instant, interval: Duration, slots: u32) -> Self {
        let (tick, ticks) = tokio::sync::mpsc::unbounded_channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let _ = std::thread::Builder::new()
            .name("latency-ticker".into())
            .spawn(move || {
                for slot in 0..slots {
                    let due = (start + interval * slot)
                        .checked_sub(TICK_LEAD)
                        .unwrap_or(start);
                    let wait = due.saturating_duration_since(std::time::Instant::now());
                    let on_time = wait.is_zero()
                        || matches!(
                            stopped.recv_timeout(wait),
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                        );
                    if !on_time || tick.send(slot).is_err() {
                        return;
                    }
                }
            });
        Ticker { ticks, _stop: stop }
    }

    /// Waits for the next slot; false when no ticker thread runs (it could not be started).
    async fn next(&mut self) -> bool {
        self.ticks.recv().await.is_some()
    }
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    if h.is_empty() {
        return Percentiles::default();
    }
    Percentiles {
        min_us: h.min(),
        mean_us: h.mean().round() as u64,
        p50_us: h.value_at_quantile(0.50),
        p90_us: h.value_at_quantile(0.90),
        p95_us: h.value_at_quantile(0.95),
        p99_us: h.value_at_quantile(0.99),
        p999_us: h.value_at_quantile(0.999),
        max_us: h.max(),
    }
}

/// Good samples in equal-width buckets from the fastest to the slowest value.
fn buckets(h: &Histogram<u64>) -> Vec<Bucket> {
    if h.is_empty() {
        return Vec::new();
    }
    let (low, high) = (h.min(), h.max());
    let count = if h.equivalent(low, high) {
        1
    } else {
        HISTOGRAM_BUCKETS
    };
    let mut out: Vec<Bucket> = (1..=count)
        .map(|k| Bucket {
            up_to_us: low + (high - low) * k / count,
            count: 0,
        })
        .collect();
    for value in h.iter_recorded() {
        let v = value.value_iterated_to();
        let index = out
            .iter()
            .position(|b| v <= b.up_to_us)
            .unwrap_or(out.len() - 1);
        out[index].count += value.count_at_value();
    }
    out
}

/// The metrics attached to the finding.
pub fn metrics(sampled: &Sampled, plan: &Plan, budget: Option<Duration>) -> LatencyMetrics {
    LatencyMetrics {
        samples: sampled.samples,
        good: sampled.total.len(),
        errors: sampled.errors,
        budget_us: budget.map(micros),
        rate_milli_per_second: (plan.rate_per_second * 1000.0).round() as u64,
        total: percentiles(&sampled.total),
        first_byte: percentiles(&sampled.first_byte),
        schedule_lag_p50_us: sampled.lag.value_at_quantile(0.50),
        schedule_lag_p99_us: sampled.lag.value_at_quantile(0.99),
        schedule_lag_max_us: sampled.lag.max(),
        histogram: buckets(&sampled.total),
    }
}

fn budget_text(budget: Duration) -> String {
    whole_ms(micros(budget))
}

fn judge(subject: Subject, sampled: &Sampled, plan: &Plan, budget: Duration) -> Finding {
    let m = metrics(sampled, plan, Some(budget));
    let budget_us = micros(budget);
    let rate = plan.rate_per_second;
    let kinds: Vec<String> = sampled
        .error_kinds
        .iter()
        .map(|(kind, n)| format!("{kind} ×{n}"))
        .collect();
    let kinds = kinds.join(", ");
    let errors = if m.errors == 0 {
        format!("0 of {}", m.samples)
    } else {
        format!(
            "{} of {} ({:.1}%): {kinds}",
            m.errors,
            m.samples,
            m.error_rate() * 100.0
        )
    };
    // Failure messages carry no measured figure (those are in the evidence), so a finding keeps
    // its SARIF fingerprint from one run to the next.
    let mut broken = Vec::new();
    let mut fixes = Vec::new();
    if m.samples >= MIN_GOOD_SAMPLES && m.error_rate() > MAX_ERROR_RATE {
        broken.push(format!(
            "the error rate is over the {:.0}% limit (see errors)",
            MAX_ERROR_RATE * 100.0
        ));
        fixes.push(format!(
            "look up the failed requests ({kinds}) in the server's logs and fix their cause"
        ));
    }
    if m.good >= MIN_GOOD_SAMPLES && m.total.p95_us > budget_us {
        broken.push(format!(
            "p95 is over the {} budget (see latency)",
            budget_text(budget)
        ));
        fixes.push(format!(
            "bring p95 under {} (profile queries, add indexes or caching, paginate), or raise budget-ms if the budget is wrong",
            budget_text(budget)
        ));
    }
    let finding = if !broken.is_empty() {
        Finding::fail(&META, subject, broken.join("; ")).remediation(fixes.join("; "))
    } else if m.good < MIN_GOOD_SAMPLES {
        let why = match &sampled.cut_short {
            Some(reason) => reason.clone(),
            None if m.samples < MIN_GOOD_SAMPLES => {
                format!("[latency] samples = {} is too few", plan.samples)
            }
            None => format!("{} of {} samples failed", m.errors, m.samples),
        };
        Finding::inconclusive(
            &META,
            subject,
            format!(
                "no verdict: {} good samples, {MIN_GOOD_SAMPLES} needed for a p95 ({why})",
                m.good
            ),
        )
        .remediation(format!(
            "sample at least {MIN_GOOD_SAMPLES} answers: raise [latency] samples or the check's deadline"
        ))
    } else {
        Finding::pass(
            &META,
            subject,
            format!(
                "p95 {} within the {} budget; {} of {} failed",
                ms(m.total.p95_us),
                budget_text(budget),
                m.errors,
                m.samples
            ),
        )
    };
    let finding = match &sampled.cut_short {
        Some(reason) => finding.evidence("cut short", reason.clone()),
        None => finding,
    };
    finding
        .evidence("latency", compact(&m.total))
        .evidence(
            "first byte",
            format!(
                "p50 {} · p95 {} (headers; total p50 {})",
                ms(m.first_byte.p50_us),
                ms(m.first_byte.p95_us),
                ms(m.total.p50_us)
            ),
        )
        .evidence(
            "samples",
            format!(
                "{} after {} warm-up, open loop at {rate}/s, timed from each request's scheduled start",
                m.samples, plan.warmup
            ),
        )
        .evidence("errors", errors)
        .evidence(
            "schedule lag",
            format!(
                "p50 {} · p99 {} · max {} (departure after the slot: the sampler's own delay)",
                ms(m.schedule_lag_p50_us),
                ms(m.schedule_lag_p99_us),
                ms(m.schedule_lag_max_us)
            ),
        )
        .metrics(Metrics::Latency(m))
}

/// `p50 … · p95 … · p99 … · max …`.
pub fn compact(p: &Percentiles) -> String {
    format!(
        "p50 {} · p95 {} · p99 {} · max {}",
        ms(p.p50_us),
        ms(p.p95_us),
        ms(p.p99_us),
        ms(p.max_us)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampled(values_ms: &[u64], errors: u64) -> Sampled {
        let mut total = histogram();
        let mut first_byte = histogram();
        for v in values_ms {
            total.saturating_record(v * 1000);
            first_byte.saturating_record(v * 1000);
        }
        let mut error_kinds = BTreeMap::new();
        if errors > 0 {
            error_kinds.insert("HTTP 500".to_string(), errors);
        }
        Sampled {
            total,
            first_byte,
            samples: values_ms.len() as u64 + errors,
            errors,
            error_kinds,
            lag: histogram(),
            cut_short: None,
        }
    }

    fn plan(samples: u32) -> Plan {
        Plan {
            warmup: 0,
            samples,
            rate_per_second: 10.0,
            stop_by: None,
            admit: None,
        }
    }

    fn subject() -> Subject {
        Subject::endpoint("GET", "https://acme.test/api")
    }

    #[test]
    fn fast_and_clean_passes() {
        let s = sampled(&[5; 50], 0);
        let f = judge(subject(), &s, &plan(50), Duration::from_millis(500));
        assert_eq!(f.status, crate::check::Status::Pass, "{}", f.message);
        assert!(f.metrics.is_some());
    }

    #[test]
    fn p95_over_budget_fails_high() {
        let mut values = vec![10; 45];
        values.extend([900; 5]);
        let f = judge(
            subject(),
            &sampled(&values, 0),
            &plan(50),
            Duration::from_millis(500),
        );
        assert_eq!(f.status, crate::check::Status::Fail);
        assert_eq!(f.severity, Severity::High);
        assert!(
            f.message.contains("over the 500 ms budget"),
            "{}",
            f.message
        );
    }

    #[test]
    fn one_error_in_fifty_fails_but_none_passes() {
        let f = judge(
            subject(),
            &sampled(&[5; 49], 1),
            &plan(50),
            Duration::from_secs(1),
        );
        assert_eq!(f.status, crate::check::Status::Fail);
        assert!(
            f.message.contains("error rate is over the 1% limit"),
            "{}",
            f.message
        );
        assert!(f.evidence.iter().any(|e| e.value.contains("HTTP 500 ×1")));
    }

    #[test]
    fn too_few_good_samples_give_no_verdict() {
        let f = judge(
            subject(),
            &sampled(&[5; 10], 0),
            &plan(10),
            Duration::from_secs(1),
        );
        assert_eq!(f.status, crate::check::Status::Inconclusive);
        assert!(f.message.contains("10 good samples"), "{}", f.message);
        assert!(f.message.contains("samples = 10"), "{}", f.message);
    }

    #[test]
    fn buckets_cover_every_good_sample_in_order() {
        let s = sampled(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], 0);
        let b = buckets(&s.total);
        assert_eq!(b.len() as u64, HISTOGRAM_BUCKETS);
        assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), 11);
        assert!(b.windows(2).all(|w| w[0].up_to_us < w[1].up_to_us));
        assert_eq!(b[0].count, 10, "{b:?}");
        assert_eq!(b.last().map(|b| b.count), Some(1));
        assert_eq!(buckets(&sampled(&[7; 3], 0).total).len(), 1);
    }

    #[test]
    fn placeholders_take_the_first_id() {
        let ids = vec!["inv-1".to_string(), "inv-2".to_string()];
        let url = fill("https://acme.test/api/invoices/{id}/lines", &ids).unwrap();
        assert_eq!(url.as_str(), "https://acme.test/api/invoices/inv-1/lines");
        assert!(fill("https://acme.test/api/{id}", &[]).is_err());
        assert!(fill("https://acme.test/api/{id", &ids).is_err());
    }
}
