mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use patrol_core::validate::{self as v, field};
use patrol_core::*;

fn err(field: &'static str, problem: Problem) -> FieldError {
    FieldError { field, problem }
}

fn too_long(field: &'static str, max: usize) -> FieldError {
    err(field, Problem::TooLong { max })
}

fn out_of_range(field: &'static str) -> FieldError {
    err(field, Problem::OutOfRange)
}

/// `n` Chinese characters: lengths are counted in chars, not bytes.
fn chars(n: usize) -> String {
    "河".repeat(n)
}

/// Validates `kind`'s full sample after `edit`.
fn check(kind: Kind, edit: impl FnOnce(&mut Record)) -> Vec<FieldError> {
    let mut r = sample(kind);
    edit(&mut r);
    validate(&r)
}

fn check_with<D>(
    kind: Kind,
    pick: fn(&mut Details) -> Option<&mut D>,
    edit: impl FnOnce(&mut D),
) -> Vec<FieldError> {
    check(kind, |r| edit(pick(&mut r.details).expect("kind matches")))
}

fn outfall(d: &mut Details) -> Option<&mut Outfall> {
    match d {
        Details::SewageOutfall(x) => Some(x),
        _ => None,
    }
}
fn farm(d: &mut Details) -> Option<&mut Farm> {
    match d {
        Details::LivestockFarm(x) => Some(x),
        _ => None,
    }
}
fn plant(d: &mut Details) -> Option<&mut StonePlant> {
    match d {
        Details::StonePlant(x) => Some(x),
        _ => None,
    }
}
fn spoil(d: &mut Details) -> Option<&mut SpoilHeap> {
    match d {
        Details::SpoilHeap(x) => Some(x),
        _ => None,
    }
}
fn water(d: &mut Details) -> Option<&mut WaterQualityPoint> {
    match d {
        Details::WaterQuality(x) => Some(x),
        _ => None,
    }
}

#[test]
fn valid_records_of_every_kind_pass() {
    for &kind in all_kinds() {
        assert_eq!(validate(&sample(kind)), vec![], "full {kind:?}");
        assert_eq!(validate(&minimal(kind)), vec![], "minimal {kind:?}");
    }
}

#[test]
fn limits_are_exactly_inclusive_for_every_kind() {
    for &kind in all_kinds() {
        let r = check(kind, |r| {
            r.title = chars(v::MAX_TITLE);
            r.village = chars(v::MAX_VILLAGE);
            r.place = chars(v::MAX_PLACE);
            r.notes = chars(v::MAX_NOTES);
            r.responsibility.leader = chars(v::MAX_LEADER);
            r.responsibility.department = chars(v::MAX_DEPARTMENT);
            r.responsibility.person = chars(v::MAX_PERSON);
            match &mut r.details {
                Details::SewageOutfall(o) => o.receiving_river = chars(v::MAX_RECEIVING_RIVER),
                Details::LivestockFarm(f) => {
                    f.name = chars(v::MAX_FARM_NAME);
                    f.owner = chars(v::MAX_OWNER);
                    f.head_count = Some(v::MAX_HEAD_COUNT);
                }
                Details::StonePlant(p) => p.name = chars(v::MAX_PLANT_NAME),
                Details::SpoilHeap(s) => {
                    s.road_section = chars(v::MAX_ROAD_SECTION);
                    s.volume_m3 = Some(v::MAX_VOLUME_M3);
                }
                Details::WaterQuality(w) => {
                    w.source_name = chars(v::MAX_SOURCE_NAME);
                    w.last_tested = Some(date(2026, 5, 2));
                }
                Details::Signage(_) | Details::LitterPoint(_) | Details::Other => {}
            }
        });
        assert_eq!(r, vec![], "{kind:?}");
    }
}

// ---- common rules ----

#[test]
fn village_is_required_and_limited() {
    for &kind in all_kinds() {
        for blank in ["", "   ", "\t\n　"] {
            assert_eq!(
                check(kind, |r| r.village = blank.into()),
                vec![err(field::VILLAGE, Problem::Required)],
                "{blank:?}"
            );
        }
        assert_eq!(
            check(kind, |r| r.village = chars(41)),
            vec![too_long(field::VILLAGE, 40)]
        );
        // Trimmed before counting.
        assert_eq!(
            check(kind, |r| r.village = format!("  {}  ", chars(40))),
            vec![]
        );
    }
}

#[test]
fn title_is_limited_and_required_only_for_other() {
    for &kind in all_kinds() {
        assert_eq!(
            check(kind, |r| r.title = chars(101)),
            vec![too_long(field::TITLE, 100)],
            "{kind:?}"
        );
        let blank = check(kind, |r| r.title = "  ".into());
        if kind == Kind::Other {
            assert_eq!(blank, vec![err(field::TITLE, Problem::Required)]);
        } else {
            assert_eq!(blank, vec![], "{kind:?}");
        }
    }
}

#[test]
fn free_text_limits() {
    let k = Kind::Signage;
    assert_eq!(
        check(k, |r| r.place = chars(201)),
        vec![too_long(field::PLACE, 200)]
    );
    assert_eq!(
        check(k, |r| r.notes = chars(4001)),
        vec![too_long(field::NOTES, 4000)]
    );
    assert_eq!(
        check(k, |r| r.responsibility.leader = chars(51)),
        vec![too_long(field::LEADER, 50)]
    );
    assert_eq!(
        check(k, |r| r.responsibility.department = chars(51)),
        vec![too_long(field::DEPARTMENT, 50)]
    );
    assert_eq!(
        check(k, |r| r.responsibility.person = chars(51)),
        vec![too_long(field::PERSON, 50)]
    );
    // Optional text may be empty.
    assert_eq!(
        check(k, |r| {
            r.place.clear();
            r.notes.clear();
            r.responsibility = Responsibility::default();
        }),
        vec![]
    );
}

#[test]
fn phone_numbers() {
    let ok = [
        "",
        "   ",
        "12345",
        "13812345678",
        " 138 1234 5678 ",
        "+86 138-1234-5678",
        "028-8888-6666",
        "+12345678901234567890",
        "1-2-3-4-5",
    ];
    for phone in ok {
        assert_eq!(
            check(Kind::Signage, |r| r.responsibility.phone = phone.into()),
            vec![],
            "{phone:?}"
        );
    }
    let bad = [
        "1234",
        "+",
        "---",
        "123456789012345678901",
        "138a1234567",
        "++8613812345678",
        "86+13812345678",
        "(028) 88886666",
        "138.1234.5678",
        "１３８１２３４５６７８",
        "138_1234_5678",
        "13812345678 转 123",
    ];
    for phone in bad {
        assert_eq!(
            check(Kind::Signage, |r| r.responsibility.phone = phone.into()),
            vec![err(field::PHONE, Problem::InvalidPhone)],
            "{phone:?}"
        );
    }
}

#[test]
fn position_ranges() {
    let with = |lat: f64, lng: f64, acc: Option<f64>| {
        check(Kind::SewageOutfall, |r| {
            let p = r.position.as_mut().unwrap();
            p.latitude = lat;
            p.longitude = lng;
            p.accuracy_m = acc;
        })
    };
    for (lat, lng, acc) in [
        (90.0, 180.0, Some(0.0)),
        (-90.0, -180.0, None),
        (0.0, 0.0, Some(5000.0)),
    ] {
        assert_eq!(with(lat, lng, acc), vec![], "{lat} {lng} {acc:?}");
    }
    for lat in [90.000001, -90.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            with(lat, 107.5, Some(1.0)),
            vec![out_of_range(field::LATITUDE)],
            "{lat}"
        );
    }
    for lng in [180.000001, -181.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            with(31.2, lng, Some(1.0)),
            vec![out_of_range(field::LONGITUDE)],
            "{lng}"
        );
    }
    for acc in [-0.1, f64::NAN, f64::INFINITY] {
        assert_eq!(
            with(31.2, 107.5, Some(acc)),
            vec![out_of_range(field::ACCURACY)],
            "{acc}"
        );
    }
    assert_eq!(
        with(f64::NAN, f64::NAN, Some(f64::NAN)),
        vec![
            out_of_range(field::LATITUDE),
            out_of_range(field::LONGITUDE),
            out_of_range(field::ACCURACY),
        ]
    );
    assert_eq!(check(Kind::SewageOutfall, |r| r.position = None), vec![]);
}

#[test]
fn deadline_not_before_the_day_found() {
    let k = Kind::LitterPoint;
    // Found 2026-05-01 08:00 UTC.
    assert_eq!(check(k, |r| r.deadline = Some(date(2026, 5, 1))), vec![]);
    assert_eq!(check(k, |r| r.deadline = None), vec![]);
    assert_eq!(
        check(k, |r| r.deadline = Some(date(2026, 4, 30))),
        vec![err(field::DEADLINE, Problem::DeadlineBeforeFound)]
    );
    // The day counts in UTC: found late on 2026-05-01 UTC, a deadline that day still passes.
    assert_eq!(
        check(k, |r| {
            r.created_at = at(2026, 5, 1, 23, 59, 59);
            r.deadline = Some(date(2026, 5, 1));
        }),
        vec![]
    );
}

#[test]
fn deadline_within_2000_to_2100_and_out_of_range_alone() {
    let k = Kind::LitterPoint;
    // Found 2026-05-01: the far end of the range is fine.
    assert_eq!(v::EARLIEST_DATE, date(2000, 1, 1));
    assert_eq!(v::LATEST_DATE, date(2100, 12, 31));
    assert_eq!(check(k, |r| r.deadline = Some(date(2100, 12, 31))), vec![]);
    // Past it, or before 2000: out of range, and only that (not also "before found").
    for d in [
        date(2101, 1, 1),
        date(9999, 12, 31),
        date(1999, 12, 31),
        date(1, 1, 1),
        NaiveDate::MAX,
        NaiveDate::MIN,
    ] {
        assert_eq!(
            check(k, |r| r.deadline = Some(d)),
            vec![out_of_range(field::DEADLINE)],
            "{d}"
        );
    }
    // A record found on 2000-01-01 may have its deadline that day.
    assert_eq!(
        check(k, |r| {
            r.created_at = at(2000, 1, 1, 0, 0, 0);
            r.deadline = Some(date(2000, 1, 1));
        }),
        vec![]
    );
}

#[test]
fn revision_up_to_max_revision() {
    // Far below u32::MAX, so adding one to an accepted revision never overflows.
    const { assert!(v::MAX_REVISION <= u32::MAX / 4) };
    for rev in [0, 1, v::MAX_REVISION] {
        assert_eq!(check(Kind::Signage, |r| r.revision = rev), vec![], "{rev}");
    }
    for rev in [v::MAX_REVISION + 1, u32::MAX - 1, u32::MAX] {
        assert_eq!(
            check(Kind::Signage, |r| r.revision = rev),
            vec![out_of_range(field::REVISION)],
            "{rev}"
        );
    }
}

#[test]
fn touch_at_the_limit_does_not_overflow() {
    let mut r = sample(Kind::Signage);
    r.revision = v::MAX_REVISION;
    r.touch(found());
    assert_eq!(r.revision, v::MAX_REVISION + 1);
    assert_eq!(validate(&r), vec![out_of_range(field::REVISION)]);
    // At u32::MAX it stays there (a debug build would panic on `+= 1`, a release build wrap
    // to 0, older than every copy).
    r.revision = u32::MAX;
    r.touch(found());
    assert_eq!(r.revision, u32::MAX);
    r.mark_deleted(found());
    assert_eq!(r.revision, u32::MAX);
}

/// The sample record checked against a clock at `now`.
fn times(edit: impl FnOnce(&mut Record), now: DateTime<Utc>) -> Vec<FieldError> {
    let mut r = sample(Kind::SewageOutfall);
    r.visits.push(visit_at(at(2026, 5, 3, 9, 0, 0)));
    edit(&mut r);
    v::check_times(&r, now)
}

fn visit_at(when: DateTime<Utc>) -> Visit {
    Visit {
        id: uuid::Uuid::from_u128(0x7777_0000_0000_4000_8000_0000_0000_0001),
        at: when,
        author: "张三".into(),
        position: None,
        photos: vec![],
        notes: String::new(),
        from: Status::Rectifying,
        to: Status::Rectifying,
        patrol: None,
        review: false,
    }
}

#[test]
fn times_between_2000_and_a_day_past_the_clock() {
    let now = at(2026, 5, 4, 12, 0, 0);
    assert_eq!(times(|_| {}, now), vec![]);
    assert_eq!(v::EARLIEST_TIME, at(2000, 1, 1, 0, 0, 0));

    let year_9999 = at(9999, 12, 31, 23, 59, 59);
    let year_1 = at(1, 1, 1, 0, 0, 0);
    let epoch = at(1970, 1, 1, 0, 0, 0);
    assert_eq!(
        times(|r| r.created_at = year_9999, now),
        vec![out_of_range(field::CREATED_AT)]
    );
    assert_eq!(
        times(|r| r.updated_at = year_1, now),
        vec![out_of_range(field::UPDATED_AT)]
    );
    assert_eq!(
        times(|r| r.position.as_mut().unwrap().taken_at = epoch, now),
        vec![out_of_range(field::POSITION_TAKEN_AT)]
    );
    assert_eq!(times(|r| r.position = None, now), vec![]);
    assert_eq!(
        times(|r| r.visits[0].at = year_9999, now),
        vec![out_of_range(field::VISITS)]
    );
    assert_eq!(
        times(
            |r| {
                r.visits[0].position = r.position.clone();
                r.visits[0].position.as_mut().unwrap().taken_at = epoch;
            },
            now
        ),
        vec![out_of_range(field::VISITS)]
    );
    // Every one at once, in field order; the photos' times are not checked.
    assert_eq!(
        times(
            |r| {
                r.created_at = year_9999;
                r.updated_at = year_1;
                r.position.as_mut().unwrap().taken_at = epoch;
                r.visits[0].at = epoch;
                r.photos[0].taken_at = year_9999;
            },
            now
        ),
        vec![
            out_of_range(field::CREATED_AT),
            out_of_range(field::UPDATED_AT),
            out_of_range(field::POSITION_TAKEN_AT),
            out_of_range(field::VISITS),
        ]
    );
}

#[test]
fn the_time_bounds_are_inclusive() {
    let now = at(2026, 5, 4, 12, 0, 0);
    let second = chrono::Duration::seconds(1);
    let day = v::CLOCK_GRACE;
    assert_eq!(day, chrono::Duration::days(1));
    for fine in [v::EARLIEST_TIME, now, now + day] {
        assert!(v::time_in_range(fine, now), "{fine}");
        assert_eq!(times(|r| r.updated_at = fine, now), vec![], "{fine}");
    }
    for bad in [v::EARLIEST_TIME - second, now + day + second] {
        assert!(!v::time_in_range(bad, now), "{bad}");
        assert_eq!(
            times(|r| r.updated_at = bad, now),
            vec![out_of_range(field::UPDATED_AT)],
            "{bad}"
        );
    }
    // Whatever the caller's clock says, nothing panics (now + a day past the last instant).
    for clock in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC] {
        let _ = times(|_| {}, clock);
    }
    assert!(v::time_in_range(
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MAX_UTC
    ));
}

#[test]
fn a_clock_before_2000_cannot_stamp_a_save() {
    assert!(!v::clock_is_plausible(at(1970, 1, 1, 0, 0, 5)));
    assert!(!v::clock_is_plausible(at(1999, 12, 31, 23, 59, 59)));
    assert!(v::clock_is_plausible(v::EARLIEST_TIME));
    assert!(v::clock_is_plausible(at(2026, 5, 4, 12, 0, 0)));
}

#[test]
fn a_new_record_stamped_by_a_wrong_clock_takes_the_time_of_its_save() {
    // The form opened while the clock said 1970; the user set it right, then saved.
    let epoch = at(1970, 1, 1, 0, 0, 5);
    let now = at(2026, 5, 4, 12, 0, 0);
    let mut r = sample(Kind::SewageOutfall);
    r.created_at = epoch;
    r.updated_at = epoch;
    r.position.as_mut().unwrap().taken_at = epoch;
    assert_eq!(v::check_times(&r, now).len(), 3);
    r.restamp_new(now);
    assert_eq!((r.created_at, r.updated_at), (now, now));
    assert_eq!(r.position.as_ref().unwrap().taken_at, now);
    assert_eq!(v::check_times(&r, now), vec![]);
    // Times in range are left as they were.
    let mut fine = sample(Kind::SewageOutfall);
    fine.restamp_new(now);
    assert_eq!(fine, sample(Kind::SewageOutfall));
    assert_eq!(v::or_now(found(), now), found());
    assert_eq!(v::or_now(epoch, now), now);
}

// ---- kind rules ----

#[test]
fn outfall_rules() {
    assert_eq!(
        check_with(Kind::SewageOutfall, outfall, |o| o.receiving_river =
            chars(51)),
        vec![too_long(field::RECEIVING_RIVER, 50)]
    );
    assert_eq!(
        check_with(Kind::SewageOutfall, outfall, |o| o.receiving_river.clear()),
        vec![]
    );
}

#[test]
fn farm_rules() {
    let k = Kind::LivestockFarm;
    assert_eq!(
        check_with(k, farm, |f| f.name = chars(51)),
        vec![too_long(field::FARM_NAME, 50)]
    );
    assert_eq!(
        check_with(k, farm, |f| f.owner = chars(51)),
        vec![too_long(field::OWNER, 50)]
    );
    for n in [1_000_001, u32::MAX] {
        assert_eq!(
            check_with(k, farm, |f| f.head_count = Some(n)),
            vec![out_of_range(field::HEAD_COUNT)]
        );
    }
    for n in [None, Some(0), Some(1_000_000)] {
        assert_eq!(check_with(k, farm, |f| f.head_count = n), vec![]);
    }
}

#[test]
fn signage_and_litter_point_have_no_rules_of_their_own() {
    assert_eq!(
        check(Kind::Signage, |r| r.details =
            Details::Signage(Sign::default())),
        vec![]
    );
    assert_eq!(
        check(Kind::LitterPoint, |r| {
            r.details = Details::LitterPoint(LitterPoint::default())
        }),
        vec![]
    );
}

#[test]
fn stone_plant_rules() {
    assert_eq!(
        check_with(Kind::StonePlant, plant, |p| p.name = chars(51)),
        vec![too_long(field::PLANT_NAME, 50)]
    );
}

#[test]
fn spoil_heap_rules() {
    let k = Kind::SpoilHeap;
    assert_eq!(
        check_with(k, spoil, |s| s.road_section = chars(101)),
        vec![too_long(field::ROAD_SECTION, 100)]
    );
    for m3 in [
        0.0,
        -0.0,
        -5.0,
        10_000_000.5,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        assert_eq!(
            check_with(k, spoil, |s| s.volume_m3 = Some(m3)),
            vec![out_of_range(field::VOLUME)],
            "{m3}"
        );
    }
    for m3 in [None, Some(0.01), Some(10_000_000.0)] {
        assert_eq!(check_with(k, spoil, |s| s.volume_m3 = m3), vec![]);
    }
}

#[test]
fn water_quality_rules() {
    let k = Kind::WaterQuality;
    assert_eq!(
        check_with(k, water, |w| w.source_name = chars(51)),
        vec![too_long(field::SOURCE_NAME, 50)]
    );
    // Found 2026-05-01: up to the next day is allowed (time zones), later is not.
    for d in [None, Some(date(2000, 1, 1)), Some(date(2026, 5, 2))] {
        assert_eq!(check_with(k, water, |w| w.last_tested = d), vec![]);
    }
    // Before 2000 is out of range too, however early.
    for d in [
        date(2026, 5, 3),
        date(2030, 1, 1),
        date(1999, 12, 31),
        date(1, 1, 1),
    ] {
        assert_eq!(
            check_with(k, water, |w| w.last_tested = Some(d)),
            vec![out_of_range(field::LAST_TESTED)]
        );
    }
}

#[test]
fn other_needs_a_title() {
    assert_eq!(
        check(Kind::Other, |r| r.title.clear()),
        vec![err(field::TITLE, Problem::Required)]
    );
    assert_eq!(check(Kind::Other, |r| r.title = "x".into()), vec![]);
}

// ---- all together ----

fn break_common(r: &mut Record) {
    r.title = chars(101);
    r.village.clear();
    r.place = chars(201);
    r.notes = chars(4001);
    r.position.as_mut().unwrap().latitude = 91.0;
    r.position.as_mut().unwrap().longitude = 181.0;
    r.position.as_mut().unwrap().accuracy_m = Some(-1.0);
    r.responsibility.leader = chars(51);
    r.responsibility.department = chars(51);
    r.responsibility.person = chars(51);
    r.responsibility.phone = "abc".into();
    r.deadline = Some(date(2020, 1, 1));
}

fn common_errors() -> Vec<FieldError> {
    vec![
        too_long(field::TITLE, 100),
        err(field::VILLAGE, Problem::Required),
        too_long(field::PLACE, 200),
        too_long(field::NOTES, 4000),
        out_of_range(field::LATITUDE),
        out_of_range(field::LONGITUDE),
        out_of_range(field::ACCURACY),
        too_long(field::LEADER, 50),
        too_long(field::DEPARTMENT, 50),
        too_long(field::PERSON, 50),
        err(field::PHONE, Problem::InvalidPhone),
        err(field::DEADLINE, Problem::DeadlineBeforeFound),
    ]
}

#[test]
fn every_problem_is_reported_in_field_order() {
    let mut r = sample(Kind::LivestockFarm);
    break_common(&mut r);
    let f = farm(&mut r.details).unwrap();
    f.name = chars(51);
    f.owner = chars(51);
    f.head_count = Some(2_000_000);
    let mut expected = common_errors();
    expected.extend([
        too_long(field::FARM_NAME, 50),
        too_long(field::OWNER, 50),
        out_of_range(field::HEAD_COUNT),
    ]);
    assert_eq!(validate(&r), expected);

    let mut r = sample(Kind::SpoilHeap);
    break_common(&mut r);
    let s = spoil(&mut r.details).unwrap();
    s.road_section = chars(101);
    s.volume_m3 = Some(0.0);
    let mut expected = common_errors();
    expected.extend([
        too_long(field::ROAD_SECTION, 100),
        out_of_range(field::VOLUME),
    ]);
    assert_eq!(validate(&r), expected);

    let mut r = sample(Kind::WaterQuality);
    break_common(&mut r);
    let w = water(&mut r.details).unwrap();
    w.source_name = chars(51);
    w.last_tested = Some(date(2027, 1, 1));
    let mut expected = common_errors();
    expected.extend([
        too_long(field::SOURCE_NAME, 50),
        out_of_range(field::LAST_TESTED),
    ]);
    assert_eq!(validate(&r), expected);

    // Errors come out in the order of `field::ALL`.
    let order = |e: &FieldError| field::ALL.iter().position(|f| *f == e.field).unwrap();
    let errors = validate(&r);
    assert!(errors.windows(2).all(|w| order(&w[0]) < order(&w[1])));
}

#[test]
fn problem_keys() {
    assert_eq!(Problem::Required.key(), "required");
    assert_eq!(Problem::TooLong { max: 3 }.key(), "too_long");
    assert_eq!(Problem::OutOfRange.key(), "out_of_range");
    assert_eq!(Problem::InvalidPhone.key(), "invalid_phone");
    assert_eq!(Problem::DeadlineBeforeFound.key(), "deadline_before_found");
}

#[test]
fn field_names_are_the_ui_contract() {
    assert_eq!(
        field::ALL,
        [
            "title",
            "village",
            "place",
            "notes",
            "latitude",
            "longitude",
            "accuracy",
            "leader",
            "department",
            "person",
            "phone",
            "deadline",
            "receiving_river",
            "farm_name",
            "owner",
            "head_count",
            "plant_name",
            "road_section",
            "volume",
            "source_name",
            "last_tested",
            "visits",
            "revision",
            "created_at",
            "updated_at",
            "position_taken_at",
        ]
    );
}

#[test]
fn max_len_matches_what_validate_enforces() {
    let limited: Vec<_> = field::ALL
        .iter()
        .filter_map(|f| v::max_len(f).map(|m| (*f, m)))
        .collect();
    assert_eq!(limited.len(), 13);
    for (name, max) in limited {
        // Put one char too many into that field of a record that has it.
        let (kind, set): (Kind, fn(&mut Record, String)) = match name {
            field::TITLE => (Kind::Other, |r, s| r.title = s),
            field::VILLAGE => (Kind::Other, |r, s| r.village = s),
            field::PLACE => (Kind::Other, |r, s| r.place = s),
            field::NOTES => (Kind::Other, |r, s| r.notes = s),
            field::LEADER => (Kind::Other, |r, s| r.responsibility.leader = s),
            field::DEPARTMENT => (Kind::Other, |r, s| r.responsibility.department = s),
            field::PERSON => (Kind::Other, |r, s| r.responsibility.person = s),
            field::RECEIVING_RIVER => (Kind::SewageOutfall, |r, s| {
                outfall(&mut r.details).unwrap().receiving_river = s
            }),
            field::FARM_NAME => (Kind::LivestockFarm, |r, s| {
                farm(&mut r.details).unwrap().name = s
            }),
            field::OWNER => (Kind::LivestockFarm, |r, s| {
                farm(&mut r.details).unwrap().owner = s
            }),
            field::PLANT_NAME => (Kind::StonePlant, |r, s| {
                plant(&mut r.details).unwrap().name = s
            }),
            field::ROAD_SECTION => (Kind::SpoilHeap, |r, s| {
                spoil(&mut r.details).unwrap().road_section = s
            }),
            field::SOURCE_NAME => (Kind::WaterQuality, |r, s| {
                water(&mut r.details).unwrap().source_name = s
            }),
            other => panic!("no setter for {other}"),
        };
        assert_eq!(check(kind, |r| set(r, chars(max))), vec![], "{name}");
        assert_eq!(
            check(kind, |r| set(r, chars(max + 1))),
            vec![too_long(name, max)],
            "{name}"
        );
    }
    assert_eq!(v::max_len(field::PHONE), None);
    assert_eq!(v::max_len("nonsense"), None);
}
