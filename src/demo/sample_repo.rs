//! A small git repository generated in the demo's temporary directory for the secret checks.
//!
//! Flawed: a Stripe live key committed in `settings.py` (tree and history), a GitHub token added
//! in `deploy.sh` and deleted in a later commit (history only), and a `dist/` bundle with the key
//! inlined. Hardened: the same project reading its keys from the environment.
//! Keys are assembled at run time so the source holds no real-looking literal.

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::checks::secrets::rules::{base62_six, crc32};
use crate::demo::Variant;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Deterministic alphanumeric filler of `len` characters.
pub fn fake(seed: u64, len: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALNUM[(state % ALNUM.len() as u64) as usize])
        })
        .collect()
}

/// The demo's Stripe live secret key.
pub fn stripe_live_key() -> String {
    format!("{}{}", concat!("sk", "_live_"), fake(11, 24))
}

/// The demo's GitHub token, with a valid checksum.
pub fn github_token() -> String {
    let random = fake(12, 30);
    format!(
        "{}{random}{}",
        concat!("gh", "p_"),
        base62_six(crc32(random.as_bytes()))
    )
}

fn git(dir: &Path, args: &[&str]) -> io::Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Acme Dev",
            "-c",
            "user.email=dev@acme.test",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        // Fixed dates keep commit ids, and so the reports, the same on every run.
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("git {} failed", args.join(" "))))
    }
}

/// Writes the sample repository into `dir` (created). Without git the files are still written.
pub fn write(dir: &Path, variant: Variant) -> io::Result<()> {
    std::fs::create_dir_all(dir.join("dist"))?;
    std::fs::write(dir.join(".gitignore"), "dist/\n")?;
    std::fs::write(dir.join("README.md"), "# Acme portal\n")?;
    let has_git = git(dir, &["init", "-q", "-b", "main"]).is_ok();
    let commit = |message: &str| -> io::Result<()> {
        if has_git {
            git(dir, &["add", "-A"])?;
            git(dir, &["commit", "-q", "-m", message])?;
        }
        Ok(())
    };
    commit("Initial commit")?;
    match variant {
        Variant::Flawed => {
            std::fs::write(
                dir.join("deploy.sh"),
                format!("#!/bin/sh\nGITHUB_TOKEN={} ./release.sh\n", github_token()),
            )?;
            commit("Deploy script")?;
            std::fs::remove_file(dir.join("deploy.sh"))?;
            commit("Remove deploy script")?;
            std::fs::write(
                dir.join("settings.py"),
                format!("STRIPE_KEY = \"{}\"\nDEBUG = False\n", stripe_live_key()),
            )?;
            commit("Settings")?;
            std::fs::write(
                dir.join("dist/app.js"),
                format!("(()=>{{const k=\"{}\";}})();\n", stripe_live_key()),
            )?;
        }
        Variant::Hardened => {
            std::fs::write(
                dir.join("settings.py"),
                "import os\nSTRIPE_KEY = os.environ[\"STRIPE_KEY\"]\nDEBUG = False\n",
            )?;
            commit("Settings")?;
            std::fs::write(dir.join("dist/app.js"), "(()=>{const api=\"/api\";})();\n")?;
        }
    }
    Ok(())
}
