//! Engine tests: every rule family with a positive case and a false-positive trap, decoding,
//! suppression, chunk boundaries and many matches on one long line. Secrets are assembled at run
//! time so no real-looking literal sits in the repository.

use super::*;
use crate::checks::secrets::rules::{Class, base62_six, crc32};

/// Deterministic pseudo-random text from an alphabet.
fn noise(seed: u64, alphabet: &str, len: usize) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
        | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chars[(state % chars.len() as u64) as usize]
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

fn github_token(seed: u64) -> String {
    let random = noise(seed, ALNUM, 30);
    format!(
        "{}{random}{}",
        concat!("gh", "p_"),
        base62_six(crc32(random.as_bytes()))
    )
}

fn b64url(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn jwt(role: &str) -> String {
    format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(&format!(
            r#"{{"iss":"supabase","role":"{role}","exp":1999999999}}"#
        )),
        noise(7, URLSAFE, 43)
    )
}

fn pem(label: &str, seed: u64) -> String {
    let body: Vec<String> = (0..12).map(|i| noise(seed + i, ALNUM, 64)).collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

fn rules_in(text: &str) -> Vec<&'static str> {
    let (hits, _) = shared().scan_bytes(text.as_bytes());
    hits.iter().map(|h| h.rule.id).collect()
}

/// (rule id, a line holding a real-looking secret, a trap line that must stay quiet)
fn cases() -> Vec<(&'static str, String, String)> {
    let bad_github = {
        let t = github_token(1);
        format!(
            "{}{}",
            &t[..t.len() - 1],
            if t.ends_with('A') { 'B' } else { 'A' }
        )
    };
    vec![
        (
            "aws-access-key-id",
            format!("aws_key = {}{}", "AKIA", noise(2, UPPER32, 16)),
            format!("aws_key = {}IOSFODNN7{}", "AKIA", "EXAMPLE"),
        ),
        (
            "aws-secret-access-key",
            format!("aws_secret_access_key = {}", noise(3, ALNUM, 40)),
            format!("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY{}", "EXAMPLEKEY"),
        ),
        ("github-token", format!("token: {}", github_token(4)), format!("ref: {bad_github}")),
        (
            "github-fine-grained-pat",
            format!("{}{}_{}", concat!("github", "_pat_"), noise(5, ALNUM, 22), noise(6, ALNUM, 59)),
            format!("{}{}", concat!("github", "_pat_"), "11ABCDEFG_short"),
        ),
        (
            "gitlab-token",
            format!("{}{}", concat!("gl", "pat-"), noise(8, ALNUM, 20)),
            format!("{}{}", concat!("gl", "pat-"), "x".repeat(20)),
        ),
        (
            "stripe-secret-key",
            format!("{}{}", concat!("sk", "_live_"), noise(9, ALNUM, 24)),
            format!("stripe key: {}", concat!("sk", "_live_", "...")),
        ),
        (
            "stripe-test-key",
            format!("{}{}", concat!("sk", "_test_"), noise(10, ALNUM, 24)),
            format!("{}{}", concat!("sk", "_test_"), "<your-key>"),
        ),
        (
            "stripe-webhook-secret",
            format!("{}{}", concat!("wh", "sec_"), noise(11, ALNUM, 32)),
            format!("{}{}", concat!("wh", "sec_"), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ),
        (
            "stripe-publishable-key",
            format!("{}{}", concat!("pk", "_live_"), noise(12, ALNUM, 24)),
            format!("{}{}", concat!("pk", "_live_"), "short"),
        ),
        (
            "slack-token",
            format!("{}{}-{}-{}", concat!("xo", "xb-"), noise(13, "0123456789", 11), noise(14, "0123456789", 12), noise(15, ALNUM, 24)),
            format!("{}{}", concat!("xo", "xb-"), "your-token-here"),
        ),
        (
            "slack-webhook",
            format!("https://{}/services/T{}/B{}/{}", "hooks.slack.com", noise(16, UPPER32, 9), noise(17, UPPER32, 9), noise(18, ALNUM, 24)),
            format!("https://{}/services/XXX/YYY/ZZZ", "hooks.slack.com"),
        ),
        (
            "google-api-key",
            format!("key={}{}", "AIza", noise(19, URLSAFE, 35)),
            format!("key={}{}", "AIza", noise(19, URLSAFE, 20)),
        ),
        (
            "google-oauth-client-secret",
            format!("{}{}", concat!("GOC", "SPX-"), noise(20, ALNUM, 28)),
            format!("{}{}", concat!("GOC", "SPX-"), "<client-secret>"),
        ),
        (
            "gcp-service-account",
            format!(r#"{{"type": "service_account", "private_key_id": "{}"}}"#, noise(21, HEX, 40)),
            format!(r#"{{"type": "deploy_hook", "private_key_id": "{}"}}"#, noise(21, HEX, 40)),
        ),
        (
            "private-key",
            pem("RSA PRIVATE KEY", 22),
            pem("PUBLIC KEY", 22) + &pem("CERTIFICATE", 23),
        ),
        (
            "jwt",
            format!("Authorization: Bearer {}", jwt("authenticated")),
            format!("id: {}.{}.{}", "eyJ".to_string() + &noise(24, ALNUM, 20), "eyJ".to_string() + &noise(25, ALNUM, 20), noise(26, ALNUM, 20)),
        ),
        (
            "openai-api-key",
            format!("{}{}", concat!("sk-", "proj-"), noise(27, ALNUM, 48)),
            format!("{}{}", concat!("sk-", "proj-"), "x".repeat(48)),
        ),
        (
            "anthropic-api-key",
            format!("{}{}AA", concat!("sk-", "ant-api03-"), noise(28, URLSAFE, 93)),
            format!("{}{}", concat!("sk-", "ant-api03-"), "..."),
        ),
        (
            "twilio-api-key",
            format!("sid = {}{}", "SK", noise(29, HEX, 32)),
            format!("sid = {}{}", "SK", "0".repeat(32)),
        ),
        (
            "sendgrid-api-key",
            format!("{}{}.{}", "SG.", noise(30, URLSAFE, 22), noise(31, URLSAFE, 43)),
            format!("{}{}", "SG.", "example"),
        ),
        (
            "mailgun-api-key",
            format!("{}{}", concat!("ke", "y-"), noise(32, HEX, 32)),
            format!("monkey-{}", noise(32, HEX, 32)),
        ),
        (
            "mailchimp-api-key",
            format!("{}-us14", noise(33, HEX, 32)),
            format!("{}-us14", "0".repeat(32)),
        ),
        (
            "npm-token",
            format!("{}{}", concat!("np", "m_"), noise(34, ALNUM, 36)),
            format!("{}{}", concat!("np", "m_"), "x".repeat(36)),
        ),
        (
            "npmrc-auth-token",
            format!("//registry.npmjs.org/:_authToken={}", noise(35, ALNUM, 36)),
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}".to_string(),
        ),
        (
            "pypi-token",
            format!("{}{}", concat!("pypi-", "AgEIcHlwaS5vcmc"), noise(36, URLSAFE, 60)),
            format!("{}{}", concat!("pypi-", "AgEIcHlwaS5vcmc"), "short"),
        ),
        (
            "azure-storage-key",
            format!("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==", noise(37, ALNUM, 86)),
            "AccountKey=<storage-key>".to_string(),
        ),
        (
            "azure-client-secret",
            format!("client_secret {}8Q~{}", noise(38, ALNUM, 3), noise(39, ALNUM, 34)),
            format!("tilde {}8Q~{}", "abc", "short"),
        ),
        (
            "digitalocean-token",
            format!("{}{}", concat!("do", "p_v1_"), noise(40, HEX, 64)),
            format!("{}{}", concat!("do", "p_v1_"), noise(40, HEX, 63)),
        ),
        (
            "huggingface-token",
            format!("{}{}", concat!("h", "f_"), noise(41, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)),
            format!("{}{}", concat!("h", "f_"), "a".repeat(34)),
        ),
        (
            "shopify-token",
            format!("{}{}", concat!("shp", "at_"), noise(42, HEX, 32)),
            format!("{}{}", concat!("shp", "at_"), noise(42, HEX, 31)),
        ),
        (
            "discord-bot-token",
            format!(
                "{}.{}.{}",
                base64::engine::general_purpose::STANDARD_NO_PAD.encode("123456789012345678"),
                noise(43, URLSAFE, 6),
                noise(44, URLSAFE, 27)
            ),
            format!("{}.{}.{}", "M".to_string() + &noise(45, ALNUM, 23), noise(46, URLSAFE, 6), noise(47, URLSAFE, 27)),
        ),
        (
            "discord-webhook",
            format!("https://discord.com/api/webhooks/{}/{}", noise(48, "0123456789", 18), noise(49, URLSAFE, 68)),
            "https://discord.com/api/webhooks/ID/TOKEN".to_string(),
        ),
        (
            "telegram-bot-token",
            format!("{}:{}{}", noise(50, "0123456789", 10), "AA", noise(51, URLSAFE, 33)),
            format!("{}:{}", "1234", "AAshort"),
        ),
        (
            "database-url",
            format!("DATABASE_URL=postgres://app:{}@db.internal:5432/app", noise(52, ALNUM, 16)),
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app".to_string(),
        ),
        (
            "basic-auth-url",
            format!("fetch('https://deploy:{}@ci.acme.test/hook')", noise(53, ALNUM, 16)),
            "fetch('https://user:<password>@ci.acme.test/hook')".to_string(),
        ),
        (
            "sentry-dsn",
            format!("dsn: 'https://{}@o12345.ingest.sentry.io/678'", noise(54, HEX, 32)),
            "dsn: 'https://examplePublicKey@o0.ingest.sentry.io/0'".to_string(),
        ),
        (
            "generic-secret",
            format!(r#"const apiSecret = "{}";"#, noise(55, ALNUM, 20)),
            r#"password = "changeme123"; token = process.env.TOKEN; secret: "<your-key>"; api_key = "550e8400-e29b-41d4-a716-446655440000"
res.json({ token: req.headers.authorization });
this.apiKey = config.stripe.secretKey2
headers["x-api-key"] = "settings.integrations.apiKey""#.to_string(),
        ),
    ]
}

#[test]
fn every_family_finds_its_secret_and_ignores_its_trap() {
    let cases = cases();
    let families: BTreeSet<&str> = cases.iter().map(|c| c.0).collect();
    assert!(families.len() >= 25, "{} families", families.len());
    let mut problems = Vec::new();
    for (rule, positive, trap) in &cases {
        let found = rules_in(positive);
        if !found.contains(rule) {
            problems.push(format!("{rule}: not found in {positive:?}: {found:?}"));
        }
        let quiet = rules_in(trap);
        if !quiet.is_empty() {
            problems.push(format!("{rule}: trap {trap:?} matched {quiet:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

use std::collections::BTreeSet;

#[test]
fn common_false_positive_traps_stay_quiet() {
    let traps = [
        r#""integrity": "sha512-Q2ekFdyOB5hY8d5VBFWk0Hk9Cn3sRsbBlWkxhoNs8qpmMjQ3uyrRbChDpfCe4uTMs0E2JBQMZ0sHCdYUw7rk6Q==""#,
        r#"<script src="/a.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>"#,
        "commit 3f786850e387550fdab836ed7e6dc881de23001b and ab8e6a5a2c9f1b3c0d4e7f8a9b0c1d2e3f4a5b6c",
        r#"{"version":3,"mappings":"AAAA,SAASA,IAAIC,GAAG;AACpB,OAAOC,QAAQC,IAAIF,GAAG,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
        "background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
        "$2b$12$KIXQJ9u6Q1pV0cH8xWm7AOqjz8f0yYcL3mN6bQ2sT4uV5wX6yZ7aB",
        "user_id = 123e4567-e89b-12d3-a456-426614174000",
        "const token = getTokenFromHeader(request);",
        "password: ${DB_PASSWORD}",
    ];
    for trap in traps {
        assert!(
            rules_in(trap).is_empty(),
            "{trap:?} matched {:?}",
            rules_in(trap)
        );
    }
}

#[test]
fn jwt_roles_set_the_class() {
    let scanner = Scanner::new(DEFAULT_CHUNK);
    let text = format!("a={}\nb={}\n", jwt("service_role"), jwt("anon"));
    let (hits, _) = scanner.scan_bytes(text.as_bytes());
    let classes: Vec<_> = hits
        .iter()
        .filter(|h| h.rule.id == "jwt")
        .map(|h| h.accepted.class)
        .collect();
    assert_eq!(classes, vec![Class::Live, Class::Public]);
}

#[test]
fn json_escaped_pem_and_base64_blobs_are_decoded() {
    let key = pem("PRIVATE KEY", 60).replace('\n', "\\n");
    let json = format!(r#"{{"type":"service_account","private_key":"{key}"}}"#);
    assert!(rules_in(&json).contains(&"private-key"));

    let inner = format!(
        "STRIPE={}{}\n",
        concat!("sk", "_live_"),
        noise(61, ALNUM, 30)
    );
    let blob = base64::engine::general_purpose::STANDARD.encode(inner);
    let scanner = Scanner::new(DEFAULT_CHUNK);
    let (hits, _) = scanner.scan_bytes(format!("config: {blob}\n").as_bytes());
    let hit = hits
        .iter()
        .find(|h| h.rule.id == "stripe-secret-key")
        .expect("decoded");
    assert_eq!(hit.encoding, Some("base64"));
    assert_eq!((hit.line, hit.column), (1, 9));
}

#[test]
fn inline_allow_suppresses_bare_or_by_rule() {
    let key = format!("{}{}", concat!("sk", "_live_"), noise(62, ALNUM, 24));
    assert!(rules_in(&format!("k = {key} // launchready:allow\n")).is_empty());
    assert!(
        rules_in(&format!(
            "k = {key} // launchready:allow(stripe-secret-key)\n"
        ))
        .is_empty()
    );
    assert_eq!(
        rules_in(&format!("k = {key} // launchready:allow(jwt)\n")),
        vec!["stripe-secret-key"]
    );
    assert_eq!(
        rules_in(&format!("// launchready:allow\nk = {key}\n")),
        vec!["stripe-secret-key"]
    );
}

#[test]
fn a_token_split_across_a_chunk_boundary_is_found_once() {
    let chunk = 64 * 1024;
    let scanner = Scanner::new(chunk);
    let token = github_token(70);
    for shift in [1usize, 10, 20, 39] {
        let mut text = "x".repeat(chunk - shift);
        text.push(' ');
        text.push_str(&token);
        text.push('\n');
        text.push_str(&"y ".repeat(chunk));
        let (hits, stats) = scanner.scan_bytes(text.as_bytes());
        assert_eq!(hits.len(), 1, "shift {shift}");
        assert_eq!(hits[0].secret, token);
        assert_eq!(
            (hits[0].line, hits[0].column as usize),
            (1, chunk - shift + 2)
        );
        assert_eq!(stats.bytes, text.len() as u64);
    }
}

#[test]
fn two_hundred_tokens_on_one_megabyte_line_are_all_found_with_columns() {
    let scanner = Scanner::new(256 * 1024);
    let mut line = String::from("\n");
    let mut expected = Vec::new();
    let mut column = 1usize;
    for i in 0..200u64 {
        let filler = format!("var a{i}=\"{}\";", "é".repeat(2000));
        column += filler.chars().count();
        line.push_str(&filler);
        expected.push(column);
        let token = github_token(100 + i);
        column += token.chars().count() + 1;
        line.push_str(&token);
        line.push(';');
    }
    while line.len() < 1024 * 1024 {
        line.push_str("zzzzzzzz;");
    }
    let (hits, _) = scanner.scan_bytes(line.as_bytes());
    assert_eq!(hits.len(), 200);
    let columns: Vec<usize> = hits.iter().map(|h| h.column as usize).collect();
    assert_eq!(columns, expected);
    assert!(hits.iter().all(|h| h.line == 2));
}

#[test]
fn files_are_scanned_in_parallel_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..20u64 {
        let path = dir.path().join(format!("f{i:02}.txt"));
        let body = if i % 2 == 0 {
            github_token(200 + i)
        } else {
            "nothing here".into()
        };
        std::fs::write(&path, body).unwrap();
        files.push(path);
    }
    std::fs::write(dir.path().join("bin.dat"), b"\0\0ghp_binary").unwrap();
    files.push(dir.path().join("bin.dat"));
    let results = scan_files(shared(), files.clone());
    assert_eq!(
        results.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
        files
    );
    let counts: Vec<usize> = results
        .iter()
        .map(|r| r.outcome.as_ref().unwrap().0.len())
        .collect();
    let expected: Vec<usize> = (0..20)
        .map(|i| usize::from(i % 2 == 0))
        .chain([0])
        .collect();
    assert_eq!(counts, expected);
}

fn hits_in(text: &str) -> Vec<Hit> {
    Scanner::new(DEFAULT_CHUNK).scan_bytes(text.as_bytes()).0
}

#[test]
fn one_secret_is_one_finding_and_the_most_specific_rule_wins() {
    // An `.npmrc` auth token that is an npm token: the npm token, once.
    let npm = format!("{}{}", concat!("np", "m_"), noise(80, ALNUM, 36));
    assert_eq!(
        rules_in(&format!("//registry.npmjs.org/:_authToken={npm}\n")),
        vec!["npm-token"]
    );
    // The same span for a generic assignment and the AWS rule: the AWS secret key, once.
    let aws = noise(81, ALNUM, 40);
    assert_eq!(
        rules_in(&format!("SECRET_ACCESS_KEY={aws}\n")),
        vec!["aws-secret-access-key"]
    );
    // A generic assignment of a Stripe key is the Stripe key.
    let stripe = format!("{}{}", concat!("sk", "_live_"), noise(82, ALNUM, 24));
    assert_eq!(
        rules_in(&format!("const apiSecret = \"{stripe}\";\n")),
        vec!["stripe-secret-key"]
    );
    // A secret assignment whose value is a base64 blob of a secret: the decoded secret, once.
    let engine = base64::engine::general_purpose::STANDARD;
    let blob = engine.encode(format!("STRIPE={stripe}\n"));
    let hits = hits_in(&format!("secret = \"{blob}\"\n"));
    let found: Vec<_> = hits.iter().map(|h| (h.rule.id, h.encoding)).collect();
    assert_eq!(found, vec![("stripe-secret-key", Some("base64"))]);
    let inner = noise(83, ALNUM, 32);
    let blob = engine.encode(format!("password={inner}"));
    let hits = hits_in(&format!("password = \"{blob}\"\n"));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].secret, inner);
    // Two different secrets in one blob stay two.
    let two = engine.encode(format!("a={stripe}\nb={npm}\n"));
    let mut rules: Vec<_> = hits_in(&format!("config: {two}\n"))
        .iter()
        .map(|h| h.rule.id)
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, vec!["npm-token", "stripe-secret-key"]);
}

#[test]
fn a_google_key_near_the_word_firebase_is_not_a_firebase_key() {
    let key = format!("{}{}", "AIza", noise(84, URLSAFE, 35));
    let class = |text: String| {
        let hits = hits_in(&text);
        assert_eq!(hits.len(), 1, "{text}: {hits:?}");
        hits[0].accepted.class
    };
    // Flawed: a server key that merely sits near the word.
    assert_eq!(
        class(format!(
            "import firebase from 'firebase/app';\nconst geminiKey = \"{key}\";\n"
        )),
        Class::Sensitive
    );
    assert_eq!(
        class(format!(
            "const maps = {{ apiKey: \"{key}\" }};\nconst firebaseConfig = {{ authDomain: \"acme.firebaseapp.com\" }};\n"
        )),
        Class::Sensitive
    );
    // Hardened: a Firebase web config, in an object or by name.
    assert_eq!(
        class(format!(
            "const firebaseConfig = {{\n  apiKey: \"{key}\",\n  authDomain: \"acme.firebaseapp.com\",\n}};\n"
        )),
        Class::Public
    );
    assert_eq!(
        class(format!("NEXT_PUBLIC_FIREBASE_API_KEY={key}\n")),
        Class::Public
    );
}

#[test]
fn a_sentry_dsn_with_a_sixteen_digit_org_id_is_found() {
    let dsn = format!(
        "https://{}@o4505281256090153.ingest.us.sentry.io/4505281256090153",
        noise(85, HEX, 32)
    );
    let hits = hits_in(&format!("Sentry.init({{ dsn: \"{dsn}\" }});\n"));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].rule.id, "sentry-dsn");
    assert_eq!(hits[0].accepted.class, Class::Public);
}

#[test]
fn a_jwt_longer_than_its_window_is_reported_whole() {
    let claims: Vec<String> = (0..250)
        .map(|i| format!(r#""scope{i}":"read:{i:08}""#))
        .collect();
    let token = format!(
        "{}.{}.{}Fake{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(&format!(
            r#"{{"role":"authenticated",{}}}"#,
            claims.join(",")
        )),
        // A long signature holds a stopword by chance; a JWT is judged on what it decodes to.
        noise(91, URLSAFE, 20),
        noise(92, URLSAFE, 20)
    );
    assert!(token.len() > 6000);
    let hits = hits_in(&format!("const t = \"{token}\";\n"));
    assert_eq!(
        hits.len(),
        1,
        "{:?}",
        hits.iter().map(|h| h.rule.id).collect::<Vec<_>>()
    );
    assert_eq!(hits[0].rule.id, "jwt");
    assert_eq!(hits[0].secret, token, "the whole token, not a cut prefix");
}

#[test]
fn a_pgp_private_key_block_is_found_and_a_public_one_is_not() {
    let armor = |label: &str| {
        let body: Vec<String> = (0..10).map(|i| noise(300 + i, ALNUM, 64)).collect();
        format!(
            "-----BEGIN {label}-----\nComment: Release key <ops@acme.test> (2026)\n\n{}\n={}\n-----END {label}-----\n",
            body.join("\n"),
            noise(310, ALNUM, 4)
        )
    };
    let hits = hits_in(&armor("PGP PRIVATE KEY BLOCK"));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].rule.id, "private-key");
    assert_eq!(
        hits[0].accepted.note.as_deref(),
        Some("PGP PRIVATE KEY BLOCK")
    );
    assert!(rules_in(&armor("PGP PUBLIC KEY BLOCK")).is_empty());
}

#[test]
fn escaped_private_keys_are_found_at_their_begin_line_as_the_key_itself() {
    let key = pem("RSA PRIVATE KEY", 320);
    let plain = hits_in(&key);
    assert_eq!(plain.len(), 1);
    let escape = |text: &str| {
        text.replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('"', "\\\"")
    };
    let once = escape(&key).replace('/', "\\/").replace('+', "\\u002B");
    let twice = escape(&escape(&key));
    let cases = [
        // A JSON file, `/` and `+` escaped as PHP and some encoders write them.
        (
            format!("{{\n  \"név\": \"é\", \"key\": \"{once}\"\n}}\n"),
            2,
            23,
        ),
        // A JSON string holding JSON (escaped twice), in a JavaScript file.
        (
            format!("// ünïcode\nconst cfg = \"{{\\\"private_key\\\": \\\"{twice}\\\"}}\";\n"),
            2,
            34,
        ),
    ];
    for (text, line, column) in cases {
        let hits = hits_in(&text);
        let keys: Vec<_> = hits.iter().filter(|h| h.rule.id == "private-key").collect();
        assert_eq!(keys.len(), 1, "{text}: {hits:?}");
        assert_eq!((keys[0].line, keys[0].column), (line, column), "{text}");
        assert_eq!(keys[0].secret, plain[0].secret, "the unescaped key");
        let begin = text.find("-----BEGIN").unwrap() as u64;
        assert_eq!(keys[0].offset, begin);
    }
}

use proptest::strategy::Strategy as _;

/// Fragments that steer the scanner into its decoding and boundary paths.
const HOSTILE: &[&str] = &[
    "-----BEGIN RSA PRIVATE KEY-----\\",
    "-----BEGIN PGP PRIVATE KEY BLOCK-----",
    "-----END RSA PRIVATE KEY-----",
    "\\n",
    "\\\\n",
    "\\u00",
    "\\x",
    "\\",
    "\"",
    "é",
    "\u{10348}",
    "AIza",
    "apiKey: ",
    "{",
    "}",
    "eyJ",
    "sk_live_",
    "https://a:b@",
    "sentry.io",
    "=",
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIzNA",
    "launchready:allow(",
];

proptest::proptest! {
    #[test]
    fn hostile_input_never_panics(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(HOSTILE).prop_map(str::to_string),
                "[A-Za-z0-9+/=_.-]{0,80}",
                proptest::arbitrary::any::<String>(),
            ],
            0..40,
        ),
        cut in 0usize..8,
    ) {
        let text = parts.concat();
        let bytes = text.as_bytes();
        let bytes = &bytes[..bytes.len().saturating_sub(cut)];
        let _ = shared().scan_bytes(bytes);
        let _ = crate::checks::secrets::live::map_comment(bytes);
        let _ = crate::checks::secrets::live::decode_data_url(&text);
        let _ = crate::checks::secrets::sources::scan_maybe_map(shared(), "a.js", bytes);
        let _ = rules::holds_secret(".npmrc", bytes);
        let _ = rules::holds_secret("k.pem", bytes);
    }
}
