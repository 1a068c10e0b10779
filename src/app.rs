//! The app shell: the providers of what every screen shares, and the routes. Screens live in
//! `pages/`, what several of them show in `components/`.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::locale::LocaleFromSettings;
use crate::components::nav::BottomNav;
use crate::components::not_found::NotFound;
use crate::components::patrol_bar::PatrolBar;
use crate::i18n::*;
use crate::notice::{Notice, NoticeBar};
use crate::on_demand::on_demand_screen;
use crate::pages::{
    connect::ConnectPage, desk::DeskPage, detail::RecordDetail, devices::DevicesPage,
    edit_record::EditRecord, follow_up::FollowUpPage, import::ImportPage, list::RecordList,
    map::MapPage, new::KindPicker, new_record::NewRecord, patrol::PatrolDetail,
    patrols::PatrolsPage, report::ReportPage, settings::SettingsPage, stats::StatsPage,
};
use crate::state::{Ledger, Patrols};
use crate::storage::held::Held;
use crate::sync::SyncEngine;

/// The app over what the phone held at start (`held`, read by src/storage/held.rs).
#[component]
pub fn App(held: Held) -> impl IntoView {
    let Held {
        ledger,
        patrols,
        settings,
        sync,
    } = held;
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
        crate::storage::quota::request_persistence().await;
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
                <crate::pwa::OfflineReadiness />
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
                        <Route path=path!("/report") view=ReportScreen />
                        <Route path=path!("/import") view=ImportScreen />
                        <Route path=path!("/settings") view=SettingsScreen />
                        <Route path=path!("/connect") view=ConnectScreen />
                        <Route path=path!("/devices") view=DevicesScreen />
                        <Route path=path!("/desk") view=DeskScreen />
                        <Route path=path!("/map") view=MapScreen />
                        <Route path=path!("/patrols") view=PatrolsScreen />
                        <Route path=path!("/patrols/:id") view=PatrolDetailScreen />
                    </Routes>
                </main>
                <BottomNav />
            </Router>
        </I18nContextProvider>
    }
}

// Every screen but the list is downloaded when it first opens (src/on_demand.rs).
on_demand_screen!(KindPickerScreen, kind_picker_part, KindPicker);
on_demand_screen!(NewRecordScreen, new_record_part, NewRecord);
on_demand_screen!(RecordDetailScreen, record_detail_part, RecordDetail);
on_demand_screen!(EditRecordScreen, edit_record_part, EditRecord);
on_demand_screen!(FollowUpScreen, follow_up_part, FollowUpPage);
on_demand_screen!(StatsScreen, stats_part, StatsPage);
on_demand_screen!(ReportScreen, report_part, ReportPage);
on_demand_screen!(ImportScreen, import_part, ImportPage);
on_demand_screen!(SettingsScreen, settings_part, SettingsPage);
on_demand_screen!(ConnectScreen, connect_part, ConnectPage);
on_demand_screen!(DevicesScreen, devices_part, DevicesPage);
on_demand_screen!(DeskScreen, desk_part, DeskPage);
on_demand_screen!(MapScreen, map_part, MapPage);
on_demand_screen!(PatrolsScreen, patrols_part, PatrolsPage);
on_demand_screen!(PatrolDetailScreen, patrol_detail_part, PatrolDetail);
