//! The office's connect link (or QR code) carries only a token, and the server knows whom it
//! issued that token to. While the phone's officer or village is empty, each sync asks
//! (`GET /api/v1/me`) and fills in what is empty, so the first record already names its author
//! and village. What the user typed is never replaced. The answer is kept with the token it
//! was about (asked again for a new token), so the phone knows offline whether it is the
//! township office's.

use leptos::prelude::*;

use super::SyncEngine;
use crate::api::Server;
use crate::storage::settings::Settings;

pub(super) async fn fill_in_settings(engine: &SyncEngine, server: &Server) {
    if !engine.settings.with_untracked(Settings::should_ask_holder) {
        return;
    }
    // An older server has no such route, and a wrong token is told by the pull that follows:
    // either way the officer types the names in the settings, as before.
    let Ok(holder) = server.me().await else {
        return;
    };
    // Read again: the user may have typed while the answer was on its way.
    let mut settings = engine.settings.get_untracked();
    if settings.fill_in_from(&holder) && settings.save().is_ok() {
        engine.settings.set(settings);
    }
}
