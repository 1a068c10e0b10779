//! Patrols (巡河记录): `/patrols` starts one (river and section offered from the last) and
//! lists the past ones, newest first; `/patrols/:id` shows one: times, duration, distance,
//! the track as a small SVG drawing and the visits made on it. While a patrol is under way
//! [`PatrolBar`] sits on every screen with the elapsed time, the distance and "end patrol".

use chrono::Utc;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use patrol_core::patrol::{self, MAX_RIVER, MAX_SECTION, PatrolVisit, field, format_duration};
use patrol_core::{Choice, Patrol, Record};
use uuid::Uuid;

use crate::format;
use crate::geolocation::PositionError;
use crate::i18n::*;
use crate::label;
use crate::labels::{Label, kind_icon};
use crate::ledger::Ledger;
use crate::on_demand;
use crate::pages::sync_status::problem_text;
use crate::patrols::{self, Patrols};
use crate::settings::Settings;
use crate::store::SaveError;
use crate::sync::{PatrolStatus, SyncEngine};
use crate::widgets::{
    ClockAlert, ConfirmDialog, FormIssue, Issues, SaveErrorAlert, TextField, clock_for_save,
    save_error_message, ticking_now,
};

/// "560 米" / "1.25 公里".
fn distance(locale: Locale, metres: f64) -> String {
    if metres < 1000.0 {
        let n = crate::format::decimal(locale, metres, 0);
        td_string!(locale, patrols.metres, n).to_string()
    } else {
        let n = crate::format::decimal(locale, metres / 1000.0, 2);
        td_string!(locale, patrols.km, n).to_string()
    }
}

fn river_and_section(p: &Patrol) -> String {
    if p.section.is_empty() {
        p.river.clone()
    } else {
        format!("{} · {}", p.river, p.section)
    }
}

/// Whether the township's server has this patrol, in words (with the reasons if it refused).
fn sync_text(engine: SyncEngine, locale: Locale, p: &Patrol) -> String {
    match engine.patrol_status(p) {
        PatrolStatus::Synced => td_string!(locale, sync.badge_synced).to_string(),
        PatrolStatus::Pending => td_string!(locale, sync.badge_pending).to_string(),
        PatrolStatus::Rejected(problems) => {
            let reasons: Vec<String> = problems.iter().map(|q| problem_text(locale, q)).collect();
            format!(
                "{}: {}",
                td_string!(locale, sync.badge_rejected),
                reasons.join("; ")
            )
        }
    }
}

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

/// The bar's view, downloaded when a patrol is under way (src/on_demand.rs).
#[cfg(rp_split)]
#[leptos::wasm_split::wasm_split(patrol_bar_part, wasm_split_path = ::leptos::wasm_split, fallible)]
fn patrol_bar_part(
    id: Uuid,
    gps_error: Signal<Option<PositionError>>,
) -> Result<AnyView, on_demand::PartMissing> {
    Ok(view! { <ActivePatrolBar id gps_error /> }.into_any())
}

/// Without the split build (`--cfg rp_split`), the same, in one piece.
#[cfg(not(rp_split))]
async fn patrol_bar_part(
    id: Uuid,
    gps_error: Signal<Option<PositionError>>,
) -> Result<AnyView, on_demand::PartMissing> {
    Ok(view! { <ActivePatrolBar id gps_error /> }.into_any())
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
        </aside>
    }
}

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
                let meta = format!(
                    "{} · {} · {} · {}",
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

/// `/patrols/:id`: one patrol, under way or ended.
#[component]
pub fn PatrolDetail() -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let params = use_params_map();
    let patrols = expect_context::<Patrols>();
    let ledger = expect_context::<Ledger>();
    let now = ticking_now();
    let patrol = Memo::new(move |_| {
        params
            .with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()))
            .and_then(|id| patrols.get(id))
    });
    move || {
        let Some(p) = patrol.get() else {
            return view! {
                <section class="page">
                    <p class="warning">{t!(i18n, patrols.not_found)}</p>
                    <A href="/patrols" attr:class="button">{t!(i18n, patrols.back)}</A>
                </section>
            }
            .into_any();
        };
        let locale = i18n.get_locale();
        let visits = ledger.with_all(|all| p.visits(all.iter()));
        let records: Vec<(PatrolVisit, Option<Record>)> = visits
            .into_iter()
            .map(|v| {
                let r = ledger.get(&v.record);
                (v, r)
            })
            .collect();
        let active = p.is_active();
        let duration = {
            let p = p.clone();
            move || format_duration(p.duration_s(now.get()))
        };
        let ended = p.ended_at.map_or_else(
            || td_string!(locale, patrols.in_progress).to_string(),
            |t| format::date_time(locale, t),
        );
        let points = p.svg_points(320.0, 200.0, 10.0);
        let track = if p.track.len() < 2 {
            view! { <p class="hint" data-testid="patrol-no-track">{t!(i18n, patrols.no_track)}</p> }
                .into_any()
        } else {
            let (start, end) = (
                points.split(' ').next().unwrap_or_default().to_owned(),
                points.split(' ').next_back().unwrap_or_default().to_owned(),
            );
            let dot = |xy: &str, class: &'static str| {
                let (x, y) = xy.split_once(',').unwrap_or(("0", "0"));
                view! { <circle class=class cx=x.to_owned() cy=y.to_owned() r="5" /> }
            };
            view! {
                <svg class="patrol-track" data-testid="patrol-track" viewBox="0 0 320 200" role="img"
                    aria-label=td_string!(locale, patrols.track)>
                    <polyline points=points.clone() />
                    {dot(&start, "track-start")}
                    {dot(&end, "track-end")}
                </svg>
            }
            .into_any()
        };
        let count = records.len();
        view! {
            <article class="page patrol-detail">
                <h1>{river_and_section(&p)}</h1>
                <dl class="fields">
                    <div class="field-row"><dt>{t!(i18n, patrols.started)}</dt><dd>{format::date_time(locale, p.started_at)}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.ended)}</dt><dd>{ended}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.duration)}</dt><dd>{duration}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.distance)}</dt><dd>{distance(locale, p.length_m())}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.author)}</dt><dd>{p.author.clone()}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.sync)}</dt><dd data-testid="patrol-sync">{sync_text(engine, locale, &p)}</dd></div>
                </dl>
                <h2>{t!(i18n, patrols.track)}</h2>
                {track}
                <h2>{t_string!(i18n, patrols.visits, count)}</h2>
                {if records.is_empty() {
                    view! { <p class="hint">{t!(i18n, patrols.no_visits)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="record-list" data-testid="patrol-visits">
                            {records.into_iter().map(|(v, r)| view! { <VisitRow visit=v record=r /> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {active.then(|| view! { <p class="hint">{t!(i18n, patrols.active_hint)}</p> })}
                <div class="form-actions">
                    <A href="/patrols" attr:class="button secondary">{t!(i18n, patrols.back)}</A>
                </div>
            </article>
        }
        .into_any()
    }
}

#[component]
fn VisitRow(visit: PatrolVisit, record: Option<Record>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(r) = record else {
        return ().into_any();
    };
    let locale = i18n.get_locale();
    let what = if visit.found {
        td_string!(locale, patrols.found)
    } else {
        td_string!(locale, patrols.followed_up)
    };
    let title = if r.title.trim().is_empty() {
        r.kind().label(locale).to_owned()
    } else {
        r.title.clone()
    };
    view! {
        <li>
            <A href=format!("/records/{}", r.id) attr:class="record-row">
                <span class="kind-icon" aria-hidden="true">{kind_icon(r.kind())}</span>
                <span class="row-main">
                    <span class="row-title">{title}</span>
                    <span class="row-meta">{format!("{what} · {}", format::time(locale, visit.at))}</span>
                </span>
                <span class=format!("status status-{}", r.status.as_str())>{r.status.label(locale)}</span>
            </A>
        </li>
    }
    .into_any()
}
