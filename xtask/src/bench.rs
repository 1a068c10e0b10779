//! `cargo xtask bench`: sizes of the release bundle, raw, gzip and brotli, then the photo
//! compression benchmark ([`crate::compress`]), the sync benchmarks
//! ([`crate::sync_bench`]), the ledger with 5,000 problems ([`crate::ledger_bench`]) and the
//! load test with 50 devices at once ([`crate::load_bench`]).
//!
//! Results go to `target/bench/latest.json` (machine-readable) and `docs/benchmarks.md`.
//! docs/benchmarks.md is made of sections, each between `<!-- bench:NAME -->` and
//! `<!-- /bench:NAME -->`; a benchmark rewrites only its own sections and keeps the rest, so
//! later benchmarks add a [`Section`] to the list in [`run`] (or write their own with
//! [`write_sections`]).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::util::{Ctx, note};

/// A part of docs/benchmarks.md owned by one benchmark.
pub struct Section {
    /// Stable id, used in the markers.
    pub id: &'static str,
    /// Markdown, starting with its `## ` heading.
    pub markdown: String,
}

const DOC_HEADER: &str = "# Benchmarks\n\n\
Written by `cargo xtask bench`. Each section below is rewritten by the benchmark that owns it \
(between its `<!-- bench:… -->` markers); text outside the markers is kept.\n";

/// The facts that go with every measurement.
struct Meta {
    date: String,
    commit: String,
    rustc: String,
    trunk: String,
    wasm_opt: String,
    /// e.g. `opt-level = "z", lto = true, …` from Cargo.toml's [profile.release].
    release_profile: String,
    /// index.html's `data-wasm-opt` level, e.g. `z`.
    wasm_opt_level: String,
    /// CPU model and core count, for timings.
    machine: String,
}

struct FileSize {
    path: String,
    kind: &'static str,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

pub fn run(ctx: &Ctx, dist: &Path) -> Result<()> {
    let meta = meta(ctx);
    let files = measure(dist)?;
    let total = |f: fn(&FileSize) -> u64| files.iter().map(f).sum::<u64>();
    let (raw, gzip, brotli) = (total(|f| f.raw), total(|f| f.gzip), total(|f| f.brotli));

    for f in &files {
        note(&format!(
            "{:<48} {:>9} raw {:>9} gzip {:>9} brotli",
            f.path, f.raw, f.gzip, f.brotli
        ));
    }
    note(&format!(
        "{:<48} {raw:>9} raw {gzip:>9} gzip {brotli:>9} brotli",
        "total"
    ));

    let photo = crate::compress::measure(ctx)?;
    let sync = crate::sync_bench::measure(ctx)?;
    let ledger = crate::ledger_bench::measure(ctx)?;
    let load = crate::load_bench::measure(ctx)?;
    let weight = crate::weight::measure(ctx)?;

    let json = json!({
        "date": meta.date,
        "git_commit": meta.commit,
        "rustc": meta.rustc,
        "trunk": meta.trunk,
        "wasm_opt": meta.wasm_opt,
        "release_profile": meta.release_profile,
        "wasm_opt_level": meta.wasm_opt_level,
        "bundle_size": {
            "unit": "bytes",
            "gzip": "flate2, best (level 9)",
            "brotli": "quality 11, lgwin 22",
            "files": files.iter().map(|f| json!({
                "path": f.path,
                "kind": f.kind,
                "raw": f.raw,
                "gzip": f.gzip,
                "brotli": f.brotli,
            })).collect::<Vec<Value>>(),
            "total": { "raw": raw, "gzip": gzip, "brotli": brotli },
        },
        "machine": meta.machine,
        "photo_compression": photo,
        "sync": sync,
        "ledger_5000": ledger,
        "load": load,
        "first_screen_weight": crate::weight::json(&weight),
    });
    write_json(ctx, "latest.json", &json)?;

    let sections = vec![
        bundle_size_section(&meta, &files, (raw, gzip, brotli)),
        crate::weight::section(&weight, &meta.date, &meta.commit),
        crate::compress::section(&photo, &meta.date, &meta.commit, &meta.machine),
        crate::sync_bench::section(&sync, &meta.date, &meta.commit, &meta.machine),
        crate::load_bench::section(&load, &meta.date, &meta.commit, &meta.machine),
        crate::ledger_bench::section(&ledger, &meta.date, &meta.commit, &meta.machine),
    ];
    let doc = ctx.root.join("docs").join("benchmarks.md");
    write_sections(&doc, &sections)?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

/// `cargo xtask bench --load-only`: the load test alone, into `target/bench/load.json` (not
/// latest.json, which holds one whole run) and its section of docs/benchmarks.md.
pub fn run_load(ctx: &Ctx) -> Result<()> {
    let meta = meta(ctx);
    let load = crate::load_bench::measure(ctx)?;
    let json = json!({
        "date": meta.date,
        "git_commit": meta.commit,
        "machine": meta.machine,
        "load": load,
    });
    write_json(ctx, "load.json", &json)?;
    let section = crate::load_bench::section(&load, &meta.date, &meta.commit, &meta.machine);
    let doc = ctx.root.join("docs").join("benchmarks.md");
    write_sections(&doc, &[section])?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

/// `cargo xtask weight`: what the first screen's wasm is made of, into
/// `target/bench/weight.json` and its section of docs/benchmarks.md.
pub fn run_weight(ctx: &Ctx) -> Result<()> {
    let meta = meta(ctx);
    let weight = crate::weight::measure(ctx)?;
    let json = json!({
        "date": meta.date,
        "git_commit": meta.commit,
        "first_screen_weight": crate::weight::json(&weight),
    });
    write_json(ctx, "weight.json", &json)?;
    let section = crate::weight::section(&weight, &meta.date, &meta.commit);
    let doc = ctx.root.join("docs").join("benchmarks.md");
    write_sections(&doc, &[section])?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

/// `json` into `target/bench/<name>`.
fn write_json(ctx: &Ctx, name: &str, json: &Value) -> Result<()> {
    let out_dir = ctx.root.join("target").join("bench");
    std::fs::create_dir_all(&out_dir)?;
    let path = out_dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(json)? + "\n")?;
    note(&format!("wrote {}", path.display()));
    Ok(())
}

fn meta(ctx: &Ctx) -> Meta {
    let capture = |program: &str, args: &[&str]| {
        ctx.capture(ctx.cmd(program).args(args))
            .unwrap_or_else(|| "unknown".into())
    };
    let mut commit = capture("git", &["rev-parse", "--short=12", "HEAD"]);
    if ctx
        .capture(ctx.cmd("git").args([
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!docs/benchmarks.md",
        ]))
        .is_some_and(|s| !s.is_empty())
    {
        commit.push_str(" (with uncommitted changes)");
    }
    let wasm_opt_bin = ctx.root.join("node_modules/.bin/wasm-opt");
    let cargo_toml = std::fs::read_to_string(ctx.root.join("Cargo.toml")).unwrap_or_default();
    let release_profile = ["opt-level", "lto", "codegen-units", "panic"]
        .iter()
        .filter_map(|key| {
            crate::tools::toml_value(&cargo_toml, "profile.release", key)
                .map(|v| format!("{key} = {v}"))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let wasm_opt_level = crate::split::WASM_OPT_LEVEL.to_owned();
    Meta {
        date: utc_now(),
        commit,
        rustc: capture("rustc", &["--version"]),
        trunk: capture("trunk", &["--version"]),
        // "wasm-opt version 132 (version_132)"
        wasm_opt: ctx
            .capture(std::process::Command::new(wasm_opt_bin).arg("--version"))
            .map(|v| v.trim_start_matches("wasm-opt ").to_owned())
            .unwrap_or_else(|| "unknown".into()),
        release_profile: if release_profile.is_empty() {
            "Cargo's defaults".into()
        } else {
            release_profile
        },
        wasm_opt_level,
        machine: machine(),
    }
}

/// e.g. `Intel(R) Xeon(R) … (2 cores)`, from /proc/cpuinfo where there is one.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("an unknown CPU")
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model} ({cores} cores)")
}

fn measure(dist: &Path) -> Result<Vec<FileSize>> {
    let mut paths = Vec::new();
    collect_files(dist, &mut paths)?;
    let mut files = Vec::new();
    for path in paths {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let rel = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        files.push(FileSize {
            kind: kind(&rel),
            path: rel,
            raw: bytes.len() as u64,
            gzip: gzip_len(&bytes)?,
            brotli: brotli_len(&bytes)?,
        });
    }
    files.sort_by(|a, b| (kind_rank(a.kind), &a.path).cmp(&(kind_rank(b.kind), &b.path)));
    Ok(files)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if !crate::precompress::is_copy(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn kind(path: &str) -> &'static str {
    if crate::split::is_part(path.rsplit('/').next().unwrap_or_default()) {
        return PART;
    }
    match path.rsplit('.').next().unwrap_or_default() {
        "wasm" => "wasm",
        "js" | "mjs" => "js",
        "css" => "css",
        "html" => "html",
        _ => "other",
    }
}

/// The kind of the wasm parts downloaded when a screen first opens (split.rs): not in the shell.
pub const PART: &str = "wasm, on demand";

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "wasm" => 0,
        "js" => 1,
        "css" => 2,
        "html" => 3,
        PART => 4,
        _ => 5,
    }
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    Ok(crate::precompress::gzip(bytes)?.len() as u64)
}

fn brotli_len(bytes: &[u8]) -> Result<u64> {
    Ok(crate::precompress::brotli(bytes)?.len() as u64)
}

/// Trunk's content hash in a file name, replaced by `<hash>` so the table reads the same
/// from one build to the next.
fn without_hash(path: &str) -> String {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), path),
    };
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    let (stem, bg) = match stem.strip_suffix("_bg") {
        Some(s) => (s, "_bg"),
        None => (stem, ""),
    };
    let renamed = match stem.rsplit_once('-') {
        Some((base, hash)) if crate::util::is_trunk_hash(hash) => {
            format!("{base}-<hash>{bg}")
        }
        _ => format!("{stem}{bg}"),
    };
    let dot = if ext.is_empty() { "" } else { "." };
    format!("{dir}{renamed}{dot}{ext}")
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn bundle_size_section(meta: &Meta, files: &[FileSize], total: (u64, u64, u64)) -> Section {
    let mut md = String::from("## Release bundle size\n\n");
    md.push_str(&format!(
        "Measured {} at commit `{}` with {}, {}, wasm-opt {}.\n\n",
        meta.date, meta.commit, meta.rustc, meta.trunk, meta.wasm_opt
    ));
    md.push_str("| file | kind | raw | gzip | brotli |\n|---|---|---:|---:|---:|\n");
    let row = |md: &mut String, name: &str, kind: &str, (raw, gzip, brotli): (u64, u64, u64)| {
        md.push_str(&format!(
            "| {name} | {kind} | {} | {} | {} |\n",
            size(raw),
            size(gzip),
            size(brotli)
        ));
    };
    // The code shared by several parts comes in many small chunks: one line for all of them.
    let (chunks, shown): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|f| f.kind == PART && f.path.starts_with("chunk_"));
    for f in shown {
        let name = format!("`{}`", without_hash(&f.path));
        row(&mut md, &name, f.kind, (f.raw, f.gzip, f.brotli));
    }
    if !chunks.is_empty() {
        let sum = chunks.iter().fold((0, 0, 0), |(r, g, b), f| {
            (r + f.raw, g + f.gzip, b + f.brotli)
        });
        let name = format!(
            "`chunk_*` ({} pieces shared by several parts)",
            chunks.len()
        );
        row(&mut md, &name, PART, sum);
    }
    md.push_str(&format!(
        "| **total** | | **{}** | **{}** | **{}** |\n\n",
        size(total.0),
        size(total.1),
        size(total.2)
    ));
    md.push_str(&format!(
        "How it was measured: `cargo xtask bench` builds the release bundle exactly as \
`cargo xtask dist` does (Trunk for the HTML, CSS and icons; the xtask's split build for the \
wasm: `cargo build --release` with Cargo.toml's release profile, {}; wasm-split; wasm-bindgen; \
wasm-opt -O{} on every module), reads every file in `dist/` and compresses it in memory: gzip with flate2 at \
its best level (9), brotli at quality 11 with a 4 MiB window (lgwin 22). These are the sizes \
the reference server sends: every build writes the same brotli and gzip copies beside the \
files (`dist/*.br`, `dist/*.gz`, not counted here), and the server sends them as they are. KiB = 1024 bytes. The exact byte counts are \
in `target/bench/latest.json`.\n",
        meta.release_profile, meta.wasm_opt_level
    ));
    Section {
        id: "bundle-size",
        markdown: md,
    }
}

/// Replaces each section's text between its markers in `doc` (appending sections not yet
/// there) and keeps everything else.
pub fn write_sections(doc: &Path, sections: &[Section]) -> Result<()> {
    let mut text = std::fs::read_to_string(doc).unwrap_or_else(|_| DOC_HEADER.to_owned());
    for s in sections {
        let start = format!("<!-- bench:{} -->", s.id);
        let end = format!("<!-- /bench:{} -->", s.id);
        let block = format!("{start}\n{}{end}", ensure_newline(&s.markdown));
        match (text.find(&start), text.find(&end)) {
            (Some(a), Some(b)) if b > a => text.replace_range(a..b + end.len(), &block),
            _ => {
                let text_end = text.trim_end().len();
                text.truncate(text_end);
                text.push_str("\n\n");
                text.push_str(&block);
                text.push('\n');
            }
        }
    }
    if let Some(dir) = doc.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(doc, text).with_context(|| format!("cannot write {}", doc.display()))
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n")
    }
}

/// Now in UTC as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
    }

    #[test]
    fn hashes_are_hidden() {
        assert_eq!(
            without_hash("river-patrol-1c5e2e3b0f3a9d41_bg.wasm"),
            "river-patrol-<hash>_bg.wasm"
        );
        assert_eq!(without_hash("main-0123456789abcdef.css"), "main-<hash>.css");
        assert_eq!(
            without_hash("river-patrol-359526a2f68f3a3.js"),
            "river-patrol-<hash>.js"
        );
        assert_eq!(without_hash("icon-192.png"), "icon-192.png");
        assert_eq!(without_hash("index.html"), "index.html");
        assert_eq!(without_hash("icons/icon-192.png"), "icons/icon-192.png");
    }

    #[test]
    fn sections_are_replaced_in_place() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let doc = dir.join("benchmarks.md");
        let _ = std::fs::remove_dir_all(&dir);
        let one = |id, body: &str| Section {
            id,
            markdown: format!("## {id}\n\n{body}\n"),
        };
        write_sections(&doc, &[one("a", "first"), one("b", "second")]).unwrap();
        let mut text = std::fs::read_to_string(&doc).unwrap();
        text.push_str("\nA note someone added by hand.\n");
        std::fs::write(&doc, text).unwrap();
        write_sections(&doc, &[one("a", "third")]).unwrap();
        let text = std::fs::read_to_string(&doc).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(text.starts_with("# Benchmarks"));
        assert!(text.contains("third") && !text.contains("first"));
        assert!(text.contains("second"));
        assert!(text.contains("A note someone added by hand."));
        assert!(text.find("## a").unwrap() < text.find("## b").unwrap());
    }
}
