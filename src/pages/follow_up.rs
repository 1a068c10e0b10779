//! `/records/:id/follow-up` (复查): a later visit to a problem with photos, position, notes and
//! the status it leaves, and the problem's history on its page. A saved visit never changes.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use patrol_core::draft::FollowUpDraft;
use patrol_core::validate::field;
use patrol_core::*;
use uuid::Uuid;

use crate::components::draft_autosave::use_draft_autosave;
use crate::components::fields::{
    ClockAlert, FormIssue, Issues, SaveErrorAlert, TextField, choice_field_among, clock_for_save,
    focus_field,
};
use crate::components::not_found::NotFound;
use crate::components::photos::{PhotoPicker, StampFacts};
use crate::components::position::PositionField;
use crate::i18n::*;
use crate::label;
use crate::labels::Label;
use crate::notice::{Notice, announce};
use crate::state::Ledger;
use crate::storage::settings::Settings;
use crate::storage::{SaveError, drafts, records};

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let params = use_params_map();
    let ledger = expect_context::<Ledger>();
    move || {
        let id = params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
        match id.and_then(|id| ledger.get_untracked(&id)) {
            Some(record) => view! { <FollowUpForm record /> }.into_any(),
            None => view! { <NotFound /> }.into_any(),
        }
    }
}

#[component]
fn FollowUpForm(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let settings = expect_context::<RwSignal<Settings>>();
    let navigate = use_navigate();
    let issues: Issues = RwSignal::new(Vec::new());
    provide_context(issues);
    let save_error = RwSignal::new(None::<SaveError>);
    let clock_wrong = RwSignal::new(false);
    let refused = RwSignal::new(None::<workflow::RefusedTransition>);

    let id = record.id;
    let current = record.status;
    // A draft whose visit the record already has was saved; the app was killed before it
    // removed the draft. It holds nothing unsaved.
    let saved_before = |d: &FollowUpDraft| {
        d.visit
            .is_some_and(|v| record.visits.iter().any(|visit| visit.id == v))
    };
    let resumed = match drafts::load_follow_up(id) {
        Some(d) if saved_before(&d) => {
            drafts::remove_follow_up(id);
            None
        }
        found => found.filter(|d| d.from == current),
    };
    // The visit's id, kept in the draft, so that saving the same draft twice adds one visit.
    let visit = resumed
        .as_ref()
        .and_then(|d| d.visit)
        .unwrap_or_else(Uuid::new_v4);
    // Checking a problem off (销号) is the township office's: a phone connected with a
    // village's token never offers it (the server would refuse it too). A phone connected to
    // no township keeps the whole workflow. The office's visit to a fixed problem is its check:
    // closed, or sent back to open with the reason.
    let (office, connected) =
        settings.with_untracked(|s| (s.is_office(), !s.token.trim().is_empty()));
    let reviewing = office && current == Status::Fixed;
    let allowed = move |s: Status| {
        current.can_become(s) && (s != Status::Closed || current == s || office || !connected)
    };
    // The likeliest next step is offered first: the workflow's first move from here.
    let to = RwSignal::new(resumed.as_ref().map_or_else(
        || {
            current
                .next()
                .iter()
                .copied()
                .find(|s| allowed(*s))
                .unwrap_or(current)
        },
        |d| d.to,
    ));
    let notes = RwSignal::new(
        resumed
            .as_ref()
            .map(|d| d.notes.clone())
            .unwrap_or_default(),
    );
    let photos = RwSignal::new(
        resumed
            .as_ref()
            .map(|d| d.photos.clone())
            .unwrap_or_default(),
    );
    let fix = RwSignal::new(resumed.and_then(|d| d.position));
    // PositionField writes the coordinates here too; the fix it took is what is saved.
    let (latitude, longitude) = (RwSignal::new(String::new()), RwSignal::new(String::new()));

    let draft = move || {
        Some(FollowUpDraft {
            visit: Some(visit),
            from: current,
            to: to.try_get_untracked()?,
            notes: notes.try_get_untracked()?,
            photos: photos.try_get_untracked()?,
            position: fix.try_get_untracked()?,
        })
    };
    let autosave = use_draft_autosave(
        move || {
            to.track();
            notes.track();
            photos.track();
            fix.track();
        },
        move || draft().map(|d| drafts::save_follow_up(id, &d)),
    );
    let draft_error = autosave.error;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(now) = clock_for_save(clock_wrong) else {
            return;
        };
        // On top of the copy stored now: a sync may have brought the office's change.
        let Some(mut latest) = records::load(id).or_else(|| ledger.get_untracked(&id)) else {
            return;
        };
        // A fix taken while the clock was wrong (set right since) is dated now.
        let position = fix.get_untracked().map(|mut p| {
            p.taken_at = validate::or_now(p.taken_at, now);
            p
        });
        let follow_up = FollowUp {
            to: to.get_untracked(),
            notes: notes.get_untracked(),
            position,
            photos: photos.get_untracked(),
            patrol: crate::storage::patrols::active_patrol_id(),
        };
        let author = settings.with_untracked(|s| s.officer.clone());
        let made = if reviewing && follow_up.to != Status::Fixed {
            latest.review_as(visit, follow_up, &author, now)
        } else {
            latest.follow_up_as(visit, follow_up, &author, now)
        };
        match made {
            Err(FollowUpError::Refused(why)) => refused.set(Some(why)),
            Err(FollowUpError::Invalid(errors)) => {
                if let Some(first) = errors.first() {
                    focus_field(first.field);
                }
                issues.set(errors.into_iter().map(FormIssue::from).collect())
            }
            Ok(_) => match ledger.save(latest) {
                Ok(saved) => {
                    autosave.saved();
                    drafts::remove_follow_up(id);
                    announce(Notice::Saved);
                    navigate(&format!("/records/{}", saved.id), Default::default());
                }
                Err(e) => save_error.set(Some(e)),
            },
        }
    };

    let title = if record.title.trim().is_empty() {
        None
    } else {
        Some(record.title.clone())
    };
    let kind = record.kind();
    // A follow-up photo is stamped with the problem's record and where the phone is now.
    let (village, place) = (record.village.clone(), record.place.clone());
    let stamp_facts = Signal::derive(move || StampFacts {
        record: id,
        kind,
        village: village.clone(),
        place: place.clone(),
        position: fix.try_get_untracked().flatten(),
    });
    view! {
        <form class="page follow-up-form" on:submit=on_submit novalidate>
            <h1>{t!(i18n, follow_up.heading)}</h1>
            <p class="follow-up-of">
                {move || title.clone().unwrap_or_else(|| kind.label(i18n.get_locale()).to_owned())}
                " · "
                <span class=format!("status status-{}", current.as_str())>{move || current.label(i18n.get_locale())}</span>
            </p>
            {move || {
                draft_error
                    .get()
                    .map(|e| view! { <p class="warning">{t!(i18n, drafts.not_kept)} " " {crate::components::fields::save_error_message(i18n.get_locale(), &e)}</p> })
            }}
            {move || {
                refused.get().map(|why| {
                    let locale = i18n.get_locale();
                    let (from, to) = (why.from.label(locale), why.to.label(locale));
                    view! { <p class="form-alert" role="alert">{t_string!(i18n, follow_up.refused, from, to)}</p> }
                })
            }}
            <fieldset>
                <legend>{t!(i18n, follow_up.result)}</legend>
                {choice_field_among(
                    "follow_up_status",
                    label!(i18n, follow_up.new_status),
                    move || to.get(),
                    move |s| to.set(s),
                    allowed,
                )}
                <p class="field-hint">
                    {move || t_string!(i18n, follow_up.same_status_hint, status = current.label(i18n.get_locale()))}
                </p>
                // Checking a problem off is the township's acceptance, not the village's own
                // word that the work is done.
                <p class="field-hint" data-testid="who-closes">
                    {move || {
                        let locale = i18n.get_locale();
                        let (closed, fixed, open) = (Status::Closed.label(locale), Status::Fixed.label(locale), Status::Open.label(locale));
                        if reviewing {
                            td_string!(locale, follow_up.office_checks, closed, open).to_string()
                        } else {
                            td_string!(locale, follow_up.who_closes, closed, fixed).to_string()
                        }
                    }}
                </p>
                <PhotoPicker photos facts=stamp_facts />
                <TextField id=field::NOTES label=label!(i18n, follow_up.notes) value=notes
                    on_input=Callback::new(move |v| notes.set(v)) multiline=true />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, sections.location)}</legend>
                <PositionField latitude longitude fix />
            </fieldset>
            <SaveErrorAlert error=save_error />
            <ClockAlert wrong=clock_wrong />
            <div class="form-actions">
                <button type="submit" class="primary">{t!(i18n, follow_up.save)}</button>
                <A href=format!("/records/{id}") attr:class="button secondary">{t!(i18n, form.cancel)}</A>
            </div>
        </form>
    }
}
