//! Patrols (巡河记录) in the browser's localStorage, one key per patrol (see docs/storage.md).

use gloo_storage::{LocalStorage, Storage};
use patrol_core::Patrol;
use patrol_core::patrol::{PATROL_KEY_PREFIX, patrol_key};
use uuid::Uuid;

use super::keys::{SaveError, keys, write_text};

/// Every readable patrol in storage, newest first. An entry that cannot be read is left
/// where it is, untouched.
pub fn load_all() -> Vec<Patrol> {
    let mut all: Vec<Patrol> = keys()
        .into_iter()
        .filter(|k| k.starts_with(PATROL_KEY_PREFIX))
        .filter_map(|k| LocalStorage::get::<Patrol>(&k).ok())
        .collect();
    newest_first(&mut all);
    all
}

/// The newest patrol first: one function for both places that order patrols, so the sort's
/// code is generated once.
pub fn newest_first(all: &mut [Patrol]) {
    all.sort_by_key(|p| std::cmp::Reverse(p.started_at));
}

/// The patrol under way, if any, as stored now (so any code, in any tab, sees the same).
pub fn active_patrol_id() -> Option<Uuid> {
    load_all().into_iter().find(Patrol::is_active).map(|p| p.id)
}

pub fn save(patrol: &Patrol) -> Result<(), SaveError> {
    let text = serde_json::to_string(patrol).unwrap_or_default();
    write_text(&patrol_key(patrol.id), &text)
}
