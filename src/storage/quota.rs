//! The browser's storage for this app: how much is used and allowed
//! (`navigator.storage.estimate()`), and whether it is persistent, i.e. safe from the
//! browser's automatic clean-up when the phone runs short of space (`persist()`).

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

/// Bytes used by this site and the most the browser will let it use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub usage: f64,
    pub quota: f64,
}

impl Estimate {
    /// What is left before the browser refuses writes.
    pub fn available(&self) -> f64 {
        (self.quota - self.usage).max(0.0)
    }
}

/// `navigator.storage`, where the browser has it (secure contexts only).
fn manager() -> Option<StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Missing on plain http (not localhost) and very old browsers; web-sys would not notice.
    let storage = Reflect::get(&navigator, &"storage".into()).ok()?;
    if storage.is_undefined() || storage.is_null() {
        return None;
    }
    Some(navigator.storage())
}

async fn call(promise: Result<js_sys::Promise, JsValue>) -> Option<JsValue> {
    JsFuture::from(promise.ok()?).await.ok()
}

/// Asks the browser to keep this app's storage (records and photos) even when the phone
/// runs short of space. Returns whether storage is persistent afterwards. Chrome decides by
/// itself (an installed app is usually granted it, silently); Firefox may ask the user.
pub async fn request_persistence() -> bool {
    let Some(manager) = manager() else {
        return false;
    };
    if is_persisted_with(&manager).await == Some(true) {
        return true;
    }
    call(manager.persist())
        .await
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

async fn is_persisted_with(manager: &StorageManager) -> Option<bool> {
    call(manager.persisted()).await.and_then(|v| v.as_bool())
}

/// Whether storage is persistent; `None` when the browser cannot tell.
pub async fn is_persisted() -> Option<bool> {
    is_persisted_with(&manager()?).await
}

/// Usage and quota; `None` when the browser cannot tell.
pub async fn estimate() -> Option<Estimate> {
    let value = call(manager()?.estimate()).await?;
    let estimate: StorageEstimate = value.unchecked_into();
    Some(Estimate {
        usage: estimate.get_usage()?,
        quota: estimate.get_quota()?,
    })
}

/// A size for people, in the locale's own number format: "340 kB", "12.3 MB", "1.2 GB"
/// (decimal units, as phones show them).
pub fn format_bytes(locale: &str, bytes: f64) -> String {
    const UNITS: [(&str, f64); 4] = [
        ("gigabyte", 1e9),
        ("megabyte", 1e6),
        ("kilobyte", 1e3),
        ("byte", 1.0),
    ];
    let bytes = bytes.max(0.0);
    let (unit, size) = UNITS
        .iter()
        .find(|(_, size)| bytes >= *size)
        .copied()
        .unwrap_or(("byte", 1.0));
    let value = bytes / size;
    let options = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&options, &k.into(), &v);
    };
    set("style", "unit".into());
    set("unit", unit.into());
    // "500B" rather than English "500 byte".
    set(
        "unitDisplay",
        (if unit == "byte" { "narrow" } else { "short" }).into(),
    );
    set(
        "maximumFractionDigits",
        (if value < 10.0 && unit != "byte" { 1 } else { 0 }).into(),
    );
    let locales = Array::of1(&locale.into());
    let format = Intl::NumberFormat::new(&locales, &options).format();
    format
        .call1(&JsValue::UNDEFINED, &value.into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{} {unit}", crate::format::plain_decimal(value, 1)))
}
