//! The filter over the problems that the list and the map share: one for the app's life, so a
//! village or status chosen on the list holds on the map and back (as Field Maps keeps a
//! layer's filter between its list and its map).
//!
//! Made on first use rather than provided by the app shell, so the first screen's code does not
//! carry it: only the list's rows and the map, both downloaded on demand, reach it.

use leptos::prelude::*;
use patrol_core::filter::Filter;

thread_local! {
    // Reference-counted rather than owned by a component: it outlives every screen.
    static SHARED: ArcRwSignal<Filter> = ArcRwSignal::new(Filter::default());
}

/// The shared filter, as a signal owned by the calling component (the filter itself lives on).
pub fn shared() -> RwSignal<Filter> {
    SHARED.with(|filter| RwSignal::from(filter.clone()))
}
