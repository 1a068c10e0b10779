//! A problem's history on its page (record detail): the finding, then every follow-up
//! visit, oldest first.

use leptos::prelude::*;
use patrol_core::*;

use crate::components::photos::PhotoGallery;
use crate::format;
use crate::i18n::*;
use crate::labels::Label;

/// The problem's history on its page: the finding, then every follow-up, oldest first.
#[component]
pub fn History(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let entries = record.history();
    let count = entries.len();
    view! {
        <section class="history" aria-labelledby="history-heading">
            <h2 id="history-heading">{move || t_string!(i18n, follow_up.history, count)}</h2>
            <ol class="history-list" data-testid="history">
                {entries
                    .into_iter()
                    .map(|entry| view! { <HistoryItem entry /> })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn HistoryItem(entry: HistoryEntry) -> impl IntoView {
    let i18n = use_i18n();
    let HistoryEntry {
        visit,
        at,
        author,
        position,
        photos,
        notes,
        from,
        to,
    } = entry;
    let change = move || {
        let locale = i18n.get_locale();
        match from {
            None => td_string!(locale, follow_up.found_as, status = to.label(locale)).to_string(),
            Some(from) if from == to => {
                td_string!(locale, follow_up.still, status = to.label(locale)).to_string()
            }
            Some(from) => td_string!(
                locale,
                follow_up.changed,
                from = from.label(locale),
                to = to.label(locale)
            )
            .to_string(),
        }
    };
    let place = position.map(|p| format!("{:.6}, {:.6}", p.latitude, p.longitude));
    let author = (!author.trim().is_empty()).then_some(author);
    let notes = (!notes.trim().is_empty()).then_some(notes);
    // The finding's photos are the ones at the top of the page.
    let photos = (visit.is_some() && !photos.is_empty()).then_some(photos);
    view! {
        <li class="history-item" data-testid="history-item" class:found=visit.is_none()>
            <p class="history-head">
                <time datetime=at.to_rfc3339()>{move || format::date_time(i18n.get_locale(), at)}</time>
                {author.map(|a| view! { <span class="history-author">{a}</span> })}
            </p>
            <p class=format!("history-change status-{}", to.as_str())>{change}</p>
            {notes.map(|n| view! { <p class="history-notes">{n}</p> })}
            {place.map(|p| view! { <p class="history-place">{p}</p> })}
            {photos.map(|photos| view! { <PhotoGallery photos /> })}
        </li>
    }
}
