//! The rule catalogue: one entry per secret family, with the keywords that prefilter it, the
//! regex run on a window around each keyword hit, and the structural validation that weeds out
//! look-alikes (checksums, decoding, framing, entropy, placeholders).

use base64::Engine as _;

/// How dangerous a secret of this kind is before its exposure is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Public by design (publishable keys, DSNs, anon keys): informational.
    Public,
    /// A test-mode key: low.
    Test,
    /// A heuristic match (generic assignment): worth a look.
    Generic,
    /// A credential whose value grants access (passwords in URLs, webhooks, unknown JWTs).
    Sensitive,
    /// A production secret key: rotate it.
    Live,
}

/// Structural validation applied after the regex matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validate {
    /// Only the entropy floor and placeholder stopwords.
    Plain,
    /// GitHub's CRC32 checksum in the last six base62 characters.
    GithubCrc,
    /// A JWT: header and payload decode to JSON; the payload role sets the class.
    Jwt,
    /// PEM framing: BEGIN and END labels agree, the body is long enough base64.
    Pem,
    /// A Google API key: public by design when the window shows a Firebase web config.
    GoogleKey,
    /// A GCP service-account JSON: the window must name `service_account`.
    ServiceAccount,
    /// A Discord bot token: the first segment is the base64 of a numeric id.
    DiscordId,
    /// A password in a URL: placeholder passwords and example hosts are ignored.
    UrlPassword,
    /// A generic `name = "value"` assignment: entropy floor, stopwords, no known hash formats.
    Assignment,
}

/// One secret family.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, shown in findings and keyed in the baseline.
    pub id: &'static str,
    /// What the secret is, for messages.
    pub title: &'static str,
    /// Lowercase keywords; a hit of any (ASCII case-insensitive) runs the regex around it.
    /// Empty: the rule runs on the whole input through the keyword-less regex set.
    pub keywords: &'static [&'static str],
    /// The regex; the secret is the group named `secret`, else group 1, else the whole match.
    pub pattern: &'static str,
    /// Bytes before a keyword hit where a match may start.
    pub before: usize,
    /// Bytes after a keyword hit where a match may end.
    pub after: usize,
    /// Base class before validation.
    pub class: Class,
    /// Validation.
    pub validate: Validate,
    /// Minimum Shannon entropy (bits per character) of the secret.
    pub min_entropy: f64,
    /// How specific the rule is, from 0 (a generic assignment) to 3 (a token format of its own):
    /// when two rules match the same secret, only the more specific one reports it.
    pub rank: u8,
}

const fn rule(
    id: &'static str,
    title: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
    class: Class,
) -> Rule {
    Rule {
        id,
        title,
        keywords,
        pattern,
        before: 16,
        after: 256,
        class,
        validate: Validate::Plain,
        min_entropy: 3.0,
        rank: 3,
    }
}

impl Rule {
    const fn validate(mut self, validate: Validate) -> Self {
        self.validate = validate;
        self
    }
    const fn window(mut self, before: usize, after: usize) -> Self {
        self.before = before;
        self.after = after;
        self
    }
    const fn entropy(mut self, min: f64) -> Self {
        self.min_entropy = min;
        self
    }
    const fn rank(mut self, rank: u8) -> Self {
        self.rank = rank;
        self
    }
}

/// The id of the path-based rule for secret-bearing files.
pub const SECRET_FILE_RULE: &str = "secret-file";

/// Every rule, in report order.
pub static RULES: &[Rule] = &[
    rule(
        "aws-access-key-id",
        "AWS access key id",
        &["akia", "asia", "abia", "acca"],
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        Class::Live,
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        &["secret_access_key", "secretaccesskey", "secret-access-key"],
        r#"(?i:secret_?access_?key|secret-access-key)["']?\s*[:=]\s*["']?(?-i:([A-Za-z0-9/+]{40}))(?:[^A-Za-z0-9/+=]|$)"#,
        Class::Live,
    )
    .window(64, 128)
    .entropy(4.0)
    .rank(2),
    rule(
        "github-token",
        "GitHub token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        r"\b(gh[pousr]_[A-Za-z0-9]{36})\b",
        Class::Live,
    )
    .validate(Validate::GithubCrc),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        &["github_pat_"],
        r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
        Class::Live,
    ),
    rule(
        "gitlab-token",
        "GitLab token",
        &["glpat-", "gldt-", "glrt-", "glptt-"],
        r"\b((?:glpat|gldt|glrt|glptt)-[A-Za-z0-9_.\-]{20,64})\b",
        Class::Live,
    ),
    rule(
        "stripe-secret-key",
        "Stripe live secret key",
        &["sk_live_", "rk_live_"],
        r"\b((?:sk|rk)_live_[A-Za-z0-9]{24,99})\b",
        Class::Live,
    ),
    rule(
        "stripe-test-key",
        "Stripe test-mode secret key",
        &["sk_test_", "rk_test_"],
        r"\b((?:sk|rk)_test_[A-Za-z0-9]{24,99})\b",
        Class::Test,
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        &["whsec_"],
        r"\b(whsec_[A-Za-z0-9+/]{32,88})",
        Class::Sensitive,
    ),
    rule(
        "stripe-publishable-key",
        "Stripe publishable key (public by design)",
        &["pk_live_"],
        r"\b(pk_live_[A-Za-z0-9]{24,99})\b",
        Class::Public,
    ),
    rule(
        "slack-token",
        "Slack token",
        &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"],
        r"\b(xox[bparse]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,34})\b",
        Class::Live,
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        &["hooks.slack.com"],
        r"(https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})",
        Class::Sensitive,
    )
    .window(16, 160),
    rule(
        "google-api-key",
        "Google API key",
        &["aiza"],
        r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
        Class::Sensitive,
    )
    .validate(Validate::GoogleKey),
    rule(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        &["gocspx-"],
        r"\b(GOCSPX-[A-Za-z0-9_\-]{28})(?:[^A-Za-z0-9_\-]|$)",
        Class::Live,
    ),
    rule(
        "gcp-service-account",
        "GCP service-account key file",
        &["private_key_id"],
        r#"(?:\\?")private_key_id(?:\\?")\s*:\s*(?:\\?")([a-f0-9]{40})(?:\\?")"#,
        Class::Live,
    )
    .validate(Validate::ServiceAccount)
    .window(8, 96)
    .rank(2),
    rule(
        "private-key",
        "Private key (PEM)",
        &["private key-----", "private key block-----"],
        r"(-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----(?:\\r|\\n|[\r\n\t ])+[A-Za-z0-9+/=\r\n\t \\:,.@<>()_'\-]{64,}?-----END ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----)",
        Class::Live,
    )
    .validate(Validate::Pem)
    .window(48, 12_100)
    .entropy(0.0),
    rule(
        "jwt",
        "JSON Web Token",
        &["eyj"],
        r"\b(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})",
        Class::Sensitive,
    )
    .validate(Validate::Jwt)
    .window(4, 4096),
    rule(
        "openai-api-key",
        "OpenAI API key",
        &["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"],
        r"\b(sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}))(?:[^A-Za-z0-9_\-]|$)",
        Class::Live,
    )
    .window(32, 256)
    .entropy(3.5),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        &["sk-ant-"],
        r"\b(sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{80,100}AA)(?:[^A-Za-z0-9_\-]|$)",
        Class::Live,
    ),
    rule(
        "twilio-api-key",
        "Twilio API key SID",
        &[],
        r"\b(SK[0-9a-f]{32})\b",
        Class::Live,
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        &["sg."],
        r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
        Class::Live,
    ),
    rule(
        "mailgun-api-key",
        "Mailgun API key",
        &["key-"],
        r"\b(key-[0-9a-f]{32})\b",
        Class::Live,
    ),
    rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        &["-us"],
        r"\b([0-9a-f]{32}-us[0-9]{1,2})\b",
        Class::Live,
    )
    .window(40, 8),
    rule(
        "npm-token",
        "npm access token",
        &["npm_"],
        r"\b(npm_[A-Za-z0-9]{36})\b",
        Class::Live,
    ),
    rule(
        "npmrc-auth-token",
        "npm registry auth token (.npmrc)",
        &["_authtoken"],
        r#"_authToken\s*=\s*["']?([^\s"'$]{16,200})"#,
        Class::Live,
    )
    .rank(2),
    rule(
        "pypi-token",
        "PyPI upload token",
        &["pypi-ageich"],
        r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,200})",
        Class::Live,
    ),
    rule(
        "azure-storage-key",
        "Azure storage account key",
        &["accountkey="],
        r"AccountKey=([A-Za-z0-9+/]{86}==)",
        Class::Live,
    )
    .rank(2),
    rule(
        "azure-client-secret",
        "Azure AD client secret",
        &["q~"],
        r"(?:^|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)",
        Class::Sensitive,
    )
    .window(8, 48)
    .entropy(3.5),
    rule(
        "digitalocean-token",
        "DigitalOcean token",
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\b(do[por]_v1_[a-f0-9]{64})\b",
        Class::Live,
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token",
        &["hf_"],
        r"\b(hf_[A-Za-z]{34})\b",
        Class::Live,
    )
    .entropy(3.5),
    rule(
        "shopify-token",
        "Shopify access token",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
        Class::Live,
    ),
    rule(
        "discord-bot-token",
        "Discord bot token",
        &[],
        r"\b([MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})\b",
        Class::Live,
    )
    .validate(Validate::DiscordId),
    rule(
        "discord-webhook",
        "Discord webhook URL",
        &["/api/webhooks/"],
        r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})",
        Class::Sensitive,
    )
    .window(40, 120),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        &[":aa"],
        r"\b([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})(?:[^0-9A-Za-z_\-]|$)",
        Class::Live,
    ),
    rule(
        "database-url",
        "Database URL with a password",
        &["://"],
        r#"\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^\s:@/"'`<>]{1,64}:(?P<secret>[^\s@/"'`<>]{3,128})@[A-Za-z0-9.\-_\[\]]+)"#,
        Class::Sensitive,
    )
    .validate(Validate::UrlPassword)
    .window(24, 256)
    .entropy(0.0)
    .rank(1),
    rule(
        "basic-auth-url",
        "Credentials in an http(s) URL",
        &["://"],
        r#"\b(https?://[^\s:@/"'`<>]{1,64}:(?P<secret>[^\s@/"'`<>]{3,128})@[A-Za-z0-9.\-]+)"#,
        Class::Sensitive,
    )
    .validate(Validate::UrlPassword)
    .window(8, 256)
    .entropy(0.0)
    .rank(1),
    rule(
        "sentry-dsn",
        "Sentry DSN (public by design)",
        &["sentry.io"],
        r"(https://(?P<secret>[a-f0-9]{32})@o?[0-9]+\.ingest(?:\.[a-z]{2})?\.sentry\.io/[0-9]+)",
        Class::Public,
    )
    // The match starts up to 8 + 32 + 1 + 21 + 8 + 4 bytes before `sentry.io`: current org ids
    // (`o4505…`) have 16 digits or more, which a 64-byte look-back cut off.
    .window(128, 64),
    rule(
        "generic-secret",
        "Hard-coded secret assignment",
        &[
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "api_key",
            "api-key",
            "access_key",
            "accesskey",
        ],
        r#"(?i:[A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api_?key|api-key|access_?key)[A-Za-z0-9_.\-]*)["']?\s*(?::=|=>|=|:)\s*(?:["'`](?P<secret>[^"'`\s$]{8,200})["'`]|(?P<bare>[A-Za-z0-9+/_\-!@#%^&*.~]{12,200})(?:\s|$))"#,
        Class::Generic,
    )
    .validate(Validate::Assignment)
    .window(64, 240)
    .entropy(3.3)
    .rank(0),
];

/// Words that mark a value as a placeholder or documentation example.
const PLACEHOLDERS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your",
    "xxxx",
    "****",
    "....",
    "dummy",
    "sample",
    "redacted",
    "process.env",
    "${",
    "{{",
    "<",
    "insert",
    "replace",
    "todo",
    "fixme",
    "notreal",
    "not_real",
    "fake",
];

/// What validation decided for one regex match.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The class after validation (a JWT's role, a Firebase key…).
    pub class: Class,
    /// True when a checksum or decoding proved the format.
    pub proven: bool,
    /// A detail worth showing (JWT role, PEM label).
    pub note: Option<String>,
}

/// Shannon entropy of `s` in bits per character.
pub fn entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// True when the value reads like a placeholder or documentation example.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|w| lower.contains(w))
        || value
            .bytes()
            .all(|b| b == value.as_bytes().first().copied().unwrap_or(0))
}

/// Decides whether a regex match is a real secret of this rule.
///
/// `context` is the text around the match, for rules that look around the token; the match
/// starts at byte `at` of it.
pub fn accept(rule: &Rule, secret: &str, context: &[u8], at: usize) -> Option<Accepted> {
    let keep = |class: Class, proven: bool| {
        Some(Accepted {
            class,
            proven,
            note: None,
        })
    };
    // A decoded format is judged on what it decodes to: a long base64 token holds `your` or
    // `fake` by chance.
    if !matches!(rule.validate, Validate::Pem | Validate::Jwt) && is_placeholder(secret) {
        return None;
    }
    if entropy(secret) < rule.min_entropy {
        return None;
    }
    match rule.validate {
        Validate::Plain => keep(rule.class, false),
        Validate::GithubCrc => github_checksum_ok(secret).then_some(Accepted {
            class: rule.class,
            proven: true,
            note: None,
        }),
        Validate::Jwt => judge_jwt(secret),
        Validate::Pem => judge_pem(secret),
        Validate::GoogleKey => {
            if is_firebase_web_key(context, at.min(context.len())) {
                Some(Accepted {
                    class: Class::Public,
                    proven: false,
                    note: Some("Firebase web config key".into()),
                })
            } else {
                keep(rule.class, false)
            }
        }
        Validate::ServiceAccount => {
            let window = String::from_utf8_lossy(context);
            window.contains("service_account").then_some(Accepted {
                class: rule.class,
                proven: true,
                note: None,
            })
        }
        Validate::DiscordId => {
            let first = secret.split('.').next().unwrap_or_default();
            let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(first.trim_end_matches('='))
                .ok()?;
            (decoded.len() >= 17 && decoded.iter().all(u8::is_ascii_digit)).then_some(Accepted {
                class: rule.class,
                proven: true,
                note: None,
            })
        }
        Validate::UrlPassword => {
            let lower = secret.to_ascii_lowercase();
            let weak = [
                "password", "pass", "passwd", "pwd", "secret", "user", "root",
            ];
            if weak.contains(&lower.as_str()) || lower.starts_with('$') || lower.starts_with('%') {
                return None;
            }
            keep(rule.class, false)
        }
        Validate::Assignment => judge_assignment(secret),
    }
}

/// True when the Google key at `at` of `context` is a Firebase web config's `apiKey`: assigned to
/// a name that says Firebase (`FIREBASE_API_KEY=`, `firebaseApiKey:`), or the `apiKey` of the
/// object literal around it that also holds `authDomain`, `messagingSenderId` or a
/// `firebaseapp.com` host. The word "firebase" merely nearby proves nothing.
fn is_firebase_web_key(context: &[u8], at: usize) -> bool {
    let before = &context[..at];
    let name = assigned_name(before).to_ascii_lowercase();
    if name.contains("firebase") {
        return true;
    }
    if !matches!(name.as_str(), "apikey" | "api_key") {
        return false;
    }
    let open = before.iter().rposition(|&b| b == b'{' || b == b'}');
    let Some(open) = open.filter(|&i| before[i] == b'{') else {
        return false;
    };
    let rest = &context[at..];
    let close = rest.iter().position(|&b| b == b'{' || b == b'}');
    let Some(close) = close.filter(|&i| rest[i] == b'}') else {
        return false;
    };
    let object = String::from_utf8_lossy(&context[open..at + close]).to_ascii_lowercase();
    ["authdomain", "messagingsenderid", "firebaseapp.com"]
        .iter()
        .any(|marker| object.contains(marker))
}

/// The identifier a value is assigned to, read backwards over `name = "`, `"name": '`,
/// `name: ` and the like; empty when the value is not assigned.
fn assigned_name(before: &[u8]) -> String {
    let skip = |bytes: &[u8], set: &[u8]| {
        bytes.len() - bytes.iter().rev().take_while(|b| set.contains(b)).count()
    };
    let end = skip(before, b" \t\"'`");
    let Some((&op, head)) = before[..end].split_last() else {
        return String::new();
    };
    if op != b'=' && op != b':' {
        return String::new();
    }
    let head = &head[..skip(head, b" \t\"'`")];
    let start = head
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.'))
        .map_or(0, |i| i + 1);
    String::from_utf8_lossy(&head[start..]).into_owned()
}

fn judge_assignment(value: &str) -> Option<Accepted> {
    let is_uuid = value.len() == 36
        && value.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let hash_prefix = ["sha1-", "sha256-", "sha384-", "sha512-", "data:", "http"];
    let lower = value.to_ascii_lowercase();
    if is_uuid || hash_prefix.iter().any(|p| lower.starts_with(p)) {
        return None;
    }
    // A value needs letters and digits (or symbols): identifiers like `getTokenFromHeader` are code.
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = value.bytes().any(|b| b.is_ascii_alphabetic());
    let has_symbol = value.bytes().any(|b| b.is_ascii_punctuation());
    if !(has_alpha && (has_digit || has_symbol)) {
        return None;
    }
    if value.contains('(') || value.contains(")") || value.ends_with(';') || is_member_path(value) {
        return None;
    }
    Some(Accepted {
        class: Class::Generic,
        proven: false,
        note: None,
    })
}

/// True for a dotted chain of identifiers (`req.headers.authorization`, `config.stripe.key`): code
/// that reads a value, or a settings path, not a value.
fn is_member_path(value: &str) -> bool {
    let mut segments = 0;
    let all_identifiers = value.split('.').all(|segment| {
        segments += 1;
        let mut bytes = segment.bytes();
        bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
    });
    all_identifiers && segments >= 2
}

fn judge_jwt(token: &str) -> Option<Accepted> {
    let mut parts = token.split('.');
    let (header, payload) = (parts.next()?, parts.next()?);
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: serde_json::Value =
        serde_json::from_slice(&engine.decode(header.trim_end_matches('=')).ok()?).ok()?;
    header.get("alg")?;
    let payload: serde_json::Value =
        serde_json::from_slice(&engine.decode(payload.trim_end_matches('=')).ok()?).ok()?;
    let role = payload
        .get("role")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    let (class, note) = match role {
        "service_role" => (
            Class::Live,
            "role service_role (bypasses row-level security)",
        ),
        "anon" => (Class::Public, "role anon (public by design)"),
        _ => (Class::Sensitive, "decodes as a signed JWT"),
    };
    Some(Accepted {
        class,
        proven: true,
        note: Some(note.into()),
    })
}

fn judge_pem(block: &str) -> Option<Accepted> {
    let label = |marker: &str| -> Option<String> {
        let rest = &block[block.find(marker)? + marker.len()..];
        Some(rest[..rest.find("-----")?].to_string())
    };
    let begin = label("-----BEGIN ")?;
    let end = label("-----END ")?;
    if begin != end {
        return None;
    }
    let body_start = block.find(&begin)? + begin.len() + 5;
    let body_end = block.rfind("-----END ")?;
    let body = block
        .get(body_start..body_end)?
        .replace("\\n", "")
        .replace("\\r", "");
    let base64_chars = body
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count();
    (base64_chars >= 64 && entropy(&body) >= 4.0).then_some(Accepted {
        class: Class::Live,
        proven: true,
        note: Some(begin),
    })
}

/// CRC-32 (IEEE), as GitHub uses for its token checksums.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Base62 with GitHub's alphabet, left-padded with `0` to six characters.
pub fn base62_six(mut value: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when the token's last six characters are the base62 CRC32 of its first 30 random ones.
pub fn github_checksum_ok(token: &str) -> bool {
    let Some((_, body)) = token.split_once('_') else {
        return false;
    };
    if body.len() != 36 {
        return false;
    }
    let (random, checksum) = body.split_at(30);
    base62_six(crc32(random.as_bytes())) == checksum
}

/// Secret-bearing files by name alone (the path rule): `.env`, `.netrc`, `id_rsa`, `*.tfstate`…;
/// `.env.example` and friends are templates. Names whose content decides (`.npmrc`, `.pypirc`,
/// `*.pem`, `*.key`) are [`SecretFile::ByContent`] of [`secret_file`], not listed here.
pub fn is_secret_file(path: &str) -> bool {
    secret_file(path) == Some(SecretFile::ByName)
}

/// Why a file name may hold a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretFile {
    /// The name alone says so (`.env`, `id_rsa`, `*.tfstate`…).
    ByName,
    /// Only when the content holds one: see [`holds_secret`].
    ByContent,
}

/// The secret-bearing kind of a file name, or `None` for an ordinary file or a template.
pub fn secret_file(path: &str) -> Option<SecretFile> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let templates = [".example", ".sample", ".template", ".dist", ".defaults"];
    if templates.iter().any(|t| lower.ends_with(t)) {
        return None;
    }
    let by_name = matches!(
        lower.as_str(),
        ".env" | ".netrc" | "_netrc" | "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | ".pgpass"
    ) || lower.starts_with(".env.")
        || lower.ends_with(".tfstate")
        || lower.ends_with(".tfstate.backup")
        || lower.ends_with(".p12")
        || lower.ends_with(".pfx")
        || lower.ends_with(".jks")
        || lower.ends_with(".keystore");
    let by_content = matches!(lower.as_str(), ".npmrc" | ".pypirc")
        || lower.ends_with(".pem")
        || lower.ends_with(".key");
    if by_name {
        Some(SecretFile::ByName)
    } else if by_content {
        Some(SecretFile::ByContent)
    } else {
        None
    }
}

/// True when a [`SecretFile::ByContent`] file holds a secret: an `.npmrc` with an `_authToken`,
/// `_auth` or `_password` value, a `.pypirc` with a `password`, a `.pem` or `.key` that frames a
/// private key (a certificate or a public key is fine). Values that are `${VAR}` references
/// hold nothing.
pub fn holds_secret(path: &str, content: &[u8]) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let text = String::from_utf8_lossy(content);
    let values = |separators: &[char], wanted: &dyn Fn(&str) -> bool| {
        text.lines().any(|line| {
            let line = line.trim();
            if line.starts_with('#') || line.starts_with(';') {
                return false;
            }
            let Some((key, value)) = line.split_once(separators) else {
                return false;
            };
            let value = value.trim().trim_matches(['"', '\'']);
            wanted(&key.trim().to_ascii_lowercase())
                && !value.is_empty()
                && !value.starts_with("${")
                && !value.starts_with("%(")
        })
    };
    match name.as_str() {
        ".npmrc" => values(&['='], &|key| {
            ["_authtoken", "_auth", "_password"]
                .iter()
                .any(|k| key == *k || key.ends_with(&format!(":{k}")))
        }),
        ".pypirc" => values(&['=', ':'], &|key| key == "password"),
        _ => text.split("-----BEGIN ").skip(1).any(|rest| {
            rest.split("-----").next().is_some_and(|label| {
                label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK")
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_reference_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn entropy_orders_random_above_repetitive() {
        assert!(entropy("aaaaaaaaaaaa") < 0.1);
        assert!(entropy("q8Zr2LmT7vXw") > 3.3);
    }

    #[test]
    fn secret_files_are_named_and_templates_are_not() {
        for path in [
            ".env",
            "app/.env.production",
            "infra/terraform.tfstate",
            "id_rsa",
        ] {
            assert!(is_secret_file(path), "{path}");
        }
        for path in [".env.example", "id_rsa.pub", "src/env.rs", ".env.sample"] {
            assert!(!is_secret_file(path), "{path}");
        }
    }

    #[test]
    fn content_decides_for_npmrc_pypirc_pem_and_key_files() {
        let token = format!(
            "{}{}",
            concat!("np", "m_"),
            "q8Zr2LmT7vXwq8Zr2LmT7vXwq8Zr2LmT7vXw"
        );
        let key = format!(
            "-----BEGIN {l}-----\nMIIB\n-----END {l}-----\n",
            l = "PRIVATE KEY"
        );
        let cases: [(&str, String, bool); 11] = [
            (
                ".npmrc",
                format!("//registry.npmjs.org/:_authToken={token}\n"),
                true,
            ),
            ("web/.npmrc", "_auth=dXNlcjpwYXNz\n".into(), true),
            (
                ".npmrc",
                "//npm.acme.test/:_password=aHVudGVy\n".into(),
                true,
            ),
            (
                ".npmrc",
                "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".into(),
                false,
            ),
            (
                ".npmrc",
                "registry=https://npm.acme.test/\nsave-exact=true\n".into(),
                false,
            ),
            (
                ".pypirc",
                "[pypi]\nusername = __token__\npassword = pypi-abc\n".into(),
                true,
            ),
            (".pypirc", "[pypi]\nusername = __token__\n".into(), false),
            ("certs/server.key", key.clone(), true),
            (
                "tls.pem",
                format!(
                    "{}{key}",
                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                ),
                true,
            ),
            (
                "tls.pem",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
                false,
            ),
            (
                "pub.pem",
                "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
                false,
            ),
        ];
        for (path, content, secret) in cases {
            assert_eq!(secret_file(path), Some(SecretFile::ByContent), "{path}");
            assert!(!is_secret_file(path), "{path} is not secret by name alone");
            assert_eq!(
                holds_secret(path, content.as_bytes()),
                secret,
                "{path}: {content}"
            );
        }
        assert_eq!(secret_file(".npmrc.example"), None);
        assert_eq!(secret_file("src/key.rs"), None);
        assert_eq!(secret_file("id_ed25519"), Some(SecretFile::ByName));
    }

    #[test]
    fn rule_ids_are_unique() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        assert!(RULES.len() >= 25);
    }
}
