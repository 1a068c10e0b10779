//! The photos' part of a sync: uploading the photos the server does not hold yet, and
//! downloading the photos of records that came from other devices.

use leptos::prelude::Update as _;
use patrol_core::Record;
use uuid::Uuid;

use super::{SyncEngine, SyncFailure, failure};
use crate::api::Server;
use crate::camera;
use crate::storage::photos;

/// Sends the photos the server does not hold yet. A photo missing from this phone (it should
/// not happen) is skipped: the server then reports it missing and the record stays pending.
pub async fn upload(
    engine: &SyncEngine,
    server: &Server,
    record: &Record,
) -> Result<(), SyncFailure> {
    let state = engine.state_of(&record.id);
    for id in state.photos_to_upload(record) {
        let Some(photo) = record.all_photos().find(|p| p.id == id) else {
            continue;
        };
        let Ok(Some(blob)) = photos::get(id).await else {
            continue;
        };
        let receipt = server
            .upload_photo(id, &photo.sha256, &blob)
            .await
            .map_err(failure)?;
        let mut state = engine.state_of(&record.id);
        state.photo_uploaded(id);
        if let Some(receipt) = receipt {
            state.receipt_received(receipt);
        }
        engine
            .store_state(record.id, state)
            .map_err(SyncFailure::Storage)?;
        engine.sending.update(|p| {
            if let Some(p) = p {
                p.photo_sent();
            }
        });
    }
    Ok(())
}

/// Photos of records that came from other devices, so they show here too. Best effort: a
/// failure leaves the photo for the next sync.
pub async fn download_missing(engine: &SyncEngine, server: &Server) {
    let wanted: Vec<(Uuid, String)> = engine.ledger.with_all_untracked(|all| {
        all.iter()
            .filter(|r| !r.is_deleted())
            .flat_map(|r| r.all_photos().map(|p| (p.id, p.sha256.clone())))
            .collect()
    });
    let Ok(held) = photos::ids().await else {
        return;
    };
    for (id, sha256) in wanted.into_iter().filter(|(id, _)| !held.contains(id)) {
        let Ok(blob) = server.download_photo(id).await else {
            continue;
        };
        // Only the very bytes the record describes are kept.
        let Ok(bytes) = camera::read(&blob).await else {
            continue;
        };
        if camera::sha256_hex(&bytes).await.ok().as_deref() != Some(sha256.as_str()) {
            continue;
        }
        let thumbnail = camera::thumbnail(&blob).await.ok();
        let stored = photos::PhotoStore::default()
            .put_with_thumbnail(id, &blob, thumbnail.as_ref())
            .await;
        if stored.is_err() {
            return;
        }
    }
}
