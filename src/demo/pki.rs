//! A throwaway PKI for the loopback world: a CA and leaf certificates that are valid, expired, not
//! yet valid, expiring soon, for the wrong name, self-signed, or from an untrusted CA.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SignatureAlgorithm,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// A certificate authority that signs leaves.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert: rcgen::Certificate,
}

impl TestCa {
    /// A new CA with basicConstraints CA:TRUE and keyCertSign.
    pub fn new(common_name: &str) -> Result<Self, rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        dn.push(DnType::OrganizationName, "launchready test PKI");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(30);
        params.not_after = now + Duration::days(3650);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(TestCa {
            issuer: Issuer::new(params, key),
            cert,
        })
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// Issues a leaf per the spec, with SAN, CA:FALSE, EKU serverAuth and AKI.
    pub fn issue(&self, spec: &LeafSpec) -> Result<Leaf, rcgen::Error> {
        let params = spec.params()?;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Leaf::new(
            vec![cert.der().clone(), self.cert_der()],
            cert.pem(),
            &key,
        ))
    }

    /// Issues a leaf per the spec whose certificate carries a 1024-bit RSA public key.
    ///
    /// ring cannot sign with RSA below 2048 bits, so the leaf's `key_der` is an unrelated P-256
    /// key: a server presenting this chain cannot prove possession, but a client still receives
    /// and can judge the certificate (launchready's recording verifier captures the chain before
    /// the handshake signature is checked). For tls-key tests and the flawed demo only.
    pub fn issue_with_rsa1024_key(&self, spec: &LeafSpec) -> Result<Leaf, rcgen::Error> {
        let params = spec.params()?;
        let cert = params.signed_by(&WeakRsaPublicKey::new(), &self.issuer)?;
        let unrelated = KeyPair::generate()?;
        Ok(Leaf::new(
            vec![cert.der().clone(), self.cert_der()],
            cert.pem(),
            &unrelated,
        ))
    }
}

/// A 1024-bit RSA public key (modulus of 128 bytes, exponent 65537) with no private half.
struct WeakRsaPublicKey {
    /// DER of RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    der: Vec<u8>,
}

impl WeakRsaPublicKey {
    fn new() -> Self {
        let mut modulus = vec![0x00, 0xC3];
        modulus.extend((0..126u8).map(|i| i.wrapping_mul(89).wrapping_add(17)));
        modulus.push(0x01 | 0x0F);
        let mut integer = vec![0x02, 0x81, modulus.len() as u8];
        integer.extend(modulus);
        let exponent = [0x02, 0x03, 0x01, 0x00, 0x01];
        let body_len = integer.len() + exponent.len();
        let mut der = vec![0x30, 0x81, body_len as u8];
        der.extend(integer);
        der.extend(exponent);
        WeakRsaPublicKey { der }
    }
}

impl PublicKeyData for WeakRsaPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// (offset of the value, length of the value) of the DER TLV at `at`; `None` when malformed.
fn der_value(der: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = *der.get(at + 1)?;
    match first {
        n if n < 0x80 => Some((at + 2, n as usize)),
        0x81 => Some((at + 3, *der.get(at + 2)? as usize)),
        0x82 => Some((
            at + 4,
            u16::from_be_bytes([*der.get(at + 2)?, *der.get(at + 3)?]) as usize,
        )),
        _ => None,
    }
}

fn der_sequence(body: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    match body.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(body);
    out
}

/// The certificate with its outer signatureAlgorithm replaced by ecdsa-with-SHA1
/// (1.2.840.10045.4.1): how a SHA-1-signed certificate looks to a parser (ring cannot make real
/// SHA-1 signatures). Its signature no longer verifies. Returns the input when it is not DER.
pub fn relabel_as_sha1(der: &[u8]) -> Vec<u8> {
    let relabel = || -> Option<Vec<u8>> {
        let (body, _) = der_value(der, 0)?;
        let (tbs_value, tbs_len) = der_value(der, body)?;
        let tbs_end = tbs_value + tbs_len;
        let (alg_value, alg_len) = der_value(der, tbs_end)?;
        let signature = der.get(alg_value + alg_len..)?;
        let mut inner = der.get(body..tbs_end)?.to_vec();
        inner.extend([
            0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,
        ]);
        inner.extend_from_slice(signature);
        Some(der_sequence(&inner))
    };
    relabel().unwrap_or_else(|| der.to_vec())
}

/// Serves one certified key whatever the client asks for.
#[derive(Debug)]
struct FixedCertificate(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for FixedCertificate {
    fn resolve(
        &self,
        _client_hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// What a leaf certificate should look like.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// DNS names in the SAN.
    pub names: Vec<String>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

impl LeafSpec {
    /// Valid from 10 days ago for 90 days from now.
    pub fn valid(names: &[&str]) -> Self {
        let now = OffsetDateTime::now_utc();
        LeafSpec {
            names: names.iter().map(|s| s.to_string()).collect(),
            not_before: now - Duration::days(10),
            not_after: now + Duration::days(90),
        }
    }

    /// Expired 3 days ago.
    pub fn expired(names: &[&str]) -> Self {
        let now = OffsetDateTime::now_utc();
        LeafSpec {
            not_before: now - Duration::days(93),
            not_after: now - Duration::days(3),
            ..LeafSpec::valid(names)
        }
    }

    /// Valid only from 5 days from now.
    pub fn not_yet_valid(names: &[&str]) -> Self {
        let now = OffsetDateTime::now_utc();
        LeafSpec {
            not_before: now + Duration::days(5),
            not_after: now + Duration::days(95),
            ..LeafSpec::valid(names)
        }
    }

    /// Expires `days` days (and a few hours) from now.
    pub fn expiring_in(names: &[&str], days: i64) -> Self {
        let now = OffsetDateTime::now_utc();
        LeafSpec {
            not_before: now - Duration::days(80),
            not_after: now + Duration::days(days) + Duration::hours(6),
            ..LeafSpec::valid(names)
        }
    }

    fn params(&self) -> Result<CertificateParams, rcgen::Error> {
        let mut params = CertificateParams::new(self.names.clone())?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            self.names.first().map_or("leaf", String::as_str),
        );
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        Ok(params)
    }
}

/// A leaf certificate with its chain and key.
pub struct Leaf {
    /// Leaf first, then the issuing CA (for a self-signed leaf, only itself).
    pub chain: Vec<CertificateDer<'static>>,
    /// PKCS#8 private key, DER.
    pub key_der: Vec<u8>,
    /// PEM of the leaf certificate.
    pub cert_pem: String,
    /// PEM of the private key.
    pub key_pem: String,
}

impl Leaf {
    fn new(chain: Vec<CertificateDer<'static>>, cert_pem: String, key: &KeyPair) -> Self {
        Leaf {
            chain,
            key_der: key.serialize_der(),
            cert_pem,
            key_pem: key.serialize_pem(),
        }
    }

    /// A self-signed leaf for the names (valid dates, but no CA vouches for it).
    pub fn self_signed(names: &[&str]) -> Result<Self, rcgen::Error> {
        let params = LeafSpec::valid(names).params()?;
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Leaf::new(vec![cert.der().clone()], cert.pem(), &key))
    }

    /// The chain and key as a rustls certified key, without checking that key and certificate
    /// match (so [`TestCa::issue_with_rsa1024_key`] leaves can be served).
    pub fn certified_key(&self) -> Result<Arc<rustls::sign::CertifiedKey>, rustls::Error> {
        let provider = rustls::crypto::ring::default_provider();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let signer = provider.key_provider.load_private_key(key)?;
        Ok(Arc::new(rustls::sign::CertifiedKey::new(
            self.chain.clone(),
            signer,
        )))
    }

    /// A rustls server config serving this chain (TLS 1.2 and 1.3), whether or not the key
    /// matches the certificate.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(FixedCertificate(self.certified_key()?)));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_chain_to_their_ca() {
        let ca = TestCa::new("Test CA").unwrap();
        let leaf = ca.issue(&LeafSpec::valid(&["acme.test"])).unwrap();
        assert_eq!(leaf.chain.len(), 2);
        assert_eq!(leaf.chain[1], ca.cert_der());
        assert!(leaf.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(leaf.server_config().is_ok());
    }

    #[test]
    fn weak_leaf_carries_a_1024_bit_rsa_key() {
        let ca = TestCa::new("Test CA").unwrap();
        let leaf = ca
            .issue_with_rsa1024_key(&LeafSpec::valid(&["acme.test"]))
            .unwrap();
        let info = crate::net::tls::CertInfo::from_der(&leaf.chain[0]).unwrap();
        assert_eq!(info.key.kind, crate::net::tls::KeyKind::Rsa);
        assert_eq!(info.key.bits, 1024);
        assert!(leaf.certified_key().is_ok());
    }
}
