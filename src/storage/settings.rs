//! The officer's own settings, remembered on the phone (localStorage, one key).

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use patrol_core::codec::SETTINGS_KEY;

use super::keys::{SaveError, write_text};

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
    /// The township's sync server, e.g. `https://xhz.example.cn`; empty means the server
    /// this app was loaded from.
    #[serde(default)]
    pub server_url: String,
    /// This phone's access token from the township office; empty means "do not sync".
    #[serde(default)]
    pub token: String,
}

impl Settings {
    pub fn load() -> Settings {
        LocalStorage::get(SETTINGS_KEY).unwrap_or_default()
    }

    pub fn save(&self) -> Result<(), SaveError> {
        let text = serde_json::to_string(self).map_err(|e| SaveError::Failed(e.to_string()))?;
        write_text(SETTINGS_KEY, &text)
    }
}
