//! The records on this phone as the screens see them: loaded once from storage, and changed
//! only through [`Ledger::save`] / [`Ledger::delete`], which write to storage first.

use chrono::Utc;
use leptos::prelude::*;
use patrol_core::Record;
use uuid::Uuid;

use crate::store::{self, SaveError};

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
    pub fn load() -> Ledger {
        let loaded = store::load_all();
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

    /// Leaves a tombstone in storage and takes the record off the list.
    pub fn delete(&self, id: &Uuid) -> Result<(), SaveError> {
        let Some(mut record) = self.get(id) else {
            return Ok(());
        };
        record.mark_deleted(Utc::now());
        store::save(&record)?;
        self.put(record);
        Ok(())
    }

    fn put(&self, record: Record) {
        self.records.update(|all| {
            match all.iter_mut().find(|r| r.id == record.id) {
                Some(slot) => *slot = record,
                None => all.insert(0, record),
            }
            all.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        });
    }
}
