//! The benchmarks that run in a browser or against the server are Node scripts
//! (`xtask/bench/*.mjs`); each prints its figures as one line of JSON at the end.

use std::process::Stdio;

use anyhow::{Context, Result, bail};
use xtask::command::{Ctx, show};

/// Runs one of the xtask's Node scripts (`xtask/bench/<script>`) with `args`, its stderr
/// shown, and parses the line of JSON it prints last on stdout.
pub fn node_json(ctx: &Ctx, script: &str, args: &[&std::ffi::OsStr]) -> Result<serde_json::Value> {
    node_json_with(ctx, script, args, &[])
}

/// [`node_json`] with environment variables set for the script.
pub fn node_json_with(
    ctx: &Ctx,
    script: &str,
    args: &[&std::ffi::OsStr],
    envs: &[(&str, String)],
) -> Result<serde_json::Value> {
    let mut cmd = ctx.cmd("node");
    cmd.arg(ctx.root.join("xtask").join("bench").join(script))
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)));
    eprintln!("    $ {}", show(&cmd));
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .context("cannot start node")?;
    if !out.status.success() {
        bail!("{script} failed ({})", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("{script} printed no JSON: {stdout:?}"))
}
