//! Phase one (spanned parse, per-section deserialization) and phase two (meaning) of loading.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use url::Url;

use super::diagnostic::Diagnostics;
use super::raw::*;
use super::*;

const SECTIONS: &[&str] = &[
    "target",
    "dns",
    "tls",
    "http",
    "email",
    "identities",
    "endpoints",
    "cors",
    "rate-limit",
    "secrets",
    "latency",
    "uptime",
    "redirects",
    "accept",
];

/// Deserialized sections, each `None` when absent or broken.
#[derive(Default)]
struct Sections {
    target: Option<RawTarget>,
    target_missing: bool,
    dns: Option<RawDns>,
    tls: Option<RawTls>,
    http: Option<RawHttp>,
    email: Option<RawEmail>,
    identities: Vec<RawIdentity>,
    endpoints: Vec<(usize, RawEndpoint)>,
    cors: Option<RawCors>,
    rate_limit: Option<RawRateLimit>,
    secrets: Option<RawSecrets>,
    latency: Option<RawLatency>,
    uptime: Option<RawUptime>,
    redirects: Vec<(usize, RawRedirect)>,
    accept: Vec<(usize, RawAccept)>,
}

pub(super) fn parse(text: &str, path: &Path, env: &dyn Env) -> Result<Target, ConfigError> {
    let mut diags = Diagnostics::new(path, text);
    let (doc, errors) = DeTable::parse_recoverable(text);
    for error in &errors {
        diags.at(
            error.span().unwrap_or(0..0),
            "toml",
            format!("syntax error: {}", first_line(error.message())),
        );
    }
    if !errors.is_empty() {
        return Err(diags
            .into_result()
            .err()
            .unwrap_or(ConfigError::Invalid(Vec::new())));
    }
    let doc = doc.into_inner();
    let mut sections = Sections {
        target_missing: true,
        ..Sections::default()
    };
    for (key, value) in doc.iter() {
        let name: &str = key.get_ref();
        match name {
            "target" => {
                sections.target_missing = false;
                sections.target = section(&mut diags, name, value);
            }
            "dns" => sections.dns = section(&mut diags, name, value),
            "tls" => sections.tls = section(&mut diags, name, value),
            "http" => sections.http = section(&mut diags, name, value),
            "email" => sections.email = section(&mut diags, name, value),
            "identities" => {
                sections.identities = array(&mut diags, name, value)
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect();
            }
            "endpoints" => sections.endpoints = array(&mut diags, name, value),
            "cors" => sections.cors = section(&mut diags, name, value),
            "rate-limit" => sections.rate_limit = section(&mut diags, name, value),
            "secrets" => sections.secrets = section(&mut diags, name, value),
            "latency" => sections.latency = section(&mut diags, name, value),
            "uptime" => sections.uptime = section(&mut diags, name, value),
            "redirects" => sections.redirects = array(&mut diags, name, value),
            "accept" => sections.accept = array(&mut diags, name, value),
            other => diags.at(
                key.span(),
                other,
                format!("unknown section; expected one of: {}", SECTIONS.join(", ")),
            ),
        }
    }
    if sections.target_missing {
        diags.at(
            0..0,
            "target",
            "missing section [target] (with at least base-url)",
        );
    }
    let target = Validator {
        diags: &mut diags,
        env,
        base_dir: config_dir(path),
    }
    .target(sections, path);
    diags.into_result()?;
    target.ok_or_else(|| ConfigError::Invalid(Vec::new()))
}

/// The directory relative config paths are read from: the config file's own, made absolute so a
/// bare `checks.toml` still names real paths (and git gets a directory to run in).
fn config_dir(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Deserializes one section, recording unknown keys and the first type error.
fn section<T: DeserializeOwned>(
    diags: &mut Diagnostics<'_>,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<T> {
    if !matches!(value.get_ref(), DeValue::Table(_)) {
        diags.at(
            value.span(),
            key,
            format!("expected a table, found {}", value.get_ref().type_str()),
        );
        return None;
    }
    // serde stops at the first type error; drop the offending key and try again so that every
    // problem in the section is reported, not only the first.
    let mut value = value.clone();
    for _ in 0..64 {
        let mut unknown: Vec<Vec<Segment>> = Vec::new();
        let result: Result<T, toml::de::Error> =
            serde_ignored::deserialize(ValueDeserializer::from(value.clone()), |p| {
                unknown.push(segments(&p))
            });
        for path in unknown {
            let (span, name) = locate(&value, &path);
            diags.at(span, join_key(key, &path), format!("unknown key `{name}`"));
        }
        let error = match result {
            Ok(v) => return Some(v),
            Err(error) => error,
        };
        let span = error.span().unwrap_or_else(|| value.span());
        let path = key_path_at(&value, &span);
        let message = first_line(error.message()).replace("missing field", "missing key");
        diags.at(span, join_key(key, &path), message);
        if path.is_empty() || !remove(&mut value, &path) {
            return None;
        }
    }
    None
}

/// Removes the key at `path`; false when there is nothing to remove.
fn remove(root: &mut Spanned<DeValue<'_>>, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = root;
    for seg in parents {
        let next = match (seg, cur.get_mut()) {
            (Segment::Key(k), DeValue::Table(t)) => t.get_mut(k.as_str()),
            (Segment::Index(i), DeValue::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match (last, cur.get_mut()) {
        (Segment::Key(k), DeValue::Table(t)) => t.remove(k.as_str()).is_some(),
        _ => false,
    }
}

/// Deserializes an array of tables element by element.
fn array<T: DeserializeOwned>(
    diags: &mut Diagnostics<'_>,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Vec<(usize, T)> {
    let DeValue::Array(items) = value.get_ref() else {
        diags.at(
            value.span(),
            key,
            format!(
                "expected an array of tables ([[{key}]]), found {}",
                value.get_ref().type_str()
            ),
        );
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| section(diags, &format!("{key}[{i}]"), item).map(|v| (i, v)))
        .collect()
}

#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

fn segments(path: &serde_ignored::Path<'_>) -> Vec<Segment> {
    use serde_ignored::Path as P;
    let mut out = Vec::new();
    let mut cur = path;
    loop {
        match cur {
            P::Root => break,
            P::Seq { parent, index } => {
                out.push(Segment::Index(*index));
                cur = parent;
            }
            P::Map { parent, key } => {
                out.push(Segment::Key(key.clone()));
                cur = parent;
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                cur = parent
            }
        }
    }
    out.reverse();
    out
}

fn join_key(prefix: &str, path: &[Segment]) -> String {
    let mut key = prefix.to_string();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                key.push('.');
                key.push_str(k);
            }
            Segment::Index(i) => key.push_str(&format!("[{i}]")),
        }
    }
    key
}

/// The span of the key at `path` (or the closest existing parent) and its name.
fn locate(root: &Spanned<DeValue<'_>>, path: &[Segment]) -> (Range<usize>, String) {
    let mut span = root.span();
    let mut name = String::new();
    let mut cur = root;
    for seg in path {
        match (seg, cur.get_ref()) {
            (Segment::Key(k), DeValue::Table(t)) => match t.get_key_value(k.as_str()) {
                Some((key, value)) => {
                    span = key.span();
                    name = k.clone();
                    cur = value;
                }
                None => return (span, k.clone()),
            },
            (Segment::Index(i), DeValue::Array(a)) => match a.get(*i) {
                Some(value) => {
                    span = value.span();
                    cur = value;
                }
                None => break,
            },
            _ => break,
        }
    }
    (span, name)
}

/// The key path of the innermost value whose span contains `span`.
fn key_path_at(root: &Spanned<DeValue<'_>>, span: &Range<usize>) -> Vec<Segment> {
    let contains = |outer: Range<usize>| {
        outer.start <= span.start && span.end <= outer.end.max(outer.start + 1)
    };
    let mut path = Vec::new();
    let mut cur = root;
    'walk: loop {
        match cur.get_ref() {
            DeValue::Table(t) => {
                for (k, v) in t.iter() {
                    if contains(v.span()) || contains(k.span()) {
                        path.push(Segment::Key(k.get_ref().to_string()));
                        cur = v;
                        continue 'walk;
                    }
                }
                break;
            }
            DeValue::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    if contains(v.span()) {
                        path.push(Segment::Index(i));
                        cur = v;
                        continue 'walk;
                    }
                }
                break;
            }
            _ => break,
        }
    }
    path
}

struct Validator<'a, 'd> {
    diags: &'a mut Diagnostics<'d>,
    env: &'a dyn Env,
    base_dir: PathBuf,
}

fn ms(value: &Option<Spanned<u64>>, default: u64) -> Duration {
    Duration::from_millis(value.as_ref().map_or(default, |v| *v.get_ref()))
}

impl Validator<'_, '_> {
    fn error(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.diags.at(span, key, message);
    }

    fn positive_ms(&mut self, value: &Option<Spanned<u64>>, key: &str, default: u64) -> Duration {
        if let Some(v) = value
            && *v.get_ref() == 0
        {
            self.error(v.span(), key, "must be greater than 0");
        }
        ms(value, default)
    }

    fn target(&mut self, s: Sections, path: &Path) -> Option<Target> {
        let raw = s.target?;
        // A bad base URL is reported, and validation goes on with a stand-in so that every other
        // problem is reported too; no Target comes out of it.
        let checked_base = self.http_url(&raw.base_url, None, "target.base-url");
        let base_valid = checked_base.is_some();
        let base_url = checked_base
            .unwrap_or_else(|| Url::parse("https://base-url.invalid/").expect("a valid URL"));
        let base_host = base_url.host_str().unwrap_or_default().to_ascii_lowercase();

        let mut hosts = Vec::new();
        for (i, h) in raw.hosts.iter().enumerate() {
            if let Some(host) = self.host(h, &format!("target.hosts[{i}]"))
                && !hosts.contains(&host)
            {
                hosts.push(host);
            }
        }
        if !hosts.contains(&base_host) {
            hosts.insert(0, base_host.clone());
        }
        let scope: Vec<HostPattern> = if raw.scope.is_empty() {
            hosts.iter().map(|h| HostPattern::new(h)).collect()
        } else {
            let mut scope = Vec::new();
            for (i, p) in raw.scope.iter().enumerate() {
                let text = p.get_ref();
                let bare = text.strip_prefix("*.").unwrap_or(text);
                if valid_host(bare) {
                    scope.push(HostPattern::new(text));
                } else {
                    self.error(
                        p.span(),
                        format!("target.scope[{i}]"),
                        format!("`{text}` is not a host name or `*.` pattern"),
                    );
                }
            }
            scope
        };
        let in_scope = |host: &str| scope.iter().any(|p| p.matches(host));
        if !raw.scope.is_empty() {
            for (i, h) in raw.hosts.iter().enumerate() {
                if !in_scope(&h.get_ref().to_ascii_lowercase()) {
                    self.error(
                        h.span(),
                        format!("target.hosts[{i}]"),
                        format!("host `{}` is outside target.scope", h.get_ref()),
                    );
                }
            }
            if base_valid && !in_scope(&base_host) {
                self.error(
                    raw.base_url.span(),
                    "target.base-url",
                    format!("host `{base_host}` is outside target.scope"),
                );
            }
        }
        let canonical_host = match &raw.canonical_host {
            Some(h) => self
                .host(h, "target.canonical-host")
                .unwrap_or(base_host.clone()),
            None => base_host.clone(),
        };

        let dns = self.dns(s.dns.unwrap_or_default());
        let tls = self.tls(s.tls.unwrap_or_default());
        let http = self.http(s.http.unwrap_or_default());
        let email = s.email.map(|e| self.email(e, &canonical_host));
        let identities = self.identities(s.identities, &base_url, &in_scope);
        let names: BTreeSet<String> = identities.iter().map(|i| i.name.clone()).collect();
        let endpoints = self.endpoints(s.endpoints, &base_url, &in_scope, &names);
        let cors = s.cors.map(|c| self.cors(c));
        let rate_limit = s
            .rate_limit
            .and_then(|r| self.rate_limit(r, &base_url, &in_scope));
        let secrets = s.secrets.map(|r| self.secrets(r));
        let latency = self.latency(s.latency.unwrap_or_default());
        let uptime = s.uptime.and_then(|u| self.uptime(u, &base_url));
        let redirects = self.redirects(s.redirects, &base_url);
        let accept = self.accept(s.accept);

        if !base_valid {
            return None;
        }
        Some(Target {
            source: Some(path.to_path_buf()),
            base_dir: self.base_dir.clone(),
            name: raw.name.unwrap_or_else(|| base_host.clone()),
            base_url,
            hosts,
            scope,
            canonical_host,
            openapi: raw.openapi.map(Spanned::into_inner),
            write_probes: raw.write_probes,
            dns,
            tls,
            http,
            email,
            identities,
            endpoints,
            cors,
            rate_limit,
            secrets,
            latency,
            uptime,
            redirects,
            accept,
        })
    }

    /// An absolute http(s) URL, or a path joined to `base`.
    fn http_url(&mut self, value: &Spanned<String>, base: Option<&Url>, key: &str) -> Option<Url> {
        let text = value.get_ref();
        let parsed = match base {
            Some(base) if text.starts_with('/') => base.join(text),
            _ => Url::parse(text),
        };
        match parsed {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
                Some(url)
            }
            Ok(url) => {
                self.error(
                    value.span(),
                    key,
                    format!(
                        "`{text}` must be an http or https URL with a host (scheme `{}`)",
                        url.scheme()
                    ),
                );
                None
            }
            Err(e) => {
                let hint = if base.is_some() {
                    " or a path starting with `/`"
                } else {
                    ""
                };
                self.error(
                    value.span(),
                    key,
                    format!("`{text}` is not a valid URL{hint}: {e}"),
                );
                None
            }
        }
    }

    fn host(&mut self, value: &Spanned<String>, key: &str) -> Option<String> {
        let host = value.get_ref().trim_end_matches('.').to_ascii_lowercase();
        if valid_host(&host) {
            Some(host)
        } else {
            self.error(
                value.span(),
                key,
                format!("`{}` is not a valid host name", value.get_ref()),
            );
            None
        }
    }

    fn dns(&mut self, raw: RawDns) -> DnsSettings {
        let mut nameservers = Vec::new();
        for (i, ns) in raw.nameservers.iter().enumerate() {
            let text = ns.get_ref();
            let parsed = text
                .parse::<SocketAddr>()
                .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)));
            match parsed {
                Ok(addr) => nameservers.push(addr),
                Err(_) => self.error(
                    ns.span(),
                    format!("dns.nameservers[{i}]"),
                    format!("`{text}` is not an ip:port (e.g. 127.0.0.1:5353 or [::1]:53)"),
                ),
            }
        }
        DnsSettings {
            nameservers,
            timeout: self.positive_ms(&raw.timeout_ms, "dns.timeout-ms", 3000),
        }
    }

    fn tls(&mut self, raw: RawTls) -> TlsSettings {
        let extra_ca = raw.extra_ca.as_ref().and_then(|p| {
            let path = self.base_dir.join(p.get_ref());
            if path.is_file() {
                Some(path)
            } else {
                self.error(
                    p.span(),
                    "tls.extra-ca",
                    format!("no such file: {}", path.display()),
                );
                None
            }
        });
        let days = |v: &Option<Spanned<i64>>, d: i64| v.as_ref().map_or(d, |v| *v.get_ref());
        let critical = days(&raw.expiry_critical_days, 7);
        let high = days(&raw.expiry_high_days, 14);
        let medium = days(&raw.expiry_medium_days, 30);
        if !(0 <= critical && critical <= high && high <= medium) {
            let span = raw
                .expiry_critical_days
                .as_ref()
                .or(raw.expiry_high_days.as_ref())
                .or(raw.expiry_medium_days.as_ref())
                .map_or(0..0, Spanned::span);
            self.error(
                span,
                "tls",
                format!("expiry thresholds must satisfy 0 <= critical ({critical}) <= high ({high}) <= medium ({medium})"),
            );
        }
        let caa_issuer = raw.caa_issuer.as_ref().and_then(|v| {
            let domain = v
                .get_ref()
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let valid = domain.contains('.')
                && domain.split('.').all(|l| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if valid {
                Some(domain)
            } else {
                self.error(
                    v.span(),
                    "tls.caa-issuer",
                    format!(
                        "`{}` is not a domain name such as letsencrypt.org",
                        v.get_ref()
                    ),
                );
                None
            }
        });
        TlsSettings {
            extra_ca,
            caa_issuer,
            expiry_critical_days: critical,
            expiry_high_days: high,
            expiry_medium_days: medium,
        }
    }

    fn http(&mut self, raw: RawHttp) -> HttpSettings {
        for (value, key) in [
            (&raw.http_port, "http.http-port"),
            (&raw.https_port, "http.https-port"),
        ] {
            if let Some(v) = value
                && *v.get_ref() == 0
            {
                self.error(v.span(), key, "port must be between 1 and 65535");
            }
        }
        let max_body = raw
            .max_body_bytes
            .as_ref()
            .map_or(2 << 20, |v| *v.get_ref());
        if let Some(v) = &raw.max_body_bytes
            && !(1024..=(64 << 20)).contains(v.get_ref())
        {
            self.error(
                v.span(),
                "http.max-body-bytes",
                "must be between 1024 and 67108864",
            );
        }
        let count = |v: &Option<Spanned<u32>>, d: u32| v.as_ref().map_or(d, |v| *v.get_ref());
        for (value, key) in [
            (&raw.requests_per_second, "http.requests-per-second"),
            (&raw.request_budget, "http.request-budget"),
        ] {
            if let Some(v) = value
                && *v.get_ref() == 0
            {
                self.error(v.span(), key, "must be greater than 0");
            }
        }
        let max_redirects = count(&raw.max_redirects, 10);
        if let Some(v) = &raw.max_redirects
            && *v.get_ref() > 30
        {
            self.error(v.span(), "http.max-redirects", "must be at most 30");
        }
        HttpSettings {
            http_port: raw.http_port.map(Spanned::into_inner),
            https_port: raw.https_port.map(Spanned::into_inner),
            connect_timeout: self.positive_ms(
                &raw.connect_timeout_ms,
                "http.connect-timeout-ms",
                5000,
            ),
            timeout: self.positive_ms(&raw.timeout_ms, "http.timeout-ms", 10_000),
            max_body_bytes: max_body as usize,
            max_redirects,
            user_agent: raw
                .user_agent
                .unwrap_or_else(|| format!("launchready/{}", env!("CARGO_PKG_VERSION"))),
            requests_per_second: count(&raw.requests_per_second, 10),
            request_budget: count(&raw.request_budget, 2000),
        }
    }

    fn email(&mut self, raw: RawEmail, canonical_host: &str) -> EmailSettings {
        let domain = match &raw.domain {
            Some(d) => self.host(d, "email.domain").unwrap_or_default(),
            None => apex_of(canonical_host),
        };
        let mut selectors = Vec::new();
        for (i, s) in raw.dkim_selectors.iter().enumerate() {
            let text = s.get_ref();
            if !text.is_empty()
                && text.split('.').all(|l| {
                    !l.is_empty()
                        && l.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
            {
                selectors.push(text.clone());
            } else {
                self.error(
                    s.span(),
                    format!("email.dkim-selectors[{i}]"),
                    format!("`{text}` is not a DKIM selector"),
                );
            }
        }
        let mut senders = Vec::new();
        for (i, s) in raw.senders.iter().enumerate() {
            match s.get_ref().parse::<IpAddr>() {
                Ok(ip) => senders.push(ip),
                Err(_) => self.error(
                    s.span(),
                    format!("email.senders[{i}]"),
                    format!("`{}` is not an IP address", s.get_ref()),
                ),
            }
        }
        EmailSettings {
            domain,
            sends_mail: raw.sends_mail.unwrap_or(true),
            dkim_selectors: selectors,
            senders,
        }
    }

    /// Expands `${VAR}` references; a value with any reference is a secret.
    fn template(&mut self, value: &Spanned<String>, key: &str) -> Option<Templated> {
        let text = value.get_ref();
        let mut out = String::new();
        let mut rest = text.as_str();
        let mut secret = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else {
                self.error(value.span(), key, "unterminated `${` reference");
                return None;
            };
            let name = &rest[start + 2..start + end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.error(
                    value.span(),
                    key,
                    format!("`${{{name}}}` is not an environment variable reference"),
                );
                return None;
            }
            match self.env.var(name) {
                Some(v) => out.push_str(&v),
                None => {
                    self.error(
                        value.span(),
                        key,
                        format!("environment variable {name} is not set"),
                    );
                    return None;
                }
            }
            secret = true;
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Some(if secret {
            Templated::Secret(Secret::new(out))
        } else {
            Templated::Plain(out)
        })
    }

    fn identities(
        &mut self,
        raw: Vec<RawIdentity>,
        base: &Url,
        in_scope: &dyn Fn(&str) -> bool,
    ) -> Vec<Identity> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, r) in raw.into_iter().enumerate() {
            let key = format!("identities[{i}]");
            let name = r.name.get_ref().clone();
            if !seen.insert(name.clone()) {
                self.error(
                    r.name.span(),
                    format!("{key}.name"),
                    format!("duplicate identity `{name}`"),
                );
            }
            let apply = match &r.apply {
                Some(RawApply {
                    cookie: Some(c),
                    header: None,
                    ..
                }) => Apply::Cookie(c.get_ref().clone()),
                Some(RawApply {
                    header,
                    prefix,
                    cookie: None,
                }) => Apply::Header {
                    name: header
                        .as_ref()
                        .map_or("Authorization".into(), |h| h.get_ref().clone()),
                    prefix: prefix.clone().unwrap_or_else(|| {
                        if header.is_none() {
                            "Bearer ".into()
                        } else {
                            String::new()
                        }
                    }),
                },
                Some(RawApply {
                    cookie: Some(c), ..
                }) => {
                    self.error(
                        c.span(),
                        format!("{key}.apply"),
                        "set either header or cookie, not both",
                    );
                    continue;
                }
                None => match &r.token {
                    Some(RawTokenSource {
                        cookie: Some(c), ..
                    }) => Apply::Cookie(c.get_ref().clone()),
                    _ => Apply::Header {
                        name: "Authorization".into(),
                        prefix: "Bearer ".into(),
                    },
                },
            };
            let credential = match (&r.login, &r.bearer) {
                (Some(_), Some(b)) => {
                    self.error(
                        b.span(),
                        format!("{key}.bearer"),
                        "set either login or bearer, not both",
                    );
                    continue;
                }
                (None, None) => {
                    self.error(
                        r.name.span(),
                        key.clone(),
                        "an identity needs [identities.login] or bearer = \"${ENV_VAR}\"",
                    );
                    continue;
                }
                (None, Some(b)) => {
                    if !b.get_ref().trim().starts_with("${") {
                        self.error(
                            b.span(),
                            format!("{key}.bearer"),
                            "credentials must come from the environment: write \"${VAR}\"",
                        );
                        continue;
                    }
                    match self.template(b, &format!("{key}.bearer")) {
                        Some(t) => Credential::Static(Secret::new(t.value())),
                        None => continue,
                    }
                }
                (Some(login), None) => {
                    match self.login(login, r.token.as_ref(), base, in_scope, &key) {
                        Some(l) => Credential::Login(l),
                        None => continue,
                    }
                }
            };
            out.push(Identity {
                name,
                org: r.org,
                credential,
                apply,
            });
        }
        out
    }

    fn login(
        &mut self,
        login: &RawLogin,
        token: Option<&RawTokenSource>,
        base: &Url,
        in_scope: &dyn Fn(&str) -> bool,
        key: &str,
    ) -> Option<Login> {
        let url = self.http_url(&login.url, Some(base), &format!("{key}.login.url"))?;
        if !in_scope(url.host_str().unwrap_or_default()) {
            self.error(
                login.url.span(),
                format!("{key}.login.url"),
                format!(
                    "host `{}` is outside target.scope: credentials are only sent in scope",
                    url.host_str().unwrap_or_default()
                ),
            );
            return None;
        }
        let method = login
            .method
            .as_ref()
            .map_or("POST".to_string(), |m| m.get_ref().to_ascii_uppercase());
        let fields =
            |v: &Spanned<BTreeMap<String, Spanned<String>>>, kind: &str, this: &mut Self| {
                let mut out = BTreeMap::new();
                for (name, value) in v.get_ref() {
                    let field_key = format!("{key}.login.{kind}.{name}");
                    let is_secret = looks_secret(name);
                    if is_secret && !value.get_ref().contains("${") {
                        this.error(
                            value.span(),
                            field_key,
                            "credentials must come from the environment: write \"${VAR}\"",
                        );
                        continue;
                    }
                    if let Some(t) = this.template(value, &field_key) {
                        out.insert(name.clone(), t);
                    }
                }
                out
            };
        let body = match (&login.json, &login.form) {
            (Some(j), None) => LoginBody::Json(fields(j, "json", self)),
            (None, Some(f)) => LoginBody::Form(fields(f, "form", self)),
            (None, None) => LoginBody::None,
            (Some(_), Some(f)) => {
                self.error(
                    f.span(),
                    format!("{key}.login"),
                    "set either json or form, not both",
                );
                return None;
            }
        };
        let token = match token {
            Some(RawTokenSource {
                json_pointer: Some(p),
                header: None,
                cookie: None,
            }) => {
                if !p.get_ref().starts_with('/') {
                    self.error(
                        p.span(),
                        format!("{key}.token.json-pointer"),
                        "a JSON pointer starts with `/`, e.g. \"/token\"",
                    );
                }
                TokenSource::JsonPointer(p.get_ref().clone())
            }
            Some(RawTokenSource {
                json_pointer: None,
                header: Some(h),
                cookie: None,
            }) => TokenSource::Header(h.get_ref().clone()),
            Some(RawTokenSource {
                json_pointer: None,
                header: None,
                cookie: Some(c),
            }) => TokenSource::Cookie(c.get_ref().clone()),
            Some(_) => {
                self.error(
                    login.url.span(),
                    format!("{key}.token"),
                    "set exactly one of json-pointer, header or cookie",
                );
                return None;
            }
            None => TokenSource::JsonPointer("/token".into()),
        };
        Some(Login {
            method,
            url,
            body,
            token,
        })
    }

    fn endpoints(
        &mut self,
        raw: Vec<(usize, RawEndpoint)>,
        base: &Url,
        in_scope: &dyn Fn(&str) -> bool,
        identities: &BTreeSet<String>,
    ) -> Vec<Endpoint> {
        let mut out = Vec::new();
        for (i, r) in raw {
            let key = format!("endpoints[{i}]");
            let method = r
                .method
                .as_ref()
                .map_or("GET".to_string(), |m| m.get_ref().to_ascii_uppercase());
            if !matches!(
                method.as_str(),
                "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
            ) {
                let span = r.method.as_ref().map_or(r.path.span(), Spanned::span);
                self.error(
                    span,
                    format!("{key}.method"),
                    format!("`{method}` is not an HTTP method"),
                );
            }
            let text = r.path.get_ref();
            let url = if text.starts_with('/') {
                format!("{}{}", base.origin().ascii_serialization(), text)
            } else {
                text.clone()
            };
            let probe = fill_params(&url, "x");
            match Url::parse(&probe) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    let host = u.host_str().unwrap_or_default();
                    if !in_scope(host) {
                        self.error(
                            r.path.span(),
                            format!("{key}.path"),
                            format!("host `{host}` is outside target.scope"),
                        );
                    }
                }
                _ => {
                    self.error(
                        r.path.span(),
                        format!("{key}.path"),
                        format!("`{text}` is neither a path starting with `/` nor an http(s) URL"),
                    );
                    continue;
                }
            }
            let auth = match r.auth.as_ref().map(|a| a.get_ref().as_str()) {
                None | Some("required") => AuthRequirement::Required,
                Some("public") => AuthRequirement::Public,
                Some(other) => {
                    let span = r.auth.as_ref().map_or(0..0, Spanned::span);
                    self.error(
                        span,
                        format!("{key}.auth"),
                        format!("`{other}` is not one of: required, public"),
                    );
                    AuthRequirement::Required
                }
            };
            if let Some(id) = &r.identity
                && !identities.contains(id.get_ref())
            {
                self.error(
                    id.span(),
                    format!("{key}.identity"),
                    format!("no identity named `{}` in [[identities]]", id.get_ref()),
                );
            }
            let budget = r.budget_ms.as_ref().map(|b| {
                if *b.get_ref() == 0 {
                    self.error(
                        b.span(),
                        format!("{key}.budget-ms"),
                        "must be greater than 0",
                    );
                }
                Duration::from_millis(*b.get_ref())
            });
            let body = r.body.and_then(|v| serde_json::to_value(v).ok());
            out.push(Endpoint {
                name: r.name.unwrap_or_else(|| format!("{method} {text}")),
                method,
                url,
                auth,
                identity: r.identity.map(Spanned::into_inner),
                ids: r.ids,
                list: r.list,
                core: r.core,
                budget,
                disposable: r.disposable,
                body,
            });
        }
        out
    }

    fn cors(&mut self, raw: RawCors) -> CorsSettings {
        let mut allowed = Vec::new();
        for (i, o) in raw.allowed_origins.iter().enumerate() {
            match Url::parse(o.get_ref()) {
                Ok(u) if u.host_str().is_some() && matches!(u.path(), "" | "/") => {
                    allowed.push(u.origin().ascii_serialization())
                }
                _ => self.error(
                    o.span(),
                    format!("cors.allowed-origins[{i}]"),
                    format!(
                        "`{}` is not an origin like https://app.example.com",
                        o.get_ref()
                    ),
                ),
            }
        }
        CorsSettings {
            allowed_origins: allowed,
        }
    }

    fn rate_limit(
        &mut self,
        raw: RawRateLimit,
        base: &Url,
        in_scope: &dyn Fn(&str) -> bool,
    ) -> Option<RateLimitSettings> {
        let url = |this: &mut Self, v: &Option<Spanned<String>>, key: &str| {
            let v = v.as_ref()?;
            let u = this.http_url(v, Some(base), key)?;
            if !in_scope(u.host_str().unwrap_or_default()) {
                this.error(v.span(), key, "host is outside target.scope");
                return None;
            }
            Some(u)
        };
        let login_url = url(self, &raw.login_path, "rate-limit.login-path");
        let reset_url = url(self, &raw.reset_path, "rate-limit.reset-path");
        let burst = raw.burst.as_ref().map_or(30, |b| *b.get_ref());
        if let Some(b) = &raw.burst
            && !(5..=200).contains(b.get_ref())
        {
            self.error(b.span(), "rate-limit.burst", "must be between 5 and 200");
        }
        Some(RateLimitSettings {
            login_url,
            reset_url,
            username_field: raw.username_field.unwrap_or_else(|| "email".into()),
            password_field: raw.password_field.unwrap_or_else(|| "password".into()),
            burst,
        })
    }

    fn secrets(&mut self, raw: RawSecrets) -> SecretsSettings {
        let mut paths = Vec::new();
        for (i, p) in raw.paths.iter().enumerate() {
            let path = self.base_dir.join(p.get_ref());
            if path.exists() {
                paths.push(path);
            } else {
                self.error(
                    p.span(),
                    format!("secrets.paths[{i}]"),
                    format!("no such file or directory: {}", path.display()),
                );
            }
        }
        if paths.is_empty() && raw.paths.is_empty() {
            paths.push(self.base_dir.clone());
        }
        let bundles = raw
            .bundles
            .map(|b| b.iter().map(|p| self.base_dir.join(p.get_ref())).collect());
        SecretsSettings {
            paths,
            history: raw.history,
            bundles,
            live: raw.live,
            baseline: raw.baseline.map(|b| self.base_dir.join(b.get_ref())),
            staged: false,
        }
    }

    fn latency(&mut self, raw: RawLatency) -> LatencySettings {
        let samples = raw.samples.as_ref().map_or(50, |v| *v.get_ref());
        if let Some(v) = &raw.samples
            && !(1..=10_000).contains(v.get_ref())
        {
            self.error(v.span(), "latency.samples", "must be between 1 and 10000");
        }
        let rate = raw.rate_per_second.as_ref().map_or(10.0, |v| *v.get_ref());
        if let Some(v) = &raw.rate_per_second
            && !(*v.get_ref() > 0.0 && *v.get_ref() <= 1000.0)
        {
            self.error(
                v.span(),
                "latency.rate-per-second",
                "must be above 0 and at most 1000",
            );
        }
        LatencySettings {
            samples,
            warmup: raw.warmup.as_ref().map_or(5, |v| *v.get_ref()),
            rate_per_second: rate,
            budget: self.positive_ms(&raw.budget_ms, "latency.budget-ms", 500),
        }
    }

    fn uptime(&mut self, raw: RawUptime, base: &Url) -> Option<UptimeSettings> {
        let mut health = vec![self.http_url(&raw.health, Some(base), "uptime.health")?];
        for (i, h) in raw.extra_health.iter().enumerate() {
            if let Some(u) = self.http_url(h, Some(base), &format!("uptime.extra-health[{i}]")) {
                health.push(u);
            }
        }
        let status_page = raw
            .status_page
            .as_ref()
            .and_then(|s| self.http_url(s, None, "uptime.status-page"));
        Some(UptimeSettings {
            health,
            expect_body: raw.expect_body,
            timeout: self.positive_ms(&raw.timeout_ms, "uptime.timeout-ms", 5000),
            status_page,
        })
    }

    fn redirects(&mut self, raw: Vec<(usize, RawRedirect)>, base: &Url) -> Vec<RedirectRule> {
        let mut out = Vec::new();
        for (i, r) in raw {
            let key = format!("redirects[{i}]");
            let from = self.http_url(&r.from, Some(base), &format!("{key}.from"));
            let to = self.http_url(&r.to, Some(base), &format!("{key}.to"));
            if let Some(s) = &r.status
                && !matches!(s.get_ref(), 301 | 302 | 303 | 307 | 308)
            {
                self.error(
                    s.span(),
                    format!("{key}.status"),
                    "must be one of 301, 302, 303, 307, 308",
                );
            }
            if let (Some(from), Some(to)) = (from, to) {
                out.push(RedirectRule {
                    from,
                    to,
                    status: r.status.map(Spanned::into_inner),
                });
            }
        }
        out
    }

    fn accept(&mut self, raw: Vec<(usize, RawAccept)>) -> Vec<AcceptRule> {
        let mut out = Vec::new();
        for (i, a) in raw {
            let key = format!("accept[{i}]");
            let check = a.check.get_ref();
            if !crate::check::registry::is_known(check) {
                self.error(
                    a.check.span(),
                    format!("{key}.check"),
                    format!("no check with id `{check}` (see `launchready list`)"),
                );
            }
            if a.reason.get_ref().trim().is_empty() {
                self.error(
                    a.reason.span(),
                    format!("{key}.reason"),
                    "say why the risk is accepted",
                );
            }
            let until = a
                .until
                .as_ref()
                .and_then(|u| match (u.get_ref().date, u.get_ref().time) {
                    (Some(d), None) => time::Date::from_calendar_date(
                        i32::from(d.year),
                        time::Month::try_from(d.month).ok()?,
                        d.day,
                    )
                    .ok(),
                    _ => {
                        self.error(
                            u.span(),
                            format!("{key}.until"),
                            "must be a date like 2027-01-31",
                        );
                        None
                    }
                });
            out.push(AcceptRule {
                check: check.clone(),
                subject: a.subject,
                reason: a.reason.into_inner(),
                until,
            });
        }
        out
    }
}

/// Replaces `{param}` placeholders in a URL template.
pub fn fill_params(template: &str, value: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push_str(value);
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

fn looks_secret(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "otp", "pin", "credential"]
        .iter()
        .any(|w| f.contains(w))
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> BTreeMap<String, String> {
        BTreeMap::from([("PW".to_string(), "s3cret-value".to_string())])
    }

    fn errors(text: &str) -> Vec<String> {
        match parse(text, Path::new("t.toml"), &env()) {
            Ok(_) => Vec::new(),
            Err(ConfigError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn caa_issuer_must_be_a_domain() {
        let base = "[target]\nbase-url = \"https://acme.test\"\n[tls]\n";
        let t = parse(
            &format!("{base}caa-issuer = \"PKI.Acme.test.\"\n"),
            Path::new("t.toml"),
            &env(),
        )
        .unwrap();
        assert_eq!(t.tls.caa_issuer.as_deref(), Some("pki.acme.test"));
        let problems = errors(&format!("{base}caa-issuer = \"my ca\"\n"));
        assert!(
            problems.iter().any(|p| p.contains("tls.caa-issuer")),
            "{problems:?}"
        );
    }

    #[test]
    fn minimal_config_defaults_hosts_and_scope() {
        let t = parse(
            "[target]\nbase-url = \"https://acme.test\"\n",
            Path::new("t.toml"),
            &env(),
        )
        .unwrap();
        assert_eq!(t.hosts, vec!["acme.test"]);
        assert!(t.in_scope("acme.test"));
        assert!(!t.in_scope("evil.test"));
        assert_eq!(t.latency.samples, 50);
    }

    #[test]
    fn every_problem_is_reported_with_position() {
        let errs = errors(
            "[target]\nbase-url = \"ftp://x\"\nbogus = 1\n[http]\ntimeout-ms = \"slow\"\nzap = 2\n[nonsense]\n",
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("t.toml:2:12: target.base-url:")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e == "t.toml:3:1: target.bogus: unknown key `bogus`"),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("t.toml:5:14: http.timeout-ms:")),
            "{errs:?}"
        );
        assert!(
            errs.iter().any(|e| e.starts_with("t.toml:6:1: http.zap")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("t.toml:7:2: nonsense: unknown section")),
            "{errs:?}"
        );
    }

    #[test]
    fn literal_credentials_and_missing_env_are_refused() {
        let errs = errors(
            "[target]\nbase-url = \"https://a.test\"\n[[identities]]\nname = \"a\"\nlogin = { url = \"/login\", json = { email = \"a@a.test\", password = \"hunter2\" } }\n[[identities]]\nname = \"b\"\nbearer = \"${NOPE}\"\n",
        );
        assert!(
            errs.iter().any(|e| e.contains(
                "identities[0].login.json.password: credentials must come from the environment"
            )),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("identities[1].bearer: environment variable NOPE is not set")),
            "{errs:?}"
        );
    }

    #[test]
    fn secrets_from_env_are_wrapped() {
        let t = parse(
            "[target]\nbase-url = \"https://a.test\"\n[[identities]]\nname = \"a\"\nlogin = { url = \"/login\", json = { email = \"a@a.test\", password = \"${PW}\" } }\n",
            Path::new("t.toml"),
            &env(),
        )
        .unwrap();
        let Credential::Login(login) = &t.identities[0].credential else {
            panic!()
        };
        let LoginBody::Json(body) = &login.body else {
            panic!()
        };
        assert_eq!(body["password"].value(), "s3cret-value");
        assert!(!format!("{:?}", body["password"]).contains("s3cret"));
    }

    #[test]
    fn endpoints_outside_scope_are_refused() {
        let errs = errors(
            "[target]\nbase-url = \"https://a.test\"\n[[endpoints]]\npath = \"https://other.test/api/{id}\"\n",
        );
        assert_eq!(
            errs,
            vec!["t.toml:4:8: endpoints[0].path: host `other.test` is outside target.scope"]
        );
    }

    #[test]
    fn host_patterns_match_subdomains_only() {
        let p = HostPattern::new("*.acme.test");
        assert!(p.matches("api.acme.test"));
        assert!(p.matches("a.b.acme.test"));
        assert!(!p.matches("acme.test"));
        assert!(!p.matches("evilacme.test"));
    }

    #[test]
    fn params_are_filled() {
        assert_eq!(
            fill_params("https://a.test/x/{id}/y/{n}", "7"),
            "https://a.test/x/7/y/7"
        );
    }
}
