//! The watermark (水印) stamped into every stored photo, as 水印相机 apps do: when and where
//! it was taken, the place, who took it, what kind of problem and which record, so a photo
//! cut out of the app still says where it belongs. Fake patrols (虚假巡河) show photos taken
//! elsewhere or years ago; a stamp made at the moment of taking is the first thing an
//! inspector looks for. This module only composes the words and fits them to a band; the
//! app draws them on the canvas (src/camera.rs) and keeps the same text beside the photo
//! (`PhotoRef::watermark`), so what the pixels say can also be read and searched.

use chrono::{DateTime, Datelike, Timelike, Utc};
use uuid::Uuid;

use crate::record::Position;

/// What the watermark tells, as the form holds it at the moment the photo is taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Facts<'a> {
    /// When the photo was taken (the phone's clock).
    pub at: DateTime<Utc>,
    /// The record's (or visit's) position then, if it had one.
    pub position: Option<&'a Position>,
    pub village: &'a str,
    pub place: &'a str,
    /// The official taking the photo.
    pub official: &'a str,
    /// The record's kind, in the user's language.
    pub kind: &'a str,
    pub record: Uuid,
    /// Said after the time when the picture did not come from the camera just now ("相册选取"):
    /// the stamp's time is then when it was added, not when it was taken. Empty for a
    /// camera photo.
    pub origin: &'a str,
}

/// The words of the watermark, one string per line: the time (China Standard Time, to the
/// second, zone named, then the origin if any), the coordinates with their accuracy or `position_unknown`, village
/// and place, then official · kind · the record's short code. Lines with nothing to say are
/// left out; the first two are always there.
pub fn lines(facts: &Facts, position_unknown: &str) -> Vec<String> {
    let time = format!("{} UTC+8", china_time(facts.at));
    let mut lines = vec![joined(&[&time, facts.origin], " · ")];
    lines.push(match facts.position {
        Some(p) => coordinates(p),
        None => position_unknown.to_owned(),
    });
    let place = joined(&[facts.village, facts.place], " ");
    if !place.is_empty() {
        lines.push(place);
    }
    let code = format!("#{}", short_code(facts.record));
    lines.push(joined(&[facts.official, facts.kind, &code], " · "));
    lines
}

/// [`lines`] as stored beside the photo: joined by `'\n'`.
pub fn text(facts: &Facts, position_unknown: &str) -> String {
    lines(facts, position_unknown).join("\n")
}

/// The non-blank `parts`, trimmed, joined by `separator`.
fn joined(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(separator)
}

/// The first 8 hex digits of the record's id, upper-case: enough to find the record in the
/// ledger (whose id column is the full UUID), short enough to read off a photo.
pub fn short_code(id: Uuid) -> String {
    id.simple().to_string()[..8].to_uppercase()
}

/// `2026-11-28 14:05:09` in China Standard Time (UTC+8), as the township's ledger keeps times.
pub fn china_time(at: DateTime<Utc>) -> String {
    // Written out rather than with chrono's `format`, as the ledger's CSV does.
    let t = at.with_timezone(&crate::workflow::china_standard_time());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `31.25000°N 107.54000°E ±8 m`: five decimals (about a metre), the hemisphere as a letter,
/// the accuracy in whole metres when the fix has one (none when typed by hand).
pub fn coordinates(p: &Position) -> String {
    let lat = format!(
        "{:.5}°{}",
        p.latitude.abs(),
        if p.latitude < 0.0 { 'S' } else { 'N' }
    );
    let lon = format!(
        "{:.5}°{}",
        p.longitude.abs(),
        if p.longitude < 0.0 { 'W' } else { 'E' }
    );
    match p.accuracy_m.filter(|a| a.is_finite() && *a >= 0.0) {
        Some(a) => format!("{lat} {lon} ±{a:.0} m"),
        None => format!("{lat} {lon}"),
    }
}

/// Font size as a share of the photo's short edge: a 1600×1200 photo shown 360 px wide (a
/// phone in portrait) still has text of about 12 CSS pixels.
pub const FONT_SHARE: f64 = 0.045;
/// Smallest font tried when the text does not fit into half the photo's height.
pub const MIN_FONT_PX: f64 = 10.0;
/// At most this share of the photo's height is covered by the band (the font shrinks first).
pub const MAX_BAND_SHARE: f64 = 0.5;
/// Line height and the band's inner margin, as multiples of the font size.
pub const LINE_HEIGHT: f64 = 1.3;
pub const PADDING: f64 = 0.6;

/// Where and how large the band and its text are on a photo.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub font_px: f64,
    pub line_height_px: f64,
    /// Inner margin on every side of the text.
    pub padding_px: f64,
    /// The band runs the photo's full width along its bottom edge.
    pub band_height_px: f64,
    /// The watermark's lines wrapped to the band's width, top first.
    pub lines: Vec<String>,
}

/// Fits `lines` into a band along the bottom of a `width`×`height` photo: font size from the
/// short edge ([`FONT_SHARE`]), each line wrapped to the width ([`wrap`]), and the font made
/// smaller while the band would cover more than [`MAX_BAND_SHARE`] of the photo.
/// `measure_em` gives a text's width at a font size of 1 px (the canvas measures it at some
/// size and divides).
pub fn layout(
    lines: &[String],
    width: u32,
    height: u32,
    measure_em: impl Fn(&str) -> f64,
) -> Layout {
    let short = f64::from(width.min(height));
    let mut font = (short * FONT_SHARE).max(MIN_FONT_PX);
    loop {
        let padding = font * PADDING;
        let line_height = font * LINE_HEIGHT;
        let room_em = ((f64::from(width) - 2.0 * padding) / font).max(1.0);
        let wrapped: Vec<String> = lines
            .iter()
            .flat_map(|line| wrap(line, room_em, &measure_em))
            .collect();
        let band = wrapped.len() as f64 * line_height + 2.0 * padding;
        let smaller = (font * 0.85).max(MIN_FONT_PX);
        if band <= f64::from(height) * MAX_BAND_SHARE || smaller >= font {
            return Layout {
                font_px: font,
                line_height_px: line_height,
                padding_px: padding,
                band_height_px: band.min(f64::from(height)),
                lines: wrapped,
            };
        }
        font = smaller;
    }
}

/// CJK ideographs, kana, Hangul and full-width forms: a line may break between any two of
/// them (Chinese is written without spaces).
fn is_wide(c: char) -> bool {
    c as u32 >= 0x2E80
}

/// Full-width punctuation that must not start a line.
fn closes(c: char) -> bool {
    "，。、；：！？）》」』”’".contains(c)
}

fn may_break_between(before: char, after: char) -> bool {
    if after.is_whitespace() || closes(after) {
        return false;
    }
    before.is_whitespace() || is_wide(before) || is_wide(after)
}

/// `line` in pieces that each measure at most `max` (by `measure`, trailing spaces not
/// counted): broken after spaces and between CJK characters where it can, within a word
/// (a long number, a name without spaces) only where it must. Every piece has at least one
/// character, so a character wider than `max` is a line of its own.
pub fn wrap(line: &str, max: f64, measure: impl Fn(&str) -> f64) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    // Byte offset in `current` of the last place it may be broken.
    let mut break_at: Option<usize> = None;
    let mut previous: Option<char> = None;
    for c in line.chars() {
        if previous.is_some_and(|p| may_break_between(p, c)) && !current.trim().is_empty() {
            break_at = Some(current.len());
        }
        previous = Some(c);
        current.push(c);
        if measure(current.trim_end()) <= max {
            continue;
        }
        // Too wide: what follows the last break moves to a new line, or else this character.
        let at = break_at
            .take()
            .unwrap_or_else(|| current.len() - c.len_utf8());
        if at == 0 {
            continue;
        }
        let rest = current.split_off(at);
        push_piece(&mut pieces, &current);
        current = rest.trim_start().to_owned();
        // The rest is one unbreakable word; cut it where it overflows.
        while measure(current.trim_end()) > max && current.chars().count() > 1 {
            let fits = longest_fitting_prefix(&current, max, &measure);
            let rest = current.split_off(fits);
            push_piece(&mut pieces, &current);
            current = rest;
        }
    }
    push_piece(&mut pieces, &current);
    pieces
}

fn push_piece(pieces: &mut Vec<String>, piece: &str) {
    let piece = piece.trim();
    if !piece.is_empty() {
        pieces.push(piece.to_owned());
    }
}

/// Byte length of the longest prefix of `text` (at least one character) that fits `max`.
fn longest_fitting_prefix(text: &str, max: f64, measure: impl Fn(&str) -> f64) -> usize {
    let mut fits = text.chars().next().map_or(0, char::len_utf8);
    for (i, c) in text.char_indices().skip(1) {
        let end = i + c.len_utf8();
        if measure(&text[..end]) > max {
            break;
        }
        fits = end;
    }
    fits
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn position(accuracy_m: Option<f64>) -> Position {
        Position {
            latitude: 31.25,
            longitude: 107.54,
            accuracy_m,
            taken_at: Utc.with_ymd_and_hms(2026, 11, 28, 6, 5, 0).unwrap(),
            source: None,
        }
    }

    fn facts(position: Option<&Position>) -> Facts<'_> {
        Facts {
            // 14:05:09 in China.
            at: Utc.with_ymd_and_hms(2026, 11, 28, 6, 5, 9).unwrap(),
            position,
            village: "杨柳村",
            place: "四组桥头",
            official: "张三",
            kind: "排污口",
            record: Uuid::parse_str("3f2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52").unwrap(),
            origin: "",
        }
    }

    /// A CJK character is 1 em wide, anything else half an em (roughly a sans-serif font).
    fn em(text: &str) -> f64 {
        text.chars()
            .map(|c| if is_wide(c) { 1.0 } else { 0.5 })
            .sum()
    }

    #[test]
    fn the_watermark_names_time_place_official_kind_and_record() {
        let p = position(Some(8.4));
        assert_eq!(
            lines(&facts(Some(&p)), "位置未知"),
            [
                "2026-11-28 14:05:09 UTC+8",
                "31.25000°N 107.54000°E ±8 m",
                "杨柳村 四组桥头",
                "张三 · 排污口 · #3F2B8C1E",
            ]
        );
        assert_eq!(
            text(&facts(Some(&p)), "位置未知"),
            "2026-11-28 14:05:09 UTC+8\n31.25000°N 107.54000°E ±8 m\n杨柳村 四组桥头\n张三 · 排污口 · #3F2B8C1E"
        );
    }

    #[test]
    fn without_a_position_it_says_so_in_the_users_words() {
        let en = lines(&facts(None), "Position unknown");
        assert_eq!(en[1], "Position unknown");
        assert_eq!(lines(&facts(None), "位置未知")[1], "位置未知");
    }

    #[test]
    fn blank_fields_leave_no_stray_separators() {
        let mut f = facts(None);
        f.village = " ";
        f.place = "";
        f.official = "";
        assert_eq!(
            lines(&f, "位置未知"),
            [
                "2026-11-28 14:05:09 UTC+8",
                "位置未知",
                "排污口 · #3F2B8C1E"
            ]
        );
        f.place = "四组桥头";
        assert_eq!(lines(&f, "位置未知")[2], "四组桥头");
    }

    #[test]
    fn a_picture_from_the_gallery_says_so_after_the_time() {
        let mut f = facts(None);
        f.origin = "相册选取";
        assert_eq!(
            lines(&f, "位置未知")[0],
            "2026-11-28 14:05:09 UTC+8 · 相册选取"
        );
    }

    #[test]
    fn china_time_crosses_midnight_and_keeps_seconds() {
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 59).unwrap();
        assert_eq!(china_time(late), "2027-01-01 00:00:59");
    }

    #[test]
    fn coordinates_name_the_hemisphere_and_the_accuracy_when_there_is_one() {
        assert_eq!(
            coordinates(&position(None)),
            "31.25000°N 107.54000°E",
            "typed by hand: no accuracy to claim"
        );
        let mut p = position(Some(12.5));
        p.latitude = -33.868_82;
        p.longitude = -70.6;
        assert_eq!(coordinates(&p), "33.86882°S 70.60000°W ±12 m");
        p.accuracy_m = Some(f64::NAN);
        assert_eq!(coordinates(&p), "33.86882°S 70.60000°W");
    }

    #[test]
    fn the_short_code_is_the_ids_first_eight_hex_digits() {
        let id = Uuid::parse_str("0a2b8c1e-5a47-4d6b-9e21-7c0d4a8f1b52").unwrap();
        assert_eq!(short_code(id), "0A2B8C1E");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_between_chinese_characters() {
        assert_eq!(wrap("short", 10.0, em), ["short"]);
        assert_eq!(
            wrap("Yangliu village bridge", 4.0, em),
            ["Yangliu", "village", "bridge"]
        );
        // Six characters of 1 em in lines of 4 em.
        assert_eq!(wrap("杨柳村四组桥", 4.0, em), ["杨柳村四", "组桥"]);
        // Chinese punctuation stays with the character before it.
        assert_eq!(wrap("杨柳村，四组", 3.0, em), ["杨柳", "村，四", "组"]);
        // A coordinate is one word: never broken inside while a space is available.
        assert_eq!(
            wrap("31.25000°N 107.54000°E ±8 m", 6.0, em),
            ["31.25000°N", "107.54000°E", "±8 m"]
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_where_it_must() {
        assert_eq!(wrap("abcdefghij", 2.0, em), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("x abcdefghij", 2.0, em), ["x", "abcd", "efgh", "ij"]);
        // A character wider than the line still gets a line of its own.
        assert_eq!(wrap("杨柳", 0.5, em), ["杨", "柳"]);
        assert!(wrap("", 5.0, em).is_empty());
        assert!(wrap("   ", 5.0, em).is_empty());
    }

    #[test]
    fn every_wrapped_piece_fits_and_nothing_is_lost() {
        let line = "杨柳村 Yangliu 四组桥头 bridge number 4 on the 清水河, 31.25000°N 107.54000°E";
        for max in [3.0, 5.0, 8.0, 13.0, 40.0] {
            let pieces = wrap(line, max, em);
            for piece in &pieces {
                assert!(
                    em(piece) <= max || piece.chars().count() == 1,
                    "{piece:?} > {max}"
                );
            }
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(strip(&pieces.concat()), strip(line), "at {max} em");
        }
    }

    #[test]
    fn the_font_follows_the_short_edge_and_is_readable_at_phone_size() {
        let words: Vec<String> = lines(&facts(Some(&position(Some(8.0)))), "位置未知");
        let landscape = layout(&words, 1600, 1200, em);
        assert_eq!(landscape.font_px, 1200.0 * FONT_SHARE);
        let portrait = layout(&words, 1200, 1600, em);
        assert_eq!(portrait.font_px, landscape.font_px);
        // Shown 360 px wide on a phone, the text is at least 12 CSS pixels.
        assert!(landscape.font_px * 360.0 / 1600.0 >= 12.0);
        // The default capture size keeps all four lines unwrapped in landscape.
        assert_eq!(landscape.lines, words);
        assert_eq!(
            landscape.band_height_px,
            4.0 * landscape.line_height_px + 2.0 * landscape.padding_px
        );
        assert!(landscape.band_height_px <= 1200.0 * MAX_BAND_SHARE);
    }

    #[test]
    fn the_band_never_covers_more_than_half_a_photo_unless_the_font_is_at_its_smallest() {
        let long = vec!["很长的地名".repeat(20); 4];
        let l = layout(&long, 400, 300, em);
        assert!(l.font_px < 300.0 * FONT_SHARE, "the font shrank");
        assert!(l.band_height_px <= 150.0 || l.font_px == MIN_FONT_PX);
        for line in &l.lines {
            let width = em(line) * l.font_px;
            assert!(width <= 400.0 - 2.0 * l.padding_px, "{line}");
        }
        let tiny = layout(&long, 40, 30, em);
        assert_eq!(tiny.font_px, MIN_FONT_PX);
        assert!(tiny.band_height_px <= 30.0);
    }
}
