//! The township office's steps (issue 27): dispatching a problem (交办), checking a fixed one
//! off (销号) or sending it back (退回), and the rule that keeps both out of what a village's
//! device may push. Old records, without any of it, still read and write as before.

mod common;

use common::*;
use patrol_core::validate::{MAX_NOTES, field};
use patrol_core::workflow::{OfficeOnly, office_only_change};
use patrol_core::*;
use serde_json::json;

const OFFICE: &str = "乡镇办公室";

fn now() -> chrono::DateTime<chrono::Utc> {
    at(2026, 5, 10, 2, 0, 0)
}

/// A problem the village reported fixed (open → fixed).
fn fixed() -> Record {
    let mut r = minimal(Kind::SewageOutfall);
    r.follow_up(
        FollowUp {
            to: Status::Fixed,
            notes: "已封堵".into(),
            ..Default::default()
        },
        "张三",
        at(2026, 5, 5, 8, 0, 0),
    )
    .unwrap();
    r
}

#[test]
fn the_office_closes_a_fixed_problem_with_a_review_visit() {
    let mut r = fixed();
    let before = r.clone();
    let visit = r
        .review(Review::Close, "  复查合格  ", OFFICE, now())
        .unwrap();
    assert!(visit.review);
    assert_eq!((visit.from, visit.to), (Status::Fixed, Status::Closed));
    assert_eq!(visit.author, OFFICE);
    assert_eq!(visit.notes, "复查合格");
    assert_eq!(visit.at, now());
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.visits.len(), before.visits.len() + 1);
    // Bumps nothing: whoever saves does.
    assert_eq!(
        (r.revision, r.updated_at),
        (before.revision, before.updated_at)
    );
    // A closing needs no reason.
    let mut r = fixed();
    r.review(Review::Close, "", OFFICE, now()).unwrap();
    assert_eq!(r.status, Status::Closed);
    // In the history, told apart from the village's follow-ups.
    let history = r.history();
    assert_eq!(
        history.iter().map(|h| h.review).collect::<Vec<_>>(),
        [false, false, true]
    );
}

#[test]
fn sending_back_needs_a_reason_and_reopens_the_problem() {
    let mut r = fixed();
    let visit = r
        .review(Review::SendBack, " 排口仍有污水 ", OFFICE, now())
        .unwrap();
    assert!(visit.review);
    assert_eq!((visit.from, visit.to), (Status::Fixed, Status::Open));
    assert_eq!(visit.notes, "排口仍有污水");
    assert_eq!(r.status, Status::Open);

    for reason in ["", "   "] {
        let mut r = fixed();
        let before = r.clone();
        assert_eq!(
            r.review(Review::SendBack, reason, OFFICE, now()),
            Err(ReviewError::ReasonRequired)
        );
        assert_eq!(r, before, "unchanged when refused");
    }
    let long = "改".repeat(MAX_NOTES + 1);
    for decision in [Review::Close, Review::SendBack] {
        let mut r = fixed();
        assert_eq!(
            r.review(decision, &long, OFFICE, now()),
            Err(ReviewError::ReasonTooLong { max: MAX_NOTES })
        );
    }
    let mut r = fixed();
    r.review(Review::SendBack, &"改".repeat(MAX_NOTES), OFFICE, now())
        .unwrap();
}

#[test]
fn only_a_fixed_problem_is_reviewed() {
    for status in [Status::Open, Status::Rectifying, Status::Closed] {
        for decision in [Review::Close, Review::SendBack] {
            let mut r = minimal(Kind::Signage);
            r.status = status;
            let before = r.clone();
            assert_eq!(
                r.review(decision, "理由", OFFICE, now()),
                Err(ReviewError::NotFixed { status })
            );
            assert_eq!(r, before);
        }
    }
    let mut r = fixed();
    r.mark_deleted(now());
    assert_eq!(
        r.review(Review::Close, "", OFFICE, now()),
        Err(ReviewError::Deleted)
    );
}

#[test]
fn the_decision_reads_as_the_protocol_writes_it() {
    let close: sync::ReviewRequest = serde_json::from_value(json!({"decision": "close"})).unwrap();
    assert_eq!(close.decision, Review::Close);
    assert_eq!(close.reason, "");
    let back: sync::ReviewRequest =
        serde_json::from_value(json!({"decision": "send_back", "reason": "未整改"})).unwrap();
    assert_eq!(
        (back.decision, back.reason.as_str()),
        (Review::SendBack, "未整改")
    );
    assert!(serde_json::from_value::<sync::ReviewRequest>(json!({"decision": "done"})).is_err());
}

fn request() -> DispatchRequest {
    serde_json::from_value(json!({
        "kind": "signage",
        "village": " 杨柳村 ",
        "title": " 饮用水源保护区标志牌未设置 ",
        "place": "鲁家沟水库",
        "responsibility": {"leader": "王镇长", "department": "镇水利站", "person": "李四", "phone": "13800000000"},
        "deadline": "2026-06-30",
        "notes": "限期设置"
    }))
    .unwrap()
}

#[test]
fn a_dispatch_request_makes_a_fresh_dispatched_problem() {
    let r = request().into_record(OFFICE, now()).unwrap();
    assert_eq!(r.kind(), Kind::Signage);
    assert_eq!(r.village, "杨柳村");
    assert_eq!(r.title, "饮用水源保护区标志牌未设置");
    assert_eq!(r.responsibility.department, "镇水利站");
    assert_eq!(r.deadline, Some(date(2026, 6, 30)));
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.author, OFFICE);
    assert_eq!((r.created_at, r.updated_at), (now(), now()));
    assert_eq!(r.revision, 1);
    assert_eq!(r.schema, SCHEMA_VERSION);
    assert!(r.visits.is_empty() && r.photos.is_empty());
    assert_eq!(
        r.dispatched,
        Some(Dispatch {
            at: now(),
            by: OFFICE.into()
        })
    );
    let other = request().into_record(OFFICE, now()).unwrap();
    assert_ne!(r.id, other.id, "a new id each time");
    // What the village's phone reads back.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json["dispatched"],
        json!({"at": "2026-05-10T02:00:00Z", "by": OFFICE})
    );
    assert_eq!(codec::decode(&codec::encode(&r)).unwrap().record, r);
}

#[test]
fn a_dispatch_request_is_checked_as_any_record() {
    let mut req = request();
    req.village = "  ".into();
    req.kind = Kind::Other;
    req.title = String::new();
    req.responsibility.phone = "call me".into();
    req.deadline = Some(date(2026, 5, 1));
    let errors = req.into_record(OFFICE, now()).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
    assert_eq!(
        fields,
        [
            (field::TITLE, Problem::Required),
            (field::VILLAGE, Problem::Required),
            (field::PHONE, Problem::InvalidPhone),
            (field::DEADLINE, Problem::DeadlineBeforeFound),
        ]
    );
    assert!(
        serde_json::from_value::<DispatchRequest>(json!({"village": "杨柳村"})).is_err(),
        "a kind is needed"
    );
}

#[test]
fn dispatching_an_existing_problem_sets_what_is_given() {
    let mut r = minimal(Kind::SewageOutfall);
    r.deadline = Some(date(2026, 7, 1));
    let before = r.clone();
    r.dispatch(DispatchUpdate::default(), OFFICE, now())
        .unwrap();
    assert_eq!(r.deadline, before.deadline, "left as it was");
    assert_eq!(r.responsibility, before.responsibility);
    assert_eq!(r.dispatched.as_ref().unwrap().by, OFFICE);
    assert_eq!(r.revision, before.revision, "bumps nothing");

    let update: DispatchUpdate = serde_json::from_value(json!({
        "responsibility": {"leader": "王镇长", "person": " 李四 "},
        "deadline": "2026-06-15"
    }))
    .unwrap();
    let later = now() + chrono::Duration::days(1);
    r.dispatch(update, "王主任", later).unwrap();
    assert_eq!(r.responsibility.person, "李四");
    assert_eq!(r.deadline, Some(date(2026, 6, 15)));
    assert_eq!(
        r.dispatched,
        Some(Dispatch {
            at: later,
            by: "王主任".into()
        }),
        "the latest dispatch counts"
    );

    let bad = DispatchUpdate {
        deadline: Some(date(1999, 1, 1)),
        ..Default::default()
    };
    let before = r.clone();
    assert!(matches!(
        r.dispatch(bad, OFFICE, now()),
        Err(dispatch::DispatchError::Invalid(e)) if e[0].field == field::DEADLINE
    ));
    assert_eq!(r, before);

    let mut closed = fixed();
    closed.review(Review::Close, "", OFFICE, now()).unwrap();
    assert_eq!(
        closed.dispatch(DispatchUpdate::default(), OFFICE, now()),
        Err(dispatch::DispatchError::Closed)
    );
    let mut deleted = minimal(Kind::Other);
    deleted.mark_deleted(now());
    assert_eq!(
        deleted.dispatch(DispatchUpdate::default(), OFFICE, now()),
        Err(dispatch::DispatchError::Deleted)
    );
}

#[test]
fn a_village_may_not_close_review_or_dispatch() {
    let stored = fixed();

    // Its own follow-ups, reopening, notes on a closed problem: fine.
    let mut progress = stored.clone();
    progress
        .follow_up(
            FollowUp {
                to: Status::Open,
                notes: "又有污水".into(),
                ..Default::default()
            },
            "张三",
            now(),
        )
        .unwrap();
    assert_eq!(office_only_change(Some(&stored), &progress), None);
    assert_eq!(office_only_change(Some(&stored), &stored), None);
    assert_eq!(office_only_change(None, &stored), None, "a new problem");

    // Closing by a follow-up (fixed → closed).
    let mut closes = stored.clone();
    closes
        .follow_up(
            FollowUp {
                to: Status::Closed,
                ..Default::default()
            },
            "张三",
            now(),
        )
        .unwrap();
    assert_eq!(
        office_only_change(Some(&stored), &closes),
        Some(OfficeOnly::Closes)
    );
    assert_eq!(
        office_only_change(None, &closes),
        Some(OfficeOnly::Closes),
        "new to the server too"
    );
    assert_eq!(OfficeOnly::Closes.field(), field::VISITS);

    // A review visit of its own making, even one sending back.
    let mut review = stored.clone();
    review
        .review(Review::SendBack, "冒充乡镇", "张三", now())
        .unwrap();
    assert_eq!(
        office_only_change(Some(&stored), &review),
        Some(OfficeOnly::Review)
    );

    // The status set to closed without a visit.
    let mut closed = stored.clone();
    closed.status = Status::Closed;
    assert_eq!(
        office_only_change(Some(&stored), &closed),
        Some(OfficeOnly::Closed)
    );
    assert_eq!(OfficeOnly::Closed.field(), "status");

    // Once the office closed it, the village's copy of that is no change of its own, and a
    // note on the closed problem neither.
    let mut by_office = stored.clone();
    by_office.review(Review::Close, "", OFFICE, now()).unwrap();
    assert_eq!(office_only_change(Some(&by_office), &by_office), None);
    let mut noted = by_office.clone();
    noted
        .follow_up(
            FollowUp {
                to: Status::Closed,
                notes: "回访无复发".into(),
                ..Default::default()
            },
            "张三",
            now(),
        )
        .unwrap();
    assert_eq!(office_only_change(Some(&by_office), &noted), None);

    // Dispatch set, or changed.
    let mut dispatched = stored.clone();
    dispatched
        .dispatch(DispatchUpdate::default(), "张三", now())
        .unwrap();
    assert_eq!(
        office_only_change(Some(&stored), &dispatched),
        Some(OfficeOnly::Dispatch)
    );
    assert_eq!(
        office_only_change(None, &dispatched),
        Some(OfficeOnly::Dispatch)
    );
    let mut office_copy = stored.clone();
    office_copy
        .dispatch(DispatchUpdate::default(), OFFICE, now())
        .unwrap();
    assert_eq!(office_only_change(Some(&office_copy), &office_copy), None);
    assert_eq!(
        office_only_change(Some(&office_copy), &dispatched),
        Some(OfficeOnly::Dispatch)
    );
    // Left out (an older app): no change; the server keeps it.
    assert_eq!(office_only_change(Some(&office_copy), &stored), None);
}

#[test]
fn what_an_older_app_drops_is_kept() {
    let mut stored = fixed();
    stored
        .dispatch(DispatchUpdate::default(), OFFICE, now())
        .unwrap();
    stored
        .review(Review::SendBack, "未整改", OFFICE, now())
        .unwrap();

    // An app without the fields reads the record and writes it back without them.
    let mut old = serde_json::to_value(&stored).unwrap();
    old.as_object_mut().unwrap().remove("dispatched");
    for visit in old["visits"].as_array_mut().unwrap() {
        visit.as_object_mut().unwrap().remove("review");
    }
    let mut pushed: Record = serde_json::from_value(old).unwrap();
    assert_eq!(pushed.dispatched, None);
    assert!(pushed.visits.iter().all(|v| !v.review));
    assert_eq!(office_only_change(Some(&stored), &pushed), None);

    assert!(pushed.keep_office_marks(&stored));
    assert_eq!(pushed, stored);
    assert!(!pushed.keep_office_marks(&stored), "nothing more to keep");
}

#[test]
fn records_without_the_offices_fields_read_and_write_as_before() {
    let r = minimal(Kind::LitterPoint);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("dispatched").is_none());
    let mut visited = fixed();
    let json = serde_json::to_value(&visited).unwrap();
    assert!(json["visits"][0].get("review").is_none());
    // Not a new schema: the fields are optional, so an older app reads them away and a
    // record of before reads with none.
    assert_eq!(
        codec::decode(&codec::encode(&visited))
            .unwrap()
            .migrated_from,
        None
    );
    visited.review(Review::Close, "", OFFICE, now()).unwrap();
    let json = serde_json::to_value(&visited).unwrap();
    assert_eq!(json["visits"][1]["review"], json!(true));
    assert_eq!(
        codec::decode(&codec::encode(&visited)).unwrap().record,
        visited
    );
}
