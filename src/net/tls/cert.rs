//! What the TLS checks need from a certificate, read with x509-parser: names, validity, key,
//! signature algorithm and issuer.

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

/// The kind of public key a certificate carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA.
    Rsa,
    /// An elliptic-curve key (ECDSA).
    Ec,
    /// Ed25519 or Ed448.
    Edwards,
    /// Anything else, named by its algorithm OID.
    Other(String),
}

/// A certificate's public key: kind and size in bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key kind.
    pub kind: KeyKind,
    /// Size in bits (the modulus for RSA, the field for EC; 0 when unknown).
    pub bits: usize,
}

impl KeyInfo {
    /// `RSA 2048`, `EC 256`, `Ed25519`.
    pub fn describe(&self) -> String {
        match &self.kind {
            KeyKind::Rsa => format!("RSA {}-bit", self.bits),
            KeyKind::Ec => format!("EC {}-bit", self.bits),
            KeyKind::Edwards => "EdDSA".to_string(),
            KeyKind::Other(oid) => format!("key algorithm {oid}"),
        }
    }
}

/// The facts of one certificate the checks judge.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// Subject distinguished name, RFC 4514 style.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Issuer organisation (O), when present.
    pub issuer_organization: Option<String>,
    /// Issuer common name (CN), when present.
    pub issuer_common_name: Option<String>,
    /// DNS names of the subjectAltName extension, lowercase.
    pub dns_names: Vec<String>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The public key.
    pub key: KeyInfo,
    /// Signature algorithm name, such as `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// True when the signature uses SHA-1 or MD5.
    pub weak_signature: bool,
    /// True when subject and issuer are the same name (self-issued).
    pub self_issued: bool,
}

impl CertInfo {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| format!("unparsable certificate: {e}"))?;
        let dns_names = match cert.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some(dns.to_ascii_lowercase()),
                    _ => None,
                })
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => return Err(format!("bad subjectAltName: {e}")),
        };
        let timestamp = |t: i64| {
            OffsetDateTime::from_unix_timestamp(t).map_err(|e| format!("bad validity date: {e}"))
        };
        let validity = cert.validity();
        let signature_oid = cert.signature_algorithm.algorithm.to_id_string();
        let (signature_algorithm, weak_signature) = signature_name(&signature_oid);
        Ok(CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            issuer_organization: first_attribute(cert.issuer(), Attribute::Organization),
            issuer_common_name: first_attribute(cert.issuer(), Attribute::CommonName),
            dns_names,
            not_before: timestamp(validity.not_before.timestamp())?,
            not_after: timestamp(validity.not_after.timestamp())?,
            key: key_info(&cert),
            signature_algorithm,
            weak_signature,
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
        })
    }

    /// True when a SAN DNS name covers `host`; a wildcard matches exactly one leftmost label.
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.dns_names.iter().any(|name| name_matches(name, &host))
    }

    /// The issuer as people name it: organisation, else common name, else the full DN.
    pub fn issuer_display(&self) -> String {
        match (&self.issuer_organization, &self.issuer_common_name) {
            (Some(o), Some(cn)) if o != cn => format!("{cn} ({o})"),
            (Some(o), _) => o.clone(),
            (None, Some(cn)) => cn.clone(),
            (None, None) => self.issuer.clone(),
        }
    }
}

/// RFC 6125 §6.4.3 matching, restricted as browsers do: `*` only as the whole leftmost label, and
/// it stands for exactly one label.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => pattern == host,
    }
}

enum Attribute {
    Organization,
    CommonName,
}

fn first_attribute(name: &X509Name<'_>, which: Attribute) -> Option<String> {
    let mut values = match which {
        Attribute::Organization => name.iter_organization().collect::<Vec<_>>(),
        Attribute::CommonName => name.iter_common_name().collect::<Vec<_>>(),
    }
    .into_iter();
    values
        .next()
        .and_then(|v| v.as_str().ok().map(str::to_string))
}

fn key_info(cert: &X509Certificate<'_>) -> KeyInfo {
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyInfo {
            kind: KeyKind::Rsa,
            bits: significant_bits(rsa.modulus),
        },
        Ok(PublicKey::EC(point)) => KeyInfo {
            kind: KeyKind::Ec,
            bits: point.key_size(),
        },
        _ if oid == "1.3.101.112" || oid == "1.3.101.113" => KeyInfo {
            kind: KeyKind::Edwards,
            bits: if oid == "1.3.101.112" { 256 } else { 456 },
        },
        _ => KeyInfo {
            kind: KeyKind::Other(oid),
            bits: 0,
        },
    }
}

/// Bits of a big-endian unsigned integer, leading zero bytes and bits ignored.
fn significant_bits(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|b| *b != 0) else {
        return 0;
    };
    (bytes.len() - first) * 8 - bytes[first].leading_zeros() as usize
}

/// A readable name for a signature algorithm OID, and whether its hash is broken (SHA-1, MD5).
pub fn signature_name(oid: &str) -> (String, bool) {
    let (name, weak) = match oid {
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", true),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", true),
        "1.2.840.10040.4.3" => ("dsaWithSHA1", true),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        "1.3.101.112" => ("Ed25519", false),
        "1.3.101.113" => ("Ed448", false),
        other => return (other.to_string(), false),
    };
    (name.to_string(), weak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_exactly_one_label() {
        assert!(name_matches("*.acme.test", "api.acme.test"));
        assert!(!name_matches("*.acme.test", "acme.test"));
        assert!(!name_matches("*.acme.test", "a.b.acme.test"));
        assert!(name_matches("ACME.test.", "acme.test"));
        assert!(!name_matches("acme.test", "www.acme.test"));
    }

    #[test]
    fn sha1_and_md5_signatures_are_weak() {
        assert_eq!(
            signature_name("1.2.840.113549.1.1.5"),
            ("sha1WithRSAEncryption".to_string(), true)
        );
        assert!(signature_name("1.2.840.10045.4.1").1);
        assert!(!signature_name("1.2.840.10045.4.3.2").1);
        assert_eq!(signature_name("1.2.3").0, "1.2.3");
    }

    #[test]
    fn reads_names_validity_key_and_a_sha1_signature() {
        let mut params = rcgen::CertificateParams::new(vec!["shop.test".to_string()]).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        let key = rcgen::KeyPair::generate().unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let info = CertInfo::from_der(&der).unwrap();
        assert_eq!(info.dns_names, vec!["shop.test"]);
        assert!(info.covers("SHOP.test"));
        assert_eq!(
            info.key,
            KeyInfo {
                kind: KeyKind::Ec,
                bits: 256
            }
        );
        assert_eq!(info.signature_algorithm, "ecdsa-with-SHA256");
        assert!(!info.weak_signature && info.self_issued);
        assert!(info.not_before < info.not_after);

        // The same certificate relabelled as signed with ecdsa-with-SHA1: parsing does not
        // verify signatures, so this is how a SHA-1 chain looks to the checks.
        let sha1 = CertInfo::from_der(&crate::demo::pki::relabel_as_sha1(&der)).unwrap();
        assert_eq!(sha1.signature_algorithm, "ecdsa-with-SHA1");
        assert!(sha1.weak_signature);

        assert!(CertInfo::from_der(b"not a certificate").is_err());
    }

    #[test]
    fn rsa_modulus_bits_ignore_leading_zeros() {
        let mut modulus = vec![0u8];
        modulus.push(0xC1);
        modulus.extend([0xFF; 127]);
        assert_eq!(significant_bits(&modulus), 1024);
        assert_eq!(significant_bits(&[0x01, 0x00]), 9);
        assert_eq!(significant_bits(&[]), 0);
    }
}
