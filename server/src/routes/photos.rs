//! `PUT`/`HEAD`/`GET /api/v1/photos/{id}`: photos stored once by id, verified by SHA-256.
//!
//! An upload is read whole (it is bounded by the photo limit) and hashed before anything is
//! written; only bytes that match `X-Photo-Sha256` reach the store, in one atomic create
//! (`PutMode::Create`: a local file is written aside and renamed into place, S3 uses a
//! conditional PUT, `If-None-Match: *`, that also carries the SHA-256 for the bucket to check),
//! so a half upload is never visible. The `photos` table row that makes the photo count as held
//! is written after the object is in place.
//!
//! A village's token reads only its village's photos: those a device of the village uploaded
//! and those its records name with their SHA-256 (`photo_villages`; a record naming another
//! village's photo id without its hash opens nothing). Any other photo answers 404, as a photo
//! the server does not hold. The township office reads every photo.
//!
//! A token cannot learn from any route that another village's photo exists (issue 23, F2):
//! under an id, a village sees only the photos it may read, and every answer is the one it
//! would get if the id were new:
//!
//! - an upload of other bytes under an id whose held photo the village may not read is stored
//!   as a *namesake* (`photo_namesakes`, under a key of its own in the photo store) and answers
//!   201 `{"stored": true}`; the same upload again answers 200 `{"stored": false}`; the village
//!   reads its namesake back under the id, and other bytes under it are then 409, as for its
//!   own photo;
//! - an upload of the very bytes held (which only someone holding the photo can send) stores
//!   nothing: it opens the photo to the village and answers 201 the first time, 200 after;
//! - a push lists a photo in `missing_photos` unless the record's village may read a photo held
//!   under its id (`crate::db::records::missing_photos`).
//!
//! So each photo (id and bytes) is stored once, the held photo is never replaced, and the
//! village that held the id first, and the office, keep reading it under the id. The office's
//! uploads are answered as before (409 for other bytes under a held id: it reads every photo,
//! there is nothing to hide from it).
//!
//! Every answer that the server holds the bytes (201 or 200) carries their receipt
//! (`patrol_core::PhotoReceipt`, `crate::db::photos::receipt`): their SHA-256 and when the
//! server first held them under the id, which the same upload again never moves. For a
//! namesake that is when the namesake came. For the very bytes of a photo held already (the
//! second case above) it is when they first came, from whoever sent them: the time is the
//! evidence, and it tells nothing to someone who could not already read the photo (its hash
//! named in a record opens it just the same).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use patrol_core::sync::{PHOTO_SHA256_HEADER, PhotoStored};
use uuid::Uuid;

use crate::db::photos;
use crate::db::tokens::{Caller, sha256_hex};
use crate::error::AppError;
use crate::extract::{AppJson, PhotoId, PhotoUpload};
use crate::photo_store::{namesake_key, photo_key};
use crate::state::AppState;

/// `Cache-Control` of a photo: its bytes never change under its id.
pub const PHOTO_CACHE: &str = "private, max-age=31536000, immutable";

/// The answer to an upload of photo `id` hashing to `sha256`, which the server now holds: with
/// its receipt, whose time is that of the first upload of these bytes however often they come.
async fn stored(
    state: &AppState,
    status: StatusCode,
    stored: bool,
    id: Uuid,
    sha256: &str,
) -> Result<Response, AppError> {
    let receipt = photos::receipt(&state.db, id, sha256).await?;
    Ok((status, AppJson(PhotoStored { stored, receipt })).into_response())
}

/// `PUT /api/v1/photos/{id}` with `X-Photo-Sha256`: 201 stored, 200 already held with this
/// hash, 422 `hash_mismatch`, 409 `photo_conflict`, 413 over the limit, 415 not a JPEG.
pub(super) async fn put_photo(
    caller: Caller,
    State(state): State<AppState>,
    PhotoUpload {
        id,
        announced,
        bytes,
    }: PhotoUpload,
) -> Result<Response, AppError> {
    let actual = sha256_hex(&bytes);
    if actual != announced {
        return Err(AppError::HashMismatch {
            announced: announced.to_owned(),
            actual,
        });
    }
    if !bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Err(AppError::UnsupportedMediaType("the photo is not a JPEG"));
    }
    let Some(village) = &caller.village else {
        return store_photo(&state, id, bytes, &actual).await;
    };
    // What the village sees under the id: held photos it may read, never another village's.
    let readable = photos::readable_by(&state.db, id, village).await?;
    if !readable.is_empty() {
        return if readable.iter().any(|held| held.sha256 == actual) {
            stored(&state, StatusCode::OK, false, id, &actual).await
        } else {
            Err(AppError::PhotoConflict)
        };
    }
    let held = photos::indexed_hash(&state.db, id).await?;
    // The bytes held (only someone holding the photo can send them): stored once already;
    // the upload that opens them to the village is the one told "stored".
    if let Some((held, _)) = &held
        && *held == actual
    {
        let opened = photos::open_to_village(&state.db, id, village, &actual).await?;
        return if opened {
            stored(&state, StatusCode::CREATED, true, id, &actual).await
        } else {
            stored(&state, StatusCode::OK, false, id, &actual).await
        };
    }
    // The uploader's village may read what it uploads. Opened before the bytes are stored, so
    // that the same upload arriving at the same moment (a retry, another instance) finds it
    // opened and is told "already there" (200), as under a new id, never "stored" twice.
    photos::open_to_village(&state.db, id, village, &actual).await?;
    match held {
        None => match store_photo(&state, id, bytes.clone(), &actual).await {
            // Another village's upload of the same id came first, a moment ago.
            Err(AppError::PhotoConflict) => store_namesake(&state, id, bytes, &actual).await,
            answer => answer,
        },
        Some(_) => store_namesake(&state, id, bytes, &actual).await,
    }
}

/// Puts `bytes` under `key` in one atomic create; bytes already there under it are fine if
/// they hash to `sha256` (an upload of the same photo running at the same time, or one that
/// stopped between the object and its index row), else 409.
async fn create_object(
    state: &AppState,
    key: &object_store::path::Path,
    bytes: axum::body::Bytes,
    sha256: &str,
) -> Result<(), AppError> {
    let create = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    match state
        .photos
        .put_opts(key, PutPayload::from_bytes(bytes), create)
        .await
    {
        Ok(_) => Ok(()),
        Err(object_store::Error::AlreadyExists { .. }) => {
            let existing = state.photos.get(key).await?.bytes().await?;
            if sha256_hex(&existing) != sha256 {
                return Err(AppError::PhotoConflict);
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores the checked `bytes` (hashing to `actual`) as photo `id`: 201, or 200 when held with
/// these bytes, or 409 when held with others.
async fn store_photo(
    state: &AppState,
    id: Uuid,
    bytes: axum::body::Bytes,
    actual: &str,
) -> Result<Response, AppError> {
    if let Some((held, _)) = photos::indexed_hash(&state.db, id).await? {
        return if held == actual {
            stored(state, StatusCode::OK, false, id, actual).await
        } else {
            Err(AppError::PhotoConflict)
        };
    }
    let len = bytes.len();
    create_object(state, &photo_key(id), bytes, actual).await?;
    if photos::index(&state.db, id, actual, len).await? {
        tracing::info!(%id, bytes = len, "photo stored");
        state.metrics.photo_stored();
        return stored(state, StatusCode::CREATED, true, id, actual).await;
    }
    match photos::indexed_hash(&state.db, id).await? {
        Some((held, _)) if held == actual => stored(state, StatusCode::OK, false, id, actual).await,
        _ => Err(AppError::PhotoConflict),
    }
}

/// Stores the checked `bytes` (hashing to `actual`) as a namesake of photo `id`: 201, or 200
/// when it was stored already.
async fn store_namesake(
    state: &AppState,
    id: Uuid,
    bytes: axum::body::Bytes,
    actual: &str,
) -> Result<Response, AppError> {
    let len = bytes.len();
    create_object(state, &namesake_key(id, actual), bytes, actual).await?;
    if photos::index_namesake(&state.db, id, actual, len).await? {
        tracing::info!(%id, bytes = len, "photo stored as a namesake of a held one");
        state.metrics.photo_stored();
        return stored(state, StatusCode::CREATED, true, id, actual).await;
    }
    stored(state, StatusCode::OK, false, id, actual).await
}

fn photo_headers(sha256: &str, len: i64) -> Result<HeaderMap, AppError> {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PHOTO_CACHE));
    let etag = HeaderValue::from_str(&format!("\"{sha256}\""))
        .map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
    h.insert(header::ETAG, etag);
    let sha = HeaderValue::from_str(sha256).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
    h.insert(PHOTO_SHA256_HEADER, sha);
    Ok(h)
}

/// The key and headers of the photo `caller` reads under `id`: for a village, the one it may
/// read (the held photo, else its namesake); 404 if there is none.
async fn held_photo(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(object_store::path::Path, HeaderMap), AppError> {
    let not_found = || AppError::NotFound(format!("no photo {id}"));
    let Some(village) = &caller.village else {
        let (sha, len) = photos::indexed_hash(&state.db, id)
            .await?
            .ok_or_else(not_found)?;
        return Ok((photo_key(id), photo_headers(&sha, len)?));
    };
    let held = photos::readable_by(&state.db, id, village)
        .await?
        .into_iter()
        .next()
        .ok_or_else(not_found)?;
    let key = if held.namesake {
        namesake_key(id, &held.sha256)
    } else {
        photo_key(id)
    };
    Ok((key, photo_headers(&held.sha256, held.bytes)?))
}

/// `HEAD /api/v1/photos/{id}`: 200 if held, 404 if not.
pub(super) async fn head_photo(
    caller: Caller,
    State(state): State<AppState>,
    PhotoId(id): PhotoId,
) -> Result<Response, AppError> {
    let (_, headers) = held_photo(&state, &caller, id).await?;
    Ok((headers, ()).into_response())
}

/// `GET /api/v1/photos/{id}`: the JPEG.
pub(super) async fn get_photo(
    caller: Caller,
    State(state): State<AppState>,
    PhotoId(id): PhotoId,
) -> Result<Response, AppError> {
    let (key, headers) = held_photo(&state, &caller, id).await?;
    let bytes = state.photos.get(&key).await?.bytes().await?;
    Ok((headers, bytes).into_response())
}
