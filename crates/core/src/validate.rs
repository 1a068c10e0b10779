//! Checks a record before it is saved and reports every problem at once.
//!
//! [`validate`] never stops at the first problem: the form shows each message next to its
//! input, so it gets all of them, in the order the fields appear on the form. Lengths are
//! counted in characters (`char`s) after trimming, so "杨柳村" is 3 long.
//!
//! Dates and times have bounds too: no sane record has a deadline in year 9999, and a record
//! stamped in year 9999 would sit on top of every phone's "newest" list. The dates a user
//! types are checked by [`validate`]; the instants a clock stamped need the checker's own
//! clock and are checked by [`check_times`] (the server's clock on a push).

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};

use crate::kinds::Details;
use crate::record::{Position, Record, Responsibility};

/// Names of the form fields an error can be attached to. The UI uses exactly these strings
/// (as input ids / error anchors), so they are part of the contract.
pub mod field {
    pub const TITLE: &str = "title";
    pub const VILLAGE: &str = "village";
    pub const PLACE: &str = "place";
    pub const NOTES: &str = "notes";
    pub const LATITUDE: &str = "latitude";
    pub const LONGITUDE: &str = "longitude";
    pub const ACCURACY: &str = "accuracy";
    pub const LEADER: &str = "leader";
    pub const DEPARTMENT: &str = "department";
    pub const PERSON: &str = "person";
    pub const PHONE: &str = "phone";
    pub const DEADLINE: &str = "deadline";
    // Kind fields.
    pub const RECEIVING_RIVER: &str = "receiving_river";
    pub const FARM_NAME: &str = "farm_name";
    pub const OWNER: &str = "owner";
    pub const HEAD_COUNT: &str = "head_count";
    pub const PLANT_NAME: &str = "plant_name";
    pub const ROAD_SECTION: &str = "road_section";
    pub const VOLUME: &str = "volume";
    pub const SOURCE_NAME: &str = "source_name";
    pub const LAST_TESTED: &str = "last_tested";
    /// A follow-up visit stored with the record (notes too long, position out of range, a
    /// time out of range).
    pub const VISITS: &str = "visits";
    /// The record's revision (above [`MAX_REVISION`](super::MAX_REVISION)).
    pub const REVISION: &str = "revision";
    // Instants stamped by a clock, checked by [`check_times`](super::check_times).
    pub const CREATED_AT: &str = "created_at";
    pub const UPDATED_AT: &str = "updated_at";
    /// When the record's position was taken (`position.taken_at`).
    pub const POSITION_TAKEN_AT: &str = "position_taken_at";

    /// Every field name above: first those [`validate`](super::validate) reports, in its
    /// order, then those only [`check_times`](super::check_times) reports.
    pub const ALL: &[&str] = &[
        TITLE,
        VILLAGE,
        PLACE,
        NOTES,
        LATITUDE,
        LONGITUDE,
        ACCURACY,
        LEADER,
        DEPARTMENT,
        PERSON,
        PHONE,
        DEADLINE,
        RECEIVING_RIVER,
        FARM_NAME,
        OWNER,
        HEAD_COUNT,
        PLANT_NAME,
        ROAD_SECTION,
        VOLUME,
        SOURCE_NAME,
        LAST_TESTED,
        VISITS,
        REVISION,
        CREATED_AT,
        UPDATED_AT,
        POSITION_TAKEN_AT,
    ];
}

// Length limits, in characters after trimming. Handy for an input's `maxlength` (which counts
// UTF-16 units, so it is never looser than these for Chinese text).
pub const MAX_TITLE: usize = 100;
pub const MAX_VILLAGE: usize = 40;
pub const MAX_PLACE: usize = 200;
pub const MAX_NOTES: usize = 4000;
pub const MAX_LEADER: usize = 50;
pub const MAX_DEPARTMENT: usize = 50;
pub const MAX_PERSON: usize = 50;
pub const MAX_RECEIVING_RIVER: usize = 50;
pub const MAX_FARM_NAME: usize = 50;
pub const MAX_OWNER: usize = 50;
pub const MAX_PLANT_NAME: usize = 50;
pub const MAX_ROAD_SECTION: usize = 100;
pub const MAX_SOURCE_NAME: usize = 50;

/// Fewest and most digits a phone number may have (any `+`, spaces and dashes not counted).
pub const MIN_PHONE_DIGITS: usize = 5;
pub const MAX_PHONE_DIGITS: usize = 20;
/// Largest head count a farm may have.
pub const MAX_HEAD_COUNT: u32 = 1_000_000;
/// Largest spoil volume in cubic metres (the smallest must be more than 0).
pub const MAX_VOLUME_M3: f64 = 10_000_000.0;

/// Largest revision a record or patrol may carry. A phone adds one per save, so no phone
/// gets near it; it stays far enough below `u32::MAX` that adding one to an accepted revision
/// can never overflow (the increments saturate besides).
pub const MAX_REVISION: u32 = 1_000_000_000;

/// Earliest date a user may type (a deadline, a last test) and earliest day of any instant
/// stamped in a record or patrol. There were no village river patrols to record before it,
/// and a phone whose clock reset (to 1970) stamps times before it.
pub const EARLIEST_DATE: NaiveDate = ymd(2000, 1, 1);
/// Latest date a user may type: a deadline further away is a typing mistake (year 9999).
pub const LATEST_DATE: NaiveDate = ymd(2100, 12, 31);
/// [`EARLIEST_DATE`] at midnight UTC: 2000-01-01T00:00:00Z.
pub const EARLIEST_TIME: DateTime<Utc> = match EARLIEST_DATE.and_hms_opt(0, 0, 0) {
    Some(midnight) => midnight.and_utc(),
    None => panic!("midnight exists"),
};
/// How far past the checker's clock a stamped instant may be: a phone whose clock runs a
/// little fast is still believed; a record from next year is not.
pub const CLOCK_GRACE: TimeDelta = TimeDelta::days(1);

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("a calendar date"),
    }
}

/// A typed date within [`EARLIEST_DATE`]..=[`LATEST_DATE`].
pub fn date_in_range(date: NaiveDate) -> bool {
    (EARLIEST_DATE..=LATEST_DATE).contains(&date)
}

/// An instant stamped by a clock is neither before [`EARLIEST_TIME`] nor more than
/// [`CLOCK_GRACE`] after `now` (the checker's clock).
pub fn time_in_range(time: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    time >= EARLIEST_TIME
        && now
            .checked_add_signed(CLOCK_GRACE)
            .is_none_or(|latest| time <= latest)
}

/// Whether `now`, read from a device's clock, can stamp a save: not before [`EARLIEST_TIME`].
/// A cheap phone whose clock reset to 1970 would otherwise save records the server refuses.
pub fn clock_is_plausible(now: DateTime<Utc>) -> bool {
    now >= EARLIEST_TIME
}

/// `time`, or `now` if `time` is out of range ([`time_in_range`]): for a stamp a wrong clock
/// put into something not saved yet (a form opened while the clock was wrong, set right since).
pub fn or_now(time: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    if time_in_range(time, now) { time } else { now }
}

/// The length limit of a text field, for the UI's `maxlength`; `None` for fields that are not
/// length-limited text.
pub fn max_len(field_name: &str) -> Option<usize> {
    Some(match field_name {
        field::TITLE => MAX_TITLE,
        field::VILLAGE => MAX_VILLAGE,
        field::PLACE => MAX_PLACE,
        field::NOTES => MAX_NOTES,
        field::LEADER => MAX_LEADER,
        field::DEPARTMENT => MAX_DEPARTMENT,
        field::PERSON => MAX_PERSON,
        field::RECEIVING_RIVER => MAX_RECEIVING_RIVER,
        field::FARM_NAME => MAX_FARM_NAME,
        field::OWNER => MAX_OWNER,
        field::PLANT_NAME => MAX_PLANT_NAME,
        field::ROAD_SECTION => MAX_ROAD_SECTION,
        field::SOURCE_NAME => MAX_SOURCE_NAME,
        _ => return None,
    })
}

/// One problem with one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// One of the names in [`field`].
    pub field: &'static str,
    pub problem: Problem,
}

/// What is wrong with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty (or only spaces) but must be filled in.
    Required,
    /// More than `max` characters.
    TooLong { max: usize },
    /// A number or date outside what the field allows.
    OutOfRange,
    /// Not a phone number: optional leading `+`, then digits, spaces and dashes, with
    /// [`MIN_PHONE_DIGITS`]..=[`MAX_PHONE_DIGITS`] digits.
    InvalidPhone,
    /// The deadline is before the day the problem was found.
    DeadlineBeforeFound,
}

impl Problem {
    /// The i18n message key for this problem.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::OutOfRange => "out_of_range",
            Problem::InvalidPhone => "invalid_phone",
            Problem::DeadlineBeforeFound => "deadline_before_found",
        }
    }
}

/// Every problem with `record`, in form order (common fields first, then the kind's fields,
/// its visits and its revision). An empty list, and none from [`check_times`], means the
/// record may be saved. Never panics.
pub fn validate(record: &Record) -> Vec<FieldError> {
    let mut v = Errors(Vec::new());
    let is_other = matches!(record.details, Details::Other);

    if is_other {
        v.required(field::TITLE, &record.title, MAX_TITLE);
    } else {
        v.max_len(field::TITLE, &record.title, MAX_TITLE);
    }
    v.required(field::VILLAGE, &record.village, MAX_VILLAGE);
    v.max_len(field::PLACE, &record.place, MAX_PLACE);
    v.max_len(field::NOTES, &record.notes, MAX_NOTES);

    if let Some(position) = &record.position {
        v.0.extend(check_position(position));
    }
    let Responsibility {
        leader,
        department,
        person,
        phone,
    } = &record.responsibility;
    v.max_len(field::LEADER, leader, MAX_LEADER);
    v.max_len(field::DEPARTMENT, department, MAX_DEPARTMENT);
    v.max_len(field::PERSON, person, MAX_PERSON);
    let phone = phone.trim();
    if !phone.is_empty() {
        v.check(field::PHONE, is_phone(phone), Problem::InvalidPhone);
    }

    let found = record.created_at.date_naive();
    if let Some(deadline) = record.deadline {
        // One problem for the field: a deadline in year 1 is out of range, not "before found".
        if date_in_range(deadline) {
            v.check(
                field::DEADLINE,
                deadline >= found,
                Problem::DeadlineBeforeFound,
            );
        } else {
            v.check(field::DEADLINE, false, Problem::OutOfRange);
        }
    }

    match &record.details {
        Details::SewageOutfall(o) => {
            v.max_len(
                field::RECEIVING_RIVER,
                &o.receiving_river,
                MAX_RECEIVING_RIVER,
            );
        }
        Details::LivestockFarm(f) => {
            v.max_len(field::FARM_NAME, &f.name, MAX_FARM_NAME);
            v.max_len(field::OWNER, &f.owner, MAX_OWNER);
            if let Some(n) = f.head_count {
                v.check(field::HEAD_COUNT, n <= MAX_HEAD_COUNT, Problem::OutOfRange);
            }
        }
        Details::StonePlant(p) => {
            v.max_len(field::PLANT_NAME, &p.name, MAX_PLANT_NAME);
        }
        Details::SpoilHeap(s) => {
            v.max_len(field::ROAD_SECTION, &s.road_section, MAX_ROAD_SECTION);
            if let Some(m3) = s.volume_m3 {
                v.check(
                    field::VOLUME,
                    m3.is_finite() && m3 > 0.0 && m3 <= MAX_VOLUME_M3,
                    Problem::OutOfRange,
                );
            }
        }
        Details::WaterQuality(w) => {
            v.max_len(field::SOURCE_NAME, &w.source_name, MAX_SOURCE_NAME);
            if let Some(tested) = w.last_tested {
                v.check(
                    field::LAST_TESTED,
                    date_in_range(tested) && not_after_next_day(tested, found),
                    Problem::OutOfRange,
                );
            }
        }
        Details::Signage(_) | Details::LitterPoint(_) | Details::Other => {}
    }

    for visit in &record.visits {
        let follow_up = crate::visit::FollowUp {
            to: visit.to,
            notes: visit.notes.clone(),
            position: visit.position.clone(),
            ..Default::default()
        };
        for problem in crate::visit::validate_follow_up(&follow_up) {
            v.check(field::VISITS, false, problem.problem);
        }
    }

    v.check(
        field::REVISION,
        record.revision <= MAX_REVISION,
        Problem::OutOfRange,
    );
    v.0
}

/// Every instant in `record` that a clock stamped and that is out of range against `now`
/// ([`time_in_range`]): when found, when last changed, when its position was taken, and its
/// visits' times (and their positions'), each as [`Problem::OutOfRange`] on its field. The
/// server checks a pushed record against its own clock; the app, before a save, that its
/// phone's clock can stamp one ([`clock_is_plausible`]). Never panics, whatever `now` is.
pub fn check_times(record: &Record, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut v = Errors(Vec::new());
    let ok = |time| time_in_range(time, now);
    v.check(
        field::CREATED_AT,
        ok(record.created_at),
        Problem::OutOfRange,
    );
    v.check(
        field::UPDATED_AT,
        ok(record.updated_at),
        Problem::OutOfRange,
    );
    if let Some(position) = &record.position {
        v.check(
            field::POSITION_TAKEN_AT,
            ok(position.taken_at),
            Problem::OutOfRange,
        );
    }
    let visits_ok = record
        .visits
        .iter()
        .all(|visit| ok(visit.at) && visit.position.as_ref().is_none_or(|p| ok(p.taken_at)));
    v.check(field::VISITS, visits_ok, Problem::OutOfRange);
    v.0
}

/// Problems with a GPS fix: latitude, longitude and accuracy in range.
pub(crate) fn check_position(position: &Position) -> Vec<FieldError> {
    let mut v = Errors(Vec::new());
    let Position {
        latitude,
        longitude,
        accuracy_m,
        ..
    } = *position;
    v.check(
        field::LATITUDE,
        latitude.is_finite() && (-90.0..=90.0).contains(&latitude),
        Problem::OutOfRange,
    );
    v.check(
        field::LONGITUDE,
        longitude.is_finite() && (-180.0..=180.0).contains(&longitude),
        Problem::OutOfRange,
    );
    if let Some(acc) = accuracy_m {
        v.check(
            field::ACCURACY,
            acc.is_finite() && acc >= 0.0,
            Problem::OutOfRange,
        );
    }
    v.0
}

/// `date` is no later than the day after `found` (a day's grace for time zones: `found` is
/// the UTC date, the user types a local one).
fn not_after_next_day(date: NaiveDate, found: NaiveDate) -> bool {
    match found.checked_add_days(Days::new(1)) {
        Some(limit) => date <= limit,
        // `found` is the last representable day; nothing can be later than the day after it.
        None => true,
    }
}

/// Optional leading `+`, then only ASCII digits, spaces and `-`, with 5..=20 digits.
fn is_phone(s: &str) -> bool {
    let rest = s.strip_prefix('+').unwrap_or(s);
    let mut digits = 0;
    for c in rest.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '-' => {}
            _ => return false,
        }
    }
    (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits)
}

fn char_len(s: &str) -> usize {
    s.trim().chars().count()
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn check(&mut self, field: &'static str, ok: bool, problem: Problem) {
        if !ok {
            self.0.push(FieldError { field, problem });
        }
    }

    fn max_len(&mut self, field: &'static str, value: &str, max: usize) {
        self.check(field, char_len(value) <= max, Problem::TooLong { max });
    }

    /// Non-empty after trimming, and at most `max` long.
    fn required(&mut self, field: &'static str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.0.push(FieldError {
                field,
                problem: Problem::Required,
            });
        } else {
            self.max_len(field, value, max);
        }
    }
}
