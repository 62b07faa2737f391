//! The audit's trust store: the web PKI roots plus the config's extra CA, shared by the HTTP client
//! and the TLS checks.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::config::TlsSettings;

/// Why the trust store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The extra CA file could not be read or holds no certificate.
    #[error("{path}: {message}")]
    ExtraCa {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Root certificates the audit trusts.
#[derive(Clone)]
pub struct TrustStore {
    roots: Arc<RootCertStore>,
    /// True when an extra CA from the config is included.
    pub has_extra_ca: bool,
}

impl TrustStore {
    /// webpki-roots plus the extra CA file, if any.
    pub fn new(settings: &TlsSettings) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = &settings.extra_ca {
            let err = |message: String| TrustError::ExtraCa {
                path: path.display().to_string(),
                message,
            };
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| err(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| err(e.to_string()))?;
            if certs.is_empty() {
                return Err(err("no PEM certificate found".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| err(e.to_string()))?;
            }
        }
        Ok(TrustStore {
            roots: Arc::new(roots),
            has_extra_ca: settings.extra_ca.is_some(),
        })
    }

    /// A trust store from DER certificates (for the demo and tests, which make their own CA).
    pub fn with_extra_roots(extra: &[CertificateDer<'static>]) -> Self {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in extra {
            let _ = roots.add(cert.clone());
        }
        TrustStore {
            roots: Arc::new(roots),
            has_extra_ca: !extra.is_empty(),
        }
    }

    /// The roots.
    pub fn roots(&self) -> Arc<RootCertStore> {
        self.roots.clone()
    }

    /// A rustls client config verifying against these roots, offering HTTP/1.1.
    pub fn client_config(&self) -> rustls::ClientConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(self.roots.clone())
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}
