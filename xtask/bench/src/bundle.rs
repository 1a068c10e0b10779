//! `cargo xtask bench`, part one: the size of every file of the release bundle, raw, gzip
//! (level 9) and brotli (quality 11), as the server sends them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::Meta;
use crate::section::Section;

pub struct FileSize {
    pub path: String,
    pub kind: &'static str,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub fn measure(dist: &Path) -> Result<Vec<FileSize>> {
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
        } else if !xtask::precompress::is_copy(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn kind(path: &str) -> &'static str {
    if xtask::split::is_part(path.rsplit('/').next().unwrap_or_default()) {
        return PART;
    }
    if path.starts_with(MAP_FOLDER) {
        return MAP;
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
/// The map's files (the app's drawing with the Leaflet modules it uses, xtask/map-part.mjs),
/// downloaded when the map first opens: not in the shell either.
pub const MAP: &str = "map, on demand";
/// Where the build writes the map's files.
const MAP_FOLDER: &str = "map-part/";

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "wasm" => 0,
        "js" => 1,
        "css" => 2,
        "html" => 3,
        PART => 4,
        MAP => 5,
        _ => 6,
    }
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    Ok(xtask::precompress::gzip(bytes)?.len() as u64)
}

fn brotli_len(bytes: &[u8]) -> Result<u64> {
    Ok(xtask::precompress::brotli(bytes)?.len() as u64)
}

/// Trunk's content hash in a file name, replaced by `<hash>` so the table reads the same
/// from one build to the next.
pub fn without_hash(path: &str) -> String {
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
        Some((base, hash)) if xtask::release::is_trunk_hash(hash) => {
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

/// The raw, gzip and brotli sizes of all `files`.
pub fn total(files: &[FileSize]) -> (u64, u64, u64) {
    files.iter().fold((0, 0, 0), |(r, g, b), f| {
        (r + f.raw, g + f.gzip, b + f.brotli)
    })
}

/// The first screen's files, the app shell: the HTML, CSS, JavaScript and main wasm (not the
/// parts on demand, the map's files or the icons). The speed budget's shell too (budget.rs).
pub fn is_shell(kind: &str) -> bool {
    matches!(kind, "html" | "css" | "js" | "wasm")
}

/// The first screen just before the map came (issue 26: "the first screen does not grow by a
/// byte"): its shell, brotli, as this bench measures it, from `cargo xtask dist` at commit
/// c6b995d (the last before the map screen), built on 2026-12-07 with the same toolchain.
pub const SHELL_BEFORE_MAP: (u64, &str) = (215_183, "c6b995d");

/// The sizes for latest.json.
pub fn json(files: &[FileSize]) -> serde_json::Value {
    let (raw, gzip, brotli) = total(files);
    let shell: u64 = files
        .iter()
        .filter(|f| is_shell(f.kind))
        .map(|f| f.brotli)
        .sum();
    serde_json::json!({
        "unit": "bytes",
        "gzip": "flate2, best (level 9)",
        "brotli": "quality 11, lgwin 22",
        "files": files.iter().map(|f| serde_json::json!({
            "path": f.path,
            "kind": f.kind,
            "raw": f.raw,
            "gzip": f.gzip,
            "brotli": f.brotli,
        })).collect::<Vec<_>>(),
        "total": { "raw": raw, "gzip": gzip, "brotli": brotli },
        "shell_brotli": shell,
        "shell_brotli_before_map": { "bytes": SHELL_BEFORE_MAP.0, "commit": SHELL_BEFORE_MAP.1 },
    })
}

/// The first screen against before the map: a sentence.
fn first_screen(files: &[FileSize]) -> String {
    let shell: u64 = files
        .iter()
        .filter(|f| is_shell(f.kind))
        .map(|f| f.brotli)
        .sum();
    let (before, commit) = SHELL_BEFORE_MAP;
    let change = match shell.cmp(&before) {
        std::cmp::Ordering::Greater => format!("**{} bytes more** than", shell - before),
        std::cmp::Ordering::Less => format!("{} bytes less than", before - shell),
        std::cmp::Ordering::Equal => "the same as".to_owned(),
    };
    format!(
        "The first screen (the shell: the HTML, CSS, JavaScript and main wasm above, brotli) is \
**{shell} bytes**, {change} just before the map screen came (commit `{commit}`, {before} \
bytes). The map's own files and its wasm part are downloaded when the map first opens: their \
weight is in \"The ledger with 5,000 problems\" below.\n\n"
    )
}

/// The size of the release server, which carries the app when it was built after dist/
/// (server/build.rs): the one file `cargo xtask release` bundles. None before it is built.
pub fn one_file_server(ctx: &xtask::command::Ctx) -> Option<u64> {
    let server = xtask::server::target_dir(ctx).join("release/river-patrol-server");
    Some(std::fs::metadata(server).ok()?.len())
}

pub fn section(meta: &Meta, files: &[FileSize], server: Option<u64>) -> Section {
    let total = total(files);
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
    md.push_str(&first_screen(files));
    if let Some(bytes) = server {
        md.push_str(&format!(
            "**The one-file server** (`cargo xtask release`: the sync server with this bundle \
             and its brotli and gzip copies built into it, what a township installs): **{:.1} MB** \
             ({bytes} bytes, release profile, not compressed).\n\n",
            bytes as f64 / 1e6
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_files_are_on_demand_not_the_shell() {
        assert_eq!(kind("map-part/map.js"), MAP);
        assert_eq!(kind("map-part/map.css"), MAP);
        assert_eq!(kind("river-patrol-359526a2f68f3a3.js"), "js");
        assert_eq!(kind("split_stats_part-0123456789abcdef.wasm"), PART);
    }

    fn file(path: &str, brotli: u64) -> FileSize {
        FileSize {
            path: path.to_owned(),
            kind: kind(path),
            raw: brotli * 3,
            gzip: brotli + 10,
            brotli,
        }
    }

    #[test]
    fn the_first_screen_is_the_shell_against_before_the_map() {
        let before = SHELL_BEFORE_MAP.0;
        let files = |wasm: u64| {
            vec![
                file("index.html", 1_000),
                file("river-patrol-0123456789abcdef_bg.wasm", wasm),
                // Not the first screen: a part, the map's files.
                file("split_map_part-0123456789abcdef.wasm", 30_000),
                file("map-part/map.js", 27_000),
            ]
        };
        let same = first_screen(&files(before - 1_000));
        assert!(
            same.contains(&format!("**{before} bytes**, the same as")),
            "{same}"
        );
        let more = first_screen(&files(before - 990));
        assert!(more.contains("**10 bytes more** than"), "{more}");
        let less = first_screen(&files(before - 1_500));
        assert!(less.contains("500 bytes less than"), "{less}");
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
}
