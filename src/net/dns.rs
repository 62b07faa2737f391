//! The audit's DNS resolver: hickory, optionally pointed at `ip:port`, with a per-run cache.
//!
//! The resolver's own cache is off; ours keys answers by (name, type) so each name is asked once
//! per run while callers (SPF lookup accounting) still see every lookup they make. NXDOMAIN and
//! NODATA are told apart because SPF void-lookup counting needs both.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
pub use hickory_resolver::proto::rr::{RData, Record, RecordType};
use tokio::sync::{Mutex, OnceCell};

use crate::config::DnsSettings;

/// How a query ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsOutcome {
    /// The name has records of the type (see `records`).
    Answer,
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no records of the type.
    NoData,
    /// The query failed: timeout, SERVFAIL, REFUSED, network error.
    Failed(String),
}

/// The answer to one (name, type) query.
#[derive(Debug, Clone)]
pub struct DnsAnswer {
    /// The name asked, fully qualified without the trailing dot.
    pub name: String,
    /// The type asked.
    pub record_type: RecordType,
    /// How it ended.
    pub outcome: DnsOutcome,
    /// Answer records, CNAMEs of the chain included.
    pub records: Vec<Record>,
}

impl DnsAnswer {
    /// True for NXDOMAIN or NODATA: the "void lookup" of RFC 7208 §4.6.4.
    pub fn is_void(&self) -> bool {
        matches!(self.outcome, DnsOutcome::NxDomain | DnsOutcome::NoData)
    }

    /// Address records (A or AAAA) in the answer.
    pub fn ips(&self) -> Vec<IpAddr> {
        self.records
            .iter()
            .filter_map(|r| r.data.ip_addr())
            .collect()
    }

    /// TXT strings, each record's character-strings concatenated byte for byte (RFC 7208 §3.3).
    pub fn txt(&self) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(txt) => {
                    let bytes: Vec<u8> = txt
                        .txt_data
                        .iter()
                        .flat_map(|s| s.iter().copied())
                        .collect();
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                }
                _ => None,
            })
            .collect()
    }

    /// CNAME targets in the chain, in order.
    pub fn cnames(&self) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::CNAME(c) => Some(c.0.to_ascii().trim_end_matches('.').to_string()),
                _ => None,
            })
            .collect()
    }
}

type Key = (String, RecordType);

/// The shared resolver with its per-run cache.
pub struct Dns {
    resolver: TokioResolver,
    cache: Mutex<HashMap<Key, Arc<OnceCell<DnsAnswer>>>>,
    sent: AtomicU64,
    asked: AtomicU64,
}

/// Why the resolver could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the DNS resolver: {0}")]
pub struct DnsSetupError(String);

impl Dns {
    /// Builds the resolver from the `[dns]` settings.
    pub fn new(settings: &DnsSettings) -> Result<Self, DnsSetupError> {
        let mut builder = if settings.nameservers.is_empty() {
            TokioResolver::builder_tokio().map_err(|e| DnsSetupError(e.to_string()))?
        } else {
            let servers = settings
                .nameservers
                .iter()
                .map(|addr| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = addr.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = addr.port();
                    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                })
                .collect();
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(servers),
                TokioRuntimeProvider::default(),
            )
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.cache_size = 0;
        opts.timeout = settings.timeout;
        opts.attempts = 1;
        opts.preserve_intermediates = true;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        let resolver = builder.build().map_err(|e| DnsSetupError(e.to_string()))?;
        Ok(Dns {
            resolver,
            cache: Mutex::new(HashMap::new()),
            sent: AtomicU64::new(0),
            asked: AtomicU64::new(0),
        })
    }

    /// Queries `name` for `record_type`, once per run.
    pub async fn lookup(&self, name: &str, record_type: RecordType) -> DnsAnswer {
        self.asked.fetch_add(1, Ordering::Relaxed);
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let cell = {
            let mut cache = self.cache.lock().await;
            cache
                .entry((name.clone(), record_type))
                .or_default()
                .clone()
        };
        cell.get_or_init(|| self.query(name, record_type))
            .await
            .clone()
    }

    async fn query(&self, name: String, record_type: RecordType) -> DnsAnswer {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let fqdn = format!("{name}.");
        let (outcome, records) = match self.resolver.lookup(fqdn.as_str(), record_type).await {
            Ok(lookup) => {
                let records = lookup.answers().to_vec();
                let has_type = records.iter().any(|r| r.record_type() == record_type);
                let outcome = if has_type || record_type == RecordType::CNAME && !records.is_empty()
                {
                    DnsOutcome::Answer
                } else {
                    DnsOutcome::NoData
                };
                (outcome, records)
            }
            Err(e) if e.is_nx_domain() => (DnsOutcome::NxDomain, Vec::new()),
            Err(e) if e.is_no_records_found() => (DnsOutcome::NoData, Vec::new()),
            Err(e) => (DnsOutcome::Failed(e.to_string()), Vec::new()),
        };
        tracing::debug!(%name, ?record_type, ?outcome, "dns");
        DnsAnswer {
            name,
            record_type,
            outcome,
            records,
        }
    }

    /// A and AAAA addresses of `host`, following CNAMEs; empty when none.
    pub async fn ips(&self, host: &str) -> Result<Vec<IpAddr>, DnsAnswer> {
        let v4 = self.lookup(host, RecordType::A).await;
        let v6 = self.lookup(host, RecordType::AAAA).await;
        let mut ips = v4.ips();
        ips.extend(v6.ips());
        if ips.is_empty() {
            if let DnsOutcome::Failed(_) = v4.outcome {
                return Err(v4);
            }
            if v4.outcome == DnsOutcome::NxDomain {
                return Err(v4);
            }
        }
        Ok(ips)
    }

    /// Number of lookups callers asked for this run, cache hits included.
    pub fn lookups_asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }

    /// Number of distinct (name, type) pairs asked this run: the fewest queries that answer them.
    pub async fn distinct_lookups(&self) -> usize {
        self.cache.lock().await.len()
    }

    /// Number of queries actually sent this run (cache misses).
    pub fn queries_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}
