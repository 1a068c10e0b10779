//! Importing the office's ledger: the 44-problem sample gives 44 problems with every field, the
//! same file again gives the same ids, and a file with bad rows reports each of them.

use chrono::{TimeZone, Utc};
use patrol_core::import::{Column, RowProblem, parse_csv, plan};
use patrol_core::*;

const SAMPLE: &str = include_str!("../../../tests/fixtures/sample-ledger.csv");
const BAD: &str = include_str!("../../../tests/fixtures/ledger-bad-rows.csv");

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
}

#[test]
fn csv_cells_keep_quotes_commas_and_line_breaks() {
    let rows = parse_csv("\u{feff}a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n\r\nlast,\n");
    assert_eq!(
        rows,
        [
            (1, vec!["a".to_owned(), "b".to_owned()]),
            (2, vec!["x, \"y\"".to_owned(), "two\nlines".to_owned()]),
            (5, vec!["last".to_owned(), String::new()]),
        ]
    );
}

#[test]
fn the_sample_ledger_gives_44_problems_with_every_field() {
    let p = plan(SAMPLE, "张三", now(), None);
    assert_eq!(p.unusable, None);
    let unmatched: Vec<&str> = p
        .columns
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(h, _)| h.as_str())
        .collect();
    assert_eq!(
        unmatched,
        ["序号"],
        "every column but the row number is used"
    );
    assert_eq!(p.rows.len(), 44);
    let records: Vec<&Record> = p.valid().collect();
    assert_eq!(
        records.len(),
        44,
        "{:?}",
        p.rows.iter().find(|r| r.outcome.is_err())
    );

    let first = records[0];
    assert_eq!(first.kind(), Kind::SewageOutfall);
    assert_eq!(first.village, "杨柳村");
    assert_eq!(first.place, "杨柳村四组桥头");
    assert_eq!(first.title, "沿河住户生活污水直排入河");
    assert_eq!(first.responsibility.leader, "黎学军(党委书记)");
    assert_eq!(first.responsibility.department, "规划建设办");
    assert_eq!(first.responsibility.person, "严文斌");
    assert_eq!(
        first.deadline,
        Some(chrono::NaiveDate::from_ymd_opt(2020, 9, 6).unwrap())
    );
    assert_eq!(first.status, Status::Open);
    assert_eq!(
        first.created_at,
        Utc.with_ymd_and_hms(2020, 7, 8, 4, 0, 0).unwrap(),
        "found at noon China time"
    );
    let position = first.position.as_ref().unwrap();
    assert_eq!(
        (position.latitude, position.longitude),
        (31.251055, 107.541573)
    );
    assert_eq!(position.accuracy_m, None);
    assert_eq!(first.author, "张三");

    let mut kinds: Vec<Kind> = records.iter().map(|r| r.kind()).collect();
    kinds.dedup();
    assert!(kinds.len() >= 8, "every kind is in the sample");
    let statuses: std::collections::HashSet<Status> = records.iter().map(|r| r.status).collect();
    assert_eq!(statuses.len(), 4);
}

#[test]
fn importing_again_makes_the_same_ids() {
    let a: Vec<_> = plan(SAMPLE, "张三", now(), None)
        .valid()
        .map(|r| r.id)
        .collect();
    let b: Vec<_> = plan(SAMPLE, "李四", now(), None)
        .valid()
        .map(|r| r.id)
        .collect();
    assert_eq!(a, b);
    let unique: std::collections::HashSet<_> = a.iter().collect();
    assert_eq!(unique.len(), 44);
}

#[test]
fn ids_under_a_servers_secret_cannot_be_made_from_the_content_alone() {
    use patrol_core::import::{ImportIds, LEGACY_NAMESPACE};
    let secret = uuid::Uuid::from_u128(0x5ec7e7);
    let office = ImportIds::for_token(secret, None);
    let legacy = plan(SAMPLE, "张三", now(), None);
    let secret_plan = plan(SAMPLE, "张三", now(), Some(&office));
    let again = plan(SAMPLE, "李四", now(), Some(&office));
    for ((old, new), newer) in legacy.rows.iter().zip(&secret_plan.rows).zip(&again.rows) {
        let (Ok(old_record), Ok(record)) = (&old.outcome, &new.outcome) else {
            panic!("line {}: every sample row is valid", old.line);
        };
        // Anyone can make the old id; the new one needs the secret, and stays the same.
        assert_ne!(record.id, old_record.id, "line {}", old.line);
        assert_eq!(new.legacy_id, Some(old_record.id), "line {}", old.line);
        assert_eq!(old.legacy_id, Some(old_record.id), "line {}", old.line);
        assert_eq!(newer.outcome.as_ref().unwrap().id, record.id);
        // The village's own token makes the same id as the office; another village's token
        // cannot, and falls back to the old id for a row it could not push anyway.
        let own = ImportIds::for_token(secret, Some(&record.village));
        assert_eq!(
            own.namespace(&record.village),
            office.namespace(&record.village)
        );
        let other = ImportIds::for_token(secret, Some("别的村"));
        assert_eq!(other.namespace(&record.village), LEGACY_NAMESPACE);
    }
    // Another server's secret gives other ids.
    let elsewhere = ImportIds::for_token(uuid::Uuid::from_u128(0xe15e), None);
    let there = plan(SAMPLE, "张三", now(), Some(&elsewhere));
    assert_ne!(
        there.valid().next().unwrap().id,
        secret_plan.valid().next().unwrap().id
    );
    // Sent to a phone as JSON.
    assert_eq!(
        serde_json::to_value(ImportIds::for_token(secret, Some(" 杨柳村 "))).unwrap()["village"]["village"],
        "杨柳村"
    );
}

#[test]
fn a_gb18030_file_decoded_reads_the_same() {
    // The browser decodes it; here the test only checks CRLF and no BOM read alike.
    let without_bom = SAMPLE.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let a: Vec<_> = plan(SAMPLE, "张三", now(), None).valid().cloned().collect();
    let b: Vec<_> = plan(&without_bom, "张三", now(), None)
        .valid()
        .cloned()
        .collect();
    assert_eq!(a, b);
}

#[test]
fn every_bad_row_is_reported_with_its_reason_and_the_good_ones_kept() {
    let p = plan(BAD, "张三", now(), None);
    let problems: Vec<(usize, Vec<RowProblem>)> = p
        .rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r.line, e.clone())))
        .collect();
    let p_ = |field, code| RowProblem { field, code };
    assert_eq!(
        problems,
        [
            (3, vec![p_("kind", "unknown_kind")]),
            (4, vec![p_("deadline", "bad_date")]),
            (5, vec![p_("deadline", "deadline_before_found")]),
            (6, vec![p_("village", "required")]),
            (
                7,
                vec![
                    p_("status", "unknown_status"),
                    p_("latitude", "out_of_range")
                ]
            ),
            (8, vec![p_("", "column_count")]),
            (9, vec![p_("phone", "invalid_phone")]),
        ]
    );
    assert_eq!(p.valid().count(), 1);
}

#[test]
fn headers_in_any_order_chinese_or_english_and_names_of_kinds_in_chinese() {
    let text =
        "village,title,kind,整改状态,发现时间\n白沙村,桥下垃圾,垃圾点,整改中,2026-05-01 16:00\n";
    let p = plan(text, "张三", now(), None);
    assert_eq!(p.columns[0].1, Some(Column::Village));
    let r = p.valid().next().unwrap();
    assert_eq!(
        (r.kind(), r.status),
        (Kind::LitterPoint, Status::Rectifying)
    );

    let not_a_ledger = plan("name,age\nA,3\n", "张三", now(), None);
    assert_eq!(not_a_ledger.unusable, Some("no_columns"));
    assert_eq!(plan("", "张三", now(), None).unusable, Some("empty"));
}

#[test]
fn impossible_dates_found_and_deadlines_are_refused() {
    // Imported on 2026-11-28: found on year 1, year 9999 or the day after tomorrow cannot be;
    // a deadline past 2100 is a typing mistake. The sane rows stay.
    let text = "村(社区),问题描述,发现日期,整改时限\n\
        白沙村,桥下垃圾一,0001-01-01,\n\
        白沙村,桥下垃圾二,9999-12-31,\n\
        白沙村,桥下垃圾三,2026-11-30,\n\
        白沙村,桥下垃圾四,2026-05-01,9999-12-31\n\
        白沙村,桥下垃圾五,2000-01-01,2100-12-31\n\
        白沙村,桥下垃圾六,2026-11-29,\n";
    let p = plan(text, "张三", now(), None);
    let problems: Vec<(usize, Vec<RowProblem>)> = p
        .rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r.line, e.clone())))
        .collect();
    let p_ = |field, code| RowProblem { field, code };
    assert_eq!(
        problems,
        [
            (2, vec![p_("found", "out_of_range")]),
            (3, vec![p_("found", "out_of_range")]),
            (4, vec![p_("found", "out_of_range")]),
            (5, vec![p_("deadline", "out_of_range")]),
        ]
    );
    // Found on the first day allowed, and tomorrow (noon in China is 04:00 UTC, within a day
    // of 08:00 UTC today).
    assert_eq!(p.valid().count(), 2);
}
