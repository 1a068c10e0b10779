//! The release build into dist/, as `cargo xtask dist` makes it: Trunk for the HTML, CSS and
//! icons, then the app's wasm split into parts (split.rs), then the service worker's precache
//! list (precache.rs) and the pre-compressed copies of the text files (precompress.rs).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::command::{Ctx, DistLock, note, step};
use crate::minify::{self, Script};
use crate::tools::{self, Needs};
use crate::{precache, precompress, split};

/// Tools, then the release build into dist/.
pub fn dist(ctx: &Ctx) -> Result<()> {
    step("Tools for the release build", || {
        tools::ensure(
            ctx,
            Needs {
                dist: true,
                ..Needs::default()
            },
        )
    })?;
    build_dist(ctx)
}

pub fn build_dist(ctx: &Ctx) -> Result<()> {
    let _lock = DistLock::acquire(ctx)?;
    step(RELEASE_BUILD, || trunk_build(ctx))
}

/// The step that builds dist/.
pub const RELEASE_BUILD: &str =
    "Release build: trunk build --release, then the split wasm -> dist/";

pub fn trunk_build(ctx: &Ctx) -> Result<()> {
    release_build(ctx, &ctx.root.join("dist"), &[])?;
    check_dist(ctx)?;
    write_precache(&ctx.root.join("dist"))
}

/// The app into `dist`: Trunk for index.html, the CSS and the icons, the map's part, then the
/// wasm with `features`, split (split.rs). The precache list is the caller's.
pub fn release_build(ctx: &Ctx, dist: &Path, features: &[&str]) -> Result<()> {
    ctx.run(
        ctx.cmd("trunk")
            .args(["build", "--release", "--dist"])
            .arg(dist),
    )?;
    minify_worker(ctx, dist)?;
    map_part(ctx, dist)?;
    split::build(ctx, dist, features)?;
    Ok(())
}

/// dist/sw.js, as Trunk copied it, minified: the browser downloads it before the app is
/// installed. Its `self.PRECACHE = null;` line stays a line of its own, right after the
/// `'use strict'` that must open the script, for precache.rs to fill in (and the e2e tests'
/// second builds to rewrite).
fn minify_worker(ctx: &Ctx, dist: &Path) -> Result<()> {
    let path = dist.join(precache::SW);
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let list = format!("\n{}null;\n", precache::LINE_START);
    let (head, code) = source
        .split_once(&list)
        .with_context(|| format!("public/sw.js has no line `{}null;`", precache::LINE_START))?;
    if !head.contains("'use strict';") {
        bail!("public/sw.js should say 'use strict' before its precache line");
    }
    let code = minify::minify(ctx, code, Script::Classic)?;
    std::fs::write(&path, format!("'use strict';{list}{code}"))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The map's on-demand files, `map-part/map.js` and `map-part/map.css` (public/map.js and
/// public/map.css with the parts of Leaflet they use), bundled and minified by esbuild
/// (xtask/map-part.mjs). In `map-part/`, not `map/`: the server's static files would answer
/// the `/map` route with a folder's redirect.
fn map_part(ctx: &Ctx, dist: &Path) -> Result<()> {
    ctx.run(
        ctx.cmd("node")
            .arg("xtask/map-part.mjs")
            .arg(dist.join("map-part")),
    )
}

/// The service worker's list of files to download, with the build version (precache.rs),
/// then the pre-compressed copies of the text files (precompress.rs): last, as sw.js has
/// just changed.
pub fn write_precache(dist: &Path) -> Result<()> {
    write_precache_list(dist)?;
    let count = precompress::write(dist)?;
    note(&format!(
        "{}: brotli (quality 11) and gzip copies of {count} files",
        dist.display()
    ));
    Ok(())
}

/// dist/ has index.html, a hashed .wasm and a hashed .js; lists the files.
pub fn check_dist(ctx: &Ctx) -> Result<()> {
    let dist = ctx.root.join("dist");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dist).with_context(|| format!("no {}", dist.display()))? {
        let entry = entry?;
        let len = entry.metadata()?.len();
        let name = entry.file_name().to_string_lossy().into_owned();
        note(&format!("dist/{name:<44} {len:>9} bytes"));
        names.push(name);
    }
    let hashed = |ext: &str| {
        names.iter().any(|n| {
            n.ends_with(ext)
                && n.split_once('.')
                    .and_then(|(stem, _)| stem.trim_end_matches("_bg").rsplit_once('-'))
                    .is_some_and(|(_, h)| is_trunk_hash(h))
        })
    };
    if !names.iter().any(|n| n == "index.html") || !hashed(".wasm") || !hashed(".js") {
        bail!("dist/ lacks index.html or a hashed .wasm or .js: did Trunk build the app?");
    }
    Ok(())
}

/// The service worker's precache list alone.
pub fn write_precache_list(dist: &Path) -> Result<()> {
    let list = precache::write(dist)?;
    note(&format!(
        "{}/{}: build {}, {} files precached",
        dist.display(),
        precache::SW,
        list.version,
        list.files.len()
    ));
    Ok(())
}

/// Is `hash` a Trunk content hash: a 64-bit number in lower-case hex without leading zeros
/// (usually 16 digits, sometimes fewer)? At least 10 digits, so `icon-192` is no hash.
pub fn is_trunk_hash(hash: &str) -> bool {
    (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}
