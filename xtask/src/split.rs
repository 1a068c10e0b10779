//! The app's wasm, split into a first-screen part and parts loaded on demand.
//!
//! The screens a phone does not need at start (new record, detail, follow-up, statistics,
//! import, patrols, settings, connect) are each an `on_demand_screen!` of the routes, and more
//! code the first screen does not run at once (a sync, the export, the filled list and its
//! filter choices, the patrol bar, reading what is stored, the photo store) loads on first use:
//! each is a `#[wasm_split]` split point, `fallible` (src/on_demand.rs says why not Leptos's
//! `#[lazy]` routes), compiled in only with `--cfg rp_split`, which [`WASM_RUSTFLAGS`] sets. Trunk 0.21 cannot split a wasm, so the xtask builds the app's wasm
//! itself, the way `cargo leptos --split` does, and Trunk keeps the rest (CSS, icons, copied
//! files, index.html):
//!
//! 1. `cargo build --release --target wasm32-unknown-unknown`, linked with `--emit-relocs` so
//!    the splitter can move functions between modules;
//! 2. `wasm_split_cli_support` cuts it into the main module, one module per split point and
//!    chunks of code shared by several of them, plus a small JavaScript loader;
//! 3. `wasm-bindgen --target web` on the main module (keeping the exports the parts link to),
//!    then short names for the glue's imports in both files, and for what every part
//!    imports from the loader (import_names.rs);
//! 4. `wasm-opt -Oz` on every module (binaryen from npm, as pinned in Trunk.toml), without
//!    the producers and target-features notes;
//! 5. content hashes in every name, and the start-up script and preload links in index.html.
//!
//! The service worker precaches every part (precache.rs walks dist/), so a screen opens
//! offline as soon as the app has been installed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::command::{Ctx, note};
use crate::minify::{Script, minify};

/// The app's binary and the stem of its JavaScript and wasm names.
const APP: &str = "river-patrol";
const TARGET: &str = "wasm32-unknown-unknown";
/// The loader's and the main module's names while they are built, before their hashes are known.
const LOADER: &str = "__wasm_split.js";
const MAIN_JS: &str = "river-patrol.js";
/// The wasm target's rustflags for the split build: relocations for the splitter, the app's
/// split points on (src/on_demand.rs), and Leptos's `erase_components`, which makes each
/// component's view an `AnyView` and each reactive `{move || ..}` in a view one shared function
/// per output type. Without it a screen's whole view is one nested type whose building code is
/// generated for that screen alone: with it, the map's first opening downloads 4.3 KB less
/// wasm (51.4 to 47.1 KB brotli), for 0.8 KB more on the first screen, still under what it
/// was before the map (docs/benchmarks.md, stop 39).
pub const WASM_RUSTFLAGS_VAR: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";
pub const WASM_RUSTFLAGS: &str = "-Clink-args=--emit-relocs --cfg rp_split --cfg erase_components";
/// wasm-opt's optimisation level for every module: for size.
pub const WASM_OPT_LEVEL: &str = "z";

/// What [`build`] wrote into dist/.
#[derive(Debug)]
pub struct Built {
    pub main_js: String,
    pub main_wasm: String,
    pub loader: String,
    /// The on-demand parts, by file name.
    pub parts: Vec<String>,
}

/// Builds the app's wasm with `features` and writes it, split and hashed, into `dist` (which
/// Trunk has just written), then links it from `dist/index.html`.
pub fn build(ctx: &Ctx, dist: &Path, features: &[&str]) -> Result<Built> {
    let target_dir = ctx.root.join("target");
    let wasm = cargo_build(ctx, &target_dir, features, "")?;
    let work = target_dir.join("split");
    let split = split_and_bind(ctx, &wasm, &work, false)?;
    let modules: Vec<&Path> = std::iter::once(split.main_bg.as_path())
        .chain(split.parts.iter().map(PathBuf::as_path))
        .collect();
    optimize(ctx, &modules)?;
    for module in &modules {
        crate::start::check_features(&module.display().to_string(), &std::fs::read(module)?)?;
    }

    let built = place(ctx, &work, dist, &split.main_bg, &split.parts)?;
    link_from_index(ctx, dist, &built)?;
    note(&format!(
        "split build: {} and {} parts loaded on demand",
        built.main_wasm,
        built.parts.len(),
    ));
    Ok(built)
}

/// The modules [`split_and_bind`] wrote, before wasm-opt.
pub struct Split {
    /// The first screen's module, as wasm-bindgen left it.
    pub main_bg: PathBuf,
    /// The parts loaded on demand, and the chunks they share.
    pub parts: Vec<PathBuf>,
    /// For each split point (`map_part`), the file stems of the modules its first use
    /// downloads: its part and the chunks it shares with other parts.
    pub prefetch: std::collections::HashMap<String, Vec<String>>,
}

/// Cuts the app's `wasm` at its split points into `work` (emptied first), then runs
/// wasm-bindgen on the main module there. `demangle`: readable Rust names in the main
/// module's name section (xtask/bench/src/weight.rs), which the shipped build does not need.
pub fn split_and_bind(ctx: &Ctx, wasm: &Path, work: &Path, demangle: bool) -> Result<Split> {
    if work.exists() {
        std::fs::remove_dir_all(work)
            .with_context(|| format!("cannot clear {}", work.display()))?;
    }
    std::fs::create_dir_all(work)?;

    let input = std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
    let main_unbound = work.join("main.wasm");
    let link_name = format!("./{LOADER}");
    let main_module = format!("./{MAIN_JS}");
    let split = {
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = work;
        opts.main_out_path = &main_unbound;
        opts.link_name = &link_name;
        opts.main_module = &main_module;
        wasm_split_cli_support::transform(opts)
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("wasm-split could not split the app's wasm")?
    };

    let mut bindgen = ctx.cmd("wasm-bindgen");
    bindgen.args(["--target", "web", "--keep-lld-exports", "--no-typescript"]);
    if !demangle {
        bindgen.arg("--no-demangle");
    }
    bindgen
        .args(["--out-name", APP, "--out-dir"])
        .arg(work)
        .arg(&main_unbound);
    ctx.run(&mut bindgen)?;
    if work.join("snippets").exists() {
        bail!("wasm-bindgen wrote JavaScript snippets, which the split build does not copy yet");
    }
    // The glue's import names, shorter in both files (import_names.rs).
    let main_bg = work.join(format!("{APP}_bg.wasm"));
    let glue_path = work.join(MAIN_JS);
    let (wasm, glue) = crate::import_names::shorten(
        &std::fs::read(&main_bg)?,
        &std::fs::read_to_string(&glue_path)?,
        &format!("./{APP}_bg.js"),
    )?;
    std::fs::write(&main_bg, wasm)?;
    std::fs::write(&glue_path, glue)?;
    // What every part imports from the loader, by short names too (import_names.rs).
    let mut parts = Vec::new();
    for part in &split.split_modules {
        parts.push(std::fs::read(part).with_context(|| format!("cannot read {}", part.display()))?);
    }
    let loader_path = work.join(LOADER);
    let (parts, loader) =
        crate::import_names::shorten_shared(&parts, &std::fs::read_to_string(&loader_path)?)?;
    for (path, bytes) in split.split_modules.iter().zip(parts) {
        std::fs::write(path, bytes)?;
    }
    std::fs::write(&loader_path, loader)?;
    Ok(Split {
        main_bg,
        parts: split.split_modules,
        prefetch: split.prefetch_map,
    })
}

/// `wasm-opt` on every module, in place, as many at a time as there are cores; its output
/// (mostly "unknown name subsection" about the parts) is shown only when it fails.
fn optimize(ctx: &Ctx, modules: &[&Path]) -> Result<()> {
    note(&format!(
        "wasm-opt -O{WASM_OPT_LEVEL} on {} modules",
        modules.len()
    ));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for batch in modules.chunks(cores) {
        let mut running = Vec::new();
        for module in batch {
            let child = ctx
                .cmd("wasm-opt")
                .arg(format!("-O{WASM_OPT_LEVEL}"))
                // Two notes no browser reads (what built the module, the features it was
                // built with), in every one of the 500-odd modules: they were about 200 bytes
                // brotli each, a quarter of a small shared chunk (issue 26's map weight).
                .args(["--strip-producers", "--strip-target-features"])
                .arg("--output")
                .arg(module)
                .arg(module)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .context("cannot start wasm-opt")?;
            running.push((module, child));
        }
        for (module, child) in running {
            let out = child.wait_with_output()?;
            if !out.status.success() {
                bail!(
                    "wasm-opt failed on {} ({}):\n{}",
                    module.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
    Ok(())
}

/// The release build of the app's binary into `target_dir`, linked with relocations for the
/// splitter; `extra_rustflags` go after the split build's own.
pub fn cargo_build(
    ctx: &Ctx,
    target_dir: &Path,
    features: &[&str],
    extra_rustflags: &str,
) -> Result<PathBuf> {
    let mut cmd = ctx.cargo();
    cmd.args("build --release --offline --locked".split(' '))
        .args(["--target", TARGET, "--package", APP, "--bin", APP]);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    // Target-specific, so build scripts and proc macros (host code) keep their own flags and
    // their compiled copies. `rp_split` turns the app's split points on (src/on_demand.rs).
    cmd.env(
        WASM_RUSTFLAGS_VAR,
        format!("{WASM_RUSTFLAGS} {extra_rustflags}").trim_end(),
    );
    cmd.env("CARGO_TARGET_DIR", target_dir);
    if std::env::var_os("RUSTFLAGS").is_some()
        || std::env::var_os("CARGO_ENCODED_RUSTFLAGS").is_some()
    {
        bail!(
            "RUSTFLAGS is set: it would replace the --emit-relocs the wasm split needs; unset it"
        );
    }
    ctx.run(&mut cmd)?;
    Ok(target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{APP}.wasm")))
}

/// Copies the modules into dist/ under hashed names and points every reference at them.
fn place(ctx: &Ctx, work: &Path, dist: &Path, main_bg: &Path, parts: &[PathBuf]) -> Result<Built> {
    let mut loader = std::fs::read_to_string(work.join(LOADER))
        .with_context(|| format!("wasm-split wrote no {LOADER}"))?;
    let mut part_names = Vec::new();
    for part in parts {
        let bytes = std::fs::read(part)?;
        let stem = file_stem(part)?;
        let hashed = format!("{stem}-{}.wasm", short_hash(&[&bytes]));
        let reference = format!("\"./{stem}.wasm\"");
        if !loader.contains(&reference) {
            bail!("the split loader does not fetch {stem}.wasm");
        }
        loader = loader.replace(&reference, &format!("\"./{hashed}\""));
        std::fs::write(dist.join(&hashed), &bytes)?;
        part_names.push(hashed);
    }
    part_names.sort();

    // The main module's JavaScript imports the loader and the loader imports it back, so the
    // two (and the main wasm) share one hash, taken over all three before they are renamed.
    let main_js = std::fs::read_to_string(work.join(MAIN_JS))?;
    let main_wasm = std::fs::read(main_bg)?;
    let build = short_hash(&[main_js.as_bytes(), loader.as_bytes(), &main_wasm]);
    let names = Built {
        main_js: format!("{APP}-{build}.js"),
        main_wasm: format!("{APP}-{build}_bg.wasm"),
        loader: format!("__wasm_split-{build}.js"),
        parts: part_names,
    };

    // wasm-bindgen writes one import of the loader per split point. Only the module
    // specifiers change: the import object keeps the wasm's own module name as its key.
    let loader_ref = format!("from \"./{LOADER}\"");
    if !main_js.contains(&loader_ref) {
        bail!("the app's JavaScript does not import the split loader");
    }
    let main_js = main_js.replace(&loader_ref, &format!("from \"./{}\"", names.loader));
    let main_js = replace_once(&main_js, &format!("{APP}_bg.wasm"), &names.main_wasm)
        .context("the app's JavaScript does not name its wasm")?;
    let loader = replace_once(
        &loader,
        &format!("./{MAIN_JS}"),
        &format!("./{}", names.main_js),
    )
    .context("the split loader does not import the app's JavaScript")?;
    std::fs::write(
        dist.join(&names.main_js),
        minify(ctx, &main_js, Script::Module)?,
    )?;
    std::fs::write(dist.join(&names.main_wasm), main_wasm)?;
    std::fs::write(
        dist.join(&names.loader),
        minify(ctx, &loader, Script::Module)?,
    )?;
    Ok(names)
}

/// Puts the start-up script and the preload links at the end of index.html's head.
fn link_from_index(ctx: &Ctx, dist: &Path, built: &Built) -> Result<()> {
    let path = dist.join("index.html");
    let html = std::fs::read_to_string(&path)?;
    if html.contains(&format!("/{APP}-")) {
        bail!("dist/index.html already links a build of the app: is index.html's rust link back?");
    }
    let Built {
        main_js,
        main_wasm,
        loader,
        ..
    } = built;
    // The start-up scripts are files of their own, not inline, so that the server's
    // Content-Security-Policy can forbid inline scripts (server/src/lib.rs). Classic and
    // deferred: they run in order once the page is parsed, even in a browser too old for
    // modules, and only then load the app's module (start.rs).
    let scripts = crate::start::write(ctx, dist, main_js, main_wasm)?;
    // Preloads start the downloads with the HTML; the loader is imported by the app's
    // JavaScript and would otherwise wait for it.
    let tags = format!(
        r#"<link rel="modulepreload" href="/{main_js}">
<link rel="modulepreload" href="/{loader}">
<link rel="modulepreload" href="/{boot}">
<link rel="preload" href="/{main_wasm}" as="fetch" type="application/wasm" crossorigin="anonymous">
<script defer src="/{detect}"></script>
<script defer src="/{start}"></script>
</head>"#,
        boot = scripts.boot_module,
        detect = scripts.feature_detect,
        start = scripts.start,
    );
    let html = replace_once(&html, "</head>", &tags).context("dist/index.html has no </head>")?;
    // Trunk leaves the skipped rust link in place; it means nothing to a browser.
    std::fs::write(&path, without_tag(&html, "data-trunk-skip"))?;
    Ok(())
}

/// `html` without the one tag that holds `marker`: Trunk minifies index.html (Trunk.toml), so
/// the tag may share its line with the rest of the page.
fn without_tag(html: &str, marker: &str) -> String {
    let Some(at) = html.find(marker) else {
        return html.to_owned();
    };
    let start = html[..at].rfind('<').unwrap_or(at);
    let end = html[at..].find('>').map_or(html.len(), |e| at + e + 1);
    format!("{}{}", &html[..start], &html[end..])
}

/// `text` with its one occurrence of `from` replaced; None when it occurs not exactly once.
fn replace_once(text: &str, from: &str, to: &str) -> Option<String> {
    (text.matches(from).count() == 1).then(|| text.replacen(from, to, 1))
}

/// How many hex digits of its SHA-256 a file named by its content carries: 48 bits, ample to
/// tell builds apart and to catch a damaged download, and shorter than Trunk's 16 because the
/// app has some 400 such files, each named twice in the first screen's download (the split
/// loader and the service worker's list), where hex digits do not compress.
pub const NAME_HASH_DIGITS: usize = 12;

/// The first [`NAME_HASH_DIGITS`] hex digits of the SHA-256 of the parts, one after the other.
pub(crate) fn short_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .take(NAME_HASH_DIGITS / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Is `name` (a file name in dist/) one of the on-demand parts [`build`] writes?
pub fn is_part(name: &str) -> bool {
    (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm")
}

fn file_stem(path: &Path) -> Result<&str> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .with_context(|| format!("odd file name {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_once_refuses_a_missing_or_repeated_text() {
        assert_eq!(replace_once("a b", "b", "c").as_deref(), Some("a c"));
        assert_eq!(replace_once("a b b", "b", "c"), None);
        assert_eq!(replace_once("a", "b", "c"), None);
    }

    #[test]
    fn the_skipped_rust_link_goes_minified_or_not() {
        let minified = "<title>t</title><link data-trunk data-trunk-id=0 data-trunk-skip rel=rust><link href=/main.css rel=stylesheet>";
        assert_eq!(
            without_tag(minified, "data-trunk-skip"),
            "<title>t</title><link href=/main.css rel=stylesheet>"
        );
        let pretty =
            "<head>\n  <link data-trunk rel=\"rust\" data-trunk-skip data-trunk-id=\"0\">\n</head>";
        assert_eq!(
            without_tag(pretty, "data-trunk-skip"),
            "<head>\n  \n</head>"
        );
    }

    #[test]
    fn hashes_are_twelve_hex_digits_and_read_as_hashes() {
        let h = short_hash(&[b"wasm"]);
        assert_eq!(h.len(), NAME_HASH_DIGITS);
        assert!(crate::release::is_trunk_hash(&h));
    }
}
