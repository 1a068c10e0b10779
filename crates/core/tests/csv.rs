//! The ledger CSV against a golden file: what the office opens in Excel, byte for byte.
//! Regenerate after a deliberate change with `RP_UPDATE_GOLDEN=1 cargo test -p patrol-core
//! --test csv` and read the diff.

mod common;

use common::*;
use patrol_core::csv::{
    LEDGER_HEADERS, LedgerCell, formula_safe, ledger_csv_with_receipts, ledger_rows,
};
use patrol_core::import::parse_csv;
use patrol_core::*;
use uuid::Uuid;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ledger.csv");

fn follow(r: &mut Record, status: Status, notes: &str, when: chrono::DateTime<chrono::Utc>) {
    r.follow_up(
        FollowUp {
            to: status,
            notes: notes.into(),
            ..Default::default()
        },
        "李四",
        when,
    )
    .unwrap();
}

/// A small township ledger: awkward text, a fixed and closed problem, a reopened one, a bare
/// one, and a deleted one that must not appear.
fn ledger() -> Vec<Record> {
    let mut outfall = sample(Kind::SewageOutfall);
    outfall.notes = "住户说：\"下周整改\"，\n但未见动工, 需复查".into();
    outfall.title = "=HYPERLINK(\"http://x\")".into();
    outfall.status = Status::Open;
    follow(
        &mut outfall,
        Status::Fixed,
        "已封堵",
        at(2026, 5, 20, 1, 30, 0),
    );
    follow(
        &mut outfall,
        Status::Closed,
        "验收合格",
        at(2026, 5, 25, 2, 0, 0),
    );

    let mut farm = sample(Kind::LivestockFarm);
    farm.created_at = at(2026, 5, 3, 23, 59, 0);
    farm.photos[0].id = Uuid::from_u128(0xfa12);
    // Picked from the gallery, its camera took it six years before the record.
    farm.photos[0].source = Some(PhotoSource::Gallery);
    farm.photos[0].exif = Some(Exif {
        taken_at: Some(at(2020, 5, 1, 2, 0, 0)),
        ..Exif::default()
    });
    farm.status = Status::Open;
    follow(&mut farm, Status::Fixed, "", at(2026, 5, 10, 0, 0, 0));
    follow(
        &mut farm,
        Status::Open,
        "复查发现仍有渗漏",
        at(2026, 5, 30, 16, 0, 0),
    );

    let mut bare = minimal(Kind::Other);
    bare.created_at = at(2026, 5, 2, 0, 0, 0);

    let mut gone = minimal(Kind::Signage);
    gone.id = Uuid::from_u128(0xdead);
    gone.deleted_at = Some(at(2026, 5, 4, 0, 0, 0));
    vec![farm, gone, bare, outfall]
}

/// The server's receipts: the outfall's photo (received a second before midnight UTC, so the
/// next day in China), other bytes under the farm's photo id (which say nothing of the farm's
/// photo: its cell stays empty) and a photo no record names.
fn receipts() -> Vec<PhotoReceipt> {
    let outfall_photo = &sample(Kind::SewageOutfall).photos[0];
    vec![
        PhotoReceipt {
            id: Uuid::from_u128(0xfa12),
            sha256: "0".repeat(64),
            received_at: at(2026, 5, 4, 0, 0, 0),
        },
        PhotoReceipt {
            id: outfall_photo.id,
            sha256: outfall_photo.sha256.clone(),
            received_at: at(2026, 5, 1, 15, 59, 59),
        },
        PhotoReceipt {
            id: Uuid::from_u128(0xbeef),
            sha256: "1".repeat(64),
            received_at: at(2026, 5, 1, 0, 0, 0),
        },
    ]
}

#[test]
fn the_ledger_matches_the_golden_file() {
    let text = ledger_csv_with_receipts(&ledger(), &receipts());
    if std::env::var_os("RP_UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &text).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(
        text, golden,
        "rerun with RP_UPDATE_GOLDEN=1 if the change is meant"
    );
}

#[test]
fn the_golden_file_reads_back_as_the_same_cells() {
    // Read back with the import's CSV reader: every quoted comma, quote and line break
    // survives, and the notes of the first row come back exactly.
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    let rows: Vec<Vec<String>> = parse_csv(&golden).into_iter().map(|(_, r)| r).collect();
    assert_eq!(rows.len(), 4, "header and three live problems");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let notes = rows[0].iter().position(|h| h == "备注").unwrap();
    assert_eq!(rows[1][notes], "住户说：\"下周整改\"，\n但未见动工, 需复查");
    let title = rows[0].iter().position(|h| h == "问题描述").unwrap();
    assert_eq!(
        rows[1][title], "'=HYPERLINK(\"http://x\")",
        "formula shown as text"
    );
    // The outfall's photo as the server received it, China time to the second and the start
    // of its hash; the farm's photo has no receipt of its own bytes, the bare problem no photo.
    let received = rows[0].iter().position(|h| h == "照片送达").unwrap();
    assert_eq!(rows[1][received], "2026-05-01 23:59:59 9f86d081884c");
    assert_eq!(rows[2][received], "");
    assert_eq!(rows[3][received], "");
    // The farm's gallery photo was taken years before the record: the office sees why.
    let elsewhere = rows[0].iter().position(|h| h == "非现场拍摄").unwrap();
    assert_eq!(rows[1][elsewhere], "");
    assert_eq!(rows[2][elsewhere], "");
    assert_eq!(
        rows[3][elsewhere],
        "第1张照片非现场拍摄：拍摄时间早于记录 6 年"
    );
}

#[test]
fn the_typed_rows_are_the_golden_files_cells_with_dates_as_dates() {
    // What a spreadsheet is given (server/src/ledger_xlsx.rs) is these rows: each cell's text,
    // defused as the CSV does, is the golden file's field.
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    let fields: Vec<Vec<String>> = parse_csv(&golden).into_iter().map(|(_, r)| r).collect();
    assert_eq!(fields[0], LEDGER_HEADERS);
    let rows = ledger_rows(&ledger(), &receipts());
    assert_eq!(rows.len(), fields.len() - 1);
    for (row, fields) in rows.iter().zip(&fields[1..]) {
        for (cell, field) in row.iter().zip(fields) {
            assert_eq!(formula_safe(&cell.text()), field.as_str(), "{cell:?}");
        }
    }
    let column = |name: &str| LEDGER_HEADERS.iter().position(|h| *h == name).unwrap();
    let outfall = &rows[0];
    assert_eq!(
        outfall[column("整改时限")],
        LedgerCell::Date(chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap())
    );
    for name in ["发现时间", "整改完成时间", "最近复查时间"] {
        assert!(
            matches!(outfall[column(name)], LedgerCell::Minute(_)),
            "{name}"
        );
    }
    assert_eq!(outfall[column("序号")], LedgerCell::Count(1));
    assert!(matches!(outfall[column("经度")], LedgerCell::Degrees(_)));
    // The bare problem has no deadline, position or fix: empty cells, not empty text.
    let bare = &rows[1];
    for name in ["整改时限", "经度", "纬度", "整改完成时间", "最近复查时间"] {
        assert_eq!(bare[column(name)], LedgerCell::Empty, "{name}");
    }
    // A moment is to the minute, China time, as the CSV shows it.
    assert_eq!(outfall[column("发现时间")].text(), "2026-05-01 16:00");
}
