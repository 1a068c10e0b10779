//! One record, every field, with edit and delete; its photos shared to another app where the
//! phone can share files; and, for the township office, dispatching (交办) a problem that is
//! not yet the township's to its village, with its responsible people and deadline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use patrol_core::dispatch::{DispatchError, DispatchUpdate};
use patrol_core::workflow::DeadlineState;
use patrol_core::*;
use uuid::Uuid;

use crate::components::deadline::DeadlineBadge;
use crate::components::dialog::ConfirmDialog;
use crate::components::fields::{
    ClockAlert, FormIssue, Issues, ResponsibilityFields, SaveErrorAlert, clock_for_save,
    focus_field,
};
use crate::components::history::History;
use crate::components::photos::{PhotoGallery, TakenFor};
use crate::components::record_fields::{kind_rows, text_or_blank};
use crate::components::share::{ShareAlert, note_share};
use crate::components::sync_status::{RecordSyncPanel, SyncBadge};
use crate::format;
use crate::i18n::*;
use crate::label;
use crate::labels::{Label, kind_icon};
use crate::notice::{Notice, announce};
use crate::share::{self, ShareFailure};
use crate::state::Ledger;
use crate::storage::settings::Settings;
use crate::storage::{SaveError, records};

#[component]
pub fn RecordDetail() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let ledger = expect_context::<Ledger>();
    let record = Memo::new(move |_| {
        params
            .with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()))
            .and_then(|id| ledger.get(&id))
    });
    move || match record.get() {
        Some(record) => view! { <RecordView record /> }.into_any(),
        None => view! {
            <section class="page">
                <p class="warning">{t!(i18n, detail.not_found)}</p>
                <A href="/" attr:class="button">{t!(i18n, detail.back)}</A>
            </section>
        }
        .into_any(),
    }
}

/// `tel:` link for a number as typed (`138-1234-5678` → `tel:13812345678`).
fn tel_href(number: &str) -> String {
    let dial: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{dial}")
}

/// Every row of the record, in the order of the form.
fn rows(locale: Locale, r: &Record) -> Vec<(&'static str, String)> {
    let mut rows = vec![(
        td_string!(locale, fields.kind),
        r.kind().label(locale).to_owned(),
    )];
    rows.extend(kind_rows(locale, &r.details));
    rows.push((
        td_string!(locale, fields.village),
        text_or_blank(&r.village),
    ));
    rows.push((td_string!(locale, fields.place), text_or_blank(&r.place)));
    if let Some(p) = &r.position {
        rows.push((td_string!(locale, fields.latitude), p.latitude.to_string()));
        rows.push((
            td_string!(locale, fields.longitude),
            p.longitude.to_string(),
        ));
        if let Some(metres) = p.accuracy_m {
            let metres = format!("{metres:.0}");
            rows.push((
                td_string!(locale, fields.accuracy),
                td_string!(locale, detail.accuracy_m, metres).to_string(),
            ));
        }
        let found_by = match p.found_by() {
            PositionSource::Gps => td_string!(locale, detail.found_by_gps),
            PositionSource::Typed => td_string!(locale, detail.found_by_typed),
            PositionSource::Map => td_string!(locale, detail.found_by_map),
        };
        rows.push((td_string!(locale, fields.found_by), found_by.to_owned()));
    }
    let who = &r.responsibility;
    rows.push((
        td_string!(locale, fields.leader),
        text_or_blank(&who.leader),
    ));
    rows.push((
        td_string!(locale, fields.department),
        text_or_blank(&who.department),
    ));
    rows.push((
        td_string!(locale, fields.person),
        text_or_blank(&who.person),
    ));
    rows.push((td_string!(locale, fields.phone), text_or_blank(&who.phone)));
    rows.push((
        td_string!(locale, fields.deadline),
        r.deadline
            .map(|d| format::date(locale, d))
            .unwrap_or_default(),
    ));
    rows.push((
        td_string!(locale, fields.status),
        r.status.label(locale).to_owned(),
    ));
    if let Some(fixed) = r.fixed_at() {
        rows.push((
            td_string!(locale, fields.fixed_at),
            format::date_time(locale, fixed),
        ));
    }
    if let Some(dispatched) = &r.dispatched {
        rows.push((
            td_string!(locale, dispatch.row),
            td_string!(
                locale,
                dispatch.by,
                by = dispatched.by.trim(),
                at = format::date_time(locale, dispatched.at)
            )
            .to_string(),
        ));
    }
    rows.push((td_string!(locale, fields.notes), text_or_blank(&r.notes)));
    rows.push((td_string!(locale, fields.author), text_or_blank(&r.author)));
    rows.push((
        td_string!(locale, fields.created),
        format::date_time(locale, r.created_at),
    ));
    rows.push((
        td_string!(locale, fields.updated),
        format::date_time(locale, r.updated_at),
    ));
    rows
}

#[component]
fn RecordView(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<SaveError>);
    let id = record.id;
    let kind = record.kind();
    let status = record.status;
    // A problem the township dispatched is new on the list until it is opened here.
    let dispatched = record.dispatched.is_some();
    if dispatched {
        let _ = crate::storage::opened::mark_opened(id);
    }
    // The office may dispatch a problem of the village's that the township has not yet: one
    // not closed (a deleted one is not shown at all).
    let dispatchable = !dispatched
        && status != Status::Closed
        && use_context::<RwSignal<Settings>>()
            .is_some_and(|s| s.with_untracked(Settings::is_office));
    let dispatching = RwSignal::new(false);
    let title = record.title.trim().to_owned();
    let for_dispatch = record.clone();
    let photo_ids: Vec<Uuid> = record.all_photos().map(|p| p.id).collect();
    // Offered only where the phone can hand JPEG files to another app (src/share.rs).
    let can_share_photos =
        !photo_ids.is_empty() && share::can_share_files("photo.jpg", "image/jpeg");
    let share_failed = RwSignal::new(None::<ShareFailure>);
    let photos_missing = RwSignal::new(false);
    let share_text = [
        record.title.trim(),
        record.village.trim(),
        record.place.trim(),
    ]
    .into_iter()
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let share_photos = move |_| {
        let ids = photo_ids.clone();
        let text = share_text.clone();
        photos_missing.set(false);
        leptos::task::spawn_local(async move {
            let code = patrol_core::watermark::short_code(id);
            let mut files = Vec::new();
            for (n, photo) in ids.into_iter().enumerate() {
                // A photo the phone has not downloaded from the township yet is left out.
                if let Ok(Some(blob)) = crate::storage::photos::get(photo).await
                    && let Ok(file) =
                        share::blob_file(&format!("{code}-{}.jpg", n + 1), "image/jpeg", &blob)
                {
                    files.push(file);
                }
            }
            if files.is_empty() {
                photos_missing.try_set(true);
                return;
            }
            note_share(share_failed, share::share(&files, &text, &text).await);
        });
    };
    let shown = record.clone();
    let shown_history = record.clone();

    let delete = move |_| match ledger.delete(&id) {
        Ok(()) => {
            ledger.tidy_photos();
            announce(Notice::Deleted);
            navigate("/", Default::default());
        }
        Err(e) => {
            confirming.set(false);
            delete_error.set(Some(e));
        }
    };

    view! {
        <article class="page record-detail">
            <header class="detail-head">
                <span class="kind-icon large" aria-hidden="true">{kind_icon(kind)}</span>
                <h1>
                    {move || if title.is_empty() { kind.label(i18n.get_locale()).to_owned() } else { title.clone() }}
                </h1>
                <span class=format!("status status-{}", status.as_str())>{move || status.label(i18n.get_locale())}</span>
                {dispatched.then(|| view! { <span class="badge dispatched">{t!(i18n, dispatch.badge)}</span> })}
                <SyncBadge record=shown.clone() />
                <DeadlineBadge state=DeadlineState::on(shown.deadline, shown.status, format::today()) />
            </header>
            <RecordSyncPanel record=shown.clone() />
            {(!shown.photos.is_empty()).then(|| {
                let taken_for = TakenFor { at: shown.created_at, position: shown.position.clone() };
                view! { <PhotoGallery photos=shown.photos.clone() taken_for /> }
            })}
            {can_share_photos.then(|| view! {
                <div class="share-photos">
                    <button type="button" class="secondary" on:click=share_photos>{t!(i18n, share.photos)}</button>
                    <Show when=move || photos_missing.get()>
                        <p class="field-error" role="alert">{t!(i18n, share.no_photos)}</p>
                    </Show>
                    <ShareAlert failure=share_failed />
                </div>
            })}
            <dl class="fields">
                {move || {
                    let locale = i18n.get_locale();
                    rows(locale, &shown)
                        .into_iter()
                        .map(|(label, value)| {
                            let blank = value.is_empty();
                            // The responsible person's number is a tap-to-call link.
                            let call = (!blank && label == td_string!(locale, fields.phone))
                                .then(|| tel_href(&value));
                            let value = if blank { td_string!(locale, detail.not_given).to_owned() } else { value };
                            let shown = match call {
                                Some(href) => view! { <a href=href>{value}</a> }.into_any(),
                                None => value.into_any(),
                            };
                            view! {
                                <div class="field-row">
                                    <dt>{label}</dt>
                                    <dd class:blank=blank>{shown}</dd>
                                </div>
                            }
                        })
                        .collect_view()
                }}
            </dl>
            <History record=shown_history />
            <SaveErrorAlert error=delete_error />
            <Show when=move || dispatching.get()>
                <DispatchForm record=for_dispatch.clone() done=Callback::new(move |()| dispatching.set(false)) />
            </Show>
            <div class="form-actions">
                <A href=format!("/records/{id}/follow-up") attr:class="button primary">{t!(i18n, detail.follow_up)}</A>
                {dispatchable.then(|| view! {
                    <button type="button" class="secondary" data-testid="dispatch-open"
                        aria-expanded=move || dispatching.get().to_string()
                        on:click=move |_| dispatching.update(|open| *open = !*open)>
                        {t!(i18n, dispatch.assign)}
                    </button>
                })}
                <A href=format!("/records/{id}/edit") attr:class="button secondary">{t!(i18n, detail.edit)}</A>
                <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                    {t!(i18n, detail.delete)}
                </button>
            </div>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    id="delete"
                    title=label!(i18n, confirm.delete_title)
                    body=label!(i18n, confirm.delete_body)
                    confirm=label!(i18n, confirm.delete_yes)
                    cancel=label!(i18n, confirm.cancel)
                    on_confirm=Callback::new(delete.clone())
                    on_cancel=Callback::new(move |_| confirming.set(false))
                />
            </Show>
        </article>
    }
}

/// Why a dispatch was refused, in the user's language (a refused field is shown at the field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    Deleted,
    Closed,
}

/// Dispatching (交办) this problem to its village: its responsible people and deadline, as the
/// record has them until changed here. Saved to this phone's copy like any edit, so it goes
/// to the township's server with the next sync, offline first; the village's phones then pull
/// it marked new (新交办).
#[component]
fn DispatchForm(record: Record, done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let settings = expect_context::<RwSignal<Settings>>();
    let issues: Issues = RwSignal::new(Vec::new());
    provide_context(issues);
    let save_error = RwSignal::new(None::<SaveError>);
    let clock_wrong = RwSignal::new(false);
    let refused = RwSignal::new(None::<Refused>);
    let id = record.id;
    let village = record.village.trim().to_owned();
    let form = RwSignal::new(record);
    // Opened, the form takes the focus: on a phone it is below the problem's history.
    Effect::new(move |_| focus_field(validate::field::LEADER));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(now) = clock_for_save(clock_wrong) else {
            return;
        };
        // On top of the copy stored now: a sync may have changed it since the page opened.
        let Some(mut latest) = records::load(id).or_else(|| ledger.get_untracked(&id)) else {
            refused.set(Some(Refused::Deleted));
            return;
        };
        let (responsibility, deadline) =
            form.with_untracked(|r| (r.responsibility.clone(), r.deadline));
        // The form shows the deadline the problem has: emptied there, the problem has none.
        if deadline.is_none() {
            latest.deadline = None;
        }
        let update = DispatchUpdate {
            responsibility: Some(responsibility),
            deadline,
        };
        let by = settings.with_untracked(|s| s.officer.trim().to_owned());
        match latest.dispatch(update, &by, now) {
            Err(DispatchError::Deleted) => refused.set(Some(Refused::Deleted)),
            Err(DispatchError::Closed) => refused.set(Some(Refused::Closed)),
            Err(DispatchError::Invalid(errors)) => {
                if let Some(first) = errors.first() {
                    focus_field(first.field);
                }
                issues.set(errors.into_iter().map(FormIssue::from).collect());
            }
            Ok(()) => match ledger.save(latest) {
                Ok(_) => {
                    save_error.set(None);
                    announce(Notice::Saved);
                    done.run(());
                }
                Err(e) => save_error.set(Some(e)),
            },
        }
    };

    view! {
        <form class="dispatch-form" on:submit=on_submit novalidate aria-labelledby="dispatch-heading">
            <h2 id="dispatch-heading">{t!(i18n, dispatch.heading)}</h2>
            <p class="hint">{move || t_string!(i18n, dispatch.hint, village = village.clone())}</p>
            <fieldset>
                <legend>{t!(i18n, sections.responsibility)}</legend>
                <ResponsibilityFields record=form />
            </fieldset>
            {move || refused.get().map(|why| view! {
                <p class="form-alert" role="alert">
                    {move || match why {
                        Refused::Deleted => t_string!(i18n, dispatch.deleted),
                        Refused::Closed => t_string!(i18n, dispatch.closed),
                    }}
                </p>
            })}
            <SaveErrorAlert error=save_error />
            <ClockAlert wrong=clock_wrong />
            <div class="form-actions inline">
                <button type="submit" class="primary">{t!(i18n, dispatch.confirm)}</button>
                <button type="button" class="secondary" on:click=move |_| done.run(())>
                    {t!(i18n, form.cancel)}
                </button>
            </div>
        </form>
    }
}
