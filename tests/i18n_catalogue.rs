//! The catalogues `locales/zh-CN.json` and `locales/en.json` are complete and lean: both
//! languages have the same keys, no text is empty, a `{{ variable }}` in one language is in
//! the other, and every key is used by the app's code (a key left behind by a removed screen
//! is caught here, not by a translator wondering where it shows). leptos_i18n already fails
//! the build on a key the code uses and a catalogue lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

const LOCALES: [&str; 2] = ["zh-CN", "en"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every text of a catalogue by its dotted key (`patrols.end_title`).
fn catalogue(locale: &str) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Value::String(text) => {
                out.insert(prefix.to_owned(), text.clone());
            }
            other => panic!("{prefix}: a text must be a string, not {other}"),
        }
    }
    let path = root().join("locales").join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut out = BTreeMap::new();
    walk("", &json, &mut out);
    out
}

/// The `{{ name }}` variables of a text.
fn variables(text: &str) -> BTreeSet<&str> {
    text.split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}").map(|(name, _)| name.trim()))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether the app's code names `key` as a catalogue key: written as in `t!(i18n, a.b)`,
/// `td_string!(locale, a.b, …)`, `label!(i18n, a.b)` or a `Variant => a.b` arm of
/// `src/labels.rs`, i.e. after `,`, `(` or `=>`, with no identifier character around it.
fn names_key(code: &str, key: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    code.match_indices(key).any(|(at, _)| {
        let before = code[..at].trim_end();
        let after = code[at + key.len()..].chars().next();
        !code[..at].ends_with(ident)
            && !after.is_some_and(ident)
            && (before.ends_with(',') || before.ends_with('(') || before.ends_with("=>"))
    })
}

#[test]
fn both_languages_have_the_same_keys() {
    let [zh, en] = LOCALES.map(catalogue);
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "missing in en.json: {only_zh:?}; missing in zh-CN.json: {only_en:?}"
    );
}

#[test]
fn no_text_is_empty_and_variables_match() {
    let [zh, en] = LOCALES.map(catalogue);
    for (locale, texts) in [("zh-CN", &zh), ("en", &en)] {
        let empty: Vec<_> = texts.iter().filter(|(_, t)| t.trim().is_empty()).collect();
        assert!(empty.is_empty(), "{locale}: empty texts {empty:?}");
    }
    let mismatched: Vec<_> = zh
        .iter()
        .filter_map(|(key, text)| {
            let other = en.get(key)?;
            (variables(text) != variables(other)).then_some((key, text, other))
        })
        .collect();
    assert!(
        mismatched.is_empty(),
        "variables differ between zh-CN and en: {mismatched:?}"
    );
}

#[test]
fn every_key_is_used_by_the_app() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let code: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let unused: Vec<String> = catalogue("zh-CN")
        .into_keys()
        .filter(|key| !names_key(&code, key))
        .collect();
    assert!(
        unused.is_empty(),
        "keys no code uses (remove them from both catalogues): {unused:?}"
    );
}

#[test]
fn the_checks_themselves_see_what_they_should() {
    assert!(names_key("{t!(i18n, patrols.end)}", "patrols.end"));
    assert!(names_key(
        "td_string!(locale, list.count, count = n)",
        "list.count"
    ));
    assert!(names_key("    Signage => kinds.signage,", "kinds.signage"));
    assert!(names_key(
        "{t!(use_i18n(), skip_to_content)}",
        "skip_to_content"
    ));
    assert!(!names_key("{t!(i18n, patrols.end_title)}", "patrols.end"));
    assert!(!names_key("let x = settings.village;", "settings.village"));
    assert!(!names_key("t!(i18n, my.patrols.end)", "patrols.end"));
    assert_eq!(
        variables("{{ count }} 条，共 {{total}} 条"),
        BTreeSet::from(["count", "total"])
    );
}
