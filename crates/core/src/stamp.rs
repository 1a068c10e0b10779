//! Times and dates as stored and sent: RFC 3339 for instants (`2026-11-28T01:30:00Z`, as
//! chrono writes them) and `YYYY-MM-DD` for calendar dates. Used through `#[serde(with)]`.
//!
//! Written out as chrono does; read back by chrono's RFC 3339 parser and by hand for dates,
//! rather than by chrono's `FromStr`, whose general format parser (with RFC 2822 and the
//! rest) would otherwise be the first thing the app downloads to read the ledger. Both read
//! everything this app and its server have ever written.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant: `2026-11-28T01:30:00Z`, `2026-11-28T09:30:00.250+08:00`; a space or a
/// lower-case `t` between date and time, and a lower-case `z`, are read too.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Ok(t.with_timezone(&Utc)),
        Err(strict) => {
            let relaxed: String = text
                .char_indices()
                .map(|(i, c)| match c {
                    ' ' | 't' if i == 10 => 'T',
                    'z' if i == text.len() - 1 => 'Z',
                    _ => c,
                })
                .collect();
            DateTime::parse_from_rfc3339(&relaxed)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| strict)
        }
    }
}

/// A calendar date: `2026-06-30`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// `#[serde(with = "crate::stamp::instant")]` on a `DateTime<Utc>`.
pub mod instant {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse_instant(&text).map_err(D::Error::custom)
    }
}

/// `#[serde(default, with = "crate::stamp::instant_option")]` on an `Option<DateTime<Utc>>`.
pub mod instant_option {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| parse_instant(&text).map_err(D::Error::custom))
            .transpose()
    }
}

/// `#[serde(default, with = "crate::stamp::date_option")]` on an `Option<NaiveDate>`.
pub mod date_option {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        d.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                parse_date(&text)
                    .ok_or_else(|| D::Error::custom(format!("not a date (YYYY-MM-DD): {text}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_read_back_as_chrono_writes_them() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 1, 30, 0).unwrap();
        let with_ms = t + chrono::Duration::milliseconds(250);
        for t in [t, with_ms] {
            let written = serde_json::to_value(t).unwrap();
            assert_eq!(parse_instant(written.as_str().unwrap()), Ok(t));
        }
    }

    #[test]
    fn instants_accept_offsets_and_the_relaxed_spellings() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 1, 30, 0).unwrap();
        for text in [
            "2026-11-28T01:30:00Z",
            "2026-11-28T09:30:00+08:00",
            "2026-11-28 01:30:00Z",
            "2026-11-28t01:30:00z",
            "2026-11-28T01:30:00+00:00",
        ] {
            assert_eq!(parse_instant(text), Ok(t), "{text}");
        }
        for text in ["", "2026-11-28", "2026-11-28T25:00:00Z", "yesterday"] {
            assert!(parse_instant(text).is_err(), "{text}");
        }
    }

    #[test]
    fn instants_read_as_chrono_reads_them() {
        for text in [
            "2026-11-28T01:30:00Z",
            "2026-11-28T01:30:00.123456789Z",
            "2026-02-29T00:00:00Z",
            "2028-02-29T23:59:60Z",
            "2026-11-28 09:30:00+08:00",
            "not a time",
        ] {
            assert_eq!(
                parse_instant(text).ok(),
                text.parse::<DateTime<Utc>>().ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn dates_are_year_month_day() {
        assert_eq!(
            parse_date("2026-06-30"),
            NaiveDate::from_ymd_opt(2026, 6, 30)
        );
        for text in [
            "2026-02-30",
            "2026-6-30",
            "26-06-30",
            "2026/06/30",
            "2026-06-30x",
            "",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let written = serde_json::to_value(d).unwrap();
        assert_eq!(parse_date(written.as_str().unwrap()), Some(d));
    }
}
