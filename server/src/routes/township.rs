//! `GET /api/v1/township`: the rules the township office set on its server (`--patrol-min-minutes`,
//! `--patrol-min-metres`), which every connected phone applies, so that all of a township's
//! officials are judged by one rule for a valid patrol (有效巡河); and the map's tiles
//! (`--basemap`, or its own `--tiles`), so that every phone draws the same river.

use axum::extract::State;
use patrol_core::sync::Township;

use crate::db::tokens::Caller;
use crate::extract::AppJson;
use crate::state::AppState;

/// `GET /api/v1/township`: the same for every token, village or township.
pub(super) async fn township(_caller: Caller, State(state): State<AppState>) -> AppJson<Township> {
    AppJson(Township {
        patrol_rule: state.patrol_rule,
        basemap: state.basemap.clone(),
    })
}
