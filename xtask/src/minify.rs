//! JavaScript minified by terser (npm, package.json) before it goes into dist/: every script
//! of the first screen (wasm-bindgen's glue, the split loader, the start-up script) and the
//! service worker are read before the app can open, and without their comments and with short
//! local names they are a fifth to a half smaller after brotli. Exported names and property
//! names (the wasm's imports, `self.PRECACHE`, message fields) stay as written.

use anyhow::{Context, Result};

use crate::command::Ctx;

/// How the browser runs a script, which decides what terser may rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// An ES module: its top-level names are its own.
    Module,
    /// A classic script (the start-up script, the service worker): its top-level names are
    /// globals another script could read, so they stay.
    Classic,
}

/// `text` minified. terser keeps the syntax of its input (ES5 stays ES5), so the start-up
/// script still runs in the old browsers it is there to turn away kindly.
pub fn minify(ctx: &Ctx, text: &str, script: Script) -> Result<String> {
    let source = tempfile::NamedTempFile::new().context("cannot make a file for terser")?;
    let out = tempfile::NamedTempFile::new().context("cannot make a file for terser")?;
    std::fs::write(source.path(), text)?;
    let mut terser = ctx.cmd("terser");
    if script == Script::Module {
        terser.arg("--module");
    }
    ctx.run(
        terser
            .args(["--compress", "--mangle", "--output"])
            .args([out.path(), source.path()]),
    )?;
    Ok(std::fs::read_to_string(out.path())?)
}
