//! Legacy protocol probing: rustls cannot speak SSL 3.0, TLS 1.0 or 1.1, so we hand-build a
//! ClientHello offering only that version and read the first record the server sends back: a
//! ServerHello naming the version it accepted, or an alert refusing it (RFC 8996 deprecates both).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A protocol version older than TLS 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LegacyVersion {
    /// SSL 3.0 (RFC 6101), wire version 3.0.
    Ssl3,
    /// TLS 1.0 (RFC 2246), wire version 3.1.
    Tls10,
    /// TLS 1.1 (RFC 4346), wire version 3.2.
    Tls11,
}

impl LegacyVersion {
    /// Every legacy version, oldest first.
    pub const ALL: [LegacyVersion; 3] = [
        LegacyVersion::Ssl3,
        LegacyVersion::Tls10,
        LegacyVersion::Tls11,
    ];

    /// The two-byte wire version.
    pub fn wire(self) -> u16 {
        match self {
            LegacyVersion::Ssl3 => 0x0300,
            LegacyVersion::Tls10 => 0x0301,
            LegacyVersion::Tls11 => 0x0302,
        }
    }

    /// `TLS 1.0`.
    pub fn name(self) -> &'static str {
        match self {
            LegacyVersion::Ssl3 => "SSL 3.0",
            LegacyVersion::Tls10 => "TLS 1.0",
            LegacyVersion::Tls11 => "TLS 1.1",
        }
    }
}

/// The name of a wire version, for evidence.
pub fn version_name(wire: u16) -> String {
    match wire {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        other => format!("version 0x{other:04x}"),
    }
}

/// Cipher suites a 1.0-era client offers (RSA and ECDHE key exchange, CBC, 3DES, RC4) plus the
/// renegotiation SCSV.
const LEGACY_SUITES: &[u16] = &[
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a, 0x0005, 0x00ff,
];

/// Builds a ClientHello record offering only `version`, with SNI when `host` is a DNS name.
pub fn client_hello(version: LegacyVersion, host: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(host) = host {
        let name = host.as_bytes();
        let mut list = vec![0u8];
        push_u16(&mut list, name.len());
        list.extend_from_slice(name);
        let mut body = Vec::new();
        push_u16(&mut body, list.len());
        body.extend(list);
        push_extension(&mut extensions, 0x0000, &body);
    }
    // supported_groups: secp256r1, secp384r1, x25519; ec_point_formats: uncompressed.
    push_extension(
        &mut extensions,
        0x000a,
        &[0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d],
    );
    push_extension(&mut extensions, 0x000b, &[0x01, 0x00]);

    let mut hello = Vec::new();
    hello.extend_from_slice(&version.wire().to_be_bytes());
    hello.extend_from_slice(&random);
    hello.push(0); // empty session id
    push_u16(&mut hello, LEGACY_SUITES.len() * 2);
    for suite in LEGACY_SUITES {
        hello.extend_from_slice(&suite.to_be_bytes());
    }
    hello.extend_from_slice(&[0x01, 0x00]); // compression: null only
    push_u16(&mut hello, extensions.len());
    hello.extend(extensions);

    let mut handshake = vec![0x01];
    push_u24(&mut handshake, hello.len());
    handshake.extend(hello);

    let mut record = vec![0x16];
    // Record-layer version: 3.0 for an SSL 3.0 hello, else 3.1 as 1.0-era clients send.
    let record_version = version.wire().min(0x0301);
    record.extend_from_slice(&record_version.to_be_bytes());
    push_u16(&mut record, handshake.len());
    record.extend(handshake);
    record
}

fn push_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u16).to_be_bytes());
}

fn push_u24(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_be_bytes()[1..]);
}

fn push_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, body.len());
    out.extend_from_slice(body);
}

/// What the server answered to a legacy ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyAnswer {
    /// A ServerHello: the server agreed to speak `version` with `cipher`.
    Hello {
        /// The ServerHello's version.
        version: u16,
        /// The chosen cipher suite.
        cipher: u16,
    },
    /// A TLS alert: the server refused.
    Alert {
        /// Alert level (2 = fatal).
        level: u8,
        /// Alert description (70 = protocol_version, 40 = handshake_failure).
        description: u8,
    },
    /// The server closed or reset the connection without answering: a refusal.
    Closed,
    /// The bytes were not a TLS answer.
    NotTls(String),
}

impl LegacyAnswer {
    /// True when the server agreed to exactly the offered version.
    pub fn accepts(&self, offered: LegacyVersion) -> bool {
        matches!(self, LegacyAnswer::Hello { version, .. } if *version == offered.wire())
    }

    /// A short description for evidence.
    pub fn describe(&self) -> String {
        match self {
            LegacyAnswer::Hello { version, cipher } => format!(
                "ServerHello {} with cipher suite 0x{cipher:04x}",
                version_name(*version)
            ),
            LegacyAnswer::Alert { level, description } => format!(
                "{} alert {} ({description})",
                if *level == 2 { "fatal" } else { "warning" },
                alert_name(*description)
            ),
            LegacyAnswer::Closed => "connection closed without an answer".into(),
            LegacyAnswer::NotTls(what) => format!("not a TLS answer: {what}"),
        }
    }
}

fn alert_name(description: u8) -> &'static str {
    match description {
        0 => "close_notify",
        10 => "unexpected_message",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        112 => "unrecognized_name",
        _ => "other",
    }
}

/// Largest record body we read (2^14 plus the expansion TLS allows).
const MAX_RECORD: usize = 16_384 + 2_048;

/// Parses the first record a server sent (header and as much body as arrived).
pub fn parse_answer(bytes: &[u8]) -> LegacyAnswer {
    if bytes.is_empty() {
        return LegacyAnswer::Closed;
    }
    if bytes.len() < 5 {
        return LegacyAnswer::NotTls(format!(
            "{} bytes, shorter than a record header",
            bytes.len()
        ));
    }
    let content_type = bytes[0];
    let major = bytes[1];
    let length = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
    if major != 3 || length > MAX_RECORD {
        return LegacyAnswer::NotTls(printable_prefix(bytes));
    }
    let body = &bytes[5..bytes.len().min(5 + length)];
    match content_type {
        0x15 if body.len() >= 2 => LegacyAnswer::Alert {
            level: body[0],
            description: body[1],
        },
        0x16 => parse_server_hello(body).unwrap_or_else(|| {
            LegacyAnswer::NotTls("a handshake record that is not a ServerHello".into())
        }),
        _ => LegacyAnswer::NotTls(printable_prefix(bytes)),
    }
}

fn parse_server_hello(body: &[u8]) -> Option<LegacyAnswer> {
    // type(1) length(3) version(2) random(32) session_id_len(1) session_id cipher(2)
    if *body.first()? != 0x02 {
        return None;
    }
    let version = u16::from_be_bytes([*body.get(4)?, *body.get(5)?]);
    let session_len = *body.get(38)? as usize;
    let at = 39 + session_len;
    let cipher = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]);
    Some(LegacyAnswer::Hello { version, cipher })
}

fn printable_prefix(bytes: &[u8]) -> String {
    let prefix = &bytes[..bytes.len().min(24)];
    if prefix.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("`{}`", String::from_utf8_lossy(prefix))
    } else {
        let hex: Vec<String> = prefix.iter().map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

/// Sends a legacy ClientHello on `stream` and reads the answer's first record, within `timeout`.
///
/// `Err` is a timeout: the server neither answered nor closed.
pub async fn probe<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    version: LegacyVersion,
    host: Option<&str>,
    timeout: Duration,
) -> Result<LegacyAnswer, Duration> {
    let mut random = [0u8; 32];
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for (i, byte) in random.iter_mut().enumerate() {
        *byte = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(37);
    }
    let hello = client_hello(version, host, random);
    let exchange = async {
        if stream.write_all(&hello).await.is_err() {
            return LegacyAnswer::Closed;
        }
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(n) => n,
                Err(_) if received.is_empty() => return LegacyAnswer::Closed,
                Err(_) => 0,
            };
            received.extend_from_slice(&buf[..n]);
            let wanted = if received.len() >= 5 {
                5 + (u16::from_be_bytes([received[3], received[4]]) as usize).min(MAX_RECORD)
            } else {
                5
            };
            // Stop at EOF, at a complete first record, or once the first 44 bytes of a
            // ServerHello (enough for version and cipher with an empty session id) are in.
            if n == 0 || received.len() >= wanted || received.len() >= 5 + 44 + 32 {
                return parse_answer(&received);
            }
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_offers_only_the_legacy_version_with_sni() {
        let hello = client_hello(LegacyVersion::Tls10, Some("acme.test"), [7; 32]);
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_len = u16::from_be_bytes([hello[3], hello[4]]) as usize;
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01, "ClientHello");
        let body_len = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        assert_eq!(body_len, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x01], "client_version 1.0");
        assert_eq!(&hello[11..43], &[7; 32]);
        let sni = b"acme.test";
        assert!(hello.windows(sni.len()).any(|w| w == sni));
        // No supported_versions extension (0x002b): a 1.3 server must not upgrade silently.
        assert!(!hello.windows(2).any(|w| w == [0x00, 0x2b]));

        let tls11 = client_hello(LegacyVersion::Tls11, None, [0; 32]);
        assert_eq!(&tls11[9..11], &[0x03, 0x02]);
        assert!(!tls11.windows(sni.len()).any(|w| w == sni));
        let ssl3 = client_hello(LegacyVersion::Ssl3, None, [0; 32]);
        assert_eq!(&ssl3[1..3], &[0x03, 0x00]);
    }

    fn server_hello(version: u16, session: &[u8], cipher: u16) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend([1u8; 32]);
        body.push(session.len() as u8);
        body.extend_from_slice(session);
        body.extend(cipher.to_be_bytes());
        body.push(0);
        let mut handshake = vec![0x02, 0, 0, body.len() as u8];
        handshake.extend(body);
        let mut record = vec![0x16, 0x03, 0x01, 0, handshake.len() as u8];
        record.extend(handshake);
        record
    }

    #[test]
    fn parses_server_hellos_alerts_and_garbage() {
        let answer = parse_answer(&server_hello(0x0301, &[9; 32], 0x002f));
        assert_eq!(
            answer,
            LegacyAnswer::Hello {
                version: 0x0301,
                cipher: 0x002f
            }
        );
        assert!(answer.accepts(LegacyVersion::Tls10));
        assert!(!answer.accepts(LegacyVersion::Tls11));
        let upgraded = parse_answer(&server_hello(0x0303, &[], 0xc02f));
        assert!(!upgraded.accepts(LegacyVersion::Tls10));

        let alert = parse_answer(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70]);
        assert_eq!(
            alert,
            LegacyAnswer::Alert {
                level: 2,
                description: 70
            }
        );
        assert!(alert.describe().contains("protocol_version"));
        assert_eq!(parse_answer(&[]), LegacyAnswer::Closed);
        assert!(matches!(
            parse_answer(b"HTTP/1.1 400 Bad Request\r\n"),
            LegacyAnswer::NotTls(text) if text.contains("HTTP/1.1")
        ));
        assert!(matches!(
            parse_answer(&[0x16, 0x03]),
            LegacyAnswer::NotTls(_)
        ));
        // A truncated ServerHello is not mistaken for one.
        let hello = server_hello(0x0301, &[], 0x002f);
        assert!(matches!(
            parse_answer(&hello[..20]),
            LegacyAnswer::NotTls(_)
        ));
    }

    #[tokio::test]
    async fn probe_reads_an_answer_and_times_out_on_silence() {
        let (mut client, mut server) = tokio::io::duplex(8192);
        let reply = server_hello(0x0301, &[], 0x002f);
        let answering = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let _ = server.read(&mut buf).await;
            server.write_all(&reply).await.unwrap();
            server
        });
        let answer = probe(
            &mut client,
            LegacyVersion::Tls10,
            Some("acme.test"),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert!(answer.accepts(LegacyVersion::Tls10));
        let _server = answering.await.unwrap();

        let (mut silent_client, _silent_server) = tokio::io::duplex(8192);
        let waited = probe(
            &mut silent_client,
            LegacyVersion::Tls10,
            None,
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(waited, Err(Duration::from_millis(50)));
    }
}
