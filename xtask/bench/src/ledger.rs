//! `cargo xtask bench`, part four: the ledger at township scale. With 5,000 problems stored on
//! the phone and the CPU slowed 4× (Lighthouse's mobile preset), how long from navigation to
//! the list on screen, and how long a search or a village filter takes to show its result.
//! xtask/bench/ledger.mjs does the measuring in headless Chromium against the release server
//! serving the release app (dist/).

use anyhow::Result;
use serde_json::Value;

use crate::section::Section;
use xtask::command::{Ctx, note};

/// Measures (the release server is built by the sync benchmark before) and returns the
/// figures for latest.json.
pub fn measure(ctx: &Ctx) -> Result<Value> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target"));
    let server = target.join("release").join("river-patrol-server");
    let dist = ctx.root.join("dist");
    let result =
        crate::node::node_json(ctx, "ledger.mjs", &[server.as_os_str(), dist.as_os_str()])?;
    note(&format!(
        "5,000 problems: list shown {:.1} s after navigation, search {:.0} ms, filter {:.0} ms (CPU 4× slower)",
        median(&result["start_to_list_ms"]) / 1000.0,
        median(&result["search_ms"]),
        median(&result["filter_ms"]),
    ));
    Ok(result)
}

fn median(v: &Value) -> f64 {
    v["median"].as_f64().unwrap_or(f64::NAN)
}

/// The docs/benchmarks.md section for a [`measure`] result.
pub fn section(result: &Value, date: &str, commit: &str, machine: &str) -> Section {
    let mut md = String::from("## The ledger with 5,000 problems\n\n");
    md.push_str(&format!(
        "Measured {date} at commit `{commit}` on {machine}, in headless {} at 360×640 with the \
CPU slowed {}× (Chrome DevTools' CPU throttling, as Lighthouse's mobile preset), median of {} \
runs.\n\n",
        result["browser"].as_str().unwrap_or("Chromium"),
        result["cpu_slowdown"].as_u64().unwrap_or(4),
        result["runs"].as_u64().unwrap_or(0),
    ));
    md.push_str("| what | median |\n|---|---:|\n");
    md.push_str(&format!(
        "| app start (navigation) to the list's first rows on screen | **{:.2} s** |\n",
        median(&result["start_to_list_ms"]) / 1000.0
    ));
    md.push_str(&format!(
        "| a search typed (and cleared) to the list updated | **{:.0} ms** |\n",
        median(&result["search_ms"])
    ));
    md.push_str(&format!(
        "| a village picked (and cleared) to the list updated | **{:.0} ms** |\n\n",
        median(&result["filter_ms"])
    ));
    md.push_str(
        "How it was measured: `cargo xtask bench` runs `xtask/bench/ledger.mjs`. The release \
server serves the release app from a temporary data folder; the page is opened once (the \
service worker installs), then 5,000 problems are written into its localStorage in the app's \
storage format (18 villages, every kind, a spread of statuses and deadlines, some past, over \
two years; about 3 million characters). With the CPU slowed, the page is reloaded and the time \
from the navigation's start to the first list row is read in the page (polled every frame); \
then a search word is typed and cleared, and a village is picked and cleared, each timed from \
the input event until the list's count has changed and the next frame is drawn. The list \
draws 50 rows at a time (\"show more\" adds the next 50), which is what keeps these figures \
small; before that change the same run took 7.3 s to the list and about 9 s to show all \
5,000 rows again after a search was cleared. The start includes reading and decoding every \
stored problem, which grows with the ledger.\n",
    );
    Section {
        id: "ledger",
        markdown: md,
    }
}
