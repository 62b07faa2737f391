//! Every check, one module each (or a folder per family). The registry in `check::registry` lists
//! them in order.

pub mod email;
pub mod latency;
pub mod domain;
pub mod uptime;
pub mod web;
