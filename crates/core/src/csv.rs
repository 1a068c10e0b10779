//! The rectification ledger (整改台账) as CSV, the way the township office keeps it in Excel:
//! UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), CRLF line ends, one row
//! per record that is not deleted, Chinese column names. Times are China Standard Time to the
//! minute; 整改完成时间 (fixed on) is empty while a problem is outstanding, 最近复查时间 (last
//! visit) empty until its first follow-up; 照片数 counts the finding's and the visits' photos. The server's `export.csv` and the
//! phone's export write the same text.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::record::Record;

/// The byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The columns, in order.
pub const LEDGER_HEADERS: [&str; 21] = [
    "序号",
    "村/社区",
    "问题类型",
    "问题描述",
    "位置",
    "经度",
    "纬度",
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
    "id",
];

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

/// The cells of one ledger row, numbered `n` (序号), in [`LEDGER_HEADERS`] order, unquoted.
pub fn ledger_row(n: usize, r: &Record) -> [String; 21] {
    let (lng, lat) = match &r.position {
        Some(p) => (p.longitude.to_string(), p.latitude.to_string()),
        None => (String::new(), String::new()),
    };
    [
        n.to_string(),
        r.village.clone(),
        r.kind().zh_name().to_owned(),
        r.title.clone(),
        r.place.clone(),
        lng,
        lat,
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
        r.id.to_string(),
    ]
}

/// The whole ledger: BOM, header row, then every record that is not deleted, oldest found
/// first (ties by id), numbered from 1.
pub fn ledger_csv<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    let mut live: Vec<&Record> = records.into_iter().filter(|r| !r.is_deleted()).collect();
    live.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut out = String::from(BOM);
    write_row(&mut out, LEDGER_HEADERS.iter().copied());
    for (i, r) in live.into_iter().enumerate() {
        let row = ledger_row(i + 1, r);
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
