//! The records on this phone, newest first.

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::draft::Draft;
use patrol_core::{Choice, Record};

use crate::drafts;
use crate::format;
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::ledger::Ledger;

#[component]
pub fn RecordList() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let records = Memo::new(move |_| ledger.visible());
    view! {
        <section class="page">
            <h1>{t!(i18n, list.title)}</h1>
            <StorageWarnings />
            <DraftList />
            <Show when=move || records.with(|r| !r.is_empty()) fallback=EmptyState>
                <p class="count">{move || t_string!(i18n, list.count, count = records.with(Vec::len))}</p>
                <ul class="record-list">
                    <For
                        each=move || records.get()
                        key=|r| (r.id, r.revision)
                        children=move |record| view! { <RecordRow record /> }
                    />
                </ul>
            </Show>
        </section>
    }
}

/// Records still being typed, kept on the phone; tapping one continues it.
#[component]
fn DraftList() -> impl IntoView {
    let i18n = use_i18n();
    let drafts = drafts::all();
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
        </div>
    }
}

#[component]
fn RecordRow(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let kind = record.kind();
    let status = record.status;
    let title = record.title.trim().to_owned();
    let created = record.created_at;
    let place = [record.village.trim(), record.place.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li>
            <A href=format!("/records/{}", record.id) attr:class="record-row">
                <span class="kind-icon" aria-hidden="true">{kind_icon(kind)}</span>
                <span class="row-main">
                    <span class="row-title">
                        {move || {
                            if title.is_empty() { kind.label(i18n.get_locale()).to_owned() } else { title.clone() }
                        }}
                    </span>
                    <span class="row-meta">{move || kind.label(i18n.get_locale())} " · " {place}</span>
                    <span class="row-meta">
                        <time datetime=created.to_rfc3339()>{move || format::date_time(i18n.get_locale(), created)}</time>
                    </span>
                </span>
                <span class=format!("status status-{}", status.as_str())>
                    {move || status.label(i18n.get_locale())}
                </span>
            </A>
        </li>
    }
}
