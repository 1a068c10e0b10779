//! Valid patrols (有效巡河): tracks walked, driven and glitched, each judged by the usual rule
//! (15 minutes, 1 km) and the verdict and findings checked. Every track goes due north (see
//! `common/walk.rs`), so the lengths below are worked out by hand.

mod common;

use chrono::Duration;
use common::walk::{Walk, cst};
use patrol_core::patrol_rule::{Finding, PatrolRule, Verdict, judge};
use patrol_core::*;

const NEAR: f64 = 1e-6;

fn rule() -> PatrolRule {
    PatrolRule::default()
}

#[test]
fn the_usual_rule_is_a_quarter_of_an_hour_and_a_kilometre() {
    assert_eq!(
        rule(),
        PatrolRule {
            min_minutes: 15,
            min_metres: 1000
        }
    );
    // A field left out keeps its usual value, not zero.
    let read: PatrolRule = serde_json::from_str("{}").unwrap();
    assert_eq!(read, rule());
    let read: PatrolRule = serde_json::from_str(r#"{"min_minutes": 20}"#).unwrap();
    assert_eq!(
        read,
        PatrolRule {
            min_minutes: 20,
            min_metres: 1000
        }
    );
}

#[test]
fn a_walk_of_twenty_minutes_and_one_and_a_half_kilometres_is_valid() {
    // 40 steps of 37.5 m every 30 s: 4.5 km/h.
    let patrol = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 9, 0))
        .go(1500.0, 1200, 40)
        .end();
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.duration_s, 1200);
    assert!((verdict.counted_metres - 1500.0).abs() < NEAR);
    assert!(verdict.findings.is_empty());
}

#[test]
fn five_minutes_is_too_short_and_too_little_distance() {
    // 420.5 m in 5 minutes: a walk, but neither long nor far enough.
    let patrol = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 9, 0))
        .go(420.5, 300, 10)
        .end();
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(!verdict.valid);
    assert_eq!(verdict.duration_s, 300);
    assert_eq!(
        verdict.findings,
        vec![
            Finding::TooShort {
                minutes: 5,
                min_minutes: 15
            },
            Finding::TooLittleDistance {
                metres: 420,
                min_metres: 1000
            },
        ]
    );
}

/// 700 m on foot in 10 minutes, 2 km by car in 2 minutes (60 km/h, a fix every 10 s), 700 m
/// on foot in 10 minutes.
fn walk_drive_walk() -> Patrol {
    Walk::start("李四", "红岩村", cst(2026, 11, 28, 9, 0))
        .go(700.0, 600, 20)
        .go(2000.0, 120, 12)
        .go(700.0, 600, 20)
        .end()
}

#[test]
fn two_kilometres_in_two_minutes_is_a_car_and_not_counted() {
    let verdict = judge(&walk_drive_walk(), &rule(), cst(2026, 11, 28, 12, 0));
    assert!(!verdict.valid);
    assert_eq!(verdict.duration_s, 22 * 60);
    // Only the walking counts: 700 + 700 m, which alone would be far enough.
    assert!(
        (verdict.counted_metres - 1400.0).abs() < NEAR,
        "{verdict:?}"
    );
    let [Finding::TooFast { km_h, from, to }] = verdict.findings.as_slice() else {
        panic!("{verdict:?}");
    };
    // The stretch is the car's, from getting in to getting out: the walk on either side
    // (which the minute-long windows reach into) is not part of it.
    assert_eq!(*from, cst(2026, 11, 28, 9, 10));
    assert_eq!(*to, cst(2026, 11, 28, 9, 12));
    assert!((km_h - 60.0).abs() < 1e-6, "{km_h}");
}

#[test]
fn a_burst_shorter_than_a_minute_is_no_car() {
    // 300 m in 30 s (36 km/h: a run downhill, or GPS drift) between two walks: over any
    // minute the straight line is at most 335 m (20 km/h).
    let patrol = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 9, 0))
        .go(700.0, 600, 20)
        .go(300.0, 30, 3)
        .go(700.0, 600, 20)
        .end();
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(verdict.valid, "{verdict:?}");
    assert!((verdict.counted_metres - 1700.0).abs() < NEAR);
}

#[test]
fn a_fix_five_kilometres_off_and_back_is_two_jumps() {
    // 750 m in 10 minutes, a fix 5 km east 10 s later and one back 10 s after that, 750 m in
    // 10 minutes: the way there and back is not counted, the walk is.
    let patrol = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 9, 0))
        .go(750.0, 600, 20)
        .stray(5000.0, 10)
        .go(750.0, 600, 20)
        .end();
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(!verdict.valid);
    assert_eq!(verdict.duration_s, 1220);
    assert!(
        (verdict.counted_metres - 1500.0).abs() < NEAR,
        "{verdict:?}"
    );
    assert_eq!(verdict.findings, vec![Finding::Jumps { count: 2 }]);
}

#[test]
fn a_patrol_across_midnight_counts_its_half_hour() {
    // 23:50 to 00:20 China Standard Time, 1.6 km.
    let patrol = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 23, 50))
        .go(1600.0, 1800, 60)
        .end();
    assert_eq!(patrol.ended_at, Some(cst(2026, 11, 29, 0, 20)));
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 29, 8, 0));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.duration_s, 30 * 60);
    assert!((verdict.counted_metres - 1600.0).abs() < NEAR);
}

#[test]
fn a_rule_of_nothing_accepts_anything_plausible() {
    let nothing = PatrolRule {
        min_minutes: 0,
        min_metres: 0,
    };
    // Two minutes, 150.5 m.
    let stroll = Walk::start("张三", "杨柳村", cst(2026, 11, 28, 9, 0))
        .go(150.5, 120, 4)
        .end();
    let later = cst(2026, 11, 28, 12, 0);
    assert_eq!(
        judge(&stroll, &rule(), later).findings,
        vec![
            Finding::TooShort {
                minutes: 2,
                min_minutes: 15
            },
            Finding::TooLittleDistance {
                metres: 150,
                min_metres: 1000
            },
        ]
    );
    let verdict = judge(&stroll, &nothing, later);
    assert!(verdict.valid && verdict.findings.is_empty(), "{verdict:?}");
    assert!((verdict.counted_metres - 150.5).abs() < NEAR);

    // Even a patrol ended as it started, with no track.
    let mut empty = Patrol::start("清水河", "", "张三", later).unwrap();
    empty.end(later);
    let verdict = judge(&empty, &nothing, later);
    assert_eq!(
        (verdict.valid, verdict.duration_s, verdict.counted_metres),
        (true, 0, 0.0)
    );

    // But a car is still a car.
    let verdict = judge(&walk_drive_walk(), &nothing, later);
    assert!(!verdict.valid);
    assert!(matches!(
        verdict.findings.as_slice(),
        [Finding::TooFast { .. }]
    ));
}

#[test]
fn a_patrol_under_way_is_judged_up_to_now() {
    // 1500.5 m in 20 minutes, 40 steps of 37.5125 m; not ended.
    let start = cst(2026, 11, 28, 9, 0);
    let patrol = Walk::start("张三", "杨柳村", start)
        .go(1500.5, 1200, 40)
        .under_way();
    // Ten minutes in: 20 steps walked (a phone whose clock ran ahead has the rest, and they
    // are not counted yet).
    let verdict = judge(&patrol, &rule(), start + Duration::minutes(10));
    assert_eq!(verdict.duration_s, 600);
    assert_eq!(
        verdict.findings,
        vec![
            Finding::TooShort {
                minutes: 10,
                min_minutes: 15
            },
            Finding::TooLittleDistance {
                metres: 750,
                min_metres: 1000
            },
        ]
    );
    // Twenty-five minutes in, still walking (or standing): it counts.
    let verdict = judge(&patrol, &rule(), start + Duration::minutes(25));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.duration_s, 1500);
    assert!((verdict.counted_metres - 1500.5).abs() < NEAR);
}

#[test]
fn a_verdict_reads_back_as_json_the_app_shows() {
    let verdict = judge(&walk_drive_walk(), &rule(), cst(2026, 11, 28, 12, 0));
    let text = serde_json::to_string(&verdict).unwrap();
    assert_eq!(serde_json::from_str::<Verdict>(&text).unwrap(), verdict);
    let finding = Finding::TooFast {
        km_h: 60.0,
        from: cst(2026, 11, 28, 9, 10),
        to: cst(2026, 11, 28, 9, 12),
    };
    assert_eq!(
        serde_json::to_value(&finding).unwrap(),
        serde_json::json!({
            "finding": "too_fast",
            "km_h": 60.0,
            "from": "2026-11-28T01:10:00Z",
            "to": "2026-11-28T01:12:00Z"
        })
    );
    assert_eq!(
        serde_json::to_value(Finding::TooShort {
            minutes: 5,
            min_minutes: 15
        })
        .unwrap(),
        serde_json::json!({"finding": "too_short", "minutes": 5, "min_minutes": 15})
    );
    assert_eq!(
        serde_json::to_value(Finding::Jumps { count: 2 }).unwrap(),
        serde_json::json!({"finding": "jumps", "count": 2})
    );
}

#[test]
fn the_position_the_phone_held_a_moment_before_the_start_counts_an_older_one_does_not() {
    let at = cst(2026, 11, 28, 9, 0);
    let mut patrol = Walk::start("张三", "杨柳村", at).go(1500.0, 1200, 40).end();
    // The phone's first fix was taken 20 s before the tap on "start".
    patrol.started_at = at + chrono::Duration::seconds(20);
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(
        (verdict.counted_metres - 1500.0).abs() < NEAR,
        "{verdict:?}"
    );
    // A fix from ten minutes before is another walk, not this patrol's.
    patrol.started_at = at + chrono::Duration::seconds(600);
    let verdict = judge(&patrol, &rule(), cst(2026, 11, 28, 12, 0));
    assert!(
        (verdict.counted_metres - 1500.0).abs() > 100.0,
        "{verdict:?}"
    );
}
