//! `/patrols` (巡河记录): starts a patrol (river and section offered from the last) and
//! lists the past ones, newest first.

use chrono::Utc;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::Patrol;
use patrol_core::patrol::{self, MAX_RIVER, MAX_SECTION, field, format_duration};
use patrol_core::patrol_rule::judge;

use crate::components::fields::{
    ClockAlert, FormIssue, Issues, SaveErrorAlert, TextField, clock_for_save,
};
use crate::components::patrol_facts::{distance, river_and_section, sync_text, verdict_text};
use crate::format;
use crate::i18n::*;
use crate::label;
use crate::state::Ledger;
use crate::state::Patrols;
use crate::storage::SaveError;
use crate::storage::settings::Settings;
use crate::sync::SyncEngine;

/// `/patrols`: start a patrol, or see the one under way; past patrols below.
#[component]
pub fn PatrolsPage() -> impl IntoView {
    let i18n = use_i18n();
    let patrols = expect_context::<Patrols>();
    let active = Memo::new(move |_| patrols.active());
    view! {
        <section class="page patrols">
            <h1>{t!(i18n, patrols.title)}</h1>
            {move || match active.get() {
                Some(p) => view! {
                    <div class="patrol-active">
                        <p><strong>{t!(i18n, patrols.under_way)}</strong> " " {river_and_section(&p)}</p>
                        <A href=format!("/patrols/{}", p.id) attr:class="button">{t!(i18n, patrols.open_active)}</A>
                    </div>
                }.into_any(),
                None => view! { <StartForm /> }.into_any(),
            }}
            <h2>{t!(i18n, patrols.past)}</h2>
            <PastPatrols />
        </section>
    }
}

#[component]
fn StartForm() -> impl IntoView {
    let i18n = use_i18n();
    let patrols = expect_context::<Patrols>();
    let settings = expect_context::<RwSignal<Settings>>();
    let issues: Issues = RwSignal::new(Vec::new());
    provide_context(issues);
    let save_error = RwSignal::new(None::<SaveError>);
    let clock_wrong = RwSignal::new(false);
    let last =
        patrols.with_all(|all| patrol::latest(all).map(|p| (p.river.clone(), p.section.clone())));
    let (river, section) = last.unwrap_or_default();
    let river = RwSignal::new(river);
    let section = RwSignal::new(section);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // A patrol started "in 1970" would be refused by the server, with its whole track.
        let Some(now) = clock_for_save(clock_wrong) else {
            return;
        };
        let author = settings.with_untracked(|s| s.officer.clone());
        match Patrol::start(
            &river.get_untracked(),
            &section.get_untracked(),
            &author,
            now,
        ) {
            Err(errors) => issues.set(errors.into_iter().map(FormIssue::from).collect()),
            Ok(mut p) => {
                issues.set(Vec::new());
                p.village = settings.with_untracked(|s| s.village.trim().to_owned());
                save_error.set(patrols.save(p).err());
            }
        }
    };
    view! {
        <form class="patrol-start" on:submit=on_submit novalidate>
            <h2>{t!(i18n, patrols.start_heading)}</h2>
            <p class="hint">{t!(i18n, patrols.start_hint)}</p>
            <TextField id=field::RIVER label=label!(i18n, patrols.river) value=river
                maxlength=MAX_RIVER on_input=Callback::new(move |v| river.set(v)) />
            <TextField id=field::SECTION label=label!(i18n, patrols.section) value=section
                maxlength=MAX_SECTION on_input=Callback::new(move |v| section.set(v)) />
            <SaveErrorAlert error=save_error />
            <ClockAlert wrong=clock_wrong />
            <button type="submit" class="primary">{t!(i18n, patrols.start)}</button>
        </form>
    }
}

#[component]
fn PastPatrols() -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let patrols = expect_context::<Patrols>();
    let ledger = expect_context::<Ledger>();
    move || {
        let past: Vec<Patrol> =
            patrols.with_all(|all| all.iter().filter(|p| !p.is_active()).cloned().collect());
        if past.is_empty() {
            return view! { <p class="hint">{t!(i18n, patrols.none)}</p> }.into_any();
        }
        let locale = i18n.get_locale();
        let items = past
            .into_iter()
            .map(|p| {
                let visits = ledger.with_all(|all| p.visits(all.iter()).len());
                let rule = engine.township.with(|t| t.patrol_rule);
                let verdict = judge(&p, &rule, p.ended_at.unwrap_or_else(Utc::now));
                let meta = format!(
                    "{} · {} · {} · {} · {}",
                    verdict_text(locale, &verdict),
                    format_duration(p.duration_s(Utc::now())),
                    distance(locale, p.length_m()),
                    td_string!(locale, patrols.visit_count, count = visits),
                    sync_text(engine, locale, &p),
                );
                view! {
                    <li>
                        <A href=format!("/patrols/{}", p.id) attr:class="record-row">
                            <span class="kind-icon" aria-hidden="true">"🚶"</span>
                            <span class="row-main">
                                <span class="row-title">{river_and_section(&p)}</span>
                                <span class="row-meta">{format::date_time(locale, p.started_at)}</span>
                                <span class="row-meta">{meta}</span>
                            </span>
                        </A>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list" data-testid="patrol-list">{items}</ul> }.into_any()
    }
}
