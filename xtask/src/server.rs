//! The release server (`river-patrol-server`, built by `cargo build --release`) on a free port
//! of 127.0.0.1, for the API property test and the benchmarks; stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::command::Ctx;

/// Cargo's target folder, where the release server's binary is.
pub fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { ctx.root.join(p) })
        .unwrap_or_else(|| ctx.root.join("target"))
}

/// A port of 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The release server, stopped when dropped.
pub struct Server(Child);

impl Server {
    /// Serves `dist` on `port`, with its data (database, photos) in `data` if given, else in
    /// `data/` of the repository.
    pub fn start(
        ctx: &Ctx,
        bin: &Path,
        dist: &Path,
        port: u16,
        data: Option<&Path>,
    ) -> Result<Self> {
        let mut cmd = ctx.cmd(bin);
        cmd.args(["--port", &port.to_string(), "--dist"]).arg(dist);
        if let Some(data) = data {
            cmd.arg("--data").arg(data);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let server = Self(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("the server did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
