//! Records in the browser's localStorage, one key per record (see docs/storage.md).
//!
//! Saving touches only the record's own key, so it costs the same with 10 or 10,000 records.
//! Nothing here ever deletes a stored entry: unreadable ones are moved aside, and a deleted
//! record stays as a tombstone until sync has passed it on.

use patrol_core::Record;
use patrol_core::codec::{self, DecodeError, QUARANTINE_PREFIX, RECORD_KEY_PREFIX};

use super::keys::{SaveError, keys, read_raw, remove, write_text};

/// Everything found in storage at start-up.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Readable records, tombstones included, newest first.
    pub records: Vec<Record>,
    /// Keys (under [`QUARANTINE_PREFIX`]) of entries that could not be read.
    pub quarantined: Vec<String>,
    /// Keys of records written by a newer app version, left in place untouched.
    pub newer: Vec<String>,
}

/// Writes one record. Returns only once the browser has accepted the write.
pub fn save(record: &Record) -> Result<(), SaveError> {
    write_text(&codec::record_key(record.id), &codec::encode(record))
}

/// Reads one record as stored now; `None` if there is none or it cannot be read.
pub fn load(id: uuid::Uuid) -> Option<Record> {
    let text = read_raw(&codec::record_key(id))?;
    codec::decode(&text).ok().map(|d| d.record)
}

/// Reads every record; moves unreadable entries to quarantine and reports them.
pub fn load_all() -> Loaded {
    let mut loaded = Loaded::default();
    for key in keys() {
        if key.starts_with(QUARANTINE_PREFIX) {
            loaded.quarantined.push(key);
            continue;
        }
        if !key.starts_with(RECORD_KEY_PREFIX) {
            continue;
        }
        let Some(text) = read_raw(&key) else { continue };
        match codec::decode(&text) {
            Ok(decoded) => {
                if decoded.migrated_from.is_some() {
                    // Best effort: the old form stays readable if this write fails.
                    let _ = save(&decoded.record);
                }
                loaded.records.push(decoded.record);
            }
            Err(DecodeError::NewerSchema { .. }) => loaded.newer.push(key),
            Err(_) => loaded.quarantined.push(quarantine(&key, &text)),
        }
    }
    patrol_core::filter::newest_first(&mut loaded.records);
    loaded.quarantined.sort();
    loaded.quarantined.dedup();
    loaded
}

/// Moves an unreadable entry aside; if that write fails the entry stays where it is.
///
/// An earlier quarantine entry under the same name is never overwritten: the copy goes to the
/// first free `#2`, `#3`, ... suffix. A name that already holds exactly this text (a move that
/// was interrupted after the copy) is reused, so the entry is not duplicated.
fn quarantine(key: &str, text: &str) -> String {
    let base = codec::quarantine_key(key);
    let mut n = 1u32;
    let aside = loop {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}#{n}")
        };
        match read_raw(&candidate) {
            Some(existing) if existing == text => break candidate,
            Some(_) => n += 1,
            None => {
                if write_text(&candidate, text).is_err() {
                    return key.to_owned();
                }
                break candidate;
            }
        }
    };
    remove(key);
    aside
}
