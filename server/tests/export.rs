//! The ledger as .xlsx (`GET /api/v1/export.xlsx`) read back as Excel would (calamine), against
//! the CSV of the same ledger: the same header, the same rows cell by cell, its dates and times
//! as date cells, and the same village scope and refusals as the CSV. Issue 27 asks the office
//! to get "the same rows as the CSV", with dates as dates, frozen headers, column widths and
//! wrapped text; the sheet's XML is read for the last three, which calamine does not report.

mod common;

use std::io::{Cursor, Read};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use patrol_core::csv::{LEDGER_HEADERS, formula_safe};
use patrol_core::import::parse_csv;
use patrol_core::sync::code;
use patrol_core::*;
use river_patrol_server::db::tokens::sha256_hex;
use river_patrol_server::ledger_xlsx::SHEET_NAME;
use uuid::Uuid;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /api/v1/export.xlsx` with `token` (none: no header).
async fn xlsx(s: &Server, token: Option<&str>) -> (StatusCode, HeaderMap, Bytes) {
    let mut req = Request::get("/api/v1/export.xlsx");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    s.send(req.body(Body::empty()).unwrap()).await
}

/// The workbook's one sheet, every row, as calamine reads it.
fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), [SHEET_NAME]);
    let range = book.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "the header starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// One file of the workbook (it is a ZIP of XML files), as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The width of each column from the sheet's `<col min=".." max=".." width="..">` elements,
/// first column first.
fn column_widths(xml: &str) -> Vec<f64> {
    let attribute = |element: &str, name: &str| -> String {
        let value = element.split(&format!(r#" {name}=""#)).nth(1).unwrap();
        value.split('"').next().unwrap().to_owned()
    };
    let mut widths = Vec::new();
    for element in xml.split("<col ").skip(1) {
        let element = format!(" {}", element.split("/>").next().unwrap());
        let min: usize = attribute(&element, "min").parse().unwrap();
        let max: usize = attribute(&element, "max").parse().unwrap();
        let width: f64 = attribute(&element, "width").parse().unwrap();
        assert_eq!(
            min,
            widths.len() + 1,
            "columns in order, none left out: {xml}"
        );
        widths.extend(std::iter::repeat_n(width, max - min + 1));
    }
    widths
}

/// The CSV's rows, header first, fields unquoted.
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    parse_csv(csv).into_iter().map(|(_, row)| row).collect()
}

fn column(name: &str) -> usize {
    LEDGER_HEADERS
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The columns that hold a day or a moment.
const DATES: [&str; 1] = ["整改时限"];
const MINUTES: [&str; 3] = ["发现时间", "整改完成时间", "最近复查时间"];

/// Checks that `cell` says what the CSV's `field` says, in the type the column should have:
/// a date or moment as a date cell equal to the CSV's day or minute, a count or coordinate as
/// a number, text as the text typed (the CSV puts a `'` before a formula-like one).
fn assert_same(cell: &Data, field: &str, header: &str, row: usize) {
    let at = format!("row {row}, {header}: {cell:?} against {field:?}");
    if field.is_empty() {
        assert_eq!(cell, &Data::Empty, "{at}");
        return;
    }
    if DATES.contains(&header) {
        assert!(matches!(cell, Data::DateTime(d) if d.is_datetime()), "{at}");
        let day = NaiveDate::parse_from_str(field, "%Y-%m-%d").unwrap();
        assert_eq!(cell.as_datetime(), day.and_hms_opt(0, 0, 0), "{at}");
    } else if MINUTES.contains(&header) {
        assert!(matches!(cell, Data::DateTime(d) if d.is_datetime()), "{at}");
        let minute = NaiveDateTime::parse_from_str(field, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(cell.as_datetime(), Some(minute), "{at}");
    } else if ["序号", "复查次数", "照片数", "经度", "纬度"].contains(&header) {
        let Data::Float(x) = cell else {
            panic!("{at}: not a number")
        };
        assert_eq!(x.to_string(), field, "{at}");
    } else {
        let Data::String(text) = cell else {
            panic!("{at}: not text")
        };
        assert_eq!(formula_safe(text), field, "{at}");
    }
}

/// A few problems of 杨柳村 (one fixed and followed up, with a deadline, a GPS position, a
/// received photo, notes to wrap and a formula-like title; one bare) and one of 红岩村.
async fn ledger(s: &Server) -> (Vec<Record>, Record) {
    let bytes = jpeg(7);
    let photo = Uuid::from_u128(0xf00d);
    let mut outfall = record(1, YANGLIU);
    outfall.title = "=HYPERLINK(\"http://x\") 桥下排污口".into();
    outfall.notes = "住户说：\"下周整改\"，\n但未见动工, 需复查".into();
    outfall.deadline = NaiveDate::from_ymd_opt(2026, 6, 30);
    outfall.position = Some(Position {
        latitude: 31.251055,
        longitude: 107.541573,
        accuracy_m: Some(12.0),
        taken_at: at(1, 8),
        source: Some(PositionSource::Gps),
    });
    outfall.responsibility = Responsibility {
        leader: "黎学军(党委书记)".into(),
        department: "规划建设办".into(),
        person: "严文斌".into(),
        phone: "+86 138-1234-5678".into(),
    };
    outfall.photos.push(photo_ref(photo, &bytes));
    for (to, notes, day) in [
        (Status::Fixed, "已封堵", 20),
        (Status::Closed, "验收合格", 25),
    ] {
        let follow = FollowUp {
            to,
            notes: notes.into(),
            ..Default::default()
        };
        // 01:30 UTC is 09:30 in China: the times are China Standard Time.
        let when = at(day, 1) + chrono::Duration::minutes(30);
        outfall.follow_up(follow, "李四", when).unwrap();
    }
    let mut bare = record(2, YANGLIU);
    bare.created_at = at(2, 0);
    let mut theirs = record(3, HONGYAN);
    theirs.deadline = NaiveDate::from_ymd_opt(2026, 7, 1);
    // Closed (销号), which only the township office pushes.
    s.push(&s.office, &[(None, &outfall)]).await;
    s.push(&s.device, &[(None, &bare)]).await;
    s.push(&s.other, &[(None, &theirs)]).await;
    let (status, _) = s.put_photo_as(&s.device, photo, &bytes).await;
    assert_eq!(status, StatusCode::CREATED);
    (vec![outfall, bare], theirs)
}

#[tokio::test]
async fn the_xlsx_has_the_csvs_rows_with_dates_as_date_cells() {
    let s = Server::new().await;
    let (ours, theirs) = ledger(&s).await;
    for token in [&s.office, &s.device] {
        let (status, _, csv) = s.csv(token).await;
        assert_eq!(status, StatusCode::OK);
        let (status, headers, body) = xlsx(&s, Some(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], XLSX);
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"river-patrol-ledger.xlsx\""
        );
        let fields = csv_rows(&csv);
        let cells = sheet(&body);
        let expected_rows = if *token == s.office { 4 } else { 3 };
        assert_eq!(fields.len(), expected_rows, "header and the problems");
        assert_eq!(
            cells.len(),
            fields.len(),
            "the CSV's rows, no more, no fewer"
        );
        let header: Vec<String> = cells[0]
            .iter()
            .map(|h| match h {
                Data::String(h) => h.clone(),
                other => panic!("a header of text: {other:?}"),
            })
            .collect();
        assert_eq!(header, fields[0]);
        assert_eq!(fields[0], LEDGER_HEADERS);
        for (n, (row, fields)) in cells.iter().zip(&fields).enumerate().skip(1) {
            assert_eq!(row.len(), fields.len(), "row {n}");
            for ((cell, field), name) in row.iter().zip(fields).zip(LEDGER_HEADERS) {
                assert_same(cell, field, name, n);
            }
        }

        // The first problem's dates are date cells, with a date's number format.
        let first = &cells[1];
        assert_eq!(first[column("id")], Data::String(ours[0].id.to_string()));
        for name in DATES.iter().chain(&MINUTES) {
            assert!(
                matches!(first[column(name)], Data::DateTime(_)),
                "{name}: {:?}",
                first[column(name)]
            );
        }
        assert_eq!(
            first[column("整改时限")].as_datetime(),
            NaiveDate::from_ymd_opt(2026, 6, 30)
                .unwrap()
                .and_hms_opt(0, 0, 0)
        );
        assert_eq!(
            first[column("整改完成时间")].as_datetime(),
            NaiveDate::from_ymd_opt(2026, 5, 20)
                .unwrap()
                .and_hms_opt(9, 30, 0)
        );
        // Text as typed, not run as a formula, and without the CSV's `'`; notes whole.
        assert_eq!(
            first[column("问题描述")],
            Data::String(ours[0].title.clone())
        );
        assert_eq!(first[column("备注")], Data::String(ours[0].notes.clone()));
        // The server's receipt of the photo, as in the CSV.
        let received = &first[column("照片送达")];
        assert!(
            matches!(received, Data::String(r) if r.ends_with(&sha256_hex(&jpeg(7))[..12])),
            "{received:?}"
        );
        // The bare problem: no deadline, no position, never fixed: empty cells.
        let bare = cells
            .iter()
            .find(|r| r[column("id")] == Data::String(ours[1].id.to_string()))
            .expect("the bare problem");
        for name in ["整改时限", "经度", "纬度", "整改完成时间", "最近复查时间"]
        {
            assert_eq!(bare[column(name)], Data::Empty, "{name}");
        }

        // The village's device sees its village only, as in the CSV; the office sees both.
        let theirs_there = cells
            .iter()
            .any(|r| r[column("id")] == Data::String(theirs.id.to_string()));
        assert_eq!(theirs_there, *token == s.office);
    }
}

#[tokio::test]
async fn the_xlsx_freezes_its_header_sizes_its_columns_and_wraps_long_text() {
    let s = Server::new().await;
    ledger(&s).await;
    let (_, _, body) = xlsx(&s, Some(&s.office)).await;
    let xml = part(&body, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "the header row frozen: {xml}"
    );
    // Every column has a width set (runs of equal widths are one `<col>`), the description's
    // wide enough for Chinese text.
    let widths = column_widths(&xml);
    assert_eq!(widths.len(), LEDGER_HEADERS.len(), "{xml}");
    assert!(widths[column("问题描述")] >= 30.0, "{widths:?}");
    assert!(widths[column("备注")] >= 30.0, "{widths:?}");
    assert!(
        widths[column("序号")] < widths[column("发现时间")],
        "{widths:?}"
    );
    assert!(xml.contains("<autoFilter "), "{xml}");
    let styles = part(&body, "xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#), "{styles}");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
    assert!(styles.contains("<b/>"), "a bold header: {styles}");
}

#[tokio::test]
async fn the_xlsx_is_sent_as_it_is_to_a_client_that_takes_brotli() {
    // A workbook is a ZIP: the server does not compress it again, as it does the CSV.
    let s = Server::new().await;
    ledger(&s).await;
    for path in ["/api/v1/export.xlsx", "/api/v1/export.csv"] {
        let req = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", s.office))
            .header(header::ACCEPT_ENCODING, "br, gzip")
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = s.send(req).await;
        assert_eq!(status, StatusCode::OK);
        let encoding = headers.get(header::CONTENT_ENCODING);
        if path.ends_with(".xlsx") {
            assert_eq!(encoding, None);
            assert_eq!(sheet(&body).len(), 4);
        } else {
            assert_eq!(encoding.unwrap(), "br");
        }
    }
}

#[tokio::test]
async fn the_xlsx_is_refused_without_a_valid_token() {
    let s = Server::new().await;
    ledger(&s).await;
    for token in [None, Some(format!("rp_{}", "0".repeat(64)))] {
        let (status, headers, body) = xlsx(&s, token.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error_code(&body), code::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn an_empty_ledger_is_a_header_row() {
    let s = Server::new().await;
    let (status, _, body) = xlsx(&s, Some(&s.device)).await;
    assert_eq!(status, StatusCode::OK);
    let cells = sheet(&body);
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].len(), LEDGER_HEADERS.len());
}
