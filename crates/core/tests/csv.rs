//! The ledger CSV against a golden file: what the office opens in Excel, byte for byte.
//! Regenerate after a deliberate change with `RP_UPDATE_GOLDEN=1 cargo test -p patrol-core
//! --test csv` and read the diff.

mod common;

use common::*;
use patrol_core::csv::ledger_csv;
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

#[test]
fn the_ledger_matches_the_golden_file() {
    let text = ledger_csv(&ledger());
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
}
