//! The Web Locks binding: one sync at a time across every tab of the app.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::Reflect;
use leptos::prelude::window;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// Web Locks name shared by every tab of the app.
const LOCK: &str = "river-patrol-sync";

/// Runs `work` while holding the app's Web Lock, so tabs sync one after another. Without
/// Web Locks (an old browser) it just runs: this tab's own guard is all there is. `None` if
/// the browser refused the lock request. (Through `Reflect`: web-sys keeps `LockManager`
/// behind an unstable flag, and leptos-use 0.18's `use_web_lock` does not build with the
/// web-sys in Cargo.lock.)
pub async fn exclusively<T: 'static>(work: impl Future<Output = T> + 'static) -> Option<T> {
    let locks = Reflect::get(&window().navigator(), &"locks".into())
        .ok()
        .filter(|l| l.is_object());
    let request = locks.as_ref().and_then(|l| {
        Reflect::get(l, &"request".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work.await);
    };
    let result = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&result);
    // The lock is held until the promise this callback returns settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        future_to_promise(async move {
            let value = work.await;
            slot.borrow_mut().replace(value);
            Ok(JsValue::UNDEFINED)
        })
    });
    let promise = request
        .call2(&locks, &JsValue::from_str(LOCK), &callback)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    JsFuture::from(promise).await.ok()?;
    result.borrow_mut().take()
}
