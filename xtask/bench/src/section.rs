//! docs/benchmarks.md is made of sections, each between `<!-- bench:NAME -->` and
//! `<!-- /bench:NAME -->`; a benchmark rewrites only its own sections and keeps the rest.
//! A leaf: every benchmark returns a [`Section`], and this module uses none of them.

use std::path::Path;

use anyhow::{Context, Result};

/// A part of docs/benchmarks.md owned by one benchmark.
pub struct Section {
    /// Stable id, used in the markers.
    pub id: &'static str,
    /// Markdown, starting with its `## ` heading.
    pub markdown: String,
}

const DOC_HEADER: &str = "# Benchmarks\n\n\
Written by `cargo xtask bench`. Each section below is rewritten by the benchmark that owns it \
(between its `<!-- bench:… -->` markers); text outside the markers is kept.\n";

/// Replaces each section's text between its markers in `doc` (appending sections not yet
/// there) and keeps everything else.
pub fn write_sections(doc: &Path, sections: &[Section]) -> Result<()> {
    let mut text = std::fs::read_to_string(doc).unwrap_or_else(|_| DOC_HEADER.to_owned());
    for s in sections {
        let start = format!("<!-- bench:{} -->", s.id);
        let end = format!("<!-- /bench:{} -->", s.id);
        let block = format!("{start}\n{}{end}", ensure_newline(&s.markdown));
        match (text.find(&start), text.find(&end)) {
            (Some(a), Some(b)) if b > a => text.replace_range(a..b + end.len(), &block),
            _ => {
                let text_end = text.trim_end().len();
                text.truncate(text_end);
                text.push_str("\n\n");
                text.push_str(&block);
                text.push('\n');
            }
        }
    }
    if let Some(dir) = doc.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(doc, text).with_context(|| format!("cannot write {}", doc.display()))
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_in_place() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let doc = dir.join("benchmarks.md");
        let _ = std::fs::remove_dir_all(&dir);
        let one = |id, body: &str| Section {
            id,
            markdown: format!("## {id}\n\n{body}\n"),
        };
        write_sections(&doc, &[one("a", "first"), one("b", "second")]).unwrap();
        let mut text = std::fs::read_to_string(&doc).unwrap();
        text.push_str("\nA note someone added by hand.\n");
        std::fs::write(&doc, text).unwrap();
        write_sections(&doc, &[one("a", "third")]).unwrap();
        let text = std::fs::read_to_string(&doc).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(text.starts_with("# Benchmarks"));
        assert!(text.contains("third") && !text.contains("first"));
        assert!(text.contains("second"));
        assert!(text.contains("A note someone added by hand."));
        assert!(text.find("## a").unwrap() < text.find("## b").unwrap());
    }
}
