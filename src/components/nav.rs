//! The bottom navigation between the main screens, under every screen.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;

/// Records, new record, the map, statistics, patrols and settings, one tap away.
#[component]
pub fn BottomNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="bottom-nav" aria-label=move || t_string!(i18n, nav.label)>
            <A href="/" exact=true>
                <span class="nav-icon" aria-hidden="true">"📋"</span>
                <span>{t!(i18n, nav.records)}</span>
            </A>
            <A href="/new">
                <span class="nav-icon" aria-hidden="true">"➕"</span>
                <span>{t!(i18n, nav.new)}</span>
            </A>
            <A href="/map">
                <span class="nav-icon" aria-hidden="true">"🗺️"</span>
                <span>{t!(i18n, nav.map)}</span>
            </A>
            <A href="/stats">
                <span class="nav-icon" aria-hidden="true">"📊"</span>
                <span>{t!(i18n, nav.stats)}</span>
            </A>
            <A href="/patrols">
                <span class="nav-icon" aria-hidden="true">"🚶"</span>
                <span>{t!(i18n, nav.patrols)}</span>
            </A>
            <A href="/settings">
                <span class="nav-icon" aria-hidden="true">"⚙️"</span>
                <span>{t!(i18n, nav.settings)}</span>
            </A>
        </nav>
    }
}
