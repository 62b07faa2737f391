//! Detectors for what a response body should not reveal: stack traces, debug pages, environment
//! dumps and version numbers. Shared by every check that reads bodies.

use std::sync::LazyLock;

use regex::Regex;

/// What kind of leak a body shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakKind {
    /// An interactive debugger (Werkzeug console, Rails web-console): code execution for anyone.
    InteractiveDebugger,
    /// A stack trace or framework error page.
    StackTrace,
    /// A SQL error message.
    SqlError,
    /// Environment variables or configuration values.
    Environment,
    /// Software names with version numbers.
    Version,
}

impl LeakKind {
    /// Lowercase description.
    pub fn describe(self) -> &'static str {
        match self {
            LeakKind::InteractiveDebugger => "an interactive debugger",
            LeakKind::StackTrace => "a stack trace",
            LeakKind::SqlError => "a SQL error",
            LeakKind::Environment => "environment or configuration values",
            LeakKind::Version => "software version numbers",
        }
    }
}

/// One leak found in a body, with a short excerpt around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The kind.
    pub kind: LeakKind,
    /// Which pattern matched, e.g. `python traceback`.
    pub pattern: &'static str,
    /// Up to 120 characters around the match.
    pub excerpt: String,
}

struct Pattern {
    kind: LeakKind,
    name: &'static str,
    regex: Regex,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |kind, name, re: &str| Pattern {
        kind,
        name,
        regex: Regex::new(re).expect("detector patterns are valid"),
    };
    vec![
        p(
            LeakKind::InteractiveDebugger,
            "werkzeug debugger",
            r"(?i)werkzeug debugger|__debugger__|console\.png",
        ),
        p(
            LeakKind::InteractiveDebugger,
            "rails web console",
            r"(?i)web-console|REPL session",
        ),
        p(
            LeakKind::StackTrace,
            "python traceback",
            r"Traceback \(most recent call last\)",
        ),
        p(
            LeakKind::StackTrace,
            "java stack trace",
            r"(?m)^\s*at [a-zA-Z_$][\w$]*(\.[\w$<>]+)+\([\w$]+\.(java|kt|scala):\d+\)",
        ),
        p(
            LeakKind::StackTrace,
            "node stack trace",
            r"(?m)^\s*at (\S+ )?\(?(/|file:|node:)[^\s():]+:\d+:\d+\)?",
        ),
        p(
            LeakKind::StackTrace,
            ".net stack trace",
            r"(?m)^\s*at [\w.`<>]+\(.*\) in .+:line \d+",
        ),
        p(
            LeakKind::StackTrace,
            "go panic",
            r"goroutine \d+ \[running\]",
        ),
        p(
            LeakKind::StackTrace,
            "rust panic",
            r"panicked at [^\n]+:\d+:\d+",
        ),
        p(
            LeakKind::StackTrace,
            "php error",
            r"(?i)(Fatal error|Parse error|Warning)</b>:? .+ on line <b>\d+|Stack trace:\s*\n#0 ",
        ),
        p(
            LeakKind::StackTrace,
            "ruby backtrace",
            r"(?m)^\s*(from )?/[^\s:]+\.rb:\d+:in `",
        ),
        p(
            LeakKind::StackTrace,
            "framework debug page",
            r"(?i)(DEBUG = True|Whoops! There was an error|Django Version:|Exception Value:|Action Controller: Exception caught)",
        ),
        p(
            LeakKind::SqlError,
            "sql error",
            r"(?i)(SQLSTATE\[|syntax error at or near|You have an error in your SQL syntax|ORA-\d{5}|SQLite3?::|PG::\w+Error|unterminated quoted string)",
        ),
        p(
            LeakKind::Environment,
            "environment dump",
            r#"(?m)(^|["'\s{,])(DATABASE_URL|SECRET_KEY|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|REDIS_URL|JWT_SECRET|API_KEY|PRIVATE_KEY|PASSWORD)["']?\s*[=:]\s*["']?[^\s"',}]{3,}"#,
        ),
        p(
            LeakKind::Environment,
            "process environment",
            r#"(?i)"(env|environment)"\s*:\s*\{[^}]*"(PATH|HOME|NODE_ENV)""#,
        ),
        p(
            LeakKind::Version,
            "version string",
            r#"(?i)\b(nginx|apache|express|django|rails|php|node(\.js)?|openssl|spring[- ]boot|laravel|flask|werkzeug|gunicorn|postgres(ql)?|mysql|redis)[/ v:"=]+\d+\.\d+(\.\d+)?"#,
        ),
        p(
            LeakKind::Version,
            "version field",
            r#"(?i)"(version|build|commit|git_sha|revision)"\s*:\s*"[^"]{3,}""#,
        ),
    ]
});

/// Every kind of leak found in a body, once per kind, most serious first.
///
/// JSON-escaped line breaks count as line breaks, so a trace inside a JSON string is found too.
pub fn leaks(body: &str) -> Vec<Leak> {
    let unescaped = body.replace("\\n", "\n");
    let body = unescaped.as_str();
    let mut found: Vec<Leak> = Vec::new();
    for pattern in PATTERNS.iter() {
        if found.iter().any(|l| l.kind == pattern.kind) {
            continue;
        }
        if let Some(m) = pattern.regex.find(body) {
            found.push(Leak {
                kind: pattern.kind,
                pattern: pattern.name,
                excerpt: excerpt(body, m.start(), m.end()),
            });
        }
    }
    found
}

/// At most 120 characters around `start..end`, on one line.
pub fn excerpt(text: &str, start: usize, end: usize) -> String {
    let mut from = start.saturating_sub(30);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + 60).min(text.len()).max(from);
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let one_line: String = text[from..to]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    redact_secrets(&one_line).chars().take(120).collect()
}

static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(://[^:/@\s]+:)([^@\s]+)@").expect("valid pattern"));
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)((?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)[\w-]*["']?\s*[=:]\s*["']?)([^\s"',}&]{4,})"#)
        .expect("valid pattern")
});

/// Redacts passwords in URLs and values of secret-named keys to at most their first four characters.
pub fn redact_secrets(text: &str) -> String {
    let text = URL_PASSWORD.replace_all(text, |c: &regex::Captures<'_>| {
        format!("{}{}@", &c[1], crate::check::redact(&c[2]))
    });
    SECRET_ASSIGNMENT
        .replace_all(&text, |c: &regex::Captures<'_>| {
            format!("{}{}", &c[1], crate::check::redact(&c[2]))
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(body: &str) -> Vec<LeakKind> {
        leaks(body).into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn finds_common_stack_traces() {
        assert_eq!(
            kinds("Traceback (most recent call last):\n  File \"app.py\""),
            vec![LeakKind::StackTrace]
        );
        assert_eq!(
            kinds("Error: boom\n    at handler (/srv/app/index.js:10:5)"),
            vec![LeakKind::StackTrace]
        );
        assert_eq!(
            kinds("goroutine 1 [running]:\nmain.main()"),
            vec![LeakKind::StackTrace]
        );
        assert_eq!(
            kinds("thread 'main' panicked at src/main.rs:3:5"),
            vec![LeakKind::StackTrace]
        );
    }

    #[test]
    fn finds_env_and_versions_but_not_plain_status() {
        assert_eq!(
            kinds("DATABASE_URL=postgres://u:p@db/app"),
            vec![LeakKind::Environment]
        );
        assert_eq!(
            kinds(r#"{"status":"ok","version":"1.4.2"}"#),
            vec![LeakKind::Version]
        );
        assert!(kinds(r#"{"status":"ok"}"#).is_empty());
        assert!(kinds("<html><body>Welcome to Acme</body></html>").is_empty());
    }

    #[test]
    fn finds_traces_inside_json_strings() {
        let body = r#"{"error":"Error: boom\n    at Socket.<anonymous> (/srv/app/node_modules/pg/lib/connection.js:134:22)"}"#;
        assert_eq!(kinds(body), vec![LeakKind::StackTrace]);
    }

    #[test]
    fn excerpts_never_show_secrets_in_full() {
        let body = r#"{"DATABASE_URL":"postgres://portal:portal-db-pass@10.0.3.7/db","api_key":"abcd1234efgh5678ijkl"}"#;
        let shown = excerpt(body, 0, body.len());
        assert!(!shown.contains("portal-db-pass"), "{shown}");
        assert!(!shown.contains("abcd1234efgh5678ijkl"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn excerpts_are_short_and_single_line() {
        let body = format!(
            "{}\nTraceback (most recent call last):\n{}",
            "x".repeat(500),
            "y".repeat(500)
        );
        let leak = &leaks(&body)[0];
        assert!(leak.excerpt.len() <= 120 && !leak.excerpt.contains('\n'));
    }
}
