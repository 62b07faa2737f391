//! `tls-rpt`: the domain asks sending servers for SMTP TLS reports: one `_smtp._tls.<domain>`
//! TXT record `v=TLSRPTv1; rua=…` with mailto: or https: destinations.
//!
//! Reference: RFC 8460 §3 (the reporting policy record).
//!
//! [`TlsRptRecord`] parses and prints a record on its own.

use std::fmt;

use super::tags::{TagError, TagList, has_version, versioned_txt};
use crate::check::{Category, Check, CheckMeta, Context, Finding, Mode, Severity, Skip, Subject};
use crate::config::{EmailSettings, Target};

/// Metadata of the `tls-rpt` check.
pub static META: CheckMeta = CheckMeta {
    id: "tls-rpt",
    title: "SMTP TLS reporting is requested",
    category: Category::Email,
    default_severity: Severity::Low,
    mode: Mode::Passive,
    why: "TLS-RPT makes sending servers report failed TLS negotiations with your MX hosts; without it, a broken certificate or an MTA-STS mismatch silently bounces or downgrades mail.",
    breaks: "Inbound mail is lost or sent in plaintext and nobody learns why until customers complain.",
    remediation: "Publish _smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\".",
    references: &["https://www.rfc-editor.org/rfc/rfc8460#section-3"],
};

/// A parsed TLS-RPT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRptRecord {
    /// Every tag as written.
    pub tags: TagList,
    /// The report destinations, `mailto:` or `https:`.
    pub rua: Vec<String>,
}

/// Why a `_smtp._tls` record is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsRptError {
    /// Not a tag list.
    #[error("not a tag list: {0}")]
    Tags(#[from] TagError),
    /// The first tag is not `v=TLSRPTv1`.
    #[error("the record does not start with v=TLSRPTv1")]
    NotTlsRpt,
    /// No `rua=`, or an empty one.
    #[error("rua= is missing or empty")]
    NoRua,
    /// A destination that is not a mailto: address or an https: URL.
    #[error("`{0}` is not a mailto: or https: destination")]
    BadUri(String),
}

impl TlsRptRecord {
    /// Parses the TXT record.
    pub fn parse(text: &str) -> Result<TlsRptRecord, TlsRptError> {
        if !has_version(text, "TLSRPTv1") {
            return Err(TlsRptError::NotTlsRpt);
        }
        let tags = TagList::parse(text)?;
        let rua: Vec<String> = tags
            .get("rua")
            .ok_or(TlsRptError::NoRua)?
            .split(',')
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if rua.is_empty() {
            return Err(TlsRptError::NoRua);
        }
        for uri in &rua {
            let lower = uri.to_ascii_lowercase();
            let ok = match (
                lower.strip_prefix("mailto:"),
                lower.strip_prefix("https://"),
            ) {
                (Some(address), _) => address
                    .split_once('@')
                    .is_some_and(|(l, h)| !l.is_empty() && h.contains('.')),
                (_, Some(rest)) => rest.split('/').next().is_some_and(|h| h.contains('.')),
                _ => false,
            };
            if !ok {
                return Err(TlsRptError::BadUri(uri.clone()));
            }
        }
        Ok(TlsRptRecord { tags, rua })
    }
}

impl fmt::Display for TlsRptRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tags.fmt(f)
    }
}

/// Builds the check when `[email]` is configured.
pub fn build(target: &Target) -> Result<Box<dyn Check>, Skip> {
    match &target.email {
        Some(settings) => Ok(Box::new(TlsRpt {
            settings: settings.clone(),
        })),
        None => Err(Skip::because(
            "no [email] section: add one (domain defaults to the apex) to audit the mail domain",
        )),
    }
}

struct TlsRpt {
    settings: EmailSettings,
}

#[async_trait::async_trait]
impl Check for TlsRpt {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, ctx: &Context) -> Vec<Finding> {
        let domain = self.settings.domain.to_ascii_lowercase();
        let name = format!("_smtp._tls.{domain}");
        let subject = || Subject::dns(&name, "TXT");
        let txt = versioned_txt(&ctx.net.dns, &name, "TLSRPTv1").await;
        if let Some(message) = txt.failed() {
            return vec![
                Finding::error(
                    &META,
                    subject(),
                    format!("cannot look up {name}: {message}"),
                )
                .evidence("rule", "RFC 8460 §3"),
            ];
        }
        match txt.matching.as_slice() {
            [] if !self.settings.sends_mail => vec![Finding::pass(&META, subject(), format!("{domain} receives no mail; TLS reporting is not needed"))
                .evidence("lookup", txt.describe_outcome())],
            [] => vec![Finding::fail(&META, subject(), format!("{domain} requests no SMTP TLS reports: failed TLS deliveries to its MX go unnoticed"))
                .evidence("lookup", txt.describe_outcome())
                .evidence("rule", "RFC 8460 §3")
                .remediation(format!("publish {name} TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\""))],
            [text] => match TlsRptRecord::parse(text) {
                Ok(record) => vec![Finding::pass(&META, subject(), format!("TLS reports go to {}", record.rua.join(", ")))
                    .evidence("record", text.clone())
                    .evidence("rule", "RFC 8460 §3")],
                Err(error) => vec![Finding::fail(&META, subject(), format!("{name} is invalid: {error}"))
                    .severity(Severity::Medium)
                    .evidence("record", text.clone())
                    .evidence("rule", "RFC 8460 §3")
                    .remediation("publish v=TLSRPTv1; rua=mailto:<address> (or an https: endpoint)")],
            },
            many => vec![Finding::fail(&META, subject(), format!("{name} has {} v=TLSRPTv1 records: senders ignore them all", many.len()))
                .severity(Severity::Medium)
                .evidence("records", many.join(" | "))
                .evidence("rule", "RFC 8460 §3: exactly one record")
                .remediation(format!("keep one v=TLSRPTv1 record at {name}"))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_destinations() {
        let r = TlsRptRecord::parse(
            "v=TLSRPTv1; rua=mailto:tls@acme.test, https://reports.acme.test/v1",
        )
        .unwrap();
        assert_eq!(
            r.rua,
            ["mailto:tls@acme.test", "https://reports.acme.test/v1"]
        );
        assert_eq!(TlsRptRecord::parse("v=TLSRPTv1;"), Err(TlsRptError::NoRua));
        assert_eq!(
            TlsRptRecord::parse("v=TLSRPTv1; rua=http://a.test"),
            Err(TlsRptError::BadUri("http://a.test".into()))
        );
        assert_eq!(
            TlsRptRecord::parse("rua=mailto:a@b.test"),
            Err(TlsRptError::NotTlsRpt)
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = TlsRptRecord::parse(&text);
        }

        #[test]
        fn print_then_parse_round_trips(rua in "(mailto:[a-z]{1,6}@[a-z]{1,6}\\.test|https://[a-z]{1,6}\\.test/[a-z]{0,4})(,mailto:x@y\\.test)?") {
            let record = TlsRptRecord::parse(&format!("v=TLSRPTv1;rua={rua}")).unwrap();
            prop_assert_eq!(TlsRptRecord::parse(&record.to_string()), Ok(record));
        }
    }
}
