//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod caa;
mod hsts;
mod tls_chain;
mod tls_expiry;
mod tls_fixture;
mod tls_hostname;
mod tls_key;
mod tls_shared;
mod tls_versions;
mod uptime;
