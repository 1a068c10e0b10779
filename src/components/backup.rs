//! Backup and restore on the settings screen: everything on the phone to one file the user
//! keeps, and back from it (see `crate::backup`).

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use patrol_core::backup::{BackupError, RestoreReport};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::backup::{self, BackupFailure, Made, Step};
use crate::i18n::*;
use crate::state::Ledger;
use crate::state::Patrols;

#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    /// Photos read of all, so far.
    Exporting(Step),
    Exported(Made),
    ExportFailed(BackupFailure),
    /// Photos written of all (and the records as the last step), so far.
    Restoring(Step),
    Restored(RestoreReport),
    RestoreFailed(BackupFailure),
}

#[component]
pub fn BackupSection() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let patrols = expect_context::<Patrols>();
    let progress = RwSignal::new(Progress::Idle);
    let busy = move || {
        matches!(
            progress.get(),
            Progress::Exporting(_) | Progress::Restoring(_)
        )
    };

    let export = move |_| {
        progress.set(Progress::Exporting(Step::default()));
        let name = t_string!(i18n, backup.file, date = crate::format::today()).to_string();
        spawn_local(async move {
            let on_step = move |step| {
                let _ = progress.try_set(Progress::Exporting(step));
            };
            let done = match backup::make(Utc::now(), on_step).await {
                Ok((file, made)) => match crate::export::offer_download(&file, &name) {
                    Ok(()) => Progress::Exported(made),
                    Err(e) => Progress::ExportFailed(BackupFailure::Failed(format!("{e:?}"))),
                },
                Err(e) => Progress::ExportFailed(e),
            };
            let _ = progress.try_set(done);
        });
    };
    let pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Cleared at once, so that picking the same file again restores it again.
        input.set_value("");
        progress.set(Progress::Restoring(Step::default()));
        spawn_local(async move {
            let on_step = move |step| {
                let _ = progress.try_set(Progress::Restoring(step));
            };
            let done = match backup::restore(&file, &ledger, &patrols, on_step).await {
                Ok(report) => Progress::Restored(report),
                Err(e) => Progress::RestoreFailed(e),
            };
            let _ = progress.try_set(done);
        });
    };

    let status = move || {
        let locale = i18n.get_locale();
        match progress.get() {
            Progress::Idle => ().into_any(),
            Progress::Exporting(step) => {
                let text = td_string!(locale, backup.exporting);
                let label = td_string!(locale, backup.export_progress);
                view! { <StepBar text label step /> }.into_any()
            }
            Progress::Restoring(step) => {
                let text = td_string!(locale, backup.restoring);
                let label = td_string!(locale, backup.restore_progress);
                view! { <StepBar text label step /> }.into_any()
            }
            Progress::Exported(made) => view! {
                <p class="backup-done">
                    {td_string!(locale, backup.exported, records = made.records,
                        patrols = made.patrols, photos = made.photos).to_string()}
                </p>
            }
            .into_any(),
            Progress::Restored(report) => view! { <RestoreReportView report /> }.into_any(),
            Progress::ExportFailed(e) | Progress::RestoreFailed(e) => {
                view! { <p class="field-error" role="alert">{failure_text(locale, &e)}</p> }
                    .into_any()
            }
        }
    };

    view! {
        <section class="page backup" aria-labelledby="backup-title">
            <h2 id="backup-title">{t!(i18n, backup.title)}</h2>
            <p class="hint">{t!(i18n, backup.intro)}</p>
            <div class="form-actions inline backup-actions">
                <button type="button" class="primary backup-export" on:click=export disabled=busy>
                    {t!(i18n, backup.export)}
                </button>
                <label class="button secondary file-button" for="backup-file"
                    class:disabled=busy>{t!(i18n, backup.restore)}</label>
                <input id="backup-file" class="visually-hidden" type="file"
                    accept=".zip,application/zip" on:change=pick disabled=busy />
            </div>
            <p class="hint">{t!(i18n, backup.restore_hint)}</p>
            <div class="backup-status" aria-live="polite">{status}</div>
        </section>
    }
}

/// What the long task is doing, with a bar that fills as its photos go by.
#[component]
fn StepBar(text: &'static str, label: &'static str, step: Step) -> impl IntoView {
    view! {
        <p>{text}</p>
        <progress aria-label=label max=step.total.max(1) value=step.done></progress>
    }
}

fn failure_text(locale: Locale, failure: &BackupFailure) -> String {
    match failure {
        BackupFailure::File(BackupError::NotABackup) => td_string!(locale, backup.not_a_backup),
        BackupFailure::File(BackupError::NewerFormat { .. }) => {
            td_string!(locale, backup.newer_format)
        }
        BackupFailure::File(BackupError::Damaged(_)) => td_string!(locale, backup.damaged),
        BackupFailure::File(BackupError::TooLarge) => td_string!(locale, backup.too_large),
        BackupFailure::Full => td_string!(locale, backup.full),
        BackupFailure::Failed(why) => {
            leptos::logging::warn!("backup: {why}");
            td_string!(locale, backup.failed)
        }
    }
    .to_string()
}

/// What a restore did, one line per kind of change that happened.
#[component]
fn RestoreReportView(report: RestoreReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // One line per count: the report's field and its catalogue key.
    macro_rules! lines {
        ($($field:ident => $section:ident . $key:ident),* $(,)?) => {
            [$((report.$field, td_string!(locale, $section.$key, count = report.$field).to_string())),*]
        };
    }
    let lines = lines!(
        records_added => backup.records_added,
        records_updated => backup.records_updated,
        records_unchanged => backup.records_unchanged,
        records_kept => backup.records_kept,
        records_unreadable => backup.records_unreadable,
        patrols_added => backup.patrols_added,
        patrols_updated => backup.patrols_updated,
        patrols_unchanged => backup.patrols_unchanged,
        photos_added => backup.photos_added,
        photos_unchanged => backup.photos_unchanged,
        photos_damaged => backup.photos_damaged,
    );
    let title = if report.changed_nothing() {
        td_string!(locale, backup.restored_nothing)
    } else {
        td_string!(locale, backup.restored)
    };
    view! {
        <div class="backup-report">
            <p class="backup-done">{title}</p>
            <ul>
                {lines
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(_, line)| view! { <li>{line}</li> })
                    .collect_view()}
            </ul>
        </div>
    }
}
