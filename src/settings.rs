//! The officer's own settings, remembered on the phone.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use patrol_core::codec::SETTINGS_KEY;

use crate::store::SaveError;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Written as the author of new records.
    #[serde(default)]
    pub officer: String,
    /// Default village for new records.
    #[serde(default)]
    pub village: String,
    /// `zh-CN` or `en`; empty means "follow the browser".
    #[serde(default)]
    pub language: String,
}

impl Settings {
    pub fn load() -> Settings {
        LocalStorage::get(SETTINGS_KEY).unwrap_or_default()
    }

    pub fn save(&self) -> Result<(), SaveError> {
        let text = serde_json::to_string(self).map_err(|e| SaveError::Failed(e.to_string()))?;
        crate::store::write_text(SETTINGS_KEY, &text)
    }
}
