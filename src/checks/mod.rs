//! Every check, one module each. The registry in `check::registry` lists them in order.

pub mod secrets;
pub mod uptime;
