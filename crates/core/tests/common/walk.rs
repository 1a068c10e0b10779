//! Patrols with tracks built step by step, for the tests of the patrol rule and the patrol
//! statistics: the officer goes due north from a spot on 清水河, where a distance along the
//! meridian is exactly the latitude travelled, so every length is known by hand.

use chrono::{DateTime, Duration, TimeZone, Utc};
use patrol_core::geo::EARTH_RADIUS_M;
use patrol_core::*;

/// Metres along a meridian per degree of latitude (and along the equator per degree of
/// longitude).
const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// A patrol being built: where and when the last fix was.
pub struct Walk {
    patrol: Patrol,
    lat: f64,
    lon: f64,
    at: DateTime<Utc>,
}

/// An instant given in China Standard Time (UTC+8), as an officer reads the clock.
pub fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

impl Walk {
    /// Starts `author`'s patrol of `village` at `at`, with a first fix there and then.
    pub fn start(author: &str, village: &str, at: DateTime<Utc>) -> Walk {
        let mut patrol = Patrol::start("清水河", "杨柳村段", author, at).unwrap();
        patrol.village = village.to_owned();
        let mut walk = Walk {
            patrol,
            lat: 31.25,
            lon: 107.54,
            at,
        };
        walk.fix();
        walk
    }

    fn fix(&mut self) {
        self.patrol.track.push(TrackPoint {
            lat: self.lat,
            lon: self.lon,
            accuracy_m: 8.0,
            at: self.at,
        });
    }

    /// `metres` northwards in `seconds`, in `steps` equal steps, a fix after each.
    pub fn go(mut self, metres: f64, seconds: i64, steps: u32) -> Walk {
        let start = (self.lat, self.at);
        for i in 1..=steps {
            let part = f64::from(i) / f64::from(steps);
            self.lat = start.0 + metres * part / METRES_PER_DEGREE;
            self.at = start.1
                + Duration::milliseconds((seconds * 1000) * i64::from(i) / i64::from(steps));
            self.fix();
        }
        self
    }

    /// A stray fix `metres` east, `seconds` after the last one, then one back where the
    /// officer is, `seconds` after that: a GPS jump there and back.
    pub fn stray(mut self, metres: f64, seconds: i64) -> Walk {
        let here = self.lon;
        self.lon = here + metres / (METRES_PER_DEGREE * self.lat.to_radians().cos());
        self.at += Duration::seconds(seconds);
        self.fix();
        self.lon = here;
        self.at += Duration::seconds(seconds);
        self.fix();
        self
    }

    /// When the last fix was taken.
    pub fn now(&self) -> DateTime<Utc> {
        self.at
    }

    /// Ended at the last fix.
    pub fn end(mut self) -> Patrol {
        self.patrol.end(self.at);
        self.patrol
    }

    /// Still under way.
    pub fn under_way(self) -> Patrol {
        self.patrol
    }
}
