//! `cargo xtask release`: the one file a township installs, the release server with the app
//! built into it (server/build.rs embeds dist/), into target/release-bundle/ with its
//! SHA256SUMS, INSTALL.txt (systemd, Caddy, the first office token) and RELEASE-NOTES.txt.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::command::{Ctx, note};
use crate::server::target_dir;
use crate::tools::toml_value;

pub const RELEASE_SERVER: &str =
    "Release server: cargo build --release -p river-patrol-server (dist/ in it), bundled";

/// The release server (it embeds dist/ when there is one), then its bundle.
pub fn build_server(ctx: &Ctx) -> Result<PathBuf> {
    ctx.run(
        ctx.cargo()
            .args("build --release -p river-patrol-server".split(' ')),
    )?;
    write(ctx)
}

/// target/release-bundle/ from the release server as it is; the one file's path.
pub fn write(ctx: &Ctx) -> Result<PathBuf> {
    let manifest = std::fs::read_to_string(ctx.root.join("server/Cargo.toml"))?;
    let version = toml_value(&manifest, "package", "version").context("no server version")?;
    let server = target_dir(ctx).join("release/river-patrol-server");
    let built_from = ctx
        .capture(ctx.cmd(&server).arg("--version"))
        .context("the release server does not start")?;
    let symbols = ctx
        .capture(ctx.cmd("objdump").arg("-T").arg(&server))
        .context("objdump -T (binutils) failed")?;
    let glibc = min_glibc(&symbols).context("the server names no glibc version")?;
    let out = target_dir(ctx).join("release-bundle");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    let file = format!("river-patrol-server-{version}-linux-x86_64");
    std::fs::copy(&server, out.join(&file))?;
    let size = std::fs::metadata(out.join(&file))?.len();
    let install = include_str!("../release/INSTALL.txt")
        .replace("{version}", &version)
        .replace("{file}", &file)
        .replace("{glibc}", &glibc);
    std::fs::write(out.join("INSTALL.txt"), install)?;
    let notes = format!(
        "River Patrol (巡河通) server {version}\n\nBuilt: {built_from}\nFile: {file} \
         ({:.1} MB; the app inside it)\nNeeds: Linux x86_64, glibc {glibc} or newer\n\n\
         See INSTALL.txt.\n",
        size as f64 / 1e6
    );
    std::fs::write(out.join("RELEASE-NOTES.txt"), notes)?;
    let mut sums = String::new();
    for name in [file.as_str(), "INSTALL.txt", "RELEASE-NOTES.txt"] {
        let hash = Sha256::digest(std::fs::read(out.join(name))?);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(sums, "{hex}  {name}")?;
    }
    std::fs::write(out.join("SHA256SUMS"), sums)?;
    note(&format!(
        "{} ({built_from}, glibc {glibc})",
        out.join(&file).display()
    ));
    Ok(out.join(file))
}

/// The newest `GLIBC_x.y` a binary's dynamic symbols ask for: the oldest glibc it runs on.
fn min_glibc(symbols: &str) -> Option<String> {
    let version = |v: &str| -> Vec<u32> { v.split('.').filter_map(|n| n.parse().ok()).collect() };
    symbols
        .split("GLIBC_")
        .skip(1)
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
                .unwrap_or_default()
        })
        .filter(|v| !v.is_empty())
        .max_by_key(|v| version(v))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_oldest_glibc_is_the_newest_symbol_version() {
        let symbols = "0 DF *UND* 0 (GLIBC_2.2.5) memcpy\n0 DF *UND* 0 (GLIBC_2.34) pthread\n\
                       0 DF *UND* 0 (GLIBC_2.17) clock\n0 DF *UND* 0 GLIBC_PRIVATE x";
        assert_eq!(super::min_glibc(symbols).as_deref(), Some("2.34"));
        assert_eq!(super::min_glibc("nothing"), None);
    }
}
