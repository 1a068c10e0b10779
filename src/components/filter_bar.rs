//! The search box and filters over the problems, above the list and the map: both screens show
//! the same filter (src/state/filter.rs), so a village or status chosen on one holds on the
//! other.

use std::sync::Arc;

use leptos::prelude::*;
use patrol_core::filter::{self, Filter};
use patrol_core::{Choice, Kind, Status};

use crate::i18n::*;
use crate::labels::Label;
use crate::on_demand::{self, on_demand_part};
use crate::state::Ledger;

/// Search box and filters (kind, village, status, overdue only) above the list and the map. The
/// filters' code is downloaded when they are first opened (src/on_demand.rs): most visits to
/// the list only read it or search it.
#[component]
pub fn FilterBar(filter: RwSignal<Filter>) -> impl IntoView {
    let i18n = use_i18n();
    let opened = RwSignal::new(false);
    view! {
        <div class="list-filter" role="search">
            <label for="search">{t!(i18n, list.search)}</label>
            <input id="search" type="search" enterkeyhint="search"
                placeholder=move || t_string!(i18n, list.search_hint)
                prop:value=move || filter.with(|f| f.text.clone())
                on:input=move |ev| filter.update(|f| f.text = event_target_value(&ev)) />
            // The first toggle of a closed <details> opens it.
            <details class="filter-more" on:toggle=move |_| opened.set(true)>
                <summary>{t!(i18n, list.filters)}</summary>
                {move || {
                    opened.get().then(|| {
                        on_demand::part_view(
                            Arc::new(move || Box::pin(filter_choices_part(filter))),
                            ViewFn::default(),
                            |retry| view! { <FilterChoicesMissing retry /> }.into_any(),
                        )
                    })
                }}
            </details>
        </div>
    }
}

/// The filters' own code could not be downloaded (offline before the app was stored).
#[component]
fn FilterChoicesMissing(retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field-error" role="alert">{t!(i18n, list.filters_missing)}</p>
        <button type="button" on:click=move |_| retry.run(())>{t!(i18n, on_demand.retry)}</button>
    }
}

on_demand_part! {
    fn filter_choices_part(filter: RwSignal<Filter>) -> Result<AnyView, on_demand::PartMissing> {
        Ok(view! { <FilterChoices filter /> }.into_any())
    }
}

/// Kind, village, status and "overdue only".
#[component]
fn FilterChoices(filter: RwSignal<Filter>) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let villages = Memo::new(move |_| ledger.with_all(|r| filter::villages(r)));
    let choice_options = move |all: Vec<(&'static str, &'static str)>,
                               current: Option<&'static str>| {
        all.into_iter()
            .map(|(value, label)| view! { <option value=value selected=current == Some(value)>{label}</option> })
            .collect_view()
    };
    view! {
                <label for="filter-kind">{t!(i18n, fields.kind)}</label>
                <select id="filter-kind" on:change=move |ev| {
                    filter.update(|f| f.kind = Kind::parse(&event_target_value(&ev)))
                }>
                    <option value="">{t!(i18n, list.any)}</option>
                    {move || {
                        let locale = i18n.get_locale();
                        let all = Kind::ALL.iter().map(|k| (k.as_str(), k.label(locale))).collect();
                        choice_options(all, filter.with(|f| f.kind.map(Kind::as_str)))
                    }}
                </select>
                <label for="filter-village">{t!(i18n, fields.village)}</label>
                <select id="filter-village" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.village = (!v.is_empty()).then_some(v));
                }>
                    <option value="">{t!(i18n, list.any)}</option>
                    {move || {
                        let current = filter.with(|f| f.village.clone());
                        villages
                            .get()
                            .into_iter()
                            .map(|v| {
                                let selected = current.as_deref() == Some(v.as_str());
                                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
                <label for="filter-status">{t!(i18n, fields.status)}</label>
                <select id="filter-status" on:change=move |ev| {
                    filter.update(|f| f.status = Status::parse(&event_target_value(&ev)))
                }>
                    <option value="">{t!(i18n, list.any)}</option>
                    {move || {
                        let locale = i18n.get_locale();
                        let all = Status::ALL.iter().map(|s| (s.as_str(), s.label(locale))).collect();
                        choice_options(all, filter.with(|f| f.status.map(Status::as_str)))
                    }}
                </select>
                <label class="check">
                    <input type="checkbox" prop:checked=move || filter.with(|f| f.overdue_only)
                        on:change=move |ev| filter.update(|f| f.overdue_only = event_target_checked(&ev)) />
                    {t!(i18n, list.overdue_only)}
                </label>
    }
}
