//! The sample's mail-domain records: DKIM keys, DMARC, MTA-STS and TLS-RPT TXT records and the policy
//! they describe, flawed or hardened. Keys are deterministic so report snapshots stay stable: the
//! sample publishes keys but never signs mail, so an RSA modulus with the right size and no known
//! factors serves as well as a real one.

use base64::Engine;

use super::APEX;
use super::portal::Variant;

fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn der(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(body.len()));
    out.extend_from_slice(body);
    out
}

/// A DER RSA SubjectPublicKeyInfo whose modulus has exactly `bits` bits (top bit set, odd,
/// exponent 65537), filled from a fixed pattern: for DKIM records that only need measuring.
pub fn rsa_spki(bits: usize) -> Vec<u8> {
    let bits = bits.max(8);
    let mut modulus: Vec<u8> = (0..bits.div_ceil(8))
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
        .collect();
    let top = (bits - 1) % 8;
    modulus[0] = (modulus[0] & ((1u8 << top) - 1)) | (1u8 << top);
    if let Some(last) = modulus.last_mut() {
        *last |= 1;
    }
    let mut integer = Vec::new();
    if modulus[0] & 0x80 != 0 {
        integer.push(0);
    }
    integer.extend(modulus);
    let rsa_key = der(
        0x30,
        &[der(0x02, &integer), der(0x02, &[0x01, 0x00, 0x01])].concat(),
    );
    let rsa_encryption = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let algorithm = der(
        0x30,
        &[der(0x06, &rsa_encryption), vec![0x05, 0x00]].concat(),
    );
    let bit_string = der(0x03, &[vec![0u8], rsa_key].concat());
    der(0x30, &[algorithm, bit_string].concat())
}

/// Base64 of [`rsa_spki`], as a DKIM `p=` value.
pub fn rsa_key_base64(bits: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(rsa_spki(bits))
}

/// A TXT record's data in zone-file syntax, split into 255-byte character-strings.
pub fn txt_data(text: &str) -> String {
    text.as_bytes()
        .chunks(255)
        .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Zone-file lines (relative to the apex) for the mail domain in the given variant.
pub fn zone_records(variant: Variant) -> String {
    let mut lines = vec!["mta-sts IN A 127.0.0.1".to_string()];
    let txt = |name: &str, text: String| format!("{name} IN TXT {}", txt_data(&text));
    match variant {
        Variant::Flawed => {
            lines.push(txt(
                "default._domainkey",
                format!("v=DKIM1; k=rsa; t=y; p={}", rsa_key_base64(1024)),
            ));
            lines.push(txt("_dmarc", "v=DMARC1; p=none".into()));
            lines.push(txt("_mta-sts", "v=STSv1; id=20240101".into()));
        }
        Variant::Hardened => {
            let ed25519: Vec<u8> = (0u8..32)
                .map(|i| i.wrapping_mul(29).wrapping_add(3))
                .collect();
            lines.push(txt(
                "s1._domainkey",
                format!(
                    "v=DKIM1; k=ed25519; p={}",
                    base64::engine::general_purpose::STANDARD.encode(ed25519)
                ),
            ));
            lines.push(txt(
                "s2._domainkey",
                format!("v=DKIM1; k=rsa; p={}", rsa_key_base64(2048)),
            ));
            lines.push(txt(
                "_dmarc",
                format!("v=DMARC1; p=reject; rua=mailto:dmarc-reports@{APEX}; adkim=s; aspf=s"),
            ));
            lines.push(txt("_mta-sts", "v=STSv1; id=20260101".into()));
            lines.push(txt(
                "_smtp._tls",
                format!("v=TLSRPTv1; rua=mailto:tls-reports@{APEX}"),
            ));
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The MTA-STS policy the portal serves at `https://mta-sts.<apex>/.well-known/mta-sts.txt`.
pub fn mta_sts_policy(variant: Variant) -> String {
    match variant {
        Variant::Flawed => {
            format!("version: STSv1\r\nmode: testing\r\nmx: mail.{APEX}\r\nmax_age: 86400\r\n")
        }
        Variant::Hardened => {
            format!("version: STSv1\r\nmode: enforce\r\nmx: mail.{APEX}\r\nmax_age: 604800\r\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_txt_is_split_into_strings() {
        let data = txt_data(&"a".repeat(300));
        assert_eq!(
            data,
            format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45))
        );
    }

    #[test]
    fn synthetic_keys_have_the_asked_size() {
        for bits in [1024, 2048] {
            let key =
                crate::checks::email::dkim::DkimKey::parse(&format!("p={}", rsa_key_base64(bits)))
                    .unwrap();
            assert_eq!(
                key.decode(),
                Ok(crate::checks::email::dkim::PublicKey::Rsa { bits })
            );
        }
    }
}
