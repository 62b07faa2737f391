//! TLS for the audit: the trust store (web PKI roots plus the config's extra CA, shared by the HTTP
//! client and the TLS checks) and the TLS prober.
//!
//! The prober does one rustls handshake per host:port with SNI, through a recording certificate
//! verifier that wraps rustls' webpki verifier: it keeps the presented chain and webpki's verdict and
//! lets the handshake finish, so one connection yields the chain, the verdict, the negotiated
//! version and the cipher suite. Results are cached per run, so tls-chain, tls-hostname, tls-expiry,
//! tls-key and caa share one handshake per host. Legacy versions (SSL 3.0, TLS 1.0/1.1), which rustls
//! cannot speak, are probed with a hand-built ClientHello ([`legacy`]).

pub mod cert;
pub mod legacy;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio::sync::OnceCell;

use super::dns::Dns;
use crate::config::{HttpSettings, TlsSettings};

pub use cert::{CertInfo, KeyInfo, KeyKind};
pub use legacy::{LegacyAnswer, LegacyVersion};

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

/// Why a probe got no certificate from the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {message}")]
    Dns {
        /// The host.
        host: String,
        /// What the resolver said.
        message: String,
    },
    /// No TCP connection could be made.
    #[error("cannot connect to {addr}: {message}")]
    Connect {
        /// The address dialled (the last one tried).
        addr: String,
        /// The socket error.
        message: String,
    },
    /// The server did not answer in time.
    #[error("no TLS answer within {0:?}")]
    Timeout(Duration),
    /// The server answered, but not with a certificate: an alert, garbage or a reset.
    #[error("TLS handshake failed before a certificate arrived: {0}")]
    Handshake(String),
}

/// What one handshake showed, once the server presented a certificate.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// The presented chain, leaf first, parsed; an unparsable certificate is an `Err`.
    pub chain: Vec<Result<CertInfo, String>>,
    /// webpki's verdict for this host at this moment: trust, validity dates and name.
    pub verdict: Result<(), String>,
    /// Whether the chain leads to a trusted root, validity dates and name set aside (webpki run at
    /// a moment inside the leaf's validity when the dates are what failed).
    pub trust: Result<(), String>,
    /// The server's handshake signature could not be verified with the leaf's key.
    pub signature_error: Option<String>,
    /// Negotiated protocol version, such as `TLS 1.3`, when the handshake completed.
    pub version: Option<String>,
    /// Negotiated cipher suite, when the handshake completed.
    pub cipher: Option<String>,
    /// How the handshake ended after the certificate.
    pub completed: Result<(), String>,
}

impl Handshake {
    /// The parsed leaf certificate.
    pub fn leaf(&self) -> Result<&CertInfo, String> {
        match self.chain.first() {
            Some(Ok(leaf)) => Ok(leaf),
            Some(Err(e)) => Err(e.clone()),
            None => Err("the server sent an empty certificate chain".into()),
        }
    }
}

/// The result of probing one host:port.
#[derive(Debug, Clone)]
pub struct TlsProbe {
    /// The host, used for SNI.
    pub host: String,
    /// The port dialled.
    pub port: u16,
    /// The address connected to, when a connection was made.
    pub addr: Option<SocketAddr>,
    /// The handshake, or why no certificate arrived.
    pub result: Result<Handshake, ProbeError>,
}

/// Connections the prober made to one host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandshakeCounts {
    /// Shared (cached) handshakes: at most one per host:port per run.
    pub shared: u64,
    /// Extra rustls handshakes with restricted versions (tls-versions).
    pub restricted: u64,
    /// Hand-built legacy ClientHellos.
    pub legacy: u64,
}

#[derive(Default)]
struct Recorded {
    chain: Vec<CertificateDer<'static>>,
    verdict: Option<Result<(), String>>,
    trust: Option<Result<(), String>>,
    signature_error: Option<String>,
}

/// A verifier that records the chain and webpki's verdict and lets the handshake go on.
///
/// Accepting whatever the server presents is safe here because a probe connection carries nothing:
/// it is closed right after the handshake. The HTTP client keeps the strict verifier.
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    recorded: Arc<Mutex<Recorded>>,
}

impl fmt::Debug for RecordingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecordingVerifier")
    }
}

fn is_name_error(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

fn is_date_error(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(
            CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. }
        )
    )
}

/// A readable verdict: rustls' message without its context noise.
fn describe_error(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "unknown issuer: the chain does not lead to a trusted root".into()
        }
        rustls::Error::InvalidCertificate(CertificateError::BadSignature) => {
            "a signature in the chain does not verify".into()
        }
        other => other.to_string(),
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verify = |at: UnixTime| {
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, at)
                .map(|_| ())
        };
        let verdict = verify(now);
        let trust = match &verdict {
            Ok(()) => Ok(()),
            Err(e) if is_name_error(e) => Ok(()),
            Err(e) if is_date_error(e) => match CertInfo::from_der(end_entity) {
                Ok(leaf) => {
                    let middle: time::OffsetDateTime =
                        leaf.not_before + (leaf.not_after - leaf.not_before) / 2;
                    let seconds = u64::try_from(middle.unix_timestamp()).unwrap_or(0);
                    match verify(UnixTime::since_unix_epoch(Duration::from_secs(seconds))) {
                        Ok(()) => Ok(()),
                        Err(e) if is_name_error(&e) || is_date_error(&e) => Ok(()),
                        Err(e) => Err(describe_error(&e)),
                    }
                }
                Err(parse) => Err(parse),
            },
            Err(e) => Err(describe_error(e)),
        };
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.chain = chain;
            recorded.verdict = Some(verdict.map_err(|e| describe_error(&e)));
            recorded.trust = Some(trust);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let result = self.inner.verify_tls12_signature(message, cert, dss);
        Ok(self.note_signature(result))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let result = self.inner.verify_tls13_signature(message, cert, dss);
        Ok(self.note_signature(result))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl RecordingVerifier {
    fn note_signature(
        &self,
        result: Result<HandshakeSignatureValid, rustls::Error>,
    ) -> HandshakeSignatureValid {
        if let Err(e) = result
            && let Ok(mut recorded) = self.recorded.lock()
        {
            let text = e.to_string();
            let short = text.split(" {").next().unwrap_or(&text).to_string();
            recorded.signature_error = Some(short);
        }
        HandshakeSignatureValid::assertion()
    }
}

type ProbeKey = (String, u16);

/// The shared TLS prober: one cached handshake per host:port, plus uncached version probes.
pub struct TlsProber {
    verifier: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    dns: Arc<Dns>,
    https_port: Option<u16>,
    scope: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    connect_timeout: Duration,
    timeout: Duration,
    cache: tokio::sync::Mutex<HashMap<ProbeKey, Arc<OnceCell<Arc<TlsProbe>>>>>,
    counts: Mutex<HashMap<String, HandshakeCounts>>,
}

/// Why the prober could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the certificate verifier: {0}")]
pub struct ProberError(String);

impl TlsProber {
    /// A prober verifying against `trust`, resolving through `dns`, dialling the `[http]`
    /// https-port for in-scope hosts.
    pub fn new(
        trust: &TrustStore,
        dns: Arc<Dns>,
        http: &HttpSettings,
        scope: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> Result<Self, ProberError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = WebPkiServerVerifier::builder_with_provider(trust.roots(), provider.clone())
            .build()
            .map_err(|e| ProberError(e.to_string()))?;
        Ok(TlsProber {
            verifier,
            provider,
            dns,
            https_port: http.https_port,
            scope,
            connect_timeout: http.connect_timeout,
            timeout: http.timeout,
            cache: tokio::sync::Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
        })
    }

    /// The port dialled for `host`: the `[http] https-port` for in-scope hosts, else 443.
    pub fn port_for(&self, host: &str) -> u16 {
        match self.https_port {
            Some(port) if (self.scope)(host) => port,
            _ => 443,
        }
    }

    /// The shared handshake with `host` (TLS 1.2 or 1.3), made once per run and cached.
    pub async fn probe(&self, host: &str) -> Arc<TlsProbe> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let port = self.port_for(&host);
        let cell = {
            let mut cache = self.cache.lock().await;
            cache.entry((host.clone(), port)).or_default().clone()
        };
        cell.get_or_init(|| async {
            self.count(&host, |c| c.shared += 1);
            Arc::new(self.handshake(&host, port, rustls::DEFAULT_VERSIONS).await)
        })
        .await
        .clone()
    }

    /// An uncached handshake offering only TLS 1.2.
    pub async fn probe_tls12_only(&self, host: &str) -> TlsProbe {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.count(&host, |c| c.restricted += 1);
        self.handshake(&host, self.port_for(&host), &[&rustls::version::TLS12])
            .await
    }

    /// Sends a hand-built ClientHello offering only `version` and reads the answer.
    pub async fn probe_legacy(
        &self,
        host: &str,
        version: LegacyVersion,
    ) -> Result<LegacyAnswer, ProbeError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.count(&host, |c| c.legacy += 1);
        let (mut stream, _) = self.connect(&host, self.port_for(&host)).await?;
        let sni = host.parse::<IpAddr>().is_err().then_some(host.as_str());
        legacy::probe(&mut stream, version, sni, self.timeout)
            .await
            .map_err(ProbeError::Timeout)
    }

    /// Connections made to `host` so far.
    pub fn counts_for(&self, host: &str) -> HandshakeCounts {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.counts
            .lock()
            .map(|c| c.get(&host).copied().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Shared handshakes made this run, over all hosts.
    pub fn shared_handshakes(&self) -> u64 {
        self.counts
            .lock()
            .map(|c| c.values().map(|n| n.shared).sum())
            .unwrap_or_default()
    }

    fn count(&self, host: &str, bump: impl FnOnce(&mut HandshakeCounts)) {
        if let Ok(mut counts) = self.counts.lock() {
            bump(counts.entry(host.to_string()).or_default());
        }
    }

    async fn connect(&self, host: &str, port: u16) -> Result<(TcpStream, SocketAddr), ProbeError> {
        let ips = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => match self.dns.ips(host).await {
                Ok(ips) if !ips.is_empty() => ips,
                Ok(_) => {
                    return Err(ProbeError::Dns {
                        host: host.to_string(),
                        message: "no A or AAAA record".into(),
                    });
                }
                Err(answer) => {
                    return Err(ProbeError::Dns {
                        host: host.to_string(),
                        message: format!("{:?}", answer.outcome),
                    });
                }
            },
        };
        let mut last = None;
        for ip in ips {
            let addr = SocketAddr::new(ip, port);
            match tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => return Ok((stream, addr)),
                Ok(Err(e)) => {
                    last = Some(ProbeError::Connect {
                        addr: addr.to_string(),
                        message: e.to_string(),
                    })
                }
                Err(_) => last = Some(ProbeError::Timeout(self.connect_timeout)),
            }
        }
        Err(last.unwrap_or(ProbeError::Dns {
            host: host.to_string(),
            message: "no address".into(),
        }))
    }

    async fn handshake(
        &self,
        host: &str,
        port: u16,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> TlsProbe {
        let (stream, addr) = match self.connect(host, port).await {
            Ok(connected) => connected,
            Err(e) => {
                return TlsProbe {
                    host: host.to_string(),
                    port,
                    addr: None,
                    result: Err(e),
                };
            }
        };
        let result = self.handshake_on(stream, host, versions).await;
        TlsProbe {
            host: host.to_string(),
            port,
            addr: Some(addr),
            result,
        }
    }

    async fn handshake_on(
        &self,
        stream: TcpStream,
        host: &str,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<Handshake, ProbeError> {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let verifier = RecordingVerifier {
            inner: self.verifier.clone(),
            recorded: recorded.clone(),
        };
        let config = rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| ProbeError::Handshake(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let name = ServerName::try_from(host.to_string()).map_err(|e| {
            ProbeError::Handshake(format!("`{host}` is not a valid server name: {e}"))
        })?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let outcome = tokio::time::timeout(self.timeout, connector.connect(name, stream)).await;
        let timed_out = outcome.is_err();
        let (completed, version, cipher) = match outcome {
            Ok(Ok(tls)) => {
                let connection = tls.get_ref().1;
                let version = connection.protocol_version().map(|v| match v {
                    rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".to_string(),
                    rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".to_string(),
                    other => format!("{other:?}"),
                });
                let cipher = connection
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite()));
                (Ok(()), version, cipher)
            }
            Ok(Err(e)) => (Err(e.to_string()), None, None),
            Err(_) => (
                Err(format!("no TLS answer within {:?}", self.timeout)),
                None,
                None,
            ),
        };
        let recorded = recorded
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        let Some(verdict) = recorded.verdict else {
            return Err(match completed {
                Err(_) if timed_out => ProbeError::Timeout(self.timeout),
                Err(message) => ProbeError::Handshake(message),
                Ok(()) => ProbeError::Handshake("the server presented no certificate".into()),
            });
        };
        Ok(Handshake {
            chain: recorded
                .chain
                .iter()
                .map(|der| CertInfo::from_der(der))
                .collect(),
            verdict,
            trust: recorded.trust.unwrap_or(Ok(())),
            signature_error: recorded.signature_error,
            version,
            cipher,
            completed,
        })
    }
}
