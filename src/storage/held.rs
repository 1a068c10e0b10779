//! The start-up check of what the phone holds, and the reading of it, once at start: records,
//! patrols, settings and the sync bookkeeping (docs/storage.md).
//!
//! The code that reads them (serde_json's parser, the record codec with its migrations, the
//! decoder of every stored type) was about a third of the first screen's wasm. A first visit
//! holds nothing to read, so that code is a part (`stored_part`, src/on_demand.rs): a phone
//! with no key of the app's opens without downloading it, and a phone with any reads through
//! the part before the app is drawn. A phone that holds records but cannot get the part
//! (offline before the service worker stored the app) says so and reads nothing: nothing
//! stored is touched.

use std::collections::HashMap;

use patrol_core::codec::APP_KEY_PREFIX;
use patrol_core::draft::DRAFT_KEY_PREFIX;
use patrol_core::sync_state::SyncState;
use patrol_core::{Patrol, draft::Draft};
use uuid::Uuid;

use super::keys::holds_key_starting_with;
use super::records::{self, Loaded};
use super::settings::Settings;
use super::sync_state::{self, SyncStored};
use super::{drafts, patrols};
use crate::on_demand::{PartMissing, on_demand_part};

/// Everything the app reads from storage at start.
#[derive(Clone, Debug, Default)]
pub struct Held {
    pub ledger: Loaded,
    pub patrols: Vec<Patrol>,
    pub settings: Settings,
    pub sync: SyncStored,
}

/// Whether the phone holds any entry of the app's (records, drafts, settings, ...).
pub fn holds_anything() -> bool {
    holds_key_starting_with(APP_KEY_PREFIX)
}

/// Whether a draft is stored, readable or not (without reading one).
pub fn holds_drafts() -> bool {
    holds_key_starting_with(DRAFT_KEY_PREFIX)
}

/// Reads everything. Drafts whose record was saved as they stand are forgotten first (see
/// [`drafts::forget_saved`]).
pub fn read() -> Held {
    let ledger = records::load_all();
    drafts::forget_saved(&ledger.records);
    Held {
        ledger,
        patrols: patrols::load_all(),
        settings: Settings::load(),
        sync: SyncStored::load(),
    }
}

/// Everything the phone holds, read by the readers' part (for a phone that
/// [`holds_anything`]; one that holds nothing starts from `Held::default()`).
pub async fn read_all() -> Result<Held, PartMissing> {
    stored_part().await
}

on_demand_part! {
    /// [`read`], with the readers' code downloaded on first use.
    fn stored_part() -> Result<Held, PartMissing> {
        Ok(read())
    }
}

/// Every readable draft, most recently typed first, read by the readers' part.
pub async fn drafts() -> Result<Vec<Draft>, PartMissing> {
    drafts_part().await
}

on_demand_part! {
    fn drafts_part() -> Result<Vec<Draft>, PartMissing> {
        Ok(drafts::all())
    }
}

/// Each record's sync bookkeeping as stored now (another tab may have synced).
pub async fn sync_states() -> Result<HashMap<Uuid, SyncState>, PartMissing> {
    sync_states_part().await
}

on_demand_part! {
    fn sync_states_part() -> Result<HashMap<Uuid, SyncState>, PartMissing> {
        Ok(sync_state::load_states())
    }
}
