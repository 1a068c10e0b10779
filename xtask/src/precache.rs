//! The service worker's precache list, generated after every Trunk build.
//!
//! Trunk hashes the names of the wasm, JS and CSS it builds, so the list of files the service
//! worker must download cannot be written by hand. After `trunk build`, [`write`] walks `dist/`,
//! takes the SHA-256 of every file except `sw.js` itself, derives a build version from those
//! hashes, and writes the list into `dist/sw.js` in place of its `self.PRECACHE = …;` line:
//!
//! ```js
//! self.PRECACHE = {"version":"3f9c…","files":[{"url":"/index.html","sha256":"…"},…]};
//! ```
//!
//! The list is part of sw.js, so any change to any built file changes sw.js, and that is what
//! makes the browser install the new version. The worker checks each download against its
//! hash before it keeps anything (see public/sw.js and docs/pwa.md).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The service worker's file name, at the root of dist/ (its scope is the whole app).
pub const SW: &str = "sw.js";
/// The start of the one line of sw.js that carries the list.
pub const LINE_START: &str = "self.PRECACHE = ";

/// How many hex digits of a file's SHA-256 the list gives: 128 bits, far beyond any damaged
/// or altered download matching by chance, and half of the digits, which brotli cannot shrink.
pub const LISTED_DIGITS: usize = 32;

fn listed(sha256: &str) -> &str {
    &sha256[..LISTED_DIGITS.min(sha256.len())]
}

/// One file the worker downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Absolute URL path, e.g. `/icons/icon-192.png`.
    pub url: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub bytes: u64,
}

/// The build: its version and every file but sw.js, sorted by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precache {
    pub version: String,
    pub files: Vec<Entry>,
}

impl Precache {
    /// Reads every file under `dist` (but `sw.js` at its root).
    pub fn of_dir(dist: &Path) -> Result<Self> {
        let mut files = Vec::new();
        walk(dist, dist, &mut files)?;
        Ok(Self::from_entries(files))
    }

    /// Sorts the entries and derives the version: the first 16 hex digits of the SHA-256 of
    /// every `url sha256` line, so any change to any file (or its name) is a new version.
    pub fn from_entries(mut files: Vec<Entry>) -> Self {
        files.sort_by(|a, b| a.url.cmp(&b.url));
        let mut all = Sha256::new();
        for f in &files {
            all.update(format!("{} {}\n", f.url, f.sha256));
        }
        let version = hex(&all.finalize())[..16].to_owned();
        Self { version, files }
    }

    /// The JavaScript line that goes into sw.js (no newline). A file named by its content
    /// (the wasm parts: `split_stats_part-<first 12 hex digits of its SHA-256>.wasm`) is listed
    /// by URL alone, and the worker checks it against the name: about 150 such files would
    /// otherwise put 5 KB of incompressible digits into the first visit's download. The others
    /// are listed with the first [`LISTED_DIGITS`] of their SHA-256 (the worker checks that the
    /// download's begins so), and without their size, which the worker does not read.
    pub fn line(&self) -> String {
        let files: Vec<_> = self
            .files
            .iter()
            .map(|f| {
                if named_by_content(&f.url, &f.sha256) {
                    json!({ "url": f.url })
                } else {
                    json!({ "url": f.url, "sha256": listed(&f.sha256) })
                }
            })
            .collect();
        let value = json!({ "version": self.version, "files": files });
        format!("{LINE_START}{value};")
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Entry>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        let rel = path.strip_prefix(root)?;
        let url = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .fold(String::new(), |url, part| url + "/" + &part);
        // The server's pre-compressed copies are the same files, sent for the same URLs.
        if url == format!("/{SW}") || crate::precompress::is_copy(&path) {
            continue;
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        out.push(Entry {
            url,
            sha256: hex(&Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
        });
    }
    Ok(())
}

/// Whether `url`'s file name ends in `-<12 hex digits>.<extension>` and those digits begin
/// `sha256`, as public/sw.js's `nameHash` reads them.
fn named_by_content(url: &str, sha256: &str) -> bool {
    let name = url.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == crate::split::NAME_HASH_DIGITS
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && sha256.starts_with(hash)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Replaces the `self.PRECACHE = …;` line of a service worker's source (the template's
/// `null` or an earlier build's list); fails unless there is exactly one such line.
pub fn inject(sw_source: &str, precache: &Precache) -> Result<String> {
    let lines: Vec<&str> = sw_source.lines().collect();
    let at: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(LINE_START))
        .collect();
    let [at] = at[..] else {
        bail!(
            "{SW} must have exactly one line starting with `{LINE_START}` (found {})",
            at.len()
        );
    };
    let mut out = String::with_capacity(sw_source.len() + 4096);
    for (i, line) in lines.iter().enumerate() {
        if i == at {
            out.push_str(&precache.line());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    Ok(out)
}

/// Generates the list for `dist` and writes it into `dist/sw.js`; returns it.
pub fn write(dist: &Path) -> Result<Precache> {
    let sw = dist.join(SW);
    let source = std::fs::read_to_string(&sw).with_context(|| {
        format!(
            "no {}: index.html must copy public/sw.js (data-trunk rel=\"copy-file\")",
            sw.display()
        )
    })?;
    let precache = Precache::of_dir(dist)?;
    std::fs::write(&sw, inject(&source, &precache)?)
        .with_context(|| format!("cannot write {}", sw.display()))?;
    Ok(precache)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str =
        "'use strict';\n// the list:\nself.PRECACHE = null;\nconst BUILD = self.PRECACHE;\n";

    fn temp_dist(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-precache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html>").unwrap();
        std::fs::write(
            dir.join("app-0123456789abcdef_bg.wasm"),
            [0u8, 97, 115, 109],
        )
        .unwrap();
        std::fs::write(dir.join("icons").join("icon-192.png"), b"png").unwrap();
        std::fs::write(dir.join(SW), TEMPLATE).unwrap();
        dir
    }

    #[test]
    fn lists_every_file_but_the_worker_with_hashes() {
        let dir = temp_dist("list");
        let p = write(&dir).unwrap();
        let urls: Vec<_> = p.files.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/app-0123456789abcdef_bg.wasm",
                "/icons/icon-192.png",
                "/index.html"
            ]
        );
        // SHA-256 of "<!DOCTYPE html>"
        let index = &p.files[2];
        assert_eq!(index.bytes, 15);
        assert_eq!(index.sha256, hex(&Sha256::digest(b"<!DOCTYPE html>")));
        assert_eq!(p.version.len(), 16);

        let sw = std::fs::read_to_string(dir.join(SW)).unwrap();
        assert!(sw.contains(&p.line()));
        assert!(sw.starts_with("'use strict';\n// the list:\nself.PRECACHE = {\""));
        assert!(sw.contains(&format!("\"version\":\"{}\"", p.version)));
        assert!(sw.ends_with(";\nconst BUILD = self.PRECACHE;\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn writing_again_replaces_the_list_and_any_change_is_a_new_version() {
        let dir = temp_dist("again");
        let first = write(&dir).unwrap();
        // Same files: same version, and sw.js itself (now holding a list) is never listed.
        let same = write(&dir).unwrap();
        assert_eq!(first, same);
        // One byte more in one file: a new version.
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html>\n").unwrap();
        let changed = write(&dir).unwrap();
        assert_ne!(first.version, changed.version);
        let sw = std::fs::read_to_string(dir.join(SW)).unwrap();
        assert_eq!(sw.matches(LINE_START).count(), 1);
        assert!(sw.contains(&changed.version) && !sw.contains(&first.version));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_named_by_its_content_is_listed_by_url_alone() {
        let dir = temp_dist("named");
        let part = b"\0asm part";
        let hash = hex(&Sha256::digest(part));
        let name = format!(
            "split_stats_part-{}.wasm",
            &hash[..crate::split::NAME_HASH_DIGITS]
        );
        std::fs::write(dir.join(&name), part).unwrap();
        let p = write(&dir).unwrap();
        let line = p.line();
        assert!(line.contains(&format!("{{\"url\":\"/{name}\"}}")), "{line}");
        assert!(!line.contains(&hash), "{line}");
        // A name whose digits are not the content's keeps its full hash (Trunk's own names,
        // or `app-0123456789abcdef_bg.wasm` here), as do files without digits in the name.
        for f in p.files.iter().filter(|f| !f.url.contains("split_")) {
            let listed = format!("\"sha256\":\"{}\"", &f.sha256[..LISTED_DIGITS]);
            assert!(line.contains(&listed), "{}", f.url);
        }
        assert!(named_by_content(&format!("/{name}"), &hash));
        assert!(!named_by_content("/icons/icon-192.png", &hash));
        assert!(!named_by_content(
            &format!("/{name}"),
            &hex(&Sha256::digest(b"other"))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_renamed_file_is_a_new_version() {
        let entry = |url: &str| Entry {
            url: url.into(),
            sha256: "ab".into(),
            bytes: 1,
        };
        let a = Precache::from_entries(vec![entry("/a.js")]);
        let b = Precache::from_entries(vec![entry("/b.js")]);
        assert_ne!(a.version, b.version);
    }

    #[test]
    fn a_worker_without_its_line_is_refused() {
        let p = Precache::from_entries(Vec::new());
        assert!(inject("console.log(1);\n", &p).is_err());
        assert!(inject("self.PRECACHE = null;\nself.PRECACHE = null;\n", &p).is_err());
        assert!(inject(TEMPLATE, &p).is_ok());
    }

    #[test]
    fn a_missing_worker_is_an_error() {
        let dir = temp_dist("missing");
        std::fs::remove_file(dir.join(SW)).unwrap();
        let err = write(&dir).unwrap_err().to_string();
        assert!(err.contains("sw.js"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
