//! The i18n catalogue is complete: both languages have the same keys, with the same
//! placeholders, and every key is used by the app (so nothing is shown untranslated and no
//! stale text lingers). Native test; reads locales/*.json, src/ and public/start.js (which
//! shows the `start` section).

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::Path;

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(
                prefix.to_owned(),
                other.as_str().unwrap_or_default().to_owned(),
            );
        }
    }
}

fn catalogue(locale: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{locale}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeMap::new();
    flatten("", &serde_json::from_str(&text).unwrap(), &mut out);
    out
}

fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|name| name.trim().to_owned())
        .collect();
    found.sort();
    found
}

fn app_source() -> String {
    fn walk(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// Whether the app's code names `key` as a catalogue key: written as in `t!(i18n, a.b)`,
/// `td_string!(locale, a.b, …)`, `label!(i18n, a.b)` or a `Variant => a.b` arm of
/// `src/labels.rs`, i.e. after `,`, `(` or `=>`, with no identifier character or dot around
/// it (so `patrols.end_title` does not count as a use of `patrols.end`).
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
fn both_languages_have_the_same_keys_and_placeholders() {
    let zh = catalogue("zh-CN");
    let en = catalogue("en");
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(only_zh.is_empty(), "missing in en: {only_zh:?}");
    assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
    for (key, text) in &zh {
        assert!(!text.trim().is_empty(), "empty zh-CN text for {key}");
        assert!(!en[key].trim().is_empty(), "empty en text for {key}");
        assert_eq!(
            placeholders(text),
            placeholders(&en[key]),
            "placeholders differ in {key}"
        );
    }
}

/// Whether the start-up script (public/start.js, which the xtask gives the `start` section of
/// the catalogue) names `key`: `start.a.b` as `'a.b'`, and an app's name `start.apps.x` as
/// `'x'` in its list of in-app browsers.
fn start_script_names(script: &str, key: &str) -> bool {
    let Some(key) = key.strip_prefix("start.") else {
        return false;
    };
    let named = key.strip_prefix("apps.").unwrap_or(key);
    script.contains(&format!("'{named}'"))
}

#[test]
fn every_key_is_used_by_the_app() {
    let source = app_source();
    let start_script =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("public/start.js"))
            .unwrap();
    let unused: Vec<_> = catalogue("zh-CN")
        .into_keys()
        .filter(|key| {
            if key.starts_with("start.") {
                !start_script_names(&start_script, key)
            } else {
                !names_key(&source, key)
            }
        })
        .collect();
    assert!(
        unused.is_empty(),
        "catalogue keys no screen uses: {unused:?}"
    );
}

#[test]
fn a_key_counts_as_used_only_where_code_names_it() {
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
}
