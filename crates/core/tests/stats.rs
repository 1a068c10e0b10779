//! The ledger in numbers: exact counts, the rectification rate, by kind and by village, and
//! the overdue list, on a fixed day.

mod common;

use common::*;
use patrol_core::stats::{Tally, stats};
use patrol_core::*;
use uuid::Uuid;

fn problem(
    n: u128,
    kind: Kind,
    village: &str,
    status: Status,
    deadline: Option<(u32, u32)>,
) -> Record {
    let mut r = minimal(kind);
    r.id = Uuid::from_u128(n);
    r.title = format!("问题 {n}");
    r.village = village.into();
    r.status = status;
    r.deadline = deadline.map(|(m, d)| date(2026, m, d));
    r
}

#[test]
fn nothing_found_is_all_zero_and_has_no_rate() {
    let s = stats(&[], date(2026, 6, 1));
    assert_eq!(s.total, Tally::default());
    assert_eq!(s.total.rate_percent(), None);
    assert!(s.by_kind.is_empty() && s.by_village.is_empty() && s.overdue.is_empty());
}

#[test]
fn counts_rate_groups_and_overdue_on_a_given_day() {
    let today = date(2026, 6, 1);
    let mut gone = problem(9, Kind::Signage, "杨柳村", Status::Open, Some((5, 2)));
    gone.deleted_at = Some(found());
    let records = vec![
        problem(
            1,
            Kind::SewageOutfall,
            "杨柳村",
            Status::Open,
            Some((5, 20)),
        ),
        problem(
            2,
            Kind::SewageOutfall,
            "杨柳村",
            Status::Rectifying,
            Some((5, 31)),
        ),
        problem(
            3,
            Kind::SewageOutfall,
            "红岩村",
            Status::Fixed,
            Some((5, 2)),
        ),
        problem(4, Kind::LitterPoint, "杨柳村", Status::Closed, None),
        problem(5, Kind::LitterPoint, "白沙村", Status::Open, Some((6, 1))),
        problem(6, Kind::LitterPoint, "红岩村", Status::Open, None),
        problem(7, Kind::Signage, "红岩村", Status::Open, Some((5, 10))),
        gone,
    ];
    let s = stats(&records, today);
    assert_eq!(
        s.total,
        Tally {
            open: 4,
            rectifying: 1,
            fixed: 1,
            closed: 1,
            overdue: 3
        }
    );
    assert_eq!(s.total.found(), 7);
    assert_eq!(s.total.done(), 2);
    assert_eq!(
        s.total.rate_percent(),
        Some(28),
        "2 of 7 is 28.6 %, shown as 28"
    );

    let kinds: Vec<(Kind, usize, usize)> = s
        .by_kind
        .iter()
        .map(|(k, t)| (*k, t.found(), t.done()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Kind::SewageOutfall, 3, 1),
            (Kind::Signage, 1, 0),
            (Kind::LitterPoint, 3, 1),
        ]
    );
    let villages: Vec<(&str, usize, usize)> = s
        .by_village
        .iter()
        .map(|(v, t)| (v.as_str(), t.found(), t.overdue))
        .collect();
    assert_eq!(
        villages,
        [("杨柳村", 3, 2), ("红岩村", 3, 1), ("白沙村", 1, 0)]
    );

    // Due today is not overdue; the fixed one past its deadline is not either.
    let overdue: Vec<(&str, u64)> = s
        .overdue
        .iter()
        .map(|o| (o.title.as_str(), o.days))
        .collect();
    assert_eq!(overdue, [("问题 7", 22), ("问题 1", 12), ("问题 2", 1)]);
}

#[test]
fn a_complete_ledger_is_a_hundred_per_cent() {
    let records = [
        problem(1, Kind::Other, "杨柳村", Status::Closed, None),
        problem(2, Kind::Other, "杨柳村", Status::Fixed, None),
    ];
    assert_eq!(
        stats(&records, date(2026, 6, 1)).total.rate_percent(),
        Some(100)
    );
}
