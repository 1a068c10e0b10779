//! The record form's GPS block: the live fix with its accuracy and age, "use this position"
//! (with a confirmation step for a poor fix), a point placed on the map by hand instead
//! (components/map_picker.rs), and what to do when there is no position. The coordinate inputs
//! themselves belong to the form; this fills them.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use patrol_core::capture::CaptureConfig;
use patrol_core::{Position, PositionSource};

use crate::components::clock::ticking_now;
use crate::components::map_picker::MapPicker;
use crate::geolocation::{PositionError, UsePositionReturn, use_position};
use crate::i18n::*;

/// Decimal places written into the coordinate inputs (10⁻⁶° is about 0.1 m).
const DECIMALS: usize = 6;

/// A coordinate as the form's text input shows it, e.g. "31.251055".
pub fn coordinate_text(degrees: f64) -> String {
    format!("{degrees:.DECIMALS$}")
}

/// A number as typed, read the way the form reads it on save (a comma is a decimal point).
fn typed(text: &str) -> Option<f64> {
    text.trim().replace([',', '，'], ".").parse().ok()
}

/// `fix` with its coordinates as the inputs will hold them, so the form's "typed text still
/// equals the fix" test holds, and the texts to put in the inputs.
fn as_typed(fix: &Position) -> (String, String, Position) {
    let (lat, lon) = (
        coordinate_text(fix.latitude),
        coordinate_text(fix.longitude),
    );
    let rounded = Position {
        latitude: typed(&lat).unwrap_or(fix.latitude),
        longitude: typed(&lon).unwrap_or(fix.longitude),
        ..fix.clone()
    };
    (lat, lon, rounded)
}

/// Whether the inputs still hold `fix`'s coordinates (the same tolerance as the form's save).
fn inputs_hold(fix: &Position, latitude: &str, longitude: &str) -> bool {
    let near = |text: &str, value: f64| typed(text).is_some_and(|t| (t - value).abs() < 1e-7);
    near(latitude, fix.latitude) && near(longitude, fix.longitude)
}

/// Whole metres of an accuracy radius, for "±12 米"; never "±0".
fn metres(accuracy_m: f64) -> String {
    format!("{:.0}", accuracy_m.max(1.0))
}

fn is_poor(fix: &Position) -> bool {
    CaptureConfig::default().is_poor(fix.accuracy_m.unwrap_or(f64::INFINITY))
}

/// How long ago a fix was taken, in the largest whole unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Age {
    Seconds(i64),
    Minutes(i64),
    Hours(i64),
}

fn age(taken_at: DateTime<Utc>, now: DateTime<Utc>) -> Age {
    // A fix stamped a moment "in the future" (device clock vs. GPS time) is just new.
    let seconds = (now - taken_at).num_seconds().max(0);
    match seconds {
        0..60 => Age::Seconds(seconds),
        60..3600 => Age::Minutes(seconds / 60),
        _ => Age::Hours(seconds / 3600),
    }
}

fn age_text(locale: Locale, age: Age) -> String {
    match age {
        Age::Seconds(count) => td_string!(locale, position.age_seconds, count).to_string(),
        Age::Minutes(count) => td_string!(locale, position.age_minutes, count).to_string(),
        Age::Hours(count) => td_string!(locale, position.age_hours, count).to_string(),
    }
}

fn error_text(locale: Locale, error: PositionError) -> &'static str {
    match error {
        PositionError::PermissionDenied => td_string!(locale, position.denied),
        PositionError::Unavailable => td_string!(locale, position.unavailable),
        PositionError::Timeout => td_string!(locale, position.timeout),
        PositionError::NotSupported => td_string!(locale, position.unsupported),
    }
}

/// The state worth telling a screen-reader user about; changes rarely (not with every fix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Waiting,
    Good,
    Poor,
    Failed,
}

/// One short sentence for the hidden polite live region (problems have their own, visible).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Announcement {
    Found,
    Poor,
    Taken,
    Placed,
}

/// The live GPS fix for the record form's location section. Taking it writes the coordinates
/// (6 decimals) into `latitude` / `longitude` and the taken fix, with its accuracy, into
/// `fix`; a fix worse than [`CaptureConfig::poor_accuracy_m`] asks first. A point placed on
/// the map fills them the same way, into `fix` with no accuracy and marked as placed by hand.
/// The position is watched only while this component is mounted.
#[component]
pub fn PositionField(
    latitude: RwSignal<String>,
    longitude: RwSignal<String>,
    fix: RwSignal<Option<Position>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let UsePositionReturn {
        fix: live,
        error,
        restart,
    } = use_position();

    // The age shown next to the fix moves on once a second.
    let now = ticking_now();

    let reading = Memo::new(move |_| match error.get() {
        Some(_) => Reading::Failed,
        None => match live.with(|f| f.as_ref().map(is_poor)) {
            None => Reading::Waiting,
            Some(false) => Reading::Good,
            Some(true) => Reading::Poor,
        },
    });
    let announcement = RwSignal::new(None::<Announcement>);
    Effect::new(move |_| {
        announcement.set(match reading.get() {
            Reading::Waiting | Reading::Failed => None,
            Reading::Good => Some(Announcement::Found),
            Reading::Poor => Some(Announcement::Poor),
        })
    });

    // The accuracy of the fix the inputs hold, if they hold one taken from the GPS.
    let taken = Memo::new(move |_| {
        fix.with(|f| {
            f.as_ref()
                .filter(|p| latitude.with(|lat| longitude.with(|lon| inputs_hold(p, lat, lon))))
                .and_then(|p| p.accuracy_m)
        })
    });
    // Whether the inputs hold a point placed on the map.
    let placed = Memo::new(move |_| {
        fix.with(|f| {
            f.as_ref().is_some_and(|p| {
                p.source == Some(PositionSource::Map)
                    && latitude.with(|lat| longitude.with(|lon| inputs_hold(p, lat, lon)))
            })
        })
    });
    let picking = RwSignal::new(false);
    let pick_ref = NodeRef::<leptos::html::Button>::new();
    // Back from the map, the keyboard's focus returns to the button that opened it, once the
    // button is there again.
    let refocus = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(button) = pick_ref.get()
            && refocus.get_value()
        {
            refocus.set_value(false);
            let _ = button.focus();
        }
    });
    let back_to_pick = move || refocus.set_value(true);
    let on_pick = Callback::new(move |(lat, lon): (f64, f64)| {
        let (lat, lon, rounded) = as_typed(&Position {
            latitude: lat,
            longitude: lon,
            accuracy_m: None,
            taken_at: Utc::now(),
            source: Some(PositionSource::Map),
        });
        back_to_pick();
        fix.set(Some(rounded));
        latitude.set(lat);
        longitude.set(lon);
        picking.set(false);
        announcement.set(Some(Announcement::Placed));
    });
    let on_cancel = Callback::new(move |()| {
        back_to_pick();
        picking.set(false);
    });
    // The map starts where the inputs are, when they hold a point.
    let typed_point = move || {
        latitude.with_untracked(|lat| longitude.with_untracked(|lon| typed(lat).zip(typed(lon))))
    };

    let confirming = RwSignal::new(None::<Position>);
    let use_ref = NodeRef::<leptos::html::Button>::new();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        // The question appeared: start on the harmless choice, as other confirmations do.
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    let back_to_use = move || {
        if let Some(button) = use_ref.get_untracked() {
            let _ = button.focus();
        }
    };
    let apply = move |p: Position| {
        let (lat, lon, rounded) = as_typed(&p);
        fix.set(Some(rounded));
        latitude.set(lat);
        longitude.set(lon);
        confirming.set(None);
        announcement.set(Some(Announcement::Taken));
    };
    let take = move |_| {
        let Some(p) = live.get_untracked() else {
            return;
        };
        if is_poor(&p) {
            confirming.set(Some(p));
        } else {
            apply(p);
        }
    };
    let confirm = move |_| {
        if let Some(p) = confirming.get_untracked() {
            apply(p);
        }
        back_to_use();
    };
    let cancel = move |_| {
        confirming.set(None);
        back_to_use();
    };

    let reading_line = move || {
        let locale = i18n.get_locale();
        match live.get() {
            None if error.with(Option::is_some) => None,
            None => Some(
                view! {
                    <p class="position-reading waiting">
                        <span class="position-icon" aria-hidden="true">"⌖"</span>
                        {td_string!(locale, position.waiting)}
                    </p>
                }
                .into_any(),
            ),
            Some(p) => {
                let poor = is_poor(&p);
                let accuracy = p
                    .accuracy_m
                    .map(|m| td_string!(locale, position.accuracy, metres = metres(m)).to_string());
                let taken_at = p.taken_at;
                Some(
                    view! {
                        <p class="position-reading" class:poor=poor>
                            <span class="position-icon" aria-hidden="true">
                                {if poor { "⚠" } else { "📍" }}
                            </span>
                            <span class="position-accuracy">{accuracy}</span>
                            {poor.then(|| view! {
                                <span class="position-quality">{td_string!(locale, position.poor)}</span>
                            })}
                            <span class="position-age">
                                {move || age_text(i18n.get_locale(), age(taken_at, now.get()))}
                            </span>
                        </p>
                        <p class="position-coords">
                            {coordinate_text(p.latitude)} ", " {coordinate_text(p.longitude)}
                        </p>
                    }
                    .into_any(),
                )
            }
        }
    };

    let problem = move || {
        error.get().map(|e| {
            let locale = i18n.get_locale();
            let can_retry = e != PositionError::NotSupported;
            view! {
                <div class="position-problem">
                    <p>
                        <span class="position-icon" aria-hidden="true">"⚠"</span>
                        {error_text(locale, e)}
                    </p>
                    <p>{td_string!(locale, position.manual)}</p>
                    {can_retry.then(|| view! {
                        <button type="button" on:click=move |_| restart.run(())>
                            {td_string!(locale, position.retry)}
                        </button>
                    })}
                </div>
            }
        })
    };

    let question = move || {
        confirming.get().map(|p| {
            let m = metres(p.accuracy_m.unwrap_or(f64::INFINITY));
            view! {
                <div class="position-confirm" role="group" aria-labelledby="position-confirm-question">
                    <p id="position-confirm-question">
                        <span class="position-icon" aria-hidden="true">"⚠"</span>
                        {move || t_string!(i18n, position.confirm_poor, metres = m.clone()).to_string()}
                    </p>
                    <div class="position-actions">
                        <button type="button" class="primary" on:click=confirm>
                            {t!(i18n, position.confirm_yes)}
                        </button>
                        <button type="button" node_ref=cancel_ref on:click=cancel>
                            {t!(i18n, position.decline)}
                        </button>
                    </div>
                </div>
            }
        })
    };

    let announce = move || {
        announcement.get().map(|a| {
            let locale = i18n.get_locale();
            match a {
                Announcement::Found => td_string!(locale, position.found),
                Announcement::Poor => td_string!(locale, position.announce_poor),
                Announcement::Taken => td_string!(locale, position.filled),
                Announcement::Placed => td_string!(locale, position.placed_filled),
            }
        })
    };

    view! {
        <div class="position-field" role="group" aria-labelledby="position-title">
            <p class="position-title" id="position-title">{t!(i18n, position.title)}</p>
            {reading_line}
            // Changes only when the kind of problem does, so it is read out once.
            <div class="position-problems" aria-live="polite">{problem}</div>
            <Show when=move || live.with(Option::is_some)>
                <button type="button" class="primary position-use" node_ref=use_ref on:click=take>
                    {move || {
                        if taken.with(Option::is_some) {
                            t_string!(i18n, position.retake)
                        } else {
                            t_string!(i18n, position.use_fix)
                        }
                    }}
                </button>
            </Show>
            {question}
            {move || {
                taken
                    .get()
                    .map(|m| {
                        view! {
                            <p class="position-taken">
                                {move || t_string!(i18n, position.taken, metres = metres(m)).to_string()}
                            </p>
                        }
                    })
            }}
            <Show when=move || placed.get()>
                <p class="position-taken">{t!(i18n, position.placed)}</p>
            </Show>
            <Show when=move || !picking.get()
                fallback=move || view! { <MapPicker start=typed_point() on_pick on_cancel /> }>
                <button type="button" class="secondary position-pick" node_ref=pick_ref
                    on:click=move |_| picking.set(true)>
                    {t!(i18n, position.on_map)}
                </button>
            </Show>
            <p class="position-live" aria-live="polite" aria-atomic="true">{announce}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fix(latitude: f64, longitude: f64, accuracy_m: Option<f64>) -> Position {
        Position {
            latitude,
            longitude,
            accuracy_m,
            taken_at: Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap(),
            source: None,
        }
    }

    #[test]
    fn a_taken_fix_is_written_with_six_decimals_and_matches_its_text() {
        let (lat, lon, rounded) = as_typed(&fix(31.251_055_4, 107.541_572_6, Some(12.0)));
        assert_eq!((lat.as_str(), lon.as_str()), ("31.251055", "107.541573"));
        assert_eq!(rounded.accuracy_m, Some(12.0));
        // The form keeps the fix only while the text parses back to its coordinates.
        assert!(inputs_hold(&rounded, &lat, &lon));
        assert!(inputs_hold(&rounded, " 31,251055 ", "107.541573"));
        assert!(!inputs_hold(&rounded, "31.251056", &lon));
        assert!(!inputs_hold(&rounded, "", &lon));
        assert_eq!(coordinate_text(-0.5), "-0.500000");
    }

    #[test]
    fn accuracy_is_whole_metres() {
        assert_eq!(metres(12.0), "12");
        assert_eq!(metres(12.4), "12");
        assert_eq!(metres(199.6), "200");
        assert_eq!(metres(0.3), "1");
    }

    #[test]
    fn poor_means_worse_than_the_configured_radius() {
        assert!(!is_poor(&fix(31.0, 107.0, Some(12.0))));
        assert!(!is_poor(&fix(31.0, 107.0, Some(50.0))));
        assert!(is_poor(&fix(31.0, 107.0, Some(200.0))));
        assert!(is_poor(&fix(31.0, 107.0, None)));
    }

    #[test]
    fn age_is_told_in_the_largest_whole_unit() {
        let taken = fix(0.0, 0.0, None).taken_at;
        let after = |s| taken + chrono::Duration::seconds(s);
        assert_eq!(age(taken, after(-3)), Age::Seconds(0));
        assert_eq!(age(taken, after(5)), Age::Seconds(5));
        assert_eq!(age(taken, after(59)), Age::Seconds(59));
        assert_eq!(age(taken, after(60)), Age::Minutes(1));
        assert_eq!(age(taken, after(3599)), Age::Minutes(59));
        assert_eq!(age(taken, after(7300)), Age::Hours(2));
    }
}
