//! `cargo xtask bench`, part two: how long the app takes to turn a 12-megapixel camera photo
//! into the stored JPEG, in headless Chromium, and how large the result is.
//!
//! The app is built once more with the `bench` cargo feature (which exports
//! `bench_compress` from src/bench.rs) into target/bench/dist, so the shipped dist/ never
//! carries it; xtask/bench/compress.mjs serves that build, opens it in Debian's Chromium and
//! calls `bench_compress`, which runs the app's own pipeline (`camera::process`) on a
//! synthetic 4000×3000 camera JPEG several times: as it was before the watermark, and as
//! "add photo" runs it now (the EXIF read from the original, the watermark stamped).

use anyhow::Result;
use serde_json::Value;

use crate::section::Section;
use xtask::command::{Ctx, note};

/// 4000×3000 = 12 megapixels, a common phone camera.
const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;
/// Runs per measurement; the median is reported.
const RUNS: u32 = 7;

/// Builds the bench flavour of the app, measures, and returns the figures for latest.json.
pub fn measure(ctx: &Ctx) -> Result<Value> {
    let dist = ctx.root.join("target").join("bench").join("dist");
    xtask::release::release_build(ctx, &dist, &["bench"])?;
    let sizes = [WIDTH, HEIGHT, RUNS].map(|n| n.to_string());
    let mut args = vec![dist.as_os_str()];
    args.extend(sizes.iter().map(std::ffi::OsStr::new));
    let result = crate::node::node_json(ctx, "compress.mjs", &args)?;
    note(&format!(
        "{}×{} JPEG of {} bytes → {}×{}, {} bytes; median {:.0} ms, with EXIF read and \
watermark {:.0} ms, over {} runs",
        result["input_width"],
        result["input_height"],
        result["input_bytes"],
        result["output_width"],
        result["output_height"],
        result["output_bytes"],
        result["median_ms"].as_f64().unwrap_or(f64::NAN),
        result["watermark_median_ms"].as_f64().unwrap_or(f64::NAN),
        RUNS
    ));
    Ok(result)
}

/// The docs/benchmarks.md section for a [`measure`] result.
pub fn section(result: &Value, date: &str, commit: &str, machine: &str) -> Section {
    let num = |key: &str| result[key].as_f64().unwrap_or(f64::NAN);
    let runs = |key: &str| -> Vec<String> {
        result[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_f64)
                    .map(|t| format!("{t:.0}"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kb = |bytes: f64| format!("{:.0} KB", bytes / 1000.0);
    let mut md = String::from("## Photo compression (12-megapixel camera photo)\n\n");
    md.push_str(&format!(
        "Measured {date} at commit `{commit}` in {} on {machine}.\n\n",
        result["browser"].as_str().unwrap_or("headless Chromium"),
    ));
    md.push_str("| | width × height | size |\n|---|---|---:|\n");
    md.push_str(&format!(
        "| camera photo (input) | {} × {} | {} |\n",
        num("input_width"),
        num("input_height"),
        kb(num("input_bytes"))
    ));
    md.push_str(&format!(
        "| stored photo (output) | {} × {} | {} |\n",
        num("output_width"),
        num("output_height"),
        kb(num("output_bytes"))
    ));
    md.push_str(&format!(
        "| stored photo with the watermark | {} × {} | {} |\n\n",
        num("output_width"),
        num("output_height"),
        kb(num("watermark_output_bytes"))
    ));
    md.push_str("| time to process | median | runs |\n|---|---:|---|\n");
    for (what, median, list) in [
        (
            "without the watermark and the EXIF read",
            "median_ms",
            "runs_ms",
        ),
        (
            "**as \"add photo\" does it: EXIF read, watermark stamped**",
            "watermark_median_ms",
            "watermark_runs_ms",
        ),
    ] {
        let times = runs(list);
        md.push_str(&format!(
            "| {what} | **{:.0} ms** | {} runs: {} ms |\n",
            num(median),
            times.len(),
            times.join(", ")
        ));
    }
    md.push('\n');
    md.push_str(
        "How it was measured: `cargo xtask bench` builds the app with the `bench` feature into \
`target/bench/dist` and `xtask/bench/compress.mjs` opens it in headless Chromium. The page \
draws a synthetic outdoor scene (gradients, thousands of soft shapes, sensor-like noise) and \
encodes it as a quality-0.92 JPEG, as phone cameras write, before the clock starts; then the \
app's own photo pipeline (`camera::process`: decode with createImageBitmap, turn upright, \
downscale to a 1600 px long edge on an OffscreenCanvas, JPEG at quality 0.8, lower if over \
400 KB, SHA-256) runs on it repeatedly, timed with `performance.now()`, in two ways each run: \
as before the watermark existed, and as \"add photo\" runs it now, on the same picture with a \
camera's EXIF (DateTimeOriginal and GPS, written with kamadak-exif): the EXIF read from the \
file's first 128 KiB (`camera::read_exif`), then the four-line watermark drawn on its band \
before the encode. A phone is several \
times slower than this machine; the figures are for comparing builds, not a promise. \
KB = 1000 bytes.\n",
    );
    Section {
        id: "photo-compression",
        markdown: md,
    }
}
