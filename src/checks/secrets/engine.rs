//! The scanning engine: one Aho-Corasick pass over every rule keyword, each rule's regex on a
//! window around its hits, a regex set for the keyword-less rules, base64 blobs decoded and
//! rescanned, inline `launchready:allow` honoured, and a line and column for every match.
//!
//! Input is read in chunks (default 8 MiB) with an overlap longer than the longest token, so a
//! file of any size is scanned in bounded memory and a token split across a chunk boundary is
//! still found exactly once.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use regex::bytes::{Regex, RegexSet};

use super::rules::{self, Accepted, RULES, Rule};

/// Bytes after a chunk's owned end that are read along, so a token that starts inside the chunk
/// ends inside the buffer. Longer than the longest token any rule matches (a 12 kB PEM block).
pub const OVERLAP: usize = 16 * 1024;
/// Bytes before a chunk's owned start kept from the previous chunk, so a match that started
/// there is recognised as the previous chunk's and not reported again as a truncated suffix.
pub const MARGIN: usize = 1024;
/// The default chunk size.
pub const DEFAULT_CHUNK: usize = 8 * 1024 * 1024;
/// Base64 blobs longer than this are not decoded (images, fonts).
const MAX_BLOB: usize = 64 * 1024;

/// One secret found in the input.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The rule that matched.
    pub rule: &'static Rule,
    /// The secret itself; callers redact it before it leaves the scanner.
    pub secret: String,
    /// What validation decided.
    pub accepted: Accepted,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset in the input.
    pub offset: u64,
    /// Set when the secret was found inside an encoded blob (`base64`).
    pub encoding: Option<&'static str>,
}

/// Counts of what a scan read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes read.
    pub bytes: u64,
    /// Matches dropped by an inline `launchready:allow`.
    pub allowed: u64,
}

/// A compiled rule set.
pub struct Scanner {
    keywords: AhoCorasick,
    keyword_rule: Vec<usize>,
    regexes: Vec<Regex>,
    keywordless: RegexSet,
    keywordless_rule: Vec<usize>,
    base64_blob: Regex,
    chunk: usize,
}

static SHARED: LazyLock<Scanner> = LazyLock::new(|| Scanner::new(DEFAULT_CHUNK));

/// The process-wide scanner with the default chunk size.
pub fn shared() -> &'static Scanner {
    &SHARED
}

impl Scanner {
    /// Compiles every rule; `chunk` is the read size (at least 64 kB).
    pub fn new(chunk: usize) -> Self {
        let mut patterns = Vec::new();
        let mut keyword_rule = Vec::new();
        let mut keywordless = Vec::new();
        let mut keywordless_rule = Vec::new();
        for (index, rule) in RULES.iter().enumerate() {
            if rule.keywords.is_empty() {
                keywordless.push(rule.pattern);
                keywordless_rule.push(index);
            }
            for keyword in rule.keywords {
                patterns.push(*keyword);
                keyword_rule.push(index);
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("rule keywords compile");
        let regexes = RULES
            .iter()
            .map(|r| Regex::new(r.pattern).expect("rule regexes compile"))
            .collect();
        Scanner {
            keywords,
            keyword_rule,
            regexes,
            keywordless: RegexSet::new(&keywordless).expect("keyword-less rules compile"),
            keywordless_rule,
            base64_blob: Regex::new(r"[A-Za-z0-9+/]{40,}={0,2}").expect("base64 regex compiles"),
            chunk: chunk.max(64 * 1024),
        }
    }

    /// Scans a byte slice.
    pub fn scan_bytes(&self, data: &[u8]) -> (Vec<Hit>, Stats) {
        let mut hits = Vec::new();
        let stats = self
            .scan_reader(data, &mut |hit| hits.push(hit))
            .unwrap_or_default();
        (hits, stats)
    }

    /// Scans a stream chunk by chunk, calling `sink` for every hit in input order.
    pub fn scan_reader(
        &self,
        mut reader: impl Read,
        sink: &mut dyn FnMut(Hit),
    ) -> io::Result<Stats> {
        let mut stats = Stats::default();
        let mut buf: Vec<u8> = Vec::with_capacity(self.chunk + MARGIN + OVERLAP);
        let mut buf_offset: u64 = 0;
        let mut owned_start = 0usize;
        let mut position = Position::default();
        loop {
            let target = owned_start + self.chunk + OVERLAP;
            let wanted = target.saturating_sub(buf.len());
            // `read_to_end` fills spare capacity without zeroing it first, so a small file
            // touches only the pages it fills, not the whole chunk.
            let read = reader.by_ref().take(wanted as u64).read_to_end(&mut buf)?;
            let eof = read < wanted;
            let owned_end = if eof { buf.len() } else { buf.len() - OVERLAP };
            let mut found = self.scan_region(&buf, owned_start, owned_end, &mut stats);
            found.sort_by_key(|f| f.start);
            let mut cursor = position.clone();
            for f in found {
                let (line, column) = cursor.advance(&buf, f.start);
                sink(Hit {
                    rule: f.rule,
                    secret: f.secret,
                    accepted: f.accepted,
                    line,
                    column,
                    offset: buf_offset + f.start as u64,
                    encoding: f.encoding,
                });
            }
            stats.bytes += (owned_end - owned_start) as u64;
            if eof {
                return Ok(stats);
            }
            let cut = owned_end - MARGIN;
            position.advance(&buf, cut);
            position.rebase(cut);
            buf.drain(..cut);
            buf_offset += cut as u64;
            owned_start = MARGIN;
        }
    }

    /// Every accepted match starting in `owned_start..owned_end` of `buf`: plain, inside base64
    /// blobs and inside escaped string literals, one per secret occurrence.
    fn scan_region(
        &self,
        buf: &[u8],
        owned_start: usize,
        owned_end: usize,
        stats: &mut Stats,
    ) -> Vec<Found> {
        let mut found = self.scan_plain(buf, owned_start, owned_end, stats);
        for blob in self.base64_blob.find_iter(&buf[owned_start..owned_end]) {
            let (start, end) = (owned_start + blob.start(), owned_start + blob.end());
            if end - start > MAX_BLOB {
                continue;
            }
            let Some(decoded) = decode_printable(&buf[start..end]) else {
                continue;
            };
            if allowed(buf, start, end, None) {
                continue;
            }
            let mut inner = Stats::default();
            for mut f in self.scan_plain(&decoded, 0, decoded.len(), &mut inner) {
                // Four base64 characters carry three bytes: the secret's place inside the blob.
                f.secret_start = (start + f.secret_start * 4 / 3).min(end);
                f.secret_end = (start + (f.secret_end * 4).div_ceil(3)).min(end);
                f.start = start;
                f.end = end;
                f.encoding = Some("base64");
                found.push(f);
            }
        }
        self.scan_escaped_keys(buf, owned_start, owned_end, stats, &mut found);
        keep_most_specific(&mut found);
        found
    }

    /// Private keys inside escaped string literals (`"-----BEGIN RSA PRIVATE KEY-----\\nMII…"` in
    /// any JSON or JavaScript, escaped once or more): the literal is unescaped from the BEGIN
    /// line on and scanned, and the key reported at the raw position of its BEGIN line with the
    /// unescaped key as its secret, as if it sat in a PEM file.
    fn scan_escaped_keys(
        &self,
        buf: &[u8],
        owned_start: usize,
        owned_end: usize,
        stats: &mut Stats,
        found: &mut Vec<Found>,
    ) {
        const BEGIN: &[u8] = b"-----BEGIN ";
        let finder = memchr::memmem::Finder::new(BEGIN);
        let region = &buf[owned_start..owned_end];
        for at in finder.find_iter(region) {
            let start = owned_start + at;
            let header = &buf[start..(start + 64).min(buf.len())];
            let Some(close) = memchr::memmem::find(&header[BEGIN.len()..], b"-----") else {
                continue;
            };
            let after = BEGIN.len() + close + 5;
            if !header[..after].ends_with(b"PRIVATE KEY-----")
                && !header[..after].ends_with(b"PRIVATE KEY BLOCK-----")
                || header.get(after) != Some(&b'\\')
            {
                continue;
            }
            let end = (start + OVERLAP).min(buf.len());
            let (decoded, map) = unescape_literal(&buf[start..end]);
            let mut inner = Stats::default();
            for f in self.scan_plain(&decoded, 0, 1, &mut inner) {
                if f.rule.id != "private-key" {
                    continue;
                }
                let raw = |i: usize| start + map.get(i).copied().unwrap_or(end - start);
                let (raw_start, raw_end) = (raw(f.start), raw(f.end));
                if allowed(buf, raw_start, raw_end, Some(f.rule.id)) {
                    stats.allowed += 1;
                    continue;
                }
                found.push(Found {
                    start: raw_start,
                    end: raw_end,
                    secret_start: raw(f.secret_start),
                    secret_end: raw(f.secret_end),
                    unescaped: true,
                    ..f
                });
            }
        }
    }

    /// Keyword windows and the keyword-less set, without decoding.
    fn scan_plain(
        &self,
        buf: &[u8],
        owned_start: usize,
        owned_end: usize,
        stats: &mut Stats,
    ) -> Vec<Found> {
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); RULES.len()];
        let scan_from = owned_start.saturating_sub(MARGIN.min(owned_start));
        let scan_to = (owned_end + OVERLAP).min(buf.len());
        for m in self
            .keywords
            .find_overlapping_iter(&buf[scan_from..scan_to])
        {
            let index = self.keyword_rule[m.pattern().as_usize()];
            let rule = &RULES[index];
            let (hit_start, hit_end) = (scan_from + m.start(), scan_from + m.end());
            if hit_start >= owned_end + rule.before {
                continue;
            }
            let from = hit_start.saturating_sub(rule.before);
            let window = (
                from,
                token_end(buf, (hit_end + rule.after).min(buf.len()), from),
            );
            let list = &mut windows[index];
            match list.last_mut() {
                Some(last) if window.0 <= last.1 => last.1 = last.1.max(window.1),
                _ => list.push(window),
            }
        }
        let mut found = Vec::new();
        for (index, list) in windows.iter().enumerate() {
            for &(from, to) in list {
                self.run_rule(
                    index,
                    buf,
                    from,
                    to,
                    owned_start,
                    owned_end,
                    stats,
                    &mut found,
                );
            }
        }
        let region = &buf[owned_start..scan_to];
        for set_index in self.keywordless.matches(region).iter() {
            let index = self.keywordless_rule[set_index];
            self.run_rule(
                index,
                buf,
                owned_start,
                scan_to,
                owned_start,
                owned_end,
                stats,
                &mut found,
            );
        }
        keep_most_specific(&mut found);
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        index: usize,
        buf: &[u8],
        from: usize,
        to: usize,
        owned_start: usize,
        owned_end: usize,
        stats: &mut Stats,
        found: &mut Vec<Found>,
    ) {
        let rule = &RULES[index];
        let regex = &self.regexes[index];
        let mut at = from;
        while at < to {
            // Searching the buffer up to `to` from `at` (not a sliced window) keeps the bytes
            // before the window visible to `\b`, and `^` no longer matches at the window start.
            let Some(caps) = regex.captures_at(&buf[..to], at) else {
                break;
            };
            let Some(whole) = caps.get(0) else { break };
            // A match that runs into the window's end may be a longer token cut short (or `$`
            // matched the cut): match again from its start on the whole overlap.
            let caps = match (whole.end() == to && to < buf.len())
                .then(|| {
                    regex.captures_at(
                        &buf[..(whole.start() + OVERLAP).min(buf.len())],
                        whole.start(),
                    )
                })
                .flatten()
            {
                Some(longer) if longer.get(0).is_some_and(|m| m.start() == whole.start()) => longer,
                _ => caps,
            };
            let Some(whole) = caps.get(0) else { break };
            at = whole.end().max(whole.start() + 1);
            let start = whole.start();
            if start < owned_start || start >= owned_end {
                continue;
            }
            let secret = caps
                .name("secret")
                .or_else(|| caps.name("bare"))
                .or_else(|| caps.get(1))
                .unwrap_or(whole);
            let (secret_start, secret_end) = (secret.start(), secret.end());
            let Ok(secret) = std::str::from_utf8(secret.as_bytes()) else {
                continue;
            };
            let context_from = start.saturating_sub(400);
            let context_to = (whole.end() + 400).min(buf.len());
            let Some(accepted) = rules::accept(
                rule,
                secret,
                &buf[context_from..context_to],
                start - context_from,
            ) else {
                continue;
            };
            if allowed(buf, start, whole.end(), Some(rule.id)) {
                stats.allowed += 1;
                continue;
            }
            found.push(Found {
                rule,
                start,
                end: whole.end(),
                secret_start,
                secret_end,
                secret: secret.to_string(),
                accepted,
                encoding: None,
                unescaped: false,
            });
        }
    }
}

struct Found {
    rule: &'static Rule,
    /// Where the report points (the match, or the blob it was decoded from).
    start: usize,
    end: usize,
    /// Where the secret itself lies in the scanned buffer; one secret occurrence is one span.
    secret_start: usize,
    secret_end: usize,
    secret: String,
    accepted: Accepted,
    encoding: Option<&'static str>,
    /// Found in an unescaped string literal: its secret is the key as a PEM file would hold it.
    unescaped: bool,
}

/// Why one match is preferred to another on the same secret: the more specific rule, then a
/// proven format, then the decoded form (which shows the secret itself), then the earlier rule.
fn preference(f: &Found) -> (u8, bool, bool, bool, std::cmp::Reverse<usize>) {
    let index = RULES
        .iter()
        .position(|r| std::ptr::eq(r, f.rule))
        .unwrap_or(usize::MAX);
    (
        f.rule.rank,
        f.accepted.proven,
        f.unescaped,
        f.encoding.is_some(),
        std::cmp::Reverse(index),
    )
}

/// One finding per secret occurrence: of the matches whose secrets overlap, only the preferred
/// one stays (a `generic-secret` assignment of a Stripe key is the Stripe key; an `.npmrc`
/// `_authToken` holding an `npm_` token is the npm token; a secret assignment whose value is a
/// base64 blob is the secret the blob decodes to).
fn keep_most_specific(found: &mut Vec<Found>) {
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| (found[i].secret_start, found[i].secret_end));
    let mut beaten = vec![false; found.len()];
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if found[j].secret_start >= found[i].secret_end {
                break;
            }
            if preference(&found[i]) >= preference(&found[j]) {
                beaten[j] = true;
            } else {
                beaten[i] = true;
            }
        }
    }
    let mut index = 0;
    found.retain(|_| {
        index += 1;
        !beaten[index - 1]
    });
}

/// The end of a keyword window, moved on past the token it cuts (up to the next space, quote or
/// angle bracket, at most [`OVERLAP`] bytes after `from`).
fn token_end(buf: &[u8], to: usize, from: usize) -> usize {
    let limit = (from + OVERLAP).min(buf.len()).max(to);
    to + buf[to..limit]
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>'))
        .unwrap_or(limit - to)
}

/// Unescapes a string literal that starts at `raw[0]`: JSON and JavaScript escapes (`\\n`,
/// `\\/`, `\\uXXXX`, `\\xHH`…), up to the literal's closing quote, then again while escaped
/// line breaks remain (a JSON string inside a JSON string). Returns the text and, for every byte
/// of it (and one past the end), the offset in `raw` it came from.
fn unescape_literal(raw: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let identity: Vec<usize> = (0..=raw.len()).collect();
    let (mut text, mut map) = unescape_once(raw, &identity, true);
    for _ in 0..3 {
        if memchr::memmem::find(&text, b"\\n").is_none()
            && memchr::memmem::find(&text, b"\\r").is_none()
        {
            break;
        }
        (text, map) = unescape_once(&text, &map, false);
    }
    (text, map)
}

/// One level of unescaping; `map[i]` is where byte `i` of `raw` came from. With `stop_at_quote`,
/// an unescaped quote ends the literal.
fn unescape_once(raw: &[u8], map: &[usize], stop_at_quote: bool) -> (Vec<u8>, Vec<usize>) {
    let source = |i: usize| map.get(i).copied().unwrap_or(usize::MAX);
    let mut text = Vec::with_capacity(raw.len());
    let mut out_map = Vec::with_capacity(raw.len() + 1);
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if stop_at_quote && matches!(b, b'"' | b'\'' | b'`') {
            break;
        }
        if b != b'\\' || i + 1 >= raw.len() {
            text.push(b);
            out_map.push(source(i));
            i += 1;
            continue;
        }
        let hex = |from: usize, len: usize| {
            raw.get(from..from + len)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let (decoded, used): (Option<char>, usize) = match raw[i + 1] {
            b'n' => (Some('\n'), 2),
            b'r' => (Some('\r'), 2),
            b't' => (Some('\t'), 2),
            b'u' => (
                hex(i + 2, 4).and_then(char::from_u32).or(Some('\u{fffd}')),
                6,
            ),
            b'x' => (hex(i + 2, 2).and_then(char::from_u32), 4),
            other => (Some(char::from(other)), 2),
        };
        let Some(c) = decoded else {
            text.push(b);
            out_map.push(source(i));
            i += 1;
            continue;
        };
        let mut utf8 = [0u8; 4];
        for &byte in c.encode_utf8(&mut utf8).as_bytes() {
            text.push(byte);
            out_map.push(source(i));
        }
        i = (i + used).min(raw.len());
    }
    out_map.push(source(i));
    (text, out_map)
}

/// Decodes a base64 blob when it holds mostly printable text.
fn decode_printable(blob: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = blob.iter().copied().filter(|&b| b != b'=').collect();
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&trimmed)
        .ok()?;
    let printable = decoded
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\t' || b == b'\r')
        .count();
    (decoded.len() >= 20 && printable * 100 >= decoded.len() * 95).then_some(decoded)
}

/// True when the line holding `start..end` carries `launchready:allow`, bare or naming `rule`
/// as `launchready:allow(rule-id)`. Only 4 kB either side are read on very long lines.
pub fn allowed(buf: &[u8], start: usize, end: usize, rule: Option<&str>) -> bool {
    const MARK: &[u8] = b"launchready:allow";
    let from = start.saturating_sub(4096);
    let line_start = memchr::memrchr(b'\n', &buf[from..start]).map_or(from, |p| from + p + 1);
    let to = (end + 4096).min(buf.len());
    let line_end = memchr::memchr(b'\n', &buf[end.min(to)..to]).map_or(to, |p| end + p);
    let line = &buf[line_start..line_end];
    let finder = memchr::memmem::Finder::new(MARK);
    finder.find_iter(line).any(|at| {
        let rest = &line[at + MARK.len()..];
        match rest.first() {
            Some(b'(') => {
                let names = rest[1..].split(|&b| b == b')').next().unwrap_or_default();
                match rule {
                    Some(rule) => names
                        .split(|&b| b == b',')
                        .any(|n| n.trim_ascii() == rule.as_bytes()),
                    None => true,
                }
            }
            _ => true,
        }
    })
}

/// Line and column bookkeeping across chunks.
#[derive(Debug, Clone, Default)]
struct Position {
    /// Buffer index the counts refer to.
    at: usize,
    /// 0-based line at `at`.
    line: u32,
    /// 0-based column (characters) at `at`.
    column: u32,
}

impl Position {
    /// Moves to `to` (not before the current place) and returns the 1-based line and column there.
    fn advance(&mut self, buf: &[u8], to: usize) -> (u32, u32) {
        if to > self.at {
            let span = &buf[self.at..to];
            match memchr::memrchr(b'\n', span) {
                Some(last) => {
                    let newlines = memchr::memchr_iter(b'\n', span).count();
                    self.line += u32::try_from(newlines).unwrap_or(u32::MAX);
                    self.column = chars(&span[last + 1..]);
                }
                None => self.column += chars(span),
            }
            self.at = to;
        }
        (self.line + 1, self.column + 1)
    }

    /// The buffer lost its first `cut` bytes.
    fn rebase(&mut self, cut: usize) {
        self.at -= cut;
    }
}

fn chars(bytes: &[u8]) -> u32 {
    let count = bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Hits and counts of one file, or why it could not be read.
pub type ScanOutcome = io::Result<(Vec<Hit>, Stats)>;

/// One file's result from [`scan_files`].
#[derive(Debug)]
pub struct FileResult {
    /// The file.
    pub path: PathBuf,
    /// Its hits, or why it could not be read.
    pub outcome: io::Result<(Vec<Hit>, Stats)>,
}

/// Scans files on every core: workers take the next file from a shared index, so one large file
/// does not hold up the rest. Results come back in input order.
pub fn scan_files(scanner: &Scanner, files: Vec<PathBuf>) -> Vec<FileResult> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let files_ref = &files;
    let mut outcomes: Vec<Option<ScanOutcome>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files_ref.get(i) else { break };
                        done.push((i, scan_file(scanner, path)));
                    }
                    done
                })
            })
            .collect();
        for (i, outcome) in handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
        {
            outcomes[i] = Some(outcome);
        }
    });
    files
        .into_iter()
        .zip(outcomes)
        .map(|(path, outcome)| FileResult {
            path,
            outcome: outcome.unwrap_or_else(|| Err(io::Error::other("the scanner thread failed"))),
        })
        .collect()
}

/// Scans one file; a binary file (NUL in its first 8 kB) is skipped.
fn scan_file(scanner: &Scanner, path: &PathBuf) -> io::Result<(Vec<Hit>, Stats)> {
    let mut file = std::fs::File::open(path)?;
    let mut head = vec![0u8; 8000];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    head.truncate(filled);
    if super::sources::looks_binary(&head) {
        return Ok((Vec::new(), Stats::default()));
    }
    let mut hits = Vec::new();
    let reader = io::Cursor::new(head).chain(io::BufReader::with_capacity(1 << 16, file));
    let stats = scanner.scan_reader(reader, &mut |h| hits.push(h))?;
    Ok((hits, stats))
}

#[cfg(test)]
mod tests;
