//! The installable app: registers the service worker (public/sw.js), offers a new version when
//! one is installed and waiting, and offers to install the app on the phone.
//!
//! Updates: a new worker waits (sw.js never skips waiting by itself). The app shows a quiet
//! banner; when the user accepts and no form with unsaved edits is open, it posts
//! `{type: "SKIP_WAITING"}` to the waiting worker and reloads when that worker takes control.
//! With a form open the banner asks to save or leave it first (what was typed is a draft
//! already, so nothing is lost either way). See docs/pwa.md.
//!
//! The first minute: until the first service worker holds every file of the build, the app
//! is not yet ready to open without signal. sw.js posts `{type: "PRECACHE_PROGRESS", done,
//! total}` while it downloads; [`OfflineReadiness`] shows that progress, then says once
//! "已可离线使用" when the worker is active, or that getting ready did not finish.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

use crate::i18n::*;

/// How often an open app asks the server whether there is a new version (besides when the
/// connection comes back and when the app is shown again).
const UPDATE_CHECK: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// When a check for a new version fails, it is tried once more after this long.
const RETRY_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// The app's install and update state, provided as a context by [`provide`].
#[derive(Clone, Copy)]
pub struct Pwa {
    /// A new version is installed and waits for the user's go.
    update_ready: RwSignal<bool>,
    /// The user accepted the update while a form had unsaved edits.
    save_first: RwSignal<bool>,
    /// A form with edits not yet saved as a record is open (see [`UnsavedForm`]).
    unsaved_form: RwSignal<bool>,
    /// The browser offered to install the app (`beforeinstallprompt`) and it is not installed.
    can_install: RwSignal<bool>,
    registration: StoredValue<Option<ServiceWorkerRegistration>, LocalStorage>,
    /// The deferred `beforeinstallprompt` event.
    install_prompt: StoredValue<Option<web_sys::Event>, LocalStorage>,
    /// The user accepted: the next controller change is the new version taking over.
    switching: StoredValue<bool>,
    /// How far this phone is from opening the app with no signal (the first visit).
    offline: RwSignal<Offline>,
}

/// Whether the app can open without signal yet, as far as this page has seen.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Offline {
    /// Nothing to say: ready since an earlier visit, or no service worker in this browser.
    Quiet,
    /// The first service worker is downloading the build: `done` of `total` files.
    Preparing { done: u32, total: u32 },
    /// It just finished: said once, until the user closes it.
    JustReady,
    /// It stopped (the connection dropped): the next visit tries again.
    Failed,
}

/// Provides [`Pwa`], registers the service worker and listens for the install prompt.
pub fn provide() {
    let pwa = Pwa {
        update_ready: RwSignal::new(false),
        save_first: RwSignal::new(false),
        unsaved_form: RwSignal::new(false),
        can_install: RwSignal::new(false),
        registration: StoredValue::new_local(None),
        install_prompt: StoredValue::new_local(None),
        switching: StoredValue::new(false),
        offline: RwSignal::new(Offline::Quiet),
    };
    provide_context(pwa);
    // Once the form is saved or left, the "save first" hint has done its job.
    Effect::new(move |_| {
        if !pwa.unsaved_form.get() {
            pwa.save_first.set(false);
        }
    });
    listen_for_install(pwa);
    register(pwa);
}

/// Lets a form say whether it holds edits not yet saved, so an update waits for them.
#[derive(Clone, Copy)]
pub struct UnsavedForm(Option<RwSignal<bool>>);

impl UnsavedForm {
    /// The app's flag (none outside the app, e.g. in component tests).
    pub fn here() -> Self {
        Self(use_context::<Pwa>().map(|p| p.unsaved_form))
    }

    pub fn set(self, unsaved: bool) {
        if let Some(flag) = self.0 {
            flag.try_set(unsaved);
        }
    }
}

fn has_service_worker(navigator: &web_sys::Navigator) -> bool {
    js_sys::Reflect::has(navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false)
}

fn register(pwa: Pwa) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !has_service_worker(&navigator) {
        return;
    }
    let container = navigator.service_worker();
    // The new version took over after the user agreed: load it.
    let on_controller = Closure::<dyn FnMut()>::new(move || {
        if pwa.switching.get_value()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().reload();
        }
    });
    let _ = container.add_event_listener_with_callback(
        "controllerchange",
        on_controller.as_ref().unchecked_ref(),
    );
    on_controller.forget();
    listen_for_progress(pwa, &container);

    spawn_local(async move {
        match JsFuture::from(container.register("/sw.js")).await {
            Ok(reg) => watch(pwa, reg.unchecked_into()),
            Err(e) => web_sys::console::warn_2(&"service worker not registered:".into(), &e),
        }
    });
}

fn has_controller() -> bool {
    web_sys::window()
        .map(|w| w.navigator())
        .filter(has_service_worker)
        .is_some_and(|n| n.service_worker().controller().is_some())
}

fn watch(pwa: Pwa, reg: ServiceWorkerRegistration) {
    pwa.registration.set_value(Some(reg.clone()));
    if reg.active().is_none()
        && let Some(first) = reg.installing().or_else(|| reg.waiting())
    {
        follow_first(pwa, first);
    }
    // Installed by an earlier visit and still waiting.
    if reg.waiting().is_some() && has_controller() {
        pwa.update_ready.set(true);
    }
    if let Some(worker) = reg.installing() {
        follow(pwa, worker);
    }
    let found = reg.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        if let Some(worker) = found.installing() {
            follow(pwa, worker);
        }
    });
    reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();

    // Ask for a new version when the connection comes back, when the app is shown again,
    // and every hour while it stays open.
    let online = window_event_listener_untyped("online", move |_| check_for_update(pwa));
    let shown = window_event_listener_untyped("visibilitychange", move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            check_for_update(pwa);
        }
    });
    let timer = set_interval_with_handle(move || check_for_update(pwa), UPDATE_CHECK).ok();
    // The app lives as long as the page; these go with it.
    std::mem::forget((online, shown, timer));
}

/// The download progress the first worker posts while it installs.
fn listen_for_progress(pwa: Pwa, container: &web_sys::ServiceWorkerContainer) {
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let data = ev.data();
            let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok();
            if field("type").and_then(|t| t.as_string()).as_deref() != Some("PRECACHE_PROGRESS") {
                return;
            }
            let count = |name: &str| field(name).and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
            // Only while the first worker installs: an update's download is not news.
            if matches!(pwa.offline.get_untracked(), Offline::Preparing { .. }) {
                pwa.offline.set(Offline::Preparing {
                    done: count("done"),
                    total: count("total"),
                });
            }
        });
    // onmessage rather than a listener: setting it also starts the delivery of messages,
    // which otherwise wait for startMessages().
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}

/// The first worker of this phone is installing: the app is getting ready to open offline.
fn follow_first(pwa: Pwa, worker: ServiceWorker) {
    pwa.offline.set(Offline::Preparing { done: 0, total: 0 });
    let this = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || match this.state() {
        ServiceWorkerState::Activating | ServiceWorkerState::Activated => {
            // Every file is in the cache once a worker activates (sw.js installs all or none).
            if matches!(pwa.offline.get_untracked(), Offline::Preparing { .. }) {
                pwa.offline.set(Offline::JustReady);
            }
        }
        ServiceWorkerState::Redundant => pwa.offline.set(Offline::Failed),
        _ => {}
    });
    let _ =
        worker.add_event_listener_with_callback("statechange", on_state.as_ref().unchecked_ref());
    on_state.forget();
}

/// How long "已可离线使用" stays before it goes by itself.
const READY_SHOWN: std::time::Duration = std::time::Duration::from_secs(15);

/// "正在准备离线使用 n / m", then "已可离线使用" once; or that it did not finish. A live
/// region, not a `status` role: it is news beside the app's own confirmations, not one of them.
#[component]
pub fn OfflineReadiness() -> impl IntoView {
    let i18n = use_i18n();
    let Some(pwa) = use_context::<Pwa>() else {
        return ().into_any();
    };
    Effect::new(move |_| {
        if pwa.offline.get() == Offline::JustReady {
            set_timeout(
                move || {
                    if pwa.offline.get_untracked() == Offline::JustReady {
                        pwa.offline.set(Offline::Quiet);
                    }
                },
                READY_SHOWN,
            );
        }
    });
    let close = move |_| pwa.offline.set(Offline::Quiet);
    (move || match pwa.offline.get() {
        Offline::Quiet => ().into_any(),
        Offline::Preparing { done, total } => view! {
            <div class="offline-readiness" aria-live="polite" data-testid="offline-preparing">
                <p>
                    {if total == 0 {
                        t_string!(i18n, pwa.offline_preparing_start).to_string()
                    } else {
                        t_string!(i18n, pwa.offline_preparing, done, total).to_string()
                    }}
                </p>
                // The line above says the same in words.
                <progress max=total.max(1) value=done aria-hidden="true"></progress>
            </div>
        }
        .into_any(),
        Offline::JustReady => view! {
            <div class="offline-readiness ready" aria-live="polite" data-testid="offline-ready">
                <p>{t!(i18n, pwa.offline_ready)}</p>
                <button type="button" on:click=close>{t!(i18n, pwa.offline_close)}</button>
            </div>
        }
        .into_any(),
        Offline::Failed => view! {
            <div class="offline-readiness failed" aria-live="polite" data-testid="offline-failed">
                <p>{t!(i18n, pwa.offline_failed)}</p>
                <button type="button" on:click=close>{t!(i18n, pwa.offline_close)}</button>
            </div>
        }
        .into_any(),
    })
    .into_any()
}

/// A new worker is installing: once installed while a page is controlled, it is an update.
fn follow(pwa: Pwa, worker: ServiceWorker) {
    let this = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if this.state() == ServiceWorkerState::Installed && has_controller() {
            pwa.update_ready.set(true);
        }
    });
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

fn check_for_update(pwa: Pwa) {
    check_for_update_then(pwa, true);
}

/// Asks the browser to look for a new sw.js. A failed look (the link is not really up yet, as
/// right after an `online` event on a weak signal) is tried once more a little later.
fn check_for_update_then(pwa: Pwa, retry: bool) {
    let Some(reg) = pwa.registration.get_value() else {
        return;
    };
    let Ok(promise) = reg.update() else {
        return;
    };
    spawn_local(async move {
        if JsFuture::from(promise).await.is_err() && retry {
            set_timeout(move || check_for_update_then(pwa, false), RETRY_CHECK);
        }
    });
}

/// The user accepted the new version.
fn apply_update(pwa: Pwa) {
    if pwa.unsaved_form.get_untracked() {
        pwa.save_first.set(true);
        return;
    }
    let waiting = pwa.registration.get_value().and_then(|r| r.waiting());
    let Some(waiting) = waiting else {
        // It took over meanwhile (e.g. every other tab was closed): just load it.
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
        return;
    };
    pwa.switching.set_value(true);
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
    let _ = waiting.post_message(&message);
}

/// "New version — reload", shown while a new version waits.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let Some(pwa) = use_context::<Pwa>() else {
        return ().into_any();
    };
    view! {
        <Show when=move || pwa.update_ready.get()>
            <div class="update-banner" role="status">
                <p>
                    {move || if pwa.save_first.get() {
                        t_string!(i18n, pwa.update_save_first)
                    } else {
                        t_string!(i18n, pwa.update_ready)
                    }}
                </p>
                <button type="button" on:click=move |_| apply_update(pwa)>
                    {t!(i18n, pwa.update_reload)}
                </button>
            </div>
        </Show>
    }
    .into_any()
}

fn listen_for_install(pwa: Pwa) {
    let offer = window_event_listener_untyped("beforeinstallprompt", move |ev| {
        // Keep the browser's own mini-bar away; the app offers it quietly instead.
        ev.prevent_default();
        pwa.install_prompt.set_value(Some(ev));
        pwa.can_install.set(!standalone());
    });
    let installed = window_event_listener_untyped("appinstalled", move |_| {
        pwa.install_prompt.set_value(None);
        pwa.can_install.set(false);
    });
    std::mem::forget((offer, installed));
}

/// Started from the home screen (installed), not in a browser tab.
pub fn standalone() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let media = window
        .match_media("(display-mode: standalone)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    // iOS Safari's own flag.
    let ios = js_sys::Reflect::get(&window.navigator(), &"standalone".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    media || ios
}

/// Safari on an iPhone or iPad, which has no install prompt: the user adds the app to the home
/// screen from the Share menu. (Chrome, Firefox and Edge on iOS name themselves in the agent;
/// iPadOS Safari says "Macintosh", and only its touch screen tells it from a Mac.)
pub fn is_ios_safari(user_agent: &str, max_touch_points: i32) -> bool {
    let apple_mobile = ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|d| user_agent.contains(d))
        || (user_agent.contains("Macintosh") && max_touch_points > 1);
    let other_browser = ["CriOS", "FxiOS", "EdgiOS", "OPiOS", "GSA/"]
        .iter()
        .any(|b| user_agent.contains(b));
    apple_mobile && user_agent.contains("Safari") && !other_browser
}

fn prompt_install(pwa: Pwa) {
    let Some(event) = pwa.install_prompt.get_value() else {
        return;
    };
    let prompt = js_sys::Reflect::get(&event, &"prompt".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(prompt) = prompt {
        // The event can be used once; the browser fires a new one if the user declines.
        pwa.install_prompt.set_value(None);
        pwa.can_install.set(false);
        if let Ok(shown) = prompt.call0(&event)
            && let Ok(shown) = shown.dyn_into::<js_sys::Promise>()
        {
            spawn_local(async move {
                let _ = JsFuture::from(shown).await;
            });
        }
    }
}

/// "Install on this phone": a button where the browser offers it, a how-to on iOS Safari,
/// nothing when the app already runs installed.
#[component]
pub fn InstallSection() -> impl IntoView {
    let i18n = use_i18n();
    let Some(pwa) = use_context::<Pwa>() else {
        return ().into_any();
    };
    let ios = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Some((n.user_agent().ok()?, n.max_touch_points())))
        .is_some_and(|(ua, touch)| is_ios_safari(&ua, touch));
    if standalone() {
        return ().into_any();
    }
    view! {
        <Show when=move || ios || pwa.can_install.get()>
            <section class="page install" aria-labelledby="install-heading">
                <h2 id="install-heading">{t!(i18n, pwa.install_heading)}</h2>
                <p class="hint">{t!(i18n, pwa.install_why)}</p>
                {move || pwa.can_install.get().then(|| view! {
                    <button type="button" on:click=move |_| prompt_install(pwa)>
                        {t!(i18n, pwa.install_button)}
                    </button>
                })}
                {ios.then(|| view! { <p class="ios-howto">{t!(i18n, pwa.ios_howto)}</p> })}
            </section>
        </Show>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::is_ios_safari;

    #[test]
    fn ios_safari_by_user_agent() {
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let chrome_ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1";
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        let ipados = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
        assert!(is_ios_safari(safari, 5));
        assert!(!is_ios_safari(chrome_ios, 5));
        assert!(!is_ios_safari(android, 5));
        // The same agent: an iPad (touch) or a Mac (none).
        assert!(is_ios_safari(ipados, 5));
        assert!(!is_ios_safari(ipados, 0));
    }
}
