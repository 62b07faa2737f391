//! The scope guard for active probes: a host allow-list, a per-run request budget and a per-host
//! request rate. Every active probe asks [`Scope::admit`] before each request.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{HostPattern, HttpSettings};

/// Why a probe request may not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// The host is not in `[target] scope`.
    #[error("{0} is outside the target's scope")]
    OutOfScope(String),
    /// The run's request budget for active probes is spent.
    #[error("the run's active-probe budget of {0} requests is spent")]
    BudgetSpent(u32),
}

/// Allow-list, budget and rate for active probes.
pub struct Scope {
    patterns: Vec<HostPattern>,
    budget: u32,
    remaining: AtomicU32,
    rate: DefaultKeyedRateLimiter<String>,
}

impl Scope {
    /// A guard for the target's scope and `[http]` limits.
    pub fn new(patterns: Vec<HostPattern>, http: &HttpSettings) -> Self {
        let per_second = NonZeroU32::new(http.requests_per_second).unwrap_or(NonZeroU32::MIN);
        Scope {
            patterns,
            budget: http.request_budget,
            remaining: AtomicU32::new(http.request_budget),
            rate: RateLimiter::keyed(Quota::per_second(per_second)),
        }
    }

    /// True when `host` is in scope.
    pub fn allows(&self, host: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(host))
    }

    /// Waits for the host's rate, then spends one request of the budget.
    pub async fn admit(&self, host: &str) -> Result<(), ScopeError> {
        if !self.allows(host) {
            return Err(ScopeError::OutOfScope(host.to_string()));
        }
        self.remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .map_err(|_| ScopeError::BudgetSpent(self.budget))?;
        self.rate.until_key_ready(&host.to_ascii_lowercase()).await;
        Ok(())
    }

    /// Requests left in the budget.
    pub fn remaining(&self) -> u32 {
        self.remaining.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HttpSettings;
    use std::time::Duration;

    fn http(budget: u32) -> HttpSettings {
        HttpSettings {
            http_port: None,
            https_port: None,
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            max_body_bytes: 1024,
            max_redirects: 5,
            user_agent: "t".into(),
            requests_per_second: 1000,
            request_budget: budget,
        }
    }

    #[tokio::test]
    async fn refuses_off_scope_hosts_and_spent_budgets() {
        let scope = Scope::new(vec![HostPattern::new("*.acme.test")], &http(2));
        assert_eq!(
            scope.admit("evil.test").await,
            Err(ScopeError::OutOfScope("evil.test".into()))
        );
        assert!(scope.admit("api.acme.test").await.is_ok());
        assert!(scope.admit("api.acme.test").await.is_ok());
        assert_eq!(
            scope.admit("api.acme.test").await,
            Err(ScopeError::BudgetSpent(2))
        );
    }
}
