//! Structured measurements a finding can carry beside its message and evidence, so reports can
//! render them (a compact line in the table, a histogram in Markdown, every field in JSON).
//!
//! Values are integers (microseconds, counts) so findings stay comparable and snapshots exact.

use serde::Serialize;

/// A measurement attached to a finding; tagged by `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Metrics {
    /// A latency distribution sampled from one subject.
    Latency(LatencyMetrics),
}

/// A sampled latency distribution: counts, percentiles and a coarse histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LatencyMetrics {
    /// Requests sent and recorded (warm-up excluded).
    pub samples: u64,
    /// Samples that got a non-error answer; only these are in the percentiles.
    pub good: u64,
    /// Samples that failed: no answer, or a status of 400 or above.
    pub errors: u64,
    /// The p95 budget the distribution is judged against, in microseconds.
    pub budget_us: Option<u64>,
    /// Requests per second on the sampling schedule, times 1000.
    pub rate_milli_per_second: u64,
    /// Time from each request's intended start to the end of its body.
    pub total: Percentiles,
    /// Time from each request's intended start to its response headers.
    pub first_byte: Percentiles,
    /// Median delay of a request's departure after its schedule slot, in microseconds.
    pub schedule_lag_p50_us: u64,
    /// 99th percentile of that departure delay: the sampler's own overhead, in microseconds.
    pub schedule_lag_p99_us: u64,
    /// The latest any request left relative to its schedule slot, in microseconds.
    pub schedule_lag_max_us: u64,
    /// Good samples per latency bucket, lowest first; a bucket holds values up to its bound.
    pub histogram: Vec<Bucket>,
}

impl LatencyMetrics {
    /// Failed samples as a fraction of all samples (0 when nothing was sent).
    pub fn error_rate(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.errors as f64 / self.samples as f64
        }
    }
}

/// A percentile summary, every value in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// Fastest sample.
    pub min_us: u64,
    /// Arithmetic mean.
    pub mean_us: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 95th percentile.
    pub p95_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Slowest sample.
    pub max_us: u64,
}

/// One histogram bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Inclusive upper bound, in microseconds.
    pub up_to_us: u64,
    /// Samples in the bucket.
    pub count: u64,
}

/// Microseconds as milliseconds with one decimal, e.g. `12.3 ms`.
pub fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

/// Microseconds as whole milliseconds when they are (`300 ms`), else as [`ms`] does.
pub fn whole_ms(us: u64) -> String {
    if us.is_multiple_of(1000) {
        format!("{} ms", us / 1000)
    } else {
        ms(us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_keep_one_decimal() {
        assert_eq!(ms(12_345), "12.3 ms");
        assert_eq!(ms(0), "0.0 ms");
        assert_eq!(whole_ms(300_000), "300 ms");
        assert_eq!(whole_ms(1_500), "1.5 ms");
    }

    #[test]
    fn error_rate_is_a_fraction_of_samples() {
        let metrics = LatencyMetrics {
            samples: 40,
            good: 38,
            errors: 2,
            budget_us: None,
            rate_milli_per_second: 10_000,
            total: Percentiles::default(),
            first_byte: Percentiles::default(),
            schedule_lag_p50_us: 0,
            schedule_lag_p99_us: 0,
            schedule_lag_max_us: 0,
            histogram: Vec::new(),
        };
        assert!((metrics.error_rate() - 0.05).abs() < 1e-9);
    }
}
