//! What the user sees of sync: the status bar on the list, each record's badge, and on a
//! record's page its conflict or refusal, with the choice to make.

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::Record;
use patrol_core::sync::SyncProblem;
use patrol_core::sync_state::RecordSync;
use patrol_core::validate::max_len;

use crate::components::fields::SaveErrorAlert;
use crate::components::record_fields::kind_rows;
use crate::format;
use crate::i18n::*;
use crate::labels::Label;
use crate::storage::SaveError;
use crate::storage::settings::Settings;
use crate::sync::{SyncEngine, SyncFailure};

/// Online or not, how many records wait, when the last sync was, what went wrong, and
/// "sync now".
#[component]
pub fn SyncBar() -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let settings = expect_context::<RwSignal<Settings>>();
    // Without a token nothing leaves the phone: "online, all synced" would tell an officer
    // that the township has records it has never seen.
    let connected = Memo::new(move |_| settings.with(|s| s.server().is_some()));
    let pending = Memo::new(move |_| engine.pending_count());
    let attention = Memo::new(move |_| engine.attention_count());
    let connection = move || {
        if !connected.get() {
            t_string!(i18n, sync.not_connected)
        } else if engine.online.get() {
            t_string!(i18n, sync.online)
        } else {
            t_string!(i18n, sync.offline)
        }
    };
    let counts = move || match (connected.get(), pending.get()) {
        (false, 0) => t_string!(i18n, sync.nothing_recorded).to_owned(),
        (false, count) => t_string!(i18n, sync.only_here, count).to_string(),
        (true, 0) => t_string!(i18n, sync.all_synced).to_owned(),
        (true, count) => t_string!(i18n, sync.pending, count).to_string(),
    };
    let last = move || match engine.last_success.get() {
        Some(at) => t_string!(
            i18n,
            sync.last,
            time = format::date_time(i18n.get_locale(), at)
        )
        .to_string(),
        None => t_string!(i18n, sync.never).to_owned(),
    };
    let problem = move || {
        let locale = i18n.get_locale();
        engine.failure.get().map(|f| match f {
            SyncFailure::NotConfigured => td_string!(locale, sync.not_configured).to_owned(),
            SyncFailure::Unauthorized => td_string!(locale, sync.unauthorized).to_owned(),
            SyncFailure::Unreachable => match engine.retry_at.get() {
                Some(at) => td_string!(
                    locale,
                    sync.unreachable_retry,
                    time = format::time(locale, at)
                )
                .to_string(),
                None => td_string!(locale, sync.unreachable).to_owned(),
            },
            SyncFailure::Server(detail) => {
                td_string!(locale, sync.server_error, detail).to_string()
            }
            SyncFailure::Storage(SaveError::Full) => {
                td_string!(locale, errors.storage_full).to_owned()
            }
            SyncFailure::Storage(SaveError::Failed(reason)) => {
                td_string!(locale, errors.storage_failed, reason).to_string()
            }
        })
    };
    let needs_settings = move || {
        matches!(
            engine.failure.get(),
            Some(SyncFailure::NotConfigured | SyncFailure::Unauthorized)
        )
    };
    view! {
        <section class="sync-bar" aria-label=move || t_string!(i18n, sync.title)>
            // Read out when it changes: "all synced" after a sync, or what is still waiting.
            <p class="sync-line" aria-live="polite">
                <span class="sync-dot" class:online=move || connected.get() && engine.online.get() aria-hidden="true"></span>
                <span data-testid="sync-connection">{connection}</span>
                " · "
                <span data-testid="sync-pending">{counts}</span>
            </p>
            <Show when=move || engine.sending.with(|s| s.is_some_and(|p| p.total() > 0))>
                <SendBar />
            </Show>
            // "Never synced" says nothing new while sync is not set up at all.
            <Show when=move || !matches!(engine.failure.get(), Some(SyncFailure::NotConfigured))>
                <p class="sync-line sync-last">{last}</p>
            </Show>
            <Show when=move || { attention.get() > 0 }>
                <p class="sync-line warning">{move || t_string!(i18n, sync.attention, count = attention.get()).to_string()}</p>
            </Show>
            <p class="sync-line sync-problem" aria-live="polite">
                {problem}
                <Show when=needs_settings>
                    " " <A href="/settings">{t!(i18n, sync.open_settings)}</A>
                </Show>
            </p>
            <button
                type="button"
                class="button"
                disabled=move || engine.running.get()
                on:click=move |_| engine.sync_now()
            >
                {move || if engine.running.get() { t_string!(i18n, sync.running) } else { t_string!(i18n, sync.now) }}
            </button>
        </section>
    }
}

/// What the sync under way has sent of what it had to send (photos first, then records),
/// as a bar and in words; after the sync, what it sent, or how far it got before it stopped.
#[component]
fn SendBar() -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let progress = move || engine.sending.get().unwrap_or_default();
    let text = move || {
        let p = progress();
        let (photos_sent, photos, records_sent, records) =
            (p.photos_sent, p.photos, p.records_sent, p.records);
        if p.is_complete() {
            t_string!(i18n, sync.sent, photos, records).to_string()
        } else if engine.running.get() {
            t_string!(
                i18n,
                sync.sending,
                photos_sent,
                photos,
                records_sent,
                records
            )
            .to_string()
        } else {
            t_string!(
                i18n,
                sync.send_stopped,
                photos_sent,
                photos,
                records_sent,
                records
            )
            .to_string()
        }
    };
    view! {
        <p class="sync-line sync-send" data-testid="sync-send">
            <progress max=move || progress().total() value=move || progress().done()
                aria-label=move || t_string!(i18n, sync.send_label)></progress>
            <span>{text}</span>
        </p>
    }
}

/// "synced", "waiting", "conflict" or "not accepted" beside a record.
#[component]
pub fn SyncBadge(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let status = Memo::new(move |_| engine.status_of(&record));
    let (class, text) = (
        move || format!("sync-badge sync-{}", sync_class(status.get())),
        move || {
            let locale = i18n.get_locale();
            match status.get() {
                RecordSync::Synced => td_string!(locale, sync.badge_synced),
                RecordSync::Pending => td_string!(locale, sync.badge_pending),
                RecordSync::Conflict => td_string!(locale, sync.badge_conflict),
                RecordSync::Rejected => td_string!(locale, sync.badge_rejected),
            }
        },
    );
    view! { <span class=class data-testid="sync-badge">{text}</span> }
}

fn sync_class(status: RecordSync) -> &'static str {
    match status {
        RecordSync::Synced => "synced",
        RecordSync::Pending => "pending",
        RecordSync::Conflict => "conflict",
        RecordSync::Rejected => "rejected",
    }
}

/// On a record's page: its sync state, and for a conflict or refusal what to do.
#[component]
pub fn RecordSyncPanel(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<SyncEngine>();
    let id = record.id;
    let state = Memo::new(move |_| engine.state_of(&id));
    let save_error = RwSignal::new(None::<SaveError>);
    let mine = record.clone();
    let conflict = move || {
        let theirs = state.with(|s| s.conflict.clone())?;
        let rows = differences(i18n.get_locale(), &mine, &theirs.record);
        Some(view! {
            <section class="sync-panel conflict" role="alert" data-testid="conflict">
                <h2>{t!(i18n, sync.conflict_title)}</h2>
                <p>{t!(i18n, sync.conflict_body)}</p>
                <table class="differences">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, sync.field)}</th>
                            <th scope="col">{t!(i18n, sync.mine)}</th>
                            <th scope="col">{t!(i18n, sync.theirs)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|(label, a, b)| view! {
                                <tr><th scope="row">{label}</th><td>{a}</td><td>{b}</td></tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <div class="actions">
                    <button type="button" class="button primary"
                        on:click=move |_| save_error.set(engine.keep_mine(id).err())>
                        {t!(i18n, sync.keep_mine)}
                    </button>
                    <button type="button" class="button"
                        on:click=move |_| save_error.set(engine.take_theirs(id).err())>
                        {t!(i18n, sync.take_theirs)}
                    </button>
                </div>
            </section>
        })
    };
    let rejected = move || {
        let problems = state.with(|s| {
            (s.rejected_revision == Some(record.revision) && !s.rejected.is_empty())
                .then(|| s.rejected.clone())
        })?;
        Some(view! {
            <section class="sync-panel rejected" role="alert" data-testid="rejected">
                <h2>{t!(i18n, sync.rejected_title)}</h2>
                <p>{t!(i18n, sync.rejected_body)}</p>
                <ul>
                    {problems
                        .into_iter()
                        .map(|p| view! { <li>{move || problem_text(i18n.get_locale(), &p)}</li> })
                        .collect_view()}
                </ul>
            </section>
        })
    };
    view! {
        {conflict}
        {rejected}
        <SaveErrorAlert error=save_error />
    }
}

/// A refusal in the user's language: the field's label and what is wrong with it.
pub(crate) fn problem_text(locale: Locale, p: &SyncProblem) -> String {
    let what = match p.code.as_str() {
        "required" => td_string!(locale, errors.required).to_string(),
        "too_long" => match max_len(&p.field) {
            Some(max) => td_string!(locale, errors.too_long, max).to_string(),
            None => td_string!(locale, sync.problem_other, detail = &p.message).to_string(),
        },
        "out_of_range" => td_string!(locale, errors.out_of_range).to_string(),
        "invalid_phone" => td_string!(locale, errors.invalid_phone).to_string(),
        "deadline_before_found" => td_string!(locale, errors.deadline_before_found).to_string(),
        "wrong_village" => td_string!(locale, sync.wrong_village).to_string(),
        "office_only" => td_string!(locale, sync.office_only).to_string(),
        "newer_schema" => td_string!(locale, sync.newer_schema).to_string(),
        "too_large" => td_string!(locale, sync.too_large).to_string(),
        _ => td_string!(locale, sync.problem_other, detail = &p.message).to_string(),
    };
    match crate::labels::field_label(locale, &p.field) {
        Some(label) => format!("{label}: {what}"),
        None => what,
    }
}

/// The fields in which two copies of a record differ, as (label, mine, theirs).
fn differences(locale: Locale, mine: &Record, theirs: &Record) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut compare = |label: &str, a: String, b: String| {
        if a != b {
            rows.push((label.to_owned(), a, b));
        }
    };
    if theirs.is_deleted() != mine.is_deleted() {
        let state = |r: &Record| {
            if r.is_deleted() {
                td_string!(locale, sync.deleted).to_owned()
            } else {
                td_string!(locale, sync.kept).to_owned()
            }
        };
        compare(td_string!(locale, sync.deleted), state(mine), state(theirs));
    }
    compare(
        td_string!(locale, fields.kind),
        mine.kind().label(locale).to_owned(),
        theirs.kind().label(locale).to_owned(),
    );
    compare(
        td_string!(locale, fields.title),
        mine.title.clone(),
        theirs.title.clone(),
    );
    compare(
        td_string!(locale, fields.village),
        mine.village.clone(),
        theirs.village.clone(),
    );
    compare(
        td_string!(locale, fields.place),
        mine.place.clone(),
        theirs.place.clone(),
    );
    compare(
        td_string!(locale, fields.status),
        mine.status.label(locale).to_owned(),
        theirs.status.label(locale).to_owned(),
    );
    let deadline = |r: &Record| {
        r.deadline
            .map(|d| format::date(locale, d))
            .unwrap_or_default()
    };
    compare(
        td_string!(locale, fields.deadline),
        deadline(mine),
        deadline(theirs),
    );
    let (a, b) = (&mine.responsibility, &theirs.responsibility);
    compare(
        td_string!(locale, fields.leader),
        a.leader.clone(),
        b.leader.clone(),
    );
    compare(
        td_string!(locale, fields.department),
        a.department.clone(),
        b.department.clone(),
    );
    compare(
        td_string!(locale, fields.person),
        a.person.clone(),
        b.person.clone(),
    );
    compare(
        td_string!(locale, fields.phone),
        a.phone.clone(),
        b.phone.clone(),
    );
    let position = |r: &Record| {
        r.position
            .as_ref()
            .map(|p| format!("{:.6}, {:.6}", p.latitude, p.longitude))
            .unwrap_or_default()
    };
    compare(
        td_string!(locale, fields.latitude),
        position(mine),
        position(theirs),
    );
    compare(
        td_string!(locale, fields.notes),
        mine.notes.clone(),
        theirs.notes.clone(),
    );
    compare(
        td_string!(locale, photos.title),
        mine.photos.len().to_string(),
        theirs.photos.len().to_string(),
    );
    // Visits are never lost either way (both sides' are kept); the counts show who has which.
    compare(
        td_string!(locale, fields.visit_count),
        mine.visits.len().to_string(),
        theirs.visits.len().to_string(),
    );
    if mine.kind() == theirs.kind() {
        let ours = kind_rows(locale, &mine.details);
        for ((label, a), (_, b)) in ours.into_iter().zip(kind_rows(locale, &theirs.details)) {
            compare(label, a, b);
        }
    }
    rows
}
