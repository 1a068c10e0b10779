//! `/desk` (乡镇工作台): the township office's view of every village's problems, laid out for a
//! wide screen — the counts per village first (a village's name narrows the table to it), then
//! one table of the problems, searched and filtered as the list is (the same filter,
//! src/state/filter.rs, so a village chosen here holds on the list and the map) and sorted by
//! any column's header. On a tablet or a phone the table scrolls sideways in its own region.

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::filter::{Column, sort_by_column};
use patrol_core::stats::{Tally, stats};
use patrol_core::workflow::DeadlineState;
use patrol_core::{Choice, Record};

use crate::components::deadline::DeadlineBadge;
use crate::components::filter_bar::FilterBar;
use crate::format;
use crate::i18n::*;
use crate::labels::Label;
use crate::state::Ledger;
use crate::state::filter::shared;

/// The table's columns, in the order shown, with the catalogue's label of each.
const COLUMNS: [Column; 7] = [
    Column::Title,
    Column::Kind,
    Column::Village,
    Column::Person,
    Column::Deadline,
    Column::Status,
    Column::Found,
];

fn column_label(locale: Locale, column: Column) -> &'static str {
    match column {
        Column::Title => td_string!(locale, fields.title),
        Column::Kind => td_string!(locale, fields.kind),
        Column::Village => td_string!(locale, fields.village),
        Column::Person => td_string!(locale, fields.person),
        Column::Deadline => td_string!(locale, fields.deadline),
        Column::Status => td_string!(locale, fields.status),
        Column::Found => td_string!(locale, fields.created),
    }
}

#[component]
pub fn DeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let filter = shared();
    // The most pressing first: the nearest deadline.
    let sort = RwSignal::new((Column::Deadline, true));
    let today = format::today();
    let villages = Memo::new(move |_| ledger.with_all(|all| stats(all.iter(), today).by_village));
    let shown = Memo::new(move |_| {
        let mut rows: Vec<Record> = filter.with(|f| {
            ledger.with_all(|all| {
                all.iter()
                    .filter(|r| f.matches(r, today))
                    .cloned()
                    .collect()
            })
        });
        let (column, ascending) = sort.get();
        sort_by_column(&mut rows, column, ascending);
        rows
    });
    let total =
        Memo::new(move |_| ledger.with_all(|all| all.iter().filter(|r| !r.is_deleted()).count()));

    view! {
        <section class="page desk-page">
            <h1>{t!(i18n, desk.title)}</h1>
            <VillageCounts villages filter=filter />
            <FilterBar filter />
            <p class="desk-count" role="status" data-testid="desk-count">
                {move || t_string!(i18n, desk.shown, shown = shown.with(Vec::len), total = total.get()).to_string()}
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label=move || t_string!(i18n, desk.problems)>
                <table class="desk-table" data-testid="desk-table">
                    <caption class="visually-hidden">{t!(i18n, desk.problems)}</caption>
                    <thead>
                        <tr>
                            {COLUMNS.into_iter().map(|column| view! { <SortHeader column sort /> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || shown.get() key=|r| (r.id, r.revision) let:record>
                            <ProblemRow record today />
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A column's header: a button that sorts by it, ascending first, then the other way.
#[component]
fn SortHeader(column: Column, sort: RwSignal<(Column, bool)>) -> impl IntoView {
    let i18n = use_i18n();
    let state = move || {
        let (by, ascending) = sort.get();
        match (by == column, ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    };
    let toggle = move |_| {
        sort.update(|(by, ascending)| {
            if *by == column {
                *ascending = !*ascending;
            } else {
                *by = column;
                *ascending = true;
            }
        })
    };
    view! {
        <th scope="col" aria-sort=state>
            <button type="button" class="sort-button" on:click=toggle>
                {move || column_label(i18n.get_locale(), column)}
                <span aria-hidden="true" class="sort-mark">
                    {move || match state() { "ascending" => "▲", "descending" => "▼", _ => "" }}
                </span>
            </button>
        </th>
    }
}

/// One problem: its title (to its page), kind, village, who must fix it, deadline, status and
/// when it was found; marked when the township dispatched it.
#[component]
fn ProblemRow(record: Record, today: chrono::NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let kind = record.kind();
    let status = record.status;
    let title = record.title.trim().to_owned();
    let deadline = record.deadline;
    let state = DeadlineState::on(record.deadline, record.status, today);
    let created = record.created_at;
    let who = record.responsibility.clone();
    let dispatched = record.dispatched.is_some();
    view! {
        <tr>
            <th scope="row">
                <A href=format!("/records/{}", record.id)>
                    {move || if title.is_empty() { kind.label(i18n.get_locale()).to_owned() } else { title.clone() }}
                </A>
                {dispatched.then(|| view! { " " <span class="badge dispatched">{t!(i18n, dispatch.badge)}</span> })}
            </th>
            <td>{move || kind.label(i18n.get_locale())}</td>
            <td>{record.village.trim().to_owned()}</td>
            <td>
                {who.person.trim().to_owned()}
                {(!who.phone.trim().is_empty()).then(|| view! { <br /><span class="hint">{who.phone.trim().to_owned()}</span> })}
            </td>
            <td>
                {move || deadline.map(|d| format::date(i18n.get_locale(), d)).unwrap_or_default()}
                " " <DeadlineBadge state />
            </td>
            <td><span class=format!("status status-{}", status.as_str())>{move || status.label(i18n.get_locale())}</span></td>
            <td><time datetime=created.to_rfc3339()>{move || format::date_time(i18n.get_locale(), created)}</time></td>
        </tr>
    }
}

/// Every village with its problems counted as the statistics count them; a village's name
/// narrows the table (and the list and the map) to it, 全部 shows every village again.
#[component]
fn VillageCounts(
    villages: Memo<Vec<(String, Tally)>>,
    filter: RwSignal<patrol_core::filter::Filter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = move || filter.with(|f| f.village.clone());
    let choose = move |village: Option<String>| filter.update(|f| f.village = village);
    let col = move |label: &'static str| view! { <th scope="col">{label}</th> };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || t_string!(i18n, desk.by_village)>
            <table class="figures-table desk-villages" data-testid="desk-villages">
                <caption>{t!(i18n, desk.by_village)}</caption>
                <thead>
                    <tr>
                        {move || {
                            let locale = i18n.get_locale();
                            view! {
                                {col(td_string!(locale, fields.village))}
                                {col(td_string!(locale, stats.found))}
                                {col(td_string!(locale, desk.outstanding))}
                                {col(td_string!(locale, status.fixed))}
                                {col(td_string!(locale, status.closed))}
                                {col(td_string!(locale, stats.overdue))}
                                {col(td_string!(locale, stats.rate))}
                            }
                        }}
                    </tr>
                </thead>
                <tbody>
                    {move || villages.get().into_iter().map(|(village, tally)| {
                        let name = village.clone();
                        let pressed = {
                            let village = village.clone();
                            move || chosen().as_deref() == Some(village.as_str())
                        };
                        let rate = tally.rate_percent().map_or_else(|| "—".to_owned(), |r| format!("{r}%"));
                        view! {
                            <tr>
                                <th scope="row">
                                    <button type="button" class="link-button" aria-pressed=move || pressed().to_string()
                                        on:click=move |_| choose(Some(name.clone()))>{village}</button>
                                </th>
                                <td data-col="found">{tally.found()}</td>
                                <td data-col="outstanding">{tally.open + tally.rectifying}</td>
                                <td data-col="fixed">{tally.fixed}</td>
                                <td data-col="closed">{tally.closed}</td>
                                <td data-col="overdue">{tally.overdue}</td>
                                <td data-col="rate">{rate}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p>
            <button type="button" class="secondary" disabled=move || chosen().is_none()
                on:click=move |_| choose(None)>{t!(i18n, desk.all_villages)}</button>
        </p>
    }
}
