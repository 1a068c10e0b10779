//! Patrols: which fixes the track keeps, its length along a known line, and its duration.

use chrono::{DateTime, Duration, TimeZone, Utc};
use patrol_core::geo::distance_m;
use patrol_core::patrol::{Patrol, TrackPoint};

fn t(s: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 15, 50, 0).unwrap() + Duration::seconds(s)
}

fn fix(lat: f64, lon: f64, accuracy: f64, s: i64) -> TrackPoint {
    TrackPoint {
        lat,
        lon,
        accuracy_m: accuracy,
        at: t(s),
    }
}

/// Degrees of latitude per metre (a meridian is about 111.2 km per degree).
const DEG_PER_M: f64 = 1.0 / 111_195.0;

#[test]
fn a_walk_along_a_line_has_the_lines_length() {
    let mut p = Patrol::start(" 清水河 ", "杨柳村段", "张三", t(0)).unwrap();
    assert_eq!(
        (p.river.as_str(), p.section.as_str()),
        ("清水河", "杨柳村段")
    );
    // 1 km due north in 5 m steps, one fix a second: every fifth step (25 m) is kept.
    for i in 0..=200 {
        p.record_fix(fix(31.25 + i as f64 * 5.0 * DEG_PER_M, 107.54, 8.0, i));
    }
    assert_eq!(p.track.len(), 41);
    let straight = distance_m((31.25, 107.54), (31.25 + 1000.0 * DEG_PER_M, 107.54));
    assert!(
        (p.length_m() - straight).abs() < 1.0,
        "{} vs {straight}",
        p.length_m()
    );
    assert!((p.length_m() - 1000.0).abs() < 5.0);
}

#[test]
fn standing_still_with_jitter_adds_little_length_and_a_point_a_minute() {
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    // Ten minutes on one bank, the fix wandering a few metres each second.
    for s in 0..=600 {
        let wobble = ((s % 7) as f64 - 3.0) * 1.5 * DEG_PER_M;
        p.record_fix(fix(31.25 + wobble, 107.54, 10.0, s));
    }
    assert_eq!(p.track.len(), 11, "the first fix and one a minute");
    // At most the jitter's 9 m span a minute, not the 600 small moves (over 1.5 km).
    assert!(p.length_m() <= 10.0 * 9.0 + 0.1, "{}", p.length_m());
}

#[test]
fn poor_impossible_and_out_of_order_fixes_are_dropped() {
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    assert!(
        !p.record_fix(fix(31.25, 107.54, 80.0, 0)),
        "80 m is too poor"
    );
    assert!(!p.record_fix(fix(f64::NAN, 107.54, 5.0, 1)));
    assert!(!p.record_fix(fix(95.0, 107.54, 5.0, 2)));
    assert!(p.record_fix(fix(31.25, 107.54, 5.0, 3)));
    assert!(
        !p.record_fix(fix(31.26, 107.54, 5.0, 2)),
        "older than the last kept"
    );
    assert!(p.record_fix(fix(31.26, 107.54, 5.0, 4)));
}

#[test]
fn duration_runs_until_the_end_even_across_midnight_and_an_ended_patrol_keeps_nothing() {
    // 15:50 UTC is 23:50 in China: the patrol runs past local midnight.
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    assert!(p.is_active());
    assert_eq!(p.duration_s(t(600)), 600);
    p.end(t(1800));
    p.end(t(3600));
    assert_eq!(
        p.ended_at,
        Some(t(1800)),
        "ending twice keeps the first end"
    );
    assert_eq!(p.duration_s(t(99_999)), 1800);
    assert!(!p.record_fix(fix(31.25, 107.54, 5.0, 1900)));
    assert!(p.track.is_empty());
}

#[test]
fn a_patrol_round_trips_and_an_active_one_has_no_end_field() {
    let mut p = Patrol::start("清水河", "杨柳村段", "张三", t(0)).unwrap();
    p.record_fix(fix(31.25, 107.54, 5.0, 1));
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.get("ended_at").is_none());
    let back: Patrol = serde_json::from_value(json).unwrap();
    assert_eq!(back, p);
}

mod sync {
    use super::*;
    use patrol_core::sync::PatrolOutcome;
    use patrol_core::sync_state::PatrolSync;

    fn walked(points: std::ops::Range<i64>) -> Patrol {
        let mut p = Patrol::start("清水河", "杨柳村段", "张三", t(0)).unwrap();
        for i in points {
            p.record_fix(fix(
                31.25 + i as f64 * 30.0 * DEG_PER_M,
                107.54,
                5.0,
                i * 10,
            ));
        }
        p
    }

    #[test]
    fn merging_joins_the_tracks_keeps_the_earlier_end_and_is_order_free() {
        let mut phone = walked(0..6);
        phone.revision = 6;
        // The server's copy: an older state of the same patrol with a fix the phone lost,
        // ended earlier on another screen.
        let mut server = phone.clone();
        server.track.truncate(3);
        server.track.push(fix(31.3, 107.54, 5.0, 25));
        server.end(t(40));
        server.revision = 4;
        server.section = "旧段名".into();

        let mut a = phone.clone();
        a.merge(&server);
        let mut b = server.clone();
        b.merge(&phone);
        assert_eq!(a, b);
        assert_eq!(a.track.len(), 7, "six of the phone's and the server's own");
        assert!(a.track.windows(2).all(|w| w[0].at < w[1].at));
        assert_eq!(a.ended_at, Some(t(40)));
        assert_eq!(a.section, "杨柳村段", "the higher revision's section");
        assert_eq!(a.revision, 6);

        // Merging again changes nothing.
        let mut again = a.clone();
        again.merge(&server);
        again.merge(&phone);
        assert_eq!(again, a);
    }

    #[test]
    fn a_pushed_patrol_is_synced_until_its_track_grows() {
        let mut patrol = walked(0..3);
        patrol.revision = 3;
        let mut state = PatrolSync::default();
        assert!(state.needs_push(&patrol));
        state.apply(&patrol, &PatrolOutcome::Accepted { revision: 3 });
        assert!(!state.needs_push(&patrol) && state.is_synced(&patrol));
        patrol.record_fix(fix(31.26, 107.54, 5.0, 100));
        patrol.revision += 1;
        assert!(state.needs_push(&patrol));
    }

    #[test]
    fn a_refused_patrol_is_not_sent_again_until_changed() {
        let mut patrol = walked(0..2);
        patrol.revision = 2;
        let mut state = PatrolSync::default();
        let problems = vec![patrol_core::sync::SyncProblem::new(
            "village",
            "wrong_village",
            "x",
        )];
        state.apply(&patrol, &PatrolOutcome::Rejected { problems });
        assert!(!state.needs_push(&patrol));
        assert_eq!(state.rejection(&patrol).map(<[_]>::len), Some(1));
        patrol.revision += 1;
        assert!(state.needs_push(&patrol) && state.rejection(&patrol).is_none());
    }

    #[test]
    fn a_pulled_patrol_never_takes_away_what_the_phone_has() {
        let mut state = PatrolSync::default();
        // New to the phone (it came from this officer's other phone): stored as it is.
        let mut theirs = walked(0..4);
        theirs.revision = 4;
        assert_eq!(state.pulled(None, theirs.clone()), Some(theirs.clone()));
        assert!(state.is_synced(&theirs));

        // The server's copy knows less than the phone's: nothing changes, still to push.
        let mut phone = walked(0..6);
        phone.revision = 6;
        let mut older = phone.clone();
        older.track.truncate(2);
        older.revision = 2;
        assert_eq!(state.pulled(Some(&phone), older), None);
        assert!(state.needs_push(&phone));

        // The server's copy is the phone's with the office's end: taken, and synced.
        let mut ended = phone.clone();
        ended.end(t(500));
        ended.revision = 7;
        let stored = state.pulled(Some(&phone), ended.clone()).unwrap();
        assert_eq!(stored, ended);
        assert!(state.is_synced(&stored));

        // Each knows a fix the other does not: the merge is kept, one revision on, to push.
        let mut server = phone.clone();
        server.track.push(fix(31.4, 107.54, 5.0, 9_999));
        server.revision = 6;
        let mut local = phone.clone();
        local.track.insert(0, fix(31.2, 107.54, 5.0, -5));
        let stored = state.pulled(Some(&local), server).unwrap();
        assert_eq!(stored.track.len(), phone.track.len() + 2);
        assert_eq!(stored.revision, 8, "above the 7 the server confirmed");
        assert!(state.needs_push(&stored));
    }

    #[test]
    fn a_merge_pulled_at_the_largest_revision_does_not_overflow() {
        let mut state = PatrolSync::default();
        let mut server = walked(0..3);
        server.track.push(fix(31.4, 107.54, 5.0, 9_999));
        server.revision = u32::MAX;
        let mut local = walked(0..3);
        local.track.insert(0, fix(31.2, 107.54, 5.0, -5));
        local.revision = u32::MAX;
        // A debug build would panic on `+ 1`; a release build would wrap to 0.
        let stored = state.pulled(Some(&local), server).unwrap();
        assert_eq!(stored.revision, u32::MAX);
        assert_eq!(stored.track.len(), 5);
    }
}

#[test]
fn a_track_with_a_fix_off_the_globe_is_refused_as_a_whole() {
    use patrol_core::patrol::field;
    use patrol_core::validate::{FieldError, Problem};
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    p.track.push(fix(31.25, 107.54, 8.0, 1));
    assert_eq!(p.validate(), []);
    let off = FieldError {
        field: field::TRACK,
        problem: Problem::OutOfRange,
    };
    for bad in [
        fix(31.25, 181.0, 8.0, 2),
        fix(-90.5, 107.54, 8.0, 2),
        fix(f64::NAN, 107.54, 8.0, 2),
        fix(31.25, f64::INFINITY, 8.0, 2),
        fix(31.25, 107.54, -1.0, 2),
        fix(31.25, 107.54, f64::NAN, 2),
    ] {
        let mut q = p.clone();
        q.track.push(bad.clone());
        assert_eq!(q.validate(), [off], "{bad:?}");
    }
    // The edges are on the globe.
    p.track.push(fix(90.0, -180.0, 0.0, 2));
    p.track.push(fix(-90.0, 180.0, 0.0, 3));
    assert_eq!(p.validate(), []);
}

#[test]
fn a_revision_above_the_limit_is_refused() {
    use patrol_core::patrol::field;
    use patrol_core::validate::{FieldError, MAX_REVISION, Problem};
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    p.revision = MAX_REVISION;
    assert_eq!(p.validate(), []);
    for rev in [MAX_REVISION + 1, u32::MAX] {
        p.revision = rev;
        assert_eq!(
            p.validate(),
            [FieldError {
                field: field::REVISION,
                problem: Problem::OutOfRange,
            }]
        );
    }
    assert_eq!(field::REVISION, "revision");
}

#[test]
fn times_of_a_patrol_between_2000_and_a_day_past_the_clock() {
    use patrol_core::patrol::field;
    use patrol_core::validate::{CLOCK_GRACE, EARLIEST_TIME, FieldError, Problem};
    let out = |field| FieldError {
        field,
        problem: Problem::OutOfRange,
    };
    let now = t(3600);
    let mut p = Patrol::start("清水河", "", "张三", t(0)).unwrap();
    p.track.push(fix(31.25, 107.54, 8.0, 1));
    p.end(t(60));
    assert_eq!(p.check_times(now), []);
    let year_9999 = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap();
    let epoch = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();

    let mut q = p.clone();
    q.started_at = year_9999;
    assert_eq!(q.check_times(now), [out(field::STARTED_AT)]);
    let mut q = p.clone();
    q.ended_at = Some(epoch);
    assert_eq!(q.check_times(now), [out(field::ENDED_AT)]);
    let mut q = p.clone();
    q.ended_at = None;
    assert_eq!(q.check_times(now), [], "under way");
    let mut q = p.clone();
    q.track.push(fix(31.25, 107.54, 8.0, 0));
    q.track.last_mut().unwrap().at = year_9999;
    assert_eq!(q.check_times(now), [out(field::TRACK)]);
    // All at once, in order; the validation of the rest is unchanged by the times.
    q.started_at = epoch;
    q.ended_at = Some(year_9999);
    assert_eq!(
        q.check_times(now),
        [
            out(field::STARTED_AT),
            out(field::ENDED_AT),
            out(field::TRACK)
        ]
    );
    assert_eq!(q.validate(), []);
    // The edges are inside.
    let mut q = p.clone();
    q.started_at = EARLIEST_TIME;
    q.ended_at = Some(now + CLOCK_GRACE);
    assert_eq!(q.check_times(now), []);
    q.ended_at = Some(now + CLOCK_GRACE + Duration::seconds(1));
    assert_eq!(q.check_times(now), [out(field::ENDED_AT)]);
}
