//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod api_bench;
mod api_family;
mod auth_required;
mod cors;
mod credential_redirect;
mod error_leakage;
mod exposed_files;
mod hostile;
mod idor;
mod input_validation;
mod jwt;
mod rate_limit;
mod uptime;
