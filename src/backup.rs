//! The phone's backup file (see [`patrol_core::backup`]): made from what the phone stores
//! (src/storage/) and offered as a download; read back from a file the user picks.
//!
//! Photos pass through wasm memory one at a time (to hash them); the file itself is put
//! together by the browser from the stored Blobs, so a backup of many photos does not have to
//! fit in memory.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use patrol_core::backup::zip::{self, Entry, ZipWriter};
use patrol_core::backup::{
    BackupError, KeptEntry, LEDGER_NAME, MANIFEST_NAME, Manifest, PhotoEntry, RestoreReport,
    photo_file_name, plan_restore,
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

use crate::state::{Ledger, Patrols};
use crate::storage::photos::{self, PhotoError};
use crate::storage::{SaveError, keys, patrols, records};

/// What went into a backup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Made {
    pub records: usize,
    pub patrols: usize,
    pub photos: usize,
}

/// Why a backup or a restore stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum BackupFailure {
    /// The file is not a backup this app can read.
    File(BackupError),
    /// The phone's storage filled up during a restore; what was written so far stays, and
    /// restoring the same file again completes it.
    Full,
    /// The browser refused something else (reading the file, IndexedDB), in its words.
    Failed(String),
}

impl From<BackupError> for BackupFailure {
    fn from(e: BackupError) -> Self {
        BackupFailure::File(e)
    }
}

impl From<SaveError> for BackupFailure {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Full => BackupFailure::Full,
            SaveError::Failed(why) => BackupFailure::Failed(why),
        }
    }
}

fn failed(e: impl std::fmt::Debug) -> BackupFailure {
    BackupFailure::Failed(format!("{e:?}"))
}

/// How far a backup or a restore has gone: photos handled of all (the photos are what takes
/// the time; the records follow in one step at the end).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Step {
    pub done: usize,
    pub total: usize,
}

/// Makes the backup file of everything stored on this phone, as a Blob to download.
/// `on_step` hears of every photo read, so the screen can show a progress bar.
pub async fn make(
    now: DateTime<Utc>,
    on_step: impl Fn(Step),
) -> Result<(Blob, Made), BackupFailure> {
    let loaded = records::load_all();
    let kept: Vec<KeptEntry> = loaded
        .newer
        .iter()
        .chain(&loaded.quarantined)
        .filter_map(|key| {
            keys::read_raw(key).map(|text| KeptEntry {
                key: key.clone(),
                text,
            })
        })
        .collect();
    let patrols = patrols::load_all();

    // Each photo is read once, to hash it; the file refers to the stored Blob itself.
    let mut photo_entries = Vec::new();
    let mut photo_blobs = Vec::new();
    let ids = photos::ids().await.map_err(failed)?;
    let total = ids.len();
    on_step(Step { done: 0, total });
    for (done, id) in ids.into_iter().enumerate() {
        on_step(Step { done, total });
        let Some(blob) = photos::get(id).await.map_err(failed)? else {
            continue;
        };
        let buffer = crate::camera::read(&blob).await.map_err(failed)?;
        let crc = zip::crc32(&Uint8Array::new(&buffer).to_vec());
        let sha256 = crate::camera::sha256_hex(&buffer).await.map_err(failed)?;
        photo_entries.push(PhotoEntry {
            id,
            bytes: buffer.byte_length().into(),
            sha256,
        });
        photo_blobs.push((id, crc, blob));
    }
    on_step(Step { done: total, total });

    let made = Made {
        records: loaded.records.len(),
        patrols: patrols.len(),
        photos: photo_entries.len(),
    };
    let manifest = Manifest::new(now, &loaded.records, &patrols, photo_entries, kept);
    let manifest = manifest.to_json().into_bytes();
    // With the township's receipts for the photos, as the phone's own CSV has them.
    let receipts: Vec<_> = crate::storage::sync_state::load_states()
        .into_values()
        .flat_map(|s| s.receipts)
        .collect();
    let ledger =
        patrol_core::csv::ledger_csv_with_receipts(&loaded.records, &receipts).into_bytes();

    let mut writer = ZipWriter::new(now);
    let parts = Array::new();
    for (name, bytes) in [(MANIFEST_NAME, &manifest), (LEDGER_NAME, &ledger)] {
        let header = writer.add(name, zip::crc32(bytes), bytes.len() as u64)?;
        parts.push(&Uint8Array::from(&header[..]));
        parts.push(&Uint8Array::from(&bytes[..]));
    }
    for (id, crc, blob) in &photo_blobs {
        let header = writer.add(&photo_file_name(*id), *crc, blob.size() as u64)?;
        parts.push(&Uint8Array::from(&header[..]));
        parts.push(blob);
    }
    parts.push(&Uint8Array::from(&writer.finish()?[..]));
    let options = BlobPropertyBag::new();
    options.set_type("application/zip");
    let file = Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(failed)?;
    Ok((file, made))
}

/// Bytes `start..end` of `file`.
async fn read_range(file: &Blob, start: u64, end: u64) -> Result<ArrayBuffer, BackupFailure> {
    let part = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(failed)?;
    JsFuture::from(part.array_buffer())
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)
}

/// The bytes of one entry, checked against its CRC-32.
async fn read_entry(file: &Blob, entry: &Entry) -> Result<ArrayBuffer, BackupFailure> {
    let start = u64::from(entry.offset);
    let header = read_range(file, start, start + zip::LOCAL_HEADER_LEN).await?;
    let data = start + zip::data_start(&Uint8Array::new(&header).to_vec())?;
    let bytes = read_range(file, data, data + u64::from(entry.size)).await?;
    if bytes.byte_length() != entry.size
        || zip::crc32(&Uint8Array::new(&bytes).to_vec()) != entry.crc32
    {
        return Err(BackupError::Damaged(format!("{} is cut short or changed", entry.name)).into());
    }
    Ok(bytes)
}

/// Restores a backup file: adds what the phone does not hold, never replacing a newer
/// revision. Photos are written first, each checked against its SHA-256; `on_step` hears of
/// each one, and of the records and patrols as the last step.
pub async fn restore(
    file: &Blob,
    ledger: &Ledger,
    patrol_list: &Patrols,
    on_step: impl Fn(Step),
) -> Result<RestoreReport, BackupFailure> {
    let len = file.size() as u64;
    let tail = read_range(file, len.saturating_sub(zip::TAIL_LEN), len).await?;
    let (offset, size) = zip::find_directory(&Uint8Array::new(&tail).to_vec(), len)?;
    let directory = read_range(file, offset, offset + size).await?;
    let entries = zip::read_directory(&Uint8Array::new(&directory).to_vec())?;
    let entry = |name: &str| entries.iter().find(|e| e.name == name);
    let manifest = entry(MANIFEST_NAME).ok_or(BackupError::NotABackup)?;
    let manifest = read_entry(file, manifest).await?;
    let manifest = String::from_utf8(Uint8Array::new(&manifest).to_vec())
        .map_err(|_| BackupError::Damaged(MANIFEST_NAME.into()))?;
    let manifest = Manifest::from_json(&manifest)?;

    let loaded = records::load_all();
    let present_photos: HashSet<Uuid> = photos::ids().await.map_err(failed)?.into_iter().collect();
    let present_keys: HashSet<String> = keys::keys().into_iter().collect();
    let mut plan = plan_restore(
        &manifest,
        &loaded.records,
        &patrols::load_all(),
        &present_photos,
        &present_keys,
    );

    // Every photo is a step, and the records and patrols together the last one.
    let total = plan.photos.len() + 1;
    for (done, photo) in plan.photos.iter().enumerate() {
        on_step(Step { done, total });
        let checked = match entry(&photo_file_name(photo.id)) {
            Some(e) => match read_entry(file, e).await {
                Ok(bytes) => {
                    let sha = crate::camera::sha256_hex(&bytes).await.map_err(failed)?;
                    (u64::from(bytes.byte_length()) == photo.bytes && sha == photo.sha256)
                        .then_some(bytes)
                }
                Err(BackupFailure::File(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let Some(bytes) = checked else {
            plan.report.photos_damaged += 1;
            continue;
        };
        let options = BlobPropertyBag::new();
        options.set_type("image/jpeg");
        let blob = Blob::new_with_buffer_source_sequence_and_options(
            &Array::of1(&JsValue::from(bytes)),
            &options,
        )
        .map_err(failed)?;
        // The small copy lists show is made again (it is never in a backup): best effort, as
        // when a photo is taken.
        let thumbnail = crate::camera::thumbnail(&blob).await.ok();
        match photos::PhotoStore::default()
            .put_with_thumbnail(photo.id, &blob, thumbnail.as_ref())
            .await
        {
            Ok(()) => plan.report.photos_added += 1,
            Err(PhotoError::Full) => return Err(BackupFailure::Full),
            Err(e) => return Err(failed(e)),
        }
    }

    on_step(Step {
        done: total - 1,
        total,
    });
    for patrol in plan.patrols {
        patrol_list.store_as_is(patrol)?;
    }
    for record in plan.records {
        ledger.store_as_is(record)?;
    }
    for kept in &plan.kept_entries {
        keys::write_text(&kept.key, &kept.text)?;
    }
    ledger.reload();
    on_step(Step { done: total, total });
    Ok(plan.report)
}
