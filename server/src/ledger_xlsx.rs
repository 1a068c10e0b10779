//! The rectification ledger (整改台账) as an Excel workbook, for the township office that keeps
//! its ledger in Excel and would otherwise open the CSV and fix it up by hand each month: the
//! same rows as the CSV ([`patrol_core::csv::ledger_rows`]), but with the header row bold and
//! frozen, columns wide enough for Chinese text, the long texts wrapped, dates and times as
//! real date cells (so they sort and filter as dates) and counts as numbers.
//!
//! Text goes in as text cells, never as formulas, so the `'` the CSV puts before a formula-like
//! cell ([`patrol_core::csv::formula_safe`]) is not needed here: the cell holds what was typed.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use patrol_core::csv::{LEDGER_HEADERS, LedgerCell, LedgerRow};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// The sheet's name, the ledger's own.
pub const SHEET_NAME: &str = "整改台账";

/// How wide a column is (in Excel's units, about one Latin character; a Chinese character
/// takes about two) and whether its text wraps: by the column's name, so that a column added
/// to the ledger gets a sensible default rather than someone else's width.
fn layout(header: &str) -> (f64, bool) {
    match header {
        "序号" | "复查次数" | "照片数" => (8.0, false),
        "村/社区" | "问题类型" | "责任人" | "记录人" | "整改状态" => (12.0, false),
        "问题描述" | "备注" => (40.0, true),
        "位置" | "责任领导" | "责任部门" => (18.0, true),
        "经度" | "纬度" | "定位方式" | "整改时限" => (12.0, false),
        "联系电话" => (17.0, false),
        "发现时间" | "整改完成时间" | "最近复查时间" => (17.0, false),
        "照片送达" | "非现场拍摄" => (34.0, true),
        "id" => (38.0, false),
        _ => (14.0, true),
    }
}

/// The ledger's rows as the bytes of an `.xlsx` file with one sheet, [`SHEET_NAME`].
pub fn workbook(rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET_NAME)?;
    write_sheet(sheet, rows)?;
    book.save_to_buffer()
}

fn write_sheet(sheet: &mut Worksheet, rows: &[LedgerRow]) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border_bottom(FormatBorder::Thin);
    // Cells start at the top, so that a row made tall by a wrapped note still reads from its
    // first line across.
    let plain = Format::new().set_align(FormatAlign::Top);
    let wrapped = plain.clone().set_text_wrap();
    let date = plain.clone().set_num_format("yyyy-mm-dd");
    let minute = plain.clone().set_num_format("yyyy-mm-dd hh:mm");

    let wraps: Vec<bool> = LEDGER_HEADERS.iter().map(|h| layout(h).1).collect();
    for (col, name) in (0u16..).zip(LEDGER_HEADERS) {
        sheet.set_column_width(col, layout(name).0)?;
        sheet.write_string_with_format(0, col, name, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    for (row, cells) in (1u32..).zip(rows) {
        for ((col, cell), wrap) in (0u16..).zip(cells).zip(&wraps) {
            match cell {
                LedgerCell::Empty => {}
                LedgerCell::Text(t) if t.is_empty() => {}
                LedgerCell::Text(t) => {
                    let format = if *wrap { &wrapped } else { &plain };
                    sheet.write_string_with_format(row, col, t, format)?;
                }
                LedgerCell::Count(n) => {
                    sheet.write_number_with_format(row, col, *n as f64, &plain)?;
                }
                LedgerCell::Degrees(x) => {
                    sheet.write_number_with_format(row, col, *x, &plain)?;
                }
                LedgerCell::Date(d) => {
                    match excel_date(*d) {
                        Some(day) => sheet.write_datetime_with_format(row, col, day, &date)?,
                        None => sheet.write_string_with_format(row, col, cell.text(), &plain)?,
                    };
                }
                LedgerCell::Minute(t) => {
                    match excel_minute(*t) {
                        Some(at) => sheet.write_datetime_with_format(row, col, at, &minute)?,
                        None => sheet.write_string_with_format(row, col, cell.text(), &plain)?,
                    };
                }
            }
        }
    }
    // The office sorts and filters the ledger by village, status and deadline.
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let last_col = u16::try_from(LEDGER_HEADERS.len() - 1).unwrap_or(u16::MAX);
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

/// `d` as Excel's date, or `None` outside Excel's years (1900 to 9999): such a day (a typing
/// slip in a deadline) is written as the CSV's text rather than failing the whole ledger or
/// showing as another day.
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn excel_minute(t: NaiveDateTime) -> Option<ExcelDateTime> {
    excel_date(t.date())?
        .and_hms(t.hour() as u16, t.minute() as u8, 0)
        .ok()
}
