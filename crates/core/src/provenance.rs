//! Where each photo came from: the camera or the gallery, and what the original file's EXIF
//! said about when and where it was taken, before the app's re-encode dropped it. A photo
//! chosen from the gallery that the camera took long before the record, or far from it, is
//! marked 非现场拍摄 (off-site): the known shape of a fake patrol (虚假巡河) is a photo taken
//! elsewhere or years ago. Such a photo is never refused (an official may have good reason
//! to add an older picture); it is shown for what it is, on the record and in the ledger.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::geo::distance_m;
use crate::record::{PhotoRef, Position, Record};

/// Which of the form's two inputs the photo came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoSource {
    /// Taken with the camera for this record (相机拍摄).
    Camera,
    /// Chosen from the phone's gallery (相册选取): it may have been taken any time, anywhere.
    Gallery,
}

/// What the original file's EXIF said, as far as it said it. Latitude and longitude come
/// together or not at all.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exif {
    /// DateTimeOriginal, at its OffsetTimeOriginal, or taken as China Standard Time where the
    /// camera wrote no offset (Chinese phones do not).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::stamp::instant_option"
    )]
    pub taken_at: Option<DateTime<Utc>>,
    /// GPSLatitude with GPSLatitudeRef, WGS 84 degrees, south negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// GPSLongitude with GPSLongitudeRef, WGS 84 degrees, west negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

impl Exif {
    /// The position, when both coordinates are there and make sense. (0, 0) is what some
    /// cameras write when they had no fix: it is taken as no position.
    pub fn position(&self) -> Option<(f64, f64)> {
        let (lat, lon) = (self.latitude?, self.longitude?);
        let valid = lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && (lat, lon) != (0.0, 0.0);
        valid.then_some((lat, lon))
    }

    /// Whether there is anything worth keeping.
    pub fn is_empty(&self) -> bool {
        self.taken_at.is_none() && self.position().is_none()
    }
}

/// An EXIF date and time (`2020:05:01 10:00:00` in its fields) as an instant: at the
/// camera's offset in minutes east of UTC, or in China Standard Time where there is none.
/// `None` for a date or time that does not exist.
pub fn exif_time(
    [year, month, day]: [u32; 3],
    [hour, minute, second]: [u32; 3],
    offset_minutes: Option<i32>,
) -> Option<DateTime<Utc>> {
    let local = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_opt(hour, minute, second)?;
    let offset = match offset_minutes {
        Some(minutes) => FixedOffset::east_opt(minutes.checked_mul(60)?)?,
        None => crate::workflow::china_standard_time(),
    };
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

/// Degrees, minutes and seconds with their reference (`N`/`S`, `E`/`W`) as signed decimal
/// degrees; `None` for a reference that is none of these, a negative or non-finite part, or
/// a result beyond `limit` (90 for a latitude, 180 for a longitude).
pub fn exif_degrees(dms: [f64; 3], reference: &str, limit: f64) -> Option<f64> {
    if dms.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let degrees = dms[0] + dms[1] / 60.0 + dms[2] / 3600.0;
    let sign = match reference.trim() {
        "N" | "E" => 1.0,
        "S" | "W" => -1.0,
        _ => return None,
    };
    (degrees <= limit).then_some(sign * degrees)
}

/// A gallery photo whose camera took it more than this long before the record is off-site.
pub fn max_earlier() -> Duration {
    Duration::hours(1)
}

/// A gallery photo whose camera was more than this far (metres) from the record is off-site.
pub const MAX_DISTANCE_M: f64 = 500.0;

/// How a photo's EXIF compares with the record (or visit) it belongs to: how much earlier
/// the camera says it was taken (negative when later), and how far from the record's
/// position. `None` where the photo or the record lacks the fact.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Comparison {
    pub earlier_by: Option<Duration>,
    pub distance_m: Option<f64>,
}

/// Why a photo is off-site (非现场拍摄): each reason that holds, the other `None`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OffSite {
    /// Taken this long before the record, beyond [`max_earlier`].
    pub earlier_by: Option<Duration>,
    /// Taken this far from the record, beyond [`MAX_DISTANCE_M`].
    pub distance_m: Option<f64>,
}

/// `photo`'s EXIF against the record's time `at` and `position`.
pub fn compare(photo: &PhotoRef, at: DateTime<Utc>, position: Option<&Position>) -> Comparison {
    let Some(exif) = &photo.exif else {
        return Comparison::default();
    };
    let here = position
        .filter(|p| p.latitude.is_finite() && p.longitude.is_finite())
        .map(|p| (p.latitude, p.longitude));
    Comparison {
        earlier_by: exif.taken_at.map(|t| at - t),
        distance_m: exif.position().zip(here).map(|(a, b)| distance_m(a, b)),
    }
}

/// The rule: a photo chosen from the gallery whose EXIF time is more than an hour before the
/// record (`at`), or whose EXIF position is more than 500 m from the record's, is off-site. A
/// photo from the camera never is (it was taken in the app, then and there), nor is one
/// whose origin or EXIF is unknown (older records, cameras that write none): nothing says
/// it was taken elsewhere.
pub fn off_site(
    photo: &PhotoRef,
    at: DateTime<Utc>,
    position: Option<&Position>,
) -> Option<OffSite> {
    if photo.source != Some(PhotoSource::Gallery) {
        return None;
    }
    let c = compare(photo, at, position);
    let found = OffSite {
        earlier_by: c.earlier_by.filter(|d| *d > max_earlier()),
        distance_m: c.distance_m.filter(|d| *d > MAX_DISTANCE_M),
    };
    (found.earlier_by.is_some() || found.distance_m.is_some()).then_some(found)
}

/// A length of time as people say it: whole hours under two days, whole days under two
/// months, whole months under a year, then whole years (always rounded down).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Hours(i64),
    Days(i64),
    Months(i64),
    Years(i64),
}

impl Span {
    pub fn of(d: Duration) -> Span {
        let hours = d.num_hours().max(0);
        let days = d.num_days().max(0);
        match days {
            _ if hours < 48 => Span::Hours(hours),
            0..60 => Span::Days(days),
            60..365 => Span::Months(days * 12 / 365),
            _ => Span::Years(days / 365),
        }
    }

    /// "6 年", "3 个月", "5 天", "2 小时".
    pub fn zh(self) -> String {
        match self {
            Span::Hours(n) => format!("{n} 小时"),
            Span::Days(n) => format!("{n} 天"),
            Span::Months(n) => format!("{n} 个月"),
            Span::Years(n) => format!("{n} 年"),
        }
    }
}

/// "2.3 公里" from a kilometre on (one decimal), "800 米" below.
pub fn distance_zh(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{:.1} 公里", metres / 1000.0)
    } else {
        format!("{metres:.0} 米")
    }
}

/// The reasons in Chinese: "拍摄时间早于记录 6 年，距记录位置 2.3 公里".
pub fn reasons_zh(off: &OffSite) -> String {
    let mut reasons = Vec::new();
    if let Some(d) = off.earlier_by {
        reasons.push(format!("拍摄时间早于记录 {}", Span::of(d).zh()));
    }
    if let Some(m) = off.distance_m {
        reasons.push(format!("距记录位置 {}", distance_zh(m)));
    }
    reasons.join("，")
}

impl Record {
    /// Every photo of the record that is off-site, numbered as the ledger counts them (the
    /// finding's photos first, then each visit's, from 1). A visit's photos are held against
    /// the visit's time and position (the record's where the visit has none).
    pub fn off_site_photos(&self) -> Vec<(usize, &PhotoRef, OffSite)> {
        let finding = self
            .photos
            .iter()
            .map(|p| (p, self.created_at, self.position.as_ref()));
        let visits = self.visits.iter().flat_map(|v| {
            let position = v.position.as_ref().or(self.position.as_ref());
            v.photos.iter().map(move |p| (p, v.at, position))
        });
        finding
            .chain(visits)
            .enumerate()
            .filter_map(|(i, (photo, at, position))| {
                off_site(photo, at, position).map(|off| (i + 1, photo, off))
            })
            .collect()
    }
}

/// The record's off-site photos for the ledger, in Chinese, empty when there are none:
/// "第2张照片非现场拍摄：拍摄时间早于记录 6 年，距记录位置 2.3 公里；第3张照片…".
pub fn off_site_note(record: &Record) -> String {
    record
        .off_site_photos()
        .iter()
        .map(|(n, _, off)| format!("第{n}张照片非现场拍摄：{}", reasons_zh(off)))
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Kind;
    use crate::record::Status;
    use crate::visit::Visit;
    use uuid::Uuid;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    /// The record was made at 2026-11-28 06:00 UTC on the river bank.
    fn record() -> Record {
        let mut r = Record::new(
            Kind::SewageOutfall,
            "张三",
            "杨柳村",
            at(2026, 11, 28, 6, 0),
        );
        r.position = Some(Position {
            latitude: 31.25,
            longitude: 107.54,
            accuracy_m: Some(8.0),
            taken_at: at(2026, 11, 28, 6, 0),
            source: Some(crate::record::PositionSource::Gps),
        });
        r
    }

    fn photo(source: Option<PhotoSource>, exif: Option<Exif>) -> PhotoRef {
        PhotoRef {
            id: Uuid::new_v4(),
            bytes: 1000,
            width: 1600,
            height: 1200,
            sha256: "0".repeat(64),
            taken_at: at(2026, 11, 28, 6, 0),
            watermark: None,
            source,
            exif,
        }
    }

    fn exif(taken_at: Option<DateTime<Utc>>, position: Option<(f64, f64)>) -> Option<Exif> {
        Some(Exif {
            taken_at,
            latitude: position.map(|p| p.0),
            longitude: position.map(|p| p.1),
        })
    }

    fn gallery(taken_at: Option<DateTime<Utc>>, position: Option<(f64, f64)>) -> PhotoRef {
        photo(Some(PhotoSource::Gallery), exif(taken_at, position))
    }

    fn check(p: &PhotoRef, r: &Record) -> Option<OffSite> {
        off_site(p, r.created_at, r.position.as_ref())
    }

    #[test]
    fn a_gallery_photo_from_years_ago_is_off_site() {
        let r = record();
        let off = check(&gallery(Some(at(2020, 5, 1, 2, 0)), None), &r).expect("off-site");
        assert!(off.distance_m.is_none());
        assert_eq!(Span::of(off.earlier_by.unwrap()), Span::Years(6));
        assert_eq!(reasons_zh(&off), "拍摄时间早于记录 6 年");
    }

    #[test]
    fn exactly_one_hour_before_is_still_on_site_and_a_second_more_is_not() {
        let r = record();
        let hour_before = r.created_at - Duration::hours(1);
        assert_eq!(check(&gallery(Some(hour_before), None), &r), None);
        let off = check(&gallery(Some(hour_before - Duration::seconds(1)), None), &r);
        assert_eq!(
            off.and_then(|o| o.earlier_by),
            Some(Duration::seconds(3601))
        );
        // Taken after the record was made: on site (added while still there, or later).
        assert_eq!(
            check(&gallery(Some(r.created_at + Duration::days(2)), None), &r),
            None
        );
    }

    #[test]
    fn a_gallery_photo_far_from_the_record_is_off_site() {
        let r = record();
        // About 2.2 km north.
        let off = check(&gallery(None, Some((31.27, 107.54))), &r).expect("off-site");
        assert!(off.earlier_by.is_none());
        assert_eq!(reasons_zh(&off), "距记录位置 2.2 公里");
        // 0.004° of latitude is about 445 m: still here.
        assert_eq!(check(&gallery(None, Some((31.254, 107.54))), &r), None);
        // 0.005° is about 556 m.
        let near = check(&gallery(None, Some((31.255, 107.54))), &r).expect("off-site");
        assert_eq!(distance_zh(near.distance_m.unwrap()), "556 米");
    }

    #[test]
    fn both_reasons_are_given_together() {
        let r = record();
        let p = gallery(Some(at(2020, 5, 1, 2, 0)), Some((39.9042, 116.4074)));
        let off = check(&p, &r).expect("off-site");
        assert!(off.earlier_by.is_some() && off.distance_m.is_some());
        assert!(reasons_zh(&off).starts_with("拍摄时间早于记录 6 年，距记录位置 "));
    }

    #[test]
    fn a_camera_photo_is_never_off_site() {
        let r = record();
        let p = photo(
            Some(PhotoSource::Camera),
            exif(Some(at(2020, 5, 1, 2, 0)), Some((39.9, 116.4))),
        );
        assert_eq!(check(&p, &r), None);
        // The comparison is still there to be shown.
        let c = compare(&p, r.created_at, r.position.as_ref());
        assert!(c.earlier_by.is_some() && c.distance_m.is_some());
    }

    #[test]
    fn without_exif_or_a_known_source_nothing_says_off_site() {
        let r = record();
        assert_eq!(check(&photo(Some(PhotoSource::Gallery), None), &r), None);
        assert_eq!(check(&gallery(None, None), &r), None);
        // An older record's photo: no source.
        let old = photo(None, exif(Some(at(2020, 5, 1, 2, 0)), None));
        assert_eq!(check(&old, &r), None);
        assert_eq!(off_site_note(&r), "");
    }

    #[test]
    fn without_a_record_position_only_the_time_counts() {
        let mut r = record();
        r.position = None;
        assert_eq!(check(&gallery(None, Some((39.9, 116.4))), &r), None);
        let both = gallery(Some(at(2026, 11, 20, 6, 0)), Some((39.9, 116.4)));
        let off = check(&both, &r).expect("off-site by time");
        assert_eq!(off.distance_m, None);
        assert_eq!(reasons_zh(&off), "拍摄时间早于记录 8 天");
    }

    #[test]
    fn a_zero_or_impossible_gps_fix_is_no_position() {
        let r = record();
        assert_eq!(check(&gallery(None, Some((0.0, 0.0))), &r), None);
        assert_eq!(check(&gallery(None, Some((91.0, 107.0))), &r), None);
        assert_eq!(check(&gallery(None, Some((f64::NAN, 107.0))), &r), None);
        let half = Exif {
            taken_at: None,
            latitude: Some(31.0),
            longitude: None,
        };
        assert_eq!(half.position(), None);
        assert!(half.is_empty());
    }

    #[test]
    fn spans_are_rounded_down_to_the_unit_people_use() {
        assert_eq!(Span::of(Duration::minutes(61)), Span::Hours(1));
        assert_eq!(Span::of(Duration::hours(47)), Span::Hours(47));
        assert_eq!(Span::of(Duration::hours(48)), Span::Days(2));
        assert_eq!(Span::of(Duration::days(59)), Span::Days(59));
        assert_eq!(Span::of(Duration::days(95)), Span::Months(3));
        assert_eq!(Span::of(Duration::days(364)), Span::Months(11));
        assert_eq!(Span::of(Duration::days(365 * 6 + 200)), Span::Years(6));
        assert_eq!(Span::Months(3).zh(), "3 个月");
        assert_eq!(distance_zh(2_345.0), "2.3 公里");
        assert_eq!(distance_zh(999.4), "999 米");
    }

    #[test]
    fn the_ledger_note_numbers_photos_as_the_ledger_counts_them() {
        let mut r = record();
        r.photos = vec![
            photo(Some(PhotoSource::Camera), None),
            gallery(Some(at(2020, 5, 1, 2, 0)), None),
        ];
        // A visit a week later, elsewhere: its own position counts for its photos.
        r.visits.push(Visit {
            id: Uuid::new_v4(),
            at: at(2026, 12, 5, 6, 0),
            author: "李四".into(),
            position: None,
            photos: vec![
                gallery(Some(at(2026, 12, 5, 5, 30)), Some((31.25, 107.54))),
                gallery(Some(at(2026, 12, 5, 5, 30)), Some((31.30, 107.54))),
            ],
            notes: String::new(),
            from: Status::Open,
            to: Status::Rectifying,
            patrol: None,
            review: false,
        });
        let numbers: Vec<usize> = r.off_site_photos().iter().map(|(n, _, _)| *n).collect();
        assert_eq!(numbers, [2, 4]);
        assert_eq!(
            off_site_note(&r),
            "第2张照片非现场拍摄：拍摄时间早于记录 6 年；第4张照片非现场拍摄：距记录位置 5.6 公里"
        );
    }

    #[test]
    fn exif_times_are_read_at_their_offset_or_as_china_time() {
        assert_eq!(
            exif_time([2020, 5, 1], [10, 0, 0], None),
            Some(at(2020, 5, 1, 2, 0))
        );
        assert_eq!(
            exif_time([2020, 5, 1], [10, 0, 0], Some(-5 * 60)),
            Some(at(2020, 5, 1, 15, 0))
        );
        assert_eq!(exif_time([2020, 2, 30], [10, 0, 0], None), None);
        assert_eq!(exif_time([2020, 5, 1], [24, 0, 0], None), None);
        assert_eq!(exif_time([2020, 5, 1], [10, 0, 0], Some(100 * 60)), None);
    }

    #[test]
    fn exif_degrees_take_their_reference() {
        let lat = exif_degrees([31.0, 15.0, 0.0], "N", 90.0).unwrap();
        assert!((lat - 31.25).abs() < 1e-12);
        let lon = exif_degrees([107.0, 32.0, 24.0], "W", 180.0).unwrap();
        assert!((lon + 107.54).abs() < 1e-12);
        assert_eq!(exif_degrees([31.0, 0.0, 0.0], "X", 90.0), None);
        assert_eq!(exif_degrees([91.0, 0.0, 0.0], "N", 90.0), None);
        assert_eq!(exif_degrees([f64::NAN, 0.0, 0.0], "N", 90.0), None);
        assert_eq!(exif_degrees([-1.0, 0.0, 0.0], "N", 90.0), None);
    }

    #[test]
    fn exif_facts_are_stored_only_where_known_and_read_back() {
        let e = Exif {
            taken_at: Some(at(2020, 5, 1, 2, 0)),
            latitude: Some(31.25),
            longitude: Some(107.54),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"taken_at": "2020-05-01T02:00:00Z", "latitude": 31.25, "longitude": 107.54})
        );
        assert_eq!(serde_json::from_value::<Exif>(json).unwrap(), e);
        assert_eq!(
            serde_json::to_value(Exif::default()).unwrap(),
            serde_json::json!({})
        );
        assert_eq!(
            serde_json::to_value(PhotoSource::Gallery).unwrap(),
            serde_json::json!("gallery")
        );
    }
}
