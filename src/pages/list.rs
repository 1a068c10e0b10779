//! The records on this phone, newest first.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::draft::Draft;
use patrol_core::filter::{Filter, last_visited_first, sort_records, urgency_key};
use patrol_core::geo::distance_m;
use patrol_core::workflow::DeadlineState;
use patrol_core::{Choice, Record};

use crate::components::deadline::DeadlineBadge;
use crate::components::filter_bar::FilterBar;
use crate::components::part_missing::PartMissingNote;
use crate::components::photos::Thumbnail;
use crate::components::share::{ShareAlert, note_share};
use crate::components::sync_status::{SyncBadge, SyncBar};
use crate::export;
use crate::format;
use crate::geolocation::{UsePositionReturn, use_position};
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::on_demand::{self, on_demand_part};
use crate::share::{self, ShareFailure};
use crate::state::Ledger;
use crate::storage::held;
use crate::sync::SyncEngine;

/// Rows drawn at first, and added by each "show more".
const PAGE: usize = 50;

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Newest,
    /// By distance from the phone, so an official at a site finds its record; records without
    /// a position come last.
    Nearest,
    /// Overdue first (most overdue first), then due within a week (soonest first), then the
    /// later deadlines (soonest first), then the rest, newest first.
    Urgent,
    /// Most recently visited (followed up, or found) first: what was looked at lately, and at
    /// the bottom what nobody has been back to.
    LastVisit,
}

#[component]
pub fn RecordList() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let records = Memo::new(move |_| ledger.visible());
    view! {
        <section class="page">
            <h1>{t!(i18n, list.title)}</h1>
            <SyncBar />
            <StorageWarnings />
            <DraftList />
            <Show when=move || records.with(|r| !r.is_empty()) fallback=EmptyState>
                {on_demand::part_view(
                    Arc::new(move || Box::pin(filled_list_part(records))),
                    ViewFn::default(),
                    |retry| view! { <FilledListMissing retry /> }.into_any(),
                )}
            </Show>
        </section>
    }
}

on_demand_part! {
    /// The list's rows, search, order and export: downloaded only once the phone holds a record
    /// (src/on_demand.rs), so a first visit, with nothing recorded yet, starts without them.
    fn filled_list_part(records: Memo<Vec<Record>>) -> Result<AnyView, on_demand::PartMissing> {
        Ok(view! { <FilledList records /> }.into_any())
    }
}

/// The rows' own code could not be downloaded (offline before the app was stored): the
/// records are safe on the phone, and the retry tries again.
#[component]
fn FilledListMissing(retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! { <PartMissingNote retry>{t!(i18n, list.rows_missing)}</PartMissingNote> }
}

/// The records, searched, filtered and ordered, a page at a time.
#[component]
fn FilledList(records: Memo<Vec<Record>>) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let order = RwSignal::new(Order::Newest);
    let export_failed = RwSignal::new(false);
    // Offered only where the phone can hand a CSV file to another app (src/share.rs).
    let can_share = share::can_share_files("ledger.csv", export::CSV_TYPE);
    let share_failed = RwSignal::new(None::<ShareFailure>);
    // For the township's receipts of the photos, in the CSV's 照片送达 column.
    let engine = use_context::<SyncEngine>();
    let here = RwSignal::new(None::<(f64, f64)>);
    let located = RwSignal::new(None::<bool>);
    let distance_to = move |r: &Record| {
        here.get()
            .zip(r.position.as_ref())
            .map(|(h, p)| distance_m(h, (p.latitude, p.longitude)))
    };
    // Shared with the map (src/state/filter.rs): what is filtered here is filtered there.
    let filter = crate::state::filter::shared();
    let shown = Memo::new(move |_| {
        let today = format::today();
        let mut list: Vec<Record> = filter.with(|f| {
            records.with(|all| {
                all.iter()
                    .filter(|r| f.matches(r, today))
                    .cloned()
                    .collect()
            })
        });
        if order.get() == Order::Urgent {
            let today = format::today();
            sort_records(&mut list, &|a, b| {
                urgency_key(a, today).cmp(&urgency_key(b, today))
            });
        }
        if order.get() == Order::LastVisit {
            sort_records(&mut list, &last_visited_first);
        }
        if order.get() == Order::Nearest && here.get().is_some() {
            sort_records(&mut list, &|a, b| {
                let (a, b) = (distance_to(a), distance_to(b));
                a.unwrap_or(f64::INFINITY)
                    .total_cmp(&b.unwrap_or(f64::INFINITY))
            });
        }
        list
    });
    // A township's whole ledger can be thousands of problems: the list draws a page of rows
    // and "show more" adds the next, so opening, searching and filtering stay quick. A new
    // search, filter or order starts from the first page again.
    let limit = RwSignal::new(PAGE);
    Effect::new(move |_| {
        filter.track();
        order.track();
        limit.set(PAGE);
    });
    let has_more = move || shown.with(Vec::len) > limit.get();
    let order_button = move |value: Order| {
        view! {
            <button type="button" class="segment" aria-pressed=move || (order.get() == value).to_string()
                on:click=move |_| order.set(value)>
                {move || match value {
                    Order::Newest => t_string!(i18n, list.newest),
                    Order::Nearest => t_string!(i18n, list.nearest),
                    Order::Urgent => t_string!(i18n, list.urgent),
                    Order::LastVisit => t_string!(i18n, list.last_visit),
                }}
            </button>
        }
    };
    view! {
        <FilterBar filter />
        <div class="list-tools">
            <p class="count" aria-live="polite">
                {move || {
                    let total = records.with(Vec::len);
                    if filter.with(Filter::is_active) {
                        t_string!(i18n, list.count_filtered, shown = shown.with(Vec::len), total).to_string()
                    } else {
                        t_string!(i18n, list.count, count = total).to_string()
                    }
                }}
            </p>
            <div class="segments" role="group" aria-label=move || t_string!(i18n, list.order_label)>
                {order_button(Order::Newest)}
                {order_button(Order::Nearest)}
                {order_button(Order::Urgent)}
                {order_button(Order::LastVisit)}
            </div>
        </div>
        <Show when=move || order.get() == Order::Nearest>
            <WatchHere here located />
            <p class="hint" role="status">
                {move || match located.get() {
                    None => Some(t_string!(i18n, list.locating)),
                    Some(false) => Some(t_string!(i18n, list.no_fix)),
                    Some(true) => None,
                }}
            </p>
        </Show>
        <ul class="record-list">
            <For
                each=move || shown.with(|list| list.iter().take(limit.get()).cloned().collect::<Vec<_>>())
                key=|r| (r.id, r.revision, r.updated_at)
                children=move |record| {
                    let position = record.position.as_ref().map(|p| (p.latitude, p.longitude));
                    let distance = Signal::derive(move || {
                        if order.get() != Order::Nearest {
                            return None;
                        }
                        here.get().zip(position).map(|(h, p)| distance_m(h, p))
                    });
                    view! { <RecordRow record distance /> }
                }
            />
        </ul>
        <Show when=has_more>
            <button type="button" class="show-more" data-testid="show-more"
                on:click=move |_| limit.update(|n| *n += PAGE)>
                {move || {
                    let rest = shown.with(Vec::len).saturating_sub(limit.get());
                    t_string!(i18n, list.show_more, count = rest.min(PAGE), rest)
                }}
            </button>
        </Show>
        <div class="list-export">
            <button type="button" on:click=move |_| {
                let name = t_string!(i18n, list.export_file, date = format::today()).to_string();
                let records = ledger.with_all_untracked(|all| all.to_vec());
                let receipts = engine
                    .map(|e| e.states.with_untracked(|s| s.values().flat_map(|st| st.receipts.clone()).collect()))
                    .unwrap_or_default();
                leptos::task::spawn_local(async move {
                    let done = export::download_ledger(records, receipts, name).await;
                    export_failed.set(done.is_err());
                });
            }>
                {t!(i18n, list.export)}
            </button>
            {can_share.then(|| view! {
                <button type="button" on:click=move |_| {
                    let name = t_string!(i18n, list.export_file, date = format::today()).to_string();
                    let title = t_string!(i18n, share.ledger_title).to_string();
                    let records = ledger.with_all_untracked(|all| all.to_vec());
                    let receipts = engine
                        .map(|e| e.states.with_untracked(|s| s.values().flat_map(|st| st.receipts.clone()).collect()))
                        .unwrap_or_default();
                    leptos::task::spawn_local(async move {
                        let outcome = export::share_ledger(records, receipts, name, title).await;
                        note_share(share_failed, outcome);
                    });
                }>
                    {t!(i18n, share.ledger)}
                </button>
            })}
            <p class="hint">{t!(i18n, list.export_hint)}</p>
            <A href="/import" attr:class="button secondary">{t!(i18n, list.import)}</A>
            <Show when=move || export_failed.get()>
                <p class="field-error" role="alert">{t!(i18n, list.export_failed)}</p>
            </Show>
            <ShareAlert failure=share_failed />
        </div>
    }
}

/// Watches the phone's position while "nearest" is chosen (and only then, to spare the
/// battery); `located` says whether a fix came (`None` while waiting).
#[component]
fn WatchHere(here: RwSignal<Option<(f64, f64)>>, located: RwSignal<Option<bool>>) -> impl IntoView {
    let UsePositionReturn { fix, error, .. } = use_position();
    Effect::new(move |_| {
        if let Some(p) = fix.get() {
            here.set(Some((p.latitude, p.longitude)));
            located.set(Some(true));
        } else if error.get().is_some() {
            located.set(Some(false));
        }
    });
}

/// "about 120 m" / "about 3.4 km".
fn distance_text(locale: Locale, metres: f64) -> String {
    if metres < 1000.0 {
        let n = format::decimal(locale, metres, 0);
        td_string!(locale, list.metres, n).to_string()
    } else {
        let n = format::decimal(locale, metres / 1000.0, 1);
        td_string!(locale, list.km, n).to_string()
    }
}

/// Records still being typed, kept on the phone; tapping one continues it. Read by the
/// readers' part (src/storage/held.rs), and only when a draft is stored at all: the first screen of
/// a phone that holds nothing goes without that code.
#[component]
fn DraftList() -> impl IntoView {
    held::holds_drafts().then(|| {
        on_demand::part_view(
            Arc::new(|| {
                Box::pin(async {
                    let drafts = held::drafts().await?;
                    Ok(view! { <Drafts drafts /> }.into_any())
                })
            }),
            ViewFn::default(),
            |retry| view! { <FilledListMissing retry /> }.into_any(),
        )
    })
}

#[component]
fn Drafts(drafts: Vec<Draft>) -> impl IntoView {
    let i18n = use_i18n();
    (!drafts.is_empty()).then(|| {
        view! {
            <section class="drafts" aria-labelledby="drafts-title">
                <h2 id="drafts-title">{t!(i18n, drafts.list_title)}</h2>
                <p class="hint">{t!(i18n, drafts.list_hint)}</p>
                <ul class="record-list">
                    {drafts.into_iter().map(|d| view! { <DraftRow draft=d /> }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn DraftRow(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let record = draft.record;
    let kind = record.kind();
    let href = if draft.is_new {
        format!("/new/{}?draft={}", kind.as_str(), record.id)
    } else {
        format!("/records/{}/edit", record.id)
    };
    let title = record.title.trim().to_owned();
    let saved_at = draft.saved_at;
    view! {
        <li>
            <A href=href attr:class="record-row">
                <span class="kind-icon" aria-hidden="true">{kind_icon(kind)}</span>
                <span class="row-main">
                    <span class="row-title">
                        {move || {
                            if title.is_empty() { kind.label(i18n.get_locale()).to_owned() } else { title.clone() }
                        }}
                    </span>
                    <span class="row-meta">
                        <time datetime=saved_at.to_rfc3339()>{move || format::date_time(i18n.get_locale(), saved_at)}</time>
                    </span>
                </span>
                <span class="status status-draft">{t!(i18n, drafts.badge)}</span>
            </A>
        </li>
    }
}

/// Tells the user about stored entries that could not be shown; they are kept, not deleted.
#[component]
fn StorageWarnings() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let quarantined = move || ledger.quarantined.with(Vec::len);
    let newer = move || ledger.newer.with(Vec::len);
    view! {
        <Show when=move || { quarantined() > 0 }>
            <p class="warning" role="alert">
                {move || t_string!(i18n, list.quarantined, count = quarantined())}
            </p>
        </Show>
        <Show when=move || { newer() > 0 }>
            <p class="warning" role="alert">{move || t_string!(i18n, list.newer, count = newer())}</p>
        </Show>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="empty">
            <p class="empty-icon" aria-hidden="true">"🏞️"</p>
            <h2>{t!(i18n, list.empty_title)}</h2>
            <p>{t!(i18n, list.empty_body)}</p>
            <A href="/new" attr:class="button primary">{t!(i18n, list.empty_action)}</A>
            <p><A href="/import">{t!(i18n, list.import)}</A></p>
        </div>
    }
}

#[component]
fn RecordRow(record: Record, distance: Signal<Option<f64>>) -> impl IntoView {
    let i18n = use_i18n();
    let kind = record.kind();
    let first_photo = record.photos.first().cloned();
    let status = record.status;
    let title = record.title.trim().to_owned();
    let created = record.created_at;
    let badge_record = record.clone();
    let deadline = DeadlineState::on(record.deadline, record.status, format::today());
    // Dispatched by the township (交办): new until opened on this phone.
    let dispatched = record
        .dispatched
        .is_some()
        .then(|| !crate::storage::opened::opened().contains(&record.id));
    let place = [record.village.trim(), record.place.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li>
            <A href=format!("/records/{}", record.id) attr:class="record-row">
                {match first_photo {
                    Some(photo) => view! { <Thumbnail photo compact=true decorative=true /> }.into_any(),
                    None => view! { <span class="kind-icon" aria-hidden="true">{kind_icon(kind)}</span> }.into_any(),
                }}
                <span class="row-main">
                    <span class="row-title">
                        {move || {
                            if title.is_empty() { kind.label(i18n.get_locale()).to_owned() } else { title.clone() }
                        }}
                    </span>
                    <span class="row-meta">{move || kind.label(i18n.get_locale())} " · " {place}</span>
                    <span class="row-meta">
                        <time datetime=created.to_rfc3339()>{move || format::date_time(i18n.get_locale(), created)}</time>
                        {move || distance.get().map(|m| format!(" · {}", distance_text(i18n.get_locale(), m)))}
                    </span>
                </span>
                <span class="row-badges">
                    <span class=format!("status status-{}", status.as_str())>
                        {move || status.label(i18n.get_locale())}
                    </span>
                    {dispatched.map(|new| view! {
                        <span class="badge dispatched" class:new=new data-testid="dispatched">
                            {move || if new { t_string!(i18n, dispatch.new_badge) } else { t_string!(i18n, dispatch.badge) }}
                        </span>
                    })}
                    <DeadlineBadge state=deadline />
                    <SyncBadge record=badge_record />
                </span>
            </A>
        </li>
    }
}
