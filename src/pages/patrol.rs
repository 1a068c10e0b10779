//! `/patrols/:id`: one patrol, under way or ended: times, duration, distance, whether it
//! counts as a valid patrol by the township's rule and why not, the track as a small SVG
//! drawing and the visits made on it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use patrol_core::patrol::{PatrolVisit, format_duration};
use patrol_core::patrol_rule::judge;
use patrol_core::{Choice, Record};
use uuid::Uuid;

use crate::components::clock::ticking_now;
use crate::components::patrol_facts::{
    distance, finding_text, river_and_section, rule_text, sync_text, verdict_text,
};
use crate::format;
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::state::Ledger;
use crate::state::Patrols;
use crate::sync::SyncEngine;

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
        // Judged by the township's rule; one under way, as it stands now.
        let verdict = {
            let p = p.clone();
            Memo::new(move |_| {
                let rule = engine.township.with(|t| t.patrol_rule);
                let at = p.ended_at.unwrap_or_else(|| now.get());
                judge(&p, &rule, at)
            })
        };
        let verdict_line = move || {
            let v = verdict.get();
            let said = verdict_text(locale, &v);
            if active {
                td_string!(locale, patrols.so_far, said).to_string()
            } else {
                said.to_owned()
            }
        };
        let findings = move || {
            verdict
                .get()
                .findings
                .iter()
                .map(|f| view! { <li>{finding_text(locale, f)}</li> })
                .collect_view()
        };
        let counted = move || distance(locale, verdict.with(|v| v.counted_metres));
        let rule = move || rule_text(locale, &engine.township.with(|t| t.patrol_rule));
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
                    <div class="field-row"><dt>{t!(i18n, patrols.counted)}</dt><dd data-testid="patrol-counted">{counted}</dd></div>
                    <div class="field-row">
                        <dt>{t!(i18n, patrols.verdict)}</dt>
                        <dd data-testid="patrol-verdict" class=move || if verdict.with(|v| v.valid) { "verdict valid" } else { "verdict not-valid" }>
                            {verdict_line}
                            <ul class="verdict-findings" data-testid="patrol-findings">{findings}</ul>
                        </dd>
                    </div>
                    <div class="field-row"><dt>{t!(i18n, patrols.author)}</dt><dd>{p.author.clone()}</dd></div>
                    <div class="field-row"><dt>{t!(i18n, patrols.sync)}</dt><dd data-testid="patrol-sync">{sync_text(engine, locale, &p)}</dd></div>
                </dl>
                <p class="hint" data-testid="patrol-rule">{rule}</p>
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
