//! The portal's TLS face for the TLS and CAA checks.
//!
//! Hardened: one trusted certificate for every host, only TLS 1.2/1.3 (rustls), and
//! `Strict-Transport-Security: max-age=63072000; includeSubDomains; preload`.
//! Flawed: certificates chosen by SNI — the apex, www and status share a trusted certificate that
//! expires in 5 days; api gets one from an untrusted CA, for another name, with a 1024-bit RSA key;
//! legacy ClientHellos (TLS 1.0/1.1) are answered with a ServerHello before rustls sees them; no
//! HSTS.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::{Variant, serve_tls_connection};
use crate::demo::pki::{LeafSpec, TestCa};
use crate::demo::{APEX, HOSTS};

/// The CAA issuer-domain the demo config declares for the demo CA (`[tls] caa-issuer`).
pub const DEMO_CAA_ISSUER: &str = "pki.acme.test";

/// The apex CAA record of the demo zone: the flawed variant allows only Let's Encrypt, which did
/// not issue the demo's certificates.
pub fn caa_record(variant: Variant) -> String {
    let issuer = match variant {
        Variant::Flawed => "letsencrypt.org",
        Variant::Hardened => DEMO_CAA_ISSUER,
    };
    format!("@ IN CAA 0 issue \"{issuer}\"\n@ IN CAA 0 iodef \"mailto:security@{APEX}\"\n")
}

/// Picks the certificate by SNI, falling back to a default.
pub struct SniCertificates {
    by_name: HashMap<String, Arc<CertifiedKey>>,
    fallback: Arc<CertifiedKey>,
}

impl fmt::Debug for SniCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SniCertificates")
            .field("names", &self.by_name.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ResolvesServerCert for SniCertificates {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = client_hello.server_name().map(str::to_ascii_lowercase);
        Some(
            name.and_then(|n| self.by_name.get(&n).cloned())
                .unwrap_or_else(|| self.fallback.clone()),
        )
    }
}

/// The flawed variant's forgotten host: an untrusted CA, another name and a 1024-bit RSA key.
pub const LEGACY_HOST: &str = "legacy.acme.test";

/// The HTTPS server config of the variant, with certificates issued by `ca`.
pub fn server_config(variant: Variant, ca: &TestCa) -> Result<Arc<rustls::ServerConfig>, String> {
    let err = |e: &dyn fmt::Display| e.to_string();
    let resolver = match variant {
        Variant::Hardened => {
            let leaf = ca.issue(&LeafSpec::valid(HOSTS)).map_err(|e| err(&e))?;
            SniCertificates {
                by_name: HashMap::new(),
                fallback: leaf.certified_key().map_err(|e| err(&e))?,
            }
        }
        Variant::Flawed => {
            let names: Vec<&str> = HOSTS
                .iter()
                .copied()
                .filter(|host| *host != LEGACY_HOST)
                .collect();
            let expiring = ca
                .issue(&LeafSpec::expiring_in(&names, 5))
                .map_err(|e| err(&e))?;
            let rogue = TestCa::new("Rogue Issuing CA").map_err(|e| err(&e))?;
            let api = rogue
                .issue_with_rsa1024_key(&LeafSpec::valid(&["old-portal.acme.test"]))
                .map_err(|e| err(&e))?;
            SniCertificates {
                by_name: HashMap::from([(
                    LEGACY_HOST.to_string(),
                    api.certified_key().map_err(|e| err(&e))?,
                )]),
                fallback: expiring.certified_key().map_err(|e| err(&e))?,
            }
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err(&e))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

async fn strict_transport_security(
    State(variant): State<Variant>,
    mut response: Response,
) -> Response {
    if variant == Variant::Hardened {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains; preload"),
        );
    }
    response
}

/// Serves the HTTPS app: adds the variant's HSTS header and, in the flawed variant, answers
/// legacy ClientHellos itself.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    variant: Variant,
) {
    let app = app.layer(axum::middleware::map_response_with_state(
        variant,
        strict_transport_security,
    ));
    let acceptor = TlsAcceptor::from(tls);
    let mut connections = JoinSet::new();
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        connections.spawn(async move {
            if variant == Variant::Flawed && answered_legacy_hello(&mut stream).await {
                return;
            }
            serve_tls_connection(stream, acceptor, app).await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// The ClientHello version of a peeked first record, when it is a handshake record.
pub fn hello_version(peeked: &[u8]) -> Option<u16> {
    match peeked {
        [0x16, 0x03, _, _, _, 0x01, _, _, _, major, minor, ..] => {
            Some(u16::from_be_bytes([*major, *minor]))
        }
        _ => None,
    }
}

/// A TLS 1.0-era ServerHello agreeing to `version` with TLS_RSA_WITH_AES_128_CBC_SHA.
pub fn legacy_server_hello(version: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend([0x5a; 32]);
    body.push(0);
    body.extend([0x00, 0x2f, 0x00]);
    let mut handshake = vec![0x02, 0x00, 0x00, body.len() as u8];
    handshake.extend(body);
    let mut record = vec![0x16];
    record.extend(version.to_be_bytes());
    record.extend((handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

/// Peeks at the ClientHello; a TLS 1.0 or 1.1 one gets a fake ServerHello and the connection
/// ends there (SSL 3.0 gets a handshake_failure alert). Returns true when it answered.
async fn answered_legacy_hello(stream: &mut TcpStream) -> bool {
    let mut peeked = [0u8; 11];
    let peek = async {
        loop {
            match stream.peek(&mut peeked).await {
                Ok(n) if n >= peeked.len() => return hello_version(&peeked),
                Ok(0) | Err(_) => return None,
                Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    };
    let Ok(version) = tokio::time::timeout(Duration::from_secs(5), peek).await else {
        return false;
    };
    let reply = match version {
        Some(v @ (0x0301 | 0x0302)) => legacy_server_hello(v),
        Some(0x0300) => vec![0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 40],
        _ => return false,
    };
    let _ = stream.write_all(&reply).await;
    let _ = stream.shutdown().await;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::legacy::{self, LegacyAnswer, LegacyVersion};

    #[test]
    fn recognises_legacy_hellos_and_answers_them() {
        let hello = legacy::client_hello(LegacyVersion::Tls11, Some("acme.test"), [1; 32]);
        assert_eq!(hello_version(&hello), Some(0x0302));
        assert_eq!(hello_version(b"GET / HTTP/1.1\r\n"), None);
        assert_eq!(
            legacy::parse_answer(&legacy_server_hello(0x0301)),
            LegacyAnswer::Hello {
                version: 0x0301,
                cipher: 0x002f
            }
        );
    }
}
