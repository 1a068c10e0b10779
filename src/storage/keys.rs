//! localStorage by key: the helpers every stored thing's module reads and writes through, and
//! how a refused write is told (a full quota apart from any other refusal).

use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;
use web_sys::DomException;

/// Why a save did not happen. The record being edited is untouched in memory either way.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveError {
    /// The browser refused the write because its storage quota is used up.
    Full,
    /// Any other refusal (storage disabled, private mode, ...), with the browser's words.
    Failed(String),
}

/// Whether any key starts with `prefix`, stopping at the first: at start-up, with thousands
/// of records stored, [`keys`] would copy every key to answer a yes-or-no question.
pub fn holds_key_starting_with(prefix: &str) -> bool {
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    (0..count).any(|i| {
        storage
            .key(i)
            .ok()
            .flatten()
            .is_some_and(|k| k.starts_with(prefix))
    })
}

/// Every key, copied first: callers may write or move entries while they go through them.
pub fn keys() -> Vec<String> {
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .collect()
}

pub fn read_raw(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

pub fn write_text(key: &str, text: &str) -> Result<(), SaveError> {
    LocalStorage::raw()
        .set_item(key, text)
        .map_err(|err| match err.dyn_into::<DomException>() {
            Ok(e) if is_quota_error(&e.name()) => SaveError::Full,
            Ok(e) => SaveError::Failed(format!("{}: {}", e.name(), e.message())),
            Err(other) => SaveError::Failed(format!("{other:?}")),
        })
}

/// Chromium and Safari say `QuotaExceededError`; old Firefox said `NS_ERROR_DOM_QUOTA_REACHED`.
pub fn is_quota_error(name: &str) -> bool {
    name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED"
}

/// Removes the entry under `key` (nothing happens when there is none).
pub fn remove(key: &str) {
    LocalStorage::delete(key);
}
