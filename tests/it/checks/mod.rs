//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod auth_cache;
mod caa;
mod canonical_host;
mod cookie_flags;
mod dns_dangling_cname;
mod dns_resolve;
mod hostile;
mod hsts;
mod https_redirect;
mod latency;
mod mixed_content;
mod mx;
mod redirect_map;
mod security_headers;
mod shared_pages;
mod spf;
mod tls_chain;
mod tls_expiry;
mod tls_fixture;
mod tls_hostname;
mod tls_key;
mod tls_shared;
mod tls_versions;
mod uptime;
mod version_disclosure;
