//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod mx;
mod spf;
mod latency;
mod auth_cache;
mod canonical_host;
mod cookie_flags;
mod dns_dangling_cname;
mod dns_resolve;
mod hostile;
mod https_redirect;
mod mixed_content;
mod redirect_map;
mod security_headers;
mod shared_pages;
mod uptime;
mod version_disclosure;
