//! The monthly report (月度报告) of a small township worked out by hand: problems found in
//! October and November, moved on by follow-ups in November (one across the month's edge in
//! China Standard Time), one imported already closed, one deleted; patrols valid and not. Its
//! figures to date must be the statistics' own, and the month's are asserted exactly.

mod common;

use common::walk::{Walk, cst};
use common::*;
use patrol_core::patrol_rule::PatrolRule;
use patrol_core::patrol_stats::Month;
use patrol_core::report::{MonthCounts, monthly_report, parse_month, villages};
use patrol_core::stats::stats;
use patrol_core::*;

const YANGLIU: &str = "杨柳村";
const HONGYAN: &str = "红岩村";
const NOVEMBER: Month = Month {
    year: 2026,
    month: 11,
};
const OCTOBER: Month = Month {
    year: 2026,
    month: 10,
};

fn follow_up(record: &mut Record, to: Status, at: chrono::DateTime<chrono::Utc>) {
    let follow_up = FollowUp {
        to,
        ..FollowUp::default()
    };
    record.follow_up(follow_up, "王主任", at).unwrap();
}

fn problem(kind: Kind, village: &str, at: chrono::DateTime<chrono::Utc>, person: &str) -> Record {
    let mut r = Record::new(kind, "张三", village, at);
    r.title = format!("{village} {person}");
    r.responsibility.person = person.into();
    r
}

/// The ledger, with what each problem counts for in November.
fn records() -> Vec<Record> {
    // A: October, fixed on 1 November at 00:30 China time (31 October in UTC), closed on
    // 10 November. November: fixed 1, closed 1.
    let mut a = problem(
        Kind::SewageOutfall,
        YANGLIU,
        cst(2026, 10, 8, 9, 0),
        "严文斌",
    );
    follow_up(&mut a, Status::Fixed, cst(2026, 11, 1, 0, 30));
    follow_up(&mut a, Status::Closed, cst(2026, 11, 10, 10, 0));
    // B: November, overdue on 30 November (deadline 20 November), still open.
    let mut b = problem(Kind::Signage, HONGYAN, cst(2026, 11, 2, 9, 0), "赵小军");
    b.deadline = Some(date(2026, 11, 20));
    // C: October, overdue (deadline 31 October), being fixed since November.
    let mut c = problem(
        Kind::SewageOutfall,
        YANGLIU,
        cst(2026, 10, 9, 9, 0),
        "赵小军",
    );
    c.deadline = Some(date(2026, 10, 31));
    follow_up(&mut c, Status::Rectifying, cst(2026, 11, 3, 9, 0));
    // D: November, imported already closed: found, fixed and closed in November.
    let mut d = problem(Kind::LitterPoint, HONGYAN, cst(2026, 11, 4, 9, 0), "严文斌");
    d.status = Status::Closed;
    // E: October, fixed in October (on 31 October at 23:00 China time), reopened and fixed
    // again twice in November: fixed once in November, closed none.
    let mut e = problem(Kind::LitterPoint, YANGLIU, cst(2026, 10, 10, 9, 0), "");
    follow_up(&mut e, Status::Fixed, cst(2026, 10, 31, 23, 0));
    follow_up(&mut e, Status::Open, cst(2026, 11, 5, 9, 0));
    follow_up(&mut e, Status::Fixed, cst(2026, 11, 6, 9, 0));
    follow_up(&mut e, Status::Open, cst(2026, 11, 7, 9, 0));
    follow_up(&mut e, Status::Fixed, cst(2026, 11, 8, 9, 0));
    // F: November, deleted: nothing.
    let mut f = problem(Kind::Other, YANGLIU, cst(2026, 11, 9, 9, 0), "");
    f.mark_deleted(cst(2026, 11, 9, 10, 0));
    vec![a, b, c, d, e, f]
}

fn patrols() -> Vec<Patrol> {
    vec![
        // November, 杨柳村: valid (30 minutes, 2 km) and not (10 minutes, 0.8 km).
        Walk::start("张三", YANGLIU, cst(2026, 11, 8, 9, 0))
            .go(2000.0, 1800, 60)
            .end(),
        Walk::start("张三", YANGLIU, cst(2026, 11, 20, 14, 0))
            .go(800.0, 600, 20)
            .end(),
        // November, 红岩村: valid.
        Walk::start("李四", HONGYAN, cst(2026, 11, 15, 8, 0))
            .go(3000.0, 3600, 120)
            .end(),
        // October, 红岩村: valid, not November's.
        Walk::start("李四", HONGYAN, cst(2026, 10, 15, 8, 0))
            .go(3000.0, 3600, 120)
            .end(),
    ]
}

fn month(found: usize, fixed: usize, closed: usize) -> MonthCounts {
    MonthCounts {
        found,
        fixed,
        closed,
    }
}

#[test]
fn the_township_in_november() {
    let today = date(2026, 11, 30);
    let records = records();
    let r = monthly_report(
        &records,
        &patrols(),
        &PatrolRule::default(),
        NOVEMBER,
        None,
        today,
    );
    // To date: the statistics' own figures.
    assert_eq!(r.total, stats(&records, today).total);
    assert_eq!(r.total.found(), 5);
    assert_eq!((r.total.fixed, r.total.closed), (1, 2));
    assert_eq!(r.total.rate_percent(), Some(60));
    assert_eq!(r.outstanding(), 2);
    assert_eq!(r.total.overdue, 2);
    // November: B and D found; A, D and E fixed; A and D closed.
    assert_eq!(r.in_month, month(2, 3, 2));
    assert_eq!((r.patrols, r.valid_patrols), (3, 2));
    assert_eq!(r.village, None);

    // By village, in the statistics' order (杨柳村 has three problems).
    let by_village: Vec<_> = r
        .by_village
        .iter()
        .map(|row| (row.key.as_str(), row.month, row.to_date.found()))
        .collect();
    assert_eq!(
        by_village,
        [(YANGLIU, month(0, 2, 1), 3), (HONGYAN, month(2, 1, 1), 2)]
    );
    let by_kind: Vec<_> = r
        .by_kind
        .iter()
        .map(|row| (row.key, row.month, row.to_date.found()))
        .collect();
    assert_eq!(
        by_kind,
        [
            (Kind::SewageOutfall, month(0, 1, 1), 2),
            (Kind::Signage, month(1, 0, 0), 1),
            (Kind::LitterPoint, month(1, 2, 1), 2),
        ]
    );

    // Overdue, most overdue first (C 30 days, B 10), with who must fix them.
    let overdue: Vec<_> = r
        .overdue
        .iter()
        .map(|o| (o.overdue.days, o.responsibility.person.as_str()))
        .collect();
    assert_eq!(overdue, [(30, "赵小军"), (10, "赵小军")]);
    assert_eq!(r.overdue_people, [("赵小军".to_owned(), 2)]);
}

#[test]
fn one_village_and_another_month() {
    let today = date(2026, 11, 30);
    let records = records();
    let rule = PatrolRule::default();
    let r = monthly_report(
        &records,
        &patrols(),
        &rule,
        NOVEMBER,
        Some(" 红岩村 "),
        today,
    );
    assert_eq!(r.village.as_deref(), Some(HONGYAN));
    let hongyan: Vec<Record> = records
        .iter()
        .filter(|r| r.village == HONGYAN)
        .cloned()
        .collect();
    assert_eq!(r.total, stats(&hongyan, today).total);
    assert_eq!(r.in_month, month(2, 1, 1));
    assert_eq!((r.patrols, r.valid_patrols), (1, 1));
    assert_eq!(r.by_village.len(), 1);
    assert_eq!(r.overdue.len(), 1);

    // October, township: A, C and E found; E fixed (on the 31st, China time).
    let r = monthly_report(&records, &patrols(), &rule, OCTOBER, None, today);
    assert_eq!(r.in_month, month(3, 1, 0));
    assert_eq!((r.patrols, r.valid_patrols), (1, 1));
    // The figures to date do not depend on the month.
    assert_eq!(r.total, stats(&records, today).total);
}

#[test]
fn nothing_to_report() {
    let r = monthly_report(
        &[],
        &[],
        &PatrolRule::default(),
        NOVEMBER,
        None,
        date(2026, 11, 30),
    );
    assert_eq!(r.total.found(), 0);
    assert_eq!(r.total.rate_percent(), None);
    assert_eq!(r.in_month, MonthCounts::default());
    assert!(r.by_village.is_empty() && r.by_kind.is_empty() && r.overdue.is_empty());
}

#[test]
fn villages_and_months_as_the_pickers_give_them() {
    let records = records();
    assert_eq!(villages(&records), [YANGLIU, HONGYAN]);
    assert_eq!(parse_month("2026-11"), Some(NOVEMBER));
    assert_eq!(
        parse_month(" 2026-01 "),
        Some(Month {
            year: 2026,
            month: 1
        })
    );
    assert_eq!(parse_month("2026-13"), None);
    assert_eq!(parse_month(""), None);
    assert_eq!(parse_month("November"), None);
}
