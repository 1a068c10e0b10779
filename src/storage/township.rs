//! The township's rules as the phone last had them from its server (one localStorage key),
//! so a patrol is judged by the township's rule offline too. Without them the usual rule
//! (15 minutes, 1 km) applies.

use gloo_storage::{LocalStorage, Storage};
use patrol_core::sync::Township;
use patrol_core::sync_state::TOWNSHIP_KEY;

use super::keys::{SaveError, write_text};

pub fn load_township() -> Township {
    LocalStorage::get(TOWNSHIP_KEY).unwrap_or_default()
}

pub fn save_township(township: &Township) -> Result<(), SaveError> {
    let text = serde_json::to_string(township).map_err(|e| SaveError::Failed(e.to_string()))?;
    write_text(TOWNSHIP_KEY, &text)
}
