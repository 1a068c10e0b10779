//! The officer's name, village and language; the sync server and token, with whom the token
//! was issued to (and, for the township office's, the way to its devices and access desk); how
//! much storage the app uses (the offline map area's share too, which can be deleted here).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::Locale as _;
use leptos_router::components::A;

use crate::components::fields::{CheckField, SaveErrorAlert, SelectField, TextField};
use crate::i18n::*;
use crate::label;
use crate::notice::{Notice, announce};
use crate::storage::SaveError;
use crate::storage::quota::{self, Estimate};
use crate::storage::settings::Settings;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let officer = RwSignal::new(settings.with_untracked(|s| s.officer.clone()));
    let village = RwSignal::new(settings.with_untracked(|s| s.village.clone()));
    let save_error = RwSignal::new(None::<SaveError>);
    // The names a connect link's token brings (src/sync/token_holder.rs) may arrive while
    // this form is open: they go into a field still empty, never over what is typed there.
    Effect::new(move |_| {
        let (from_server, its_village) = settings.with(|s| (s.officer.clone(), s.village.clone()));
        if officer.get_untracked().trim().is_empty() && !from_server.is_empty() {
            officer.set(from_server);
        }
        if village.get_untracked().trim().is_empty() && !its_village.is_empty() {
            village.set(its_village);
        }
    });

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
        <PatrolSettings />
        <SyncSettings />
        <StorageSection />
        <crate::components::backup::BackupSection />
        <crate::pwa::InstallSection />
    }
}

/// How the phone behaves on a patrol and what it stamps into photos. A switch applies and
/// is remembered at once.
#[component]
fn PatrolSettings() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let save_error = RwSignal::new(None::<SaveError>);
    let switch = move |apply: fn(&mut Settings, bool)| {
        Callback::new(move |on: bool| {
            let mut next = settings.get_untracked();
            apply(&mut next, on);
            match next.save() {
                Ok(()) => {
                    settings.set(next);
                    save_error.set(None);
                }
                Err(e) => save_error.set(Some(e)),
            }
        })
    };
    view! {
        <section class="page patrol-settings" aria-labelledby="patrol-settings-title">
            <h2 id="patrol-settings-title">{t!(i18n, settings.patrol_photos_title)}</h2>
            <CheckField id="keep_screen_on" label=label!(i18n, settings.keep_screen_on)
                checked=Signal::derive(move || settings.with(|s| s.keep_screen_on))
                on_change=switch(|s, on| s.keep_screen_on = on) />
            <p class="hint">{t!(i18n, settings.track_stops)}</p>
            <CheckField id="watermark" label=label!(i18n, settings.watermark)
                checked=Signal::derive(move || settings.with(|s| s.watermark))
                on_change=switch(|s, on| s.watermark = on) />
            <p class="hint">{t!(i18n, settings.watermark_hint)}</p>
            <SaveErrorAlert error=save_error />
        </section>
    }
}

/// The township server's address and this phone's access token.
#[component]
fn SyncSettings() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let server_url = RwSignal::new(settings.with_untracked(|s| s.server_url.clone()));
    let token = RwSignal::new(settings.with_untracked(|s| s.token.clone()));
    let bad_url = RwSignal::new(false);
    let save_error = RwSignal::new(None::<SaveError>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let url = server_url
            .get_untracked()
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let valid = url.is_empty() || url.starts_with("https://") || url.starts_with("http://");
        bad_url.set(!valid);
        if !valid {
            return;
        }
        let mut next = settings.get_untracked();
        next.server_url = url;
        next.token = token.get_untracked().trim().to_owned();
        match next.save() {
            Ok(()) => {
                settings.set(next);
                save_error.set(None);
                announce(Notice::SettingsSaved);
            }
            Err(e) => save_error.set(Some(e)),
        }
    };
    view! {
        <form class="page sync-settings" on:submit=on_submit novalidate aria-labelledby="sync-title">
            <h2 id="sync-title">{t!(i18n, settings.sync_title)}</h2>
            <TokenHolderLine />
            <TextField id="server_url" label=label!(i18n, settings.server_url) value=server_url
                on_input=Callback::new(move |v| server_url.set(v)) input_type="url" inputmode="url"
                hint=label!(i18n, settings.server_url_hint) maxlength=200 />
            <Show when=move || bad_url.get()>
                <p class="field-error" role="alert">{t!(i18n, settings.server_url_invalid)}</p>
            </Show>
            <TextField id="token" label=label!(i18n, settings.token) value=token
                on_input=Callback::new(move |v| token.set(v)) input_type="password"
                hint=label!(i18n, settings.token_hint) maxlength=200 />
            <SaveErrorAlert error=save_error />
            <div class="form-actions">
                <button type="submit" class="primary">{t!(i18n, settings.sync_save)}</button>
            </div>
        </form>
    }
}

/// Whom this phone's token was issued to, as the settings keep it since the server said so
/// (`GET /api/v1/me`, asked by the sync once for each new token, src/sync/token_holder.rs);
/// asked here only while they do not know it yet, and the answer kept. For a township office
/// token, the way to the desk and to devices and access (src/pages/devices.rs). Nothing
/// without a token, or while its holder is unknown and the server cannot be asked.
#[component]
fn TokenHolderLine() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let server = Memo::new(move |_| settings.with(|s| s.server()));
    let holder = Memo::new(move |_| {
        settings
            .with(|s| s.server().is_some().then(|| s.known_holder()))
            .flatten()
    });
    Effect::new(move |_| {
        let Some(asked) = server.get() else {
            return;
        };
        if holder.get_untracked().is_some() {
            return;
        }
        spawn_local(async move {
            let answer = asked.me().await;
            // Only for the token still set: another may have been saved meanwhile.
            if let Ok(found) = answer
                && server.try_get_untracked().flatten().as_ref() == Some(&asked)
            {
                let mut next = settings.get_untracked();
                next.fill_in_from(&found);
                if next.save().is_ok() {
                    settings.set(next);
                }
            }
        });
    });
    move || {
        holder.get().map(|h| {
            let office = h.village.is_none();
            let place = h
                .village
                .unwrap_or_else(|| t_string!(i18n, devices.office).to_owned());
            view! {
                <p class="token-holder" data-testid="token-holder">
                    {t_string!(i18n, settings.holder, officer = h.officer, place).to_string()}
                </p>
                {office.then(|| view! {
                    <p class="form-actions inline">
                        <A href="/desk" attr:class="button">{t!(i18n, desk.open)}</A>
                        <A href="/devices" attr:class="button">{t!(i18n, settings.devices)}</A>
                    </p>
                })}
            }
        })
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
/// the offline map area with its delete button, and whether the browser may clear it all when the phone runs short of space, with a
/// button to ask for protection (`navigator.storage.persist()`).
#[component]
fn StorageSection() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<StorageState>);
    let denied = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            let read = StorageState {
                estimate: quota::estimate().await,
                persisted: quota::is_persisted().await,
                photos: crate::storage::photos::ids()
                    .await
                    .ok()
                    .map(|ids| ids.len()),
            };
            let _ = state.try_set(Some(read));
        })
    };
    load();
    let ask = move |_| {
        spawn_local(async move {
            let granted = quota::request_persistence().await;
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
                used = quota::format_bytes(locale.as_str(), e.usage),
                available = quota::format_bytes(locale.as_str(), e.available())
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
            <crate::components::offline_area::OfflineAreaStorage on_deleted=Callback::new(move |()| load()) />
            <p class="storage-persistence" class:protected=protected>
                <span aria-hidden="true">{if protected { "🔒 " } else { "⚠ " }}</span>
                {if protected {
                    td_string!(locale, storage.persistent)
                } else {
                    td_string!(locale, storage.not_persistent)
                }}
            </p>
            // Only where the browser can be asked (`None`: it has no persist() to ask).
            {(s.persisted == Some(false)).then(|| view! {
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
