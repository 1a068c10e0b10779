//! Keeps the phone's screen on during a patrol (Screen Wake Lock): a screen that goes dark
//! suspends the page on most phones, and the GPS track stops with it. The browser lets the
//! lock go whenever the page is hidden, so it is taken again each time the app is shown.
//!
//! The API is reached through `Reflect`: web-sys only has it behind its unstable-API flag,
//! and many phones in use (iOS before 16.4, older WebViews) lack it, where
//! [`WakeLock::supported`] is false and the user is told to keep the screen on by hand.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// What [`use_wake_lock`] gives back.
#[derive(Clone, Copy)]
pub struct WakeLock {
    /// The browser has the Screen Wake Lock API.
    pub supported: bool,
    /// The screen is being kept on now.
    pub held: ReadSignal<bool>,
}

/// Keeps the screen on while `wanted` is true and the owner lives; lets it go otherwise.
pub fn use_wake_lock(wanted: Signal<bool>) -> WakeLock {
    let (held, set_held) = signal(false);
    let Some(api) = wake_lock_api() else {
        return WakeLock {
            supported: false,
            held,
        };
    };
    // The lock the browser gave (a WakeLockSentinel), kept to let it go.
    let sentinel = StoredValue::new_local(None::<JsValue>);
    // Set while a request is on its way, so a second one is not made meanwhile.
    let asking = StoredValue::new(false);
    let alive = StoredValue::new(true);

    let release = move || {
        if let Some(lock) = sentinel.try_update_value(Option::take).flatten() {
            call(&lock, "release", &[]);
        }
        set_held.try_set(false);
    };
    let acquire = {
        let api = api.clone();
        move || {
            if asking.get_value() || sentinel.with_value(Option::is_some) || !page_visible() {
                return;
            }
            let Some(promise) = call(&api, "request", &[JsValue::from_str("screen")]) else {
                return;
            };
            asking.set_value(true);
            leptos::task::spawn_local(async move {
                let granted = JsFuture::from(js_sys::Promise::from(promise)).await;
                // The owner may have gone, or the switch turned off, while the browser answered.
                if !alive.try_get_value().unwrap_or(false) {
                    if let Ok(lock) = granted {
                        call(&lock, "release", &[]);
                    }
                    return;
                }
                asking.set_value(false);
                match granted {
                    Ok(lock) if wanted.get_untracked() => {
                        // The browser lets go by itself when the page is hidden.
                        let on_release = Closure::<dyn FnMut()>::new(move || {
                            sentinel.try_set_value(None);
                            set_held.try_set(false);
                        });
                        let _ = js_sys::Reflect::set(
                            &lock,
                            &"onrelease".into(),
                            on_release.as_ref().unchecked_ref(),
                        );
                        on_release.forget();
                        sentinel.set_value(Some(lock));
                        set_held.set(true);
                    }
                    Ok(lock) => {
                        call(&lock, "release", &[]);
                    }
                    // Refused (battery saver, or the page hidden meanwhile): tried again
                    // when the app is shown next.
                    Err(e) => web_sys::console::warn_2(&"wake lock refused:".into(), &e),
                }
            });
        }
    };

    Effect::new({
        let acquire = acquire.clone();
        move |_| {
            if wanted.get() {
                acquire();
            } else {
                release();
            }
        }
    });
    let shown = window_event_listener_untyped("visibilitychange", move |_| {
        if wanted.get_untracked() && page_visible() {
            acquire();
        }
    });
    on_cleanup(move || {
        alive.set_value(false);
        shown.remove();
        release();
    });
    WakeLock {
        supported: true,
        held,
    }
}

/// `navigator.wakeLock`, where the browser has it.
fn wake_lock_api() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"wakeLock".into())
        .ok()
        .filter(|api| api.is_object())
}

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Calls `target.name(args…)`; `None` where it is no function or it threw.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let method: js_sys::Function = js_sys::Reflect::get(target, &name.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args: js_sys::Array = args.iter().collect();
    method.apply(target, &args).ok()
}
