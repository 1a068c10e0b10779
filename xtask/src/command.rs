//! Running commands with clear headings, timing and errors, and the lock that keeps two runs
//! of one checkout from building into dist/ at once.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Where the repository is and the PATH every child process gets.
pub struct Ctx {
    pub root: PathBuf,
    path: OsString,
}

impl Ctx {
    pub fn new() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask/ has no parent folder")?
            .to_path_buf();
        // node_modules/.bin first (binaryen's wasm-opt, playwright), then cargo's bin folder
        // (trunk, wasm-bindgen, wasm-bindgen-test-runner), then whatever PATH was.
        let mut dirs = vec![root.join("node_modules").join(".bin"), cargo_bin_dir()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs).context("cannot build PATH")?;
        Ok(Self { root, path })
    }

    /// A command run in the repository root with our PATH.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    /// `cargo` from PATH: rustup's proxy, so rust-toolchain.toml picks the toolchain. (Not
    /// `$CARGO`, which can name another toolchain's cargo binary.)
    pub fn cargo(&self) -> Command {
        self.cmd("cargo")
    }

    /// Runs a command with inherited output; fails unless it exits 0.
    pub fn run(&self, cmd: &mut Command) -> Result<()> {
        let shown = show(cmd);
        eprintln!("    $ {shown}");
        let status = cmd
            .status()
            .with_context(|| format!("cannot start `{shown}`"))?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(())
    }

    /// The trimmed stdout (and stderr) of a command that exits 0, or None if it cannot start
    /// or fails. For version checks.
    pub fn capture(&self, cmd: &mut Command) -> Option<String> {
        let out = cmd.stdin(Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Some(text.trim().to_owned())
    }

    /// Is `program` found on our PATH?
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    }
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// A command as a shell-like line, for headings and errors.
pub fn show(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            parts.push(format!("{arg:?}"));
        } else {
            parts.push(arg.into_owned());
        }
    }
    parts.join(" ")
}

/// A one-line heading for a step.
pub fn heading(text: &str) {
    eprintln!("\n==> {text}");
}

/// A line under a heading.
pub fn note(text: &str) {
    eprintln!("    {text}");
}

/// Runs `f` under a heading, printing how long it took; on failure says which step failed.
pub fn step<T>(title: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    heading(title);
    let start = Instant::now();
    match f() {
        Ok(v) => {
            note(&format!("ok: {title} ({})", secs(start)));
            Ok(v)
        }
        Err(e) => Err(e.context(format!("step failed: {title} (after {})", secs(start)))),
    }
}

pub fn secs(start: Instant) -> String {
    format!("{:.1} s", start.elapsed().as_secs_f64())
}

/// Modification time, if the file exists.
pub fn mtime(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Holds `target/xtask-dist.lock` while it lives, so that two `cargo xtask` runs in one
/// checkout do not build into dist/ or start the test server on the same port at once (Trunk
/// fails with "error writing JS loader file to stage dir" when another build empties dist/).
pub struct DistLock(#[allow(dead_code)] std::fs::File);

impl DistLock {
    pub fn acquire(ctx: &Ctx) -> Result<Self> {
        let dir = ctx.root.join("target");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("xtask-dist.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                note(&format!(
                    "waiting for another cargo xtask in this checkout ({} is locked)…",
                    path.display()
                ));
                file.lock()?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        Ok(Self(file))
    }
}
