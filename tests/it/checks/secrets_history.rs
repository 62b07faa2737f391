//! `secrets-history` attribution and the working-tree boundary, on repositories built commit by
//! commit at test time: a secret held by two blobs is reported once, at the oldest commit; a
//! secret deleted from the working tree but still in HEAD is history-only; one the working tree
//! still holds (even untracked) is the tree check's; file names that are not UTF-8 or hold a
//! newline are still read, from the tree, the history and the index; a committed symlink out of
//! the repository is not followed.

use std::path::Path;
use std::process::Command;

use launchready::check::{Severity, Subject};

use super::secrets::{audit_dir, commit, fails, git};
use crate::support::{code, launchready, run};

fn stripe_key(seed: u64) -> String {
    format!(
        "{}{}",
        concat!("sk", "_live_"),
        launchready::demo::sample_repo::fake(seed, 28)
    )
}

fn head(dir: &Path) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("README"), "hello\n").unwrap();
    commit(dir.path(), "init");
    dir
}

/// The history findings' (rule, commit, path) for the repository at `dir`.
async fn history_of(dir: &Path) -> Vec<(String, String, String, Severity)> {
    let card = audit_dir(dir, "").await;
    fails(&card, "secrets-history")
        .into_iter()
        .map(|f| {
            let Subject::Commit { commit, path, .. } = &f.subject else {
                panic!("history subjects are commits: {:?}", f.subject)
            };
            let rule = f.evidence.iter().find(|e| e.label == "rule").unwrap();
            (rule.value.clone(), commit.clone(), path.clone(), f.severity)
        })
        .collect()
}

#[tokio::test]
async fn a_secret_in_two_blobs_is_reported_once_at_its_oldest_commit() {
    let dir = repo();
    let root = dir.path();
    let key = stripe_key(11);
    std::fs::write(root.join("first.py"), format!("KEY = '{key}'\n")).unwrap();
    commit(root, "first copy");
    let first = head(root);
    std::fs::write(root.join("second.py"), format!("# again\nKEY = '{key}'\n")).unwrap();
    commit(root, "second copy");
    std::fs::remove_file(root.join("first.py")).unwrap();
    std::fs::remove_file(root.join("second.py")).unwrap();
    commit(root, "remove both");

    let found = history_of(root).await;
    assert_eq!(
        found,
        vec![(
            "stripe-secret-key".to_string(),
            first,
            "first.py".to_string(),
            Severity::Critical
        )],
        "one finding, at the commit that first added the key, with the full commit id"
    );
}

#[tokio::test]
async fn the_working_tree_decides_what_is_history_only() {
    let dir = repo();
    let root = dir.path();
    let (deleted, kept) = (stripe_key(12), stripe_key(13));
    std::fs::write(root.join("a.py"), format!("KEY = '{deleted}'\n")).unwrap();
    std::fs::write(root.join("b.py"), format!("KEY = '{kept}'\n")).unwrap();
    commit(root, "keys");
    let added = head(root);
    // Moved out of git into an untracked file the tree check still reads.
    git(root, &["rm", "-q", "--cached", "b.py"]);
    git(root, &["commit", "-q", "-m", "untrack b.py"]);
    // Deleted from the working tree, not yet committed: HEAD still has it, the tree does not.
    std::fs::write(root.join("a.py"), "KEY = None\n").unwrap();

    let found = history_of(root).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].1.as_str(), found[0].2.as_str()),
        (added.as_str(), "a.py")
    );
}

#[cfg(unix)]
#[tokio::test]
async fn file_names_that_are_not_utf8_are_read_from_tree_and_history() {
    use std::os::unix::ffi::OsStrExt;
    let dir = repo();
    let root = dir.path();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 config.py");
    let (in_tree, in_history) = (stripe_key(14), stripe_key(15));
    std::fs::write(root.join(name), format!("KEY = '{in_history}'\n")).unwrap();
    commit(root, "odd name");
    std::fs::write(root.join(name), format!("KEY = '{in_tree}'\n")).unwrap();
    commit(root, "rotate");

    let card = audit_dir(root, "").await;
    let tree = fails(&card, "secrets-tree");
    assert!(
        tree.iter().any(|f| f
            .subject
            .to_string()
            .starts_with("caf\u{fffd} config.py:1:")),
        "{:?}",
        tree.iter()
            .map(|f| f.subject.to_string())
            .collect::<Vec<_>>()
    );
    let history = history_of(root).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].2, "caf\u{fffd} config.py");
}

#[test]
fn staged_names_with_a_newline_are_scanned() {
    let dir = repo();
    let root = dir.path();
    let key = stripe_key(16);
    std::fs::write(root.join("two\nlines.py"), format!("KEY = '{key}'\n")).unwrap();
    std::fs::write(root.join("clean.py"), "print(1)\n").unwrap();
    git(root, &["add", "-A"]);
    let out = run(launchready()
        .args(["secrets", "--staged", "-f", "json"])
        .arg(root));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("stripe-secret-key"), "{json}");
    assert!(json.contains(r"two\nlines.py"), "{json}");
    assert!(!json.contains(&key));
}

#[cfg(unix)]
#[tokio::test]
async fn a_committed_symlink_out_of_the_repository_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let key = stripe_key(17);
    std::fs::write(
        outside.path().join("credentials"),
        format!("KEY = '{key}'\n"),
    )
    .unwrap();
    let dir = repo();
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path().join("credentials"), root.join("linked.py")).unwrap();
    std::fs::create_dir(root.join("dist")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("credentials"),
        root.join("dist/leak.js"),
    )
    .unwrap();
    commit(root, "link");

    let card = audit_dir(root, "").await;
    for id in ["secrets-tree", "secrets-bundle"] {
        assert!(
            fails(&card, id).is_empty(),
            "{id}: the link's target lies outside the repository: {:?}",
            card.row(id).unwrap().findings
        );
    }
    // The control: the same file inside the repository is found, and a build-output link that
    // stays inside dist/ is followed.
    std::fs::copy(outside.path().join("credentials"), root.join("copied.py")).unwrap();
    std::fs::copy(
        outside.path().join("credentials"),
        root.join("dist/real.js"),
    )
    .unwrap();
    std::fs::remove_file(root.join("dist/leak.js")).unwrap();
    std::os::unix::fs::symlink(root.join("dist/real.js"), root.join("dist/alias.js")).unwrap();
    let card = audit_dir(root, "").await;
    assert_eq!(fails(&card, "secrets-tree").len(), 1);
    let bundle: Vec<String> = fails(&card, "secrets-bundle")
        .iter()
        .map(|f| f.subject.to_string())
        .collect();
    assert_eq!(bundle.len(), 2, "{bundle:?}");
    assert!(
        bundle.iter().any(|s| s.starts_with("dist/alias.js")),
        "{bundle:?}"
    );
}

/// A blob-less partial clone lacks the old blobs: the scan does not fetch them from the remote
/// and says how many it could not read instead of passing silently.
#[tokio::test]
async fn a_partial_clone_reports_the_blobs_it_lacks() {
    let origin = repo();
    let src = origin.path();
    git(src, &["config", "uploadpack.allowFilter", "true"]);
    std::fs::write(src.join("old.env"), format!("KEY={}\n", stripe_key(41))).unwrap();
    commit(src, "add key");
    std::fs::remove_file(src.join("old.env")).unwrap();
    commit(src, "remove key");

    let clones = tempfile::tempdir().unwrap();
    let clone = clones.path().join("partial");
    let url = format!("file://{}", src.display());
    git(
        clones.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    let card = audit_dir(&clone, "").await;
    let row = card.row("secrets-history").unwrap();
    let lacking: Vec<_> = row
        .findings
        .iter()
        .filter(|f| f.message.contains("not in this clone"))
        .collect();
    assert_eq!(lacking.len(), 1, "{:#?}", row.findings);
    assert!(
        lacking[0].message.starts_with("1 blob named"),
        "{}",
        lacking[0].message
    );

    // The full repository has the blob, and the key in it.
    let full = history_of(src).await;
    assert_eq!(full.len(), 1, "{full:#?}");
}

/// A shallow clone's history stops at its boundary, and the check says so.
#[tokio::test]
async fn a_shallow_clone_says_its_history_is_cut() {
    let origin = repo();
    let src = origin.path();
    std::fs::write(src.join("b.txt"), "two\n").unwrap();
    commit(src, "second");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", src.display());
    git(
        clones.path(),
        &["clone", "-q", "--depth=1", &url, "shallow"],
    );
    let card = audit_dir(&clones.path().join("shallow"), "").await;
    let row = card.row("secrets-history").unwrap();
    assert!(
        row.findings
            .iter()
            .any(|f| f.message.contains("the clone is shallow")),
        "{:#?}",
        row.findings
    );
    let card = audit_dir(src, "").await;
    let row = card.row("secrets-history").unwrap();
    assert!(!row.findings.iter().any(|f| f.message.contains("shallow")));
}
