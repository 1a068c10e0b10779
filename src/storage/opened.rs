//! Which problems dispatched by the township (交办) this phone has opened (one localStorage
//! key): the list marks the others as new until they are opened, the way a message stays
//! unread. Losing the key only shows the marks again; nothing of a problem is in it.

use std::collections::HashSet;

use gloo_storage::{LocalStorage, Storage};
use patrol_core::dispatch::DISPATCH_OPENED_KEY;
use uuid::Uuid;

use super::keys::{SaveError, write_text};

/// The dispatched problems opened on this phone.
pub fn opened() -> HashSet<Uuid> {
    LocalStorage::get(DISPATCH_OPENED_KEY).unwrap_or_default()
}

/// Notes that the problem `id` was opened (again is harmless).
pub fn mark_opened(id: Uuid) -> Result<(), SaveError> {
    let mut all = opened();
    if !all.insert(id) {
        return Ok(());
    }
    let text = serde_json::to_string(&all).map_err(|e| SaveError::Failed(e.to_string()))?;
    write_text(DISPATCH_OPENED_KEY, &text)
}
