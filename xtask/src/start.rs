//! The start-up scripts of a build, and the wasm features the build may use.
//!
//! A phone whose browser lacks a wasm feature the app uses cannot compile the app, and without
//! a check first it would show "正在打开…" for ever. So the features are chosen here, once:
//! every module of a build is validated against [`WASM_FEATURES`] (a compiler that starts
//! emitting another feature fails the build, not the phones), and the start-up script
//! (public/start.js) checks the browser for the same list before it loads the app.
//!
//! dist/ gets three scripts: wasm-feature-detect's browser build (npm, package.json), the
//! start-up script with the build's names and the `start` texts of locales/*.json filled in,
//! and the small module that starts the app, which the start-up script loads once the checks
//! pass. docs/compatibility.md has the minimum browser versions that follow from the list.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use wasmparser::{Validator, WasmFeatures};

use crate::command::Ctx;
use crate::minify::{Script, minify};

/// The wasm features the app's build may use, by their name in wasm-feature-detect and in
/// wasmparser: the WebAssembly 2.0 set without SIMD. Rust 1.95's wasm32 target enables
/// exactly these by default. Together they need Chrome/Android WebView 96, Safari/iOS 15 and
/// Firefox 79 (reference types are the newest of them).
pub const WASM_FEATURES: &[(&str, WasmFeatures)] = &[
    ("mutableGlobals", WasmFeatures::MUTABLE_GLOBAL),
    ("signExtensions", WasmFeatures::SIGN_EXTENSION),
    ("saturatedFloatToInt", WasmFeatures::SATURATING_FLOAT_TO_INT),
    ("multiValue", WasmFeatures::MULTI_VALUE),
    ("bulkMemory", WasmFeatures::BULK_MEMORY),
    ("referenceTypes", WasmFeatures::REFERENCE_TYPES),
];

/// Checks that `wasm` uses no feature beyond [`WASM_FEATURES`].
pub fn check_features(name: &str, wasm: &[u8]) -> Result<()> {
    let allowed = WASM_FEATURES
        .iter()
        .fold(WasmFeatures::MVP, |all, (_, f)| all | *f);
    Validator::new_with_features(allowed)
        .validate_all(wasm)
        .map(|_| ())
        .with_context(|| {
            format!(
                "{name} uses a wasm feature beyond those the start-up check knows \
                 (xtask/src/start.rs WASM_FEATURES): add it there, and the browser versions \
                 it needs to docs/compatibility.md, or turn it off"
            )
        })
}

/// The scripts [`write`] put into dist/, by file name.
pub struct StartScripts {
    pub feature_detect: String,
    pub start: String,
    pub boot_module: String,
}

/// Writes the start-up scripts for a build whose JavaScript is `main_js` and wasm `main_wasm`.
pub fn write(ctx: &Ctx, dist: &Path, main_js: &str, main_wasm: &str) -> Result<StartScripts> {
    let root = ctx.root.as_path();
    // The module that starts the app: what the start-up script loads once the checks pass.
    let boot = format!(
        "import init, * as bindings from '/{main_js}';\n\
         try {{ await init({{ module_or_path: '/{main_wasm}' }}); }}\n\
         catch (e) {{ if (window.rpStartFailed) window.rpStartFailed(e); throw e; }}\n\
         window.wasmBindings = bindings;\n"
    );
    let boot_module = hashed_name("boot", "js", boot.as_bytes());
    std::fs::write(dist.join(&boot_module), &boot)?;

    let detect_path = root.join("node_modules/wasm-feature-detect/dist/umd/index.js");
    let detect = std::fs::read(&detect_path)
        .with_context(|| format!("cannot read {} (npm ci)", detect_path.display()))?;
    let feature_detect = hashed_name("wasm-feature-detect", "js", &detect);
    std::fs::write(dist.join(&feature_detect), &detect)?;

    let template = std::fs::read_to_string(root.join("public/start.js"))?;
    let features: Vec<&str> = WASM_FEATURES.iter().map(|(name, _)| *name).collect();
    let mut texts = BTreeMap::new();
    for language in ["zh-CN", "en"] {
        texts.insert(language, start_texts(root, language)?);
    }
    let start = fill(
        &template,
        &[
            (
                "'__BOOT_MODULE__'",
                serde_json::to_string(&format!("/{boot_module}"))?,
            ),
            ("__FEATURES__", serde_json::to_string(&features)?),
            ("__TEXT__", serde_json::to_string(&texts)?),
        ],
    )?;
    // Minified: read before the first screen, and mostly comments as written.
    let start = minify(ctx, &start, Script::Classic)?;
    let start_name = hashed_name("start", "js", start.as_bytes());
    std::fs::write(dist.join(&start_name), &start)?;
    Ok(StartScripts {
        feature_detect,
        start: start_name,
        boot_module,
    })
}

/// The `start` section of locales/`language`.json, flattened to `a.b` keys.
fn start_texts(root: &Path, language: &str) -> Result<BTreeMap<String, String>> {
    fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let key = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    flatten(&key, value, out);
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.as_str().unwrap_or_default().into());
            }
        }
    }
    let path = root.join(format!("locales/{language}.json"));
    let catalogue: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .with_context(|| format!("{} is not JSON", path.display()))?;
    let section = catalogue
        .get("start")
        .with_context(|| format!("{} has no `start` section", path.display()))?;
    let mut out = BTreeMap::new();
    flatten("", section, &mut out);
    Ok(out)
}

/// `template` with each placeholder replaced; every one must occur exactly once.
fn fill(template: &str, values: &[(&str, String)]) -> Result<String> {
    let mut out = template.to_owned();
    for (placeholder, value) in values {
        if out.matches(placeholder).count() != 1 {
            bail!("public/start.js should name {placeholder} exactly once");
        }
        out = out.replace(placeholder, value);
    }
    Ok(out)
}

fn hashed_name(stem: &str, extension: &str, bytes: &[u8]) -> String {
    format!("{stem}-{}.{extension}", crate::split::short_hash(&[bytes]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    #[test]
    fn the_start_up_script_gets_the_build_and_both_languages() {
        let template = std::fs::read_to_string(root().join("public/start.js")).unwrap();
        let zh = start_texts(root(), "zh-CN").unwrap();
        let en = start_texts(root(), "en").unwrap();
        assert_eq!(zh.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        assert!(zh["too_old.title"].contains("浏览器"));
        let filled = fill(
            &template,
            &[
                ("'__BOOT_MODULE__'", "\"/boot-0.js\"".into()),
                ("__FEATURES__", "[\"referenceTypes\"]".into()),
                ("__TEXT__", "{}".into()),
            ],
        )
        .unwrap();
        assert!(!filled.contains("__"), "a placeholder is left");
        assert!(filled.contains("var BOOT_MODULE = \"/boot-0.js\";"));
    }

    #[test]
    fn a_module_using_simd_is_refused_and_one_within_the_list_passes() {
        // (module (func (result i32) i32.const 0 i32.extend8_s)): sign extension, allowed.
        let sign_ext = [
            0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 10, 7, 1, 5, 0, 65, 0,
            192, 11,
        ];
        check_features("sign-ext.wasm", &sign_ext).unwrap();
        // (module (func (result v128) i32.const 0 i8x16.splat)): SIMD, not on the list.
        let simd = [
            0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0,
            253, 15, 11,
        ];
        let error = check_features("simd.wasm", &simd).unwrap_err();
        assert!(format!("{error:#}").contains("WASM_FEATURES"));
    }
}
