//! The sync bookkeeping in localStorage: each record's sync state (one key per record),
//! which patrols the server holds, and the pull cursors with the last success; at start, also
//! the township's rules (src/storage/township.rs), which the engine holds with them.

use std::collections::HashMap;

use gloo_storage::{LocalStorage, Storage};
use patrol_core::sync::Township;
use patrol_core::sync_state::{
    PATROL_SYNC_KEY, PatrolSync, SYNC_PROGRESS_KEY, SYNC_STATE_KEY_PREFIX, SyncProgress, SyncState,
    sync_state_key,
};
use uuid::Uuid;

use super::keys::{self as store, SaveError};

/// The sync bookkeeping the engine starts from.
#[derive(Clone, Debug, Default)]
pub struct SyncStored {
    pub progress: SyncProgress,
    pub states: HashMap<Uuid, SyncState>,
    pub patrol_sync: PatrolSync,
    pub township: Township,
}

impl SyncStored {
    pub fn load() -> SyncStored {
        SyncStored {
            progress: load_progress(),
            states: load_states(),
            patrol_sync: load_patrol_sync(),
            township: super::township::load_township(),
        }
    }
}

pub fn load_states() -> HashMap<Uuid, SyncState> {
    store::keys()
        .into_iter()
        .filter_map(|key| {
            let id = key.strip_prefix(SYNC_STATE_KEY_PREFIX)?.parse().ok()?;
            // Through a JSON Value, as patrol_core::codec reads records: a state can hold the
            // server's copy of a record, and one way of reading records keeps the start-up
            // wasm from carrying a second copy of all their decoding code.
            let text = store::read_raw(&key)?;
            let value = serde_json::from_str::<serde_json::Value>(&text).ok()?;
            let state = serde_json::from_value(value).ok()?;
            Some((id, state))
        })
        .collect()
}

pub fn save_state(id: Uuid, state: &SyncState) -> Result<(), SaveError> {
    let text = serde_json::to_string(state).map_err(|e| SaveError::Failed(e.to_string()))?;
    store::write_text(&sync_state_key(id), &text)
}

pub fn load_patrol_sync() -> PatrolSync {
    LocalStorage::get(PATROL_SYNC_KEY).unwrap_or_default()
}

pub fn load_progress() -> SyncProgress {
    LocalStorage::get(SYNC_PROGRESS_KEY).unwrap_or_default()
}

pub fn save_progress(progress: &SyncProgress) -> Result<(), SaveError> {
    let text = serde_json::to_string(progress).map_err(|e| SaveError::Failed(e.to_string()))?;
    store::write_text(SYNC_PROGRESS_KEY, &text)
}

pub fn save_patrol_sync(state: &PatrolSync) -> Result<(), SaveError> {
    let text = serde_json::to_string(state).map_err(|e| SaveError::Failed(e.to_string()))?;
    store::write_text(PATROL_SYNC_KEY, &text)
}
