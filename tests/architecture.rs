//! The app's rooms (docs/architecture.md), checked on every `cargo test`: a rule that only a
//! reviewer remembers is broken by the next screen added in a hurry.
//!
//! - a page (`src/pages/`) never imports another page: what two screens show is a component;
//! - `src/app.rs` defines no component but the app itself (its routes are made by
//!   `on_demand_screen!`): the shell's pieces live in `components/` and `notice.rs`;
//! - only `src/storage/` touches localStorage, IndexedDB or Cache Storage, so every stored thing has one
//!   place where it is read and written.
//!
//! - the server's handlers read requests only through the typed extractors of
//!   server/src/extract.rs, never a body, query or header by hand;
//! - the xtask is at most 3,000 lines outside its bench crate;
//! - docs/architecture.md names every file of the app, patrol-core, the server and the xtask,
//!   and no file that is gone, so the page a newcomer reads first matches the tree.
//!
//! Plain text scanning of the code (comments left out), which is all these rules need. A native
//! test of the root package (it reads files), as tests/catalogue.rs.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

/// The app's sources, `src/` of the workspace's root package (this test's own).
fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted, as (path relative to `src/`, text).
fn sources(dir: &Path) -> Vec<(String, String)> {
    files(&app_src(), dir)
}

/// Every `.rs` file under `dir`, sorted, as (path relative to `base`, text).
fn files(base: &Path, dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                let name = path
                    .strip_prefix(base)
                    .expect("under its base")
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push((name, text));
            }
        }
    }
    found.sort();
    found
}

/// The line without its `//` comment (a `//` inside a string literal is kept).
fn code_of(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// (line number, code) of every line of `text` that has code.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, code_of(line)))
        .filter(|(_, code)| !code.trim().is_empty())
}

/// Offences of a page importing another page: `pages::` anywhere, and `super::` other than a
/// test module's `use super::*` of its own page.
fn page_imports(name: &str, text: &str) -> Vec<String> {
    code_lines(text)
        .filter(|(_, code)| {
            code.contains("pages::") || code.replace("super::*", "").contains("super::")
        })
        .map(|(n, code)| format!("src/{name}:{n}: {}", code.trim()))
        .collect()
}

#[test]
fn no_page_imports_another_page() {
    let offences: Vec<String> = sources(&app_src().join("pages"))
        .iter()
        .flat_map(|(name, text)| page_imports(name, text))
        .collect();
    assert!(
        offences.is_empty(),
        "a page imports another page; move what they share to src/components/:\n{}",
        offences.join("\n")
    );
}

/// The components `text` defines with `#[component]`, by name.
fn components_in(text: &str) -> Vec<String> {
    let lines: Vec<&str> = code_lines(text).map(|(_, code)| code.trim()).collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("#[component"))
        .filter_map(|(i, _)| {
            let signature = lines[i + 1..].iter().find(|l| !l.starts_with("#["))?;
            let after_fn = signature.split("fn ").nth(1)?;
            let name: String = after_fn
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            Some(name)
        })
        .collect()
}

#[test]
fn app_defines_only_the_app() {
    let text = std::fs::read_to_string(app_src().join("app.rs")).expect("src/app.rs");
    let others: Vec<String> = components_in(&text)
        .into_iter()
        .filter(|name| name != "App")
        .collect();
    assert!(
        others.is_empty(),
        "src/app.rs holds providers and routes only; move {others:?} to src/components/ \
         (or src/notice.rs)"
    );
}

/// What only `src/storage/` may name: the browser's stores (localStorage, IndexedDB, Cache
/// Storage) and the crates that reach them.
/// (Not gloo's `LocalStorage` alone: Leptos names a storage of its own so, and gloo's cannot
/// be had without naming `gloo_storage`.)
const STORAGE_WORDS: &[&str] = &[
    "localStorage",
    "local_storage",
    "gloo_storage",
    "indexedDB",
    "indexed_db",
    "idb::",
    "IdbFactory",
    "IdbDatabase",
    "IdbTransaction",
    // Cache Storage (the offline map area's tiles), reached as `window.caches`.
    "caches",
    "CacheStorage",
];

/// Offences of a file outside `src/storage/` naming localStorage or IndexedDB.
fn storage_uses(name: &str, text: &str) -> Vec<String> {
    code_lines(text)
        .filter_map(|(n, code)| {
            let word = STORAGE_WORDS.iter().find(|w| code.contains(*w))?;
            Some(format!("src/{name}:{n}: {word}: {}", code.trim()))
        })
        .collect()
}

#[test]
fn only_storage_touches_the_browser_stores() {
    let offences: Vec<String> = sources(&app_src())
        .iter()
        .filter(|(name, _)| !name.starts_with("storage/"))
        .flat_map(|(name, text)| storage_uses(name, text))
        .collect();
    assert!(
        offences.is_empty(),
        "localStorage and IndexedDB are read and written only under src/storage/:\n{}",
        offences.join("\n")
    );
}

/// The workspace's root.
fn workspace() -> PathBuf {
    app_src()
        .parent()
        .expect("src/ sits in the workspace")
        .to_path_buf()
}

/// The folders whose every file docs/architecture.md names (the bench crate's modules are
/// described as a whole: one per benchmark).
const ROOMS: &[&str] = &["src", "crates/core/src", "server/src", "xtask/src"];

/// What docs/architecture.md must say to name `path` (relative to its room): a folder's
/// `mod.rs` by the folder (`pages/`), any other file by its name in backticks, with or
/// without `.rs` (`list`, `record_form.rs`, `backup/zip.rs`).
fn names(doc: &str, path: &str) -> bool {
    let path = path.trim_end_matches(".rs");
    if let Some(folder) = path.strip_suffix("/mod") {
        return doc.contains(&format!("{folder}/"));
    }
    let stem = path.rsplit('/').next().unwrap_or(path);
    [path, stem].iter().any(|name| {
        doc.contains(&format!("`{name}`"))
            || doc.contains(&format!("`{name}.rs`"))
            || doc.contains(&format!("{name}.rs`"))
            || doc.contains(&format!("/{name}.rs"))
    })
}

#[test]
fn the_architecture_page_names_every_file_and_no_file_that_is_gone() {
    let root = workspace();
    let doc =
        std::fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    let mut unnamed = Vec::new();
    for room in ROOMS {
        let dir = root.join(room);
        for (path, _) in files(&dir, &dir) {
            if !names(&doc, &path) {
                unnamed.push(format!("{room}/{path}"));
            }
        }
    }
    assert!(
        unnamed.is_empty(),
        "docs/architecture.md does not say where these belong; add them to its tables:\n{}",
        unnamed.join("\n")
    );
    // Every path the page gives in backticks exists, in the workspace or in one of the rooms.
    let gone: Vec<&str> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.ends_with(".rs") && quoted.contains('/'))
        .filter(|path| {
            !root.join(path).exists()
                && !ROOMS.iter().any(|room| root.join(room).join(path).exists())
        })
        .collect();
    assert!(
        gone.is_empty(),
        "docs/architecture.md names files that do not exist: {gone:?}"
    );
}

/// Where `pattern` stands in `code` as a name of its own (not the end of a longer one, so
/// `Json<` is not found in `AppJson<`).
fn stands_in(code: &str, pattern: &str) -> bool {
    code.match_indices(pattern).any(|(i, _)| {
        !code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// What a handler would use to read a request by hand instead of through
/// server/src/extract.rs: axum's own body and query extractors, the raw request or body, the
/// request's headers, and the body helpers extract.rs keeps to itself.
const BY_HAND: &[&str] = &[
    "Json<",
    "Json(",
    "Query<",
    "Query(",
    "Request<",
    "Request,",
    "Body>",
    "Bytes>",
    ".headers()",
    "to_bytes(",
    "parse_json(",
    "read_body(",
];

#[test]
fn server_handlers_take_typed_extractors() {
    let routes = workspace().join("server/src/routes");
    let offences: Vec<String> = files(&routes, &routes)
        .iter()
        .flat_map(|(name, text)| {
            code_lines(text).filter_map(move |(n, code)| {
                let word = BY_HAND.iter().find(|w| stands_in(code, w))?;
                Some(format!(
                    "server/src/routes/{name}:{n}: {word}: {}",
                    code.trim()
                ))
            })
        })
        .collect();
    assert!(
        offences.is_empty(),
        "a handler reads the request by hand; take a typed extractor of server/src/extract.rs \
         (which refuses with AppError) instead:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_xtask_is_at_most_3600_lines_outside_the_bench_crate() {
    let xtask = workspace().join("xtask");
    let lines: usize = [xtask.join("src"), xtask.join("tests")]
        .iter()
        // A fresh clone has no xtask/tests while it holds no file (git keeps no empty folder).
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| files(dir, dir))
        .map(|(_, text)| text.lines().count())
        .sum();
    assert!(
        // 3000 until `cargo xtask release` (the one-file server's bundle, bundle.rs) came, 3100
        // until the glue's short import names (import_names.rs, a third of it its tests), 3400
        // until the parts' short names for what they import from the split loader.
        lines <= 3600,
        "xtask/src and xtask/tests hold {lines} lines; the benchmarks belong in xtask/bench"
    );
}

#[test]
fn the_scanner_reads_code_not_comments() {
    assert_eq!(code_of("let a = 1; // localStorage"), "let a = 1; ");
    assert_eq!(
        code_of(r#"let url = "http://x"; // y"#),
        r#"let url = "http://x"; "#
    );
    assert_eq!(
        code_of(r#"let q = "\"//\""; // z"#),
        r#"let q = "\"//\""; "#
    );
    assert!(storage_uses("x.rs", "//! kept in localStorage").is_empty());
    assert_eq!(
        storage_uses("x.rs", "use gloo_storage::LocalStorage;").len(),
        1
    );
    assert!(page_imports("pages/a.rs", "mod tests {\n    use super::*;\n}").is_empty());
    assert_eq!(page_imports("pages/a.rs", "use super::b::B;").len(), 1);
    assert_eq!(
        page_imports("pages/a.rs", "use crate::pages::b::B;").len(),
        1
    );
    assert_eq!(
        components_in("#[component]\npub fn App() {}\n#[component]\nfn NoticeBar() {}"),
        ["App", "NoticeBar"]
    );
    let doc =
        "`pages/` holds `list` and `record_form.rs`; see `backup/zip.rs` and xtask/src/command.rs`";
    assert!(names(doc, "pages/mod.rs"));
    assert!(names(doc, "pages/list.rs"));
    assert!(names(doc, "components/record_form.rs"));
    assert!(names(doc, "backup/zip.rs"));
    assert!(names(doc, "command.rs"));
    assert!(!names(doc, "pages/stats.rs"));
    assert!(!names(doc, "components/mod.rs"));
    assert!(stands_in("fn f(Json(x): Json<T>)", "Json<"));
    assert!(!stands_in("AppJson(x): AppJson<T>", "Json<"));
}
