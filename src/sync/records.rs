//! The records' part of a sync: pushing the phone's changes in batches, and pulling the
//! township's changes page by page.

use std::collections::HashMap;

use patrol_core::Record;
use patrol_core::sync::{PushRecord, PushRequest};
use patrol_core::sync_state::{Merge, SyncProgress, SyncState};
use uuid::Uuid;

use super::{SyncEngine, SyncFailure, failure};
use crate::api::Server;
use crate::storage::records as stored;
use crate::storage::sync_state::{load_progress, save_progress};

/// Records per push request (the server announces its own limit; this stays below it).
pub const PUSH_BATCH: usize = 50;
/// Changes per pull page.
const PULL_PAGE: u32 = 200;

/// Pushes one batch and keeps what the server answered for each record.
pub async fn push_batch(
    engine: &SyncEngine,
    server: &Server,
    batch: &[Record],
) -> Result<(), SyncFailure> {
    let request = PushRequest {
        records: batch
            .iter()
            .map(|r| PushRecord {
                base_rev: engine.state_of(&r.id).server_rev,
                record: r.clone(),
            })
            .collect(),
    };
    let answer = server.push(&request).await.map_err(failure)?;
    let states = answer
        .results
        .into_iter()
        .filter_map(|result| {
            let sent = batch.iter().find(|r| r.id == result.id)?;
            let mut state = engine.state_of(&sent.id);
            state.apply(sent, &result.outcome);
            Some((sent.id, state))
        })
        .collect();
    engine.store_states(states).map_err(SyncFailure::Storage)
}

/// Brings in the township's changes since the last cursor, page by page; the cursor moves
/// only after a page is stored.
pub async fn pull(engine: &SyncEngine, server: &Server) -> Result<(), SyncFailure> {
    let mut progress = load_progress();
    if progress.server != server.base {
        progress = SyncProgress {
            server: server.base.clone(),
            ..SyncProgress::default()
        };
    }
    loop {
        let page = server
            .pull(progress.cursor.as_deref(), PULL_PAGE)
            .await
            .map_err(failure)?;
        // No await in this loop: between reading a local copy and writing it, no save can
        // slip in.
        let mut states: HashMap<Uuid, SyncState> = HashMap::new();
        let mut stored = Ok(());
        for change in page.changes {
            let id = change.record.id;
            let local = stored::load(id);
            let mut state = states.remove(&id).unwrap_or_else(|| engine.state_of(&id));
            if let Merge::Take(record) = state.merge(local.as_ref(), change)
                && let Err(e) = engine.ledger.store_as_is(*record)
            {
                stored = Err(e);
                break;
            }
            states.insert(id, state);
        }
        engine
            .store_states(states.into_iter().collect())
            .and(stored)
            .map_err(SyncFailure::Storage)?;
        progress.cursor = Some(page.cursor);
        if page.import_ids.is_some() {
            progress.import_ids = page.import_ids;
        }
        save_progress(&progress).map_err(SyncFailure::Storage)?;
        if !page.more {
            return Ok(());
        }
    }
}
