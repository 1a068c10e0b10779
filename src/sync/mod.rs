//! Sync with the township's server (docs/sync-protocol.md): sends this phone's records,
//! patrols and photos, and brings back what the township changed.
//!
//! - `engine`: the engine the screens see, and what starts a sync;
//! - `records`, `patrols`, `photos`: the protocol's steps for each;
//! - `token_holder`: the officer and village the token was issued to, into empty settings;
//! - `township`: the township's rules (the valid patrol's minimum duration and distance);
//! - `lock`: the Web Locks binding that keeps tabs from syncing at the same time.
//!
//! The sync bookkeeping itself is stored by src/storage/sync_state.rs. Local data is never
//! deleted because of a sync result.

mod engine;
mod lock;
mod patrols;
mod photos;
mod records;
mod token_holder;
mod township;

use chrono::Utc;
use leptos::prelude::*;
use patrol_core::Record;
use patrol_core::sync_state::{SendProgress, SyncState};

pub use engine::{PatrolStatus, SyncEngine, SyncFailure};

use crate::api::{ApiError, Server};
use crate::storage::sync_state::{load_progress, load_states, save_progress};

/// One whole sync: photos, then records, then the township's changes.
pub(crate) async fn sync_once(engine: SyncEngine, server: Server) -> Result<(), SyncFailure> {
    server
        .health()
        .await
        .map_err(|_| SyncFailure::Unreachable)?;
    engine.online.set(true);
    token_holder::fill_in_settings(&engine, &server).await;
    township::pull_township(&engine, &server).await;
    // Fresh from storage: another tab may have saved or synced since this one loaded.
    engine.states.set(load_states());
    engine.ledger.reload();

    let outbox = unsynced(&engine);

    // The progress bar counts from here: a sync with nothing to send keeps the last one's.
    if !outbox.is_empty() {
        let progress = engine.states.with_untracked(|s| {
            let never = SyncState::default();
            SendProgress::of(outbox.iter().map(|r| (r, s.get(&r.id).unwrap_or(&never))))
        });
        engine.sending.set(Some(progress));
    }
    // The office's list of tokens shows how many records wait on each phone: told with every
    // request of the sync.
    let server = server.with_unsent(outbox.len());
    // A second round for records the server still missed photos of (an upload it lost):
    // they are sent again at once rather than at the next sync.
    let mut round = outbox;
    for _ in 0..2 {
        if round.is_empty() {
            break;
        }
        for record in &round {
            photos::upload(&engine, &server, record).await?;
        }
        for batch in round.chunks(records::PUSH_BATCH) {
            records::push_batch(&engine, &server, batch).await?;
            engine.sending.update(|p| {
                if let Some(p) = p {
                    p.records_sent(batch.len());
                }
            });
        }
        round.retain(|r| {
            let state = engine.state_of(&r.id);
            state.needs_push(r) && !state.photos_to_upload(r).is_empty()
        });
    }

    // What is left for the next sync, told with the requests that follow.
    let server = server.with_unsent(unsynced(&engine).len());
    records::pull(&engine, &server).await?;
    patrols::sync(&engine, &server).await?;
    let mut progress = load_progress();
    progress.last_success = Some(Utc::now());
    save_progress(&progress).map_err(SyncFailure::Storage)?;
    photos::download_missing(&engine, &server).await;
    Ok(())
}

/// The records (deletions included) with something the server does not have yet.
fn unsynced(engine: &SyncEngine) -> Vec<Record> {
    engine.ledger.with_all_untracked(|all| {
        engine.states.with_untracked(|s| {
            all.iter()
                .filter(|r| s.get(&r.id).is_none_or(|st| st.needs_push(r)))
                .cloned()
                .collect()
        })
    })
}

fn failure(e: ApiError) -> SyncFailure {
    match e {
        ApiError::Unauthorized(_) => SyncFailure::Unauthorized,
        ApiError::Unreachable(_) => SyncFailure::Unreachable,
        other => SyncFailure::Server(other.to_string()),
    }
}
