//! Every check, one module each (a folder for a family). The registry in `check::registry` lists
//! them in order.

pub mod api;
pub mod caa;
pub mod domain;
pub mod email;
pub mod latency;
pub mod secrets;
pub mod tls;
pub mod uptime;
pub mod web;
