//! `/import` (导入整改台账): the office's ledger, as saved from Excel, read on the phone. The
//! file is checked first: which columns were recognised, how many problems are new, already
//! on the phone or wrong (each wrong row with its reasons); then the new ones are saved like
//! any problem typed in, and sync from there. They are saved a batch at a time, the page
//! painted between batches with a progress bar; each problem is stored as it is saved, so a
//! reload midway loses none, and the screen then says how far the import got
//! (src/storage/import_run.rs).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use patrol_core::Record;
use patrol_core::import::{ImportPlan, Row, RowProblem, plan};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::components::fields::SaveErrorAlert;
use crate::export::read_ledger_file;
use crate::i18n::*;
use crate::labels::Label;
use crate::notice::{Notice, announce};
use crate::state::Ledger;
use crate::storage::SaveError;
use crate::storage::import_run::{self, ImportRun};
use crate::storage::settings::Settings;
use crate::storage::sync_state::load_progress;

/// What the chosen file holds, split the way the preview shows it.
#[derive(Clone, Debug, Default)]
struct Preview {
    file: String,
    plan: ImportPlan,
    /// Valid rows not on the phone yet.
    new: Vec<Record>,
    /// Valid rows whose problem is on the phone already (imported before).
    already: usize,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let settings = expect_context::<RwSignal<Settings>>();
    let preview = RwSignal::new(None::<Preview>);
    let unreadable = RwSignal::new(false);
    let imported = RwSignal::new(None::<usize>);
    let save_error = RwSignal::new(None::<SaveError>);
    // The new problems saved so far of all, while an import runs.
    let running = RwSignal::new(None::<(usize, usize)>);
    // An import cut short before this screen opened (a reload, the app closed midway); not
    // one this tab is still running after the user left the screen and came back.
    let cut_short = RwSignal::new(import_run::load().filter(|_| !RUNNING.load(Ordering::Relaxed)));

    let pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        imported.set(None);
        save_error.set(None);
        spawn_local(async move {
            match read_ledger_file(&file).await {
                Ok(text) => {
                    let (author, server) =
                        settings.with_untracked(|s| (s.officer.clone(), s.server()));
                    // The server's import ids, once the phone has pulled from it: the same
                    // file then gives the same ids here and at the office.
                    let progress = load_progress();
                    let ids = server.and_then(|s| progress.import_ids_of(&s.base));
                    let plan = plan(&text, &author, Utc::now(), ids);
                    // A tombstone counts as there: an import never brings back a deletion.
                    let known: HashMap<Uuid, String> = ledger.with_all_untracked(|all| {
                        all.iter()
                            .map(|r| (r.id, r.village.trim().to_owned()))
                            .collect()
                    });
                    // There under its id, or under the id it had before import ids were
                    // secret if that record is of the row's own village.
                    let is_there = |row: &Row, record: &Record| {
                        known.contains_key(&record.id)
                            || row.legacy_id.and_then(|id| known.get(&id))
                                == Some(&record.village.trim().to_owned())
                    };
                    let (mut new, mut already) = (Vec::new(), 0);
                    for row in &plan.rows {
                        match &row.outcome {
                            Ok(record) if is_there(row, record) => already += 1,
                            Ok(record) => new.push(record.clone()),
                            Err(_) => {}
                        }
                    }
                    unreadable.set(false);
                    preview.set(Some(Preview {
                        file: file.name(),
                        plan,
                        new,
                        already,
                    }));
                }
                Err(_) => {
                    preview.set(None);
                    unreadable.set(true);
                }
            }
        });
    };

    let import = move |_| {
        let Some(p) = preview.get_untracked() else {
            return;
        };
        if running.get_untracked().is_some() || RUNNING.swap(true, Ordering::Relaxed) {
            return;
        }
        preview.set(None);
        cut_short.set(None);
        let total = p.new.len();
        running.set(Some((0, total)));
        // The screen's owner, for the confirmation at the end (a spawned task has none).
        let owner = Owner::current();
        spawn_local(async move {
            let mut run = ImportRun {
                file: p.file.clone(),
                total,
                saved: 0,
            };
            // Without the note only the message after a reload would be missing.
            let _ = import_run::save(&run);
            let mut failed = None;
            for batch in p.new.chunks(BATCH) {
                for record in batch {
                    match ledger.save(record.clone()) {
                        Ok(_) => run.saved += 1,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                if failed.is_some() {
                    break;
                }
                let _ = import_run::save(&run);
                running.try_set(Some((run.saved, total)));
                // Lets the browser paint the bar and answer taps before the next batch.
                next_turn().await;
            }
            import_run::clear();
            RUNNING.store(false, Ordering::Relaxed);
            running.try_set(None);
            save_error.try_set(failed);
            imported.try_set(Some(run.saved));
            if run.saved > 0
                && let Some(owner) = owner
            {
                owner.with(|| announce(Notice::Saved));
            }
        });
    };

    view! {
        <section class="page import-page">
            <h1>{t!(i18n, import.title)}</h1>
            <p class="hint">{t!(i18n, import.intro)}</p>
            <label class="button secondary file-button" for="import-file">{t!(i18n, import.choose)}</label>
            <input id="import-file" class="visually-hidden" type="file" accept=".csv,text/csv" on:change=pick />
            <Show when=move || unreadable.get()>
                <p class="form-alert" role="alert">{t!(i18n, import.unreadable)}</p>
            </Show>
            {move || cut_short.get().map(|run| view! {
                <div class="import-cut-short" role="status" data-testid="import-cut-short">
                    <p>
                        {move || t_string!(i18n, import.cut_short, file = run.file.clone(), saved = run.saved, total = run.total)}
                    </p>
                    <button type="button" class="secondary" on:click=move |_| {
                        import_run::clear();
                        cut_short.set(None);
                    }>
                        {t!(i18n, import.cut_short_seen)}
                    </button>
                </div>
            })}
            {move || running.get().map(|(saved, total)| view! {
                <div class="import-running" role="status" data-testid="import-running">
                    <p>{t!(i18n, import.saving)}</p>
                    <progress aria-label=move || t_string!(i18n, import.progress) max=total.max(1) value=saved></progress>
                    <p>{move || t_string!(i18n, import.saved_of, saved, total)}</p>
                </div>
            })}
            <SaveErrorAlert error=save_error />
            {move || imported.get().map(|count| view! {
                <div class="import-done" role="status" data-testid="import-done">
                    <p>{t_string!(i18n, import.done, count)}</p>
                    <A href="/" attr:class="button primary">{t!(i18n, import.to_list)}</A>
                </div>
            })}
            {move || preview.get().map(|p| view! { <PreviewView p import /> })}
        </section>
    }
}

#[component]
fn PreviewView(p: Preview, import: impl Fn(leptos::ev::MouseEvent) + 'static) -> impl IntoView {
    let i18n = use_i18n();
    if let Some(why) = p.plan.unusable {
        let file = p.file.clone();
        return view! {
            <p class="form-alert" role="alert" data-testid="import-unusable">
                {move || match why {
                    "empty" => t_string!(i18n, import.empty, file = file.clone()).to_string(),
                    _ => t_string!(i18n, import.no_columns, file = file.clone()).to_string(),
                }}
            </p>
        }
        .into_any();
    }
    let new = p.new.len();
    let already = p.already;
    let bad: Vec<(usize, Vec<RowProblem>)> = p
        .plan
        .rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r.line, e.clone())))
        .collect();
    let bad_count = bad.len();
    let matched: Vec<String> = p
        .plan
        .columns
        .iter()
        .filter(|(_, c)| c.is_some())
        .map(|(h, _)| h.clone())
        .collect();
    let ignored: Vec<String> = p
        .plan
        .columns
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(h, _)| h.clone())
        .collect();
    let file = p.file.clone();
    let first_new: Vec<Record> = p.new.iter().take(5).cloned().collect();
    view! {
        <div class="import-preview" data-testid="import-preview">
            <h2>{file}</h2>
            <p data-testid="import-counts">
                {move || t_string!(i18n, import.counts, new, already, bad = bad_count)}
            </p>
            <p class="hint">{move || t_string!(i18n, import.columns, list = matched.join("、"))}</p>
            {(!ignored.is_empty()).then(|| {
                let list = ignored.join("、");
                view! { <p class="hint">{move || t_string!(i18n, import.ignored, list = list.clone())}</p> }
            })}
            {(!bad.is_empty()).then(|| view! {
                <h3>{t!(i18n, import.bad_title)}</h3>
                <ul class="import-bad" data-testid="import-bad">
                    {bad.into_iter().map(|(line, problems)| view! {
                        <li>{move || {
                            let locale = i18n.get_locale();
                            let reasons: Vec<String> = problems.iter().map(|p| reason(locale, p)).collect();
                            td_string!(locale, import.bad_row, line, reasons = reasons.join("；")).to_string()
                        }}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!first_new.is_empty()).then(|| view! {
                <h3>{t!(i18n, import.new_title)}</h3>
                <ul class="import-new">
                    {first_new.into_iter().map(|r| {
                        let kind = r.kind();
                        view! { <li>{r.village.clone()} " · " {move || kind.label(i18n.get_locale())} " · " {r.title.clone()}</li> }
                    }).collect_view()}
                </ul>
            })}
            <div class="form-actions">
                <button type="button" class="primary" disabled=new == 0 on:click=import>
                    {move || t_string!(i18n, import.confirm, count = new)}
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// Whether this tab is saving an import: the saving goes on when the user leaves the screen.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// How many problems are saved between two paints of the progress bar.
const BATCH: usize = 10;

/// Resolves on the browser's next turn (a zero-delay timer): what it had to do meanwhile (paint
/// the bar, answer a tap) is done first.
async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if web_sys::window()
            .and_then(|w| w.set_timeout_with_callback(&resolve).ok())
            .is_none()
        {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// One reason a row was refused, in the user's language: the column, then what is wrong.
fn reason(locale: Locale, p: &RowProblem) -> String {
    let what = match p.code {
        "unknown_kind" => td_string!(locale, import.unknown_kind),
        "unknown_status" => td_string!(locale, import.unknown_status),
        "bad_date" => td_string!(locale, import.bad_date),
        "bad_number" => td_string!(locale, import.bad_number),
        "position_half" => td_string!(locale, import.position_half),
        "column_count" => td_string!(locale, import.column_count),
        "required" => td_string!(locale, import.required),
        "too_long" => td_string!(locale, import.too_long),
        "out_of_range" => td_string!(locale, import.out_of_range),
        "invalid_phone" => td_string!(locale, import.invalid_phone),
        "deadline_before_found" => td_string!(locale, import.deadline_before_found),
        _ => td_string!(locale, import.invalid),
    };
    match column_label(locale, p.field) {
        Some(column) => format!("{column}：{what}"),
        None => what.to_owned(),
    }
}

fn column_label(locale: Locale, field: &str) -> Option<&'static str> {
    Some(match field {
        "kind" => td_string!(locale, fields.kind),
        "status" => td_string!(locale, fields.status),
        "found" => td_string!(locale, import.found_column),
        "" => return None,
        other => crate::labels::field_label(locale, other)?,
    })
}
