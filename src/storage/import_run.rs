//! An import under way (one localStorage key, `rp/v1/import-run`): the file, how many new
//! problems it brings and how many are saved so far. The import screen saves the problems in
//! batches, each one stored as any record is, and keeps this note until the last is saved; a
//! note found when the screen opens says an import was cut short (a reload, the app closed)
//! and how far it got. Losing the key loses only that message: the problems are records.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use super::keys::{SaveError, remove, write_text};

const IMPORT_RUN_KEY: &str = "rp/v1/import-run";

/// How far an import has gone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRun {
    /// The file's name, as the phone showed it.
    pub file: String,
    /// The new problems it brings.
    pub total: usize,
    /// How many of them are saved.
    pub saved: usize,
}

/// The import that was under way when the app last stopped, if one was.
pub fn load() -> Option<ImportRun> {
    LocalStorage::get(IMPORT_RUN_KEY).ok()
}

pub fn save(run: &ImportRun) -> Result<(), SaveError> {
    let text = serde_json::to_string(run).map_err(|e| SaveError::Failed(e.to_string()))?;
    write_text(IMPORT_RUN_KEY, &text)
}

/// The import ended (every problem saved, or the user has read how far it got).
pub fn clear() {
    remove(IMPORT_RUN_KEY);
}
