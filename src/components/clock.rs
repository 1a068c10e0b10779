//! The time now as a signal, for ages and durations on screen (position, patrol bar).

use leptos::prelude::*;

/// The time now, moving on once a second while the calling component lives (for ages and
/// durations on screen).
pub fn ticking_now() -> RwSignal<chrono::DateTime<chrono::Utc>> {
    let now = RwSignal::new(chrono::Utc::now());
    if let Ok(handle) = set_interval_with_handle(
        move || {
            now.try_set(chrono::Utc::now());
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    now
}
