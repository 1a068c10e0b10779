//! The officer's own settings, remembered on the phone (localStorage, one key).

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use patrol_core::codec::SETTINGS_KEY;
use patrol_core::sync::TokenHolder;

use super::keys::{SaveError, write_text};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Keep the screen on while a patrol is under way (src/wake_lock.rs). On unless the
    /// officer turned it off: a dark screen stops the track on most phones.
    #[serde(default = "on")]
    pub keep_screen_on: bool,
    /// Stamp time, place, official and record into every new photo (patrol_core::watermark).
    /// On unless the officer turned it off: a stamped photo is evidence that it was taken
    /// there and then.
    #[serde(default = "on")]
    pub watermark: bool,
    /// Whom the server last said `token` was issued to (`GET /api/v1/me`), kept so that the
    /// phone knows offline whether it is the township office's: only the office closes (销号)
    /// or sends back a problem, and what it creates is dispatched (交办) to the village.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<KnownHolder>,
}

/// The server's answer about one token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownHolder {
    /// The token the answer was about: a new token is asked about again.
    pub token: String,
    /// A township office token (every village), not one village's.
    pub office: bool,
    /// The officer it was issued to; empty in what an older app kept (asked again).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub officer: String,
    /// The village of a village's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
}

fn on() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            officer: String::new(),
            village: String::new(),
            language: String::new(),
            server_url: String::new(),
            token: String::new(),
            keep_screen_on: true,
            watermark: true,
            holder: None,
        }
    }
}

impl Settings {
    pub fn load() -> Settings {
        LocalStorage::get(SETTINGS_KEY).unwrap_or_default()
    }

    /// Fills the officer and village from the token's holder where they are empty (never
    /// replaces a name the user typed), and keeps whose token it is. Answers whether anything
    /// changed.
    pub fn fill_in_from(&mut self, holder: &TokenHolder) -> bool {
        let known = KnownHolder {
            token: self.token.clone(),
            office: holder.village.is_none(),
            officer: holder.officer.trim().to_owned(),
            village: holder.village.as_deref().map(|v| v.trim().to_owned()),
        };
        let mut changed = self.holder.as_ref() != Some(&known);
        self.holder = Some(known);
        if self.officer.trim().is_empty() && !holder.officer.trim().is_empty() {
            self.officer = holder.officer.trim().to_owned();
            changed = true;
        }
        if let Some(village) = holder.village.as_deref().map(str::trim)
            && self.village.trim().is_empty()
            && !village.is_empty()
        {
            self.village = village.to_owned();
            changed = true;
        }
        changed
    }

    /// The server has said this phone's token is the township office's.
    pub fn is_office(&self) -> bool {
        self.holder
            .as_ref()
            .is_some_and(|h| h.office && h.token == self.token)
    }

    /// Whom the server said this phone's token was issued to, if it has said so for this token
    /// (settings show it without asking again).
    pub fn known_holder(&self) -> Option<TokenHolder> {
        self.holder
            .as_ref()
            .filter(|h| h.token == self.token && !h.officer.is_empty())
            .map(|h| TokenHolder {
                officer: h.officer.clone(),
                village: if h.office { None } else { h.village.clone() },
            })
    }

    /// Whether to ask the server whom the token is for: it has not said so for this token, or
    /// a name it could fill in is still empty (a township token has no village to give).
    pub fn should_ask_holder(&self) -> bool {
        let unknown = self.known_holder().is_none();
        unknown
            || self.officer.trim().is_empty()
            || (self.village.trim().is_empty() && !self.is_office())
    }

    pub fn save(&self) -> Result<(), SaveError> {
        let text = serde_json::to_string(self).map_err(|e| SaveError::Failed(e.to_string()))?;
        write_text(SETTINGS_KEY, &text)
    }
}
