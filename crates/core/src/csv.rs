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
//!
//! The rows are made once as typed cells ([`LedgerCell`], [`ledger_rows`]) and written out from
//! those: as this CSV text here, and as the server's `.xlsx`, whose dates are date cells and
//! whose numbers are numbers. Both ways out are the same rows by construction.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
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

/// One cell of a ledger row, typed, so that a spreadsheet can be given a date as a date and a
/// count as a number, while the CSV writes each as the same text it always has
/// ([`LedgerCell::text`]).
#[derive(Clone, Debug, PartialEq)]
pub enum LedgerCell {
    /// Nothing: no position, no deadline, not fixed yet, no follow-up yet.
    Empty,
    /// Text as the record holds it (possibly empty); the CSV defuses formulas in it
    /// ([`formula_safe`]), a spreadsheet cell of text is never run as one.
    Text(String),
    /// A whole number: 序号, 复查次数, 照片数.
    Count(u64),
    /// A coordinate in degrees (经度, 纬度), as the record holds it.
    Degrees(f64),
    /// A calendar day (整改时限).
    Date(NaiveDate),
    /// A moment in China Standard Time, to the minute (发现时间, 整改完成时间, 最近复查时间).
    Minute(NaiveDateTime),
}

impl LedgerCell {
    /// The cell as the CSV shows it, before [`formula_safe`] and quoting: a date
    /// `2026-05-01`, a moment `2026-05-01 16:00`, a coordinate as Rust prints an `f64`.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            LedgerCell::Empty => Cow::Borrowed(""),
            LedgerCell::Text(t) => Cow::Borrowed(t),
            LedgerCell::Count(n) => Cow::Owned(n.to_string()),
            LedgerCell::Degrees(x) => Cow::Owned(x.to_string()),
            LedgerCell::Date(d) => Cow::Owned(d.to_string()),
            LedgerCell::Minute(t) => Cow::Owned(minute_text(*t)),
        }
    }
}

/// The ledger's rows, each in [`LEDGER_HEADERS`] order.
pub type LedgerRow = [LedgerCell; 24];

/// `t` in China Standard Time, without its seconds: the ledger's moments are to the minute, in
/// the CSV and in a spreadsheet alike.
fn local_minute_of(t: DateTime<Utc>) -> NaiveDateTime {
    let local = t
        .with_timezone(&crate::workflow::china_standard_time())
        .naive_local();
    local
        .with_second(0)
        .and_then(|l| l.with_nanosecond(0))
        .unwrap_or(local)
}

/// `2026-05-01 16:00`.
fn minute_text(t: NaiveDateTime) -> String {
    // Written out rather than with chrono's `format`, whose pattern parser would be the only
    // one in the app's wasm.
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
    format!("{}:{:02}", minute_text(local_minute_of(t)), local.second())
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

/// The cells of one ledger row, numbered `n` (序号), in [`LEDGER_HEADERS`] order, as the CSV
/// shows them before quoting ([`LedgerCell::text`]). `receipts` are the server's receipts of
/// the record's photos (others in it are passed over); empty when the caller holds none.
pub fn ledger_row(n: usize, r: &Record, receipts: &[PhotoReceipt]) -> [String; 24] {
    row(n, r, |photo| receipts.iter().find(|x| x.is_for(photo))).map(|c| c.text().into_owned())
}

fn row<'a>(
    n: usize,
    r: &Record,
    receipt_of: impl Fn(&PhotoRef) -> Option<&'a PhotoReceipt>,
) -> LedgerRow {
    use LedgerCell::{Count, Degrees, Empty, Text};
    let minute = |t: DateTime<Utc>| LedgerCell::Minute(local_minute_of(t));
    let (lng, lat, found_by) = match &r.position {
        Some(p) => (
            Degrees(p.longitude),
            Degrees(p.latitude),
            Text(found_by_zh(p)),
        ),
        None => (Empty, Empty, Empty),
    };
    [
        Count(n as u64),
        Text(r.village.clone()),
        Text(r.kind().zh_name().to_owned()),
        Text(r.title.clone()),
        Text(r.place.clone()),
        lng,
        lat,
        found_by,
        Text(r.responsibility.leader.clone()),
        Text(r.responsibility.department.clone()),
        Text(r.responsibility.person.clone()),
        Text(r.responsibility.phone.clone()),
        r.deadline.map_or(Empty, LedgerCell::Date),
        Text(r.status.zh_name().to_owned()),
        minute(r.created_at),
        r.fixed_at().map_or(Empty, minute),
        r.visits.last().map_or(Empty, |v| minute(v.at)),
        Count(r.visits.len() as u64),
        Text(r.notes.clone()),
        Text(r.author.clone()),
        Count(r.all_photos().count() as u64),
        Text(receipts_cell(r, receipt_of)),
        Text(crate::provenance::off_site_note(r)),
        Text(r.id.to_string()),
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
    let mut out = String::from(BOM);
    write_row(&mut out, LEDGER_HEADERS.iter().copied());
    for row in ledger_rows(records, receipts) {
        let texts = row.each_ref().map(LedgerCell::text);
        write_row(&mut out, texts.iter().map(|t| t.as_ref()));
    }
    out
}

/// The ledger's rows under [`LEDGER_HEADERS`], typed: every record that is not deleted, oldest
/// found first (ties by id), numbered from 1, with `receipts` (in any order, possibly of photos
/// no record names) in the 照片送达 column. What [`ledger_csv_with_receipts`] writes as text.
pub fn ledger_rows<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    receipts: &[PhotoReceipt],
) -> Vec<LedgerRow> {
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
    live.into_iter()
        .enumerate()
        .map(|(i, r)| row(i + 1, r, receipt_of))
        .collect()
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
    let value = formula_safe(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// `value` with a leading `'` when a spreadsheet opening it as CSV would run it as a formula
/// (see [`cell`]), otherwise as it is.
pub fn formula_safe(value: &str) -> Cow<'_, str> {
    let risky_start = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let numberish = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.'));
    if risky_start && !numberish {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}
