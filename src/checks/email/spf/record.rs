//! SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §7 and the ABNF of §12): a parser that reports
//! every bad term at once, a printer whose output parses back to the same record, and macro
//! expansion (§7.3).
//!
//! This module uses the standard library only, so a fuzz target can compile it on its own.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The version tag every SPF record starts with (§4.5).
pub const VERSION: &str = "v=spf1";

/// True when a TXT string is an SPF record: `v=spf1` (any case) followed by a space or the end
/// (§4.5). Other TXT records at the name are not SPF and are ignored.
pub fn is_spf(txt: &str) -> bool {
    let bytes = txt.as_bytes();
    bytes.len() >= VERSION.len()
        && bytes[..VERSION.len()].eq_ignore_ascii_case(VERSION.as_bytes())
        && matches!(bytes.get(VERSION.len()), None | Some(b' '))
}

/// A parsed SPF record: its terms in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Directives and modifiers, in the order written.
    pub terms: Vec<Term>,
}

/// One space-separated term of a record (§4.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A qualifier and a mechanism, e.g. `-all` or `include:_spf.example.test`.
    Directive(Directive),
    /// A `name=value` modifier, e.g. `redirect=_spf.example.test`.
    Modifier(Modifier),
}

/// A mechanism with its qualifier (§4.6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The qualifier as written; `None` means the default `+`.
    pub qualifier: Option<Qualifier>,
    /// The mechanism.
    pub mechanism: Mechanism,
}

impl Directive {
    /// The qualifier in effect (`+` when none is written).
    pub fn effective_qualifier(&self) -> Qualifier {
        self.qualifier.unwrap_or(Qualifier::Pass)
    }
}

/// The result a matching mechanism yields (§4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `+`: pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    fn from_char(c: char) -> Option<Self> {
        match c {
            '+' => Some(Qualifier::Pass),
            '-' => Some(Qualifier::Fail),
            '~' => Some(Qualifier::SoftFail),
            '?' => Some(Qualifier::Neutral),
            _ => None,
        }
    }

    /// The qualifier's character.
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// IPv4 and IPv6 prefix lengths of `a` and `mx` (§5.6 dual-cidr-length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DualCidr {
    /// `/n` for IPv4 (0–32); 32 when absent.
    pub v4: Option<u8>,
    /// `//n` for IPv6 (0–128); 128 when absent.
    pub v6: Option<u8>,
}

/// A mechanism (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    /// `all`: always matches (§5.1).
    All,
    /// `include:<domain-spec>`: matches when the other domain's record passes (§5.2).
    Include(DomainSpec),
    /// `a[:<domain-spec>][cidr]`: the domain's addresses (§5.3).
    A {
        /// Target domain; the current domain when absent.
        domain: Option<DomainSpec>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `mx[:<domain-spec>][cidr]`: the addresses of the domain's MX hosts (§5.4).
    Mx {
        /// Target domain; the current domain when absent.
        domain: Option<DomainSpec>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `ptr[:<domain-spec>]`: validated reverse names under the domain (§5.5, deprecated).
    Ptr(Option<DomainSpec>),
    /// `ip4:<network>[/n]` (§5.6).
    Ip4 {
        /// Network address.
        network: Ipv4Addr,
        /// Prefix length; 32 when absent.
        prefix: Option<u8>,
    },
    /// `ip6:<network>[/n]` (§5.6).
    Ip6 {
        /// Network address.
        network: Ipv6Addr,
        /// Prefix length; 128 when absent.
        prefix: Option<u8>,
    },
    /// `exists:<domain-spec>`: matches when the name has an A record (§5.7).
    Exists(DomainSpec),
}

impl Mechanism {
    /// The mechanism's name as written in records.
    pub fn name(&self) -> &'static str {
        match self {
            Mechanism::All => "all",
            Mechanism::Include(_) => "include",
            Mechanism::A { .. } => "a",
            Mechanism::Mx { .. } => "mx",
            Mechanism::Ptr(_) => "ptr",
            Mechanism::Ip4 { .. } => "ip4",
            Mechanism::Ip6 { .. } => "ip6",
            Mechanism::Exists(_) => "exists",
        }
    }

    /// True for the mechanisms that cost a DNS lookup under §4.6.4.
    pub fn needs_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

/// A modifier (§6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modifier {
    /// `redirect=<domain-spec>`: use the other domain's record when nothing matched (§6.1).
    Redirect(DomainSpec),
    /// `exp=<domain-spec>`: where the explanation for a fail lives (§6.2).
    Exp(DomainSpec),
    /// Any other `name=value`: ignored by evaluators (§6).
    Unknown {
        /// The name as written.
        name: String,
        /// The value.
        value: MacroString,
    },
}

/// A `domain-spec`: a macro string that ends in a top label or a macro (§7.1, §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSpec(pub MacroString);

/// A string of literal text and macros (§7.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MacroString {
    /// The parts in order; adjacent literals are always merged.
    pub parts: Vec<MacroPart>,
}

/// One piece of a macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroPart {
    /// Literal text (printable ASCII except `%`).
    Literal(String),
    /// `%{...}`.
    Expand(MacroExpand),
    /// `%%`: a percent sign.
    Percent,
    /// `%_`: a space.
    Space,
    /// `%-`: a URL-encoded space, `%20`.
    UrlSpace,
}

/// A `%{letter transformers delimiters}` macro (§7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroExpand {
    /// The macro letter.
    pub letter: MacroLetter,
    /// Written in upper case: the value is URL-escaped.
    pub url_escape: bool,
    /// Keep this many right-hand parts (nonzero when present).
    pub keep: Option<u32>,
    /// Reverse the parts first (`r`).
    pub reverse: bool,
    /// Characters that split the value into parts (default `.`), as written.
    pub delimiters: String,
}

/// The macro letters of §7.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacroLetter {
    /// `s`: the sender, `local-part@domain`.
    Sender,
    /// `l`: the sender's local part.
    Local,
    /// `o`: the sender's domain.
    Origin,
    /// `d`: the domain being evaluated.
    Domain,
    /// `i`: the client IP (IPv6 as dotted nibbles).
    Ip,
    /// `p`: the validated reverse name of the IP (discouraged).
    Ptr,
    /// `v`: `in-addr` or `ip6`.
    Version,
    /// `h`: the HELO/EHLO name.
    Helo,
    /// `c`: the client IP in readable form (explanations only).
    ClientIp,
    /// `r`: the receiving host (explanations only).
    Receiver,
    /// `t`: the current timestamp (explanations only).
    Timestamp,
}

impl MacroLetter {
    fn from_char(c: char) -> Option<Self> {
        Some(match c.to_ascii_lowercase() {
            's' => MacroLetter::Sender,
            'l' => MacroLetter::Local,
            'o' => MacroLetter::Origin,
            'd' => MacroLetter::Domain,
            'i' => MacroLetter::Ip,
            'p' => MacroLetter::Ptr,
            'v' => MacroLetter::Version,
            'h' => MacroLetter::Helo,
            'c' => MacroLetter::ClientIp,
            'r' => MacroLetter::Receiver,
            't' => MacroLetter::Timestamp,
            _ => return None,
        })
    }

    /// The letter in lower case.
    pub fn letter(self) -> char {
        match self {
            MacroLetter::Sender => 's',
            MacroLetter::Local => 'l',
            MacroLetter::Origin => 'o',
            MacroLetter::Domain => 'd',
            MacroLetter::Ip => 'i',
            MacroLetter::Ptr => 'p',
            MacroLetter::Version => 'v',
            MacroLetter::Helo => 'h',
            MacroLetter::ClientIp => 'c',
            MacroLetter::Receiver => 'r',
            MacroLetter::Timestamp => 't',
        }
    }

    /// True for `c`, `r` and `t`, which only explanation text may use (§7.2).
    pub fn explanation_only(self) -> bool {
        matches!(
            self,
            MacroLetter::ClientIp | MacroLetter::Receiver | MacroLetter::Timestamp
        )
    }
}

/// What is wrong with one term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not start with `v=spf1` followed by a space or the end.
    NotSpf,
    /// A directive whose mechanism is not one of §5.
    UnknownMechanism(String),
    /// A macro that breaks §7.1.
    InvalidMacro(String),
    /// A domain-spec that breaks §7.1 / §12.
    InvalidDomainSpec(String),
    /// An ip4/ip6 network that is not an address.
    InvalidNetwork(String),
    /// A prefix length outside its range or badly written.
    InvalidCidr(String),
    /// A mechanism that needs an argument has none, or has one it must not.
    InvalidArgument(String),
    /// `redirect` or `exp` appears more than once (§6).
    DuplicateModifier(String),
}

impl ErrorKind {
    /// The RFC 7208 section the term breaks.
    pub fn section(&self) -> &'static str {
        match self {
            ErrorKind::NotSpf => "RFC 7208 §4.5",
            ErrorKind::UnknownMechanism(_) => "RFC 7208 §5",
            ErrorKind::InvalidMacro(_) => "RFC 7208 §7.1",
            ErrorKind::InvalidDomainSpec(_) => "RFC 7208 §7.1",
            ErrorKind::InvalidNetwork(_) | ErrorKind::InvalidCidr(_) => "RFC 7208 §5.6",
            ErrorKind::InvalidArgument(_) => "RFC 7208 §12",
            ErrorKind::DuplicateModifier(_) => "RFC 7208 §6",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::NotSpf => write!(f, "does not start with `{VERSION}` and a space"),
            ErrorKind::UnknownMechanism(name) => write!(f, "unknown mechanism `{name}`"),
            ErrorKind::InvalidMacro(why) => write!(f, "invalid macro: {why}"),
            ErrorKind::InvalidDomainSpec(why) => write!(f, "invalid domain-spec: {why}"),
            ErrorKind::InvalidNetwork(why) => write!(f, "invalid network: {why}"),
            ErrorKind::InvalidCidr(why) => write!(f, "invalid prefix length: {why}"),
            ErrorKind::InvalidArgument(why) => f.write_str(why),
            ErrorKind::DuplicateModifier(name) => write!(f, "`{name}` appears more than once"),
        }
    }
}

/// One bad term: its text, its byte offset in the record, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermError {
    /// The term as written.
    pub term: String,
    /// Byte offset of the term in the record text.
    pub offset: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for TermError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (at {}): {}", self.term, self.offset, self.kind)
    }
}

/// Why a record does not parse: every bad term, in order. Any of them makes the record a
/// permerror (§4.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The bad terms; never empty.
    pub errors: Vec<TermError>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

impl Record {
    /// Parses a record, reporting every bad term.
    pub fn parse(text: &str) -> Result<Record, ParseError> {
        if !is_spf(text) {
            let head: String = text.chars().take(16).collect();
            return Err(ParseError {
                errors: vec![TermError {
                    term: head,
                    offset: 0,
                    kind: ErrorKind::NotSpf,
                }],
            });
        }
        let mut terms = Vec::new();
        let mut errors = Vec::new();
        let mut seen_redirect = false;
        let mut seen_exp = false;
        let mut offset = VERSION.len();
        for piece in text[VERSION.len()..].split(' ') {
            let start = offset;
            offset += piece.len() + 1;
            if piece.is_empty() {
                continue;
            }
            let fail = |kind| TermError {
                term: piece.to_string(),
                offset: start,
                kind,
            };
            match parse_term(piece) {
                Ok(term) => {
                    let duplicate = match &term {
                        Term::Modifier(Modifier::Redirect(_)) => {
                            std::mem::replace(&mut seen_redirect, true).then_some("redirect")
                        }
                        Term::Modifier(Modifier::Exp(_)) => {
                            std::mem::replace(&mut seen_exp, true).then_some("exp")
                        }
                        _ => None,
                    };
                    match duplicate {
                        Some(name) => errors.push(fail(ErrorKind::DuplicateModifier(name.into()))),
                        None => terms.push(term),
                    }
                }
                Err(kind) => errors.push(fail(kind)),
            }
        }
        if errors.is_empty() {
            Ok(Record { terms })
        } else {
            Err(ParseError { errors })
        }
    }

    /// The directives, in order.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.terms.iter().filter_map(|t| match t {
            Term::Directive(d) => Some(d),
            Term::Modifier(_) => None,
        })
    }

    /// The `all` directive, if any (the first one: later terms are never reached).
    pub fn all(&self) -> Option<&Directive> {
        self.directives()
            .find(|d| matches!(d.mechanism, Mechanism::All))
    }

    /// The `redirect=` target, if any.
    pub fn redirect(&self) -> Option<&DomainSpec> {
        self.terms.iter().find_map(|t| match t {
            Term::Modifier(Modifier::Redirect(spec)) => Some(spec),
            _ => None,
        })
    }
}

fn parse_term(term: &str) -> Result<Term, ErrorKind> {
    if let Some((name, value)) = term.split_once('=')
        && is_modifier_name(name)
    {
        let modifier = match name.to_ascii_lowercase().as_str() {
            "redirect" => Modifier::Redirect(DomainSpec::parse(value)?),
            "exp" => Modifier::Exp(DomainSpec::parse(value)?),
            _ => Modifier::Unknown {
                name: name.to_string(),
                value: MacroString::parse(value, true)?,
            },
        };
        return Ok(Term::Modifier(modifier));
    }
    let mut chars = term.chars();
    let (qualifier, body) = match chars.next().and_then(Qualifier::from_char) {
        Some(q) => (Some(q), chars.as_str()),
        None => (None, term),
    };
    let split = body.find([':', '/']).unwrap_or(body.len());
    let (name, rest) = body.split_at(split);
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" => {
            if !rest.is_empty() {
                return Err(ErrorKind::InvalidArgument("`all` takes no argument".into()));
            }
            Mechanism::All
        }
        "include" => Mechanism::Include(required_spec("include", rest)?),
        "exists" => Mechanism::Exists(required_spec("exists", rest)?),
        "ptr" => {
            let domain = match rest.strip_prefix(':') {
                Some(spec) => Some(DomainSpec::parse(spec)?),
                None if rest.is_empty() => None,
                None => {
                    return Err(ErrorKind::InvalidArgument(
                        "`ptr` takes no prefix length".into(),
                    ));
                }
            };
            Mechanism::Ptr(domain)
        }
        "a" | "mx" => {
            let (spec, cidr) = split_dual_cidr(rest)?;
            let domain = match spec.strip_prefix(':') {
                Some(spec) => Some(DomainSpec::parse(spec)?),
                None if spec.is_empty() => None,
                None => {
                    return Err(ErrorKind::InvalidArgument(format!(
                        "`{name}` is followed by `{spec}`"
                    )));
                }
            };
            if name.eq_ignore_ascii_case("a") {
                Mechanism::A { domain, cidr }
            } else {
                Mechanism::Mx { domain, cidr }
            }
        }
        "ip4" => {
            let arg = rest.strip_prefix(':').ok_or_else(|| {
                ErrorKind::InvalidArgument("`ip4` needs `:` and a network".into())
            })?;
            let (network, prefix) = match arg.split_once('/') {
                Some((network, length)) => (network, Some(cidr_length(length, 32)?)),
                None => (arg, None),
            };
            let network = network.parse::<Ipv4Addr>().map_err(|_| {
                ErrorKind::InvalidNetwork(format!("`{network}` is not an IPv4 address"))
            })?;
            Mechanism::Ip4 { network, prefix }
        }
        "ip6" => {
            let arg = rest.strip_prefix(':').ok_or_else(|| {
                ErrorKind::InvalidArgument("`ip6` needs `:` and a network".into())
            })?;
            let (network, prefix) = match arg.split_once('/') {
                Some((network, length)) => (network, Some(cidr_length(length, 128)?)),
                None => (arg, None),
            };
            let network = network.parse::<Ipv6Addr>().map_err(|_| {
                ErrorKind::InvalidNetwork(format!("`{network}` is not an IPv6 address"))
            })?;
            Mechanism::Ip6 { network, prefix }
        }
        _ => return Err(ErrorKind::UnknownMechanism(name.to_string())),
    };
    Ok(Term::Directive(Directive {
        qualifier,
        mechanism,
    }))
}

/// `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )` (§12).
fn is_modifier_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn required_spec(name: &str, rest: &str) -> Result<DomainSpec, ErrorKind> {
    match rest.strip_prefix(':') {
        Some(spec) => DomainSpec::parse(spec),
        None => Err(ErrorKind::InvalidArgument(format!(
            "`{name}` needs `:` and a domain"
        ))),
    }
}

/// Splits a trailing `[/n][//n]` off the argument of `a` / `mx`.
fn split_dual_cidr(rest: &str) -> Result<(&str, DualCidr), ErrorKind> {
    let mut cidr = DualCidr::default();
    let mut rest = rest;
    if let Some((head, digits)) = trailing_number(rest, "//") {
        cidr.v6 = Some(cidr_length(digits, 128)?);
        rest = head;
    }
    if let Some((head, digits)) = trailing_number(rest, "/") {
        cidr.v4 = Some(cidr_length(digits, 32)?);
        rest = head;
    }
    Ok((rest, cidr))
}

/// `text` split as `(head, digits)` when it ends in `marker` followed by ASCII digits.
fn trailing_number<'a>(text: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let digits_start = text.len() - text.bytes().rev().take_while(u8::is_ascii_digit).count();
    let digits = &text[digits_start..];
    let head = text[..digits_start].strip_suffix(marker)?;
    if digits.is_empty() {
        return None;
    }
    if marker == "/" && head.ends_with('/') {
        return None;
    }
    Some((head, digits))
}

/// `"0" / %x31-39 0*N DIGIT` within `0..=max` (§12 ip4-cidr-length, ip6-cidr-length).
fn cidr_length(digits: &str, max: u8) -> Result<u8, ErrorKind> {
    let well_formed = !digits.is_empty()
        && digits.len() <= 3
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse::<u8>() {
        Ok(n) if well_formed && n <= max => Ok(n),
        _ => Err(ErrorKind::InvalidCidr(format!(
            "`/{digits}` is not a length from 0 to {max}"
        ))),
    }
}

impl DomainSpec {
    /// Parses a domain-spec: a macro string without explanation-only letters that ends in
    /// `.toplabel[.]` or a macro.
    pub fn parse(text: &str) -> Result<DomainSpec, ErrorKind> {
        if text.is_empty() {
            return Err(ErrorKind::InvalidDomainSpec("empty".into()));
        }
        let macros = MacroString::parse(text, false)?;
        match macros.parts.last() {
            Some(MacroPart::Literal(tail)) => {
                let tail = tail.strip_suffix('.').unwrap_or(tail);
                match tail.rsplit_once('.') {
                    Some((_, top)) if is_toplabel(top) => {}
                    Some((_, top)) => {
                        return Err(ErrorKind::InvalidDomainSpec(format!(
                            "`{text}` ends in `{top}`, which is not a top-level label"
                        )));
                    }
                    None => {
                        return Err(ErrorKind::InvalidDomainSpec(format!(
                            "`{text}` does not end in `.` and a top-level label or in a macro"
                        )));
                    }
                }
            }
            Some(_) => {}
            None => return Err(ErrorKind::InvalidDomainSpec("empty".into())),
        }
        Ok(DomainSpec(macros))
    }

    /// The literal domain when the spec holds no macro.
    pub fn literal(&self) -> Option<&str> {
        match self.0.parts.as_slice() {
            [MacroPart::Literal(text)] => Some(text),
            _ => None,
        }
    }
}

/// `( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )` (§12).
fn is_toplabel(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes.iter().any(|b| b.is_ascii_alphabetic() || *b == b'-')
        }
        _ => false,
    }
}

impl MacroString {
    /// Parses a macro string; `explanation_letters` allows `c`, `r` and `t`.
    pub fn parse(text: &str, explanation_letters: bool) -> Result<MacroString, ErrorKind> {
        let mut parts: Vec<MacroPart> = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                if !matches!(c, '\x21'..='\x7e') {
                    return Err(ErrorKind::InvalidMacro(format!(
                        "character {} is not allowed",
                        c.escape_default()
                    )));
                }
                literal.push(c);
                continue;
            }
            let part = match chars.next() {
                Some('%') => MacroPart::Percent,
                Some('_') => MacroPart::Space,
                Some('-') => MacroPart::UrlSpace,
                Some('{') => MacroPart::Expand(parse_expand(&mut chars, explanation_letters)?),
                Some(other) => {
                    return Err(ErrorKind::InvalidMacro(format!(
                        "`%{}` is not a macro (write `%%` for a percent sign)",
                        other.escape_default()
                    )));
                }
                None => {
                    return Err(ErrorKind::InvalidMacro("a lone `%` ends the string".into()));
                }
            };
            if !literal.is_empty() {
                parts.push(MacroPart::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
        if !literal.is_empty() {
            parts.push(MacroPart::Literal(literal));
        }
        Ok(MacroString { parts })
    }

    /// The macro letters used, in order.
    pub fn letters(&self) -> impl Iterator<Item = MacroLetter> + '_ {
        self.parts.iter().filter_map(|p| match p {
            MacroPart::Expand(e) => Some(e.letter),
            _ => None,
        })
    }

    /// Expands the string (§7.3); `Err` names the letters the context cannot supply.
    pub fn expand(&self, context: &MacroContext<'_>) -> Result<String, Unexpandable> {
        let mut out = String::new();
        let mut missing = Vec::new();
        for part in &self.parts {
            match part {
                MacroPart::Literal(text) => out.push_str(text),
                MacroPart::Percent => out.push('%'),
                MacroPart::Space => out.push(' '),
                MacroPart::UrlSpace => out.push_str("%20"),
                MacroPart::Expand(e) => match context.value(e.letter) {
                    Some(value) => out.push_str(&e.transform(&value)),
                    None => {
                        if !missing.contains(&e.letter) {
                            missing.push(e.letter);
                        }
                    }
                },
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(Unexpandable { letters: missing })
        }
    }
}

fn parse_expand(
    chars: &mut std::str::Chars<'_>,
    explanation_letters: bool,
) -> Result<MacroExpand, ErrorKind> {
    let letter_char = chars
        .next()
        .ok_or_else(|| ErrorKind::InvalidMacro("`%{` is not closed".into()))?;
    let letter = MacroLetter::from_char(letter_char).ok_or_else(|| {
        ErrorKind::InvalidMacro(format!(
            "`%{{{}` is not a macro letter",
            letter_char.escape_default()
        ))
    })?;
    if letter.explanation_only() && !explanation_letters {
        return Err(ErrorKind::InvalidMacro(format!(
            "`%{{{letter_char}}}` is allowed only in explanation text"
        )));
    }
    let mut digits = String::new();
    let mut reverse = false;
    let mut delimiters = String::new();
    loop {
        let c = chars
            .next()
            .ok_or_else(|| ErrorKind::InvalidMacro("`%{` is not closed".into()))?;
        match c {
            '}' => break,
            '0'..='9' if !reverse && delimiters.is_empty() => digits.push(c),
            'r' | 'R' if !reverse && delimiters.is_empty() => reverse = true,
            '.' | '-' | '+' | ',' | '/' | '_' | '=' => delimiters.push(c),
            other => {
                return Err(ErrorKind::InvalidMacro(format!(
                    "`{}` is not allowed inside `%{{{letter_char}…}}`",
                    other.escape_default()
                )));
            }
        }
    }
    let keep = if digits.is_empty() {
        None
    } else {
        let value = digits.chars().fold(0u32, |n, d| {
            n.saturating_mul(10).saturating_add(d as u32 - '0' as u32)
        });
        if value == 0 {
            return Err(ErrorKind::InvalidMacro(format!(
                "`%{{{letter_char}{digits}…}}` keeps zero parts"
            )));
        }
        Some(value)
    };
    Ok(MacroExpand {
        letter,
        url_escape: letter_char.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters,
    })
}

impl MacroExpand {
    /// Applies the transformers of §7.3 to a macro's value.
    fn transform(&self, value: &str) -> String {
        let delimiters: &str = if self.delimiters.is_empty() {
            "."
        } else {
            &self.delimiters
        };
        let mut parts: Vec<&str> = value.split(|c| delimiters.contains(c)).collect();
        if self.reverse {
            parts.reverse();
        }
        if let Some(keep) = self.keep {
            let keep = usize::try_from(keep).unwrap_or(usize::MAX);
            if keep < parts.len() {
                parts.drain(..parts.len() - keep);
            }
        }
        let joined = parts.join(".");
        if self.url_escape {
            url_escape(&joined)
        } else {
            joined
        }
    }
}

/// Percent-encodes every byte outside RFC 3986 "unreserved".
fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What macro expansion knows about the message being checked (§7.2); `None` where unknown.
#[derive(Debug, Clone, Default)]
pub struct MacroContext<'a> {
    /// The current domain (`d`).
    pub domain: &'a str,
    /// The sender `local@domain` (`s`, `l`, `o`).
    pub sender: Option<&'a str>,
    /// The client IP (`i`, `v`).
    pub ip: Option<IpAddr>,
    /// The HELO name (`h`).
    pub helo: Option<&'a str>,
    /// The validated reverse name (`p`); `"unknown"` is used when an IP is known but this is not.
    pub validated_name: Option<&'a str>,
}

impl MacroContext<'_> {
    fn value(&self, letter: MacroLetter) -> Option<String> {
        let sender_parts = self.sender.map(|s| match s.rsplit_once('@') {
            Some((local, domain)) => (local.to_string(), domain.to_string()),
            None => ("postmaster".to_string(), s.to_string()),
        });
        match letter {
            MacroLetter::Domain => Some(self.domain.to_string()),
            MacroLetter::Sender => self.sender.map(str::to_string),
            MacroLetter::Local => sender_parts.map(|(local, _)| local),
            MacroLetter::Origin => sender_parts.map(|(_, domain)| domain),
            MacroLetter::Ip => self.ip.map(dotted_ip),
            MacroLetter::Version => self.ip.map(|ip| match ip {
                IpAddr::V4(_) => "in-addr".to_string(),
                IpAddr::V6(_) => "ip6".to_string(),
            }),
            MacroLetter::Helo => self.helo.map(str::to_string),
            MacroLetter::Ptr => self
                .ip
                .map(|_| self.validated_name.unwrap_or("unknown").to_string()),
            MacroLetter::ClientIp | MacroLetter::Receiver | MacroLetter::Timestamp => None,
        }
    }
}

/// The `i` macro form of an address: dotted quad, or 32 dot-separated nibbles for IPv6 (§7.3).
pub fn dotted_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .flat_map(|b| [b >> 4, b & 0xf])
            .map(|n| format!("{n:x}"))
            .collect::<Vec<_>>()
            .join("."),
    }
}

/// Macro letters that cannot be expanded without a message (sender, IP, HELO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexpandable {
    /// The letters, in order of first use.
    pub letters: Vec<MacroLetter>,
}

impl fmt::Display for Unexpandable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters: Vec<String> = self
            .letters
            .iter()
            .map(|l| format!("%{{{}}}", l.letter()))
            .collect();
        write!(f, "{} known only when a message arrives", letters.join(" "))
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(VERSION)?;
        for term in &self.terms {
            write!(f, " {term}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Directive(d) => write!(f, "{d}"),
            Term::Modifier(m) => write!(f, "{m}"),
        }
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(q) = self.qualifier {
            write!(f, "{}", q.symbol())?;
        }
        write!(f, "{}", self.mechanism)
    }
}

impl fmt::Display for DualCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v4) = self.v4 {
            write!(f, "/{v4}")?;
        }
        if let Some(v6) = self.v6 {
            write!(f, "//{v6}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Mechanism::All => Ok(()),
            Mechanism::Include(spec) | Mechanism::Exists(spec) => write!(f, ":{spec}"),
            Mechanism::A { domain, cidr } | Mechanism::Mx { domain, cidr } => {
                if let Some(domain) = domain {
                    write!(f, ":{domain}")?;
                }
                write!(f, "{cidr}")
            }
            Mechanism::Ptr(domain) => match domain {
                Some(domain) => write!(f, ":{domain}"),
                None => Ok(()),
            },
            Mechanism::Ip4 { network, prefix } => {
                write!(f, ":{network}")?;
                prefix.map_or(Ok(()), |p| write!(f, "/{p}"))
            }
            Mechanism::Ip6 { network, prefix } => {
                write!(f, ":{network}")?;
                prefix.map_or(Ok(()), |p| write!(f, "/{p}"))
            }
        }
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modifier::Redirect(spec) => write!(f, "redirect={spec}"),
            Modifier::Exp(spec) => write!(f, "exp={spec}"),
            Modifier::Unknown { name, value } => write!(f, "{name}={value}"),
        }
    }
}

impl fmt::Display for DomainSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                MacroPart::Literal(text) => f.write_str(text)?,
                MacroPart::Percent => f.write_str("%%")?,
                MacroPart::Space => f.write_str("%_")?,
                MacroPart::UrlSpace => f.write_str("%-")?,
                MacroPart::Expand(e) => write!(f, "{e}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for MacroExpand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = self.letter.letter();
        let letter = if self.url_escape {
            letter.to_ascii_uppercase()
        } else {
            letter
        };
        write!(f, "%{{{letter}")?;
        if let Some(keep) = self.keep {
            write!(f, "{keep}")?;
        }
        if self.reverse {
            f.write_str("r")?;
        }
        write!(f, "{}}}", self.delimiters)
    }
}

/// True when `ip` is inside `network/prefix`.
pub fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let prefix = u32::from(prefix.min(32));
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let prefix = u32::from(prefix.min(128));
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Record {
        Record::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn first_error(text: &str) -> ErrorKind {
        Record::parse(text).expect_err(text).errors[0].kind.clone()
    }

    #[test]
    fn recognizes_spf_records_only() {
        assert!(is_spf("v=spf1"));
        assert!(is_spf("v=spf1 -all"));
        assert!(is_spf("V=SPF1 -all"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("v=spf1-all"));
        assert!(!is_spf("google-site-verification=abc"));
        assert!(!is_spf(" v=spf1 -all"));
        assert!(!is_spf("v=spé"));
    }

    #[test]
    fn parses_every_mechanism_and_modifier() {
        let text = "v=spf1 +all -include:_spf.example.test ~a ?a:mail.example.test/24//64 mx//48 mx:example.test/28 ptr ptr:example.test ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d2} redirect=_spf.example.test exp=explain._spf.%{d} x-vendor=%{h}";
        let record = parse(text);
        assert_eq!(record.terms.len(), 15);
        assert_eq!(record.to_string(), text);
        assert_eq!(
            record.terms[3],
            Term::Directive(Directive {
                qualifier: Some(Qualifier::Neutral),
                mechanism: Mechanism::A {
                    domain: Some(DomainSpec::parse("mail.example.test").unwrap()),
                    cidr: DualCidr {
                        v4: Some(24),
                        v6: Some(64)
                    },
                },
            })
        );
        assert_eq!(
            record.redirect().and_then(DomainSpec::literal),
            Some("_spf.example.test")
        );
        assert_eq!(
            record.all().map(Directive::effective_qualifier),
            Some(Qualifier::Pass)
        );
    }

    #[test]
    fn extra_spaces_and_case_are_accepted() {
        let record = parse("v=spf1   MX  Include:_spf.example.test   -ALL  ");
        assert_eq!(
            record.to_string(),
            "v=spf1 mx include:_spf.example.test -all"
        );
    }

    #[test]
    fn reports_every_bad_term_with_its_offset() {
        let error =
            Record::parse("v=spf1 foo:bar.test a:%(ir).x.test -all ip4:300.1.1.1").unwrap_err();
        let kinds: Vec<_> = error
            .errors
            .iter()
            .map(|e| (e.offset, e.term.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (7, "foo:bar.test"),
                (20, "a:%(ir).x.test"),
                (40, "ip4:300.1.1.1")
            ]
        );
        assert!(matches!(error.errors[0].kind, ErrorKind::UnknownMechanism(ref n) if n == "foo"));
    }

    #[test]
    fn rejects_bad_terms() {
        assert!(matches!(
            first_error("v=spf1 -all x"),
            ErrorKind::UnknownMechanism(_)
        ));
        assert!(matches!(
            first_error("v=spf1 ip4"),
            ErrorKind::InvalidArgument(_)
        ));
        assert!(matches!(
            first_error("v=spf1 include"),
            ErrorKind::InvalidArgument(_)
        ));
        assert!(matches!(
            first_error("v=spf1 all:x.test"),
            ErrorKind::InvalidArgument(_)
        ));
        assert!(matches!(
            first_error("v=spf1 ptr/24"),
            ErrorKind::InvalidArgument(_)
        ));
        assert!(matches!(
            first_error("v=spf1 ip4:192.0.2.0/33"),
            ErrorKind::InvalidCidr(_)
        ));
        assert!(matches!(
            first_error("v=spf1 a/024"),
            ErrorKind::InvalidCidr(_)
        ));
        assert!(matches!(
            first_error("v=spf1 mx//129"),
            ErrorKind::InvalidCidr(_)
        ));
        assert!(matches!(
            first_error("v=spf1 ip6:2001:db8::/129"),
            ErrorKind::InvalidCidr(_)
        ));
        assert!(matches!(
            first_error("v=spf1 ip4:2001:db8::"),
            ErrorKind::InvalidNetwork(_)
        ));
        assert!(matches!(
            first_error("v=spf1 include:localhost"),
            ErrorKind::InvalidDomainSpec(_)
        ));
        assert!(matches!(
            first_error("v=spf1 include:a.123"),
            ErrorKind::InvalidDomainSpec(_)
        ));
        assert!(matches!(
            first_error("v=spf1 include:a.test.."),
            ErrorKind::InvalidDomainSpec(_)
        ));
        assert!(matches!(
            first_error("v=spf1 redirect="),
            ErrorKind::InvalidDomainSpec(_)
        ));
        assert!(matches!(
            first_error("v=spf1 redirect=a.test redirect=b.test"),
            ErrorKind::DuplicateModifier(_)
        ));
        assert!(matches!(first_error("spf1 -all"), ErrorKind::NotSpf));
        assert!(matches!(
            first_error("v=spf1 a:é.test"),
            ErrorKind::InvalidMacro(_)
        ));
    }

    #[test]
    fn multibyte_text_before_a_prefix_length_is_an_error_not_a_panic() {
        // Found by the fuzz target: a non-ASCII character right before trailing digits.
        assert!(Record::parse("v=spf1 a:mai(.%{d21}/64spf.%{-}p}\u{6d6}5").is_err());
        assert!(Record::parse("v=spf1 mx:\u{e9}//64").is_err());
    }

    #[test]
    fn validates_macro_syntax() {
        for bad in [
            "exists:%{x}.a.test",
            "exists:%{d0}.a.test",
            "exists:%{ir.a.test",
            "exists:%{i r}.a.test",
            "exists:%{c}.a.test",
            "exists:%{t}.a.test",
            "exists:a.test%",
            "exists:%a.test",
            "exists:%{d.r}.a.test",
        ] {
            let text = format!("v=spf1 {bad}");
            assert!(
                matches!(first_error(&text), ErrorKind::InvalidMacro(_)),
                "{bad} should be an invalid macro"
            );
        }
        for good in [
            "exists:%{i}.a.test",
            "exists:%{ir}.%{v}._spf.%{d2}",
            "exists:%{l1r-}.lp.%{d}",
            "exists:%{I}.a.test",
            "exists:%%%_%-.a.test",
            "exists:%{d2r+-,/_=}.a.test",
            "exists:a.test.%{d}",
        ] {
            parse(&format!("v=spf1 {good}"));
        }
        parse("v=spf1 x-note=%{c}-%{r}-%{t}");
    }

    #[test]
    fn expands_the_rfc_examples() {
        let context = MacroContext {
            domain: "email.example.com",
            sender: Some("strong-bad@email.example.com"),
            ip: Some("192.0.2.3".parse().unwrap()),
            helo: Some("mx.example.org"),
            validated_name: None,
        };
        let cases = [
            ("%{s}", "strong-bad@email.example.com"),
            ("%{o}", "email.example.com"),
            ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"),
            ("%{d3}", "email.example.com"),
            ("%{d2}", "example.com"),
            ("%{d1}", "com"),
            ("%{dr}", "com.example.email"),
            ("%{d2r}", "example.email"),
            ("%{l}", "strong-bad"),
            ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"),
            ("%{lr-}", "bad.strong"),
            ("%{l1r-}", "strong"),
            (
                "%{ir}.%{v}._spf.%{d2}",
                "3.2.0.192.in-addr._spf.example.com",
            ),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            (
                "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            ),
            (
                "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
                "3.2.0.192.in-addr.strong.lp._spf.example.com",
            ),
            (
                "%{d2}.trusted-domains.example.net",
                "example.com.trusted-domains.example.net",
            ),
            ("%{S}", "strong-bad%40email.example.com"),
            ("%{p}", "unknown"),
            ("a%_b%%c%-d", "a b%c%20d"),
        ];
        for (macro_string, expected) in cases {
            let parsed = MacroString::parse(macro_string, false).unwrap();
            assert_eq!(parsed.expand(&context).unwrap(), expected, "{macro_string}");
        }
        let v6 = MacroContext {
            ip: Some("2001:db8::cb01".parse().unwrap()),
            ..context
        };
        let parsed = MacroString::parse("%{ir}.%{v}._spf.%{d2}", false).unwrap();
        assert_eq!(
            parsed.expand(&v6).unwrap(),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
    }

    #[test]
    fn sender_macros_cannot_expand_at_audit_time() {
        let context = MacroContext {
            domain: "acme.test",
            ..MacroContext::default()
        };
        let parsed = MacroString::parse("%{ir}.%{l}.%{d}", false).unwrap();
        let missing = parsed.expand(&context).unwrap_err();
        assert_eq!(missing.letters, [MacroLetter::Ip, MacroLetter::Local]);
        let parsed = MacroString::parse("_spf.%{d}", false).unwrap();
        assert_eq!(parsed.expand(&context).unwrap(), "_spf.acme.test");
    }

    #[test]
    fn networks_match_by_prefix() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("192.0.2.77"), ip("192.0.2.0"), 24));
        assert!(!in_network(ip("192.0.3.1"), ip("192.0.2.0"), 24));
        assert!(in_network(ip("203.0.113.9"), ip("0.0.0.0"), 0));
        assert!(in_network(ip("192.0.2.1"), ip("192.0.2.1"), 32));
        assert!(in_network(ip("2001:db8::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("2001:db9::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("192.0.2.1"), ip("2001:db8::"), 0));
    }

    fn domain() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9_]{1,10}(\\.[a-z0-9]([a-z0-9-]{0,4}[a-z0-9])?){0,2}\\.[a-z]{2,5}\\.?",
            Just("%{d}".to_string()),
            Just("_spf.%{d2}".to_string()),
            Just("%{ir}.%{v}._spf.%{D}".to_string()),
            Just("%{l1r-}.lp.%{o}.example.test".to_string()),
        ]
    }

    fn term() -> impl Strategy<Value = String> {
        let qualifier = prop_oneof![Just(""), Just("+"), Just("-"), Just("~"), Just("?")];
        let cidr = (
            proptest::option::of(0u8..=32),
            proptest::option::of(0u8..=128),
        )
            .prop_map(|(v4, v6)| {
                let mut out = String::new();
                if let Some(v4) = v4 {
                    out.push_str(&format!("/{v4}"));
                }
                if let Some(v6) = v6 {
                    out.push_str(&format!("//{v6}"));
                }
                out
            });
        let mechanism = prop_oneof![
            Just("all".to_string()),
            domain().prop_map(|d| format!("include:{d}")),
            domain().prop_map(|d| format!("exists:{d}")),
            (proptest::option::of(domain()), cidr.clone()).prop_map(|(d, c)| format!(
                "a{}{c}",
                d.map(|d| format!(":{d}")).unwrap_or_default()
            )),
            (proptest::option::of(domain()), cidr).prop_map(|(d, c)| format!(
                "mx{}{c}",
                d.map(|d| format!(":{d}")).unwrap_or_default()
            )),
            proptest::option::of(domain())
                .prop_map(|d| format!("ptr{}", d.map(|d| format!(":{d}")).unwrap_or_default())),
            (any::<[u8; 4]>(), proptest::option::of(0u8..=32)).prop_map(|(ip, p)| format!(
                "ip4:{}{}",
                Ipv4Addr::from(ip),
                p.map(|p| format!("/{p}")).unwrap_or_default()
            )),
            (any::<[u8; 16]>(), proptest::option::of(0u8..=128)).prop_map(|(ip, p)| format!(
                "ip6:{}{}",
                Ipv6Addr::from(ip),
                p.map(|p| format!("/{p}")).unwrap_or_default()
            )),
        ];
        prop_oneof![
            4 => (qualifier, mechanism).prop_map(|(q, m)| format!("{q}{m}")),
            1 => "[a-z][a-z0-9_.-]{0,8}=[!-$&-~]{0,12}".prop_filter("not a known modifier", |m| {
                let name = m.split('=').next().unwrap_or_default().to_ascii_lowercase();
                name != "redirect" && name != "exp"
            }),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(text in any::<String>()) {
            let _ = is_spf(&text);
            let _ = Record::parse(&text);
            let _ = Record::parse(&format!("v=spf1 {text}"));
            let _ = MacroString::parse(&text, true);
            let _ = DomainSpec::parse(&text);
            let context = MacroContext {
                domain: "example.test",
                sender: Some("a@example.test"),
                ip: Some(IpAddr::from([192, 0, 2, 1])),
                helo: None,
                validated_name: None,
            };
            if let Ok(macros) = MacroString::parse(&text, true) {
                let _ = macros.expand(&context);
                prop_assert_eq!(MacroString::parse(&macros.to_string(), true), Ok(macros));
            }
        }

        #[test]
        fn spf_shaped_input_never_panics(terms in proptest::collection::vec("[!-~]{0,20}", 0..8)) {
            let text = format!("v=spf1 {}", terms.join(" "));
            if let Ok(record) = Record::parse(&text) {
                prop_assert_eq!(Record::parse(&record.to_string()), Ok(record));
            }
        }

        #[test]
        fn valid_records_round_trip(
            terms in proptest::collection::vec(term(), 0..10),
            redirect in proptest::option::of(domain()),
        ) {
            let mut text = format!("v=spf1 {}", terms.join(" "));
            if let Some(redirect) = redirect {
                text.push_str(&format!(" redirect={redirect}"));
            }
            let record = Record::parse(&text);
            prop_assert!(record.is_ok(), "{} does not parse: {:?}", text, record);
            let record = record.unwrap();
            let printed = record.to_string();
            prop_assert_eq!(Record::parse(&printed), Ok(record.clone()));
            prop_assert_eq!(record.to_string(), printed);
        }
    }
}
