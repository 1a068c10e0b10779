//! `cargo xtask bench`, part three: how long a phone takes to sync 1,000 records with 300
//! photos to the reference server on this machine, and how many records a second the server
//! takes from several clients pushing at once. xtask/bench/sync.mjs does the measuring against
//! the release server serving the release app (dist/), each run on a fresh temporary database.

use anyhow::Result;
use serde_json::Value;

use crate::section::Section;
use xtask::command::{Ctx, note};

/// Builds the release server, measures, and returns the figures for latest.json.
pub fn measure(ctx: &Ctx) -> Result<Value> {
    build_server(ctx)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target"));
    let server = target.join("release").join("river-patrol-server");
    let dist = ctx.root.join("dist");
    let result = crate::node::node_json(ctx, "sync.mjs", &[server.as_os_str(), dist.as_os_str()])?;
    note(&format!(
        "1,000 records + 300 photos synced in {:.1} s; push throughput {:.0} records/s",
        result["phone_to_server"]["ms"].as_f64().unwrap_or(f64::NAN) / 1000.0,
        result["push_throughput"]["records_per_second"]
            .as_f64()
            .unwrap_or(f64::NAN)
    ));
    Ok(result)
}

/// The release server, for the benchmarks that run it (this one, then the ledger's).
pub fn build_server(ctx: &Ctx) -> Result<()> {
    ctx.run(
        ctx.cargo()
            .args(["build", "--release", "-p", "river-patrol-server"]),
    )
}

/// The docs/benchmarks.md section for a [`measure`] result.
pub fn section(result: &Value, date: &str, commit: &str, machine: &str) -> Section {
    let phone = &result["phone_to_server"];
    let push = &result["push_throughput"];
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::from("## Sync to the reference server\n\n");
    md.push_str(&format!(
        "Measured {date} at commit `{commit}` on {machine}, server and browser ({}) on the \
same machine over loopback.\n\n",
        result["browser"].as_str().unwrap_or("headless Chromium")
    ));
    md.push_str("| what | figure |\n|---|---:|\n");
    md.push_str(&format!(
        "| a phone syncs {} records with {} photos ({:.1} MB of JPEG) | **{:.1} s** |\n",
        num(&phone["records"]),
        num(&phone["photos"]),
        num(&phone["photo_bytes"]) / 1e6,
        num(&phone["ms"]) / 1000.0
    ));
    md.push_str(&format!(
        "| server push throughput, {} clients × batches of {} new records ({} in all) | **{:.0} records/s** |\n\n",
        num(&push["clients"]),
        num(&push["batch"]),
        num(&push["records"]),
        num(&push["records_per_second"])
    ));
    md.push_str(
        "How it was measured: `cargo xtask bench` builds the release server and runs \
`xtask/bench/sync.mjs`. It starts the server on a fresh temporary data folder (SQLite in WAL \
mode, photos on disk), makes a phone token and an office token with the server's admin \
command, and opens the release app in headless Chromium. The page makes 300 different \
1600×1200 JPEGs and stores them in the app's IndexedDB, and 1,000 records (300 of them with \
a photo) in its localStorage, as if recorded offline; the clock starts when the connect link \
is confirmed and stops when the app shows everything synced (every photo uploaded and \
checked by SHA-256, every record pushed in batches of 50 and confirmed, the pull done). The \
server is then asked how many records it holds (it must be 1,000). For throughput, 4 \
concurrent clients each push 25 batches of 100 new records (10,000 in all); records per \
second over the whole run, each batch one transaction. A real phone on a mobile network is \
slower; the figures compare builds, not networks.\n",
    );
    Section {
        id: "sync",
        markdown: md,
    }
}
