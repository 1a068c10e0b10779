//! The records on this phone as the screens see them: loaded once from storage, and changed
//! only through [`Ledger::save`] / [`Ledger::delete`], which write to storage first.

use chrono::Utc;
use leptos::prelude::*;
use patrol_core::Record;
use uuid::Uuid;

use std::collections::HashSet;

use patrol_core::filter::newest_first;

use crate::on_demand::{PartMissing, on_demand_part};
use crate::storage::records::{self as store, Loaded};
use crate::storage::{SaveError, drafts, photos};

#[derive(Clone, Copy)]
pub struct Ledger {
    /// Every readable record, tombstones included, newest first.
    records: RwSignal<Vec<Record>>,
    /// Stored entries that could not be read (moved aside, kept).
    pub quarantined: RwSignal<Vec<String>>,
    /// Records from a newer app version (left in place, kept).
    pub newer: RwSignal<Vec<String>>,
}

impl Ledger {
    /// The ledger over what storage held at start (read by src/storage/held.rs).
    pub fn new(loaded: Loaded) -> Ledger {
        Ledger {
            records: RwSignal::new(loaded.records),
            quarantined: RwSignal::new(loaded.quarantined),
            newer: RwSignal::new(loaded.newer),
        }
    }

    /// Records the user can see (not deleted), newest first.
    pub fn visible(&self) -> Vec<Record> {
        self.records
            .with(|all| all.iter().filter(|r| !r.is_deleted()).cloned().collect())
    }

    pub fn get(&self, id: &Uuid) -> Option<Record> {
        self.records
            .with(|all| all.iter().find(|r| &r.id == id && !r.is_deleted()).cloned())
    }

    /// Reads every record, tombstones included, newest first.
    pub fn with_all<T>(&self, f: impl FnOnce(&Vec<Record>) -> T) -> T {
        self.records.with(f)
    }

    /// Like [`Ledger::with_all`] without subscribing the caller to changes.
    pub fn with_all_untracked<T>(&self, f: impl FnOnce(&Vec<Record>) -> T) -> T {
        self.records.with_untracked(f)
    }

    /// Reads storage again (another tab may have written since this one loaded).
    pub fn reload(&self) {
        let loaded = store::load_all();
        self.records.set(loaded.records);
        self.quarantined.set(loaded.quarantined);
        self.newer.set(loaded.newer);
    }

    /// Writes a record exactly as given, revision and times untouched: a copy from the
    /// server, which must stay byte-for-byte what the server holds.
    pub fn store_as_is(&self, record: Record) -> Result<(), SaveError> {
        store::save(&record)?;
        self.put(record);
        Ok(())
    }

    /// Like [`Ledger::get`] without subscribing the caller to changes.
    pub fn get_untracked(&self, id: &Uuid) -> Option<Record> {
        self.records
            .with_untracked(|all| all.iter().find(|r| &r.id == id && !r.is_deleted()).cloned())
    }

    /// Stamps and writes a record; only when the browser has accepted the write does the
    /// in-memory list change and the saved record come back.
    pub fn save(&self, mut record: Record) -> Result<Record, SaveError> {
        record.touch(Utc::now());
        store::save(&record)?;
        self.put(record.clone());
        Ok(record)
    }

    /// Saves an edit of `base` (the record as the form opened it). If the stored copy changed
    /// since (a sync brought the township's change, another tab saved), the user's changes
    /// are applied on top of it ([`patrol_core::rebase`]), so neither side is lost.
    pub fn save_edit(&self, base: &Record, edited: Record) -> Result<Record, SaveError> {
        let record = match store::load(edited.id) {
            Some(stored) if stored != *base => patrol_core::rebase(base, &edited, &stored),
            _ => edited,
        };
        self.save(record)
    }

    /// Leaves a tombstone in storage and takes the record off the list. The tombstone is made
    /// of the stored copy, which another tab or a sync may have changed since this tab loaded.
    pub fn delete(&self, id: &Uuid) -> Result<(), SaveError> {
        let Some(mut record) = store::load(*id).or_else(|| self.get_untracked(id)) else {
            return Ok(());
        };
        if record.is_deleted() {
            self.put(record);
            return Ok(());
        }
        record.mark_deleted(Utc::now());
        store::save(&record)?;
        self.put(record);
        Ok(())
    }

    /// Photos something still refers to: live records and drafts. A deleted record's photos
    /// are not needed (the deletion is all a sync will send).
    pub fn photos_in_use(&self) -> HashSet<Uuid> {
        let mut ids: HashSet<Uuid> = self.records.with_untracked(|all| {
            all.iter()
                .filter(|r| !r.is_deleted())
                .flat_map(|r| r.all_photos().map(|p| p.id))
                .collect()
        });
        ids.extend(
            drafts::all()
                .iter()
                .flat_map(|d| d.record.photos.iter().map(|p| p.id)),
        );
        ids.extend(drafts::follow_up_photos());
        ids
    }

    /// Deletes, in the background, stored photos that nothing refers to any more.
    pub fn tidy_photos(&self) {
        let ledger = *self;
        leptos::task::spawn_local(async move {
            // Without the photo store's code (offline before the app was stored) the tidy-up
            // waits for the next start: nothing is lost by waiting.
            let _ = photo_tidy_part(ledger).await;
        });
    }

    /// The tidy-up at start, when the phone has a photo database at all: one that never
    /// stored a photo does not download the photo store's code for it.
    pub fn tidy_photos_at_start(&self) {
        let ledger = *self;
        leptos::task::spawn_local(async move {
            if photos::database_exists(photos::DATABASE).await != Some(false) {
                ledger.tidy_photos();
            }
        });
    }

    fn put(&self, record: Record) {
        self.records.update(|all| {
            match all.iter_mut().find(|r| r.id == record.id) {
                Some(slot) => *slot = record,
                None => all.insert(0, record),
            }
            newest_first(all);
        });
    }
}

on_demand_part! {
    /// [`photos::collect_garbage`], with the photo store's code downloaded on first use
    /// (src/on_demand.rs): the first screen opens without it. What is in use is read in the
    /// part: it reads the drafts, whose decoding code the first screen does without
    /// (src/storage/held.rs).
    async fn photo_tidy_part(ledger: Ledger) -> Result<(), PartMissing> {
        tidy(ledger.photos_in_use()).await;
        Ok(())
    }
}

async fn tidy(keep: HashSet<Uuid>) {
    if let Err(e) = photos::collect_garbage(&keep).await {
        leptos::logging::warn!("photo clean-up skipped: {e:?}");
    }
}
