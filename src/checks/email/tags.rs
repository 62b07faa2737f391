//! Tag-value lists (RFC 6376 §3.2): the `name=value; name=value` grammar that DKIM key records,
//! DMARC (RFC 7489 §6.4), MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records share,
//! and the TXT lookup that keeps only the records of one version.

use std::fmt;

use crate::net::Dns;
use crate::net::dns::{DnsAnswer, DnsOutcome, RecordType};

/// One `name=value` pair, both trimmed of surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Tag name as written.
    pub name: String,
    /// Tag value as written, without surrounding whitespace.
    pub value: String,
}

/// A parsed tag list, in record order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagList {
    /// The tags.
    pub tags: Vec<Tag>,
}

/// Why a text is not a tag list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    /// A tag-spec without `=`.
    #[error("`{0}` is not a name=value tag")]
    NoEquals(String),
    /// A tag name that is not ALPHA *(ALNUM / "_").
    #[error("`{0}` is not a valid tag name")]
    BadName(String),
    /// The same tag twice (RFC 6376 §3.2: duplicates make the record invalid).
    #[error("tag `{0}` appears more than once")]
    Duplicate(String),
    /// A value holding a control or non-ASCII character.
    #[error("tag `{0}` holds a character outside printable ASCII")]
    BadValue(String),
}

fn is_fws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl TagList {
    /// Parses `text`; empty tag-specs (`;;`, a trailing `;`) are tolerated, tag names compared
    /// case-insensitively for duplicates.
    pub fn parse(text: &str) -> Result<TagList, TagError> {
        let mut tags: Vec<Tag> = Vec::new();
        for spec in text.split(';') {
            let spec = spec.trim_matches(is_fws);
            if spec.is_empty() {
                continue;
            }
            let Some((name, value)) = spec.split_once('=') else {
                return Err(TagError::NoEquals(spec.to_string()));
            };
            let name = name.trim_matches(is_fws);
            let value = value.trim_matches(is_fws);
            if !valid_name(name) {
                return Err(TagError::BadName(name.to_string()));
            }
            if value.chars().any(|c| !(c.is_ascii_graphic() || is_fws(c))) {
                return Err(TagError::BadValue(name.to_string()));
            }
            if tags.iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
                return Err(TagError::Duplicate(name.to_string()));
            }
            tags.push(Tag {
                name: name.to_string(),
                value: value.to_string(),
            });
        }
        Ok(TagList { tags })
    }

    /// The value of the tag named exactly `name` (DKIM tag names are case-sensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.value.as_str())
    }

    /// The value of the tag named `name` in any case (DMARC, MTA-STS and TLS-RPT).
    pub fn get_ignore_case(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .map(|t| t.value.as_str())
    }

    /// The first tag, if any.
    pub fn first(&self) -> Option<&Tag> {
        self.tags.first()
    }
}

impl fmt::Display for TagList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, tag) in self.tags.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}={}", tag.name, tag.value)?;
        }
        Ok(())
    }
}

/// True when `text` starts with the tag `v=<version>` (whitespace around `=` allowed).
pub fn has_version(text: &str, version: &str) -> bool {
    let first = text.split(';').next().unwrap_or_default();
    match first.split_once('=') {
        Some((name, value)) => {
            name.trim_matches(is_fws) == "v" && value.trim_matches(is_fws) == version
        }
        None => false,
    }
}

/// The TXT records at one name, split by whether they carry the wanted version tag.
#[derive(Debug, Clone)]
pub struct VersionedTxt {
    /// The name queried.
    pub name: String,
    /// How the query ended.
    pub outcome: DnsOutcome,
    /// Records starting `v=<version>`, in answer order.
    pub matching: Vec<String>,
    /// Every other TXT record at the name.
    pub others: Vec<String>,
}

impl VersionedTxt {
    /// Splits a TXT answer by version.
    pub fn from_answer(answer: &DnsAnswer, version: &str) -> Self {
        let (matching, others) = answer
            .txt()
            .into_iter()
            .partition(|text| has_version(text, version));
        VersionedTxt {
            name: answer.name.clone(),
            outcome: answer.outcome.clone(),
            matching,
            others,
        }
    }

    /// The query failed (timeout, SERVFAIL…): absence cannot be concluded.
    pub fn failed(&self) -> Option<&str> {
        match &self.outcome {
            DnsOutcome::Failed(message) => Some(message),
            _ => None,
        }
    }

    /// The DNS outcome in words, for evidence.
    pub fn describe_outcome(&self) -> String {
        match &self.outcome {
            DnsOutcome::Answer => format!(
                "{} TXT record(s), {} with the version tag",
                self.matching.len() + self.others.len(),
                self.matching.len()
            ),
            DnsOutcome::NxDomain => "NXDOMAIN".into(),
            DnsOutcome::NoData => "no TXT records (NODATA)".into(),
            DnsOutcome::Failed(message) => format!("query failed: {message}"),
        }
    }
}

/// Looks up the TXT records at `name` and keeps apart those starting `v=<version>`.
pub async fn versioned_txt(dns: &Dns, name: &str, version: &str) -> VersionedTxt {
    let answer = dns.lookup(name, RecordType::TXT).await;
    VersionedTxt::from_answer(&answer, version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_tags_with_whitespace_and_trailing_separator() {
        let list = TagList::parse(" v = DKIM1 ;k=rsa;\r\n p=MIIB AQAB= ;").unwrap();
        assert_eq!(list.get("v"), Some("DKIM1"));
        assert_eq!(list.get("p"), Some("MIIB AQAB="));
        assert_eq!(list.get("K"), None);
        assert_eq!(list.get_ignore_case("K"), Some("rsa"));
        assert_eq!(list.to_string(), "v=DKIM1; k=rsa; p=MIIB AQAB=");
    }

    #[test]
    fn rejects_broken_lists() {
        assert_eq!(
            TagList::parse("v=DMARC1; reject"),
            Err(TagError::NoEquals("reject".into()))
        );
        assert_eq!(
            TagList::parse("p=none; P=reject"),
            Err(TagError::Duplicate("P".into()))
        );
        assert_eq!(TagList::parse("1x=2"), Err(TagError::BadName("1x".into())));
        assert_eq!(TagList::parse("a=é"), Err(TagError::BadValue("a".into())));
    }

    #[test]
    fn version_tag_must_come_first() {
        assert!(has_version("v=DMARC1; p=none", "DMARC1"));
        assert!(has_version("v = STSv1", "STSv1"));
        assert!(!has_version("p=none; v=DMARC1", "DMARC1"));
        assert!(!has_version("v=DMARC10", "DMARC1"));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = TagList::parse(&text);
            let _ = has_version(&text, "DMARC1");
        }

        #[test]
        fn print_then_parse_round_trips(text in "[a-zA-Z0-9_=;: \t.@!,/+-]{0,80}") {
            if let Ok(list) = TagList::parse(&text) {
                prop_assert_eq!(TagList::parse(&list.to_string()), Ok(list));
            }
        }
    }
}
