//! The officer's own settings, remembered on the phone.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use patrol_core::codec::SETTINGS_KEY;

use crate::api::Server;
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

    /// The server to sync with, once a token is set.
    pub fn server(&self) -> Option<Server> {
        let token = self.token.trim();
        if token.is_empty() {
            return None;
        }
        let url = self.server_url.trim().trim_end_matches('/');
        let base = if url.is_empty() {
            web_sys::window()?.location().origin().ok()?
        } else {
            url.to_owned()
        };
        Some(Server {
            base,
            token: token.to_owned(),
        })
    }

    pub fn save(&self) -> Result<(), SaveError> {
        let text = serde_json::to_string(self).map_err(|e| SaveError::Failed(e.to_string()))?;
        crate::store::write_text(SETTINGS_KEY, &text)
    }
}
