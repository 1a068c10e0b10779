//! The photo store (IndexedDB) and the camera pipeline in a real browser: what a record
//! relies on when it says "this photo, this size, this hash".
//!
//! Run with `cargo test -p river-patrol --target wasm32-unknown-unknown --test photos`
//! (headless Chromium through wasm-bindgen-test-runner). Tests share one page, so each one
//! works in an IndexedDB database of its own (except the ones about the app's database, which
//! use fresh ids and clean up after themselves).
#![cfg(target_arch = "wasm32")]

use std::collections::HashSet;
use std::time::Duration;

use idb::{DatabaseEvent, Factory};
use patrol_core::capture::CaptureConfig;
use river_patrol::bench::synthetic_photo;
use river_patrol::camera::{self, CameraError, Intake};
use river_patrol::storage::photos::{self, AddError, PhotoError, PhotoStore};
use river_patrol::storage::quota as storage_info;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------------
// Helpers

/// A store in a database of its own, emptied first.
async fn fresh_store(name: &str) -> PhotoStore {
    let store = PhotoStore::named(&format!("rp-test-{name}"));
    for id in store.ids().await.expect("list photos") {
        store.delete(id).await.expect("empty the test store");
    }
    store
}

fn blob_of(bytes: &[u8], kind: &str) -> Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).expect("a blob")
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    js_sys::Uint8Array::new(&camera::read(blob).await.expect("read blob")).to_vec()
}

/// Width and height of a picture, decoded by the browser as stored (no re-orientation).
async fn decoded_size(blob: &Blob) -> (u32, u32) {
    let promise = web_sys::window()
        .unwrap()
        .create_image_bitmap_with_blob(blob)
        .expect("createImageBitmap");
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the stored photo decodes")
        .into();
    let size = (bitmap.width(), bitmap.height());
    bitmap.close();
    size
}

// ---------------------------------------------------------------------------------------------
// The store

#[wasm_bindgen_test]
async fn put_get_delete_round_trip() {
    let store = fresh_store("round-trip").await;
    let id = Uuid::new_v4();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let blob = blob_of(&bytes, "image/jpeg");

    assert_eq!(store.get(id).await, Ok(None), "nothing before the put");
    store.put(id, &blob).await.expect("put");
    let back = store.get(id).await.expect("get").expect("stored");
    assert_eq!(bytes_of(&back).await, bytes, "the same bytes come back");
    assert_eq!(back.type_(), "image/jpeg", "with their type");
    assert_eq!(store.ids().await, Ok(vec![id]));

    // Putting the same id again replaces, never duplicates.
    store
        .put(id, &blob_of(b"second", "image/jpeg"))
        .await
        .expect("put again");
    assert_eq!(store.ids().await, Ok(vec![id]));
    let back = store.get(id).await.unwrap().unwrap();
    assert_eq!(bytes_of(&back).await, b"second");

    store.delete(id).await.expect("delete");
    assert_eq!(store.get(id).await, Ok(None), "gone after delete");
    assert_eq!(store.ids().await, Ok(vec![]));
    // Deleting what is not there is fine.
    store.delete(id).await.expect("delete again");
}

#[wasm_bindgen_test]
async fn a_database_is_known_to_exist_only_once_made_and_asking_makes_none() {
    let name = "rp-test-exists";
    assert_eq!(photos::database_exists(name).await, Some(false));
    assert_eq!(
        photos::database_exists(name).await,
        Some(false),
        "asking created nothing"
    );
    let store = fresh_store("exists").await;
    store
        .put(Uuid::new_v4(), &blob_of(b"jpeg", "image/jpeg"))
        .await
        .expect("put");
    assert_eq!(photos::database_exists(name).await, Some(true));
}

#[wasm_bindgen_test]
async fn the_apps_own_database_is_river_patrol_photos() {
    let id = Uuid::new_v4();
    photos::put(id, &blob_of(b"jpeg", "image/jpeg"))
        .await
        .expect("put");
    assert!(photos::ids().await.unwrap().contains(&id));
    assert!(photos::get(id).await.unwrap().is_some());

    // Stored under the documented names, readable without the app's code.
    let factory = Factory::new().unwrap();
    let db = factory.open(photos::DATABASE, None).unwrap().await.unwrap();
    assert_eq!(db.store_names(), vec![photos::STORE.to_owned()]);
    let tx = db
        .transaction(&[photos::STORE], idb::TransactionMode::ReadOnly)
        .unwrap();
    let value = tx
        .object_store(photos::STORE)
        .unwrap()
        .get(JsValue::from_str(&id.to_string()))
        .unwrap()
        .await
        .unwrap()
        .expect("stored under the hyphenated id");
    let blob = js_sys::Reflect::get(&value, &"blob".into()).unwrap();
    assert!(
        blob.is_instance_of::<Blob>(),
        "the value holds the Blob itself"
    );
    db.close();

    photos::delete(id).await.expect("clean up");
    assert!(!photos::ids().await.unwrap().contains(&id));
}

/// Makes this page's IndexedDB refuse any value holding a Blob, as WebKit does in ephemeral
/// sessions (Safari's private browsing, some in-app views); returns the original `put`.
fn refuse_blobs_like_webkit() -> JsValue {
    let patch = js_sys::Function::new_no_args(
        "const proto = IDBObjectStore.prototype; const put = proto.put;
         proto.put = function (value, key) {
           if (value && (value instanceof Blob || value.blob instanceof Blob)) {
             throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
           }
           return put.call(this, value, key);
         };
         return put;",
    );
    patch
        .call0(&JsValue::NULL)
        .expect("patch IDBObjectStore.put")
}

fn restore_put(put: &JsValue) {
    let proto = js_sys::Reflect::get(&js_sys::global(), &"IDBObjectStore".into())
        .and_then(|c| js_sys::Reflect::get(&c, &"prototype".into()))
        .expect("IDBObjectStore.prototype");
    js_sys::Reflect::set(&proto, &"put".into(), put).expect("restore put");
}

#[wasm_bindgen_test]
async fn a_browser_that_refuses_blobs_gets_the_bytes_and_gives_the_same_photo_back() {
    let store = fresh_store("no-blobs").await;
    let photo = blob_of(b"\xff\xd8 a jpeg's bytes \xff\xd9", "image/jpeg");
    let thumbnail = blob_of(b"a small copy", "image/jpeg");
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    let put = refuse_blobs_like_webkit();
    let stored = store
        .put_with_thumbnail(first, &photo, Some(&thumbnail))
        .await;
    // The next photo goes straight in as bytes.
    let stored_again = store.put(second, &photo).await;
    restore_put(&put);
    stored.expect("stored as bytes where the Blob was refused");
    stored_again.expect("the second photo too");

    let back = store.get(first).await.unwrap().expect("the photo is there");
    assert_eq!(back.type_(), "image/jpeg");
    assert_eq!(bytes_of(&back).await, bytes_of(&photo).await);
    let small = store
        .get_thumbnail(first)
        .await
        .unwrap()
        .expect("its thumbnail");
    assert_eq!(bytes_of(&small).await, b"a small copy");
    let back = store.get(second).await.unwrap().expect("the second photo");
    assert_eq!(bytes_of(&back).await, bytes_of(&photo).await);
    // Garbage collection reads either form.
    let keep: HashSet<Uuid> = [first].into();
    assert_eq!(store.collect_garbage(&keep, Duration::ZERO).await, Ok(1));
    assert_eq!(store.ids().await.unwrap(), vec![first]);
}

#[wasm_bindgen_test]
async fn garbage_collection_keeps_referenced_photos_and_deletes_the_rest() {
    let store = fresh_store("gc").await;
    let kept: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    let orphans: Vec<Uuid> = (0..2).map(|_| Uuid::new_v4()).collect();
    for id in kept.iter().chain(&orphans) {
        store
            .put(*id, &blob_of(id.as_bytes(), "image/jpeg"))
            .await
            .unwrap();
    }
    let keep: HashSet<Uuid> = kept.iter().copied().collect();

    // Just stored: within the grace period nothing goes, referenced or not.
    assert_eq!(store.collect_garbage(&keep, photos::GRACE).await, Ok(0));
    assert_eq!(store.ids().await.unwrap().len(), 5);

    // Old enough: the unreferenced ones go, the referenced ones stay intact.
    assert_eq!(store.collect_garbage(&keep, Duration::ZERO).await, Ok(2));
    let mut left = store.ids().await.unwrap();
    left.sort();
    let mut expected = kept.clone();
    expected.sort();
    assert_eq!(left, expected);
    for id in &kept {
        let blob = store.get(*id).await.unwrap().expect("kept");
        assert_eq!(bytes_of(&blob).await, id.as_bytes());
    }

    // Nothing referenced: everything goes; a second pass finds nothing.
    assert_eq!(
        store.collect_garbage(&HashSet::new(), Duration::ZERO).await,
        Ok(3)
    );
    assert_eq!(
        store.collect_garbage(&HashSet::new(), Duration::ZERO).await,
        Ok(0)
    );
}

#[wasm_bindgen_test]
async fn a_write_to_a_broken_database_fails_and_stores_nothing() {
    // A database that exists at our version but lacks the photos store (another app, or a
    // damaged upgrade): every operation must fail cleanly, never pretend to succeed.
    let name = "rp-test-broken";
    let factory = Factory::new().unwrap();
    let _ = factory.delete(name).unwrap().await;
    let mut open = factory.open(name, Some(photos::VERSION)).unwrap();
    open.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        db.create_object_store("something-else", idb::ObjectStoreParams::new())
            .unwrap();
    });
    open.await.unwrap().close();

    let store = PhotoStore::named(name);
    let id = Uuid::new_v4();
    let result = store.put(id, &blob_of(b"jpeg", "image/jpeg")).await;
    assert!(
        matches!(result, Err(PhotoError::Failed(ref why)) if why.contains("NotFoundError")),
        "{result:?}"
    );
    assert!(store.get(id).await.is_err());
    assert!(store.ids().await.is_err());
}

#[wasm_bindgen_test]
async fn the_store_lets_go_when_the_database_is_deleted_and_opens_it_again() {
    // Another tab upgrading, or the database being deleted, asks open connections to close;
    // the store must not block that, and must work again afterwards.
    let store = fresh_store("reopen").await;
    let first = Uuid::new_v4();
    store
        .put(first, &blob_of(b"one", "image/jpeg"))
        .await
        .unwrap();
    Factory::new()
        .unwrap()
        .delete(store.database())
        .unwrap()
        .await
        .expect("deleting is not blocked by the store's open connection");
    assert_eq!(store.ids().await, Ok(vec![]), "a new, empty database");
    let second = Uuid::new_v4();
    store
        .put(second, &blob_of(b"two", "image/jpeg"))
        .await
        .unwrap();
    assert_eq!(store.ids().await, Ok(vec![second]));
}

#[wasm_bindgen_test]
fn quota_errors_read_as_full() {
    assert_eq!(
        PhotoError::from_dom("QuotaExceededError", "quota"),
        PhotoError::Full
    );
    assert_eq!(
        PhotoError::from_dom("NS_ERROR_DOM_QUOTA_REACHED", ""),
        PhotoError::Full
    );
    assert_eq!(
        PhotoError::from_dom("UnknownError", "disk"),
        PhotoError::Failed("UnknownError: disk".into())
    );
}

// ---------------------------------------------------------------------------------------------
// The camera pipeline

#[wasm_bindgen_test]
async fn a_12_megapixel_photo_comes_out_at_1600_px_and_at_most_400_kb() {
    let input = synthetic_photo(4000, 3000, 7)
        .await
        .expect("a test picture");
    assert!(
        input.size() > 2_000_000.0,
        "the input is a realistic camera JPEG, not something trivially small: {} bytes",
        input.size()
    );
    let config = CaptureConfig::default();
    let (photo, jpeg) = camera::process(&input, &config, &Intake::default())
        .await
        .expect("processed");

    assert_eq!((photo.width, photo.height), (1600, 1200));
    assert_eq!(
        decoded_size(&jpeg).await,
        (1600, 1200),
        "the JPEG really is that size"
    );
    assert_eq!(jpeg.type_(), "image/jpeg");
    assert_eq!(photo.bytes, jpeg.size() as u64);
    assert!(photo.bytes <= camera::MAX_BYTES, "{} bytes", photo.bytes);
    assert!(
        photo.bytes > 50_000,
        "still a real photo: {} bytes",
        photo.bytes
    );
    assert_eq!(photo.id.get_version_num(), 4);
    web_sys::console::log_1(
        &format!(
            "4000×3000 ({:.0} bytes) → 1600×1200, {} bytes",
            input.size(),
            photo.bytes
        )
        .into(),
    );

    // Portrait keeps its orientation.
    let portrait = synthetic_photo(3000, 4000, 8).await.unwrap();
    let (photo, _) = camera::process(&portrait, &config, &Intake::default())
        .await
        .unwrap();
    assert_eq!((photo.width, photo.height), (1200, 1600));
}

#[wasm_bindgen_test]
async fn a_very_detailed_picture_is_encoded_again_at_lower_quality() {
    // At quality 1.0 (or 0.92) this picture is well over the limit (at 0.8 it is about
    // 220 KB); the fallback qualities bring it down.
    let input = synthetic_photo(4000, 3000, 9).await.unwrap();
    let config = CaptureConfig {
        jpeg_quality: 1.0,
        ..CaptureConfig::default()
    };
    let (photo, _) = camera::process(&input, &config, &Intake::default())
        .await
        .unwrap();
    assert!(photo.bytes <= camera::MAX_BYTES, "{} bytes", photo.bytes);
}

#[wasm_bindgen_test]
async fn a_small_picture_is_not_enlarged() {
    let input = synthetic_photo(800, 600, 3).await.unwrap();
    let (photo, _) = camera::process(&input, &CaptureConfig::default(), &Intake::default())
        .await
        .unwrap();
    assert_eq!((photo.width, photo.height), (800, 600));
}

#[wasm_bindgen_test]
async fn the_hash_is_the_sha256_of_the_stored_bytes() {
    // The known vector first: SHA-256("abc").
    let abc = blob_of(b"abc", "text/plain");
    assert_eq!(
        camera::sha256_hex(&camera::read(&abc).await.unwrap())
            .await
            .unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );

    let store = fresh_store("hash").await;
    let input = synthetic_photo(2000, 1500, 11).await.unwrap();
    let photo = photos::add_photo(&store, &input, &CaptureConfig::default(), Intake::default())
        .await
        .expect("added");
    let stored = store.get(photo.id).await.unwrap().expect("stored");
    assert_eq!(stored.size() as u64, photo.bytes);
    let hash = camera::sha256_hex(&camera::read(&stored).await.unwrap())
        .await
        .unwrap();
    assert_eq!(hash, photo.sha256);
    assert_eq!(photo.sha256.len(), 64);
    assert!(
        photo
            .sha256
            .chars()
            .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
    );
}

#[wasm_bindgen_test]
async fn an_added_photo_has_a_small_thumbnail_beside_it() {
    let store = fresh_store("thumbnail").await;
    let input = synthetic_photo(4000, 3000, 12).await.unwrap();
    let photo = photos::add_photo(&store, &input, &CaptureConfig::default(), Intake::default())
        .await
        .unwrap();
    let full = store.get(photo.id).await.unwrap().unwrap();
    let small = store.get_thumbnail(photo.id).await.unwrap().unwrap();
    assert_eq!(decoded_size(&full).await, (1600, 1200));
    assert_eq!(
        decoded_size(&small).await,
        (camera::THUMBNAIL_LONG_EDGE, 300)
    );
    assert!(
        small.size() < full.size() / 4.0,
        "{} vs {}",
        small.size(),
        full.size()
    );
    assert_eq!(small.type_(), "image/jpeg");
    // The record's size and hash describe the photo, not the thumbnail.
    assert_eq!(full.size() as u64, photo.bytes);

    // A photo stored without one (an older entry) serves itself as its thumbnail.
    let bare = Uuid::new_v4();
    store.put(bare, &full).await.unwrap();
    let shown = store.get_thumbnail(bare).await.unwrap().unwrap();
    assert_eq!(shown.size(), full.size());
    assert_eq!(store.get_thumbnail(Uuid::new_v4()).await, Ok(None));
}

#[wasm_bindgen_test]
async fn something_that_is_not_a_picture_is_refused() {
    let text = blob_of(b"not a photo", "text/plain");
    assert_eq!(
        camera::process(&text, &CaptureConfig::default(), &Intake::default())
            .await
            .map(|_| ()),
        Err(CameraError::NotAnImage)
    );
    // Claims to be a JPEG but is not one.
    let fake = blob_of(b"\xff\xd8 broken", "image/jpeg");
    assert_eq!(
        camera::process(&fake, &CaptureConfig::default(), &Intake::default())
            .await
            .map(|_| ()),
        Err(CameraError::NotAnImage)
    );
}

// ---------------------------------------------------------------------------------------------
// Adding a photo to a record

#[wasm_bindgen_test]
async fn a_failed_store_leaves_the_record_as_it_was() {
    // The record (here just its photo list) already has one photo.
    let good = fresh_store("add-ok").await;
    let config = CaptureConfig::default();
    let mut record_photos = vec![
        photos::add_photo(
            &good,
            &synthetic_photo(1200, 900, 1).await.unwrap(),
            &config,
            Intake::default(),
        )
        .await
        .unwrap(),
    ];
    let before = record_photos.clone();

    // The next photo cannot be stored: an error, no reference, nothing half-written.
    let broken = PhotoStore::named("rp-test-broken");
    let picture = synthetic_photo(1200, 900, 2).await.unwrap();
    match photos::add_photo(&broken, &picture, &config, Intake::default()).await {
        Ok(photo) => record_photos.push(photo),
        Err(e) => assert!(matches!(e, AddError::Store(PhotoError::Failed(_))), "{e:?}"),
    }
    assert_eq!(
        record_photos, before,
        "the record points at no unstored photo"
    );
    assert_eq!(good.ids().await.unwrap(), vec![before[0].id]);
    assert!(
        good.get(before[0].id).await.unwrap().is_some(),
        "the earlier photo stays"
    );

    // A file that is not a picture is refused before anything is stored.
    let text = blob_of(b"hello", "text/plain");
    assert_eq!(
        photos::add_photo(&good, &text, &config, Intake::default()).await,
        Err(AddError::Camera(CameraError::NotAnImage))
    );
    assert_eq!(good.ids().await.unwrap(), vec![before[0].id]);
}

// ---------------------------------------------------------------------------------------------
// Storage information

#[wasm_bindgen_test]
async fn storage_usage_is_known_and_readable() {
    let estimate = storage_info::estimate()
        .await
        .expect("Chromium reports an estimate");
    assert!(estimate.quota > 0.0);
    assert!(estimate.available() <= estimate.quota);
    assert!(storage_info::is_persisted().await.is_some());

    assert_eq!(storage_info::format_bytes("en", 12_345_678.0), "12 MB");
    assert_eq!(storage_info::format_bytes("en", 1_234_567.0), "1.2 MB");
    assert_eq!(storage_info::format_bytes("en", 340_000.0), "340 kB");
    assert_eq!(storage_info::format_bytes("en", 2_500_000_000.0), "2.5 GB");
    assert_eq!(storage_info::format_bytes("en", 0.0), "0B");
    assert!(storage_info::format_bytes("zh-CN", 1_234_567.0).contains("1.2"));
}
