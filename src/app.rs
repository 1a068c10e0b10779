//! The app shell: providers, routes and the bottom navigation.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::i18n::*;
use crate::ledger::Ledger;
use crate::on_demand::on_demand_screen;
use crate::pages::patrols::{PatrolBar, PatrolDetail, PatrolsPage};
use crate::pages::{
    connect::ConnectPage, detail::RecordDetail, follow_up::FollowUpPage, form::EditRecord,
    form::NewRecord, import::ImportPage, list::RecordList, new::KindPicker, not_found::NotFound,
    settings::SettingsPage, stats::StatsPage,
};
use crate::patrols::Patrols;
use crate::settings::Settings;
use crate::stored::Stored;
use crate::sync::SyncEngine;

/// A short confirmation, announced to screen readers and shown at the top for a few seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Deleted,
    SettingsSaved,
    Connected,
}

/// Shows a notice, replacing any earlier one.
pub fn announce(notice: Notice) {
    if let Some(signal) = use_context::<RwSignal<Option<Notice>>>() {
        signal.set(Some(notice));
        set_timeout(
            move || signal.update(|n| *n = n.filter(|n| *n != notice)),
            std::time::Duration::from_secs(4),
        );
    }
}

/// The app over what the phone held at start (`stored`, read by src/stored.rs).
#[component]
pub fn App(stored: Stored) -> impl IntoView {
    let Stored {
        ledger,
        patrols,
        settings,
        sync,
    } = stored;
    let ledger = Ledger::new(ledger);
    provide_context(ledger);
    let patrols = Patrols::new(patrols);
    provide_context(patrols);
    let settings = RwSignal::new(settings);
    provide_context(settings);
    provide_context(RwSignal::new(None::<Notice>));
    let engine = SyncEngine::new(ledger, patrols, settings, sync);
    provide_context(engine);
    // Started with the app rather than from a part after the first screen: measured, such a
    // part pulled some twenty shared chunks right after the first paint, and its start-up
    // cost the cold load more time than its 7.6 KB saved (docs/benchmarks.md).
    engine.start();
    // Ask the browser not to evict the user's records and photos under storage pressure.
    leptos::task::spawn_local(async {
        crate::storage_info::request_persistence().await;
    });
    ledger.tidy_photos_at_start();
    // Service worker (offline start, updates) and the install prompt.
    crate::pwa::provide();
    view! {
        <I18nContextProvider>
            <LocaleFromSettings />
            <Router>
                <a class="skip-link" href="#main">{t!(use_i18n(), skip_to_content)}</a>
                <NoticeBar />
                <crate::pwa::UpdateBanner />
                <PatrolBar />
                <main id="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=RecordList />
                        <Route path=path!("/new") view=KindPickerScreen />
                        <Route path=path!("/new/:kind") view=NewRecordScreen />
                        <Route path=path!("/records/:id") view=RecordDetailScreen />
                        <Route path=path!("/records/:id/edit") view=EditRecordScreen />
                        <Route path=path!("/records/:id/follow-up") view=FollowUpScreen />
                        <Route path=path!("/stats") view=StatsScreen />
                        <Route path=path!("/import") view=ImportScreen />
                        <Route path=path!("/settings") view=SettingsScreen />
                        <Route path=path!("/connect") view=ConnectScreen />
                        <Route path=path!("/patrols") view=PatrolsScreen />
                        <Route path=path!("/patrols/:id") view=PatrolDetailScreen />
                    </Routes>
                </main>
                <BottomNav />
            </Router>
        </I18nContextProvider>
    }
}

/// In place of the app on a phone that holds records but not the code that reads them (offline
/// before the service worker stored the app): nothing is read, so nothing stored is touched.
#[component]
pub fn StoredMissing() -> impl IntoView {
    let i18n = use_i18n();
    let retry = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <main id="main">
            <section class="page part-missing" role="alert">
                <h1>{t!(i18n, stored.title)}</h1>
                <p>{t!(i18n, stored.offline)}</p>
                <button type="button" class="primary" on:click=retry>
                    {t!(i18n, on_demand.retry)}
                </button>
            </section>
        </main>
    }
}

/// Applies the language chosen in settings; without one the browser's language stands.
#[component]
fn LocaleFromSettings() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let chosen = settings.with_untracked(|s| s.language.clone());
    let chosen = Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == chosen);
    // An effect, because the i18n context applies the browser's language in an effect of its
    // own; created after it, this one runs after it.
    Effect::new(move |_| {
        if let Some(locale) = chosen {
            i18n.set_locale(locale);
        }
    });
}

#[component]
fn NoticeBar() -> impl IntoView {
    let i18n = use_i18n();
    let notice = expect_context::<RwSignal<Option<Notice>>>();
    let text = move || {
        notice.get().map(|n| match n {
            Notice::Saved => t_string!(i18n, form.saved),
            Notice::Deleted => t_string!(i18n, confirm.deleted),
            Notice::SettingsSaved => t_string!(i18n, settings.saved),
            Notice::Connected => t_string!(i18n, connect.done),
        })
    };
    view! {
        <div class="notice" role="status" aria-live="polite" class:shown=move || notice.with(Option::is_some)>
            {text}
        </div>
    }
}

#[component]
fn BottomNav() -> impl IntoView {
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

// Every screen but the list is downloaded when it first opens (src/on_demand.rs).
on_demand_screen!(KindPickerScreen, kind_picker_part, KindPicker);
on_demand_screen!(NewRecordScreen, new_record_part, NewRecord);
on_demand_screen!(RecordDetailScreen, record_detail_part, RecordDetail);
on_demand_screen!(EditRecordScreen, edit_record_part, EditRecord);
on_demand_screen!(FollowUpScreen, follow_up_part, FollowUpPage);
on_demand_screen!(StatsScreen, stats_part, StatsPage);
on_demand_screen!(ImportScreen, import_part, ImportPage);
on_demand_screen!(SettingsScreen, settings_part, SettingsPage);
on_demand_screen!(ConnectScreen, connect_part, ConnectPage);
on_demand_screen!(PatrolsScreen, patrols_part, PatrolsPage);
on_demand_screen!(PatrolDetailScreen, patrol_detail_part, PatrolDetail);
