//! SPF evaluation through the audit's resolver: the audit-time tree walk that follows every
//! include and redirect and counts DNS-mechanism and void lookups per RFC 7208 §4.6.4, and
//! `check_host()` (§4) for one client IP.

use std::fmt::Write as _;
use std::net::IpAddr;

use futures::future::BoxFuture;

use super::record::{
    self, Directive, DomainSpec, MacroContext, Mechanism, Modifier, ParseError, Qualifier, Record,
    Term,
};
use crate::check::Severity;
use crate::net::Dns;
use crate::net::dns::{DnsAnswer, DnsOutcome, RData, RecordType};

/// Terms that cause DNS lookups, across the whole evaluation (§4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;
/// Lookups that return no answer or NXDOMAIN (§4.6.4).
pub const VOID_LIMIT: u32 = 2;
/// MX hosts an `mx` mechanism may look up; more is a permerror (§4.6.4).
pub const MX_HOST_LIMIT: usize = 10;
/// PTR names `ptr` or `%{p}` look at; the rest are ignored (§4.6.4).
pub const PTR_NAME_LIMIT: usize = 10;
/// The audit-time walk stops following includes past this many lookups, so that a fan-out tree
/// cannot make it run away while the report still shows well beyond the limit.
const WALK_LOOKUP_CAP: u32 = 40;
/// Include/redirect nesting the walk follows.
const WALK_DEPTH_CAP: usize = 12;

/// The SPF records published at one name (§4.5).
#[derive(Debug, Clone)]
pub enum Published {
    /// Exactly one record, parsed.
    One {
        /// The record text as served (split strings concatenated).
        text: String,
        /// The parsed record.
        record: Record,
    },
    /// Exactly one record, with syntax errors.
    Invalid {
        /// The record text.
        text: String,
        /// Every bad term.
        error: ParseError,
    },
    /// No record: NXDOMAIN, no TXT, or no TXT starting `v=spf1`.
    None {
        /// True when the name does not exist or has no TXT at all (a void lookup).
        void: bool,
    },
    /// More than one record: a permerror.
    Multiple(Vec<String>),
    /// The query failed (timeout, SERVFAIL): a temperror.
    DnsFailed(String),
}

impl Published {
    /// Reads the SPF records out of a TXT answer.
    pub fn from_answer(answer: &DnsAnswer) -> Published {
        match &answer.outcome {
            DnsOutcome::Failed(why) => return Published::DnsFailed(why.clone()),
            DnsOutcome::NxDomain | DnsOutcome::NoData => return Published::None { void: true },
            DnsOutcome::Answer => {}
        }
        let mut records: Vec<String> = answer
            .txt()
            .into_iter()
            .filter(|t| record::is_spf(t))
            .collect();
        match records.len() {
            0 => Published::None { void: false },
            1 => {
                let text = records.remove(0);
                match Record::parse(&text) {
                    Ok(record) => Published::One { text, record },
                    Err(error) => Published::Invalid { text, error },
                }
            }
            _ => Published::Multiple(records),
        }
    }

    /// The record text when exactly one record was found.
    pub fn text(&self) -> Option<&str> {
        match self {
            Published::One { text, .. } | Published::Invalid { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Queries the SPF record of `domain`.
pub async fn fetch(dns: &Dns, domain: &str) -> (Published, DnsAnswer) {
    let answer = dns.lookup(domain, RecordType::TXT).await;
    (Published::from_answer(&answer), answer)
}

/// What kind of problem the walk found; each maps to a severity and an RFC section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A record in the tree has syntax errors.
    Syntax,
    /// More than one SPF record at a name in the tree.
    MultipleRecords,
    /// An include or redirect target publishes no SPF record.
    TargetWithoutSpf,
    /// An include or redirect target's query failed.
    TargetDnsFailed,
    /// An include/redirect chain comes back to a domain already on the path.
    Loop,
    /// `+all` (or an `ip4`/`ip6` with prefix 0) authorizes every host.
    PassAll,
    /// `ptr` is used.
    Ptr,
    /// `redirect=` beside an `all` never takes effect.
    RedirectIgnored,
    /// An `mx` mechanism names more than ten MX hosts.
    TooManyMxHosts,
    /// A domain-spec expands to something that is not a domain name.
    BadExpansion,
}

impl ProblemKind {
    /// How bad it is.
    pub fn severity(self) -> Severity {
        match self {
            ProblemKind::Syntax
            | ProblemKind::MultipleRecords
            | ProblemKind::TargetWithoutSpf
            | ProblemKind::Loop
            | ProblemKind::PassAll
            | ProblemKind::TooManyMxHosts
            | ProblemKind::BadExpansion => Severity::Critical,
            ProblemKind::TargetDnsFailed => Severity::High,
            ProblemKind::Ptr | ProblemKind::RedirectIgnored => Severity::Medium,
        }
    }

    /// The RFC 7208 section it breaks.
    pub fn section(self) -> &'static str {
        match self {
            ProblemKind::Syntax => "RFC 7208 §4.6",
            ProblemKind::MultipleRecords => "RFC 7208 §4.5",
            ProblemKind::TargetWithoutSpf => "RFC 7208 §5.2, §6.1",
            ProblemKind::TargetDnsFailed => "RFC 7208 §4.4",
            ProblemKind::Loop => "RFC 7208 §4.6.4",
            ProblemKind::PassAll => "RFC 7208 §5.1",
            ProblemKind::Ptr => "RFC 7208 §5.5",
            ProblemKind::RedirectIgnored => "RFC 7208 §6.1",
            ProblemKind::TooManyMxHosts => "RFC 7208 §4.6.4",
            ProblemKind::BadExpansion => "RFC 7208 §7.3",
        }
    }
}

/// One problem found in the tree, attributed to the record and term that cause it.
#[derive(Debug, Clone)]
pub struct Problem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// The name whose record holds the term.
    pub domain: String,
    /// That record's text (or texts, joined, for multiple records).
    pub record: String,
    /// The term at fault, as written.
    pub term: Option<String>,
    /// The include/redirect path from the audited domain to `domain`.
    pub path: Vec<String>,
    /// One sentence naming the value and the rule.
    pub message: String,
}

/// What one term of a record cost and led to in the walk.
#[derive(Debug, Clone)]
pub struct TermVisit {
    /// The term as printed.
    pub term: String,
    /// The 1-based number of the DNS lookup this term spent, if it spent one.
    pub lookup: Option<u32>,
    /// Lookups spent by this term and everything under it.
    pub subtree_lookups: u32,
    /// Void lookups this term caused.
    pub voids: u32,
    /// What the walk learned, e.g. `3 MX hosts` or `evaluated at receive time`.
    pub note: Option<String>,
    /// The record an include or redirect led to.
    pub child: Option<Box<Node>>,
}

/// One record in the walked tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The name queried.
    pub domain: String,
    /// What was published there.
    pub published: Published,
    /// Each term, in order (empty unless exactly one valid record).
    pub terms: Vec<TermVisit>,
}

/// A void lookup, attributed.
#[derive(Debug, Clone)]
pub struct VoidLookup {
    /// The term that caused it.
    pub term: String,
    /// The record it belongs to.
    pub domain: String,
    /// The name and type queried, and how it ended.
    pub query: String,
}

/// The audit-time evaluation of a domain's whole SPF tree.
#[derive(Debug, Clone)]
pub struct Walk {
    /// The audited domain's record and everything under it.
    pub root: Node,
    /// DNS-mechanism lookups across the tree (§4.6.4; limit 10).
    pub lookups: u32,
    /// Void lookups across the tree (limit 2).
    pub voids: Vec<VoidLookup>,
    /// Problems, in tree order.
    pub problems: Vec<Problem>,
    /// The qualifier of the `all` that ends evaluation, following redirects; `None` when the
    /// record has no `all` (the result is then neutral).
    pub final_all: Option<Qualifier>,
    /// The lookup that went over the limit, as `term in domain`.
    pub first_over_limit: Option<String>,
    /// True when the walk stopped following includes at its safety cap.
    pub truncated: bool,
}

impl Walk {
    /// Walks the SPF tree of `domain`, following every include and redirect.
    pub async fn run(dns: &Dns, domain: &str) -> Walk {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let mut walker = Walker {
            dns,
            lookups: 0,
            voids: Vec::new(),
            problems: Vec::new(),
            first_over_limit: None,
            truncated: false,
        };
        let (published, _) = fetch(dns, &domain).await;
        let mut path = vec![domain.clone()];
        let root = walker.node(domain, published, &mut path).await;
        let final_all = final_all(&root);
        Walk {
            root,
            lookups: walker.lookups,
            voids: walker.voids,
            problems: walker.problems,
            final_all,
            first_over_limit: walker.first_over_limit,
            truncated: walker.truncated,
        }
    }

    /// Lookups attributed to each top-level DNS term, e.g. `include:_spf.a.test (4)`.
    pub fn attribution(&self) -> String {
        let parts: Vec<String> = self
            .root
            .terms
            .iter()
            .filter(|t| t.subtree_lookups > 0)
            .map(|t| format!("{} ({})", t.term, t.subtree_lookups))
            .collect();
        if parts.is_empty() {
            "no term costs a lookup".into()
        } else {
            parts.join(" + ")
        }
    }

    /// The one-line summary: `12/10 lookups: include:_spf.a.test (4) + mx (1) …`.
    pub fn summary(&self) -> String {
        format!(
            "{}/{LOOKUP_LIMIT} lookups: {}",
            self.lookups,
            self.attribution()
        )
    }

    /// The whole tree, one term per line, each with its lookup number and subtree cost.
    pub fn tree(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} — {}/{VOID_LIMIT} void lookups{}",
            self.summary(),
            self.voids.len(),
            if self.truncated {
                " (walk stopped at its safety cap)"
            } else {
                ""
            }
        );
        render_node(&self.root, "", &mut out);
        out.trim_end().to_string()
    }
}

fn render_node(node: &Node, indent: &str, out: &mut String) {
    let record = match &node.published {
        Published::One { text, .. } | Published::Invalid { text, .. } => text.clone(),
        Published::None { .. } => "(no SPF record)".into(),
        Published::Multiple(texts) => format!("({} SPF records)", texts.len()),
        Published::DnsFailed(why) => format!("(query failed: {why})"),
    };
    let _ = writeln!(out, "{indent}{}: {record}", node.domain);
    let count = node.terms.len();
    for (i, visit) in node.terms.iter().enumerate() {
        let last = i + 1 == count;
        let branch = if last { "└─ " } else { "├─ " };
        let mut line = format!("{indent}{branch}{}", visit.term);
        match visit.lookup {
            Some(n) if visit.subtree_lookups > 1 => {
                let _ = write!(line, " [#{n}, {} in all]", visit.subtree_lookups);
            }
            Some(n) => {
                let _ = write!(line, " [#{n}]");
            }
            None => {}
        }
        if visit.voids > 0 {
            let _ = write!(line, " (void)");
        }
        if let Some(note) = &visit.note {
            let _ = write!(line, " — {note}");
        }
        let _ = writeln!(out, "{line}");
        if let Some(child) = &visit.child {
            let deeper = format!("{indent}{}", if last { "   " } else { "│  " });
            render_node(child, &deeper, out);
        }
    }
}

/// The `all` that ends evaluation of the root: its own, else the redirect target's.
fn final_all(node: &Node) -> Option<Qualifier> {
    let Published::One { record, .. } = &node.published else {
        return None;
    };
    if let Some(all) = record.all() {
        return Some(all.effective_qualifier());
    }
    record.redirect()?;
    node.terms
        .iter()
        .rev()
        .find(|t| t.term.starts_with("redirect="))
        .and_then(|t| t.child.as_deref())
        .and_then(final_all)
}

struct Walker<'a> {
    dns: &'a Dns,
    lookups: u32,
    voids: Vec<VoidLookup>,
    problems: Vec<Problem>,
    first_over_limit: Option<String>,
    truncated: bool,
}

impl Walker<'_> {
    fn node<'s>(
        &'s mut self,
        domain: String,
        published: Published,
        path: &'s mut Vec<String>,
    ) -> BoxFuture<'s, Node> {
        Box::pin(async move {
            let mut node = Node {
                domain: domain.clone(),
                published: published.clone(),
                terms: Vec::new(),
            };
            let (text, record) = match &published {
                Published::One { text, record } => (text.clone(), record.clone()),
                Published::Invalid { text, error } => {
                    for e in &error.errors {
                        self.problem(
                            ProblemKind::Syntax,
                            &domain,
                            text,
                            Some(e.term.clone()),
                            path,
                            format!(
                                "{} ({}); the record is a permerror",
                                e.kind,
                                e.kind.section()
                            ),
                        );
                    }
                    return node;
                }
                Published::Multiple(texts) => {
                    self.problem(
                        ProblemKind::MultipleRecords,
                        &domain,
                        &texts.join(" | "),
                        None,
                        path,
                        format!(
                            "{domain} publishes {} SPF records; receivers return permerror",
                            texts.len()
                        ),
                    );
                    return node;
                }
                Published::None { .. } | Published::DnsFailed(_) => return node,
            };
            let has_all = record.all().is_some();
            let mut past_all = false;
            for term in &record.terms {
                let visit = match term {
                    Term::Directive(_) if past_all => TermVisit::free(
                        term,
                        Some("after `all`: never evaluated (RFC 7208 §5.1)".into()),
                    ),
                    Term::Directive(directive) => {
                        past_all = matches!(directive.mechanism, Mechanism::All);
                        self.directive(&domain, &text, directive, path).await
                    }
                    Term::Modifier(Modifier::Redirect(_)) if has_all => {
                        self.problem(
                            ProblemKind::RedirectIgnored,
                            &domain,
                            &text,
                            Some(term.to_string()),
                            path,
                            format!(
                                "`{term}` never applies because the record has `all` (RFC 7208 §6.1)"
                            ),
                        );
                        TermVisit::free(term, Some("ignored: the record has `all`".into()))
                    }
                    Term::Modifier(Modifier::Redirect(spec)) => {
                        self.follow(&domain, &text, &term.to_string(), spec, path, true)
                            .await
                    }
                    Term::Modifier(Modifier::Exp(_)) => {
                        TermVisit::free(term, Some("explanation; costs no lookup".into()))
                    }
                    Term::Modifier(Modifier::Unknown { .. }) => {
                        TermVisit::free(term, Some("unknown modifier, ignored".into()))
                    }
                };
                node.terms.push(visit);
            }
            node
        })
    }

    async fn directive(
        &mut self,
        domain: &str,
        text: &str,
        directive: &Directive,
        path: &mut Vec<String>,
    ) -> TermVisit {
        let term = directive.to_string();
        let pass = directive.effective_qualifier() == Qualifier::Pass;
        match &directive.mechanism {
            Mechanism::All => {
                if pass {
                    self.problem(
                        ProblemKind::PassAll,
                        domain,
                        text,
                        Some(term.clone()),
                        path,
                        format!(
                            "`{term}` authorizes every host on the Internet to send as {domain}"
                        ),
                    );
                }
                TermVisit::free(directive, None)
            }
            Mechanism::Ip4 {
                prefix: Some(0), ..
            }
            | Mechanism::Ip6 {
                prefix: Some(0), ..
            } if pass => {
                self.problem(
                    ProblemKind::PassAll,
                    domain,
                    text,
                    Some(term.clone()),
                    path,
                    format!("`{term}` covers every address: it authorizes the whole Internet"),
                );
                TermVisit::free(directive, None)
            }
            Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => TermVisit::free(directive, None),
            Mechanism::Include(spec) => self.follow(domain, text, &term, spec, path, false).await,
            Mechanism::A { domain: target, .. } => {
                let lookup = self.count(&term, domain);
                let mut visit = TermVisit::costly(&term, lookup);
                match self.target(domain, text, &term, target.as_ref(), path) {
                    Expanded::Name(name) => {
                        let v4 = self.dns.lookup(&name, RecordType::A).await;
                        let v6 = self.dns.lookup(&name, RecordType::AAAA).await;
                        let mut ips = v4.ips();
                        ips.extend(v6.ips());
                        if v4.is_void() && v6.is_void() {
                            self.void(
                                &mut visit,
                                domain,
                                format!("{name} A/AAAA: {}", outcome(&v4)),
                            );
                        } else if ips.is_empty() {
                            visit.note = Some(format!("{name}: {}", outcome(&v4)));
                        } else {
                            visit.note = Some(format!("{name}: {}", summarize_ips(&ips)));
                        }
                    }
                    Expanded::AtReceiveTime(why) => visit.note = Some(why),
                    Expanded::Invalid => {}
                }
                visit
            }
            Mechanism::Mx { domain: target, .. } => {
                let lookup = self.count(&term, domain);
                let mut visit = TermVisit::costly(&term, lookup);
                match self.target(domain, text, &term, target.as_ref(), path) {
                    Expanded::Name(name) => {
                        let answer = self.dns.lookup(&name, RecordType::MX).await;
                        let hosts = exchanges(&answer);
                        if answer.is_void() {
                            self.void(
                                &mut visit,
                                domain,
                                format!("{name} MX: {}", outcome(&answer)),
                            );
                        } else if hosts.len() > MX_HOST_LIMIT {
                            self.problem(
                                ProblemKind::TooManyMxHosts,
                                domain,
                                text,
                                Some(term.clone()),
                                path,
                                format!(
                                    "`{term}`: {name} has {} MX hosts, over the limit of {MX_HOST_LIMIT}; receivers return permerror",
                                    hosts.len()
                                ),
                            );
                        }
                        if !answer.is_void() {
                            let mut unresolved = Vec::new();
                            for host in hosts.iter().take(MX_HOST_LIMIT) {
                                let v4 = self.dns.lookup(host, RecordType::A).await;
                                let v6 = self.dns.lookup(host, RecordType::AAAA).await;
                                if v4.ips().is_empty() && v6.ips().is_empty() {
                                    unresolved.push(host.clone());
                                }
                            }
                            let mut note = format!(
                                "{} MX host{} (at most {MX_HOST_LIMIT})",
                                hosts.len(),
                                if hosts.len() == 1 { "" } else { "s" }
                            );
                            if !unresolved.is_empty() {
                                let _ = write!(note, "; no address: {}", unresolved.join(", "));
                            }
                            visit.note = Some(note);
                        }
                    }
                    Expanded::AtReceiveTime(why) => visit.note = Some(why),
                    Expanded::Invalid => {}
                }
                visit
            }
            Mechanism::Ptr(_) => {
                let lookup = self.count(&term, domain);
                self.problem(
                    ProblemKind::Ptr,
                    domain,
                    text,
                    Some(term.clone()),
                    path,
                    format!("`{term}` is deprecated: slow, unreliable, and many receivers skip it"),
                );
                let mut visit = TermVisit::costly(&term, lookup);
                visit.note =
                    Some("reverse lookup of the client IP: evaluated at receive time".into());
                visit
            }
            Mechanism::Exists(spec) => {
                let lookup = self.count(&term, domain);
                let mut visit = TermVisit::costly(&term, lookup);
                match self.target(domain, text, &term, Some(spec), path) {
                    Expanded::Name(name) => {
                        let answer = self.dns.lookup(&name, RecordType::A).await;
                        if answer.is_void() {
                            self.void(
                                &mut visit,
                                domain,
                                format!("{name} A: {}", outcome(&answer)),
                            );
                        } else {
                            visit.note = Some(format!("{name}: {}", outcome(&answer)));
                        }
                    }
                    Expanded::AtReceiveTime(why) => visit.note = Some(why),
                    Expanded::Invalid => {}
                }
                visit
            }
        }
    }

    /// An include or redirect: one lookup, then the target's record as a child node.
    async fn follow(
        &mut self,
        domain: &str,
        text: &str,
        term: &str,
        spec: &DomainSpec,
        path: &mut Vec<String>,
        redirect: bool,
    ) -> TermVisit {
        let lookup = self.count(term, domain);
        let mut visit = TermVisit::costly(term, lookup);
        let target = match self.expand(domain, text, term, Some(spec), path) {
            Expanded::Name(name) => name,
            Expanded::AtReceiveTime(why) => {
                visit.note = Some(why);
                return visit;
            }
            Expanded::Invalid => return visit,
        };
        if path.contains(&target) {
            let mut cycle = path.clone();
            cycle.push(target.clone());
            self.problem(
                ProblemKind::Loop,
                domain,
                text,
                Some(term.to_string()),
                path,
                format!(
                    "`{term}` loops back: {}; receivers exhaust the lookup limit and return permerror",
                    cycle.join(" → ")
                ),
            );
            visit.note = Some(format!("loop back to {target}: not followed"));
            return visit;
        }
        if self.lookups > WALK_LOOKUP_CAP || path.len() >= WALK_DEPTH_CAP {
            self.truncated = true;
            visit.note = Some("not followed: the walk's safety cap is reached".into());
            return visit;
        }
        let (published, answer) = fetch(self.dns, &target).await;
        if answer.is_void() {
            self.void(
                &mut visit,
                domain,
                format!("{target} TXT: {}", outcome(&answer)),
            );
        }
        let what = if redirect { "redirect" } else { "include" };
        match &published {
            Published::None { .. } => {
                self.problem(
                    ProblemKind::TargetWithoutSpf,
                    domain,
                    text,
                    Some(term.to_string()),
                    path,
                    format!(
                        "`{term}`: the {what} target {target} publishes no SPF record ({}); receivers return permerror",
                        outcome(&answer)
                    ),
                );
            }
            Published::DnsFailed(why) => {
                self.problem(
                    ProblemKind::TargetDnsFailed,
                    domain,
                    text,
                    Some(term.to_string()),
                    path,
                    format!("`{term}`: the {what} target {target} did not answer ({why}); receivers return temperror"),
                );
            }
            _ => {}
        }
        path.push(target.clone());
        let child = self.node(target, published, path).await;
        path.pop();
        visit.subtree_lookups += child.terms.iter().map(|t| t.subtree_lookups).sum::<u32>();
        visit.child = Some(Box::new(child));
        visit
    }

    fn count(&mut self, term: &str, domain: &str) -> u32 {
        self.lookups += 1;
        if self.lookups == LOOKUP_LIMIT + 1 {
            self.first_over_limit = Some(format!("{term} in {domain}"));
        }
        self.lookups
    }

    fn void(&mut self, visit: &mut TermVisit, domain: &str, query: String) {
        visit.voids += 1;
        self.voids.push(VoidLookup {
            term: visit.term.clone(),
            domain: domain.to_string(),
            query,
        });
    }

    /// The name an `a`, `mx` or `exists` term queries, unless the walk is past its safety cap.
    fn target(
        &mut self,
        domain: &str,
        text: &str,
        term: &str,
        spec: Option<&DomainSpec>,
        path: &[String],
    ) -> Expanded {
        if self.lookups > WALK_LOOKUP_CAP {
            self.truncated = true;
            return Expanded::AtReceiveTime("not queried: the walk's safety cap is reached".into());
        }
        self.expand(domain, text, term, spec, path)
    }

    fn expand(
        &mut self,
        domain: &str,
        text: &str,
        term: &str,
        spec: Option<&DomainSpec>,
        path: &[String],
    ) -> Expanded {
        let Some(spec) = spec else {
            return Expanded::Name(domain.to_string());
        };
        let context = MacroContext {
            domain,
            ..MacroContext::default()
        };
        match spec.0.expand(&context) {
            Ok(name) => match normalize_domain(&name) {
                Some(name) => Expanded::Name(name),
                None => {
                    self.problem(
                        ProblemKind::BadExpansion,
                        domain,
                        text,
                        Some(term.to_string()),
                        path,
                        format!("`{term}` names `{name}`, which is not a domain name"),
                    );
                    Expanded::Invalid
                }
            },
            Err(missing) => Expanded::AtReceiveTime(format!(
                "macro {missing}: the lookup is counted, the name is evaluated at receive time"
            )),
        }
    }

    fn problem(
        &mut self,
        kind: ProblemKind,
        domain: &str,
        record: &str,
        term: Option<String>,
        path: &[String],
        message: String,
    ) {
        self.problems.push(Problem {
            kind,
            domain: domain.to_string(),
            record: record.to_string(),
            term,
            path: path.to_vec(),
            message,
        });
    }
}

enum Expanded {
    Name(String),
    AtReceiveTime(String),
    Invalid,
}

impl TermVisit {
    fn free(term: &impl ToString, note: Option<String>) -> TermVisit {
        TermVisit {
            term: term.to_string(),
            lookup: None,
            subtree_lookups: 0,
            voids: 0,
            note,
            child: None,
        }
    }

    fn costly(term: &str, lookup: u32) -> TermVisit {
        TermVisit {
            term: term.to_string(),
            lookup: Some(lookup),
            subtree_lookups: 1,
            voids: 0,
            note: None,
            child: None,
        }
    }
}

fn outcome(answer: &DnsAnswer) -> String {
    match &answer.outcome {
        DnsOutcome::Answer => format!("{} record(s)", answer.records.len()),
        DnsOutcome::NxDomain => "NXDOMAIN".into(),
        DnsOutcome::NoData => "no records of the type".into(),
        DnsOutcome::Failed(why) => format!("query failed: {why}"),
    }
}

fn summarize_ips(ips: &[IpAddr]) -> String {
    let shown: Vec<String> = ips.iter().take(3).map(IpAddr::to_string).collect();
    if ips.len() > 3 {
        format!("{} … ({} addresses)", shown.join(", "), ips.len())
    } else {
        shown.join(", ")
    }
}

/// The MX exchanges of an answer in preference order, null MX (`.`) left out.
pub fn exchanges(answer: &DnsAnswer) -> Vec<String> {
    crate::checks::email::mx::records(answer)
        .into_iter()
        .map(|r| r.exchange)
        .filter(|host| !host.is_empty())
        .collect()
}

/// A name after macro expansion, ready to query: lowercased, without a trailing dot, truncated
/// from the left to 253 characters (§7.3); `None` when it is not a domain name.
fn normalize_domain(name: &str) -> Option<String> {
    let mut name = name.trim_end_matches('.').to_ascii_lowercase();
    while name.len() > 253 {
        let (_, rest) = name.split_once('.')?;
        name = rest.to_string();
    }
    let valid = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    valid.then_some(name)
}

/// The result of `check_host()` (§2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfResult {
    /// The client is authorized.
    Pass,
    /// The client is not authorized.
    Fail,
    /// Probably not authorized.
    SoftFail,
    /// No assertion.
    Neutral,
    /// No SPF record.
    None,
    /// A transient DNS error.
    TempError,
    /// The records are broken.
    PermError,
}

impl SpfResult {
    fn from_qualifier(q: Qualifier) -> SpfResult {
        match q {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::SoftFail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }

    /// The lowercase name of RFC 7208 §2.6.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::Neutral => "neutral",
            SpfResult::None => "none",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

/// The outcome of `check_host()` for one IP, with the reason and the steps taken.
#[derive(Debug, Clone)]
pub struct HostCheck {
    /// The result.
    pub result: SpfResult,
    /// Why: the matching term, or the error.
    pub reason: String,
    /// DNS-mechanism lookups spent.
    pub lookups: u32,
    /// Void lookups seen.
    pub voids: u32,
    /// The steps, e.g. `acme.test: include:_spf.acme.test → pass`.
    pub trace: Vec<String>,
}

/// Evaluates `check_host(ip, domain, sender)` (§4) through the audit's resolver. The sender is
/// `postmaster@<domain>` and the HELO name is the domain; `%{p}` expands to `unknown`.
pub async fn check_host(dns: &Dns, ip: IpAddr, domain: &str) -> HostCheck {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let sender = format!("postmaster@{domain}");
    let mut host = HostEval {
        dns,
        ip: ip.to_canonical(),
        sender: &sender,
        helo: &domain,
        lookups: 0,
        voids: 0,
        trace: Vec::new(),
    };
    let (result, reason) = match host.evaluate(domain.clone(), 0).await {
        Ok((result, reason)) => (result, reason),
        Err(Abort(result, reason)) => (result, reason),
    };
    HostCheck {
        result,
        reason,
        lookups: host.lookups,
        voids: host.voids,
        trace: host.trace,
    }
}

/// An evaluation that ends early with a temperror or permerror.
struct Abort(SpfResult, String);

struct HostEval<'a> {
    dns: &'a Dns,
    ip: IpAddr,
    sender: &'a str,
    helo: &'a str,
    lookups: u32,
    voids: u32,
    trace: Vec<String>,
}

impl HostEval<'_> {
    fn evaluate(
        &mut self,
        domain: String,
        depth: usize,
    ) -> BoxFuture<'_, Result<(SpfResult, String), Abort>> {
        Box::pin(async move {
            if depth > WALK_DEPTH_CAP {
                return Err(Abort(
                    SpfResult::PermError,
                    format!("include/redirect nesting deeper than {WALK_DEPTH_CAP} at {domain}"),
                ));
            }
            let (published, _) = fetch(self.dns, &domain).await;
            let record = match published {
                Published::One { record, .. } => record,
                Published::None { .. } => {
                    return Ok((SpfResult::None, format!("{domain} has no SPF record")));
                }
                Published::Invalid { error, .. } => {
                    return Err(Abort(SpfResult::PermError, format!("{domain}: {error}")));
                }
                Published::Multiple(texts) => {
                    return Err(Abort(
                        SpfResult::PermError,
                        format!("{domain} has {} SPF records", texts.len()),
                    ));
                }
                Published::DnsFailed(why) => {
                    return Err(Abort(SpfResult::TempError, format!("{domain}: {why}")));
                }
            };
            for directive in record.directives() {
                if self.matches(&domain, directive, depth).await? {
                    let result = SpfResult::from_qualifier(directive.effective_qualifier());
                    self.trace.push(format!(
                        "{domain}: {directive} matched → {}",
                        result.as_str()
                    ));
                    return Ok((result, format!("`{directive}` in {domain} matched")));
                }
            }
            if let Some(spec) = record.redirect() {
                self.spend(&format!("redirect={spec}"), &domain)?;
                let target = self.name(&domain, Some(spec))?;
                self.trace.push(format!("{domain}: redirect={target}"));
                let (result, reason) = self.evaluate(target.clone(), depth + 1).await?;
                if result == SpfResult::None {
                    return Err(Abort(
                        SpfResult::PermError,
                        format!("redirect target {target} has no SPF record"),
                    ));
                }
                return Ok((result, reason));
            }
            self.trace
                .push(format!("{domain}: nothing matched → neutral"));
            Ok((
                SpfResult::Neutral,
                format!("nothing in {domain} matched and it has no `all`"),
            ))
        })
    }

    async fn matches(
        &mut self,
        domain: &str,
        directive: &Directive,
        depth: usize,
    ) -> Result<bool, Abort> {
        let term = directive.to_string();
        let family_type = match self.ip {
            IpAddr::V4(_) => RecordType::A,
            IpAddr::V6(_) => RecordType::AAAA,
        };
        match &directive.mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { network, prefix } => Ok(record::in_network(
                self.ip,
                IpAddr::V4(*network),
                prefix.unwrap_or(32),
            )),
            Mechanism::Ip6 { network, prefix } => Ok(record::in_network(
                self.ip,
                IpAddr::V6(*network),
                prefix.unwrap_or(128),
            )),
            Mechanism::Include(spec) => {
                self.spend(&term, domain)?;
                let target = self.name(domain, Some(spec))?;
                match self.evaluate(target.clone(), depth + 1).await? {
                    (SpfResult::Pass, _) => Ok(true),
                    (SpfResult::None, _) => Err(Abort(
                        SpfResult::PermError,
                        format!("`{term}` in {domain}: {target} has no SPF record"),
                    )),
                    _ => Ok(false),
                }
            }
            Mechanism::A { domain: spec, cidr } => {
                self.spend(&term, domain)?;
                let name = self.name(domain, spec.as_ref())?;
                let answer = self.address_lookup(&term, &name, family_type).await?;
                Ok(self.any_in(&answer.ips(), cidr.v4, cidr.v6))
            }
            Mechanism::Mx { domain: spec, cidr } => {
                self.spend(&term, domain)?;
                let name = self.name(domain, spec.as_ref())?;
                let answer = self.dns.lookup(&name, RecordType::MX).await;
                self.classify(&term, &name, &answer)?;
                let hosts = exchanges(&answer);
                if hosts.len() > MX_HOST_LIMIT {
                    return Err(Abort(
                        SpfResult::PermError,
                        format!(
                            "`{term}` in {domain}: {} MX hosts, over {MX_HOST_LIMIT}",
                            hosts.len()
                        ),
                    ));
                }
                for host in &hosts {
                    let answer = self.dns.lookup(host, family_type).await;
                    if let DnsOutcome::Failed(why) = &answer.outcome {
                        return Err(Abort(SpfResult::TempError, format!("{host}: {why}")));
                    }
                    if self.any_in(&answer.ips(), cidr.v4, cidr.v6) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                self.spend(&term, domain)?;
                let target = self.name(domain, spec.as_ref())?;
                let answer = self
                    .dns
                    .lookup(&reverse_name(self.ip), RecordType::PTR)
                    .await;
                if answer.is_void() {
                    self.voids += 1;
                    self.check_voids(&term)?;
                }
                let names: Vec<String> = answer
                    .records
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::PTR(ptr) => {
                            Some(ptr.0.to_ascii().trim_end_matches('.').to_ascii_lowercase())
                        }
                        _ => None,
                    })
                    .take(PTR_NAME_LIMIT)
                    .collect();
                for name in names {
                    let forward = self.dns.lookup(&name, family_type).await;
                    let validated = forward.ips().contains(&self.ip);
                    if validated && (name == target || name.ends_with(&format!(".{target}"))) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Exists(spec) => {
                self.spend(&term, domain)?;
                let name = self.name(domain, Some(spec))?;
                let answer = self.address_lookup(&term, &name, RecordType::A).await?;
                Ok(!answer.ips().is_empty())
            }
        }
    }

    async fn address_lookup(
        &mut self,
        term: &str,
        name: &str,
        record_type: RecordType,
    ) -> Result<DnsAnswer, Abort> {
        let answer = self.dns.lookup(name, record_type).await;
        self.classify(term, name, &answer)?;
        Ok(answer)
    }

    /// Counts a void answer and turns a failed query into a temperror.
    fn classify(&mut self, term: &str, name: &str, answer: &DnsAnswer) -> Result<(), Abort> {
        if let DnsOutcome::Failed(why) = &answer.outcome {
            return Err(Abort(
                SpfResult::TempError,
                format!("`{term}`: {name}: {why}"),
            ));
        }
        if answer.is_void() {
            self.voids += 1;
            self.check_voids(term)?;
        }
        Ok(())
    }

    fn check_voids(&self, term: &str) -> Result<(), Abort> {
        if self.voids > VOID_LIMIT {
            return Err(Abort(
                SpfResult::PermError,
                format!(
                    "`{term}` is void lookup {} of at most {VOID_LIMIT}",
                    self.voids
                ),
            ));
        }
        Ok(())
    }

    fn spend(&mut self, term: &str, domain: &str) -> Result<(), Abort> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            return Err(Abort(
                SpfResult::PermError,
                format!(
                    "`{term}` in {domain} is DNS lookup {} of at most {LOOKUP_LIMIT}",
                    self.lookups
                ),
            ));
        }
        Ok(())
    }

    fn name(&self, domain: &str, spec: Option<&DomainSpec>) -> Result<String, Abort> {
        let Some(spec) = spec else {
            return Ok(domain.to_string());
        };
        let context = MacroContext {
            domain,
            sender: Some(self.sender),
            ip: Some(self.ip),
            helo: Some(self.helo),
            validated_name: None,
        };
        let expanded = spec
            .0
            .expand(&context)
            .map_err(|missing| Abort(SpfResult::PermError, format!("`{spec}`: {missing}")))?;
        normalize_domain(&expanded).ok_or_else(|| {
            Abort(
                SpfResult::PermError,
                format!("`{spec}` expands to `{expanded}`, not a domain name"),
            )
        })
    }

    fn any_in(&self, ips: &[IpAddr], v4: Option<u8>, v6: Option<u8>) -> bool {
        ips.iter().any(|network| {
            let prefix = match network {
                IpAddr::V4(_) => v4.unwrap_or(32),
                IpAddr::V6(_) => v6.unwrap_or(128),
            };
            record::in_network(self.ip, *network, prefix)
        })
    }
}

/// The reverse-lookup name of an address (`in-addr.arpa` / `ip6.arpa`).
fn reverse_name(ip: IpAddr) -> String {
    let dotted = record::dotted_ip(ip);
    let mut parts: Vec<&str> = dotted.split('.').collect();
    parts.reverse();
    let suffix = match ip {
        IpAddr::V4(_) => "in-addr.arpa",
        IpAddr::V6(_) => "ip6.arpa",
    };
    format!("{}.{suffix}", parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DnsSettings;
    use crate::demo::DnsAuthority;
    use std::time::Duration;

    const ZONE: &str = r#"$ORIGIN eval.test.
$TTL 60
@ IN SOA ns.eval.test. hostmaster.eval.test. 1 3600 600 86400 60
@ IN NS ns.eval.test.
ns IN A 127.0.0.1
host IN A 192.0.2.5
net IN A 198.51.100.1
net IN AAAA 2001:db8:1::1
mail IN MX 10 host.eval.test.
@ IN TXT "v=spf1 a:net.eval.test/24//48 mx:mail.eval.test include:inc.eval.test -all"
inc IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
ptr IN TXT "v=spf1 ptr:eval.test -all"
fan IN TXT "v=spf1 include:f1.eval.test include:f2.eval.test include:f3.eval.test include:f4.eval.test include:f5.eval.test -all"
f1 IN TXT "v=spf1 a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test -all"
f2 IN TXT "v=spf1 a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test -all"
f3 IN TXT "v=spf1 a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test -all"
f4 IN TXT "v=spf1 a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test -all"
f5 IN TXT "v=spf1 a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test a:host.eval.test -all"
"#;

    const REVERSE: &str = r#"$ORIGIN 2.0.192.in-addr.arpa.
$TTL 60
@ IN SOA ns.eval.test. hostmaster.eval.test. 1 3600 600 86400 60
@ IN NS ns.eval.test.
5 IN PTR host.eval.test.
6 IN PTR elsewhere.test.
"#;

    async fn resolver() -> (DnsAuthority, Dns) {
        let authority =
            DnsAuthority::start(&[("eval.test", ZONE), ("2.0.192.in-addr.arpa", REVERSE)])
                .await
                .expect("zones load");
        let dns = Dns::new(&DnsSettings {
            nameservers: vec![authority.addr],
            timeout: Duration::from_secs(5),
        })
        .expect("resolver");
        (authority, dns)
    }

    #[test]
    fn expanded_names_are_normalized_or_refused() {
        assert_eq!(
            normalize_domain("Mail.Example.TEST."),
            Some("mail.example.test".into())
        );
        assert_eq!(normalize_domain("a..test"), None);
        assert_eq!(normalize_domain(""), None);
        assert_eq!(normalize_domain(&format!("{}.test", "a".repeat(64))), None);
        let long = format!("{}example.test", "abcdefghi.".repeat(30));
        let truncated = normalize_domain(&long).expect("truncated from the left");
        assert!(truncated.len() <= 253 && truncated.ends_with(".example.test"));
    }

    #[test]
    fn reverse_names_follow_the_arpa_trees() {
        assert_eq!(
            reverse_name("192.0.2.5".parse().unwrap()),
            "5.2.0.192.in-addr.arpa"
        );
        assert!(
            reverse_name("2001:db8::1".parse().unwrap()).ends_with(".8.b.d.0.1.0.0.2.ip6.arpa")
        );
    }

    #[tokio::test]
    async fn walk_attributes_every_lookup_and_renders_the_tree() {
        let (_authority, dns) = resolver().await;
        let walk = Walk::run(&dns, "eval.test").await;
        assert_eq!(walk.lookups, 3);
        assert!(walk.voids.is_empty());
        assert!(walk.problems.is_empty(), "{:#?}", walk.problems);
        assert_eq!(walk.final_all, Some(Qualifier::Fail));
        assert_eq!(
            walk.tree(),
            "3/10 lookups: a:net.eval.test/24//48 (1) + mx:mail.eval.test (1) + include:inc.eval.test (1) — 0/2 void lookups\n\
             eval.test: v=spf1 a:net.eval.test/24//48 mx:mail.eval.test include:inc.eval.test -all\n\
             ├─ a:net.eval.test/24//48 [#1] — net.eval.test: 198.51.100.1, 2001:db8:1::1\n\
             ├─ mx:mail.eval.test [#2] — 1 MX host (at most 10)\n\
             ├─ include:inc.eval.test [#3]\n\
             │  inc.eval.test: v=spf1 ip4:203.0.113.0/24 -all\n\
             │  ├─ ip4:203.0.113.0/24\n\
             │  └─ -all\n\
             └─ -all"
        );
    }

    #[tokio::test]
    async fn a_fan_out_tree_is_counted_in_full_but_queried_only_to_the_cap() {
        let (_authority, dns) = resolver().await;
        let walk = Walk::run(&dns, "fan.eval.test").await;
        assert!(walk.truncated);
        assert!(walk.lookups > WALK_LOOKUP_CAP, "{}", walk.lookups);
        assert_eq!(
            walk.first_over_limit.as_deref(),
            Some("a:host.eval.test in f1.eval.test")
        );
        assert!(dns.queries_sent() <= 10, "{} queries", dns.queries_sent());
        assert!(
            walk.tree()
                .contains("not followed: the walk's safety cap is reached")
        );
    }

    #[tokio::test]
    async fn check_host_matches_cidrs_mx_and_includes() {
        let (_authority, dns) = resolver().await;
        let result = |ip: &str| {
            let ip: IpAddr = ip.parse().unwrap();
            let dns = &dns;
            async move { check_host(dns, ip, "eval.test").await }
        };
        assert_eq!(result("198.51.100.77").await.result, SpfResult::Pass);
        assert_eq!(result("2001:db8:1:ffff::9").await.result, SpfResult::Pass);
        assert_eq!(result("2001:db8:2::1").await.result, SpfResult::Fail);
        let via_mx = result("192.0.2.5").await;
        assert_eq!(via_mx.result, SpfResult::Pass);
        assert_eq!(via_mx.lookups, 2);
        let via_include = result("203.0.113.200").await;
        assert_eq!(via_include.result, SpfResult::Pass);
        assert_eq!(via_include.lookups, 3);
        assert_eq!(result("192.0.2.99").await.result, SpfResult::Fail);
    }

    #[tokio::test]
    async fn check_host_validates_ptr_names() {
        let (_authority, dns) = resolver().await;
        let validated = check_host(&dns, "192.0.2.5".parse().unwrap(), "ptr.eval.test").await;
        assert_eq!(validated.result, SpfResult::Pass, "{validated:#?}");
        let elsewhere = check_host(&dns, "192.0.2.6".parse().unwrap(), "ptr.eval.test").await;
        assert_eq!(elsewhere.result, SpfResult::Fail, "{elsewhere:#?}");
    }
}
