//! Short names for the first screen's JavaScript imports. wasm-bindgen names each function the
//! wasm imports from its glue `__wbg_<function>_<16 hex digits>` and writes every name twice:
//! in the wasm's import section and as a key of the glue's import object. The app has some 380
//! of them, and their hex digits do not compress: they were about 7 KB of the first screen's
//! brotli bytes (docs/benchmarks.md, issue 26's "the first screen does not grow"). The split
//! build (split.rs) gives each the same short name in both files after wasm-bindgen, before
//! wasm-opt and terser. A name the glue does not hold exactly once, as its import object's
//! key, is left as it is.

use anyhow::{Context, Result, bail};

/// The module, both files renamed: `(wasm, glue)`. `module` is the glue's name as the wasm
/// imports it (`./river-patrol_bg.js`).
pub fn shorten(wasm: &[u8], glue: &str, module: &str) -> Result<(Vec<u8>, String)> {
    let sections = sections(wasm)?;
    let Some(&(_, start, end)) = sections.iter().find(|(id, ..)| *id == IMPORT_SECTION) else {
        return Ok((wasm.to_vec(), glue.to_owned()));
    };
    let imports = imports(&wasm[start..end]).context("cannot read the wasm's import section")?;
    let taken: std::collections::HashSet<&str> = imports
        .iter()
        .filter(|i| i.module == module)
        .map(|i| i.name)
        .collect();
    let mut short = ShortNames::default();
    let mut glue = glue.to_owned();
    let mut body = leb(imports.len() as u64);
    for import in &imports {
        let key = format!("{}:", import.name);
        let renamed = (import.module == module
            && glue.matches(import.name).count() == 1
            && glue.matches(&key).count() == 1)
            .then(|| short.next(&taken));
        let name = match &renamed {
            Some(new) => {
                glue = glue.replacen(&key, &format!("{new}:"), 1);
                new.as_str()
            }
            None => import.name,
        };
        for text in [import.module, name] {
            body.extend(leb(text.len() as u64));
            body.extend(text.as_bytes());
        }
        body.extend(import.kind);
    }
    let mut out = wasm[..HEADER].to_vec();
    for &(id, start, end) in &sections {
        let content = if id == IMPORT_SECTION {
            &body[..]
        } else {
            &wasm[start..end]
        };
        out.push(id);
        out.extend(leb(content.len() as u64));
        out.extend(content);
    }
    Ok((out, glue))
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
}
