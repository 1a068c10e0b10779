//! Patrols (巡河记录): one trip along a river section, with its start and end, the GPS track
//! walked and the visits made on it. River-chief rules count patrols, so the log matters.
//!
//! A patrol is stored as one JSON document (see `docs/storage.md`) and rewritten as its track
//! grows, so a reload or a closed tab loses at most the fix being taken. The track is thinned
//! by [`Patrol::record_fix`] (see [`Sampler`]) before it is stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::geo::distance_m;
use crate::record::Record;
use crate::validate::{FieldError, MAX_REVISION, Problem, time_in_range};

/// localStorage key prefix of patrol entries: `rp/v1/patrol/<uuid>`.
pub const PATROL_KEY_PREFIX: &str = "rp/v1/patrol/";

/// The localStorage key of the patrol with `id`.
pub fn patrol_key(id: Uuid) -> String {
    format!("{PATROL_KEY_PREFIX}{id}")
}

/// Form field names of the start form (input ids and error anchors).
pub mod field {
    pub const RIVER: &str = "river";
    pub const SECTION: &str = "section";
    /// The track as a whole (a fix out of range, or its time), as the server checks a pushed
    /// patrol.
    pub const TRACK: &str = "track";
    // Instants stamped by a clock, checked by [`Patrol::check_times`](super::Patrol::check_times).
    pub const STARTED_AT: &str = "started_at";
    pub const ENDED_AT: &str = "ended_at";
    /// Above [`MAX_REVISION`](crate::validate::MAX_REVISION); the same name as a record's.
    pub use crate::validate::field::REVISION;
}

/// Longest river name, in characters after trimming.
pub const MAX_RIVER: usize = 50;
/// Longest section description, in characters after trimming.
pub const MAX_SECTION: usize = 100;

/// One kept GPS fix of a patrol's track (WGS 84 degrees).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub lat: f64,
    pub lon: f64,
    /// Radius of the 68% confidence circle in metres, as the device reported it.
    #[serde(default)]
    pub accuracy_m: f64,
    /// When the device took the fix.
    #[serde(with = "crate::stamp::instant")]
    pub at: DateTime<Utc>,
}

impl TrackPoint {
    /// Latitude and longitude on the globe, the accuracy a distance (finite, not negative).
    pub fn in_range(&self) -> bool {
        self.lat.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && self.lon.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && self.accuracy_m.is_finite()
            && self.accuracy_m >= 0.0
    }

    fn lat_lon(&self) -> (f64, f64) {
        (self.lat, self.lon)
    }
}

/// One trip along a river section. Fields added later arrive with `#[serde(default)]`, so an
/// older app's patrols stay readable and sync can carry the type as it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Patrol {
    /// Made on the device, like a record's id.
    pub id: Uuid,
    /// River (河流), e.g. "清水河".
    pub river: String,
    /// Section (河段), e.g. "杨柳村段".
    #[serde(default)]
    pub section: String,
    /// Officer who patrolled.
    #[serde(default)]
    pub author: String,
    /// The officer's village (村), as in settings when the patrol started: the server lets
    /// only tokens for this village (or for every village) read and write it.
    #[serde(default)]
    pub village: String,
    #[serde(with = "crate::stamp::instant")]
    pub started_at: DateTime<Utc>,
    /// `None` while the patrol is under way.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::stamp::instant_option"
    )]
    pub ended_at: Option<DateTime<Utc>>,
    /// Kept fixes, oldest first.
    #[serde(default)]
    pub track: Vec<TrackPoint>,
    /// Bumped on every local save, like a record's; sync will use it.
    #[serde(default)]
    pub revision: u32,
}

/// Which fixes a track keeps. A fix is dropped when its accuracy is worse than
/// `max_accuracy_m`; otherwise it is kept when it is at least `min_distance_m` from the last
/// kept fix *or* at least `min_interval_s` seconds after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampler {
    pub max_accuracy_m: f64,
    pub min_distance_m: f64,
    pub min_interval_s: i64,
}

impl Sampler {
    /// The values a river patrol needs (see docs/storage.md):
    /// - 50 m accuracy: a worse fix is a cell-tower or Wi-Fi guess, not the GPS; on a river
    ///   bank it would put the track on the wrong side of the river and add zigzags of
    ///   hundreds of metres to the length.
    /// - 25 m: above the usual jitter of a phone's GPS under open sky (5–15 m), so standing
    ///   at an outfall does not draw a star, and small enough to follow a river's bends. On
    ///   foot (≈1.3 m/s) that is a point every 20 s; on a motorbike at 36 km/h every 2.5 s,
    ///   still only ≈1,500 points (≈150 KB) an hour.
    /// - 60 s: a point at least every minute when walking slowly or stopped, so the track
    ///   shows where the time went; at most one jitter step a minute is added to the length
    ///   while standing still.
    pub const RIVER_PATROL: Sampler = Sampler {
        max_accuracy_m: 50.0,
        min_distance_m: 25.0,
        min_interval_s: 60,
    };

    /// Whether `fix` is kept after `last` (the last kept fix, if any).
    pub fn keeps(&self, last: Option<&TrackPoint>, fix: &TrackPoint) -> bool {
        if !fix.lat.is_finite()
            || !fix.lon.is_finite()
            || !(-90.0..=90.0).contains(&fix.lat)
            || !(-180.0..=180.0).contains(&fix.lon)
        {
            return false;
        }
        if !fix.accuracy_m.is_finite() || fix.accuracy_m > self.max_accuracy_m {
            return false;
        }
        let Some(last) = last else { return true };
        if fix.at <= last.at {
            // A repeated or out-of-order report (a cached fix handed back again).
            return false;
        }
        (fix.at - last.at).num_seconds() >= self.min_interval_s
            || distance_m(last.lat_lon(), fix.lat_lon()) >= self.min_distance_m
    }
}

/// A visit made on a patrol: a problem found on it, or a follow-up of one.
#[derive(Clone, Debug, PartialEq)]
pub struct PatrolVisit {
    /// The problem visited.
    pub record: Uuid,
    pub at: DateTime<Utc>,
    /// `true` when the problem was found (recorded) on this patrol, `false` for a follow-up.
    pub found: bool,
}

impl Patrol {
    /// Starts a patrol now, or says what is wrong with the river and section typed.
    pub fn start(
        river: &str,
        section: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Patrol, Vec<FieldError>> {
        let patrol = Patrol {
            id: Uuid::new_v4(),
            river: river.trim().to_owned(),
            section: section.trim().to_owned(),
            author: author.trim().to_owned(),
            village: String::new(),
            started_at: now,
            ended_at: None,
            track: Vec::new(),
            revision: 0,
        };
        let errors = patrol.validate();
        if errors.is_empty() {
            Ok(patrol)
        } else {
            Err(errors)
        }
    }

    /// What is wrong with the river and section, as the start form and the server check it,
    /// and with the track: a fix out of range (no phone reports one, a damaged copy might)
    /// would be stored and passed on to every phone that pulls the patrol. A revision above
    /// [`MAX_REVISION`] is refused too, so the server's "one above both" can never overflow.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let (river, section) = (self.river.trim(), self.section.trim());
        if river.is_empty() {
            errors.push(FieldError {
                field: field::RIVER,
                problem: Problem::Required,
            });
        } else if river.chars().count() > MAX_RIVER {
            errors.push(FieldError {
                field: field::RIVER,
                problem: Problem::TooLong { max: MAX_RIVER },
            });
        }
        if section.chars().count() > MAX_SECTION {
            errors.push(FieldError {
                field: field::SECTION,
                problem: Problem::TooLong { max: MAX_SECTION },
            });
        }
        if !self.track.iter().all(TrackPoint::in_range) {
            errors.push(FieldError {
                field: field::TRACK,
                problem: Problem::OutOfRange,
            });
        }
        if self.revision > MAX_REVISION {
            errors.push(FieldError {
                field: field::REVISION,
                problem: Problem::OutOfRange,
            });
        }
        errors
    }

    /// Every instant a clock stamped in the patrol that is out of range against `now`
    /// ([`time_in_range`]): its start, its end, and its fixes' times (the track as a whole),
    /// each as [`Problem::OutOfRange`]. The server checks a pushed patrol against its own clock:
    /// a patrol started in year 9999 would head every list of patrols. Never panics.
    pub fn check_times(&self, now: DateTime<Utc>) -> Vec<FieldError> {
        let ok = |time| time_in_range(time, now);
        let checks = [
            (field::STARTED_AT, ok(self.started_at)),
            (field::ENDED_AT, self.ended_at.is_none_or(ok)),
            (field::TRACK, self.track.iter().all(|p| ok(p.at))),
        ];
        checks
            .into_iter()
            .filter(|(_, fine)| !fine)
            .map(|(field, _)| FieldError {
                field,
                problem: Problem::OutOfRange,
            })
            .collect()
    }

    /// Takes in what `other` (another copy of this patrol: the server's, or the phone's) knows
    /// that this one does not, so that no copy ever loses a fix or an end: the tracks are
    /// joined (by time; one fix per instant), the earlier end is kept, and river, section,
    /// author and village come from the copy with the higher revision. The revision becomes
    /// the higher one. Merging is order-free: `a.merge(b)` and `b.merge(a)` hold the same.
    pub fn merge(&mut self, other: &Patrol) {
        if other.revision > self.revision
            || (other.revision == self.revision && other.descriptive_key() > self.descriptive_key())
        {
            self.river.clone_from(&other.river);
            self.section.clone_from(&other.section);
            self.author.clone_from(&other.author);
            self.village.clone_from(&other.village);
        }
        self.started_at = self.started_at.min(other.started_at);
        self.ended_at = match (self.ended_at, other.ended_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut track = std::mem::take(&mut self.track);
        track.extend(other.track.iter().cloned());
        // Of two different fixes at one instant the same one stays, whichever copy had it.
        track.sort_by(|a, b| {
            a.at.cmp(&b.at)
                .then(a.lat.total_cmp(&b.lat))
                .then(a.lon.total_cmp(&b.lon))
                .then(a.accuracy_m.total_cmp(&b.accuracy_m))
        });
        track.dedup_by_key(|p| p.at);
        self.track = track;
        self.revision = self.revision.max(other.revision);
    }

    /// The same patrol content, revisions aside.
    pub fn same_content(&self, other: &Patrol) -> bool {
        // Field by field, without copying the track; the pattern names every field, so a new
        // one cannot be left out.
        let Patrol {
            id,
            river,
            section,
            author,
            village,
            started_at,
            ended_at,
            track,
            revision: _,
        } = self;
        *id == other.id
            && *river == other.river
            && *section == other.section
            && *author == other.author
            && *village == other.village
            && *started_at == other.started_at
            && *ended_at == other.ended_at
            && *track == other.track
    }

    /// Orders the descriptive fields, so two copies with one revision merge the same way
    /// whichever is merged into which.
    fn descriptive_key(&self) -> (&str, &str, &str, &str) {
        (&self.river, &self.section, &self.author, &self.village)
    }

    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }

    /// Adds `fix` to the track if the river-patrol [`Sampler`] keeps it; returns whether it
    /// did. An ended patrol keeps nothing more.
    pub fn record_fix(&mut self, fix: TrackPoint) -> bool {
        self.record_fix_with(&Sampler::RIVER_PATROL, fix)
    }

    /// [`Patrol::record_fix`] with another sampler.
    pub fn record_fix_with(&mut self, sampler: &Sampler, fix: TrackPoint) -> bool {
        if !self.is_active() || !sampler.keeps(self.track.last(), &fix) {
            return false;
        }
        self.track.push(fix);
        true
    }

    /// Ends the patrol at `now` (never before it started). Ending twice keeps the first end.
    pub fn end(&mut self, now: DateTime<Utc>) {
        if self.ended_at.is_none() {
            self.ended_at = Some(now.max(self.started_at));
        }
    }

    /// Length of the track in metres: the great-circle distances between kept fixes.
    pub fn length_m(&self) -> f64 {
        self.track
            .windows(2)
            .map(|w| distance_m(w[0].lat_lon(), w[1].lat_lon()))
            .sum()
    }

    /// Time from start to end, or to `now` while under way; in whole seconds, never negative.
    pub fn duration_s(&self, now: DateTime<Utc>) -> i64 {
        let end = self.ended_at.unwrap_or(now);
        (end - self.started_at).num_seconds().max(0)
    }

    /// The visits made on this patrol, oldest first: the problems recorded while it was
    /// under way and the follow-up visits made on it. Deleted problems are left out.
    pub fn visits<'a>(&self, records: impl IntoIterator<Item = &'a Record>) -> Vec<PatrolVisit> {
        let mut visits = Vec::new();
        for record in records.into_iter().filter(|r| !r.is_deleted()) {
            if record.patrol == Some(self.id) {
                visits.push(PatrolVisit {
                    record: record.id,
                    at: record.created_at,
                    found: true,
                });
            }
            for visit in record.visits.iter().filter(|v| v.patrol == Some(self.id)) {
                visits.push(PatrolVisit {
                    record: record.id,
                    at: visit.at,
                    found: false,
                });
            }
        }
        visits.sort_by_key(|v| v.at);
        visits
    }

    /// The track as the `points` of an SVG `<polyline>` in a `width` × `height` box with
    /// `padding` on every side: north up, east right, the same scale both ways (longitude
    /// shrunk by the cosine of the mean latitude), centred. Empty without fixes; a single fix
    /// (or fixes all at one spot) sits in the middle.
    pub fn svg_points(&self, width: f64, height: f64, padding: f64) -> String {
        let Some(first) = self.track.first() else {
            return String::new();
        };
        let mean_lat = self.track.iter().map(|p| p.lat).sum::<f64>() / self.track.len() as f64;
        let shrink = mean_lat.to_radians().cos();
        // Longitudes relative to the first fix, wrapped, so a track across ±180° stays whole.
        let xy: Vec<(f64, f64)> = self
            .track
            .iter()
            .map(|p| {
                let mut dlon = p.lon - first.lon;
                if dlon > 180.0 {
                    dlon -= 360.0;
                } else if dlon < -180.0 {
                    dlon += 360.0;
                }
                (dlon * shrink, p.lat)
            })
            .collect();
        let (min_x, max_x) = min_max(xy.iter().map(|p| p.0));
        let (min_y, max_y) = min_max(xy.iter().map(|p| p.1));
        let (inner_w, inner_h) = (
            (width - 2.0 * padding).max(0.0),
            (height - 2.0 * padding).max(0.0),
        );
        let (span_x, span_y) = (max_x - min_x, max_y - min_y);
        let scale = match (span_x > 0.0, span_y > 0.0) {
            (false, false) => 0.0,
            (true, false) => inner_w / span_x,
            (false, true) => inner_h / span_y,
            (true, true) => (inner_w / span_x).min(inner_h / span_y),
        };
        let (off_x, off_y) = (
            padding + (inner_w - span_x * scale) / 2.0,
            padding + (inner_h - span_y * scale) / 2.0,
        );
        xy.iter()
            .map(|(x, y)| {
                let sx = off_x + (x - min_x) * scale;
                let sy = off_y + (max_y - y) * scale;
                format!("{sx:.1},{sy:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// The most recent patrol (by start) among `patrols`: the one whose river and section the
/// start form offers again.
pub fn latest<'a>(patrols: impl IntoIterator<Item = &'a Patrol>) -> Option<&'a Patrol> {
    patrols.into_iter().max_by_key(|p| p.started_at)
}

/// A duration as `h:mm:ss`, e.g. `1:05:03`; negative counts as zero.
pub fn format_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Kind;
    use crate::record::Status;
    use crate::visit::FollowUp;
    use chrono::{Duration, TimeZone};

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, m, s).unwrap()
    }

    fn fix(lat: f64, lon: f64, accuracy_m: f64, at: DateTime<Utc>) -> TrackPoint {
        TrackPoint {
            lat,
            lon,
            accuracy_m,
            at,
        }
    }

    fn started() -> Patrol {
        Patrol::start("清水河", "杨柳村段", "王五", at(9, 0, 0)).unwrap()
    }

    #[test]
    fn a_straight_line_northwards_has_its_length() {
        // 10 steps of 0.0005° of latitude: 10 × 55.6 m.
        let mut patrol = started();
        for i in 0..=10 {
            let t = at(9, 0, 0) + Duration::seconds(30 * i);
            assert!(patrol.record_fix(fix(31.25 + 0.0005 * i as f64, 107.54, 8.0, t)));
        }
        let expected = distance_m((31.25, 107.54), (31.255, 107.54));
        assert!((patrol.length_m() - expected).abs() < 0.5);
        assert!(
            (patrol.length_m() - 555.97).abs() < 1.0,
            "{}",
            patrol.length_m()
        );
    }

    #[test]
    fn a_known_line_east_west_matches_the_haversine_distance() {
        // 1 km east along the equator in 100 m steps.
        let mut patrol = started();
        let step = 100.0 / (crate::geo::EARTH_RADIUS_M * std::f64::consts::PI / 180.0);
        for i in 0..=10 {
            patrol.record_fix(fix(0.0, step * i as f64, 5.0, at(9, 0, i)));
        }
        assert_eq!(patrol.track.len(), 11);
        assert!((patrol.length_m() - 1000.0).abs() < 0.01);
    }

    #[test]
    fn no_track_or_one_fix_has_no_length() {
        let mut patrol = started();
        assert_eq!(patrol.length_m(), 0.0);
        patrol.record_fix(fix(31.25, 107.54, 5.0, at(9, 0, 1)));
        assert_eq!(patrol.length_m(), 0.0);
    }

    #[test]
    fn poor_fixes_are_dropped() {
        let mut patrol = started();
        assert!(!patrol.record_fix(fix(31.25, 107.54, 51.0, at(9, 0, 1))));
        assert!(!patrol.record_fix(fix(31.25, 107.54, f64::NAN, at(9, 0, 2))));
        assert!(patrol.record_fix(fix(31.25, 107.54, 50.0, at(9, 0, 3))));
        // Far away but a network guess: dropped however long since the last.
        assert!(!patrol.record_fix(fix(31.26, 107.54, 800.0, at(9, 30, 0))));
        assert_eq!(patrol.track.len(), 1);
    }

    #[test]
    fn impossible_coordinates_are_dropped() {
        let mut patrol = started();
        assert!(!patrol.record_fix(fix(91.0, 107.54, 5.0, at(9, 0, 1))));
        assert!(!patrol.record_fix(fix(31.0, f64::INFINITY, 5.0, at(9, 0, 1))));
        assert!(patrol.track.is_empty());
    }

    #[test]
    fn a_fix_is_kept_by_distance_or_by_time() {
        let mut patrol = started();
        let here = (31.25, 107.54);
        assert!(patrol.record_fix(fix(here.0, here.1, 5.0, at(9, 0, 0))));
        // 11 m away, 10 s later: neither far enough nor late enough.
        assert!(!patrol.record_fix(fix(31.2501, here.1, 5.0, at(9, 0, 10))));
        // 27.8 m away, 5 s later: far enough.
        assert!(patrol.record_fix(fix(31.25025, here.1, 5.0, at(9, 0, 15))));
        // Same spot, 59 s later: not yet; 60 s later: kept by time.
        assert!(!patrol.record_fix(fix(31.25025, here.1, 5.0, at(9, 1, 14))));
        assert!(patrol.record_fix(fix(31.25025, here.1, 5.0, at(9, 1, 15))));
        assert_eq!(patrol.track.len(), 3);
    }

    #[test]
    fn repeated_and_out_of_order_fixes_are_dropped() {
        let mut patrol = started();
        assert!(patrol.record_fix(fix(31.25, 107.54, 5.0, at(9, 5, 0))));
        assert!(!patrol.record_fix(fix(31.26, 107.54, 5.0, at(9, 5, 0))));
        assert!(!patrol.record_fix(fix(31.26, 107.54, 5.0, at(9, 4, 0))));
    }

    #[test]
    fn an_ended_patrol_keeps_no_more_fixes() {
        let mut patrol = started();
        patrol.end(at(10, 0, 0));
        assert!(!patrol.record_fix(fix(31.25, 107.54, 5.0, at(10, 0, 1))));
        patrol.end(at(11, 0, 0));
        assert_eq!(patrol.ended_at, Some(at(10, 0, 0)));
    }

    #[test]
    fn a_patrol_across_midnight() {
        let start = Utc.with_ymd_and_hms(2026, 11, 28, 23, 30, 0).unwrap();
        let mut patrol = Patrol::start("清水河", "", "", start).unwrap();
        assert!(patrol.record_fix(fix(31.25, 107.54, 5.0, start + Duration::minutes(29))));
        // 00:00:30 next day, same place: 90 s after the last kept fix, so kept by time.
        assert!(patrol.record_fix(fix(31.25, 107.54, 5.0, start + Duration::seconds(1830))));
        patrol.end(Utc.with_ymd_and_hms(2026, 11, 29, 0, 45, 0).unwrap());
        assert_eq!(patrol.duration_s(start), 75 * 60);
        assert_eq!(format_duration(patrol.duration_s(start)), "1:15:00");
        assert_eq!(patrol.length_m(), 0.0);
    }

    #[test]
    fn duration_runs_to_now_while_under_way() {
        let patrol = started();
        assert!(patrol.is_active());
        assert_eq!(patrol.duration_s(at(9, 12, 34)), 754);
        // A clock set back does not give a negative duration.
        assert_eq!(patrol.duration_s(at(8, 0, 0)), 0);
        assert_eq!(format_duration(754), "0:12:34");
        assert_eq!(format_duration(-5), "0:00:00");
        assert_eq!(format_duration(36_000 + 61), "10:01:01");
    }

    #[test]
    fn starting_needs_a_river() {
        let errors = Patrol::start("  ", "x", "", at(9, 0, 0)).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError {
                field: field::RIVER,
                problem: Problem::Required
            }]
        );
        let long = "河".repeat(MAX_RIVER + 1);
        let longer = "段".repeat(MAX_SECTION + 1);
        let errors = Patrol::start(&long, &longer, "", at(9, 0, 0)).unwrap_err();
        assert_eq!(errors.len(), 2);
        let ok = Patrol::start(" 清水河 ", " 杨柳村段 ", " 王五 ", at(9, 0, 0)).unwrap();
        assert_eq!(
            (ok.river.as_str(), ok.section.as_str(), ok.author.as_str()),
            ("清水河", "杨柳村段", "王五")
        );
    }

    #[test]
    fn stored_form_round_trips_and_reads_without_later_fields() {
        let mut patrol = started();
        patrol.record_fix(fix(31.25, 107.54, 5.0, at(9, 0, 1)));
        let text = serde_json::to_string(&patrol).unwrap();
        assert_eq!(serde_json::from_str::<Patrol>(&text).unwrap(), patrol);
        let minimal = r#"{"id":"6f1c3c3e-8a55-4b7e-9b0e-0d0f5c1e2a3b","river":"清水河",
            "started_at":"2026-11-28T09:00:00Z"}"#;
        let read: Patrol = serde_json::from_str(minimal).unwrap();
        assert!(read.is_active() && read.track.is_empty() && read.section.is_empty());
    }

    #[test]
    fn the_visits_on_a_patrol_are_found_problems_and_follow_ups() {
        let patrol = started();
        let mut found = Record::new(Kind::SewageOutfall, "王五", "杨柳村", at(9, 10, 0));
        found.patrol = Some(patrol.id);
        let mut older = Record::new(Kind::Signage, "王五", "杨柳村", at(8, 0, 0));
        older
            .follow_up(
                FollowUp {
                    to: Status::Rectifying,
                    patrol: Some(patrol.id),
                    ..FollowUp::default()
                },
                "王五",
                at(9, 5, 0),
            )
            .unwrap();
        let elsewhere = Record::new(Kind::Other, "王五", "杨柳村", at(9, 20, 0));
        let mut deleted = Record::new(Kind::Other, "王五", "杨柳村", at(9, 30, 0));
        deleted.patrol = Some(patrol.id);
        deleted.mark_deleted(at(9, 31, 0));
        let visits = patrol.visits([&found, &older, &elsewhere, &deleted]);
        assert_eq!(
            visits,
            vec![
                PatrolVisit {
                    record: older.id,
                    at: at(9, 5, 0),
                    found: false
                },
                PatrolVisit {
                    record: found.id,
                    at: at(9, 10, 0),
                    found: true
                },
            ]
        );
    }

    #[test]
    fn the_track_fits_the_drawing_north_up() {
        let mut patrol = started();
        patrol.record_fix(fix(31.25, 107.54, 5.0, at(9, 0, 0)));
        patrol.record_fix(fix(31.26, 107.54, 5.0, at(9, 1, 0)));
        // A line northwards: vertical, centred, from the bottom to the top.
        assert_eq!(patrol.svg_points(100.0, 60.0, 5.0), "50.0,55.0 50.0,5.0");
        patrol.record_fix(fix(31.26, 107.55, 5.0, at(9, 2, 0)));
        let points = patrol.svg_points(100.0, 60.0, 5.0);
        let last = points.split(' ').next_back().unwrap();
        let (x, y) = last.split_once(',').unwrap();
        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
        // East of the start, at the top; 0.01° of longitude is shorter than of latitude here.
        assert!(x > 50.0 && x < 95.0, "{points}");
        assert_eq!(y, 5.0);
    }

    #[test]
    fn a_single_fix_sits_in_the_middle_and_no_fix_draws_nothing() {
        let mut patrol = started();
        assert_eq!(patrol.svg_points(100.0, 60.0, 5.0), "");
        patrol.record_fix(fix(31.25, 107.54, 5.0, at(9, 0, 0)));
        assert_eq!(patrol.svg_points(100.0, 60.0, 5.0), "50.0,30.0");
    }

    #[test]
    fn the_latest_patrol_is_offered_again() {
        let first = started();
        let mut second = Patrol::start("白河", "二段", "", at(14, 0, 0)).unwrap();
        second.end(at(15, 0, 0));
        assert_eq!(
            latest([&second, &first]).map(|p| p.river.as_str()),
            Some("白河")
        );
        assert!(latest(std::iter::empty()).is_none());
    }

    #[test]
    fn keys_are_per_patrol() {
        let id = Uuid::nil();
        assert_eq!(
            patrol_key(id),
            "rp/v1/patrol/00000000-0000-0000-0000-000000000000"
        );
    }
}
