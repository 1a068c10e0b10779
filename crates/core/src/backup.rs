//! A backup of everything on one phone in one file the user keeps: a ZIP holding
//! `river-patrol-backup.json` (records with their visits, patrols, what each photo is), every
//! photo as `photos/<id>.jpg`, and `ledger.csv` for a person with Excel. This is the answer to
//! "clearing the browser's data deleted my records": the file outlives the browser.
//!
//! The ZIP is written and read here entry by entry, without holding the photos: the app hands
//! the photos to the browser as Blobs and only the small headers pass through this module, so a
//! backup of hundreds of photos never has to fit in the phone's memory at once. Entries are
//! stored uncompressed (JPEGs do not shrink), so any unzip tool opens the file.
//!
//! Restoring ([`plan_restore`]) only adds: a record or patrol the phone holds in a newer
//! revision is kept as it is, and importing the same file twice changes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::codec::{self, DecodeError, QUARANTINE_PREFIX};
use crate::patrol::Patrol;
use crate::record::Record;

/// Version of the backup's manifest. A file of a higher version is refused, not guessed at.
pub const BACKUP_FORMAT: u32 = 1;
/// The manifest's name inside the ZIP.
pub const MANIFEST_NAME: &str = "river-patrol-backup.json";
/// The ledger as CSV (`patrol_core::csv`), for reading on a computer; not read back.
pub const LEDGER_NAME: &str = "ledger.csv";

/// A photo's name inside the ZIP.
pub fn photo_file_name(id: Uuid) -> String {
    format!("photos/{id}.jpg")
}

/// What a backup holds, besides the photos' bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    #[serde(with = "crate::stamp::instant")]
    pub made_at: DateTime<Utc>,
    /// Every stored record, tombstones included, each as [`codec::encode`] writes it.
    pub records: Vec<Value>,
    pub patrols: Vec<Patrol>,
    pub photos: Vec<PhotoEntry>,
    /// Stored entries this app version cannot read (a newer app's records, quarantined
    /// text), carried verbatim so that a backup loses nothing the phone kept.
    #[serde(default)]
    pub kept_entries: Vec<KeptEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoEntry {
    pub id: Uuid,
    pub bytes: u64,
    /// Lower-case hex; checked when the photo is read back.
    pub sha256: String,
}

/// A localStorage entry kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptEntry {
    pub key: String,
    pub text: String,
}

impl KeptEntry {
    /// Only keys the app would itself keep aside may be written back: a newer app's record
    /// or a quarantined entry. Anything else (settings, the sync token) is not restored.
    pub fn may_restore(&self) -> bool {
        self.key.starts_with(QUARANTINE_PREFIX) || codec::record_id_from_key(&self.key).is_some()
    }
}

/// Why a file cannot be restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupError {
    /// Not a ZIP, or a ZIP without a River Patrol manifest.
    NotABackup,
    /// Written by a newer app version.
    NewerFormat { found: u32 },
    /// A River Patrol backup, but cut short or changed.
    Damaged(String),
    /// Over what one ZIP (without its 64-bit extension) holds: 4 GiB or 65,535 files.
    TooLarge,
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupError::NotABackup => write!(f, "not a River Patrol backup"),
            BackupError::NewerFormat { found } => write!(
                f,
                "backup format {found} is newer than this app's {BACKUP_FORMAT}"
            ),
            BackupError::Damaged(why) => write!(f, "the backup is damaged: {why}"),
            BackupError::TooLarge => write!(f, "too large for one backup file"),
        }
    }
}

impl std::error::Error for BackupError {}

impl Manifest {
    /// The manifest of a backup made at `made_at`. Records and patrols are sorted by id so
    /// that the same phone gives the same file.
    pub fn new(
        made_at: DateTime<Utc>,
        records: &[Record],
        patrols: &[Patrol],
        photos: Vec<PhotoEntry>,
        kept_entries: Vec<KeptEntry>,
    ) -> Manifest {
        let mut records: Vec<&Record> = records.iter().collect();
        records.sort_by_key(|r| r.id);
        let mut patrols = patrols.to_vec();
        patrols.sort_by_key(|p| p.id);
        let mut photos = photos;
        photos.sort_by_key(|p| p.id);
        Manifest {
            format: BACKUP_FORMAT,
            made_at,
            records: records
                .into_iter()
                .map(|r| serde_json::from_str(&codec::encode(r)).expect("encode writes JSON"))
                .collect(),
            patrols,
            photos,
            kept_entries,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest always serializes")
    }

    /// Reads a manifest, refusing one of a newer format before looking further.
    pub fn from_json(text: &str) -> Result<Manifest, BackupError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BackupError::Damaged(format!("{MANIFEST_NAME}: {e}")))?;
        let found = value
            .get("format")
            .and_then(Value::as_u64)
            .ok_or(BackupError::NotABackup)?;
        if found > u64::from(BACKUP_FORMAT) {
            return Err(BackupError::NewerFormat {
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| BackupError::Damaged(format!("{MANIFEST_NAME}: {e}")))?;
        for photo in &manifest.photos {
            let hex = photo.sha256.len() == 64
                && photo
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hex {
                return Err(BackupError::Damaged(format!(
                    "photo {} has no SHA-256",
                    photo.id
                )));
            }
        }
        Ok(manifest)
    }
}

/// What a restore did, for the user to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    pub records_added: usize,
    /// The backup's copy had a higher revision than the phone's and replaced it.
    pub records_updated: usize,
    pub records_unchanged: usize,
    /// The phone's copy is newer (or was changed beside the backup's): kept as it is.
    pub records_kept: usize,
    /// Records in the backup this app version cannot read (written by a newer app).
    pub records_unreadable: usize,
    pub patrols_added: usize,
    pub patrols_updated: usize,
    pub patrols_unchanged: usize,
    /// Photos written; counted by the caller, which checks each one's bytes as it reads them.
    pub photos_added: usize,
    pub photos_unchanged: usize,
    /// Photos whose bytes did not match their SHA-256 (or were missing from the file).
    pub photos_damaged: usize,
}

impl RestoreReport {
    /// True when the restore changed nothing on the phone.
    pub fn changed_nothing(&self) -> bool {
        self.records_added
            + self.records_updated
            + self.patrols_added
            + self.patrols_updated
            + self.photos_added
            == 0
    }
}

/// What to write to restore a backup: photos first (a record never points at a photo that
/// is not stored), then patrols, records and kept entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RestorePlan {
    pub photos: Vec<PhotoEntry>,
    pub patrols: Vec<Patrol>,
    pub records: Vec<Record>,
    pub kept_entries: Vec<KeptEntry>,
    pub report: RestoreReport,
}

/// Compares a backup with what the phone holds. Nothing the phone holds is replaced unless
/// the backup's copy is a later revision of it; patrols are merged ([`Patrol::merge`]), so no
/// fix is lost either way. `present_keys` are the storage keys in use (kept entries are
/// written only under a free key).
pub fn plan_restore(
    manifest: &Manifest,
    local_records: &[Record],
    local_patrols: &[Patrol],
    local_photos: &HashSet<Uuid>,
    present_keys: &HashSet<String>,
) -> RestorePlan {
    let mut plan = RestorePlan::default();
    let report = &mut plan.report;

    let mut seen_photos = HashSet::new();
    for photo in &manifest.photos {
        if !seen_photos.insert(photo.id) {
            continue;
        }
        if local_photos.contains(&photo.id) {
            report.photos_unchanged += 1;
        } else {
            plan.photos.push(photo.clone());
        }
    }

    let local: HashMap<Uuid, &Record> = local_records.iter().map(|r| (r.id, r)).collect();
    let mut seen_records = HashSet::new();
    for value in &manifest.records {
        let record = match codec::decode(&value.to_string()) {
            Ok(decoded) => decoded.record,
            Err(DecodeError::NewerSchema { .. } | DecodeError::Invalid(_)) => {
                report.records_unreadable += 1;
                continue;
            }
            Err(DecodeError::Malformed(_)) => unreachable!("a JSON value is JSON"),
        };
        if !seen_records.insert(record.id) {
            continue;
        }
        match local.get(&record.id) {
            None => {
                report.records_added += 1;
                plan.records.push(record);
            }
            Some(mine) if **mine == record => report.records_unchanged += 1,
            Some(mine) if record.revision > mine.revision => {
                report.records_updated += 1;
                plan.records.push(record);
            }
            Some(_) => report.records_kept += 1,
        }
    }

    let local: HashMap<Uuid, &Patrol> = local_patrols.iter().map(|p| (p.id, p)).collect();
    let mut seen_patrols = HashSet::new();
    for patrol in &manifest.patrols {
        if !seen_patrols.insert(patrol.id) {
            continue;
        }
        match local.get(&patrol.id) {
            None => {
                report.patrols_added += 1;
                plan.patrols.push(patrol.clone());
            }
            Some(mine) => {
                let mut merged = (*mine).clone();
                merged.merge(patrol);
                if merged == **mine {
                    report.patrols_unchanged += 1;
                } else {
                    report.patrols_updated += 1;
                    plan.patrols.push(merged);
                }
            }
        }
    }

    plan.kept_entries = manifest
        .kept_entries
        .iter()
        .filter(|e| e.may_restore() && !present_keys.contains(&e.key))
        .cloned()
        .collect();
    plan
}

pub mod zip;
