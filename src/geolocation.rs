//! The phone's position, watched while a component lives: a thin adapter over leptos-use's
//! `use_geolocation` that speaks the domain's [`Position`] and a closed set of errors.
//!
//! ```ignore
//! let UsePositionReturn { fix, error, restart } = use_position();
//! ```
//!
//! The watch starts when the hook is called and stops when the calling component is cleaned up.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_use::{UseGeolocationOptions, UseGeolocationReturn, use_geolocation_with_options};
use patrol_core::{Position, PositionSource};

/// Why there is no (new) fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionError {
    /// The user (or the browser, e.g. on a page that is not HTTPS) refused the position.
    PermissionDenied,
    /// The device could not work out a position (no satellites, no network).
    Unavailable,
    /// No fix arrived within the timeout; the watch goes on trying.
    Timeout,
    /// This browser has no Geolocation API.
    NotSupported,
}

impl PositionError {
    /// From a `GeolocationPositionError.code` (1 denied, 2 unavailable, 3 timeout).
    pub fn from_code(code: u16) -> PositionError {
        match code {
            1 => PositionError::PermissionDenied,
            3 => PositionError::Timeout,
            _ => PositionError::Unavailable,
        }
    }
}

/// How the position is watched; see [`use_position_with_options`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsePositionOptions {
    /// Ask for the GPS rather than a quick network guess. Default `true`.
    pub enable_high_accuracy: bool,
    /// Oldest cached fix the browser may hand back, in milliseconds. Default 5 000.
    pub maximum_age_ms: u32,
    /// How long one attempt may take before a [`PositionError::Timeout`] is reported, in
    /// milliseconds; the watch keeps trying after it. Default 30 000 (a cold GPS is slow).
    pub timeout_ms: u32,
}

impl Default for UsePositionOptions {
    fn default() -> Self {
        UsePositionOptions {
            enable_high_accuracy: true,
            maximum_age_ms: 5_000,
            timeout_ms: 30_000,
        }
    }
}

/// What [`use_position`] returns. Every field is `Copy`.
#[derive(Clone, Copy)]
pub struct UsePositionReturn {
    /// The latest fix, with its accuracy radius and the time the device took it. Kept when a
    /// later attempt fails, so its age tells how stale it is.
    pub fix: Signal<Option<Position>>,
    /// The latest error, cleared by the next fix (and by `restart`).
    pub error: Signal<Option<PositionError>>,
    /// Stops the watch and starts it again, e.g. after the user allowed the position in the
    /// browser's settings.
    pub restart: Callback<()>,
}

/// Watches the position with high accuracy while the calling component lives.
pub fn use_position() -> UsePositionReturn {
    use_position_with_options(UsePositionOptions::default())
}

/// [`use_position`] with other options.
pub fn use_position_with_options(options: UsePositionOptions) -> UsePositionReturn {
    let error = RwSignal::new(None::<PositionError>);
    if !supported() {
        error.set(Some(PositionError::NotSupported));
        return UsePositionReturn {
            fix: Signal::stored(None),
            error: error.into(),
            restart: Callback::new(|()| {}),
        };
    }
    let UseGeolocationReturn {
        coords,
        located_at,
        error: raw_error,
        resume,
        pause,
    } = use_geolocation_with_options(
        UseGeolocationOptions::default()
            .immediate(true)
            .enable_high_accuracy(options.enable_high_accuracy)
            .maximum_age(options.maximum_age_ms)
            .timeout(options.timeout_ms),
    );
    let fix = Memo::new(move |_| {
        let taken_at = located_at
            .get()
            .and_then(|ms| DateTime::from_timestamp_millis(ms as i64))
            .unwrap_or_else(Utc::now);
        coords.with(|c| {
            c.as_ref().map(|c| Position {
                latitude: c.latitude(),
                longitude: c.longitude(),
                accuracy_m: Some(c.accuracy()),
                taken_at,
                source: Some(PositionSource::Gps),
            })
        })
    });
    // leptos-use notifies on every report, even a repeated one, so after a restart's own
    // clearing the next report shows again; only a change notifies our readers.
    Effect::new(move |_| {
        let latest = raw_error.with(|e| e.as_ref().map(|e| PositionError::from_code(e.code())));
        if error.get_untracked() != latest {
            error.set(latest);
        }
    });
    let restart = Callback::new(move |()| {
        pause();
        error.set(None);
        resume();
    });
    UsePositionReturn {
        fix: fix.into(),
        error: error.into(),
        restart,
    }
}

/// Whether `navigator.geolocation` exists at all.
fn supported() -> bool {
    let navigator = window().navigator();
    js_sys::Reflect::has(&navigator, &wasm_bindgen::JsValue::from_str("geolocation"))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_the_three_kinds() {
        assert_eq!(PositionError::from_code(1), PositionError::PermissionDenied);
        assert_eq!(PositionError::from_code(2), PositionError::Unavailable);
        assert_eq!(PositionError::from_code(3), PositionError::Timeout);
        assert_eq!(PositionError::from_code(0), PositionError::Unavailable);
    }
}
