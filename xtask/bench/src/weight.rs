//! `cargo xtask weight`: what the first screen's wasm is made of, by part of the app.
//!
//! The shell budget (budget.rs) is mostly the first screen's wasm, and most of that is
//! framework code generated for the app's own views. Crate names alone hide that (a `tachys`
//! function built for the list page is the list page's weight), so this build names every
//! function with Rust's v0 symbols, which spell out generic arguments, and charges a function
//! to the first module of the app (or of patrol-core) named in it; what names neither goes to
//! its crate. It is a build of its own (`target/weight/`): the shipped one keeps its shorter
//! names, which the split parts import by.
//!
//! Sizes are raw bytes after `wasm-opt -Oz` (`-g` keeps the names): brotli squeezes
//! repetitive generic code harder than unique code, so a part's share of the download is
//! close to, not equal to, its share here.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

use crate::section::Section;
use xtask::command::{Ctx, note};

/// The rows shown in docs/benchmarks.md; the rest are summed into one.
const SHOWN: usize = 40;
/// As many for the map's wasm.
const MAP_SHOWN: usize = 25;

/// One part of the app and the bytes of the first screen's wasm charged to it.
pub struct Share {
    pub part: String,
    pub bytes: u64,
    pub functions: u64,
    /// The part's bytes alone, brotli-compressed as the server sends the wasm: what leaving
    /// it out of the first screen would save, at most (shared patterns compress better
    /// together, so the parts' sum is more than the module's).
    pub brotli: u64,
}

pub struct Weight {
    /// Largest (compressed) first.
    pub shares: Vec<Share>,
    pub total: u64,
}

/// The split point whose first use opens the map (src/pages/map.rs's route).
const MAP_SPLIT: &str = "map_part";

/// What the first screen's wasm is made of, and what the wasm the map's first opening asks
/// for is (issue 26's weight: its part and every chunk it shares with other parts).
pub struct Weights {
    pub first_screen: Weight,
    pub map: Weight,
    /// How many modules the map's first opening asks for.
    pub map_modules: usize,
}

/// Builds the app with v0 names into `target/weight/`, splits it as the release build does,
/// and weighs its first-screen module and the map's modules.
pub fn measure(ctx: &Ctx) -> Result<Weights> {
    let target_dir = ctx.root.join("target").join("weight");
    let wasm = xtask::split::cargo_build(ctx, &target_dir, &[], "-Csymbol-mangling-version=v0")?;
    let work = target_dir.join("split");
    let split = xtask::split::split_and_bind(ctx, &wasm, &work, true)?;
    let first_screen = weigh(&[named(
        ctx,
        &split.main_bg,
        &target_dir.join("first-screen.wasm"),
    )?])?;
    note(&format!(
        "first-screen wasm: {} bytes of code and data in {} parts of the app",
        first_screen.total,
        first_screen.shares.len()
    ));
    let stems = split
        .prefetch
        .get(MAP_SPLIT)
        .with_context(|| format!("the split build has no split point {MAP_SPLIT}"))?;
    let mut modules = Vec::new();
    for stem in stems {
        let file = format!("{stem}.wasm");
        modules.push(named(
            ctx,
            &work.join(&file),
            &target_dir.join("map").join(&file),
        )?);
    }
    let map = weigh(&modules)?;
    note(&format!(
        "the map's wasm: {} bytes of code and data in {} modules",
        map.total,
        modules.len()
    ));
    Ok(Weights {
        first_screen,
        map,
        map_modules: modules.len(),
    })
}

/// `module` through `wasm-opt -Oz -g` (which keeps the names) into `out`; its bytes.
fn named(ctx: &Ctx, module: &std::path::Path, out: &std::path::Path) -> Result<Vec<u8>> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    ctx.run(
        ctx.cmd("wasm-opt")
            .arg(format!("-O{}", xtask::split::WASM_OPT_LEVEL))
            .arg("-g")
            .arg("--output")
            .arg(out)
            .arg(module)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
    )?;
    std::fs::read(out).with_context(|| format!("cannot read {}", out.display()))
}

/// Charges every function body and data segment of `modules` to a part of the app.
pub fn weigh(modules: &[Vec<u8>]) -> Result<Weight> {
    let mut parts: BTreeMap<String, (Vec<u8>, u64)> = BTreeMap::new();
    let mut data: Vec<u8> = Vec::new();
    let mut segments = 0u64;
    for module in modules {
        let (functions, module_data, module_segments) = functions_of(module)?;
        for (name, body) in functions {
            let entry = parts.entry(part_of(&name)).or_default();
            entry.0.extend_from_slice(body);
            entry.1 += 1;
        }
        data.extend_from_slice(&module_data);
        segments += module_segments;
    }
    if segments > 0 {
        parts.insert(
            "data (strings, panic messages, tables)".into(),
            (data, segments),
        );
    }
    let mut shares = Vec::new();
    for (part, (bytes, functions)) in parts {
        shares.push(Share {
            part,
            bytes: bytes.len() as u64,
            functions,
            brotli: xtask::precompress::brotli(&bytes)?.len() as u64,
        });
    }
    shares.sort_by(|a, b| b.brotli.cmp(&a.brotli).then_with(|| a.part.cmp(&b.part)));
    let total = shares.iter().map(|s| s.bytes).sum();
    Ok(Weight { shares, total })
}

/// Every function body of `module` with its name (demangled: the split parts keep the
/// linker's v0 symbols), its data, and how many data segments it has.
type Functions<'a> = (Vec<(String, &'a [u8])>, Vec<u8>, u64);

fn functions_of(module: &[u8]) -> Result<Functions<'_>> {
    let mut imported_functions = 0u32;
    let mut bodies: Vec<&[u8]> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    let mut segments = 0u64;
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                bodies.push(&module[range.start as usize..range.end as usize]);
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    data.extend_from_slice(segment?.data);
                    segments += 1;
                }
            }
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection? {
                            for naming in map {
                                let naming = naming?;
                                let name = rustc_demangle::demangle(naming.name).to_string();
                                names.insert(naming.index, name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if !bodies.is_empty() && names.is_empty() {
        bail!("the module has no function names: was it built with -g?");
    }
    let functions = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let name = names
                .get(&(imported_functions + i as u32))
                .cloned()
                .unwrap_or_default();
            (name, body)
        })
        .collect();
    Ok((functions, data, segments))
}

/// The part of the app a function's (demangled v0) name charges it to: the first module of
/// the app, then of patrol-core, named in it (`app: pages::list`, `patrol-core: record`); else its
/// own crate.
pub fn part_of(name: &str) -> String {
    let name = without_disambiguators(name);
    if let Some(module) = module_after(&name, "river_patrol::", true) {
        return format!("app: {module}");
    }
    if let Some(module) = module_after(&name, "patrol_core::", false) {
        return format!("patrol-core: {module}");
    }
    // Else the crate of the first path in the name: `<f64 as core::fmt::Display>::fmt` is
    // core's.
    name.match_indices("::")
        .find_map(|(i, _)| {
            let ident: String = name[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let whole = name[..i - ident.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            (!ident.is_empty() && whole).then(|| format!("crate {ident}"))
        })
        .unwrap_or_else(|| "other (glue, unnamed)".into())
}

/// `river_patrol[6327a6450cf0f493]::app` → `river_patrol::app`.
fn without_disambiguators(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) if close > 0 && after[..close].bytes().all(|b| b.is_ascii_hexdigit()) => {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The module after `prefix` at its first mention: `pages::list` for a page (`with_pages`),
/// else the first segment, e.g. `sync`.
fn module_after(name: &str, prefix: &str, with_pages: bool) -> Option<String> {
    let at = name
        .match_indices(prefix)
        .find(|(i, _)| {
            // A whole crate name, not the end of a longer one.
            name[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
        })?
        .0;
    let path = &name[at + prefix.len()..];
    let segment = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let first = segment(path);
    if first.is_empty() {
        return None;
    }
    if with_pages && first == "pages" {
        let page = segment(path.strip_prefix("pages::").unwrap_or_default());
        if !page.is_empty() {
            return Some(format!("pages::{page}"));
        }
    }
    Some(first)
}

pub fn json(weights: &Weights) -> Value {
    let parts = |weight: &Weight| {
        json!({
            "unit": "bytes after wasm-opt, uncompressed",
            "total": weight.total,
            "parts": weight.shares.iter().map(|s| json!({
                "part": s.part,
                "bytes": s.bytes,
                "functions": s.functions,
                "brotli_alone": s.brotli,
            })).collect::<Vec<Value>>(),
        })
    };
    let mut value = parts(&weights.first_screen);
    value["map"] = parts(&weights.map);
    value["map"]["modules"] = json!(weights.map_modules);
    value
}

/// The rows of one table: the largest parts (compressed), then the rest summed.
fn table(md: &mut String, weight: &Weight, shown: usize) {
    md.push_str(
        "| part of the app | functions | size | share | brotli, alone |\n|---|---:|---:|---:|---:|\n",
    );
    let percent = |bytes: u64| 100.0 * bytes as f64 / weight.total.max(1) as f64;
    for s in weight.shares.iter().take(shown) {
        md.push_str(&format!(
            "| {} | {} | {:.1} KiB | {:.1} % | {:.1} KiB |\n",
            s.part,
            if s.part.starts_with("data") {
                "—".to_owned()
            } else {
                s.functions.to_string()
            },
            s.bytes as f64 / 1024.0,
            percent(s.bytes),
            s.brotli as f64 / 1024.0
        ));
    }
    let rest = &weight.shares[shown.min(weight.shares.len())..];
    if !rest.is_empty() {
        let bytes: u64 = rest.iter().map(|s| s.bytes).sum();
        let functions: u64 = rest.iter().map(|s| s.functions).sum();
        let brotli: u64 = rest.iter().map(|s| s.brotli).sum();
        md.push_str(&format!(
            "| {} other parts | {functions} | {:.1} KiB | {:.1} % | {:.1} KiB |\n",
            rest.len(),
            bytes as f64 / 1024.0,
            percent(bytes),
            brotli as f64 / 1024.0
        ));
    }
    md.push_str(&format!(
        "| **total** | | **{:.1} KiB** | | |\n\n",
        weight.total as f64 / 1024.0
    ));
}

pub fn section(weights: &Weights, date: &str, commit: &str) -> Section {
    let mut md = String::from("## What the first screen's wasm is made of\n\n");
    md.push_str(&format!("Measured {date} at commit `{commit}`.\n\n"));
    table(&mut md, &weights.first_screen, SHOWN);
    md.push_str(
        "How it was measured: `cargo xtask weight` (also part of `cargo xtask bench`) builds the \
app as the release build does, but with Rust's v0 symbol names, which spell out generic \
arguments; splits it; runs wasm-bindgen and `wasm-opt -Oz -g` (which keeps the names) on the \
first screen's module, and charges each function's size to the first module of the app \
(`app: …`) or of patrol-core (`patrol-core: …`) named in it, else to its crate. So a framework function \
generated for the list page's view counts as `app: pages::list`; `app: pages::list` also \
carries the router's code for the route table, whose first route is the list. Size is raw \
bytes after wasm-opt. Brotli shrinks repetitive generic code far more than unique code, so the \
last column compresses each part's bytes alone, as the server compresses the wasm (quality 11): \
about what taking that part out of the first screen would save (a little more than that, as \
parts compress better together). Rows are in that order. `target/bench/weight.json` has every part.\n\n",
    );
    md.push_str("### The map's wasm\n\n");
    md.push_str(&format!(
        "What the map's first use asks for (issue 26's weight), weighed the same way: its own \
part and the {} chunks it shares with other parts, {} of them in all. A phone that has \
opened the list with records, or another screen, has some of those chunks already; the ledger \
section counts only what the map's first opening after the list downloads.\n\n",
        weights.map_modules.saturating_sub(1),
        weights.map_modules,
    ));
    table(&mut md, &weights.map, MAP_SHOWN);
    Section {
        id: "first-screen-weight",
        markdown: md,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_charged_to_the_app_module_they_were_built_for() {
        let list = "<tachys[458443fb378e75f5]::html::element::HtmlElement<tachys[458443fb378e75f5]::html::element::elements::Li, (), (river_patrol[6327a6450cf0f493]::pages::list::__component_record_row::{closure#0},)> as tachys[458443fb378e75f5]::view::Render>::build";
        assert_eq!(part_of(list), "app: pages::list");
        assert_eq!(part_of("river_patrol[647bfc7db31f8810]::main"), "app: main");
        assert_eq!(
            part_of("patrol_core[726b3f535f434c69]::codec::decode"),
            "patrol-core: codec"
        );
        assert_eq!(
            part_of("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt"),
            "crate core"
        );
        assert_eq!(
            part_of("reactive_graph[0aa1]::graph::subscriber::untrack"),
            "crate reactive_graph"
        );
        assert_eq!(
            part_of("core::slice::sort::stable::quicksort"),
            "crate core"
        );
        assert_eq!(part_of("__wbindgen_malloc"), "other (glue, unnamed)");
        // Not a crate whose name merely ends the same way.
        assert_eq!(part_of("my_river_patrol::x"), "crate my_river_patrol");
    }

    #[test]
    fn a_small_module_is_weighed_by_function_and_data() {
        // (module (import "m" "f" (func)) (func $a) (func $b (nop) (nop)) (data (i32.const 0) "abc"))
        // with a name section naming $a and $b.
        let wasm = wat_module();
        let weight = weigh(std::slice::from_ref(&wasm)).unwrap();
        let by_part: BTreeMap<_, _> = weight
            .shares
            .iter()
            .map(|s| (s.part.as_str(), (s.bytes, s.functions)))
            .collect();
        assert_eq!(by_part["app: pages::list"].1, 1);
        assert_eq!(by_part["patrol-core: record"].1, 1);
        assert_eq!(by_part["data (strings, panic messages, tables)"].0, 3);
        assert_eq!(
            weight.total,
            weight.shares.iter().map(|s| s.bytes).sum::<u64>()
        );
        // Several modules (a part and its chunks) are weighed together, part by part.
        let two = weigh(&[wasm.clone(), wasm]).unwrap();
        assert_eq!(two.total, 2 * weight.total);
        let list = two.shares.iter().find(|s| s.part == "app: pages::list");
        assert_eq!(list.map(|s| s.functions), Some(2));
    }

    /// A hand-assembled module: one imported function, two defined ones, one data segment,
    /// and a name section.
    fn wat_module() -> Vec<u8> {
        fn section(id: u8, body: &[u8]) -> Vec<u8> {
            let mut s = vec![id, body.len() as u8];
            s.extend_from_slice(body);
            s
        }
        fn name(text: &str) -> Vec<u8> {
            let mut s = vec![text.len() as u8];
            s.extend_from_slice(text.as_bytes());
            s
        }
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend(section(1, &[1, 0x60, 0, 0])); // type 0: [] -> []
        m.extend(section(2, &[1, 1, b'm', 1, b'f', 0, 0])); // import m.f: type 0
        m.extend(section(3, &[2, 0, 0])); // two functions of type 0
        m.extend(section(5, &[1, 0, 1])); // one memory, at least 1 page
        m.extend(section(
            10,
            &[2, 2, 0, 0x0b, 4, 0, 0x01, 0x01, 0x0b], // $a: end; $b: nop nop end
        ));
        m.extend(section(11, &[1, 0, 0x41, 0, 0x0b, 3, b'a', b'b', b'c']));
        let a = "river_patrol[1a]::pages::list::row";
        let b = "patrol_core[2b]::record::Record::title";
        let mut map = vec![3u8];
        for (i, n) in [(0u8, "m.f"), (1, a), (2, b)] {
            map.push(i);
            map.extend(name(n));
        }
        let mut names = name("name");
        names.push(1); // function names
        names.push(map.len() as u8);
        names.extend(map);
        m.extend(section(0, &names));
        m
    }
}
