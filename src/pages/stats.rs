//! `/stats` (统计): the ledger in numbers on this phone — found, by status, the rectification
//! rate and overdue count, by village and by kind as small SVG bar charts (every bar also
//! written out as numbers), and the overdue problems, most overdue first; then the patrol
//! statistics (巡河统计) that the river-chief assessment counts, per month, village and
//! official, with a CSV of them. A link at the top leads to the monthly report (`/report`).

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::patrol_stats::{
    PatrolCounts, PatrolStatsRow, patrol_stats, patrol_stats_csv, patrol_totals,
};
use patrol_core::stats::{Overdue, Stats, Tally, stats};
use patrol_core::workflow::DeadlineState;
use patrol_core::*;

use crate::components::deadline::DeadlineBadge;
use crate::components::patrol_facts::distance;
use crate::format;
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::state::{Ledger, Patrols};
use crate::sync::SyncEngine;

/// The statuses in workflow order, as the bars stack them.
const STATUSES: [Status; 4] = [
    Status::Open,
    Status::Rectifying,
    Status::Fixed,
    Status::Closed,
];

#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let numbers = Memo::new(move |_| ledger.with_all(|all| stats(all, format::today())));
    view! {
        <section class="page stats-page">
            <h1>{t!(i18n, stats.title)}</h1>
            <p class="report-link">
                <A href="/report"><span aria-hidden="true">"📄 "</span>{t!(i18n, stats.report_link)}</A>
            </p>
            <h2>{t!(i18n, stats.ledger_title)}</h2>
            {move || {
                let s = numbers.get();
                if s.total.found() == 0 {
                    return view! { <p class="hint">{t!(i18n, stats.empty)}</p> }.into_any();
                }
                view! { <StatsView s /> }.into_any()
            }}
            <PatrolStatsView />
        </section>
    }
}

#[component]
fn StatsView(s: Stats) -> impl IntoView {
    let i18n = use_i18n();
    let Stats {
        total,
        by_kind,
        by_village,
        overdue,
    } = s;
    let overdue_count = overdue.len();
    let widest = by_village
        .iter()
        .map(|(_, t)| t.found())
        .chain(by_kind.iter().map(|(_, t)| t.found()))
        .max()
        .unwrap_or(1);
    let villages = by_village
        .into_iter()
        .map(|(village, tally)| (Signal::stored(village), tally))
        .collect::<Vec<_>>();
    let kinds = by_kind
        .into_iter()
        .map(|(kind, tally)| {
            let name = Signal::derive(move || {
                format!("{} {}", kind_icon(kind), kind.label(i18n.get_locale()))
            });
            (name, tally)
        })
        .collect::<Vec<_>>();
    view! {
        <Summary total />
        <Legend />
        <h2>{t!(i18n, stats.by_village)}</h2>
        <BarChart rows=villages widest testid="by-village" />
        <h2>{t!(i18n, stats.by_kind)}</h2>
        <BarChart rows=kinds widest testid="by-kind" />
        <h2>{move || t_string!(i18n, stats.overdue_list, count = overdue_count)}</h2>
        <OverdueList overdue />
    }
}

/// Found, each status, overdue, and the rate as a ring.
#[component]
fn Summary(total: Tally) -> impl IntoView {
    let i18n = use_i18n();
    let rate = total.rate_percent().unwrap_or(0);
    // A ring of circumference 100 so the dash length is the percentage.
    let radius = 100.0 / (2.0 * std::f64::consts::PI);
    let cells = STATUSES.map(|status| {
        view! {
            <div class="stat" data-testid=format!("stat-{}", status.as_str())>
                <dt class=format!("status-{}", status.as_str())>{move || status.label(i18n.get_locale())}</dt>
                <dd>{total.of(status)}</dd>
            </div>
        }
    });
    view! {
        <div class="stats-summary">
            <figure class="rate" data-testid="stat-rate">
                <svg viewBox="0 0 40 40" width="112" height="112" role="img"
                    aria-label=move || t_string!(i18n, stats.rate_label, rate)>
                    <circle cx="20" cy="20" r=radius class="rate-track" />
                    <circle cx="20" cy="20" r=radius class="rate-done"
                        stroke-dasharray=format!("{rate} {}", 100 - rate) transform="rotate(-90 20 20)" />
                    <text x="20" y="22" text-anchor="middle" class="rate-text">{format!("{rate}%")}</text>
                </svg>
                <figcaption>{t!(i18n, stats.rate)}</figcaption>
            </figure>
            <dl class="stat-grid">
                <div class="stat" data-testid="stat-found">
                    <dt>{t!(i18n, stats.found)}</dt>
                    <dd>{total.found()}</dd>
                </div>
                {cells}
                <div class="stat overdue" data-testid="stat-overdue">
                    <dt>{t!(i18n, stats.overdue)}</dt>
                    <dd>{total.overdue}</dd>
                </div>
            </dl>
        </div>
    }
}

/// Which colour is which status; the rows say the numbers in words too.
#[component]
fn Legend() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="legend" aria-hidden="true">
            {STATUSES
                .map(|status| {
                    view! {
                        <li>
                            <span class=format!("swatch fill-{}", status.as_str())></span>
                            {move || status.label(i18n.get_locale())}
                        </li>
                    }
                })}
        </ul>
    }
}

/// One row per group: a bar stacked by status, scaled to the largest group, and the numbers.
#[component]
fn BarChart(
    rows: Vec<(Signal<String>, Tally)>,
    widest: usize,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let widest = widest.max(1) as f64;
    let rows = rows
        .into_iter()
        .map(|(name, tally)| {
            let mut x = 0.0;
            let segments = STATUSES
                .iter()
                .filter(|s| tally.of(**s) > 0)
                .map(|status| {
                    let width = tally.of(*status) as f64 * 100.0 / widest;
                    let segment = view! {
                        <rect x=format!("{x:.2}") y="0" width=format!("{width:.2}") height="10"
                            class=format!("fill-{}", status.as_str()) />
                    };
                    x += width;
                    segment
                })
                .collect_view();
            let summary = move || {
                let locale = i18n.get_locale();
                let parts: Vec<String> = STATUSES
                    .iter()
                    .filter(|s| tally.of(**s) > 0)
                    .map(|s| format!("{} {}", s.label(locale), tally.of(*s)))
                    .collect();
                td_string!(
                    locale,
                    stats.row,
                    found = tally.found(),
                    parts = parts.join(" · ")
                )
                .to_string()
            };
            view! {
                <li class="bar-row">
                    <span class="bar-name">{name}</span>
                    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                        {segments}
                    </svg>
                    <span class="bar-numbers">{summary}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="bar-chart" data-testid=testid>{rows}</ul> }
}

#[component]
fn OverdueList(overdue: Vec<Overdue>) -> impl IntoView {
    let i18n = use_i18n();
    if overdue.is_empty() {
        return view! { <p class="hint">{t!(i18n, stats.none_overdue)}</p> }.into_any();
    }
    let items = overdue
        .into_iter()
        .map(|o| {
            let Overdue {
                id,
                title,
                kind,
                village,
                deadline,
                days,
            } = o;
            let title = move || {
                if title.trim().is_empty() {
                    kind.label(i18n.get_locale()).to_owned()
                } else {
                    title.clone()
                }
            };
            view! {
                <li>
                    <A href=format!("/records/{id}")>
                        <span class="overdue-title">{title}</span>
                        <span class="overdue-where">
                            {village} " · "
                            {move || t_string!(i18n, stats.deadline_was, date = format::date(i18n.get_locale(), deadline))}
                        </span>
                        <DeadlineBadge state=DeadlineState::Overdue { days } />
                    </A>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="overdue-list" data-testid="overdue-list">{items}</ul> }.into_any()
}

/// 巡河统计: per month, village and official, the patrols, valid ones by the township's rule,
/// kilometres counted, hours, problems found and follow-ups made; all of it as a CSV too.
#[component]
fn PatrolStatsView() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let patrols = expect_context::<Patrols>();
    let engine = expect_context::<SyncEngine>();
    let rows = Memo::new(move |_| {
        let rule = engine.township.with(|t| t.patrol_rule);
        patrols.with_all(|p| ledger.with_all(|r| patrol_stats(p.iter(), r.iter(), &rule)))
    });
    let export_failed = RwSignal::new(false);
    let export = move |_| {
        let locale = i18n.get_locale();
        let name = td_string!(locale, stats.patrol_file, date = format::today()).to_string();
        let text = rows.with_untracked(|r| patrol_stats_csv(r));
        export_failed.set(crate::export::offer_csv(&text, &name).is_err());
    };
    view! {
        <h2>{t!(i18n, stats.patrol_title)}</h2>
        {move || {
            let rows = rows.get();
            if rows.is_empty() {
                return view! { <p class="hint">{t!(i18n, stats.patrol_empty)}</p> }.into_any();
            }
            let total = patrol_totals(&rows);
            view! {
                <p class="patrol-totals" data-testid="patrol-totals">{move || counts_text(i18n.get_locale(), &total)}</p>
                <ul class="patrol-stats" data-testid="patrol-stats">
                    {rows.into_iter().map(|row| view! { <PatrolStatsItem row /> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <div class="list-export">
            <button type="button" on:click=export disabled=move || rows.with(Vec::is_empty)>
                {t!(i18n, stats.patrol_export)}
            </button>
            <p class="hint">{t!(i18n, stats.patrol_export_hint)}</p>
            <Show when=move || export_failed.get()>
                <p class="field-error" role="alert">{t!(i18n, list.export_failed)}</p>
            </Show>
        </div>
    }
}

#[component]
fn PatrolStatsItem(row: PatrolStatsRow) -> impl IntoView {
    let i18n = use_i18n();
    let PatrolStatsRow {
        month,
        village,
        official,
        counts,
    } = row;
    let unnamed = move || td_string!(i18n.get_locale(), stats.unnamed).to_string();
    let village = if village.is_empty() {
        None
    } else {
        Some(village)
    };
    let official = if official.is_empty() {
        None
    } else {
        Some(official)
    };
    view! {
        <li class="patrol-stats-row">
            <span class="overdue-title">
                {month.to_string()} " · " {village.unwrap_or_else(unnamed)} " · "
                {official.unwrap_or_else(unnamed)}
            </span>
            <span class="overdue-where">{move || counts_text(i18n.get_locale(), &counts)}</span>
        </li>
    }
}

/// "巡河 4 次，有效 3 次 · 6.20 公里 · 3.5 小时 · 发现问题 2 个 · 跟进 5 次".
fn counts_text(locale: Locale, c: &PatrolCounts) -> String {
    let hours = format::decimal(locale, c.hours(), 1);
    td_string!(
        locale,
        stats.patrol_counts,
        patrols = c.patrols,
        valid = c.valid,
        km = distance(locale, c.metres),
        hours,
        problems = c.problems,
        follow_ups = c.follow_ups
    )
    .to_string()
}
