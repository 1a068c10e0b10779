//! The bar on every screen while a patrol is under way: the elapsed time, the distance and
//! "end patrol", with the GPS watch that records the track whatever screen is open.

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use patrol_core::patrol::format_duration;
use uuid::Uuid;

use crate::components::clock::ticking_now;
use crate::components::dialog::ConfirmDialog;
use crate::components::fields::save_error_message;
use crate::components::patrol_facts::distance;
use crate::geolocation::PositionError;
use crate::i18n::*;
use crate::label;
use crate::on_demand::{self, on_demand_part};
use crate::state::patrols::{self, Patrols};
use crate::storage::SaveError;
use crate::storage::settings::Settings;
use crate::sync::SyncEngine;
use crate::wake_lock::use_wake_lock;

/// The bar on every screen while a patrol is under way; it also keeps the GPS watch that
/// records the track, so the track grows whatever screen is open.
#[component]
pub fn PatrolBar() -> impl IntoView {
    let patrols = expect_context::<Patrols>();
    let active = Memo::new(move |_| patrols.active_id());
    move || {
        active.get().map(|id| {
            // The track is recorded by the first screen's own code: a bar whose part cannot
            // be downloaded shows a retry button, and the track goes on meanwhile.
            let gps_error = patrols::track(id);
            on_demand::part_view(
                std::sync::Arc::new(move || Box::pin(patrol_bar_part(id, gps_error))),
                ViewFn::from(PatrolBarPlaceholder),
                |retry| view! { <PatrolBarMissing retry /> }.into_any(),
            )
        })
    }
}

/// The bar's outline while its part downloads, the same size, so the page does not jump.
#[component]
fn PatrolBarPlaceholder() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <aside class="patrol-bar" aria-hidden="true">
            <span class="patrol-bar-info">
                <span class="patrol-bar-title">{t!(i18n, patrols.under_way)}</span>
                <span class="patrol-bar-facts">"\u{a0}"</span>
            </span>
            <button type="button" class="patrol-end" disabled tabindex="-1">{t!(i18n, patrols.end)}</button>
        </aside>
    }
}

/// The bar while its part cannot be had (offline before the app was stored): the track is
/// still recorded, and ending the patrol waits for the connection.
#[component]
fn PatrolBarMissing(retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <aside class="patrol-bar" data-testid="patrol-bar-missing" aria-label=move || t_string!(i18n, patrols.under_way)>
            <span class="patrol-bar-info">
                <span class="patrol-bar-title">{t!(i18n, patrols.under_way)}</span>
            </span>
            <button type="button" class="patrol-end" on:click=move |_| retry.run(())>
                {t!(i18n, on_demand.retry)}
            </button>
            <p class="patrol-bar-alert" role="alert">{t!(i18n, patrols.bar_missing)}</p>
        </aside>
    }
}

on_demand_part! {
    /// The bar's view, downloaded when a patrol is under way (src/on_demand.rs).
    fn patrol_bar_part(
        id: Uuid,
        gps_error: Signal<Option<PositionError>>,
    ) -> Result<AnyView, on_demand::PartMissing> {
        Ok(view! { <ActivePatrolBar id gps_error /> }.into_any())
    }
}

#[component]
fn ActivePatrolBar(id: Uuid, gps_error: Signal<Option<PositionError>>) -> impl IntoView {
    let i18n = use_i18n();
    let patrols = expect_context::<Patrols>();
    let navigate = use_navigate();
    let engine = expect_context::<SyncEngine>();
    let now = ticking_now();
    let end_error = RwSignal::new(None::<SaveError>);
    // Ending cannot be undone, so a stray tap only asks.
    let confirming = RwSignal::new(false);
    let patrol = Memo::new(move |_| patrols.get(id));
    // The screen stays on while the patrol is under way: this bar lives exactly that long.
    let settings = expect_context::<RwSignal<Settings>>();
    let keep_screen_on = Signal::derive(move || settings.with(|s| s.keep_screen_on));
    let wake_lock = use_wake_lock(keep_screen_on);
    let elapsed =
        move || patrol.with(|p| p.as_ref().map(|p| format_duration(p.duration_s(now.get()))));
    let length = move || {
        patrol.with(|p| {
            p.as_ref()
                .map(|p| distance(i18n.get_locale(), p.length_m()))
        })
    };
    let end = move |()| {
        confirming.set(false);
        match patrols.end(id, Utc::now()) {
            Ok(_) => {
                // The township sees the ended patrol as soon as there is a connection.
                engine.request();
                navigate(&format!("/patrols/{id}"), Default::default())
            }
            Err(e) => end_error.set(Some(e)),
        }
    };
    view! {
        <aside class="patrol-bar" data-testid="patrol-bar" aria-label=move || t_string!(i18n, patrols.under_way)>
            <A href=format!("/patrols/{id}") attr:class="patrol-bar-info">
                <span class="patrol-bar-title">{t!(i18n, patrols.under_way)}</span>
                <span class="patrol-bar-facts">
                    <span data-testid="patrol-elapsed">{elapsed}</span>
                    " · "
                    <span data-testid="patrol-distance">{length}</span>
                </span>
            </A>
            <button type="button" class="patrol-end" on:click=move |_| confirming.set(true)>
                {t!(i18n, patrols.end)}
            </button>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    id="end-patrol"
                    title=label!(i18n, patrols.end_title)
                    body=label!(i18n, patrols.end_body)
                    confirm=label!(i18n, patrols.end_yes)
                    cancel=label!(i18n, patrols.keep_going)
                    on_confirm=Callback::new(end.clone())
                    on_cancel=Callback::new(move |()| confirming.set(false))
                />
            </Show>
            {move || {
                let locale = i18n.get_locale();
                let gps = gps_error.get().map(|e| match e {
                    PositionError::PermissionDenied => td_string!(locale, patrols.gps_denied),
                    PositionError::NotSupported => td_string!(locale, position.unsupported),
                    PositionError::Unavailable | PositionError::Timeout => {
                        td_string!(locale, patrols.gps_waiting)
                    }
                }.to_string());
                let stored = patrols.track_error.get().or_else(|| end_error.get()).map(|e| {
                    format!("{} {}", td_string!(locale, patrols.not_saved), save_error_message(locale, &e))
                });
                gps.into_iter()
                    .chain(stored)
                    .map(|m| view! { <p class="patrol-bar-alert" role="alert">{m}</p> })
                    .collect_view()
            }}
            // Where the browser cannot keep the screen on, the officer should know to.
            <Show when=move || keep_screen_on.get() && !wake_lock.supported>
                <p class="patrol-bar-note" data-testid="screen-by-hand">{t!(i18n, patrols.screen_by_hand)}</p>
            </Show>
        </aside>
    }
}
