//! Patrol statistics (巡河统计) of a small township worked out by hand: two officials, two
//! villages, two months, a patrol that does not count, one that starts on the 1st of a month
//! in China Standard Time while it is still the 31st in UTC, and the problems and follow-ups
//! of the same weeks. Every figure and the CSV text are asserted exactly.

mod common;

use common::walk::{Walk, cst};
use patrol_core::patrol_rule::PatrolRule;
use patrol_core::patrol_stats::{
    Month, PatrolCounts, PatrolStatsRow, patrol_stats, patrol_stats_csv, patrol_totals,
};
use patrol_core::*;

const YANGLIU: &str = "杨柳村";
const HONGYAN: &str = "红岩村";

/// The six patrols, each going due north at a walking pace unless said otherwise.
fn patrols() -> Vec<Patrol> {
    vec![
        // P1 October: 30 minutes, 2 km. Valid.
        Walk::start("张三", YANGLIU, cst(2026, 10, 8, 9, 0))
            .go(2000.0, 1800, 60)
            .end(),
        // P2 October: 10 minutes, 0.8 km. Too short and too little distance.
        Walk::start("张三", YANGLIU, cst(2026, 10, 20, 14, 0))
            .go(800.0, 600, 20)
            .end(),
        // P3 November in China (00:10 on the 1st), October in UTC (16:10 on the 31st): 40
        // minutes, 2.5 km. Valid.
        Walk::start("张三", YANGLIU, cst(2026, 11, 1, 0, 10))
            .go(2500.0, 2400, 80)
            .end(),
        // P4 October: an hour, 3 km. Valid.
        Walk::start("李四", HONGYAN, cst(2026, 10, 15, 8, 0))
            .go(3000.0, 3600, 120)
            .end(),
        // P5 November: 0.6 km on foot in 10 minutes, 2 km by car in 2, 0.5 km on foot in 8:
        // 20 minutes, 1.1 km counted. Not valid (the car).
        Walk::start("李四", HONGYAN, cst(2026, 11, 5, 9, 0))
            .go(600.0, 600, 20)
            .go(2000.0, 120, 12)
            .go(500.0, 480, 16)
            .end(),
        // P6 November, still under way: not counted at all.
        Walk::start("李四", HONGYAN, cst(2026, 11, 20, 10, 0))
            .go(1000.0, 900, 30)
            .under_way(),
    ]
}

fn follow_up(record: &mut Record, to: Status, author: &str, at: chrono::DateTime<chrono::Utc>) {
    let follow_up = FollowUp {
        to,
        ..FollowUp::default()
    };
    record.follow_up(follow_up, author, at).unwrap();
}

/// The problems, with their follow-ups.
fn records() -> Vec<Record> {
    // R1, found by 张三 on P1 (October); followed up by him at 00:30 on 1 November (China; 31
    // October in UTC), and by 王主任 of the township office on 10 November.
    let mut r1 = Record::new(
        Kind::SewageOutfall,
        "张三",
        YANGLIU,
        cst(2026, 10, 8, 9, 10),
    );
    follow_up(&mut r1, Status::Rectifying, "张三", cst(2026, 11, 1, 0, 30));
    follow_up(&mut r1, Status::Fixed, " 王主任 ", cst(2026, 11, 10, 10, 0));
    // R2, found by 李四 at 07:00 on 1 November (China; 23:00 on 31 October in UTC).
    let r2 = Record::new(Kind::Signage, "李四", HONGYAN, cst(2026, 11, 1, 7, 0));
    // R3, found and followed up by 张三, then deleted: none of it counts.
    let mut r3 = Record::new(Kind::Other, "张三", YANGLIU, cst(2026, 10, 9, 10, 0));
    follow_up(
        &mut r3,
        Status::Rectifying,
        "张三",
        cst(2026, 10, 10, 10, 0),
    );
    r3.mark_deleted(cst(2026, 10, 11, 10, 0));
    vec![r1, r2, r3]
}

fn counts(
    patrols: u32,
    valid: u32,
    metres: f64,
    minutes: i64,
    problems: u32,
    follow_ups: u32,
) -> PatrolCounts {
    PatrolCounts {
        patrols,
        valid,
        metres,
        seconds: minutes * 60,
        problems,
        follow_ups,
    }
}

fn row(year: i32, month: u32, village: &str, official: &str, c: PatrolCounts) -> PatrolStatsRow {
    PatrolStatsRow {
        month: Month { year, month },
        village: village.into(),
        official: official.into(),
        counts: c,
    }
}

/// The rows by hand, latest month first, then village and official in code-point order
/// (杨 U+6768 before 红 U+7EA2, 张 U+5F20 before 王 U+738B).
fn expected() -> Vec<PatrolStatsRow> {
    vec![
        // P3; R1's follow-up by 张三.
        row(2026, 11, YANGLIU, "张三", counts(1, 1, 2500.0, 40, 0, 1)),
        // R1's follow-up by 王主任 (his name trimmed): no patrol, still a row.
        row(2026, 11, YANGLIU, "王主任", counts(0, 0, 0.0, 0, 0, 1)),
        // P5 (not valid, its walking counted); R2.
        row(2026, 11, HONGYAN, "李四", counts(1, 0, 1100.0, 20, 1, 0)),
        // P1 and P2 (one valid): 2 + 0.8 km, 30 + 10 minutes; R1.
        row(2026, 10, YANGLIU, "张三", counts(2, 1, 2800.0, 40, 1, 0)),
        // P4.
        row(2026, 10, HONGYAN, "李四", counts(1, 1, 3000.0, 60, 0, 0)),
    ]
}

/// Equal, the metres to a micrometre (a track's length is a sum of haversine steps).
fn assert_rows(actual: &[PatrolStatsRow], expected: &[PatrolStatsRow]) {
    assert_eq!(actual.len(), expected.len(), "{actual:#?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a.counts.metres - e.counts.metres).abs() < 1e-6,
            "{a:?} vs {e:?}"
        );
        let mut a = a.clone();
        a.counts.metres = e.counts.metres;
        assert_eq!(&a, e);
    }
}

#[test]
fn patrols_problems_and_follow_ups_count_by_month_village_and_official() {
    let (patrols, records) = (patrols(), records());
    let rows = patrol_stats(&patrols, &records, &PatrolRule::default());
    assert_rows(&rows, &expected());

    // 5 ended patrols, 3 valid, 2.5 + 1.1 + 2.8 + 3 = 9.4 km, 40 + 20 + 40 + 60 = 160 minutes,
    // 2 problems, 2 follow-ups.
    let total = patrol_totals(&rows);
    assert!((total.metres - 9400.0).abs() < 1e-6);
    assert_eq!(
        PatrolCounts {
            metres: 9400.0,
            ..total
        },
        counts(5, 3, 9400.0, 160, 2, 2)
    );
    assert_eq!(total.hours(), 160.0 / 60.0);
}

#[test]
fn the_township_rule_decides_what_is_valid() {
    // Half an hour and 2 km: P1 (30 minutes, 2 km) still counts, P3 (40 minutes, 2.5 km) and
    // P4 (an hour, 3 km) too; P2 and P5 still do not. Only the rule changes, not the km.
    let (patrols, records) = (patrols(), records());
    let strict = PatrolRule {
        min_minutes: 30,
        min_metres: 2000,
    };
    assert_eq!(
        patrol_totals(&patrol_stats(&patrols, &records, &strict)).valid,
        3
    );
    // 45 minutes: only P4.
    let stricter = PatrolRule {
        min_minutes: 45,
        min_metres: 1000,
    };
    let rows = patrol_stats(&patrols, &records, &stricter);
    let valid: Vec<(String, &str, u32)> = rows
        .iter()
        .map(|r| (r.month.to_string(), r.official.as_str(), r.counts.valid))
        .collect();
    assert_eq!(
        valid,
        vec![
            ("2026-11".to_owned(), "张三", 0),
            ("2026-11".to_owned(), "王主任", 0),
            ("2026-11".to_owned(), "李四", 0),
            ("2026-10".to_owned(), "张三", 0),
            ("2026-10".to_owned(), "李四", 1),
        ]
    );
}

#[test]
fn nothing_to_count_is_no_rows() {
    let rows = patrol_stats(&[], &[], &PatrolRule::default());
    assert!(rows.is_empty());
    assert_eq!(patrol_totals(&rows), PatrolCounts::default());
}

#[test]
fn the_csv_is_the_table_with_a_total_line_for_excel() {
    let (patrols, records) = (patrols(), records());
    let rows = patrol_stats(&patrols, &records, &PatrolRule::default());
    // Hours to one decimal: 40 minutes is 0.7, 20 is 0.3, 160 is 2.7.
    let expected = "\u{feff}月份,村,河长/巡河人,巡河次数,有效巡河,公里,小时,发现问题,跟进次数\r\n\
        2026-11,杨柳村,张三,1,1,2.5,0.7,0,1\r\n\
        2026-11,杨柳村,王主任,0,0,0.0,0.0,0,1\r\n\
        2026-11,红岩村,李四,1,0,1.1,0.3,1,0\r\n\
        2026-10,杨柳村,张三,2,1,2.8,0.7,1,0\r\n\
        2026-10,红岩村,李四,1,1,3.0,1.0,0,0\r\n\
        合计,,,5,3,9.4,2.7,2,2\r\n";
    assert_eq!(patrol_stats_csv(&rows), expected);
    // Empty: the header and a total of zeros.
    assert_eq!(
        patrol_stats_csv(&[]),
        "\u{feff}月份,村,河长/巡河人,巡河次数,有效巡河,公里,小时,发现问题,跟进次数\r\n\
         合计,,,0,0,0.0,0.0,0,0\r\n"
    );
}

#[test]
fn a_name_a_spreadsheet_would_run_is_written_as_text() {
    let patrol = Walk::start("=HYPERLINK(\"x\")", "杨柳村", cst(2026, 10, 8, 9, 0))
        .go(2000.0, 1800, 60)
        .end();
    let csv = patrol_stats_csv(&patrol_stats([&patrol], [], &PatrolRule::default()));
    assert!(
        csv.contains("\r\n2026-10,杨柳村,\"'=HYPERLINK(\"\"x\"\")\",1,1,2.0,0.5,0,0\r\n"),
        "{csv}"
    );
}
