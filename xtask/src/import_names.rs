//! Short import names for the split build's modules (split.rs calls both after wasm-bindgen,
//! before wasm-opt and terser):
//!
//! - [`shorten`]: the first screen's JavaScript imports. wasm-bindgen names each function the
//!   wasm imports from its glue `__wbg_<function>_<16 hex digits>` and writes every name twice:
//!   in the wasm's import section and as a key of the glue's import object. The app has some
//!   380 of them, and their hex digits do not compress: they were about 7 KB of the first
//!   screen's brotli bytes (docs/benchmarks.md, issue 26's "the first screen does not grow").
//!   Each gets the same short name in both files. A name the glue does not hold exactly once,
//!   as its import object's key, is left as it is.
//! - [`shorten_shared`]: what every on-demand part and chunk imports from the split loader
//!   (`__wasm_split.memory`, `__wasm_split.__indirect_function_table`,
//!   `__wasm_split.__wasm_split_shared0`): some 80 bytes of names in each of 500-odd small
//!   modules, which brotli cannot share between files (about 27 bytes a module; the map's
//!   first opening downloads 60-odd of them). The loader hands the same values under the
//!   short names as well.

use anyhow::{Context, Result, bail};

/// The module, both files renamed: `(wasm, glue)`. `module` is the glue's name as the wasm
/// imports it (`./river-patrol_bg.js`).
pub fn shorten(wasm: &[u8], glue: &str, module: &str) -> Result<(Vec<u8>, String)> {
    let Some(imports) = import_section(wasm)? else {
        return Ok((wasm.to_vec(), glue.to_owned()));
    };
    let taken: std::collections::HashSet<&str> = imports
        .iter()
        .filter(|i| i.module == module)
        .map(|i| i.name)
        .collect();
    let mut short = ShortNames::default();
    let mut glue = glue.to_owned();
    let mut names = Vec::new();
    for import in &imports {
        let key = format!("{}:", import.name);
        let renamed = (import.module == module
            && glue.matches(import.name).count() == 1
            && glue.matches(&key).count() == 1)
            .then(|| short.next(&taken));
        names.push(match renamed {
            Some(new) => {
                glue = glue.replacen(&key, &format!("{new}:"), 1);
                (import.module.to_owned(), new)
            }
            None => (import.module.to_owned(), import.name.to_owned()),
        });
    }
    Ok((with_imports(wasm, &imports, &names)?, glue))
}

/// The module the split loader hands every part its shared memory, table and globals under.
const SHARED_MODULE: &str = "__wasm_split";
/// Its short name, and where the loader's code builds the shared imports, which the line
/// giving them their short names follows.
const SHARED_SHORT: &str = "w";
const SHARED_BUILT: &str = "Object.assign(sharedImports.__wasm_split,";

/// `parts` (each on-demand module's bytes) with short names for what they import from the
/// split loader, and `loader` handing the same values under those names too.
pub fn shorten_shared(parts: &[Vec<u8>], loader: &str) -> Result<(Vec<Vec<u8>>, String)> {
    let mut all = Vec::new();
    for part in parts {
        all.push(import_section(part)?.unwrap_or_default());
    }
    // One short name for each shared name, the same in every part.
    let mut shared: Vec<&str> = all
        .iter()
        .flatten()
        .filter(|i| i.module == SHARED_MODULE)
        .map(|i| i.name)
        .collect();
    shared.sort_unstable();
    shared.dedup();
    if all.iter().flatten().any(|i| i.module == SHARED_SHORT) {
        bail!("a part imports from a module named {SHARED_SHORT:?} already");
    }
    let mut short = ShortNames::default();
    let names: std::collections::HashMap<&str, String> = shared
        .iter()
        .map(|&name| (name, short.next(&Default::default())))
        .collect();

    let mut out = Vec::new();
    for (part, imports) in parts.iter().zip(&all) {
        let renamed: Vec<(String, String)> = imports
            .iter()
            .map(
                |i| match names.get(i.name).filter(|_| i.module == SHARED_MODULE) {
                    Some(new) => (SHARED_SHORT.to_owned(), new.clone()),
                    None => (i.module.to_owned(), i.name.to_owned()),
                },
            )
            .collect();
        out.push(if imports.is_empty() {
            part.clone()
        } else {
            with_imports(part, imports, &renamed)?
        });
    }

    let at = loader
        .find(SHARED_BUILT)
        .context("the split loader no longer builds its shared imports as this expects")?;
    let line_end = at
        + loader[at..]
            .find('\n')
            .context("the split loader ends early")?
        + 1;
    let mut fields: Vec<String> = names
        .iter()
        .map(|(name, new)| format!("{new}: sharedImports.{SHARED_MODULE}.{name}"))
        .collect();
    fields.sort();
    let mut loader = loader.to_owned();
    loader.insert_str(
        line_end,
        &format!(
            "        sharedImports.{SHARED_SHORT} = {{ {} }};\n",
            fields.join(", ")
        ),
    );
    Ok((out, loader))
}

/// `wasm`'s imports, if it has an import section.
fn import_section(wasm: &[u8]) -> Result<Option<Vec<Import<'_>>>> {
    let sections = sections(wasm)?;
    let Some(&(_, start, end)) = sections.iter().find(|(id, ..)| *id == IMPORT_SECTION) else {
        return Ok(None);
    };
    imports(&wasm[start..end])
        .context("cannot read the wasm's import section")
        .map(Some)
}

/// `wasm` with its `imports` (as [`import_section`] read them) renamed to `names`, each
/// `(module, name)`; every other section as it was.
fn with_imports(
    wasm: &[u8],
    imports: &[Import<'_>],
    names: &[(String, String)],
) -> Result<Vec<u8>> {
    let mut body = leb(imports.len() as u64);
    for (import, (module, name)) in imports.iter().zip(names) {
        for text in [module, name] {
            body.extend(leb(text.len() as u64));
            body.extend(text.as_bytes());
        }
        body.extend(import.kind);
    }
    let mut out = wasm[..HEADER].to_vec();
    for (id, start, end) in sections(wasm)? {
        let content = if id == IMPORT_SECTION {
            &body[..]
        } else {
            &wasm[start..end]
        };
        out.push(id);
        out.extend(leb(content.len() as u64));
        out.extend(content);
    }
    Ok(out)
}

const HEADER: usize = 8;
const IMPORT_SECTION: u8 = 2;

/// Each section of `wasm`: its id and where its content starts and ends.
fn sections(wasm: &[u8]) -> Result<Vec<(u8, usize, usize)>> {
    if wasm.len() < HEADER || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut at = HEADER;
    let mut found = Vec::new();
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at)? as usize;
        let end = at.checked_add(size).filter(|&e| e <= wasm.len());
        let end = end.context("a wasm section runs past the module's end")?;
        found.push((id, at, end));
        at = end;
    }
    Ok(found)
}

struct Import<'a> {
    module: &'a str,
    name: &'a str,
    /// What is imported, as encoded after the two names.
    kind: &'a [u8],
}

/// The imports of an import section's `content`: functions, tables, memories and globals of
/// the core wasm the app is built with (no compact imports, no typed references).
fn imports(content: &[u8]) -> Result<Vec<Import<'_>>> {
    let mut at = 0;
    let count = read_leb(content, &mut at)?;
    let mut found = Vec::new();
    for _ in 0..count {
        let module = read_text(content, &mut at)?;
        let name = read_text(content, &mut at)?;
        let start = at;
        let kind = *content.get(at).context("an import ends early")?;
        at += 1;
        let limits = |at: &mut usize| -> Result<()> {
            let flags = read_leb(content, at)?;
            read_leb(content, at)?;
            if flags & 1 == 1 {
                read_leb(content, at)?;
            }
            Ok(())
        };
        match kind {
            0 => drop(read_leb(content, &mut at)?),
            1 => {
                at += 1;
                limits(&mut at)?;
            }
            2 => limits(&mut at)?,
            3 => at += 2,
            other => bail!("import {module}.{name} is of kind {other}, which this does not know"),
        }
        let kind = content.get(start..at).context("an import ends early")?;
        found.push(Import { module, name, kind });
    }
    if at != content.len() {
        bail!("the import section holds more than its imports");
    }
    Ok(found)
}

fn read_text<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = read_leb(bytes, at)? as usize;
    let text = bytes
        .get(*at..*at + len)
        .context("a name runs past its section")?;
    *at += len;
    std::str::from_utf8(text).context("a name is not UTF-8")
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes
            .get(*at)
            .context("a number runs past the module's end")?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    bail!("a number in the wasm is too long")
}

fn leb(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// `a`, `b`, … `Z`, then `aa`, `ab`, …: JavaScript identifiers, none `__proto__`, skipping the
/// names the module already imports.
#[derive(Default)]
struct ShortNames(usize);

impl ShortNames {
    const LETTERS: &'static [u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    fn next(&mut self, taken: &std::collections::HashSet<&str>) -> String {
        loop {
            let mut n = self.0;
            self.0 += 1;
            let mut name = Vec::new();
            loop {
                name.push(Self::LETTERS[n % Self::LETTERS.len()]);
                n /= Self::LETTERS.len();
                if n == 0 {
                    break;
                }
                n -= 1;
            }
            let name = String::from_utf8(name).expect("ASCII");
            if !taken.contains(name.as_str()) {
                return name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing two glue functions, one from the split loader and a memory, with a
    /// function section after the imports.
    fn module() -> Vec<u8> {
        let mut imports = leb(4);
        let mut import = |module: &str, name: &str, kind: &[u8]| {
            for text in [module, name] {
                imports.extend(leb(text.len() as u64));
                imports.extend(text.as_bytes());
            }
            imports.extend(kind);
        };
        import("./app_bg.js", "__wbg_appendChild_7465eba84213c75f", &[0, 0]);
        import("./app_bg.js", "__wbg_now_0123456789abcdef", &[0, 1]);
        import("./__wasm_split.js", "__wasm_split_load_map_part", &[0, 0]);
        import("env", "memory", &[2, 1, 1, 2]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // Types: () -> () and () -> f64.
        let types = [2, 0x60, 0, 0, 0x60, 0, 1, 0x7c];
        for (id, content) in [(1u8, &types[..]), (2, &imports[..]), (3, &[1, 0][..])] {
            wasm.push(id);
            wasm.extend(leb(content.len() as u64));
            wasm.extend(content);
        }
        wasm
    }

    const GLUE: &str = "const import0 = { __proto__: null,\n\
        __wbg_appendChild_7465eba84213c75f: function(a, b) { return a.appendChild(b); },\n\
        __wbg_now_0123456789abcdef: function() { return Date.now(); },\n};";

    #[test]
    fn the_glue_functions_get_short_names_in_both_files() {
        let (wasm, glue) = shorten(&module(), GLUE, "./app_bg.js").unwrap();
        assert!(glue.contains("a: function(a, b) { return a.appendChild(b); }"));
        assert!(glue.contains("b: function() { return Date.now(); }"));
        assert!(!glue.contains("7465eba84213c75f"));
        let content = sections(&wasm).unwrap()[1];
        let names: Vec<(&str, &str)> = super::imports(&wasm[content.1..content.2])
            .unwrap()
            .iter()
            .map(|i| (i.module, i.name))
            .collect();
        assert_eq!(
            names,
            [
                ("./app_bg.js", "a"),
                ("./app_bg.js", "b"),
                ("./__wasm_split.js", "__wasm_split_load_map_part"),
                ("env", "memory"),
            ]
        );
        // The sections after the imports are as they were.
        assert!(wasm.ends_with(&[3, 2, 1, 0]));
        assert!(wasm.len() < module().len());
    }

    #[test]
    fn a_name_the_glue_uses_elsewhere_keeps_its_name() {
        let glue = format!("{GLUE}\nconsole.log('__wbg_now_0123456789abcdef');");
        let (wasm, glue) = shorten(&module(), &glue, "./app_bg.js").unwrap();
        assert!(glue.contains("__wbg_now_0123456789abcdef: function()"));
        assert!(glue.contains("a: function(a, b)"));
        let content = sections(&wasm).unwrap()[1];
        let names: Vec<&str> = imports(&wasm[content.1..content.2])
            .unwrap()
            .iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names[..2], ["a", "__wbg_now_0123456789abcdef"]);
    }

    #[test]
    fn short_names_run_through_the_letters_then_pairs_and_skip_names_taken() {
        let taken = ["c"].into_iter().collect();
        let mut names = ShortNames::default();
        let first: Vec<String> = (0..3).map(|_| names.next(&taken)).collect();
        assert_eq!(first, ["a", "b", "d"]);
        let mut names = ShortNames(52);
        assert_eq!(names.next(&taken), "aa");
        assert_eq!(names.next(&taken), "ba");
    }

    /// A part as wasm-split writes it: the loader's memory, table and global, then code.
    fn part(extra: &[(&str, &str)]) -> Vec<u8> {
        let mut list = vec![
            ("__wasm_split", "memory", &[2u8, 0, 1][..]),
            (
                "__wasm_split",
                "__indirect_function_table",
                &[1, 0x70, 0, 1][..],
            ),
            ("__wasm_split", "__wasm_split_shared0", &[3, 0x7f, 0][..]),
        ];
        list.extend(extra.iter().map(|&(m, n)| (m, n, &[2u8, 0, 1][..])));
        let mut imports = leb(list.len() as u64);
        for (module, name, kind) in list {
            for text in [module, name] {
                imports.extend(leb(text.len() as u64));
                imports.extend(text.as_bytes());
            }
            imports.extend(kind);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        for (id, content) in [(2u8, &imports[..]), (12, &[0][..])] {
            wasm.push(id);
            wasm.extend(leb(content.len() as u64));
            wasm.extend(content);
        }
        wasm
    }

    const LOADER: &str = "let sharedImports = undefined;\n\
        function getSharedImports() {\n\
        \x20   if (sharedImports === undefined) {\n\
        \x20       sharedImports = { __wasm_split: {  } };\n\
        \x20       const { __indirect_function_table, __wasm_split_shared0, memory,  } = initSync(undefined, undefined);\n\
        \x20       Object.assign(sharedImports.__wasm_split, { __indirect_function_table, __wasm_split_shared0, memory,  });\n\
        \x20   }\n\
        \x20   return sharedImports;\n\
        }\n";

    #[test]
    fn the_parts_import_the_loaders_shared_values_by_short_names() {
        let parts = [
            part(&[]),
            part(&[("env", "other")]),
            b"\0asm\x01\0\0\0".to_vec(),
        ];
        let (renamed, loader) = shorten_shared(&parts, LOADER).unwrap();
        let names = |wasm: &[u8]| -> Vec<(String, String)> {
            import_section(wasm)
                .unwrap()
                .unwrap_or_default()
                .iter()
                .map(|i| (i.module.to_owned(), i.name.to_owned()))
                .collect()
        };
        let w = |name: &str| ("w".to_owned(), name.to_owned());
        // Sorted: __indirect_function_table, __wasm_split_shared0, memory.
        assert_eq!(names(&renamed[0]), [w("c"), w("a"), w("b")]);
        assert_eq!(
            names(&renamed[1])[3],
            ("env".to_owned(), "other".to_owned())
        );
        // A module without imports is as it was; what follows the imports too.
        assert_eq!(renamed[2], parts[2]);
        assert!(renamed[0].ends_with(&[12, 1, 0]));
        assert!(renamed[0].len() < parts[0].len());
        // The loader hands the same values under the short names, once they are there.
        let line = "sharedImports.w = { a: sharedImports.__wasm_split.__indirect_function_table, \
            b: sharedImports.__wasm_split.__wasm_split_shared0, c: sharedImports.__wasm_split.memory };";
        let at = loader.find(line).expect("the short names are given");
        assert!(at > loader.find("Object.assign").unwrap());
        assert!(at < loader.find("return sharedImports").unwrap());
    }

    #[test]
    fn a_loader_built_otherwise_is_an_error_not_a_broken_app() {
        let err = shorten_shared(&[part(&[])], "sharedImports = {};").unwrap_err();
        assert!(
            err.to_string()
                .contains("no longer builds its shared imports")
        );
    }
}
