//! Patrols (巡河记录): an official walks a river section; the phone records the track while
//! the app is open. This is the domain part — what a patrol is, which GPS fixes the track
//! keeps, its length and duration. The screens and the sync of patrols build on it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::geo::distance_m;

/// One patrol of one river section by one official.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Patrol {
    /// Made on the device.
    pub id: Uuid,
    /// River (河流), e.g. "清水河".
    #[serde(default)]
    pub river: String,
    /// Section (河段), e.g. "杨柳村段".
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub author: String,
    pub started_at: DateTime<Utc>,
    /// `None` while the patrol is under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The kept fixes, oldest first (see [`TrackSampler`]).
    #[serde(default)]
    pub track: Vec<TrackPoint>,
}

/// A kept GPS fix of the track (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    pub at: DateTime<Utc>,
}

/// Which fixes a track keeps. A phone reports a fix every second or so, most of them a few
/// metres from the last while the official stands on a bank, and some far off when the sky is
/// blocked; keeping them all would fill storage and make a standing official "walk".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackSampler {
    /// Fixes less accurate than this (radius, metres) are dropped: under trees or in a gorge
    /// they jump by tens of metres.
    pub max_accuracy_m: f64,
    /// A fix this far from the last kept one is kept: about every 20 m of walking, enough to
    /// follow a river's bends.
    pub min_distance_m: f64,
    /// After this long without moving that far, a fix is kept anyway, so the track shows where
    /// the official stopped (an inspection) and when.
    pub heartbeat: Duration,
}

impl Default for TrackSampler {
    fn default() -> Self {
        TrackSampler {
            max_accuracy_m: 50.0,
            min_distance_m: 20.0,
            heartbeat: Duration::minutes(5),
        }
    }
}

impl TrackSampler {
    /// Whether `fix` should be added after `last` (the last kept point, if any).
    pub fn keeps(&self, last: Option<&TrackPoint>, fix: &TrackPoint) -> bool {
        let usable = fix.latitude.is_finite()
            && fix.longitude.is_finite()
            && (-90.0..=90.0).contains(&fix.latitude)
            && (-180.0..=180.0).contains(&fix.longitude)
            && fix
                .accuracy_m
                .is_none_or(|a| a.is_finite() && a <= self.max_accuracy_m);
        if !usable {
            return false;
        }
        let Some(last) = last else {
            return true;
        };
        if fix.at <= last.at {
            return false; // a repeated or out-of-order report
        }
        distance_m(point(last), point(fix)) >= self.min_distance_m
            || fix.at - last.at >= self.heartbeat
    }
}

fn point(p: &TrackPoint) -> (f64, f64) {
    (p.latitude, p.longitude)
}

impl Patrol {
    /// A patrol of `river` / `section` starting `now`.
    pub fn start(river: &str, section: &str, author: &str, now: DateTime<Utc>) -> Patrol {
        Patrol {
            id: Uuid::new_v4(),
            river: river.trim().to_owned(),
            section: section.trim().to_owned(),
            author: author.to_owned(),
            started_at: now,
            ended_at: None,
            track: Vec::new(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }

    /// Offers a fix to the track; returns whether it was kept. An ended patrol keeps none.
    pub fn record(&mut self, fix: TrackPoint, sampler: &TrackSampler) -> bool {
        if !self.is_active() || !sampler.keeps(self.track.last(), &fix) {
            return false;
        }
        self.track.push(fix);
        true
    }

    /// Ends the patrol `now` (once; ending again changes nothing).
    pub fn end(&mut self, now: DateTime<Utc>) {
        if self.is_active() {
            self.ended_at = Some(now.max(self.started_at));
        }
    }

    /// Length of the track in metres: the sum of the great-circle distances between kept
    /// points.
    pub fn length_m(&self) -> f64 {
        self.track
            .windows(2)
            .map(|w| distance_m(point(&w[0]), point(&w[1])))
            .sum()
    }

    /// From the start to the end, or to `now` while under way.
    pub fn duration(&self, now: DateTime<Utc>) -> Duration {
        (self.ended_at.unwrap_or(now) - self.started_at).max(Duration::zero())
    }
}
