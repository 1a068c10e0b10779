//! The township's rules (`GET /api/v1/township`), pulled at each sync: the rule for a valid
//! patrol is set on the server, and each phone judges its patrols by it, offline included.

use leptos::prelude::*;

use super::SyncEngine;
use crate::api::Server;
use crate::storage::township::save_township;

pub(super) async fn pull_township(engine: &SyncEngine, server: &Server) {
    // An older server has no such route: the phone keeps the rule it had, or the usual one.
    let Ok(township) = server.township().await else {
        return;
    };
    if engine.township.with_untracked(|t| *t == township) {
        return;
    }
    // Kept in memory even when storage is full: it comes again at the next sync.
    let _ = save_township(&township);
    engine.township.set(township);
}
