//! Pre-compressed copies of the text files of `dist/` (`x.wasm.br`, `x.wasm.gz`, …) at the
//! highest settings, written once per build, so the server sends a first-time visitor the
//! smallest bytes without compressing anything per request (tower-http's `ServeDir` serves
//! `x.br` for `x` when the browser accepts brotli). Brotli quality 11 makes the wasm about a
//! tenth smaller than the fast on-the-fly setting.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Files worth compressing (images are compressed already).
const TEXT: [&str; 8] = [
    "wasm",
    "js",
    "css",
    "html",
    "svg",
    "json",
    "webmanifest",
    "txt",
];

/// The suffixes of the copies; every other step over `dist/` leaves these files out.
pub const SUFFIXES: [&str; 2] = [".br", ".gz"];

/// Whether `path` is one of the copies this module writes.
pub fn is_copy(path: &Path) -> bool {
    let name = path.to_string_lossy();
    SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Writes `<file>.br` and `<file>.gz` beside every text file under `dist`; returns how many
/// files got copies.
pub fn write(dist: &Path) -> Result<usize> {
    let mut files = Vec::new();
    text_files(dist, &mut files)?;
    for file in &files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        std::fs::write(with_suffix(file, ".br"), brotli(&bytes)?)?;
        std::fs::write(with_suffix(file, ".gz"), gzip(&bytes)?)?;
    }
    Ok(files.len())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            text_files(&path, out)?;
        } else if !is_copy(&path)
            && path
                .extension()
                .is_some_and(|e| TEXT.contains(&e.to_string_lossy().as_ref()))
        {
            out.push(path);
        }
    }
    Ok(())
}

pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn text_files_get_both_copies_and_decode_to_the_original() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        let js = "console.log('巡河通');\n".repeat(50);
        std::fs::write(dir.join("app-0123456789abcdef.js"), &js).unwrap();
        std::fs::write(dir.join("icons/icon.png"), [137, 80, 78, 71]).unwrap();
        std::fs::write(dir.join("icons/icon.svg"), "<svg/>").unwrap();

        assert_eq!(write(&dir).unwrap(), 2);
        // Again (a rebuild): the copies themselves get no copies.
        assert_eq!(write(&dir).unwrap(), 2);
        assert!(!dir.join("icons/icon.png.br").exists());
        assert!(dir.join("icons/icon.svg.gz").exists());

        let br = std::fs::read(dir.join("app-0123456789abcdef.js.br")).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, js.as_bytes());
        let gz = std::fs::read(dir.join("app-0123456789abcdef.js.gz")).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, js);
        assert!(is_copy(Path::new("a.wasm.br")) && !is_copy(Path::new("a.wasm")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
