//! Follow-up visits: the workflow decides which status a visit may set, visits never change
//! once saved, and a problem's history, "fixed on" and "last visit" come from them.

mod common;

use common::*;
use patrol_core::validate::{MAX_NOTES, field};
use patrol_core::workflow::RefusedTransition;
use patrol_core::*;
use uuid::Uuid;

fn to(status: Status) -> FollowUp {
    FollowUp {
        to: status,
        ..Default::default()
    }
}

fn photo(n: u128) -> PhotoRef {
    PhotoRef {
        id: Uuid::from_u128(0xf070_0000_0000_4000_8000_0000_0000_0000 + n),
        bytes: 1000,
        width: 1600,
        height: 1200,
        sha256: format!("{n:064x}"),
        taken_at: found(),
        watermark: None,
        source: None,
        exif: None,
    }
}

#[test]
fn a_follow_up_appends_a_visit_and_moves_the_status() {
    let mut r = minimal(Kind::SewageOutfall);
    let visit = r
        .follow_up(
            FollowUp {
                to: Status::Rectifying,
                notes: "  已约谈户主  ".into(),
                photos: vec![photo(1)],
                ..Default::default()
            },
            "李四",
            at(2026, 5, 3, 2, 0, 0),
        )
        .unwrap()
        .clone();
    assert_eq!(visit.from, Status::Open);
    assert_eq!(visit.to, Status::Rectifying);
    assert_eq!(visit.author, "李四");
    assert_eq!(visit.notes, "已约谈户主");
    assert_eq!(r.status, Status::Rectifying);
    assert_eq!(r.visits, vec![visit]);
}

#[test]
fn every_allowed_and_refused_follow_up() {
    for &from in <Status as Choice>::ALL {
        for &target in <Status as Choice>::ALL {
            let mut r = minimal(Kind::Signage);
            r.status = from;
            let before = r.clone();
            let result = r.follow_up(to(target), "张三", at(2026, 5, 2, 0, 0, 0));
            let allowed = from == target
                || matches!(
                    (from, target),
                    (Status::Open, Status::Rectifying)
                        | (Status::Open, Status::Fixed)
                        | (Status::Rectifying, Status::Fixed)
                        | (Status::Fixed, Status::Closed)
                        | (Status::Fixed, Status::Open)
                        | (Status::Closed, Status::Open)
                );
            if allowed {
                assert!(result.is_ok(), "{from:?} → {target:?}");
                assert_eq!(r.status, target);
                assert_eq!(r.visits.len(), 1);
            } else {
                assert_eq!(
                    result,
                    Err(FollowUpError::Refused(RefusedTransition {
                        from,
                        to: target
                    })),
                    "{from:?} → {target:?}"
                );
                assert_eq!(r, before, "a refused follow-up changes nothing");
            }
        }
    }
}

#[test]
fn a_follow_up_with_bad_fields_is_refused_with_every_reason() {
    let mut r = minimal(Kind::Signage);
    let before = r.clone();
    let result = r.follow_up(
        FollowUp {
            to: Status::Rectifying,
            notes: "字".repeat(MAX_NOTES + 1),
            position: Some(Position {
                latitude: 91.0,
                longitude: 107.5,
                accuracy_m: Some(-1.0),
                taken_at: found(),
                source: Some(patrol_core::PositionSource::Gps),
            }),
            ..Default::default()
        },
        "张三",
        at(2026, 5, 2, 0, 0, 0),
    );
    let Err(FollowUpError::Invalid(errors)) = result else {
        panic!("expected field errors, got {result:?}");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, [field::NOTES, field::LATITUDE, field::ACCURACY]);
    assert_eq!(r, before);
}

#[test]
fn history_is_the_finding_then_every_visit_in_order() {
    let mut r = sample(Kind::SewageOutfall);
    r.status = Status::Open;
    r.follow_up(to(Status::Fixed), "李四", at(2026, 5, 10, 0, 0, 0))
        .unwrap();
    r.follow_up(to(Status::Closed), "王五", at(2026, 5, 12, 0, 0, 0))
        .unwrap();
    let history = r.history();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].visit, None);
    assert_eq!(history[0].at, found());
    assert_eq!(history[0].from, None);
    assert_eq!(history[0].to, Status::Open, "the status it was found in");
    assert_eq!(history[0].photos, r.photos);
    assert_eq!(history[0].author, "张三");
    assert_eq!(
        (history[1].from, history[1].to, history[1].author.as_str()),
        (Some(Status::Open), Status::Fixed, "李四")
    );
    assert_eq!(
        (history[2].from, history[2].to, history[2].author.as_str()),
        (Some(Status::Fixed), Status::Closed, "王五")
    );
    assert_eq!(history[2].visit, Some(r.visits[1].id));
}

#[test]
fn fixed_at_follows_the_latest_fix_and_clears_on_reopening() {
    let mut r = minimal(Kind::LitterPoint);
    assert_eq!(r.fixed_at(), None);
    assert_eq!(r.last_visit_at(), found());

    let fixed = at(2026, 5, 5, 0, 0, 0);
    r.follow_up(to(Status::Fixed), "李四", fixed).unwrap();
    r.follow_up(to(Status::Fixed), "李四", at(2026, 5, 6, 0, 0, 0))
        .unwrap();
    assert_eq!(
        r.fixed_at(),
        Some(fixed),
        "a progress note is not a new fix"
    );
    r.follow_up(to(Status::Closed), "王五", at(2026, 5, 7, 0, 0, 0))
        .unwrap();
    assert_eq!(
        r.fixed_at(),
        Some(fixed),
        "closed keeps the day it was fixed"
    );
    assert_eq!(r.last_visit_at(), at(2026, 5, 7, 0, 0, 0));

    r.follow_up(to(Status::Open), "王五", at(2026, 6, 1, 0, 0, 0))
        .unwrap();
    assert_eq!(r.fixed_at(), None, "reopened: not fixed any more");
    let again = at(2026, 6, 9, 0, 0, 0);
    r.follow_up(to(Status::Fixed), "李四", again).unwrap();
    assert_eq!(r.fixed_at(), Some(again));

    let mut found_fixed = minimal(Kind::Signage);
    found_fixed.status = Status::Fixed;
    assert_eq!(found_fixed.fixed_at(), Some(found()));
}

#[test]
fn all_photos_are_the_findings_and_the_visits() {
    let mut r = sample(Kind::SewageOutfall);
    let first = r.photos[0].id;
    r.follow_up(
        FollowUp {
            to: Status::Rectifying,
            photos: vec![photo(2), photo(3)],
            ..Default::default()
        },
        "李四",
        at(2026, 5, 3, 0, 0, 0),
    )
    .unwrap();
    let ids: Vec<Uuid> = r.all_photos().map(|p| p.id).collect();
    assert_eq!(ids, [first, photo(2).id, photo(3).id]);
}

#[test]
fn merging_copies_keeps_every_visit_of_both() {
    let base = minimal(Kind::SpoilHeap);
    let mut phone = base.clone();
    phone
        .follow_up(to(Status::Rectifying), "张三", at(2026, 5, 4, 0, 0, 0))
        .unwrap();
    let mut office = base.clone();
    office
        .follow_up(to(Status::Rectifying), "李四", at(2026, 5, 3, 0, 0, 0))
        .unwrap();
    office.deadline = Some(date(2026, 7, 1));

    let merged = rebase(&base, &phone, &office);
    assert_eq!(merged.visits.len(), 2);
    assert_eq!(merged.visits[0], office.visits[0], "in time order");
    assert_eq!(merged.visits[1], phone.visits[0]);
    assert_eq!(merged.deadline, Some(date(2026, 7, 1)));

    let mut copy = phone.clone();
    assert!(copy.take_visits_from(&office));
    assert!(!copy.take_visits_from(&office), "nothing twice");
    assert_eq!(copy.visits, merged.visits);
}

#[test]
fn a_record_without_visits_is_stored_as_before() {
    let r = sample(Kind::Signage);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("visits").is_none());
}

#[test]
fn visits_round_trip_and_are_validated_with_the_record() {
    let mut r = sample(Kind::Signage);
    r.follow_up(to(Status::Fixed), "李四", at(2026, 5, 3, 0, 0, 0))
        .unwrap();
    let back: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
    assert!(validate(&r).is_empty());

    r.visits[0].notes = "字".repeat(MAX_NOTES + 1);
    assert_eq!(
        validate(&r),
        [FieldError {
            field: field::VISITS,
            problem: Problem::TooLong { max: MAX_NOTES },
        }]
    );
}

#[test]
fn a_follow_up_saved_again_under_its_id_is_not_added_twice() {
    let mut r = minimal(Kind::SewageOutfall);
    let id = Uuid::from_u128(0x0715);
    let progress = FollowUp {
        to: Status::Open,
        notes: "还在排，已通知".into(),
        ..Default::default()
    };
    let first = r
        .follow_up_as(id, progress.clone(), "李四", at(2026, 5, 3, 2, 0, 0))
        .unwrap()
        .clone();
    assert_eq!(first.id, id);
    // The same draft saved again (the app was killed before it removed the draft).
    let again = r
        .follow_up_as(id, progress, "李四", at(2026, 5, 3, 2, 5, 0))
        .unwrap()
        .clone();
    assert_eq!(again, first);
    assert_eq!(r.visits, vec![first]);
    // Another id is another visit.
    r.follow_up_as(
        Uuid::from_u128(0x0716),
        to(Status::Rectifying),
        "李四",
        at(2026, 5, 4, 2, 0, 0),
    )
    .unwrap();
    assert_eq!(r.visits.len(), 2);
    assert_eq!(r.status, Status::Rectifying);
}

/// The office's check on its follow-up screen: a fixed problem is closed or sent back (with a
/// reason), the visit is marked as the office's review, and nothing else is allowed.
#[test]
fn the_office_reviews_a_fixed_problem_on_its_follow_up_screen() {
    let mut r = minimal(Kind::SewageOutfall);
    r.follow_up(to(Status::Fixed), "村干部", found()).unwrap();

    // Sending back needs the reason; refused, the record is unchanged.
    let before = r.clone();
    let refused = r.review_as(Uuid::from_u128(1), to(Status::Open), "乡镇办", found());
    assert_eq!(
        refused.unwrap_err(),
        FollowUpError::Invalid(vec![validate::FieldError {
            field: field::NOTES,
            problem: validate::Problem::Required,
        }])
    );
    assert_eq!(r, before);

    let back = FollowUp {
        to: Status::Open,
        notes: " 排口仍有污水 ".into(),
        photos: vec![photo(1)],
        ..Default::default()
    };
    let visit = r
        .review_as(Uuid::from_u128(2), back.clone(), "乡镇办", found())
        .unwrap()
        .clone();
    assert!(visit.review);
    assert_eq!((visit.from, visit.to), (Status::Fixed, Status::Open));
    assert_eq!(visit.notes, "排口仍有污水");
    assert_eq!(visit.photos, vec![photo(1)]);
    assert_eq!(r.status, Status::Open);
    // Saved twice (a save cut short): one visit.
    r.review_as(Uuid::from_u128(2), back, "乡镇办", found())
        .unwrap();
    assert_eq!(r.visits.len(), 2);

    // Only a fixed problem is checked.
    let refused = r.review_as(Uuid::from_u128(3), to(Status::Closed), "乡镇办", found());
    assert_eq!(
        refused.unwrap_err(),
        FollowUpError::Refused(RefusedTransition {
            from: Status::Open,
            to: Status::Closed
        })
    );
    r.follow_up(to(Status::Fixed), "村干部", found()).unwrap();
    // A review does not only note progress.
    let refused = r.review_as(Uuid::from_u128(4), to(Status::Fixed), "乡镇办", found());
    assert!(matches!(refused, Err(FollowUpError::Refused(_))));
    let closed = r
        .review_as(Uuid::from_u128(5), to(Status::Closed), "乡镇办", found())
        .unwrap();
    assert!(closed.review && closed.to == Status::Closed);
    assert_eq!(r.status, Status::Closed);
    // A village's own follow-up is never marked as the office's.
    assert!(
        r.visits
            .iter()
            .filter(|v| v.author == "村干部")
            .all(|v| !v.review)
    );
}
