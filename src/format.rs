//! Dates and times in the user's locale, through the browser's own Intl (no formatting tables
//! compiled into the wasm).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

use leptos_i18n::Locale as _;

use crate::i18n::Locale;

fn options(pairs: &[(&str, &str)]) -> Object {
    let opts = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    opts
}

/// "2026年11月28日 14:05" / "Nov 28, 2026, 2:05 PM", in the phone's time zone.
pub fn date_time(locale: Locale, at: DateTime<Utc>) -> String {
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    date.to_locale_string(
        locale.as_str(),
        &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
    )
    .into()
}

/// "2026年12月6日 11:23:45" / "Dec 6, 2026, 11:23:45 AM": to the second, for evidence such as
/// when the township received a photo.
pub fn date_time_seconds(locale: Locale, at: DateTime<Utc>) -> String {
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    date.to_locale_string(
        locale.as_str(),
        &options(&[("dateStyle", "medium"), ("timeStyle", "medium")]),
    )
    .into()
}

/// "14:05" / "2:05 PM": a time later today, in the phone's time zone.
pub fn time(locale: Locale, at: DateTime<Utc>) -> String {
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    date.to_locale_time_string_with_options(locale.as_str(), &options(&[("timeStyle", "short")]))
        .into()
}

/// A calendar date such as a deadline, which has no time zone.
pub fn date(locale: Locale, day: NaiveDate) -> String {
    let ms = Date::utc(day.year() as f64, day.month0() as f64);
    let date = Date::new(&JsValue::from_f64(ms + (day.day0() as f64) * 86_400_000.0));
    date.to_locale_date_string(
        locale.as_str(),
        &options(&[("dateStyle", "medium"), ("timeZone", "UTC")]),
    )
    .into()
}

/// `value` with exactly `digits` decimals, as the locale writes numbers ("1,234.5" in both of
/// the app's languages), through the browser's Intl: Rust's float formatting would otherwise
/// be compiled into the first screen's wasm for this alone.
pub fn decimal(locale: Locale, value: f64, digits: u32) -> String {
    // Zero without a sign: a patrol that has not moved yet is "0 米", not "-0 米" (a sum of
    // no f64s is -0.0, and Intl writes its sign).
    let value = value + 0.0;
    let options = Object::new();
    let _ = Reflect::set(&options, &"minimumFractionDigits".into(), &digits.into());
    let _ = Reflect::set(&options, &"maximumFractionDigits".into(), &digits.into());
    let locales = js_sys::Array::of1(&locale.as_str().into());
    js_sys::Intl::NumberFormat::new(&locales, &options)
        .format()
        .call1(&JsValue::UNDEFINED, &value.into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| plain_decimal(value, digits))
}

/// `value` with `digits` decimals, written with integer formatting only: the fallback for a
/// browser without Intl.
pub fn plain_decimal(value: f64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let scaled = (value * scale as f64).round() as i64;
    let (whole, fraction) = (scaled / scale, (scaled % scale).abs());
    let sign = if scaled < 0 && whole == 0 { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction:0width$}", width = digits as usize)
    }
}

/// Today's date on the phone's own clock and time zone (deadlines are local days).
pub fn today() -> NaiveDate {
    let now = Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}
