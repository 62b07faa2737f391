//! Where the scanner reads: the working tree (git's own file list, so `.gitignore` is respected
//! but committed `.env` files are not skipped), the index (`--staged`), every unique blob of the
//! git history, and source maps' `sourcesContent`.
//!
//! Git is driven through its plumbing in a subprocess (`rev-list --objects --all`,
//! `cat-file --batch`): one long-lived process streams every blob once, which keeps up with the
//! scanner on two cores and adds no large dependency to the build.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::engine::{Hit, Scanner};

/// Blobs larger than this are not read from history (build artefacts, media).
pub const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// Runs `git -C dir args…` and returns stdout, or the error text.
pub fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The top of the git work tree holding `dir`, if any.
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    let text = String::from_utf8(out).ok()?;
    Some(PathBuf::from(text.trim()))
}

/// Every file under `path` to scan: git's list (tracked plus untracked, not ignored) inside a
/// repository, a plain walk (skipping `.git` and `node_modules`) outside one.
pub fn tree_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    if repo_root(path).is_some()
        && let Ok(out) = git(
            path,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--full-name",
                ".",
            ],
        )
        && let Some(root) = repo_root(path)
    {
        let mut files: Vec<PathBuf> = out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| root.join(String::from_utf8_lossy(p).as_ref()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files.dedup();
        return files;
    }
    let mut files = Vec::new();
    walk(path, &mut files);
    files.sort();
    files
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            if name != ".git" && name != "node_modules" {
                walk(&path, out);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// True when the first 8 kB hold a NUL byte.
pub fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8000)]).is_some()
}

/// Paths staged for commit (added, copied, modified, renamed), relative to the repository root.
pub fn staged_paths(dir: &Path) -> Result<Vec<String>, String> {
    let out = git(
        dir,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
        ],
    )?;
    Ok(out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Streams objects through one `git cat-file --batch`, calling `each(name, content)`; missing
/// objects are skipped. A writer thread feeds the names so the pipe never deadlocks.
pub fn cat_file(
    dir: &Path,
    names: Vec<String>,
    mut each: impl FnMut(usize, Vec<u8>),
) -> Result<(), String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no stdin")?;
    let stdout = child.stdout.take().ok_or("git cat-file has no stdout")?;
    let count = names.len();
    let feeder = std::thread::spawn(move || {
        for name in names {
            if writeln!(stdin, "{name}").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = String::new();
    let mut result = Ok(());
    for index in 0..count {
        header.clear();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            result = Err("git cat-file ended early".to_string());
            break;
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        if fields.last() == Some(&"missing") || fields.len() < 3 {
            continue;
        }
        let size: usize = fields[2].parse().map_err(|_| "bad cat-file header")?;
        let mut content = vec![0; size];
        reader.read_exact(&mut content).map_err(|e| e.to_string())?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(|e| e.to_string())?;
        each(index, content);
    }
    let _ = feeder.join();
    let _ = child.wait();
    result
}

/// One blob of the history, with the first path it was seen at.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Object id.
    pub id: String,
    /// A path it had.
    pub path: String,
}

/// Every unique blob reachable from any ref (each listed once by `rev-list --objects --all`),
/// without those over [`MAX_BLOB_BYTES`], and the number of commits.
pub fn history_blobs(dir: &Path) -> Result<(Vec<Blob>, u64), String> {
    let commits = git(dir, &["rev-list", "--all", "--count"])?;
    let commits: u64 = String::from_utf8_lossy(&commits)
        .trim()
        .parse()
        .unwrap_or(0);
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "core.quotePath=false",
            "rev-list",
            "--objects",
            "--all",
            "--filter=object:type=blob",
            "--filter-provided-objects",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git rev-list: {e}"))?;
    let stdout = child.stdout.take().ok_or("git rev-list has no stdout")?;
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut order = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let (id, path) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        if id.len() >= 40 && !paths.contains_key(id) {
            paths.insert(id.to_string(), path.to_string());
            order.push(id.to_string());
        }
    }
    let _ = child.wait();
    // Sizes in one batch-check pass, to leave out the huge ones.
    let mut check = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "cat-file",
            "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = check.stdin.take().ok_or("no stdin")?;
    let names = order.clone();
    let feeder = std::thread::spawn(move || {
        for name in names {
            if writeln!(stdin, "{name}").is_err() {
                break;
            }
        }
    });
    let mut blobs = Vec::new();
    let stdout = check.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [id, "blob", size] = fields.as_slice()
            && size.parse::<u64>().is_ok_and(|s| s <= MAX_BLOB_BYTES)
        {
            blobs.push(Blob {
                id: id.to_string(),
                path: paths.get(*id).cloned().unwrap_or_default(),
            });
        }
    }
    let _ = feeder.join();
    let _ = check.wait();
    Ok((blobs, commits))
}

/// Blob ids in HEAD's tree.
pub fn head_blobs(dir: &Path) -> BTreeSet<String> {
    let Ok(out) = git(dir, &["ls-tree", "-r", "-z", "HEAD"]) else {
        return BTreeSet::new();
    };
    out.split(|&b| b == 0)
        .filter_map(|entry| {
            let text = String::from_utf8_lossy(entry);
            let meta = text.split('\t').next()?.to_string();
            let mut fields = meta.split_whitespace();
            (fields.nth(1)? == "blob").then(|| fields.next().map(str::to_string))?
        })
        .collect()
}

/// The oldest commit on any ref that introduced `blob` (at `path`).
pub fn commit_adding(dir: &Path, blob: &str) -> Option<String> {
    let out = git(
        dir,
        &[
            "log",
            "--all",
            "--reverse",
            "--format=%H",
            "--find-object",
            blob,
        ],
    )
    .ok()?;
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .map(str::to_string)
}

/// Bytes of blob content read ahead of the scanners at most (one larger blob is still let through
/// alone), so history memory stays bounded whatever the blob sizes.
const READ_AHEAD_BYTES: usize = 64 * 1024 * 1024;

/// A byte budget shared by the git reader and the scanning workers.
struct ReadAhead {
    in_flight: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

impl ReadAhead {
    /// Waits until `size` more bytes fit (or nothing is in flight), then takes them.
    fn take(&self, size: usize) {
        let Ok(mut in_flight) = self.in_flight.lock() else {
            return;
        };
        while *in_flight > 0 && *in_flight + size > READ_AHEAD_BYTES {
            in_flight = match self.freed.wait(in_flight) {
                Ok(guard) => guard,
                Err(_) => return,
            };
        }
        *in_flight += size;
    }

    /// Gives `size` bytes back.
    fn give(&self, size: usize) {
        if let Ok(mut in_flight) = self.in_flight.lock() {
            *in_flight = in_flight.saturating_sub(size);
        }
        self.freed.notify_all();
    }
}

/// Scans blobs on every core while git streams them: one reader, workers sharing a queue bounded
/// by 64 MiB of read-ahead.
pub fn scan_blobs(
    scanner: &Scanner,
    dir: &Path,
    names: Vec<String>,
) -> Result<Vec<(usize, Vec<Hit>)>, String> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (send, receive) = std::sync::mpsc::channel::<(usize, Vec<u8>)>();
    let receive = std::sync::Mutex::new(receive);
    let budget = ReadAhead {
        in_flight: std::sync::Mutex::new(0),
        freed: std::sync::Condvar::new(),
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let next = receive.lock().ok().and_then(|r| r.recv().ok());
                        let Some((index, content)) = next else { break };
                        if !looks_binary(&content) {
                            let (hits, _) = scanner.scan_bytes(&content);
                            if !hits.is_empty() {
                                out.push((index, hits));
                            }
                        }
                        budget.give(content.len());
                    }
                    out
                })
            })
            .collect();
        let read = cat_file(dir, names, |index, content| {
            budget.take(content.len());
            let _ = send.send((index, content));
        });
        drop(send);
        let mut all: Vec<(usize, Vec<Hit>)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect();
        all.sort_by_key(|(i, _)| *i);
        read.map(|()| all)
    })
}

/// A source map's embedded sources: `(name, content)` for every string in `sourcesContent`.
pub fn source_map_sources(data: &[u8]) -> Option<Vec<(String, String)>> {
    let map: serde_json::Value = serde_json::from_slice(data).ok()?;
    let contents = map.get("sourcesContent")?.as_array()?;
    let names = map.get("sources").and_then(|s| s.as_array());
    Some(
        contents
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let name = names
                    .and_then(|n| n.get(i))
                    .and_then(|n| n.as_str())
                    .map_or_else(|| format!("sources[{i}]"), str::to_string);
                Some((name, c.as_str()?.to_string()))
            })
            .collect(),
    )
}

/// Hits in a file that may be a source map: every embedded source is scanned on its own (with
/// lines and columns inside that source); the `mappings` and the rest of the JSON are not, so
/// their base64 VLQ never looks like a key. Anything else is scanned as it is.
pub fn scan_maybe_map(scanner: &Scanner, name: &str, data: &[u8]) -> Vec<(Option<String>, Hit)> {
    if name.ends_with(".map")
        && let Some(sources) = source_map_sources(data)
    {
        return sources
            .into_iter()
            .flat_map(|(source, content)| {
                scanner
                    .scan_bytes(content.as_bytes())
                    .0
                    .into_iter()
                    .map(move |h| (Some(source.clone()), h))
            })
            .collect();
    }
    scanner
        .scan_bytes(data)
        .0
        .into_iter()
        .map(|h| (None, h))
        .collect()
}

/// Reads a file whole (bundles and maps are scanned as documents).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Every file under `dir` (skipping `.git` and `node_modules`), ignore files not consulted:
/// build output is usually ignored and still ships.
pub fn tree_files_unfiltered(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}
