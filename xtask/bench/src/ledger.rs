//! `cargo xtask bench`, part four: the ledger at township scale. With 5,000 problems stored on
//! the phone and the CPU slowed 4× (Lighthouse's mobile preset), how long from navigation to
//! the list on screen, how long a search or a village filter takes to show its result, and how
//! long the map takes to show them all (issue 26: 1 s or less). xtask/bench/ledger.mjs does
//! the measuring in headless Chromium against the release server serving the release app
//! (dist/).

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::section::Section;
use xtask::command::{Ctx, note};

/// The goal for the map with 5,000 problems, from the tap to the markers drawn.
const MAP_GOAL_MS: f64 = 1000.0;
/// The goal for the map's part: everything a first opening downloads, Leaflet's
/// JavaScript and styles included, at most 60 KB brotli (KB = 1000 bytes).
const MAP_PART_GOAL_BYTES: u64 = 60_000;

/// Measures (the release server is built before, by the sync benchmark or by
/// `--ledger-only`) and returns the figures for latest.json.
pub fn measure(ctx: &Ctx) -> Result<Value> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target"));
    let server = target.join("release").join("river-patrol-server");
    let dist = ctx.root.join("dist");
    let mut result =
        crate::node::node_json(ctx, "ledger.mjs", &[server.as_os_str(), dist.as_os_str()])?;
    result["map_part"] = map_part(&dist, &result["map_first_files"])?;
    note(&format!(
        "5,000 problems: list shown {:.1} s after navigation, search {:.0} ms, filter {:.0} ms, \
map {:.2} s first / {:.2} s again to {} markers (goal {:.0} s) (CPU 4× slower)",
        median(&result["start_to_list_ms"]) / 1000.0,
        median(&result["search_ms"]),
        median(&result["filter_ms"]),
        median(&result["map_first_ms"]) / 1000.0,
        median(&result["map_later_ms"]) / 1000.0,
        result["map_markers"].as_u64().unwrap_or(0),
        MAP_GOAL_MS / 1000.0,
    ));
    Ok(result)
}

/// The files a first opening of the map fetched (`paths`, as the page asked for them), each
/// with its size brotli-compressed as the server sends it, and their total.
fn map_part(dist: &std::path::Path, paths: &Value) -> Result<Value> {
    let mut files = Vec::new();
    let mut total = 0;
    for path in paths
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let file = dist.join(path.trim_start_matches('/'));
        let bytes = std::fs::read(&file)
            .with_context(|| format!("the map fetched {path}, not in {}", dist.display()))?;
        let brotli = xtask::precompress::brotli(&bytes)?.len() as u64;
        total += brotli;
        files.push(json!({ "path": path, "raw": bytes.len(), "brotli": brotli }));
    }
    Ok(json!({ "files": files, "brotli": total, "goal_brotli": MAP_PART_GOAL_BYTES }))
}

/// The map part's table: every file a first opening fetches, and the total against the goal.
fn map_part_table(part: &Value) -> String {
    let Some(files) = part["files"].as_array().filter(|f| !f.is_empty()) else {
        return String::new();
    };
    let kb = |bytes: u64| format!("{:.1} KB", bytes as f64 / 1000.0);
    let mut md = String::from(
        "What the map's first opening downloads (after the list, the first screen, is shown), each file brotli-compressed as the server sends it:\n\n| file | brotli |\n|---|---:|\n",
    );
    // The code the map shares with other screens comes in many small chunks: one row.
    let path = |f: &Value| {
        f["path"]
            .as_str()
            .unwrap_or("?")
            .trim_start_matches('/')
            .to_owned()
    };
    let brotli = |f: &Value| f["brotli"].as_u64().unwrap_or(0);
    let (chunks, own): (Vec<&Value>, Vec<&Value>) =
        files.iter().partition(|f| path(f).starts_with("chunk_"));
    for f in own {
        md.push_str(&format!(
            "| `{}` | {} |\n",
            crate::bundle::without_hash(&path(f)),
            kb(brotli(f))
        ));
    }
    if !chunks.is_empty() {
        md.push_str(&format!(
            "| `chunk_*` ({} pieces of code the map shares with screens other than the list) | {} |\n",
            chunks.len(),
            kb(chunks.iter().map(|f| brotli(f)).sum())
        ));
    }
    let total = part["brotli"].as_u64().unwrap_or(0);
    let met = if total <= MAP_PART_GOAL_BYTES {
        "met"
    } else {
        "**not met**"
    };
    md.push_str(&format!(
        "| **the map's part** | **{}** (goal ≤ {}: {met}) |\n\n",
        kb(total),
        kb(MAP_PART_GOAL_BYTES)
    ));
    md
}

fn median(v: &Value) -> f64 {
    v["median"].as_f64().unwrap_or(f64::NAN)
}

/// A paragraph saying the figures are rough when the runs spread widely (the slowest over
/// twice the fastest) or the machine had more to run than cores (the load average, read before
/// and after the runs): other builds and tests on the same cores slow some runs and not others.
fn busy_machine(result: &Value) -> Option<String> {
    let range = |key: &str| {
        let all: Vec<f64> = result[key]["all"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        let min = all.iter().copied().fold(f64::INFINITY, f64::min);
        let max = all.iter().copied().fold(0.0, f64::max);
        (min, max)
    };
    let timings = [
        ("the map's first opening", "map_first_ms"),
        ("the map again", "map_later_ms"),
        ("the list's start", "start_to_list_ms"),
    ];
    let wide = timings
        .iter()
        .chain(&[("", "search_ms"), ("", "filter_ms")])
        .any(|(_, key)| {
            let (min, max) = range(key);
            max > 2.0 * min
        });
    let load = &result["load_average"];
    let (before, after) = (
        load["before"].as_f64().unwrap_or(0.0),
        load["after"].as_f64().unwrap_or(0.0),
    );
    let cores = result["cores"].as_f64().unwrap_or(f64::INFINITY);
    let busy = before > cores || after > cores;
    if !wide && !busy {
        return None;
    }
    let spreads = timings
        .iter()
        .map(|(what, key)| {
            let (min, max) = range(key);
            format!("{what} {:.2}–{:.2} s", min / 1000.0, max / 1000.0)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!("The runs spread: {spreads}.");
    if busy {
        text.push_str(&format!(
            " The machine was shared with other builds and tests: its load average was {before:.1} \
before the runs and {after:.1} after, on {cores} cores."
        ));
    }
    text.push_str(" Read the medians as rough figures.\n\n");
    Some(text)
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
    md.push_str("| what | median | goal |\n|---|---:|---:|\n");
    md.push_str(&format!(
        "| app start (navigation) to the list's first rows on screen | **{:.2} s** | |\n",
        median(&result["start_to_list_ms"]) / 1000.0
    ));
    md.push_str(&format!(
        "| a search typed (and cleared) to the list updated | **{:.0} ms** | |\n",
        median(&result["search_ms"])
    ));
    md.push_str(&format!(
        "| a village picked (and cleared) to the list updated | **{:.0} ms** | |\n",
        median(&result["filter_ms"])
    ));
    let (first, later) = (
        median(&result["map_first_ms"]),
        median(&result["map_later_ms"]),
    );
    let goal = |ms: f64| {
        let met = if ms <= MAP_GOAL_MS {
            "met"
        } else {
            "**not met**"
        };
        format!("{:.0} s ({met})", MAP_GOAL_MS / 1000.0)
    };
    md.push_str(&format!(
        "| map (地图) opened to its markers drawn, first opening after start (the screen's code and Leaflet loaded too) | **{:.2} s** | {} |\n",
        first / 1000.0,
        goal(first)
    ));
    md.push_str(&format!(
        "| map (地图) opened to its markers drawn, again (both already loaded) | **{:.2} s** | {} |\n\n",
        later / 1000.0,
        goal(later)
    ));
    md.push_str(&format!(
        "The map showed all 5,000 problems (\"{}\") as {} markers, {} of them clusters, fitted to \
the township as it opens.\n\n",
        result["map_count_text"].as_str().unwrap_or("?").trim(),
        result["map_markers"].as_u64().unwrap_or(0),
        result["map_clusters"].as_u64().unwrap_or(0),
    ));
    let (screen, leaflet) = (
        median(&result["map_first_screen_ms"]),
        median(&result["map_first_leaflet_ms"]),
    );
    if screen.is_finite() && leaflet.is_finite() {
        md.push_str(&format!(
            "Where a first opening's time goes (medians): the map screen is on screen after \
{:.2} s (its part of the app's wasm, `map_part`, downloaded from the service worker's cache \
and compiled on first use, as well as leaving the list), Leaflet is loaded after {:.2} s, and \
the rest, to {:.2} s, is opening the map, clustering and drawing the markers, and the next \
frame. A second opening has both already.\n\n",
            screen / 1000.0,
            leaflet / 1000.0,
            first / 1000.0,
        ));
    }
    md.push_str(&map_part_table(&result["map_part"]));
    if let Some(busy) = busy_machine(result) {
        md.push_str(&busy);
    }
    md.push_str(
        "How it was measured: `cargo xtask bench` (or `cargo xtask bench --ledger-only`, against \
dist/ as it is) runs `xtask/bench/ledger.mjs`. The release server serves the release app \
from a temporary data folder; the page is opened once (the \
service worker installs), then 5,000 problems are written into its localStorage in the app's \
storage format (18 villages, every kind, a spread of statuses and deadlines, some past, over \
two years; about 3 million characters). With the CPU slowed, the page is reloaded and the time \
from the navigation's start to the first list row is read in the page (polled every frame); \
then a search word is typed and cleared, and a village is picked and cleared, each timed from \
the input event until the list's count has changed and the next frame is drawn. The list \
draws 50 rows at a time (\"show more\" adds the next 50), which is what keeps these figures \
small; before that change the same run took 7.3 s to the list and about 9 s to show all \
5,000 rows again after a search was cleared. The start includes reading and decoding every \
stored problem, which grows with the ledger. For the map, the page is reloaded to the list and \
地图 in the bottom navigation is tapped (an in-app navigation, as a finger does), timed in the \
page from just before the tap until Leaflet's marker pane has markers and the next frame is \
drawn; then back to the list (记录) and 地图 again. The first opening after each reload loads \
the map screen's part of the wasm, then map-part/map.js (Leaflet's modules that the map uses \
with public/map.js, one file) and map.css as well (from the service worker's cache, as on an \
installed phone); the files it fetches are listed above with their sizes. The second opening \
has them loaded. Both include leaving the list, filtering the \
problems, clustering those in view at the fitted zoom (patrol-core's map_clusters) and \
Leaflet drawing the markers; the map has no basemap here (its grid), so no tiles are waited \
for.\n",
    );
    Section {
        id: "ledger",
        markdown: md,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(map_first: [f64; 3], load: f64) -> Value {
        let all = |xs: &[f64]| json!({ "median": xs[xs.len() / 2], "all": xs });
        json!({
            "runs": 3,
            "start_to_list_ms": all(&[1400.0, 1410.0, 1420.0]),
            "search_ms": all(&[150.0, 152.0, 153.0]),
            "filter_ms": all(&[150.0, 152.0, 153.0]),
            "map_first_ms": all(&map_first),
            "map_later_ms": all(&[180.0, 190.0, 200.0]),
            "map_markers": 16,
            "map_clusters": 16,
            "map_count_text": "地图上 5000 个问题。",
            "load_average": { "before": load, "after": load },
            "cores": 2,
        })
    }

    #[test]
    fn the_map_row_says_whether_the_goal_is_met() {
        let met = section(&result([600.0, 650.0, 700.0], 0.5), "d", "c", "m").markdown;
        assert!(met.contains("| **0.65 s** | 1 s (met) |"), "{met}");
        assert!(
            !met.contains("rough"),
            "a quiet run is not called rough: {met}"
        );
        let not_met = section(&result([1100.0, 1200.0, 1300.0], 0.5), "d", "c", "m").markdown;
        assert!(
            not_met.contains("| **1.20 s** | 1 s (**not met**) |"),
            "{not_met}"
        );
    }

    #[test]
    fn the_map_part_is_every_file_a_first_opening_fetched_against_60_kb() {
        let part = |brotli: [u64; 2]| {
            json!({
                "files": [
                    { "path": "/map-part/map.js", "brotli": brotli[0] },
                    { "path": "/split_map_part-0123456789abcdef.wasm", "brotli": brotli[1] },
                    { "path": "/chunk_7-0123456789abcdef.wasm", "brotli": 300 },
                    { "path": "/chunk_9-0123456789abcdef.wasm", "brotli": 200 },
                ],
                "brotli": brotli[0] + brotli[1] + 500,
            })
        };
        let met = map_part_table(&part([27_600, 30_000]));
        assert!(met.contains("| `map-part/map.js` | 27.6 KB |"), "{met}");
        assert!(
            met.contains("| `split_map_part-<hash>.wasm` | 30.0 KB |"),
            "{met}"
        );
        assert!(
            met.contains("| `chunk_*` (2 pieces of code the map shares with screens other than the list) | 0.5 KB |"),
            "{met}"
        );
        assert!(met.contains("**58.1 KB** (goal ≤ 60.0 KB: met)"), "{met}");
        let over = map_part_table(&part([30_000, 29_501]));
        assert!(over.contains("(goal ≤ 60.0 KB: **not met**)"), "{over}");
        assert_eq!(map_part_table(&Value::Null), "", "no files, no table");
    }

    #[test]
    fn a_wide_spread_or_a_busy_machine_is_told() {
        let wide = busy_machine(&result([400.0, 650.0, 1300.0], 0.5)).unwrap();
        assert!(
            wide.contains("the map's first opening 0.40–1.30 s"),
            "{wide}"
        );
        assert!(!wide.contains("shared"), "{wide}");
        let busy = busy_machine(&result([600.0, 650.0, 700.0], 8.0)).unwrap();
        assert!(
            busy.contains("load average was 8.0 before the runs and 8.0 after, on 2 cores"),
            "{busy}"
        );
    }
}
