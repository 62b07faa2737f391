//! The one integration-test binary: drives the real `launchready` binary and the library against
//! servers started on loopback.

mod checks;
mod cli;
mod config;
mod readme;
mod report;
mod runner;
mod session;
mod support;
