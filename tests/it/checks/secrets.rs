//! The secret checks against the demo world (flawed: a key in the tree, a token only in history,
//! a key in the bundle and the served JS plus a public source map; hardened: clean) and against a
//! corpus built at test time: a git repo made commit by commit (secret added then removed, in a
//! deleted file, on a side branch, base64-encoded) and a dist/ with a multi-MB one-line bundle and
//! a source map carrying a JSON-escaped PEM key. Secrets are assembled at run time.

use std::path::Path;
use std::process::Command;

use launchready::check::{Severity, Status, Subject};
use launchready::demo::Variant;
use launchready::scorecard::{Scorecard, Verdict};

use crate::support::{audit_demo, code, launchready, run};

const IDS: [&str; 4] = [
    "secrets-tree",
    "secrets-history",
    "secrets-bundle",
    "secrets-live",
];

pub(super) fn fails<'a>(card: &'a Scorecard, id: &str) -> Vec<&'a launchready::check::Finding> {
    card.row(id)
        .unwrap()
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect()
}

#[tokio::test]
async fn flawed_demo_trips_every_secret_check() {
    let card = audit_demo(Variant::Flawed, &IDS, false).await;
    for id in IDS {
        assert_eq!(card.row(id).unwrap().verdict(), Verdict::Fail, "{id}");
    }
    let key = launchready::demo::sample_repo::stripe_live_key();
    let token = launchready::demo::sample_repo::github_token();
    let all = format!("{:?}", card.rows);
    assert!(
        !all.contains(&key) && !all.contains(&token),
        "secrets leak into findings"
    );

    let tree = fails(&card, "secrets-tree");
    assert!(tree.iter().any(|f| f.subject
        == Subject::file("sample-repo/settings.py", Some(1), Some(15))
        && f.severity == Severity::Critical));

    let history = fails(&card, "secrets-history");
    assert_eq!(history.len(), 1, "only the deleted token is history-only");
    let f = history[0];
    assert!(f.message.contains("only in git history"));
    assert!(
        f.remediation
            .as_deref()
            .unwrap()
            .starts_with("rotate: still in history")
    );
    let Subject::Commit { path, commit, .. } = &f.subject else {
        panic!("history subject is a commit: {:?}", f.subject)
    };
    assert_eq!(path, "deploy.sh");
    assert_eq!(commit.len(), 40, "the commit that added it");

    assert!(fails(&card, "secrets-bundle").iter().any(|f| {
        f.subject
            .to_string()
            .starts_with("sample-repo/dist/app.js:1:")
    }));

    let live = fails(&card, "secrets-live");
    assert!(
        live.iter()
            .any(|f| f.subject.to_string().contains("/static/app.js:1:")
                && f.severity == Severity::Critical)
    );
    assert!(live.iter().any(|f| {
        f.subject
            .to_string()
            .contains("sourcesContent: src/config.ts")
            && f.message.contains("SendGrid")
    }));
    assert!(
        live.iter()
            .any(|f| f.message.contains("source map is public"))
    );
}

#[tokio::test]
async fn hardened_demo_passes_every_secret_check() {
    let card = audit_demo(Variant::Hardened, &IDS, false).await;
    for id in IDS {
        let row = card.row(id).unwrap();
        assert_eq!(row.verdict(), Verdict::Pass, "{id}: {:#?}", row.findings);
    }
}

pub(super) fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@acme.test",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

pub(super) fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn filler(seed: u64, len: usize) -> String {
    launchready::demo::sample_repo::fake(seed, len)
}

/// The corpus: returns (dir, the secrets by role).
struct Corpus {
    dir: tempfile::TempDir,
    removed: String,
    deleted_file: String,
    side_branch: String,
    base64_inner: String,
    tree_key: String,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join(".gitignore"), "dist/\n").unwrap();
    std::fs::write(root.join("app.py"), "print('hi')\n").unwrap();
    commit(root, "init");

    let removed = format!("{}{}", concat!("sk", "_live_"), filler(1, 28));
    std::fs::write(
        root.join("app.py"),
        format!("KEY = '{removed}'\nprint('hi')\n"),
    )
    .unwrap();
    commit(root, "add key");
    std::fs::write(root.join("app.py"), "import os\nKEY = os.environ['KEY']\n").unwrap();
    commit(root, "remove key");

    let deleted_file = format!("{}{}", concat!("np", "m_"), filler(2, 36));
    std::fs::write(
        root.join(".npmrc"),
        format!("//registry.npmjs.org/:_authToken={deleted_file}\n"),
    )
    .unwrap();
    commit(root, "npmrc");
    git(root, &["rm", "-q", ".npmrc"]);
    commit(root, "drop npmrc");

    let side_branch = format!(
        "{}1234567890-1234567890-{}",
        concat!("xo", "xb-"),
        filler(3, 24)
    );
    git(root, &["checkout", "-q", "-b", "experiment"]);
    std::fs::write(
        root.join("bot.js"),
        format!("const slack = '{side_branch}';\n"),
    )
    .unwrap();
    commit(root, "bot");
    git(root, &["checkout", "-q", "main"]);

    let base64_inner = format!("{}{}", concat!("GOC", "SPX-"), filler(4, 28));
    let blob = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("client_secret: {base64_inner}\n"),
    );
    std::fs::write(root.join("k8s.yaml"), format!("data:\n  config: {blob}\n")).unwrap();
    let tree_key = format!(
        "{}{}",
        concat!("shp", "at_"),
        "0123456789abcdef0123456789abcdef"
    );
    std::fs::write(root.join("shop.rb"), format!("TOKEN = '{tree_key}'\n")).unwrap();
    std::fs::write(
        root.join("allowed.rb"),
        format!(
            "TOKEN = '{}{}' # launchready:allow\n",
            concat!("shp", "at_"),
            "fedcba9876543210fedcba9876543210"
        ),
    )
    .unwrap();
    std::fs::write(root.join(".env"), "DEBUG=1\n").unwrap();
    // The repository's own scanner config must not silence us.
    std::fs::write(
        root.join(".gitleaks.toml"),
        "[allowlist]\npaths = ['''.*''']\n",
    )
    .unwrap();
    std::fs::write(root.join(".secrets.baseline"), "{\"results\": {}}\n").unwrap();
    commit(root, "config");

    // dist/: a 3 MB one-line bundle with a key near its end, and a map with a JSON-escaped PEM.
    std::fs::create_dir_all(root.join("dist")).unwrap();
    let mut bundle = String::with_capacity(3 << 20);
    while bundle.len() < 3 << 20 {
        bundle.push_str("function a(b){return b+1};var c=\"");
        bundle.push_str(&filler(bundle.len() as u64, 20));
        bundle.push_str("\";");
    }
    let column = bundle.chars().count() + 10;
    bundle.push_str(&format!(
        "var key=\"{}{}\";",
        concat!("sk", "_live_"),
        filler(5, 30)
    ));
    std::fs::write(root.join("dist/app.js"), &bundle).unwrap();
    let body: Vec<String> = (0..10).map(|i| filler(100 + i, 64)).collect();
    let pem = format!(
        "-----BEGIN {l}-----\n{}\n-----END {l}-----\n",
        body.join("\n"),
        l = "RSA PRIVATE KEY"
    );
    let map = serde_json::json!({
        "version": 3,
        "sources": ["src/keys.ts"],
        "sourcesContent": [format!("export const key = `{pem}`;\n")],
        "mappings": "AAAA,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    });
    std::fs::write(root.join("dist/app.js.map"), map.to_string()).unwrap();
    std::fs::write(root.join("dist/column.txt"), column.to_string()).unwrap();
    Corpus {
        dir,
        removed,
        deleted_file,
        side_branch,
        base64_inner,
        tree_key,
    }
}

pub(super) async fn audit_dir(dir: &Path, extra: &str) -> Scorecard {
    audit_paths(dir, &["."], extra).await
}

/// Audits `paths` (relative to `dir`, where the config is written) with the three secrets checks.
async fn audit_paths(dir: &Path, paths: &[&str], extra: &str) -> Scorecard {
    let paths: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    let text = format!(
        "[target]\nname = \"corpus\"\nbase-url = \"https://localhost\"\n\n[secrets]\npaths = [{}]\n{extra}",
        paths.join(", ")
    );
    let path = dir.join("checks.toml");
    let target =
        launchready::config::parse(&text, &path, &std::collections::BTreeMap::new()).unwrap();
    let net = launchready::net::Net::new(&target).unwrap();
    let mut options = launchready::AuditOptions::default();
    options.run.only = IDS[..3].iter().map(|s| s.to_string()).collect();
    launchready::audit_with(launchready::check::registry::CHECKS, target, net, &options).await
}

#[tokio::test]
async fn corpus_history_tree_and_bundle() {
    let c = corpus();
    let card = audit_dir(c.dir.path(), "").await;
    let all = format!("{:?}", card.rows);
    for secret in [
        &c.removed,
        &c.deleted_file,
        &c.side_branch,
        &c.base64_inner,
        &c.tree_key,
    ] {
        assert!(
            !all.contains(secret.as_str()),
            "a secret leaks into the findings"
        );
    }

    let history = fails(&card, "secrets-history");
    let rules: Vec<String> = history.iter().map(|f| rule_of(f).to_string()).collect();
    for rule in ["stripe-secret-key", "npm-token", "slack-token"] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} in history: {rules:?}"
        );
    }
    // The deleted `.npmrc`'s `_authToken` is an npm token: one finding, by the specific rule.
    assert_eq!(
        rules.iter().filter(|r| r.starts_with("npm")).count(),
        1,
        "{rules:?}"
    );
    // Current-tree secrets are the tree check's, not reported again as history-only.
    assert!(
        !rules
            .iter()
            .any(|r| r == "shopify-token" || r == "google-oauth-client-secret")
    );
    let removed = history
        .iter()
        .find(|f| f.evidence.iter().any(|e| e.value == "stripe-secret-key"))
        .unwrap();
    let Subject::Commit { path, line, .. } = &removed.subject else {
        panic!()
    };
    assert_eq!((path.as_str(), *line), ("app.py", Some(1)));
    assert!(removed.severity == Severity::Critical);

    let tree = fails(&card, "secrets-tree");
    let subjects: Vec<String> = tree.iter().map(|f| f.subject.to_string()).collect();
    assert!(
        subjects.contains(&"shop.rb:1:10".to_string()),
        "{subjects:?}"
    );
    assert!(
        tree.iter()
            .any(|f| f.subject.to_string() == "k8s.yaml:2:11"
                && f.message.contains("base64-encoded"))
    );
    assert!(
        subjects.contains(&".env".to_string()),
        "secret-bearing file: {subjects:?}"
    );
    assert!(
        !subjects.iter().any(|s| s.starts_with("allowed.rb")),
        "inline allow"
    );
    assert!(
        !subjects.iter().any(|s| s.starts_with("dist/")),
        "dist is the bundle check's"
    );

    let bundle = fails(&card, "secrets-bundle");
    let column = std::fs::read_to_string(c.dir.path().join("dist/column.txt")).unwrap();
    let subjects: Vec<String> = bundle.iter().map(|f| f.subject.to_string()).collect();
    assert!(
        subjects.contains(&format!("dist/app.js:1:{column}")),
        "{subjects:?}"
    );
    assert!(bundle.iter().any(|f| {
        f.subject
            .to_string()
            .starts_with("dist/app.js.map (sourcesContent: src/keys.ts):1:")
            && f.message.contains("Private key")
    }));
    assert!(bundle.iter().all(|f| f.severity == Severity::Critical));
}

#[tokio::test]
async fn clean_corpus_passes() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.path().join("lib.rs"),
        "pub fn token() -> String { std::env::var(\"TOKEN\").unwrap_or_default() }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("package-lock.json"), "{\"integrity\": \"sha512-Q2ekFdyOB5hY8d5VBFWk0Hk9Cn3sRsbBlWkxhoNs8qpmMjQ3uyrRbChDpfCe4uTMs0E2JBQMZ0sHCdYUw7rk6Q==\"}\n").unwrap();
    commit(dir.path(), "clean");
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/app.js"), "console.log(1)\n").unwrap();
    let card = audit_dir(dir.path(), "").await;
    for id in &IDS[..3] {
        let row = card.row(id).unwrap();
        assert_eq!(row.verdict(), Verdict::Pass, "{id}: {:#?}", row.findings);
    }
}

#[test]
fn secrets_command_baseline_and_staged() {
    let c = corpus();
    let dir = c.dir.path();
    let out = run(launchready().args(["secrets", "-f", "json"]).arg(dir));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("secrets-history") && !json.contains(&c.tree_key));
    let sarif = run(launchready().args(["secrets", "-f", "sarif"]).arg(dir));
    assert!(!String::from_utf8_lossy(&sarif.stdout).contains(&c.tree_key));

    // A baseline accepts everything found now: the run no longer blocks.
    let baseline = dir.join("baseline.json");
    let out = run(launchready()
        .args(["baseline", "-o"])
        .arg(&baseline)
        .arg(dir));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(launchready()
        .args(["secrets", "--baseline"])
        .arg(&baseline)
        .arg(dir));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));

    // Removing a secret leaves its entry unused, and that is reported.
    std::fs::write(dir.join("shop.rb"), "TOKEN = ENV['TOKEN']\n").unwrap();
    let out = run(launchready()
        .args(["secrets", "-f", "json", "--no-history", "--baseline"])
        .arg(&baseline)
        .arg(dir));
    assert!(String::from_utf8_lossy(&out.stdout).contains("matches nothing any more"));

    // --staged reads the index, not the working tree.
    let staged_key = format!("{}{}", concat!("do", "p_v1_"), "0123456789abcdef".repeat(4));
    std::fs::write(dir.join("do.txt"), format!("{staged_key}\n")).unwrap();
    git(dir, &["add", "do.txt"]);
    std::fs::write(dir.join("do.txt"), "clean now\n").unwrap();
    let out = run(launchready()
        .args(["secrets", "--staged", "-f", "json"])
        .arg(dir));
    assert_eq!(code(&out), 1);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("digitalocean-token") && json.contains("do.txt"));
    assert!(
        !json.contains("shopify-token"),
        "only staged files are read"
    );
    git(dir, &["reset", "-q", "do.txt"]);
    let out = run(launchready().args(["secrets", "--staged"]).arg(dir));
    assert_eq!(code(&out), 0);
}

/// A baseline entry counts as unused only where the scan looked: not for a staged scan, and
/// not outside the configured paths.
#[tokio::test]
async fn unused_baseline_entries_only_where_the_scan_looked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let token = |seed| format!("{}{}", concat!("sk", "_live_"), filler(seed, 24));
    for (sub, seed) in [("a", 31), ("b", 32)] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
        std::fs::write(root.join(sub).join("key.txt"), format!("{}\n", token(seed))).unwrap();
    }
    let baseline = root.join("baseline.json");
    let out = run(launchready()
        .args(["baseline", "--no-history", "-o"])
        .arg(&baseline)
        .arg(root));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let unused = |card: &Scorecard| -> Vec<String> {
        card.row("secrets-tree")
            .unwrap()
            .findings
            .iter()
            .filter(|f| f.message.contains("matches nothing any more"))
            .map(|f| f.message.clone())
            .collect()
    };
    let extra = "history = false\nbaseline = \"baseline.json\"\n";
    let card = audit_paths(root, &["a"], extra).await;
    assert!(unused(&card).is_empty(), "{:#?}", unused(&card));
    assert_eq!(
        card.row("secrets-tree").unwrap().verdict(),
        Verdict::Accepted
    );

    std::fs::write(root.join("a/key.txt"), "gone\n").unwrap();
    let card = audit_paths(root, &["a"], extra).await;
    let found = unused(&card);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("a/key.txt"), "{found:#?}");

    // The command scanning a subdirectory shows places from the repository's top, so the
    // baseline written there still agrees with it.
    let out = run(launchready()
        .args(["secrets", "--no-history", "-f", "json", "--baseline"])
        .arg(&baseline)
        .arg(root.join("b")));
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{json}");
    assert!(json.contains("\"path\": \"b/key.txt\""), "{json}");
    assert!(!json.contains("matches nothing any more"), "{json}");

    // A staged scan reads only the index: nothing staged, nothing unused.
    let out = run(launchready()
        .args(["secrets", "--staged", "-f", "json", "--baseline"])
        .arg(&baseline)
        .arg(root));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("matches nothing any more"));
}

fn rule_of(f: &launchready::check::Finding) -> &str {
    evidence_of(f, "rule")
}

/// The value of a finding's evidence line `label`, or "" when it has none.
fn evidence_of<'a>(f: &'a launchready::check::Finding, label: &str) -> &'a str {
    f.evidence
        .iter()
        .find(|e| e.label == label)
        .map_or("", |e| e.value.as_str())
}

fn private_key(seed: u64) -> String {
    let body: Vec<String> = (0..10).map(|i| filler(seed + i, 64)).collect();
    format!(
        "-----BEGIN {l}-----\n{}\n-----END {l}-----\n",
        body.join("\n"),
        l = "RSA PRIVATE KEY"
    )
}

#[tokio::test]
async fn tree_folds_secret_file_names_into_content_findings_and_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let npm = format!("{}{}", concat!("np", "m_"), filler(20, 36));
    std::fs::write(
        root.join(".npmrc"),
        format!("//registry.npmjs.org/:_authToken={npm}\n"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("web")).unwrap();
    std::fs::write(
        root.join("web/.npmrc"),
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("certs")).unwrap();
    std::fs::write(root.join("certs/server.pem"), private_key(30)).unwrap();
    std::fs::write(
        root.join("certs/ca.pem"),
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            filler(40, 64)
        ),
    )
    .unwrap();
    std::fs::write(
        root.join(".pypirc"),
        "[pypi]\nusername = deploy\npassword = hunter2\n",
    )
    .unwrap();
    let stripe = format!("{}{}", concat!("sk", "_live_"), filler(50, 28));
    std::fs::write(
        root.join(".env.production"),
        format!("STRIPE_KEY={stripe}\n"),
    )
    .unwrap();
    // A committed link is not followed by the tree walk; named as a path of its own, it is read,
    // and every read of /proc/self/mem fails with EIO.
    std::os::unix::fs::symlink("/proc/self/mem", root.join("broken.txt")).unwrap();
    commit(root, "files");

    let card = audit_paths(root, &[".", "broken.txt"], "history = false\n").await;
    let row = card.row("secrets-tree").unwrap();
    let all = format!("{:?}", row.findings);
    assert!(!all.contains(&npm) && !all.contains(&stripe));
    let by_subject = |prefix: &str| -> Vec<&launchready::check::Finding> {
        row.findings
            .iter()
            .filter(|f| f.subject.to_string().starts_with(prefix))
            .collect()
    };
    let folded = |prefix: &str, rule: &str| {
        let found = by_subject(prefix);
        assert_eq!(found.len(), 1, "{prefix}: {found:#?}");
        assert_eq!(rule_of(found[0]), rule, "{prefix}");
        assert_eq!(found[0].status, Status::Fail);
        assert!(
            found[0].evidence.iter().any(|e| e.label == "secret-file"),
            "{prefix}: the file name is evidence of the content finding"
        );
    };
    folded(".npmrc:1:", "npm-token");
    folded("certs/server.pem:1:", "private-key");
    folded(".env.production:1:", "stripe-secret-key");
    let pypirc = by_subject(".pypirc");
    assert_eq!(pypirc.len(), 1, "{pypirc:#?}");
    assert_eq!(rule_of(pypirc[0]), "secret-file");
    assert!(
        by_subject("web/.npmrc").is_empty(),
        "an env reference holds nothing"
    );
    assert!(
        by_subject("certs/ca.pem").is_empty(),
        "a certificate is fine"
    );

    let unreadable: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Inconclusive)
        .collect();
    assert_eq!(unreadable.len(), 1, "{:#?}", row.findings);
    assert_eq!(
        unreadable[0].message,
        "1 file could not be read and was not scanned"
    );
    assert!(
        unreadable[0]
            .evidence
            .iter()
            .any(|e| e.label == "unreadable" && e.value.starts_with("broken.txt ("))
    );
    assert!(row.findings.iter().all(|f| f.status != Status::Pass));
}

/// Serves each `(path, body)` on loopback; every other path is a 404.
async fn site(routes: Vec<(&'static str, Vec<u8>)>) -> u16 {
    let mut app = axum::Router::new();
    for (path, body) in routes {
        app = app.route(
            path,
            axum::routing::get(move || {
                let body = body.clone();
                async move { body }
            }),
        );
    }
    crate::support::serve(app).await
}

async fn audit_live(port: u16) -> launchready::scorecard::Scorecard {
    let text = crate::support::loopback_target(port, "\n[secrets]\nlive = true\n");
    crate::support::audit_config(&text, &[], &["secrets-live"]).await
}

fn inline_map(sources: &[(&str, String)], mappings: &str) -> String {
    serde_json::json!({
        "version": 3,
        "sources": sources.iter().map(|s| s.0).collect::<Vec<_>>(),
        "sourcesContent": sources.iter().map(|s| s.1.clone()).collect::<Vec<_>>(),
        "mappings": mappings,
    })
    .to_string()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn live_reports_cut_and_unreachable_scripts_decodes_inline_maps_and_survives_utf8_tails() {
    let b64 = |t: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, t);
    let stripe = format!("{}{}", concat!("sk", "_live_"), filler(60, 28));
    let in_mappings = format!("{}{}", concat!("sk", "_live_"), filler(61, 28));
    let sendgrid = format!("{}{}.{}", "SG.", filler(62, 22), filler(63, 43));
    let digitalocean = format!("{}{}", concat!("do", "p_v1_"), "0123456789abcdef".repeat(4));
    let shopify = format!("{}{}", concat!("shp", "at_"), "0123456789abcdef".repeat(2));

    // 17 MiB: a key in the first part, the rest over the 16 MiB script cap.
    let mut big = format!("var k=\"{stripe}\";\n").into_bytes();
    big.resize(17 << 20, b';');
    let inline = format!(
        "console.log(1);\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,{}\n",
        b64(&inline_map(
            &[("src/pay.ts", format!("export const k = \"{sendgrid}\";\n"))],
            &format!("AAAA,{in_mappings}"),
        ))
    );
    let pct = format!(
        "console.log(2);\n//# sourceMappingURL=data:application/json,{}",
        percent_encode(&inline_map(
            &[("src/do.ts", format!("const t = '{digitalocean}';\n"))],
            "AAAA"
        ))
    );
    // 2048 bytes before the end falls inside an `é`: a str slice there panics.
    let utf8 = format!("var t=\"{shopify}\";\n//{}\n", "é".repeat(2000));
    let html = ["big", "gone", "inline", "pct", "utf8"]
        .map(|s| format!("<script src=\"/{s}.js\"></script>"))
        .join("");
    let port = site(vec![
        ("/", html.into_bytes()),
        ("/big.js", big),
        ("/inline.js", inline.into_bytes()),
        ("/pct.js", pct.into_bytes()),
        ("/utf8.js", utf8.into_bytes()),
    ])
    .await;
    let card = audit_live(port).await;
    let row = card.row("secrets-live").unwrap();
    let all = format!("{:?}", row.findings);
    for secret in [&stripe, &in_mappings, &sendgrid, &digitalocean, &shopify] {
        assert!(!all.contains(secret.as_str()), "a secret leaks: {all}");
    }
    assert!(
        row.findings.iter().all(|f| f.status != Status::Error),
        "{:#?}",
        row.findings
    );
    let has = |subject: &str, rule: &str| {
        row.findings.iter().any(|f| {
            f.status == Status::Fail
                && f.subject.to_string().contains(subject)
                && rule_of(f) == rule
        })
    };
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        has(&format!("{base}/big.js:1:8"), "stripe-secret-key"),
        "{all}"
    );
    assert!(has(
        &format!("{base}/inline.js (inline source map, sourcesContent: src/pay.ts):1:"),
        "sendgrid-api-key"
    ));
    assert!(has(
        &format!("{base}/pct.js (inline source map, sourcesContent: src/do.ts):1:"),
        "digitalocean-token"
    ));
    assert!(
        has(&format!("{base}/utf8.js:1:8"), "shopify-token"),
        "{all}"
    );
    assert!(
        !row.findings
            .iter()
            .any(|f| f.subject.to_string().contains("/inline.js")
                && rule_of(f) == "stripe-secret-key"),
        "mappings are never scanned"
    );
    assert!(row.findings.iter().any(|f| {
        f.status == Status::Fail
            && f.subject.to_string() == format!("{base}/inline.js")
            && f.message
                .contains("inline source map with 1 original sources")
    }));

    let review: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Inconclusive)
        .collect();
    assert_eq!(review.len(), 2, "{review:#?}");
    assert!(review.iter().any(|f| f.message
        == format!("only the first 16777216 bytes of {base}/big.js were scanned: the rest is over the body cap")));
    let gone = review
        .iter()
        .find(|f| {
            f.message == "1 of 5 same-origin scripts could not be fetched and were not scanned"
        })
        .expect("unreachable scripts are listed");
    assert!(
        gone.evidence
            .iter()
            .any(|e| e.value.contains(&format!("{base}/gone.js → 404")))
    );
    assert_ne!(row.verdict(), Verdict::Pass);
}

#[tokio::test]
async fn live_passes_clean_scripts_with_an_inline_map_without_sources() {
    let map = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        r#"{"version":3,"sources":["a.ts"],"mappings":"AAAA,SAASA"}"#,
    );
    let app =
        format!("console.log('é');\n//# sourceMappingURL=data:application/json;base64,{map}\n");
    let port = site(vec![
        ("/", b"<script src=\"/app.js\"></script>".to_vec()),
        ("/app.js", app.into_bytes()),
    ])
    .await;
    let card = audit_live(port).await;
    let row = card.row("secrets-live").unwrap();
    assert_eq!(row.verdict(), Verdict::Pass, "{:#?}", row.findings);
}

#[tokio::test]
async fn bundle_reads_are_bounded_failures_reported_and_next_cache_and_server_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let b64 = |t: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, t);
    let shipped = format!("{}{}", concat!("sk", "_live_"), filler(70, 28));
    let cached = format!("{}{}", concat!("sk", "_live_"), filler(71, 28));
    let server = format!("{}{}", concat!("sk", "_live_"), filler(72, 28));
    let in_mappings = format!("{}{}", concat!("sk", "_live_"), filler(73, 28));
    for sub in ["static/chunks", "cache/webpack", "server/app"] {
        std::fs::create_dir_all(root.join(".next").join(sub)).unwrap();
    }
    std::fs::write(
        root.join(".next/static/chunks/main.js"),
        format!(
            "console.log(1);\n//# sourceMappingURL=data:application/json;base64,{}\n",
            b64(&inline_map(
                &[("src/pay.ts", format!("const k = '{shipped}';\n"))],
                &format!("AAAA,{in_mappings}")
            ))
        ),
    )
    .unwrap();
    std::fs::write(
        root.join(".next/cache/webpack/0.pack"),
        format!("k='{cached}'\n"),
    )
    .unwrap();
    std::fs::write(
        root.join(".next/server/app/page.js"),
        format!("k='{server}'\n"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("dist")).unwrap();
    // Sparse: 65 MiB by size, nothing on disk.
    std::fs::File::create(root.join("dist/huge.js"))
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    // The walk does not follow a link out of dist/; named as a bundle path of its own, it is
    // read, and every read of /proc/self/mem fails with EIO.
    std::os::unix::fs::symlink("/proc/self/mem", root.join("dist/broken.js")).unwrap();
    std::fs::write(root.join("dist/ok.js"), "console.log(1)\n").unwrap();

    let card = audit_dir(
        root,
        "history = false\nbundles = [\".next\", \"dist\", \"dist/broken.js\"]\n",
    )
    .await;
    let row = card.row("secrets-bundle").unwrap();
    let all = format!("{:?}", row.findings);
    for secret in [&shipped, &cached, &server, &in_mappings] {
        assert!(!all.contains(secret.as_str()), "a secret leaks");
    }
    let fails: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert_eq!(fails.len(), 2, "{fails:#?}");
    let exposure = |f: &launchready::check::Finding| evidence_of(f, "exposure").to_string();
    let main = fails
        .iter()
        .find(|f| {
            f.subject.to_string().starts_with(
                ".next/static/chunks/main.js (inline source map, sourcesContent: src/pay.ts):1:",
            )
        })
        .expect("the inline map's source is scanned");
    assert_eq!(exposure(main), "bundle");
    let page = fails
        .iter()
        .find(|f| {
            f.subject
                .to_string()
                .starts_with(".next/server/app/page.js:1:")
        })
        .expect("server code is scanned");
    assert_eq!(
        exposure(page),
        "tree",
        "server code does not ship to browsers"
    );
    assert!(
        !all.contains(".next/cache"),
        "the webpack cache is not scanned"
    );

    let review: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.status == Status::Inconclusive)
        .collect();
    assert_eq!(review.len(), 2, "{review:#?}");
    let files = |f: &launchready::check::Finding| evidence_of(f, "files").to_string();
    let huge = review
        .iter()
        .find(|f| f.message == "1 bundle file not scanned: over the 64 MiB cap")
        .expect("oversized files are reported");
    assert_eq!(files(huge), format!("dist/huge.js ({} bytes)", 65u64 << 20));
    let broken = review
        .iter()
        .find(|f| f.message == "1 bundle file could not be read and was not scanned")
        .expect("unreadable files are reported");
    assert!(files(broken).starts_with("dist/broken.js ("));
}
