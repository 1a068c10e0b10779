//! The officer's name, village and language; how much storage the app uses.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::Locale as _;

use crate::app::{Notice, announce};
use crate::i18n::*;
use crate::label;
use crate::settings::Settings;
use crate::storage_info::{self, Estimate};
use crate::store::SaveError;
use crate::widgets::{SaveErrorAlert, SelectField, TextField};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let officer = RwSignal::new(settings.with_untracked(|s| s.officer.clone()));
    let village = RwSignal::new(settings.with_untracked(|s| s.village.clone()));
    let save_error = RwSignal::new(None::<SaveError>);

    // Writes first; the remembered settings change only once the write went through.
    let store = move |next: Settings| match next.save() {
        Ok(()) => {
            settings.set(next);
            save_error.set(None);
            true
        }
        Err(e) => {
            save_error.set(Some(e));
            false
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut next = settings.get_untracked();
        next.officer = officer.get_untracked().trim().to_owned();
        next.village = village.get_untracked().trim().to_owned();
        if store(next) {
            announce(Notice::SettingsSaved);
        }
    };
    let languages = Signal::derive(move || {
        Locale::get_all()
            .iter()
            .map(|l| match l {
                Locale::zh_CN => (l.as_str(), td_string!(*l, lang.zh_cn)),
                Locale::en => (l.as_str(), td_string!(*l, lang.en)),
            })
            .collect::<Vec<_>>()
    });
    // A language change applies at once and is remembered at once.
    let on_language = Callback::new(move |tag: String| {
        if let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == tag) {
            i18n.set_locale(*locale);
            let mut next = settings.get_untracked();
            next.language = tag;
            store(next);
        }
    });

    view! {
        <form class="page" on:submit=on_submit novalidate>
            <h1>{t!(i18n, settings.title)}</h1>
            <SelectField id="language" label=label!(i18n, settings.language) options=languages
                value=Signal::derive(move || i18n.get_locale().as_str()) on_change=on_language />
            <TextField id="officer" label=label!(i18n, settings.officer) value=officer
                on_input=Callback::new(move |v| officer.set(v)) autocomplete="name"
                hint=label!(i18n, settings.officer_hint) maxlength=50 />
            <TextField id="village" label=label!(i18n, settings.village) value=village
                on_input=Callback::new(move |v| village.set(v)) hint=label!(i18n, settings.village_hint)
                maxlength=40 />
            <SaveErrorAlert error=save_error />
            <div class="form-actions">
                <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
            </div>
        </form>
        <StorageSection />
        <crate::pwa::InstallSection />
    }
}

/// What the browser says about this app's storage.
#[derive(Clone, Debug, PartialEq)]
struct StorageState {
    estimate: Option<Estimate>,
    persisted: Option<bool>,
    photos: Option<usize>,
}

/// Storage used and available (`navigator.storage.estimate()`), the number of photos kept,
/// and whether the browser may clear it all when the phone runs short of space, with a
/// button to ask for protection (`navigator.storage.persist()`).
#[component]
fn StorageSection() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<StorageState>);
    let denied = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            let read = StorageState {
                estimate: storage_info::estimate().await,
                persisted: storage_info::is_persisted().await,
                photos: crate::photos::ids().await.ok().map(|ids| ids.len()),
            };
            let _ = state.try_set(Some(read));
        })
    };
    load();
    let ask = move |_| {
        spawn_local(async move {
            let granted = storage_info::request_persistence().await;
            let _ = denied.try_set(!granted);
            load();
        })
    };

    let body = move || {
        let locale = i18n.get_locale();
        let Some(s) = state.get() else {
            return view! { <p class="hint">{td_string!(locale, storage.checking)}</p> }.into_any();
        };
        let usage = match s.estimate {
            Some(e) => td_string!(
                locale,
                storage.usage,
                used = storage_info::format_bytes(locale.as_str(), e.usage),
                available = storage_info::format_bytes(locale.as_str(), e.available())
            )
            .to_string(),
            None => td_string!(locale, storage.unknown).to_string(),
        };
        let photos = s
            .photos
            .map(|count| view! { <p class="storage-photos">{td_string!(locale, storage.photos, count).to_string()}</p> });
        let protected = s.persisted == Some(true);
        view! {
            <p class="storage-usage">{usage}</p>
            {photos}
            <p class="storage-persistence" class:protected=protected>
                <span aria-hidden="true">{if protected { "🔒 " } else { "⚠ " }}</span>
                {if protected {
                    td_string!(locale, storage.persistent)
                } else {
                    td_string!(locale, storage.not_persistent)
                }}
            </p>
            {(!protected).then(|| view! {
                <button type="button" class="storage-persist" on:click=ask>
                    {td_string!(locale, storage.persist)}
                </button>
            })}
            <p class="storage-denied" role="status">
                {(!protected && denied.get()).then(|| td_string!(locale, storage.persist_denied))}
            </p>
        }
        .into_any()
    };

    view! {
        <section class="page storage-info" aria-labelledby="storage-title">
            <h2 id="storage-title">{t!(i18n, storage.title)}</h2>
            {body}
        </section>
    }
}
