//! A throwaway PostgreSQL cluster for the tests: Debian's `initdb` and `pg_ctl` into a
//! temporary folder, listening on loopback on a free port, stopped and removed when dropped.
//! No system service is used or needed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Once};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::{flag, low_level};

use crate::command::{Ctx, note, show};
use crate::server::free_port;

/// Where Debian's packages put each major version: `<N>/bin/initdb`.
const DEBIAN_VERSIONS: &str = "/usr/lib/postgresql";

/// The user initdb and the server run as when we are root (initdb refuses root); Debian's
/// `postgresql` package creates it.
const SERVER_USER: &str = "postgres";

/// The folder with `initdb` and `pg_ctl`: Debian's newest `/usr/lib/postgresql/<N>/bin`, else
/// the folder of `initdb` on PATH.
pub fn bin_dir(ctx: &Ctx) -> Option<PathBuf> {
    let installed: Vec<String> = std::fs::read_dir(DEBIAN_VERSIONS)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("bin").join("initdb").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if let Some(newest) = highest_version(installed.iter().map(String::as_str)) {
        return Some(Path::new(DEBIAN_VERSIONS).join(newest).join("bin"));
    }
    let initdb = ctx.which("initdb")?;
    // Through a symbolic link such as /usr/local/bin/initdb, to find pg_ctl beside the real one.
    let initdb = std::fs::canonicalize(&initdb).unwrap_or(initdb);
    let dir = initdb.parent()?.to_path_buf();
    dir.join("pg_ctl").is_file().then_some(dir)
}

/// The highest of version folder names such as "9.6", "15", "16"; names that are not versions
/// are skipped.
fn highest_version<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .filter_map(|name| {
            let parts: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            Some((parts?, name))
        })
        .max()
        .map(|(_, name)| name)
}

/// A PostgreSQL server of our own in a temporary folder; dropping it stops the server and
/// removes the folder.
pub struct TempCluster {
    bin: PathBuf,
    /// Holds `data/` (the cluster), `log` (the server's output) and the server's unix socket.
    /// None once removed.
    dir: Option<tempfile::TempDir>,
    port: u16,
    durability: Durability,
    /// Run initdb and pg_ctl as SERVER_USER through runuser (we are root).
    as_server_user: bool,
    /// Last, so that a caught Ctrl-C acts only once the server is stopped.
    _signals: SignalsHeld,
}

/// Whether a cluster keeps PostgreSQL's durable defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Durability {
    /// Nothing flushed to disk: tests, whose data is thrown away.
    None,
    /// fsync and synchronous commit, as a deployed server has them: benchmarks.
    AsDeployed,
}

impl TempCluster {
    /// initdb, then the server started on a free port of 127.0.0.1, without durability (for
    /// tests); fails with the end of the server's log if it does not come up.
    pub fn start(ctx: &Ctx) -> Result<TempCluster> {
        Self::start_with(ctx, Durability::None)
    }

    /// As [`TempCluster::start`], but with PostgreSQL's own durable settings, as deployed:
    /// for benchmarks.
    pub fn start_as_deployed(ctx: &Ctx) -> Result<TempCluster> {
        Self::start_with(ctx, Durability::AsDeployed)
    }

    fn start_with(ctx: &Ctx, durability: Durability) -> Result<TempCluster> {
        let bin = bin_dir(ctx).context(
            "PostgreSQL's initdb is not in /usr/lib/postgresql/<N>/bin nor on PATH \
             (Debian: apt-get install postgresql)",
        )?;
        let as_server_user = ctx.capture(ctx.cmd("id").arg("-u")).as_deref() == Some("0");
        let signals = SignalsHeld::new();
        // std's temporary folder rather than target/: the server user must be able to reach it,
        // and a unix socket path may not be longer than 107 bytes.
        let dir = tempfile::Builder::new()
            .prefix("rp-pg-")
            .tempdir()
            .context("cannot make a temporary folder for PostgreSQL")?;
        if as_server_user {
            quiet(
                Command::new("chown")
                    .arg(format!("{SERVER_USER}:"))
                    .arg(dir.path()),
            )
            .with_context(|| {
                format!(
                    "running as root, so initdb must run as `{SERVER_USER}` (does the user exist?)"
                )
            })?;
        }
        // From here on, dropping `cluster` on an error cleans up whatever was made.
        let mut cluster = TempCluster {
            bin,
            dir: Some(dir),
            port: 0,
            durability,
            as_server_user,
            _signals: signals,
        };
        cluster.initdb()?;
        // The port is free when we look, but another process may take it before the server
        // binds it: try a few.
        for attempt in 1..=3 {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => {
                    note(&format!(
                        "PostgreSQL ({}) on 127.0.0.1:{}, data in {}",
                        cluster.bin.display(),
                        cluster.port,
                        cluster.dir().display()
                    ));
                    return Ok(cluster);
                }
                Err(e) if attempt < 3 && cluster.log_tail().contains("Address already in use") => {
                    note(&format!("port {} was taken meanwhile: {e:#}", cluster.port));
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// `postgres://postgres@127.0.0.1:PORT`, with no database name: append `/DBNAME` (e.g.
    /// `/postgres`, the maintenance database, to create others). No password (trust).
    pub fn url(&self) -> String {
        format!("postgres://{SERVER_USER}@127.0.0.1:{}", self.port)
    }

    /// Waits until Ctrl-C, SIGTERM or SIGHUP, or until stdin ends (for `cargo xtask postgres`);
    /// the cluster then stops when dropped, and the xtask ends normally.
    pub fn wait_for_stop(&self) {
        let stdin_ended = Arc::new(AtomicBool::new(false));
        let ended = stdin_ended.clone();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            ended.store(true, Ordering::SeqCst);
        });
        while CAUGHT.load(Ordering::SeqCst) == 0 && !stdin_ended.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
        }
        // Handled here: not raised again when the cluster is dropped.
        CAUGHT.store(0, Ordering::SeqCst);
    }

    fn dir(&self) -> &Path {
        self.dir
            .as_ref()
            .expect("the folder lives as long as the cluster")
            .path()
    }

    fn data(&self) -> PathBuf {
        self.dir().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir().join("log")
    }

    /// One of PostgreSQL's programs, as SERVER_USER when we are root, run in our folder (the
    /// server user may not be allowed into the repository).
    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let mut cmd = if self.as_server_user {
            let mut c = Command::new("runuser");
            c.args(["-u", SERVER_USER, "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        cmd.current_dir(self.dir());
        cmd
    }

    fn initdb(&self) -> Result<()> {
        let initdb = |locale: &str| {
            quiet(
                self.program("initdb")
                    .arg("-D")
                    .arg(self.data())
                    .args(["-U", SERVER_USER, "-A", "trust", "-E", "UTF8", locale])
                    // Nothing here needs to survive a crash of the machine.
                    .arg("--no-sync"),
            )
        };
        match initdb("--locale=C.UTF-8") {
            Ok(()) => Ok(()),
            Err(e) => {
                // Some systems lack the C.UTF-8 locale; plain C sorts UTF-8 text the same way.
                note(&format!(
                    "initdb with C.UTF-8 failed, trying --no-locale: {e:#}"
                ));
                let data = self.data();
                if data.exists() {
                    std::fs::remove_dir_all(&data)
                        .with_context(|| format!("cannot remove {}", data.display()))?;
                }
                initdb("--no-locale")
            }
        }
    }

    fn pg_ctl_start(&self) -> Result<()> {
        let mut options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {socket_dir} -c max_connections=200",
            port = self.port,
            socket_dir = self.dir().display(),
        );
        // fsync, synchronous_commit and full_page_writes off: fast, and a test cluster has no
        // data worth keeping through a crash. 200 connections: each test server has its pool.
        if self.durability == Durability::None {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let started = quiet(
            self.program("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.log())
                .args(["-w", "-t", "60", "-o", &options, "start"]),
        );
        started.with_context(|| {
            format!(
                "PostgreSQL did not start on 127.0.0.1:{}; the end of {}:\n{}",
                self.port,
                self.log().display(),
                self.log_tail()
            )
        })
    }

    /// The last lines of the server's log, or why there are none.
    fn log_tail(&self) -> String {
        match std::fs::read_to_string(self.log()) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().collect();
                lines[lines.len().saturating_sub(20)..].join("\n")
            }
            Err(e) => format!("(no log: {e})"),
        }
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let Some(dir) = self.dir.as_ref().map(|d| d.path().to_owned()) else {
            return;
        };
        // The server runs while its pid file is there (also after a start that half failed).
        if self.data().join("postmaster.pid").exists() {
            let stopped = quiet(
                self.program("pg_ctl")
                    .arg("-D")
                    .arg(self.data())
                    .args("-m immediate -w stop".split(' ')),
            );
            if let Err(e) = stopped {
                note(&format!(
                    "PostgreSQL on 127.0.0.1:{} did not stop: {e:#}",
                    self.port
                ));
            }
        }
        let removed = self.dir.take().map(tempfile::TempDir::close);
        match removed {
            Some(Err(e)) => note(&format!("cannot remove {}: {e}", dir.display())),
            _ => note(&format!(
                "PostgreSQL on 127.0.0.1:{} stopped, {} removed",
                self.port,
                dir.display()
            )),
        }
    }
}

/// Runs a command with its output kept, which is shown only if it fails.
fn quiet(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !out.status.success() {
        bail!(
            "`{shown}` failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// While one lives, Ctrl-C (SIGINT), SIGTERM and SIGHUP are caught instead of ending the xtask
/// at once, so that a cluster is stopped and removed first. Child processes still get them as
/// usual (a caught signal is reset to its default in a program started by exec; a blocked one
/// would stay blocked), so `cargo test` stops, the step fails, the cluster is dropped, and the
/// last holder then acts on the signal as its default would, which ends the xtask as it would
/// have. While none lives, the default acts at once, as if nothing were registered.
struct SignalsHeld;

const HELD_SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// How many SignalsHeld live.
static HOLDERS: Mutex<usize> = Mutex::new(0);

/// The signal caught while held, or 0 (signal-hook stores it from its handler).
static CAUGHT: LazyLock<Arc<AtomicUsize>> = LazyLock::new(Arc::default);

/// True while no SignalsHeld lives: signal-hook then runs the signal's default action.
static UNHELD: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(true)));

/// signal-hook's actions, registered once for the life of the xtask (it keeps them).
static REGISTERED: Once = Once::new();

impl SignalsHeld {
    fn new() -> Self {
        REGISTERED.call_once(|| {
            for signal in HELD_SIGNALS {
                // Recorded first, then ended by the default when nothing holds the signals.
                let recorded = flag::register_usize(signal, Arc::clone(&CAUGHT), signal as usize);
                let ended = flag::register_conditional_default(signal, Arc::clone(&UNHELD));
                if let Err(e) = recorded.and(ended) {
                    note(&format!("cannot catch signal {signal}: {e}"));
                }
            }
        });
        let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
        *holders += 1;
        UNHELD.store(false, Ordering::SeqCst);
        SignalsHeld
    }
}

impl Drop for SignalsHeld {
    fn drop(&mut self) {
        let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
        *holders -= 1;
        if *holders > 0 {
            return;
        }
        UNHELD.store(true, Ordering::SeqCst);
        let caught = CAUGHT.swap(0, Ordering::SeqCst);
        if caught != 0 {
            let _ = low_level::emulate_default_handler(caught as i32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the machine itself: needs PostgreSQL, which `cargo xtask test` installs first.
    #[test]
    fn a_cluster_starts_answers_and_is_gone_after() {
        let ctx = Ctx::new().unwrap();
        let cluster = TempCluster::start(&ctx).unwrap();
        let url = cluster.url();
        let address = url.strip_prefix("postgres://postgres@").unwrap().to_owned();
        let dir = cluster.dir().to_owned();
        assert!(dir.join("data").join("PG_VERSION").is_file());
        std::net::TcpStream::connect(&address).expect("the server listens");
        drop(cluster);
        assert!(!dir.exists(), "{} is left behind", dir.display());
        assert!(
            std::net::TcpStream::connect(&address).is_err(),
            "something still listens on {address}"
        );
    }

    #[test]
    fn picks_the_highest_version() {
        assert_eq!(highest_version(["13", "15", "9.6"]), Some("15"));
        assert_eq!(highest_version(["9.6", "10"]), Some("10"));
        assert_eq!(highest_version(["9.5", "9.6"]), Some("9.6"));
        assert_eq!(highest_version(["16", "common", ".hidden"]), Some("16"));
        assert_eq!(highest_version(["common"]), None);
        assert_eq!(highest_version([]), None);
    }
}
