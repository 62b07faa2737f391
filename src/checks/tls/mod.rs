//! The TLS family: certificate chain, host names, expiry, key strength, protocol versions and
//! HSTS. The certificate checks share the prober's one cached handshake per host
//! (`ctx.net.tls.probe`), so the family costs one connection per host for them together.

pub mod chain;
pub mod expiry;
pub mod hostname;
pub mod hsts;
pub mod key;
pub mod versions;

use std::future::Future;

use crate::check::{CheckMeta, Finding, Subject};
use crate::net::tls::{Handshake, TlsProbe};

/// Runs `judge` for every host concurrently and returns the findings in host order.
pub(crate) async fn per_host<F, Fut>(hosts: &[String], judge: F) -> Vec<Finding>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<Finding>>,
{
    futures::future::join_all(hosts.iter().cloned().map(judge))
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The handshake of a probe, or the error finding saying why there is none.
pub(crate) fn handshake_or_error<'a>(
    meta: &'static CheckMeta,
    probe: &'a TlsProbe,
) -> Result<&'a Handshake, Box<Finding>> {
    match &probe.result {
        Ok(handshake) => Ok(handshake),
        Err(e) => Err(Box::new(Finding::error(
            meta,
            Subject::host(&probe.host),
            format!("no certificate from {}: {e}", probe.host),
        )
        .evidence("dialled", dialled(probe))
        .remediation(
            "make the host answer TLS on its HTTPS port (check DNS, the listener and the certificate configuration)",
        ))),
    }
}

/// `127.0.0.1:8443 (SNI acme.test)`, or the host and port when no connection was made.
pub(crate) fn dialled(probe: &TlsProbe) -> String {
    match probe.addr {
        Some(addr) => format!("{addr} (SNI {})", probe.host),
        None => format!("{} port {}", probe.host, probe.port),
    }
}

/// The negotiated version and cipher, for evidence.
pub(crate) fn negotiated(handshake: &Handshake) -> String {
    match (&handshake.version, &handshake.cipher, &handshake.completed) {
        (Some(v), Some(c), _) => format!("{v}, {c}"),
        (Some(v), None, _) => v.clone(),
        (None, _, Err(e)) => format!("handshake did not complete: {e}"),
        (None, _, Ok(())) => "unknown".into(),
    }
}
