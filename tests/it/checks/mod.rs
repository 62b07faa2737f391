//! Each check against the demo world's flawed and hardened variants, and against fixtures that
//! bring out one rule at a time.

mod secrets;
mod uptime;
