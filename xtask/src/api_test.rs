//! `cargo xtask test`: the API property test. Schemathesis (from PyPI, pinned, in its own
//! virtual environment under `target/`) reads `docs/openapi.yaml` and sends generated
//! requests, valid and broken, to every documented operation of the release server, on a
//! fresh data folder with a village token. It fails on a 5xx, an undocumented status, a
//! response that does not match its schema, a route that answers without the token, and the
//! rest of its checks but two: "valid data accepted" and "invalid data rejected" assume a
//! schema can say everything the server checks, and a push answers 200 with per-record
//! outcomes by design (docs/sync-protocol.md).
//!
//! The number of examples per operation and the seed are fixed, so a failure here is
//! reproducible; `RP_API_EXAMPLES=1000 RP_API_SEED=random cargo xtask test --e2e-only` runs
//! it longer and with a new seed each time.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::command::{Ctx, note};
use crate::server::{Server, free_port, target_dir};

/// Pinned: the checks and their codes (ST…) change between releases.
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";
const EXAMPLES: &str = "50";
const SEED: &str = "20261129";

/// The virtual environment with Schemathesis, made (or fixed) when missing: idempotent.
fn ensure(ctx: &Ctx) -> Result<PathBuf> {
    let venv = target_dir(ctx).join("tools").join("schemathesis");
    let bin = venv.join("bin").join("schemathesis");
    let wanted = SCHEMATHESIS.trim_start_matches("schemathesis==");
    let have = ctx.capture(ctx.cmd(&bin).arg("--version"));
    if have.as_deref().is_some_and(|v| v.ends_with(wanted)) {
        return Ok(bin);
    }
    note(&format!(
        "installing {SCHEMATHESIS} into {}",
        venv.display()
    ));
    ctx.run(
        ctx.cmd("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )
    .context("python3 -m venv failed (Debian: apt-get install python3-venv)")?;
    ctx.run(ctx.cmd(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        SCHEMATHESIS,
    ]))?;
    Ok(bin)
}

/// A token for `village` made with the server's own admin command in `data`.
fn token(ctx: &Ctx, server: &Path, data: &Path, village: &str) -> Result<String> {
    let out = ctx
        .cmd(server)
        .args([
            "token",
            "create",
            "--officer",
            "接口测试",
            "--village",
            village,
        ])
        .arg("--data")
        .arg(data)
        .output()
        .context("cannot run the server's token command")?;
    if !out.status.success() {
        bail!(
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// Runs Schemathesis against the release server (already built) serving `dist`.
pub fn run(ctx: &Ctx, dist: &Path) -> Result<()> {
    let schemathesis = ensure(ctx)?;
    let server = target_dir(ctx).join("release").join("river-patrol-server");
    let data = std::env::temp_dir().join(format!("xtask-api-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let result = (|| {
        let token = token(ctx, &server, &data, "杨柳村")?;
        let port = free_port()?;
        let _running = Server::start(ctx, &server, dist, port, Some(&data))?;
        let examples = std::env::var("RP_API_EXAMPLES").unwrap_or_else(|_| EXAMPLES.into());
        let mut cmd = ctx.cmd(&schemathesis);
        // No colours in a log file.
        cmd.args(["--no-color", "run", "docs/openapi.yaml", "--url"])
            .arg(format!("http://127.0.0.1:{port}"))
            .arg("--header")
            .arg(format!("Authorization: Bearer {token}"))
            .args(["--max-examples", &examples])
            .args(["--checks", "all"])
            .args([
                "--exclude-checks",
                "positive_data_acceptance,negative_data_rejection",
            ]);
        match std::env::var("RP_API_SEED").ok().as_deref() {
            Some("random") => {}
            Some(seed) => {
                cmd.args(["--seed", seed]);
            }
            None => {
                cmd.args(["--seed", SEED]);
            }
        }
        ctx.run(&mut cmd)
    })();
    let _ = std::fs::remove_dir_all(&data);
    result
}
