//! Valid patrols (有效巡河): river-chief rules count a patrol only when it lasted and covered
//! enough, a minimum the township sets (by default 15 minutes and 1 km). Fake patrols (虚假巡河)
//! are the known failure: a river section "patrolled" from a car, or a track whose fixes leap
//! kilometres. [`judge`] says whether one patrol counts and, when it does not, why; the patrol
//! screen shows its findings and the statistics ([`crate::patrol_stats`]) count by it.
//!
//! **The distance that counts** is the track's length without what nobody covers on foot or on
//! a bicycle: the [too-fast stretches](Finding::TooFast) (a car) and the
//! [jumps](Finding::Jumps) (a fix that leapt far at once: a GPS glitch or a faked position).
//! A patrol with either is not valid, however long and far it went; the finding says why, so
//! an officer whose phone glitched can tell the office.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::geo::distance_m;
use crate::patrol::{Patrol, TrackPoint};

/// The usual minimum duration of a valid patrol, in minutes.
pub const DEFAULT_MIN_MINUTES: u32 = 15;
/// The usual minimum distance of a valid patrol, in metres.
pub const DEFAULT_MIN_METRES: u32 = 1000;
/// Faster than anyone walks or rides a bicycle or an e-bike (25 km/h by law) along a river
/// bank: above it, the officer was in a car.
pub const RIDING_KMH: f64 = 30.0;
/// A too-fast stretch lasts at least this long (from its first fix to its last), so a run
/// downhill or a few seconds of GPS drift is no car.
pub const MIN_STRETCH_S: f64 = 60.0;
/// A single step longer than this...
pub const JUMP_METRES: f64 = 500.0;
/// ...and faster than this (no car on a village road) is a jump, not travel.
pub const JUMP_KMH: f64 = 120.0;
/// A fix this much older than the start still counts: the first fix a phone gives is often
/// the position it already held, taken a moment before the officer tapped "start".
pub const START_GRACE_S: i64 = 60;

/// The township's rule for a valid patrol. A field left out of the JSON takes the usual
/// value (not zero), so a server that sends only one of them changes only that one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PatrolRule {
    /// Shortest valid patrol, from start to end.
    pub min_minutes: u32,
    /// Least distance counted (see the module's notes).
    pub min_metres: u32,
}

impl Default for PatrolRule {
    fn default() -> Self {
        PatrolRule {
            min_minutes: DEFAULT_MIN_MINUTES,
            min_metres: DEFAULT_MIN_METRES,
        }
    }
}

/// Whether a patrol counts, with what was measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// No findings.
    pub valid: bool,
    /// [`Patrol::duration_s`].
    pub duration_s: i64,
    /// The track's length without the too-fast stretches and the jumps.
    pub counted_metres: f64,
    /// Why it does not count: the duration, the distance, the too-fast stretches in time
    /// order, then the jumps.
    pub findings: Vec<Finding>,
}

/// One reason a patrol does not count, tagged by `"finding"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// Shorter than the rule; `minutes` rounded down.
    TooShort { minutes: u32, min_minutes: u32 },
    /// Less distance counted than the rule; `metres` rounded down, so it never shows as the
    /// minimum it falls short of.
    TooLittleDistance { metres: u32, min_metres: u32 },
    /// A stretch of at least [`MIN_STRETCH_S`] whose straight-line speed is above
    /// [`RIDING_KMH`]: a car. `km_h` is its average speed along the track, `from` and `to` the
    /// times of its first and last fix.
    TooFast {
        km_h: f64,
        #[serde(with = "crate::stamp::instant")]
        from: DateTime<Utc>,
        #[serde(with = "crate::stamp::instant")]
        to: DateTime<Utc>,
    },
    /// Steps between consecutive fixes longer than [`JUMP_METRES`] at more than [`JUMP_KMH`].
    /// A single stray fix far off makes two: there and back.
    Jumps { count: u32 },
}

/// One step of the track, from a fix to the next.
struct Step {
    metres: f64,
    km_h: f64,
    jump: bool,
    too_fast: bool,
}

fn km_h(metres: f64, from: &TrackPoint, to: &TrackPoint) -> f64 {
    let seconds = seconds_between(from, to);
    if seconds > 0.0 {
        metres / seconds * 3.6
    } else {
        // Two places at one instant: as fast as can be.
        f64::INFINITY
    }
}

fn seconds_between(from: &TrackPoint, to: &TrackPoint) -> f64 {
    (to.at - from.at).num_milliseconds() as f64 / 1000.0
}

fn metres_between(from: &TrackPoint, to: &TrackPoint) -> f64 {
    distance_m((from.lat, from.lon), (to.lat, to.lon))
}

/// Judges `patrol` by `rule`; one under way is judged as it stands at `now`.
///
/// Only the fixes taken between the start (less [`START_GRACE_S`]) and the end (or `now`)
/// are looked at, in time order, and only those on the globe: a merged copy can hold fixes
/// past the earlier end it kept, and a damaged one could hold a fix that is no place at all.
pub fn judge(patrol: &Patrol, rule: &PatrolRule, now: DateTime<Utc>) -> Verdict {
    let duration_s = patrol.duration_s(now);
    let end = patrol.ended_at.unwrap_or(now);
    let start = patrol.started_at - chrono::Duration::seconds(START_GRACE_S);
    let mut fixes: Vec<&TrackPoint> = patrol
        .track
        .iter()
        .filter(|p| p.in_range() && p.at >= start && p.at <= end)
        .collect();
    fixes.sort_by_key(|p| p.at);
    let mut steps: Vec<Step> = fixes
        .windows(2)
        .map(|w| {
            let metres = metres_between(w[0], w[1]);
            let km_h = km_h(metres, w[0], w[1]);
            Step {
                metres,
                km_h,
                jump: metres > JUMP_METRES && km_h > JUMP_KMH,
                too_fast: false,
            }
        })
        .collect();

    let mut findings = Vec::new();
    if duration_s < i64::from(rule.min_minutes) * 60 {
        findings.push(Finding::TooShort {
            minutes: u32::try_from(duration_s / 60).unwrap_or(u32::MAX),
            min_minutes: rule.min_minutes,
        });
    }
    let stretches = too_fast_stretches(&fixes, &mut steps);
    let counted_metres: f64 = steps
        .iter()
        .filter(|s| !s.jump && !s.too_fast)
        .map(|s| s.metres)
        .sum();
    if counted_metres < f64::from(rule.min_metres) {
        findings.push(Finding::TooLittleDistance {
            // `as` saturates, and the sum of distances is never NaN (every fix is on the globe).
            metres: counted_metres.floor() as u32,
            min_metres: rule.min_metres,
        });
    }
    findings.extend(stretches);
    let jumps = steps.iter().filter(|s| s.jump).count();
    if jumps > 0 {
        findings.push(Finding::Jumps {
            count: u32::try_from(jumps).unwrap_or(u32::MAX),
        });
    }
    Verdict {
        valid: findings.is_empty(),
        duration_s,
        counted_metres,
        findings,
    }
}

/// Marks the steps of the too-fast stretches and returns a finding for each.
///
/// Within each run of steps between jumps (a jump is not travel, so no window spans one),
/// every window from a fix to the first fix at least [`MIN_STRETCH_S`] later whose
/// straight-line speed is above [`RIDING_KMH`] is too fast. The straight line, not the
/// track, so a phone's jitter while standing or walking slowly never adds up to speed.
/// Overlapping or touching windows are one stretch, and its slow steps at either end (the
/// walk before getting into the car and after getting out, which a window reaching into the
/// car takes in) are trimmed off. A window above riding speed always has a step above it, so
/// a trimmed stretch is never empty.
fn too_fast_stretches(fixes: &[&TrackPoint], steps: &mut [Step]) -> Vec<Finding> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut run_start = 0;
    while run_start < steps.len() {
        // Steps run_start..run_end have no jump; fixes run_start..=run_end.
        let run_end = (run_start..steps.len())
            .find(|&i| steps[i].jump)
            .unwrap_or(steps.len());
        let mut j = run_start;
        for i in run_start..run_end {
            j = j.max(i + 1);
            while j <= run_end && seconds_between(fixes[i], fixes[j]) < MIN_STRETCH_S {
                j += 1;
            }
            if j > run_end {
                break;
            }
            let straight = metres_between(fixes[i], fixes[j]);
            if km_h(straight, fixes[i], fixes[j]) > RIDING_KMH {
                match ranges.last_mut() {
                    Some((_, end)) if *end >= i => *end = (*end).max(j),
                    _ => ranges.push((i, j)),
                }
            }
        }
        run_start = run_end + 1;
    }

    let mut findings = Vec::new();
    for (mut from, mut to) in ranges {
        while from < to && steps[from].km_h <= RIDING_KMH {
            from += 1;
        }
        while to > from && steps[to - 1].km_h <= RIDING_KMH {
            to -= 1;
        }
        if from == to {
            continue;
        }
        let mut metres = 0.0;
        for step in &mut steps[from..to] {
            step.too_fast = true;
            metres += step.metres;
        }
        findings.push(Finding::TooFast {
            km_h: km_h(metres, fixes[from], fixes[to]),
            from: fixes[from].at,
            to: fixes[to].at,
        });
    }
    findings
}
