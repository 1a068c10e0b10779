//! Photo bytes (JPEG Blobs) in IndexedDB, keyed by the photo's id; records keep only a
//! [`PhotoRef`](patrol_core::PhotoRef) (see docs/storage.md).
//!
//! Database `river-patrol`, version 1, object store `photos`: key = the photo id as a string
//! (hyphenated lower-case UUID), value = `{ blob: Blob, stored_at: <ms since epoch>,
//! thumbnail?: Blob }`. `blob` is the photo itself (the bytes the record's size and SHA-256
//! describe, and what a sync sends); `thumbnail` is a small local copy for lists.
//!
//! Where the browser refuses to store a Blob (WebKit in ephemeral sessions: Safari's private
//! browsing and some in-app views, "Error preparing Blob/File data to be stored"), the same
//! photo is stored as bytes instead: `{ bytes: ArrayBuffer, type, stored_at, thumbnail_bytes?,
//! thumbnail_type? }`. Blobs come first because the browser keeps a stored Blob on disk, so a
//! backup of hundreds of photos need not hold them all in memory. Readers take either form.
//! A write counts as done only when its transaction has committed, so a record saved after
//! [`put`] returned `Ok` never points at a photo that is not on the phone.
//!
//! Photos are never deleted one by one by the screens: a photo taken off a record stays until
//! [`collect_garbage`] finds that no record or draft refers to it any more.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use idb::{DatabaseEvent, Factory, ObjectStoreParams, Query, TransactionMode};
use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect};
use patrol_core::PhotoRef;
use patrol_core::capture::CaptureConfig;
use uuid::Uuid;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, DomException, IdbDatabase, IdbTransaction};

use super::keys::is_quota_error;
use crate::camera::{self, CameraError, Intake};

/// The app's IndexedDB database.
pub const DATABASE: &str = "river-patrol";
/// Its version. Whoever adds another object store bumps it and keeps creating `photos` in
/// the upgrade (see [`upgrade`]).
pub const VERSION: u32 = 1;
/// The object store holding the photos.
pub const STORE: &str = "photos";
/// How long a stored photo is safe from [`collect_garbage`] even when nothing refers to it
/// yet: between storing a photo and the form's draft naming it, or in another tab.
pub const GRACE: Duration = Duration::from_secs(10 * 60);

/// Why a photo could not be stored or read.
#[derive(Clone, Debug, PartialEq)]
pub enum PhotoError {
    /// The browser refused the write: its storage quota is used up.
    Full,
    /// Anything else (IndexedDB missing or blocked, private mode, ...), in the browser's words.
    Failed(String),
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoError::Full => f.write_str("storage full"),
            PhotoError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for PhotoError {}

impl PhotoError {
    /// A DOMException's name and message, as the browser reported the failure.
    pub fn from_dom(name: &str, message: &str) -> PhotoError {
        if is_quota_error(name) {
            PhotoError::Full
        } else if message.is_empty() {
            PhotoError::Failed(name.to_owned())
        } else {
            PhotoError::Failed(format!("{name}: {message}"))
        }
    }

    fn from_js(value: &JsValue) -> PhotoError {
        match value.dyn_ref::<DomException>() {
            Some(e) => PhotoError::from_dom(&e.name(), &e.message()),
            None => PhotoError::Failed(
                value
                    .as_string()
                    .or_else(|| {
                        value
                            .dyn_ref::<js_sys::Error>()
                            .map(|e| String::from(e.message()))
                    })
                    .unwrap_or_else(|| format!("{value:?}")),
            ),
        }
    }

    fn from_idb(error: idb::Error) -> PhotoError {
        use idb::Error as E;
        match error {
            E::DomException(e) => PhotoError::from_dom(&e.name(), &e.message()),
            E::AddFailed(v)
            | E::UpdateFailed(v)
            | E::DeleteFailed(v)
            | E::GetFailed(v)
            | E::GetAllKeysFailed(v)
            | E::GetAllFailed(v)
            | E::IndexedDbOpenFailed(v)
            | E::IndexedDbNotFound(v)
            | E::ObjectStoreNotFound(v)
            | E::TransactionOpenFailed(v) => PhotoError::from_js(&v),
            other => PhotoError::Failed(other.to_string()),
        }
    }
}

/// The photo store of one IndexedDB database. The app uses [`PhotoStore::default`]
/// (database [`DATABASE`]); the free functions below are shorthands for it. Tests may use
/// another database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoStore {
    database: String,
}

impl Default for PhotoStore {
    fn default() -> Self {
        PhotoStore::named(DATABASE)
    }
}

thread_local! {
    /// Open connections by database name, reused across calls.
    static OPEN: RefCell<HashMap<String, IdbDatabase>> = RefCell::new(HashMap::new());
    /// Databases that refused a Blob once: later photos go straight in as bytes. (It is the
    /// browser that refuses, but a store's test then leaves the others as they were.)
    static BLOBS_REFUSED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

fn forget_connection(name: &str) {
    OPEN.with(|open| open.borrow_mut().remove(name));
}

/// Creates the `photos` store when the database is new (or older than [`VERSION`]).
pub fn upgrade(database: &idb::Database) -> Result<(), idb::Error> {
    if !database.store_names().iter().any(|n| n == STORE) {
        database.create_object_store(STORE, ObjectStoreParams::new())?;
    }
    Ok(())
}

/// Resolves when the transaction commits; rejects with its error (a DOMException such as
/// `QuotaExceededError`) when it aborts.
fn committed(tx: &IdbTransaction) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        // One handler for both events: exactly one of them fires, so the closure is called
        // once and freed (a second, never-called closure would leak with the transaction).
        let finished_tx = tx.clone();
        let finished = Closure::once_into_js(move |event: web_sys::Event| {
            if event.type_() == "complete" {
                let _ = resolve.call0(&JsValue::NULL);
            } else {
                let reason = finished_tx
                    .error()
                    .map(JsValue::from)
                    .unwrap_or_else(|| JsValue::from_str("AbortError"));
                let _ = reject.call1(&JsValue::NULL, &reason);
            }
        });
        tx.set_oncomplete(Some(finished.unchecked_ref()));
        tx.set_onabort(Some(finished.unchecked_ref()));
    });
    JsFuture::from(promise)
}

fn key(id: Uuid) -> JsValue {
    JsValue::from_str(&id.hyphenated().to_string())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The stored value: the photo, when it was stored, and its thumbnail if there is one.
fn entry(blob: &Blob, thumbnail: Option<&Blob>) -> JsValue {
    let value = Object::new();
    let _ = Reflect::set(&value, &"blob".into(), blob);
    let _ = Reflect::set(&value, &"stored_at".into(), &now_ms().into());
    if let Some(thumbnail) = thumbnail {
        let _ = Reflect::set(&value, &"thumbnail".into(), thumbnail);
    }
    value.into()
}

/// The same value with the bytes in place of the Blobs, for browsers that refuse Blobs.
async fn entry_of_bytes(blob: &Blob, thumbnail: Option<&Blob>) -> Result<JsValue, PhotoError> {
    let value = Object::new();
    let _ = Reflect::set(&value, &"bytes".into(), &bytes_of(blob).await?.into());
    let _ = Reflect::set(&value, &"type".into(), &blob.type_().into());
    let _ = Reflect::set(&value, &"stored_at".into(), &now_ms().into());
    // A thumbnail that cannot be read is left out: lists then show the photo itself.
    if let Some(thumbnail) = thumbnail
        && let Ok(bytes) = bytes_of(thumbnail).await
    {
        let _ = Reflect::set(&value, &"thumbnail_bytes".into(), &bytes);
        let _ = Reflect::set(&value, &"thumbnail_type".into(), &thumbnail.type_().into());
    }
    Ok(value.into())
}

async fn bytes_of(blob: &Blob) -> Result<ArrayBuffer, PhotoError> {
    JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| PhotoError::from_js(&e))?
        .dyn_into()
        .map_err(|e| PhotoError::from_js(&e))
}

/// A stored photo or thumbnail in either form: `field` holds a Blob, or `<field>_bytes`
/// (`bytes` for the photo) holds its bytes and `<field>_type` (`type`) their media type.
fn entry_field(value: &JsValue, field: &str) -> Option<Blob> {
    if let Some(blob) = value.dyn_ref::<Blob>() {
        return Some(blob.clone());
    }
    if let Some(blob) = Reflect::get(value, &field.into())
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok())
    {
        return Some(blob);
    }
    let (bytes_field, type_field) = match field {
        "blob" => ("bytes".to_owned(), "type".to_owned()),
        other => (format!("{other}_bytes"), format!("{other}_type")),
    };
    let bytes = Reflect::get(value, &bytes_field.into())
        .ok()?
        .dyn_into::<ArrayBuffer>()
        .ok()?;
    let options = BlobPropertyBag::new();
    if let Some(media_type) = Reflect::get(value, &type_field.into())
        .ok()
        .and_then(|t| t.as_string())
    {
        options.set_type(&media_type);
    }
    Blob::new_with_buffer_source_sequence_and_options(&Array::of1(&bytes), &options).ok()
}

fn entry_blob(value: &JsValue) -> Option<Blob> {
    entry_field(value, "blob")
}

fn entry_stored_at(value: &JsValue) -> Option<f64> {
    Reflect::get(value, &"stored_at".into())
        .ok()
        .and_then(|v| v.as_f64())
}

impl PhotoStore {
    /// The photo store in IndexedDB database `database`.
    pub fn named(database: &str) -> PhotoStore {
        PhotoStore {
            database: database.to_owned(),
        }
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The open connection, opening (and creating or upgrading) the database when needed.
    async fn connection(&self) -> Result<IdbDatabase, PhotoError> {
        if let Some(db) = OPEN.with(|open| open.borrow().get(&self.database).cloned()) {
            return Ok(db);
        }
        let factory = Factory::new().map_err(PhotoError::from_idb)?;
        let mut request = factory
            .open(&self.database, Some(VERSION))
            .map_err(PhotoError::from_idb)?;
        request.on_upgrade_needed(|event| {
            if let Ok(database) = event.database() {
                let _ = upgrade(&database);
            }
        });
        let db: IdbDatabase = request.await.map_err(PhotoError::from_idb)?.into();
        // Another tab wants a newer version, or the browser closed the connection (storage
        // cleared): let go, and open afresh next time.
        // (One handler for both: after either the connection is finished.)
        let name = self.database.clone();
        let this = db.clone();
        let handler = Closure::once_into_js(move |_: web_sys::Event| {
            this.close();
            forget_connection(&name);
        });
        db.set_onversionchange(Some(handler.unchecked_ref()));
        db.set_onclose(Some(handler.unchecked_ref()));
        OPEN.with(|open| open.borrow_mut().insert(self.database.clone(), db.clone()));
        Ok(db)
    }

    async fn transaction(
        &self,
        mode: TransactionMode,
    ) -> Result<(idb::ObjectStore, IdbTransaction), PhotoError> {
        let db = idb::Database::from(self.connection().await?);
        let tx = match db.transaction(&[STORE], mode) {
            Ok(tx) => tx,
            Err(e) => {
                // A connection closed under us (e.g. by the browser): drop it and let the
                // caller's next attempt open a new one.
                forget_connection(&self.database);
                return Err(PhotoError::from_idb(e));
            }
        };
        let raw: IdbTransaction = tx.into();
        let store = idb::Transaction::from(raw.clone())
            .object_store(STORE)
            .map_err(PhotoError::from_idb)?;
        Ok((store, raw))
    }

    /// Stores `blob` as photo `id` (replacing one with the same id). Returns once the
    /// transaction has committed: the photo is then on disk.
    pub async fn put(&self, id: Uuid, blob: &Blob) -> Result<(), PhotoError> {
        self.put_with_thumbnail(id, blob, None).await
    }

    /// [`PhotoStore::put`], with a small copy for thumbnails stored in the same write. A Blob
    /// the browser refuses for any reason but a full disk is stored again as bytes.
    pub async fn put_with_thumbnail(
        &self,
        id: Uuid,
        blob: &Blob,
        thumbnail: Option<&Blob>,
    ) -> Result<(), PhotoError> {
        let refused = BLOBS_REFUSED.with(|r| r.borrow().contains(&self.database));
        if !refused {
            match self.put_value(id, &entry(blob, thumbnail)).await {
                Err(PhotoError::Failed(reason)) => web_sys::console::warn_1(
                    &format!("photo not stored as a Blob ({reason}): storing its bytes").into(),
                ),
                done => return done,
            }
            let value = entry_of_bytes(blob, thumbnail).await?;
            self.put_value(id, &value).await?;
            // The bytes went in where the Blob did not: it was the Blob.
            BLOBS_REFUSED.with(|r| r.borrow_mut().insert(self.database.clone()));
            return Ok(());
        }
        let value = entry_of_bytes(blob, thumbnail).await?;
        self.put_value(id, &value).await
    }

    async fn put_value(&self, id: Uuid, value: &JsValue) -> Result<(), PhotoError> {
        let (store, tx) = self.transaction(TransactionMode::ReadWrite).await?;
        let done = committed(&tx);
        if let Err(e) = store.put(value, Some(&key(id))) {
            let _ = tx.abort();
            return Err(PhotoError::from_idb(e));
        }
        done.await.map(|_| ()).map_err(|e| PhotoError::from_js(&e))
    }

    /// The stored photo `id`, or `None` when this phone does not have it.
    pub async fn get(&self, id: Uuid) -> Result<Option<Blob>, PhotoError> {
        Ok(self.value(id).await?.as_ref().and_then(entry_blob))
    }

    /// The small copy of photo `id` for thumbnails, or the photo itself when it was stored
    /// without one; `None` when this phone does not have it.
    pub async fn get_thumbnail(&self, id: Uuid) -> Result<Option<Blob>, PhotoError> {
        Ok(self
            .value(id)
            .await?
            .as_ref()
            .and_then(|v| entry_field(v, "thumbnail").or_else(|| entry_blob(v))))
    }

    async fn value(&self, id: Uuid) -> Result<Option<JsValue>, PhotoError> {
        let (store, _tx) = self.transaction(TransactionMode::ReadOnly).await?;
        store
            .get(Query::from(key(id)))
            .map_err(PhotoError::from_idb)?
            .await
            .map_err(PhotoError::from_idb)
    }

    /// Removes photo `id` (nothing happens when it is not stored). Returns once committed.
    pub async fn delete(&self, id: Uuid) -> Result<(), PhotoError> {
        let (store, tx) = self.transaction(TransactionMode::ReadWrite).await?;
        let done = committed(&tx);
        if let Err(e) = store.delete(Query::from(key(id))) {
            let _ = tx.abort();
            return Err(PhotoError::from_idb(e));
        }
        done.await.map(|_| ()).map_err(|e| PhotoError::from_js(&e))
    }

    /// Ids of every stored photo (keys that are not photo ids are left out).
    pub async fn ids(&self) -> Result<Vec<Uuid>, PhotoError> {
        let (store, _tx) = self.transaction(TransactionMode::ReadOnly).await?;
        let keys = store
            .get_all_keys(None, None)
            .map_err(PhotoError::from_idb)?
            .await
            .map_err(PhotoError::from_idb)?;
        Ok(keys
            .iter()
            .filter_map(|k| k.as_string())
            .filter_map(|k| Uuid::parse_str(&k).ok())
            .collect())
    }

    /// Deletes every photo that is not in `keep` and was stored more than `min_age` ago, in
    /// one transaction; returns how many went. Keys that are not photo ids are left alone.
    pub async fn collect_garbage(
        &self,
        keep: &HashSet<Uuid>,
        min_age: Duration,
    ) -> Result<usize, PhotoError> {
        let (store, tx) = self.transaction(TransactionMode::ReadWrite).await?;
        let done = committed(&tx);
        let outcome = async {
            let keys = store
                .get_all_keys(None, None)
                .map_err(PhotoError::from_idb)?
                .await
                .map_err(PhotoError::from_idb)?;
            let values = store
                .get_all(None, None)
                .map_err(PhotoError::from_idb)?
                .await
                .map_err(PhotoError::from_idb)?;
            let cutoff = now_ms() - min_age.as_millis() as f64;
            let mut deleted = 0;
            // Both lists are in key order, from the same transaction.
            for (k, value) in keys.iter().zip(values.iter()) {
                let Some(id) = k.as_string().and_then(|s| Uuid::parse_str(&s).ok()) else {
                    continue;
                };
                let old = entry_stored_at(value).is_none_or(|at| at <= cutoff);
                if !keep.contains(&id) && old {
                    store
                        .delete(Query::from(k.clone()))
                        .map_err(PhotoError::from_idb)?;
                    deleted += 1;
                }
            }
            Ok::<usize, PhotoError>(deleted)
        }
        .await;
        match outcome {
            Ok(deleted) => {
                done.await.map_err(|e| PhotoError::from_js(&e))?;
                Ok(deleted)
            }
            Err(e) => {
                let _ = tx.abort();
                Err(e)
            }
        }
    }
}

/// Stores `blob` as photo `id` in the app's database; see [`PhotoStore::put`].
pub async fn put(id: Uuid, blob: &Blob) -> Result<(), PhotoError> {
    PhotoStore::default().put(id, blob).await
}

/// The app's stored photo `id`; see [`PhotoStore::get`].
pub async fn get(id: Uuid) -> Result<Option<Blob>, PhotoError> {
    PhotoStore::default().get(id).await
}

/// The app's thumbnail of photo `id`; see [`PhotoStore::get_thumbnail`].
pub async fn get_thumbnail(id: Uuid) -> Result<Option<Blob>, PhotoError> {
    PhotoStore::default().get_thumbnail(id).await
}

/// Removes the app's photo `id`; see [`PhotoStore::delete`].
pub async fn delete(id: Uuid) -> Result<(), PhotoError> {
    PhotoStore::default().delete(id).await
}

/// Ids of all of the app's stored photos.
pub async fn ids() -> Result<Vec<Uuid>, PhotoError> {
    PhotoStore::default().ids().await
}

/// Whether this phone has the IndexedDB database `name` ([`DATABASE`] for the app's photos);
/// `None` when the browser cannot say (Firefox before version 126). Asks
/// `indexedDB.databases()`, which opens nothing and so creates nothing.
pub async fn database_exists(name: &str) -> Option<bool> {
    use js_sys::{Array, Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let factory = Reflect::get(&window, &"indexedDB".into()).ok()?;
    let databases: Function = Reflect::get(&factory, &"databases".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let listed: Promise = databases.call0(&factory).ok()?.dyn_into().ok()?;
    let listed: Array = wasm_bindgen_futures::JsFuture::from(listed)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    Some(listed.iter().any(|db| {
        Reflect::get(&db, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == name)
    }))
}

/// Deletes the app's photos that no record or draft refers to (`keep`: every photo id of
/// every record, tombstones whose photos sync still needs, and drafts). Photos stored within
/// the last [`GRACE`] are spared, so a photo just taken in an open form (or another tab) is
/// not lost before its draft is written. Returns how many were deleted.
pub async fn collect_garbage(keep: &HashSet<Uuid>) -> Result<usize, PhotoError> {
    PhotoStore::default().collect_garbage(keep, GRACE).await
}

/// Why a photo could not be added to a record.
#[derive(Clone, Debug, PartialEq)]
pub enum AddError {
    /// The file could not be read or turned into a JPEG.
    Camera(CameraError),
    /// The JPEG could not be stored.
    Store(PhotoError),
}

/// Everything "add photo" does apart from the screen: reads the file's EXIF (unless `intake`
/// has it already), turns `file` into a stored JPEG (upright, scaled down, watermarked as
/// `intake` says, re-encoded, hashed) with a thumbnail, and returns its reference. The
/// reference is returned only once the photo is committed to `store`; on any error nothing
/// is returned for a record to point at.
pub async fn add_photo(
    store: &PhotoStore,
    file: &Blob,
    config: &CaptureConfig,
    mut intake: Intake,
) -> Result<PhotoRef, AddError> {
    if intake.exif.is_none() {
        intake.exif = camera::read_exif(file).await;
    }
    let (photo, jpeg) = camera::process(file, config, &intake)
        .await
        .map_err(AddError::Camera)?;
    // Best effort: without one, thumbnails show the photo itself.
    let thumbnail = camera::thumbnail(&jpeg).await.ok();
    store
        .put_with_thumbnail(photo.id, &jpeg, thumbnail.as_ref())
        .await
        .map_err(AddError::Store)?;
    Ok(photo)
}
