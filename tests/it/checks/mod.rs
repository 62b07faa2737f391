//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod dkim;
mod dmarc;
mod email_family;
mod email_fixture;
mod mta_sts;
mod tls_rpt;
mod uptime;
