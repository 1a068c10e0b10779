//! A problem's history on its page (record detail): the finding, then every follow-up
//! visit, oldest first, each with the township's receipt for its photos (when the server
//! received which bytes) once it has them.

use leptos::prelude::*;
use patrol_core::*;

use patrol_core::csv::RECEIPT_SHA256_DIGITS;
use patrol_core::sync::PhotoReceipt;

use crate::components::photos::{PhotoGallery, TakenFor};
use crate::format;
use crate::i18n::*;
use crate::labels::Label;
use crate::sync::SyncEngine;

/// The problem's history on its page: the finding, then every follow-up, oldest first.
#[component]
pub fn History(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let entries = record.history();
    let count = entries.len();
    // The server's receipts for this record's photos, as the sync engine keeps them.
    let engine = use_context::<SyncEngine>();
    let id = record.id;
    let receipts =
        Signal::derive(move || engine.map(|e| e.state_of(&id).receipts).unwrap_or_default());
    // A visit without a fix of its own was made at the problem's place.
    let problem_at = record.position.clone();
    view! {
        <section class="history" aria-labelledby="history-heading">
            <h2 id="history-heading">{move || t_string!(i18n, follow_up.history, count)}</h2>
            <ol class="history-list" data-testid="history">
                {entries
                    .into_iter()
                    .map(|entry| {
                        let taken_for = TakenFor {
                            at: entry.at,
                            position: entry.position.clone().or_else(|| problem_at.clone()),
                        };
                        view! { <HistoryItem entry taken_for receipts /> }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn HistoryItem(
    entry: HistoryEntry,
    taken_for: TakenFor,
    receipts: Signal<Vec<PhotoReceipt>>,
) -> impl IntoView {
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
        review,
    } = entry;
    let change = move || {
        let locale = i18n.get_locale();
        match from {
            None => td_string!(locale, follow_up.found_as, status = to.label(locale)).to_string(),
            // The township office's check: closed (销号) or sent back (退回, the reason in
            // the notes below).
            Some(from) if review => {
                let (from, to_label) = (from.label(locale), to.label(locale));
                if to == Status::Closed {
                    td_string!(locale, follow_up.review_closed, from, to = to_label).to_string()
                } else {
                    td_string!(locale, follow_up.review_sent_back, from, to = to_label).to_string()
                }
            }
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
    // "第 1 张照片已送达乡镇 …": one line per photo of this entry the server has receipted.
    let received = {
        let photos = photos.clone();
        move || {
            let locale = i18n.get_locale();
            receipts.with(|all| {
                photos
                    .iter()
                    .enumerate()
                    .filter_map(|(i, photo)| {
                        let r = all.iter().find(|r| r.is_for(photo))?;
                        let n = i + 1;
                        let at = format::date_time_seconds(locale, r.received_at);
                        let sha: String = r.sha256.chars().take(RECEIPT_SHA256_DIGITS).collect();
                        Some(view! {
                            <p class="history-receipt" data-testid="photo-receipt">
                                {td_string!(locale, follow_up.received, n, at, sha).to_string()}
                            </p>
                        })
                    })
                    .collect_view()
            })
        }
    };
    let author = (!author.trim().is_empty()).then_some(author);
    let notes = (!notes.trim().is_empty()).then_some(notes);
    // The finding's photos are the ones at the top of the page.
    let photos = (visit.is_some() && !photos.is_empty()).then_some(photos);
    view! {
        <li class="history-item" data-testid="history-item" class:found=visit.is_none() class:review=review>
            <p class="history-head">
                <time datetime=at.to_rfc3339()>{move || format::date_time(i18n.get_locale(), at)}</time>
                {author.map(|a| view! { <span class="history-author">{a}</span> })}
            </p>
            <p class=format!("history-change status-{}", to.as_str())>{change}</p>
            {notes.map(|n| view! { <p class="history-notes">{n}</p> })}
            {place.map(|p| view! { <p class="history-place">{p}</p> })}
            {photos.map(|photos| view! { <PhotoGallery photos taken_for /> })}
            {received}
        </li>
    }
}
