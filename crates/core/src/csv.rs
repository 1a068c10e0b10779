//! The rectification ledger (整改台账) as CSV, the way the township office keeps it in Excel:
//! UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), CRLF line ends, one row
//! per record that is not deleted, Chinese column names. Times are China Standard Time to the
//! minute; 整改完成时间 (fixed on) is empty while a problem is outstanding, 最近复查时间 (last
//! visit) empty until its first follow-up; 照片数 counts the finding's and the visits' photos.
//! 照片送达 (photos received) is the server's receipt of each photo it holds, as evidence of
//! when the photo reached it and which bytes it was: `2026-05-01 16:00:05 3f2a9c0b1d4e` (China
//! Standard Time to the second, then the first 12 hex digits of the SHA-256), one per received
//! photo in the record's photo order, joined by `; `. The server's `export.csv` and the phone's
//! export write the same text from the same records and receipts; a phone that holds no
//! receipts leaves the column empty. 非现场拍摄 (taken elsewhere) names each gallery photo
//! whose camera took it over an hour before the record or over 500 m away, with why
//! ([`crate::provenance::off_site_note`]); empty when there is none. 定位方式 (how the
//! position was found) says GPS with its accuracy, 手动输入 (typed) or 地图选点 (placed on the
//! map): only a GPS fix shows someone stood there.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Timelike, Utc};
use uuid::Uuid;

use crate::record::{PhotoRef, Position, PositionSource, Record};
use crate::sync::PhotoReceipt;

/// The byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The columns, in order.
pub const LEDGER_HEADERS: [&str; 24] = [
    "序号",
    "村/社区",
    "问题类型",
    "问题描述",
    "位置",
    "经度",
    "纬度",
    "定位方式",
    "责任领导",
    "责任部门",
    "责任人",
    "联系电话",
    "整改时限",
    "整改状态",
    "发现时间",
    "整改完成时间",
    "最近复查时间",
    "复查次数",
    "备注",
    "记录人",
    "照片数",
    "照片送达",
    "非现场拍摄",
    "id",
];

/// How many hex digits of a photo's SHA-256 the 照片送达 cell shows: enough to tell the bytes
/// apart by eye against the full hash kept on the server (48 bits), short enough for a cell.
pub const RECEIPT_SHA256_DIGITS: usize = 12;

/// `2026-05-01 16:00` in China Standard Time.
fn local_minute(t: DateTime<Utc>) -> String {
    // Written out rather than with chrono's `format`, whose pattern parser would be the only
    // one in the app's wasm.
    let t = t.with_timezone(&crate::workflow::china_standard_time());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// `2026-05-01 16:00:05` in China Standard Time: a receipt is evidence, so to the second.
fn local_second(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&crate::workflow::china_standard_time());
    format!("{}:{:02}", local_minute(t), local.second())
}

/// One receipt as the 照片送达 cell shows it: `2026-05-01 16:00:05 3f2a9c0b1d4e`.
pub fn receipt_note(receipt: &PhotoReceipt) -> String {
    let sha: String = receipt.sha256.chars().take(RECEIPT_SHA256_DIGITS).collect();
    format!(
        "{} {}",
        local_second(receipt.received_at),
        sha.to_ascii_lowercase()
    )
}

/// The 照片送达 cell: the receipt of each of the record's photos that has one (the same id
/// and bytes, [`PhotoReceipt::is_for`]), in the record's photo order, each photo once.
fn receipts_cell<'a>(
    r: &Record,
    receipt_of: impl Fn(&PhotoRef) -> Option<&'a PhotoReceipt>,
) -> String {
    let mut seen: Vec<(Uuid, &str)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for photo in r.all_photos() {
        if seen.contains(&(photo.id, photo.sha256.as_str())) {
            continue;
        }
        seen.push((photo.id, photo.sha256.as_str()));
        if let Some(receipt) = receipt_of(photo) {
            notes.push(receipt_note(receipt));
        }
    }
    notes.join("; ")
}

/// 定位方式: "GPS ±8米", "手动输入" or "地图选点", so that whoever checks the ledger can tell
/// a point someone stood at from one given by hand.
fn found_by_zh(p: &Position) -> String {
    match p.found_by() {
        PositionSource::Gps => match p.accuracy_m {
            Some(metres) => format!("GPS ±{metres:.0}米"),
            None => "GPS".to_owned(),
        },
        PositionSource::Typed => "手动输入".to_owned(),
        PositionSource::Map => "地图选点".to_owned(),
    }
}

/// The cells of one ledger row, numbered `n` (序号), in [`LEDGER_HEADERS`] order, unquoted.
/// `receipts` are the server's receipts of the record's photos (others in it are passed
/// over); empty when the caller holds none.
pub fn ledger_row(n: usize, r: &Record, receipts: &[PhotoReceipt]) -> [String; 24] {
    row(n, r, |photo| receipts.iter().find(|x| x.is_for(photo)))
}

fn row<'a>(
    n: usize,
    r: &Record,
    receipt_of: impl Fn(&PhotoRef) -> Option<&'a PhotoReceipt>,
) -> [String; 24] {
    let (lng, lat, found_by) = match &r.position {
        Some(p) => (
            p.longitude.to_string(),
            p.latitude.to_string(),
            found_by_zh(p),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    [
        n.to_string(),
        r.village.clone(),
        r.kind().zh_name().to_owned(),
        r.title.clone(),
        r.place.clone(),
        lng,
        lat,
        found_by,
        r.responsibility.leader.clone(),
        r.responsibility.department.clone(),
        r.responsibility.person.clone(),
        r.responsibility.phone.clone(),
        r.deadline.map(|d| d.to_string()).unwrap_or_default(),
        r.status.zh_name().to_owned(),
        local_minute(r.created_at),
        r.fixed_at().map(local_minute).unwrap_or_default(),
        r.visits
            .last()
            .map(|v| local_minute(v.at))
            .unwrap_or_default(),
        r.visits.len().to_string(),
        r.notes.clone(),
        r.author.clone(),
        r.all_photos().count().to_string(),
        receipts_cell(r, receipt_of),
        crate::provenance::off_site_note(r),
        r.id.to_string(),
    ]
}

/// The whole ledger: BOM, header row, then every record that is not deleted, oldest found
/// first (ties by id), numbered from 1; the 照片送达 column empty (for a caller that holds no
/// receipts).
pub fn ledger_csv<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    ledger_csv_with_receipts(records, &[])
}

/// [`ledger_csv`] with the server's receipts of the records' photos in the 照片送达 column:
/// `receipts` may be in any order and hold receipts of photos no record names.
pub fn ledger_csv_with_receipts<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    receipts: &[PhotoReceipt],
) -> String {
    // By photo id, so that a township's whole ledger is not searched once per photo.
    let mut by_id: HashMap<Uuid, Vec<&PhotoReceipt>> = HashMap::new();
    for receipt in receipts {
        by_id.entry(receipt.id).or_default().push(receipt);
    }
    let receipt_of = |photo: &PhotoRef| {
        by_id
            .get(&photo.id)?
            .iter()
            .copied()
            .find(|x| x.is_for(photo))
    };
    let mut live: Vec<&Record> = records.into_iter().filter(|r| !r.is_deleted()).collect();
    live.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut out = String::from(BOM);
    write_row(&mut out, LEDGER_HEADERS.iter().copied());
    for (i, r) in live.into_iter().enumerate() {
        let row = row(i + 1, r, receipt_of);
        write_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// Appends one CSV line (CRLF-terminated), each cell made safe by [`cell`].
pub fn write_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(c));
    }
    out.push_str("\r\n");
}

/// One CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break. Text that
/// a spreadsheet would run as a formula (starts with `=`, `+`, `-`, `@`, tab or CR and holds
/// anything but digits, spaces, `+`, `-` and `.`) gets a leading `'`, so a record typed as
/// `=HYPERLINK(…)` shows as text; phone numbers such as `+86 138-1234-5678` and negative
/// numbers stay as they are.
pub fn cell(value: &str) -> String {
    let risky_start = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let numberish = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.'));
    let value = if risky_start && !numberish {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
