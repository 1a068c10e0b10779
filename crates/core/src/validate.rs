//! Checks a record before it is saved and reports every problem at once.
//!
//! [`validate`] never stops at the first problem: the form shows each message next to its
//! input, so it gets all of them, in the order the fields appear on the form. Lengths are
//! counted in characters (`char`s) after trimming, so "杨柳村" is 3 long.

use chrono::{Days, NaiveDate};

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
    /// A follow-up visit stored with the record (notes too long, position out of range).
    pub const VISITS: &str = "visits";

    /// Every field name above, in the order [`validate`](super::validate) reports them.
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

/// Every problem with `record`, in form order (common fields first, then the kind's fields).
/// An empty list means the record may be saved. Never panics.
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
        v.check(
            field::DEADLINE,
            deadline >= found,
            Problem::DeadlineBeforeFound,
        );
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
                    not_after_next_day(tested, found),
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
