//! A release build of the server carries the built app in itself (src/app_files.rs), so that a
//! township installs one file: when `dist/index.html` exists (`cargo xtask dist` made it, or
//! RIVER_PATROL_APP_DIR names another build), this sets `rp_embedded_app` and tells rust-embed
//! where the files are. Debug builds and tests never embed: they serve a folder, and do not
//! recompile whenever the app is rebuilt.
//!
//! It also names the commit the binary is built from, for `--version` (RIVER_PATROL_COMMIT, or
//! `git rev-parse HEAD` with `-dirty` when files differ from it; in release builds only, so a
//! commit does not rebuild the tests' server).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rp_embedded_app)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=RIVER_PATROL_APP_DIR");
    println!("cargo::rerun-if-env-changed=RIVER_PATROL_COMMIT");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let app = std::env::var_os("RIVER_PATROL_APP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../dist"));
    // The folder itself is watched even while it has no index.html, so that building the app
    // afterwards makes the next release build embed it.
    if release {
        println!("cargo::rerun-if-changed={}", app.display());
    }
    if release && app.join("index.html").is_file() {
        let app = app.canonicalize().unwrap();
        println!("cargo::rustc-cfg=rp_embedded_app");
        println!("cargo::rustc-env=RIVER_PATROL_APP_DIR={}", app.display());
    }
    let built_from = match std::env::var("RIVER_PATROL_COMMIT") {
        Ok(commit) => format!("commit {commit}"),
        Err(_) if release => {
            git_commit(&manifest).map_or("commit unknown".into(), |c| format!("commit {c}"))
        }
        Err(_) => "a development build".to_owned(),
    };
    println!("cargo::rustc-env=RIVER_PATROL_BUILT_FROM={built_from}");
}

/// HEAD's hash, with `-dirty` when tracked files differ from it; None outside a git checkout.
fn git_commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "HEAD"])?;
    // A new commit, a checkout or an edit staged or not changes one of these.
    for file in ["HEAD", "index"] {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", file]) {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &branch])
    {
        println!("cargo::rerun-if-changed={path}");
    }
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])?;
    Some(if dirty.is_empty() {
        head
    } else {
        format!("{head}-dirty")
    })
}
