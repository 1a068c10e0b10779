//! The patrols' part of a sync: sending the patrols the server lacks, one per request, and
//! bringing in the patrols stored on the server since the last patrol cursor.

use leptos::prelude::*;
use patrol_core::Patrol;
use patrol_core::sync::{PatrolOutcome, PatrolPushRequest, SyncProblem};

use super::{SyncEngine, SyncFailure, failure};
use crate::api::{ApiError, Server};
use crate::storage::sync_state::{load_patrol_sync, load_progress, save_progress};

/// Patrols per pull page (they carry their tracks).
const PATROL_PULL_PAGE: u32 = 20;

/// Sends the patrols the server lacks (one per request: a long track is a big body), then
/// brings in the patrols stored on the server since the last patrol cursor.
pub async fn sync(engine: &SyncEngine, server: &Server) -> Result<(), SyncFailure> {
    engine.patrols.reload();
    engine.patrol_sync.set(load_patrol_sync());
    let outbox: Vec<Patrol> = engine.patrols.with_all_untracked(|all| {
        engine
            .patrol_sync
            .with_untracked(|s| all.iter().filter(|p| s.needs_push(p)).cloned().collect())
    });
    for patrol in outbox {
        let request = PatrolPushRequest {
            patrols: vec![patrol.clone()],
        };
        let outcome = match server.push_patrols(&request).await {
            Ok(answer) => answer.results.into_iter().next().map(|r| r.outcome),
            // Larger than the server takes: refused, so the rest still syncs.
            Err(ApiError::Status {
                status: 413,
                code,
                message,
            }) => Some(PatrolOutcome::Rejected {
                problems: vec![SyncProblem::new("track", &code, message)],
            }),
            Err(e) => return Err(failure(e)),
        };
        if let Some(outcome) = outcome {
            let mut state = engine.patrol_sync.get_untracked();
            state.apply(&patrol, &outcome);
            engine.store_patrol_sync(state)?;
        }
    }

    let mut progress = load_progress();
    loop {
        let page = server
            .pull_patrols(progress.patrol_cursor.as_deref(), PATROL_PULL_PAGE)
            .await
            .map_err(failure)?;
        // No await from reading the local copies to writing: no fix can slip in between.
        engine.patrols.reload();
        let mut state = engine.patrol_sync.get_untracked();
        let mut stored = Ok(());
        for theirs in page.patrols {
            let local = engine.patrols.get_untracked(theirs.id);
            if let Some(keep) = state.pulled(local.as_ref(), theirs)
                && let Err(e) = engine.patrols.store_as_is(keep)
            {
                stored = Err(e);
                break;
            }
        }
        engine.store_patrol_sync(state)?;
        stored.map_err(SyncFailure::Storage)?;
        progress.patrol_cursor = Some(page.cursor);
        save_progress(&progress).map_err(SyncFailure::Storage)?;
        if !page.more {
            return Ok(());
        }
    }
}
