//! Narrowing the ledger: text search and filters.

mod common;

use common::*;
use patrol_core::filter::{Filter, villages};
use patrol_core::*;

fn ledger() -> Vec<Record> {
    let mut outfall = sample(Kind::SewageOutfall);
    outfall.title = "沿河住户生活污水直排".into();
    outfall.village = "杨柳村".into();
    outfall.place = "四组桥头".into();
    outfall.notes = "雨后流量大 Pipe".into();
    outfall.status = Status::Open;
    outfall.deadline = Some(date(2026, 6, 30));
    let mut farm = sample(Kind::LivestockFarm);
    farm.title = "养猪场粪污".into();
    farm.village = "白沙村".into();
    farm.place = "村东养殖区".into();
    farm.notes = String::new();
    farm.status = Status::Rectifying;
    farm.deadline = Some(date(2026, 12, 31));
    let mut sign = sample(Kind::Signage);
    sign.title = "标志牌缺失".into();
    sign.village = " 杨柳村 ".into();
    sign.place = "水源地入口".into();
    sign.notes = String::new();
    sign.status = Status::Fixed;
    sign.deadline = Some(date(2026, 1, 1));
    let mut gone = sample(Kind::Other);
    gone.title = "已删除的污水".into();
    gone.mark_deleted(found());
    vec![outfall, farm, sign, gone]
}

fn shown(filter: &Filter) -> Vec<String> {
    let today = date(2026, 11, 28);
    ledger()
        .iter()
        .filter(|r| filter.matches(r, today))
        .map(|r| r.title.clone())
        .collect()
}

#[test]
fn the_default_shows_every_live_problem() {
    assert_eq!(
        shown(&Filter::default()),
        ["沿河住户生活污水直排", "养猪场粪污", "标志牌缺失"]
    );
    assert!(!Filter::default().is_active());
}

#[test]
fn text_searches_title_place_village_and_notes_all_words() {
    let text = |t: &str| Filter {
        text: t.into(),
        ..Filter::default()
    };
    assert_eq!(shown(&text("污水")), ["沿河住户生活污水直排"]);
    assert_eq!(shown(&text("桥头")), ["沿河住户生活污水直排"]);
    assert_eq!(
        shown(&text("pipe")),
        ["沿河住户生活污水直排"],
        "case ignored"
    );
    assert_eq!(
        shown(&text("PIPE")),
        ["沿河住户生活污水直排"],
        "case ignored both ways"
    );
    assert_eq!(
        shown(&text("ｐｉｐｅ")),
        ["沿河住户生活污水直排"],
        "full-width letters, as a Chinese input method types them, find plain ones"
    );
    assert_eq!(
        shown(&text("四组　Ｐｉｐｅ")),
        ["沿河住户生活污水直排"],
        "an ideographic space separates words too"
    );
    assert_eq!(shown(&text("白沙")), ["养猪场粪污"]);
    assert_eq!(shown(&text("污水 桥头")), ["沿河住户生活污水直排"]);
    assert!(
        shown(&text("污水 白沙")).is_empty(),
        "every word must match"
    );
    assert_eq!(shown(&text("   ")).len(), 3);
    assert!(!text("  ").is_active());
    assert!(text("污水").is_active());
}

#[test]
fn filters_by_kind_village_status_and_overdue() {
    let f = Filter {
        kind: Some(Kind::LivestockFarm),
        ..Filter::default()
    };
    assert_eq!(shown(&f), ["养猪场粪污"]);
    let f = Filter {
        village: Some("杨柳村".into()),
        ..Filter::default()
    };
    assert_eq!(shown(&f), ["沿河住户生活污水直排", "标志牌缺失"]);
    let f = Filter {
        status: Some(Status::Fixed),
        ..Filter::default()
    };
    assert_eq!(shown(&f), ["标志牌缺失"]);
    // The sign's deadline passed too, but it is fixed: not overdue.
    let f = Filter {
        overdue_only: true,
        ..Filter::default()
    };
    assert_eq!(shown(&f), ["沿河住户生活污水直排"]);
    assert!(f.is_active());
}

#[test]
fn village_choices_are_each_named_once_sorted() {
    assert_eq!(villages(&ledger()), ["杨柳村", "白沙村"]);
}

/// The office's table sorts by any column, both ways; a problem without a deadline stays last.
#[test]
fn the_desk_table_sorts_by_each_column_both_ways() {
    use patrol_core::filter::{Column, sort_by_column};
    let mut records: Vec<Record> = ledger().into_iter().filter(|r| !r.is_deleted()).collect();
    records[0].responsibility.person = "严文斌".into();
    records[1].responsibility.person = "王大山".into();
    records[2].responsibility.person = "".into();
    let mut undated = sample(Kind::LitterPoint);
    undated.title = "垃圾堆放".into();
    undated.deadline = None;
    records.push(undated);
    let titles = |records: &[Record]| records.iter().map(|r| r.title.clone()).collect::<Vec<_>>();
    let sorted = |column, ascending| {
        let mut all = records.clone();
        sort_by_column(&mut all, column, ascending);
        titles(&all)
    };

    assert_eq!(
        sorted(Column::Deadline, true),
        [
            "标志牌缺失",
            "沿河住户生活污水直排",
            "养猪场粪污",
            "垃圾堆放"
        ]
    );
    assert_eq!(
        sorted(Column::Deadline, false),
        [
            "养猪场粪污",
            "沿河住户生活污水直排",
            "标志牌缺失",
            "垃圾堆放"
        ]
    );
    // The workflow's order: 待整改, 整改中, 已整改.
    let mut by_status = records.clone();
    sort_by_column(&mut by_status, Column::Status, true);
    let statuses: Vec<Status> = by_status.iter().map(|r| r.status).collect();
    let mut in_order = statuses.clone();
    in_order.sort();
    assert_eq!(statuses, in_order);
    // The kinds' own order: 排污口, 养殖场, 标志牌, …, 垃圾点.
    assert_eq!(
        sorted(Column::Kind, true),
        [
            "沿河住户生活污水直排",
            "养猪场粪污",
            "标志牌缺失",
            "垃圾堆放"
        ]
    );
    assert_eq!(
        sorted(Column::Kind, false),
        [
            "垃圾堆放",
            "标志牌缺失",
            "养猪场粪污",
            "沿河住户生活污水直排"
        ]
    );
    // Villages compare trimmed: " 杨柳村 " is 杨柳村.
    let villages: Vec<String> = {
        let mut all = records.clone();
        sort_by_column(&mut all, Column::Village, true);
        all.iter().map(|r| r.village.trim().to_owned()).collect()
    };
    let mut in_order = villages.clone();
    in_order.sort();
    assert_eq!(villages, in_order);
    // Nothing is lost or doubled by any sort.
    for column in [Column::Found, Column::Title, Column::Person] {
        for ascending in [true, false] {
            let mut got = sorted(column, ascending);
            got.sort();
            let mut want = titles(&records);
            want.sort();
            assert_eq!(got, want);
        }
    }
}
