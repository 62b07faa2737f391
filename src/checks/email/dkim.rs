//! `dkim`: the domain publishes DKIM keys receivers can use: a well-formed key record at
//! `<selector>._domainkey.<domain>` (CNAMEs followed), RSA of at least 2048 bits or Ed25519, not
//! revoked, not in test mode, not restricted to SHA-1.
//!
//! References: RFC 6376 §3.6.1 (key record tags), RFC 8301 (SHA-1 and RSA < 1024 bits are not
//! acceptable), RFC 8463 (Ed25519 keys).
//!
//! [`DkimKey`] parses and prints a key record on its own; [`DkimKey::decode`] measures the key.

use std::fmt;

use base64::Engine;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::{PublicKey as SpkiKey, RSAPublicKey};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::tags::{TagError, TagList};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};
use crate::net::dns::{DnsOutcome, RecordType};

/// Metadata of the `dkim` check.
pub static META: CheckMeta = CheckMeta {
    id: "dkim",
    title: "DKIM keys are published, strong and live",
    category: Category::Email,
    default_severity: Severity::High,
    mode: Mode::Passive,
    why: "Receivers verify DKIM signatures against the key in DNS; without a usable key, DMARC can only lean on SPF, which breaks on every forward.",
    breaks: "Mail fails DMARC at Gmail, Yahoo and Microsoft and lands in spam or is rejected; a short RSA key lets anyone who factors it sign mail as the domain.",
    remediation: "Publish a DKIM key per sending service at <selector>._domainkey.<domain> (usually a CNAME the provider gives you): RSA 2048 bits or Ed25519, without t=y and without h=sha1, and list the selectors in [email] dkim-selectors.",
    references: &[
        "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1",
        "https://www.rfc-editor.org/rfc/rfc8301",
        "https://www.rfc-editor.org/rfc/rfc8463",
    ],
};

/// Selectors of well-known providers, probed when the config names none.
pub const KNOWN_SELECTORS: &[&str] = &[
    "google",
    "selector1",
    "selector2",
    "s1",
    "s2",
    "k1",
    "k2",
    "k3",
    "mandrill",
    "default",
    "dkim",
    "mail",
    "smtp",
    "zoho",
    "protonmail",
    "protonmail2",
    "protonmail3",
    "fm1",
    "fm2",
    "fm3",
    "hs1",
    "hs2",
    "zendesk1",
    "zendesk2",
];

/// The key algorithm named by `k=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyType {
    /// `k=rsa`, the default.
    Rsa,
    /// `k=ed25519` (RFC 8463).
    Ed25519,
    /// Anything else; verifiers ignore the key.
    Other(String),
}

/// A parsed DKIM key record (RFC 6376 §3.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    /// Every tag as written.
    pub tags: TagList,
    /// `k=`, defaulting to RSA.
    pub key_type: KeyType,
    /// `h=` hash algorithms, when restricted.
    pub hashes: Option<Vec<String>>,
    /// `t=` flags (`y` testing, `s` strict).
    pub flags: Vec<String>,
    /// `s=` service types, when restricted.
    pub services: Option<Vec<String>>,
    /// `p=` with whitespace removed; empty means revoked.
    pub public_key: String,
}

/// Why a TXT record is not a usable DKIM key record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DkimKeyError {
    /// Not a tag list.
    #[error("not a tag list: {0}")]
    Tags(#[from] TagError),
    /// `v=` present but not first.
    #[error("v= must be the first tag when present (RFC 6376 §3.6.1)")]
    VersionNotFirst,
    /// `v=` other than DKIM1.
    #[error("v={0} is not DKIM1")]
    BadVersion(String),
    /// No `p=` tag.
    #[error("the required p= tag is missing")]
    MissingKey,
}

/// The key a `p=` value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKey {
    /// An RSA key of this many modulus bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// An Ed25519 key (32 bytes).
    Ed25519,
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKey::Rsa { bits } => write!(f, "RSA {bits} bits"),
            PublicKey::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// Why `p=` does not decode to a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyDecodeError {
    /// Not base64.
    #[error("p= is not valid base64")]
    Base64,
    /// Not an RSA SubjectPublicKeyInfo or RSAPublicKey.
    #[error("p= is not a DER RSA public key")]
    NotRsa,
    /// Not 32 bytes (or an Ed25519 SPKI).
    #[error("p= is {0} bytes, an Ed25519 key is 32")]
    Ed25519Length(usize),
    /// `k=` names an algorithm we cannot measure.
    #[error("k={0} is not a DKIM key type (rsa, ed25519)")]
    UnknownType(String),
    /// The record is revoked (empty `p=`).
    #[error("the key is revoked (empty p=)")]
    Revoked,
}

fn list(value: &str, separator: char) -> Vec<String> {
    value
        .split(separator)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl DkimKey {
    /// Parses a key record.
    pub fn parse(text: &str) -> Result<DkimKey, DkimKeyError> {
        let tags = TagList::parse(text)?;
        if let Some(version) = tags.get("v") {
            if tags.first().is_some_and(|t| t.name != "v") {
                return Err(DkimKeyError::VersionNotFirst);
            }
            if version != "DKIM1" {
                return Err(DkimKeyError::BadVersion(version.to_string()));
            }
        }
        let public_key: String = tags
            .get("p")
            .ok_or(DkimKeyError::MissingKey)?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let key_type = match tags.get("k").map(str::to_ascii_lowercase).as_deref() {
            None | Some("rsa") => KeyType::Rsa,
            Some("ed25519") => KeyType::Ed25519,
            Some(other) => KeyType::Other(other.to_string()),
        };
        let hashes = tags.get("h").map(|h| list(h, ':'));
        let flags = tags.get("t").map(|t| list(t, ':')).unwrap_or_default();
        let services = tags.get("s").map(|s| list(s, ':'));
        Ok(DkimKey {
            tags,
            key_type,
            hashes,
            flags,
            services,
            public_key,
        })
    }

    /// Empty `p=`: the key was revoked (RFC 6376 §3.6.1).
    pub fn revoked(&self) -> bool {
        self.public_key.is_empty()
    }

    /// `t=y`: the domain is testing DKIM; verifiers may treat failures as unsigned.
    pub fn testing(&self) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case("y"))
    }

    /// `h=` allows SHA-1 only, which RFC 8301 forbids verifiers to accept.
    pub fn sha1_only(&self) -> bool {
        self.hashes
            .as_ref()
            .is_some_and(|h| !h.is_empty() && h.iter().all(|a| a.eq_ignore_ascii_case("sha1")))
    }

    /// `s=` excludes email (`*` or `email` must be listed when present).
    pub fn excludes_email(&self) -> bool {
        self.services.as_ref().is_some_and(|s| {
            !s.iter()
                .any(|v| v == "*" || v.eq_ignore_ascii_case("email"))
        })
    }

    /// Decodes `p=` and measures the key.
    pub fn decode(&self) -> Result<PublicKey, KeyDecodeError> {
        if self.revoked() {
            return Err(KeyDecodeError::Revoked);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.public_key.as_bytes())
            .map_err(|_| KeyDecodeError::Base64)?;
        match &self.key_type {
            KeyType::Rsa => rsa_bits(&bytes).map(|bits| PublicKey::Rsa { bits }),
            KeyType::Ed25519 => ed25519(&bytes),
            KeyType::Other(name) => Err(KeyDecodeError::UnknownType(name.clone())),
        }
    }
}

impl fmt::Display for DkimKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tags.fmt(f)
    }
}

/// Modulus bits of a DER SubjectPublicKeyInfo, or of a bare PKCS#1 RSAPublicKey (some providers
/// publish that).
fn rsa_bits(der: &[u8]) -> Result<usize, KeyDecodeError> {
    let modulus_bits = |modulus: &[u8]| {
        let modulus: &[u8] = {
            let start = modulus
                .iter()
                .position(|b| *b != 0)
                .unwrap_or(modulus.len());
            &modulus[start..]
        };
        match modulus.first() {
            Some(first) => (modulus.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
            None => 0,
        }
    };
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(der) {
        return match spki.parsed() {
            Ok(SpkiKey::RSA(key)) => Ok(modulus_bits(key.modulus)),
            _ => Err(KeyDecodeError::NotRsa),
        };
    }
    match RSAPublicKey::from_der(der) {
        Ok((_, key)) => Ok(modulus_bits(key.modulus)),
        Err(_) => Err(KeyDecodeError::NotRsa),
    }
}

/// The Ed25519 OID 1.3.101.112 in DER.
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

fn ed25519(bytes: &[u8]) -> Result<PublicKey, KeyDecodeError> {
    if bytes.len() == 32 {
        return Ok(PublicKey::Ed25519);
    }
    if bytes.len() == 44 && bytes.windows(ED25519_OID.len()).any(|w| w == ED25519_OID) {
        return Ok(PublicKey::Ed25519);
    }
    Err(KeyDecodeError::Ed25519Length(bytes.len()))
}

/// True when a TXT value looks like a host name rather than a tag list: a CNAME target pasted
/// into a TXT record.
pub fn looks_like_hostname(text: &str) -> bool {
    let text = text.trim().trim_end_matches('.');
    !text.contains('=')
        && text.contains('.')
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(Dkim {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit the mail domain",
        )),
    }
}

struct Dkim {
    settings: EmailSettings,
}

/// What one selector's lookup found.
struct SelectorLookup {
    selector: String,
    name: String,
    cnames: Vec<String>,
    outcome: DnsOutcome,
    texts: Vec<String>,
}

/// Longest CNAME chain followed by hand when the resolver stops at a CNAME.
const MAX_CNAME_HOPS: usize = 8;

async fn lookup_selector(ctx: &Context, domain: &str, selector: &str) -> SelectorLookup {
    let name = format!("{selector}._domainkey.{domain}");
    let mut answer = ctx.net.dns.lookup(&name, RecordType::TXT).await;
    let mut cnames = answer.cnames();
    let mut hops = 0;
    while answer.txt().is_empty() && hops < MAX_CNAME_HOPS {
        let Some(next) = cnames.last().cloned() else {
            break;
        };
        if next == answer.name {
            break;
        }
        let followed = ctx.net.dns.lookup(&next, RecordType::TXT).await;
        for cname in followed.cnames() {
            if !cnames.contains(&cname) {
                cnames.push(cname);
            }
        }
        let stuck = cnames.last() == Some(&next);
        answer = followed;
        hops += 1;
        if stuck {
            break;
        }
    }
    SelectorLookup {
        selector: selector.to_string(),
        name,
        cnames,
        outcome: answer.outcome.clone(),
        texts: answer.txt(),
    }
}

#[async_trait::async_trait]
impl Check for Dkim {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.as_str();
        let configured = !self.settings.dkim_selectors.is_empty();
        let selectors: Vec<String> = if configured {
            self.settings.dkim_selectors.clone()
        } else {
            KNOWN_SELECTORS.iter().map(|s| s.to_string()).collect()
        };
        let lookups = futures::future::join_all(
            selectors
                .iter()
                .map(|selector| lookup_selector(ctx, domain, selector)),
        )
        .await;
        let mut findings = Vec::new();
        let mut usable = 0;
        let mut revoked = Vec::new();
        let mut unanswered = Vec::new();
        for lookup in &lookups {
            match &lookup.outcome {
                DnsOutcome::Failed(message) => {
                    unanswered.push(lookup.selector.clone());
                    if configured {
                        findings.push(
                            Finding::error(
                                &META,
                                Subject::dns(&lookup.name, "TXT"),
                                format!(
                                    "cannot look up DKIM selector `{}`: {message}",
                                    lookup.selector
                                ),
                            )
                            .evidence("rule", "RFC 6376 §3.6.2.2"),
                        );
                    }
                    continue;
                }
                _ if lookup.texts.is_empty() => {
                    if configured {
                        findings.push(
                            Finding::fail(
                                &META,
                                Subject::dns(&lookup.name, "TXT"),
                                format!(
                                    "configured DKIM selector `{}` has no key record at {} ({})",
                                    lookup.selector,
                                    lookup.name,
                                    describe(&lookup.outcome)
                                ),
                            )
                            .chain_of(lookup)
                            .evidence("rule", "RFC 6376 §3.6.2.2: no key record means every signature with this selector fails")
                            .remediation(format!("publish the key (or the provider's CNAME) at {}, or remove `{}` from [email] dkim-selectors", lookup.name, lookup.selector)),
                        );
                    }
                    continue;
                }
                _ => {}
            }
            for finding in judge_selector(lookup) {
                match finding.1 {
                    Judged::Usable => usable += 1,
                    Judged::Revoked => revoked.push(lookup.selector.clone()),
                    Judged::Broken => {}
                }
                findings.push(finding.0);
            }
        }
        if usable == 0 && !revoked.is_empty() {
            findings.push(
                Finding::fail(
                    &META,
                    Subject::dns(format!("_domainkey.{domain}"), "TXT"),
                    format!(
                        "every DKIM key found is revoked ({}): nothing can sign mail for {domain}",
                        revoked.join(", ")
                    ),
                )
                .severity(if self.settings.sends_mail {
                    Severity::High
                } else {
                    Severity::Info
                })
                .evidence("rule", "RFC 6376 §3.6.1: an empty p= revokes the key"),
            );
        }
        if lookups.iter().all(|l| l.texts.is_empty()) && !configured {
            let tried = selectors.join(", ");
            if !unanswered.is_empty() && unanswered.len() == selectors.len() {
                findings.push(
                    Finding::error(
                        &META,
                        Subject::dns(format!("_domainkey.{domain}"), "TXT"),
                        format!("no DKIM selector lookup for {domain} got an answer"),
                    )
                    .evidence("selectors tried", tried),
                );
            } else if self.settings.sends_mail {
                findings.push(
                    Finding::fail(
                        &META,
                        Subject::dns(format!("_domainkey.{domain}"), "TXT"),
                        format!("no DKIM key found for {domain} under any well-known selector"),
                    )
                    .evidence("selectors tried", tried)
                    .evidence("rule", "RFC 6376 §3.6.2: receivers need the signer's key in DNS")
                    .remediation("enable DKIM signing at your mail provider, publish its key records, and list the selectors in [email] dkim-selectors (selectors cannot be enumerated)"),
                );
            } else {
                findings.push(
                    Finding::pass(
                        &META,
                        Subject::dns(format!("_domainkey.{domain}"), "TXT"),
                        format!("{domain} does not send mail and publishes no DKIM key"),
                    )
                    .evidence("selectors tried", tried),
                );
            }
        }
        findings
    }
}

enum Judged {
    Usable,
    Revoked,
    Broken,
}

fn describe(outcome: &DnsOutcome) -> &'static str {
    match outcome {
        DnsOutcome::Answer => "no TXT in the answer",
        DnsOutcome::NxDomain => "NXDOMAIN",
        DnsOutcome::NoData => "NODATA",
        DnsOutcome::Failed(_) => "query failed",
    }
}

/// Adds the CNAME chain a selector's lookup followed, when it followed one.
trait ChainEvidence {
    fn chain_of(self, lookup: &SelectorLookup) -> Self;
}

impl ChainEvidence for Finding {
    fn chain_of(self, lookup: &SelectorLookup) -> Self {
        if lookup.cnames.is_empty() {
            self
        } else {
            self.evidence(
                "cname chain",
                format!("{} → {}", lookup.name, lookup.cnames.join(" → ")),
            )
        }
    }
}

fn judge_selector(lookup: &SelectorLookup) -> Vec<(Finding, Judged)> {
    let subject = || Subject::dns(&lookup.name, "TXT");
    let mut out = Vec::new();
    if lookup.texts.len() > 1 {
        out.push((
            Finding::fail(
                &META,
                subject(),
                format!(
                    "selector `{}` has {} TXT records: verifiers may pick any of them",
                    lookup.selector,
                    lookup.texts.len()
                ),
            )
            .severity(Severity::Medium)
            .evidence("records", lookup.texts.join(" | "))
            .evidence(
                "rule",
                "RFC 6376 §3.6.2.2: multiple key records give undefined results",
            ),
            Judged::Broken,
        ));
    }
    for text in &lookup.texts {
        out.push(judge_record(lookup, text));
    }
    out
}

fn judge_record(lookup: &SelectorLookup, text: &str) -> (Finding, Judged) {
    let subject = Subject::dns(&lookup.name, "TXT");
    let selector = &lookup.selector;
    if looks_like_hostname(text) {
        return (
            Finding::fail(
                &META,
                subject,
                format!("selector `{selector}` holds a host name `{text}` as TXT, not a key record: a CNAME was pasted as TXT"),
            )
            .evidence("record", text)
            .evidence("rule", "RFC 6376 §3.6.1")
            .remediation(format!("replace the TXT at {} with a CNAME to {}", lookup.name, text.trim())),
            Judged::Broken,
        );
    }
    let key = match DkimKey::parse(text) {
        Ok(key) => key,
        Err(error) => {
            return (
                Finding::fail(
                    &META,
                    subject,
                    format!("selector `{selector}` key record is invalid: {error}"),
                )
                .evidence("record", text)
                .chain_of(lookup)
                .evidence("rule", "RFC 6376 §3.6.1: verifiers ignore an invalid key record")
                .remediation("republish the record exactly as your mail provider gives it: v=DKIM1; k=rsa; p=<base64 key>"),
                Judged::Broken,
            );
        }
    };
    let base = |finding: Finding| finding.evidence("record", text).chain_of(lookup);
    if key.revoked() {
        return (
            base(Finding::pass(
                &META,
                subject,
                format!("selector `{selector}` is a revoked key (empty p=), as after a rotation"),
            ))
            .evidence("rule", "RFC 6376 §3.6.1"),
            Judged::Revoked,
        );
    }
    let measured = match key.decode() {
        Ok(measured) => measured,
        Err(error) => {
            return (
                base(Finding::fail(
                    &META,
                    subject,
                    format!("selector `{selector}` key cannot be used: {error}"),
                ))
                .evidence("rule", "RFC 6376 §3.6.1, RFC 8463 §4.2")
                .remediation("republish the public key from your provider: base64 of the DER SubjectPublicKeyInfo for RSA, of the raw 32-byte key for Ed25519"),
                Judged::Broken,
            );
        }
    };
    let mut problems: Vec<(Severity, String, &'static str, &'static str)> = Vec::new();
    if let PublicKey::Rsa { bits } = measured {
        if bits < 1024 {
            problems.push((
                Severity::Critical,
                format!("RSA key is {bits} bits, under the 1024-bit floor"),
                "RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits",
                "rotate to a 2048-bit RSA key (or add an Ed25519 key beside it)",
            ));
        } else if bits < 2048 {
            problems.push((
                Severity::Medium,
                format!("RSA key is {bits} bits, under the recommended 2048"),
                "RFC 8301 §3.2: signers should use at least 2048-bit RSA keys",
                "rotate to a 2048-bit RSA key under a new selector, then revoke this one",
            ));
        }
    }
    if key.testing() {
        problems.push((
            Severity::Medium,
            "t=y: the key is in testing mode and verifiers may ignore failed signatures".into(),
            "RFC 6376 §3.6.1 (t=y)",
            "remove t=y once signing works",
        ));
    }
    if key.sha1_only() {
        problems.push((
            Severity::Medium,
            "h=sha1 only: SHA-1 signatures are not accepted".into(),
            "RFC 8301 §3.1: verifiers must not accept rsa-sha1",
            "drop the h= tag or set h=sha256",
        ));
    }
    if key.excludes_email() {
        problems.push((
            Severity::Medium,
            "s= does not include email: the key may not verify mail".into(),
            "RFC 6376 §3.6.1 (s=)",
            "drop the s= tag or set s=email",
        ));
    }
    if problems.is_empty() {
        return (
            base(Finding::pass(
                &META,
                subject,
                format!("selector `{selector}` publishes a {measured} key"),
            ))
            .evidence("key", measured.to_string())
            .evidence("rule", "RFC 6376 §3.6.1, RFC 8301, RFC 8463"),
            Judged::Usable,
        );
    }
    let severity = problems
        .iter()
        .map(|p| p.0)
        .max()
        .unwrap_or(Severity::Medium);
    let message = problems
        .iter()
        .map(|p| p.1.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let rules = problems.iter().map(|p| p.2).collect::<Vec<_>>().join("; ");
    let fixes = problems.iter().map(|p| p.3).collect::<Vec<_>>().join("; ");
    (
        base(Finding::fail(
            &META,
            subject,
            format!("selector `{selector}` ({measured}): {message}"),
        ))
        .severity(severity)
        .evidence("key", measured.to_string())
        .evidence("rule", rules)
        .remediation(fixes),
        Judged::Usable,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn measures_rsa_sizes() {
        let rsa_spki_base64 = crate::demo::mail::rsa_key_base64;
        for bits in [512, 1024, 2047, 2048, 4096] {
            let key =
                DkimKey::parse(&format!("v=DKIM1; k=rsa; p={}", rsa_spki_base64(bits))).unwrap();
            assert_eq!(key.decode(), Ok(PublicKey::Rsa { bits }), "{bits}");
        }
    }

    #[test]
    fn reads_ed25519_and_flags() {
        let raw = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let key = DkimKey::parse(&format!("v=DKIM1; k=ed25519; t=y:s; h=sha1; p={raw}")).unwrap();
        assert_eq!(key.decode(), Ok(PublicKey::Ed25519));
        assert!(key.testing());
        assert!(key.sha1_only());
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        let key = DkimKey::parse(&format!("k=ed25519; p={short}")).unwrap();
        assert_eq!(key.decode(), Err(KeyDecodeError::Ed25519Length(31)));
    }

    #[test]
    fn rejects_bad_records() {
        assert_eq!(
            DkimKey::parse("k=rsa; v=DKIM1; p="),
            Err(DkimKeyError::VersionNotFirst)
        );
        assert_eq!(
            DkimKey::parse("v=DKIM2; p="),
            Err(DkimKeyError::BadVersion("DKIM2".into()))
        );
        assert_eq!(
            DkimKey::parse("v=DKIM1; k=rsa"),
            Err(DkimKeyError::MissingKey)
        );
        let revoked = DkimKey::parse("v=DKIM1; p=").unwrap();
        assert!(revoked.revoked());
        assert_eq!(revoked.decode(), Err(KeyDecodeError::Revoked));
        let garbage = DkimKey::parse("p=!!!!").unwrap();
        assert_eq!(garbage.decode(), Err(KeyDecodeError::Base64));
        let not_der = DkimKey::parse("p=AAAA").unwrap();
        assert_eq!(not_der.decode(), Err(KeyDecodeError::NotRsa));
        assert!(DkimKey::parse("p=AAAA; h=sha1:sha256").is_ok_and(|k| !k.sha1_only()));
    }

    #[test]
    fn spots_hostnames_pasted_as_txt() {
        assert!(looks_like_hostname(
            "selector1-acme-test._domainkey.acme.onmicrosoft.com"
        ));
        assert!(looks_like_hostname("s1.domainkey.u123.wl.sendgrid.net."));
        assert!(!looks_like_hostname("v=DKIM1; p=MIIB"));
        assert!(!looks_like_hostname("nodots"));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            if let Ok(key) = DkimKey::parse(&text) {
                let _ = key.decode();
            }
            let _ = looks_like_hostname(&text);
        }

        #[test]
        fn print_then_parse_round_trips(
            version in proptest::option::of(Just("v=DKIM1")),
            key_type in proptest::option::of(prop_oneof![Just("rsa"), Just("ed25519"), Just("dsa")]),
            flags in proptest::option::of("[ys](:[ys])?"),
            hashes in proptest::option::of("(sha1|sha256)(:sha256)?"),
            public_key in "[A-Za-z0-9+/]{0,64}={0,2}",
        ) {
            let mut parts: Vec<String> = version.iter().map(|v| v.to_string()).collect();
            parts.extend(key_type.map(|k| format!("k={k}")));
            parts.extend(flags.map(|t| format!("t={t}")));
            parts.extend(hashes.map(|h| format!("h={h}")));
            parts.push(format!("p={public_key}"));
            let key = DkimKey::parse(&parts.join(";")).unwrap();
            prop_assert_eq!(DkimKey::parse(&key.to_string()), Ok(key));
        }
    }
}
