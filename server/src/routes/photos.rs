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
//! the server does not hold, so a token cannot even learn that another village's photo exists.
//! The township office reads every photo.

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
use crate::photo_store::photo_key;
use crate::state::AppState;

/// `Cache-Control` of a photo: its bytes never change under its id.
pub const PHOTO_CACHE: &str = "private, max-age=31536000, immutable";

fn stored(status: StatusCode, stored: bool) -> Response {
    (status, AppJson(PhotoStored { stored })).into_response()
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
    let stored = store_photo(&state, id, bytes, &announced).await?;
    // The uploader's village may read it back (an upload of the same bytes included: the
    // device holds them already).
    if let Some(village) = &caller.village {
        photos::open_to_village(&state.db, id, village, &announced).await?;
    }
    Ok(stored)
}

/// Stores the upload `bytes` of photo `id` if they hash to `announced` and are a JPEG.
async fn store_photo(
    state: &AppState,
    id: Uuid,
    bytes: axum::body::Bytes,
    announced: &str,
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
    if let Some((held, _)) = photos::indexed_hash(&state.db, id).await? {
        return if held == actual {
            Ok(stored(StatusCode::OK, false))
        } else {
            Err(AppError::PhotoConflict)
        };
    }

    let key = photo_key(id);
    let len = bytes.len();
    let create = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    match state
        .photos
        .put_opts(&key, PutPayload::from_bytes(bytes), create)
        .await
    {
        Ok(_) => {}
        // The object is there but not in the index: an upload of the same id running at the
        // same time, or one that stopped between the object and its row. Same bytes: fine.
        Err(object_store::Error::AlreadyExists { .. }) => {
            let existing = state.photos.get(&key).await?.bytes().await?;
            if sha256_hex(&existing) != actual {
                return Err(AppError::PhotoConflict);
            }
        }
        Err(e) => return Err(e.into()),
    }
    if photos::index(&state.db, id, &actual, len).await? {
        tracing::info!(%id, bytes = len, "photo stored");
        state.metrics.photo_stored();
        return Ok(stored(StatusCode::CREATED, true));
    }
    match photos::indexed_hash(&state.db, id).await? {
        Some((held, _)) if held == actual => Ok(stored(StatusCode::OK, false)),
        _ => Err(AppError::PhotoConflict),
    }
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

/// The headers of held photo `id` if `caller` may read it; 404 if it is not held or is
/// another village's.
async fn held_photo(state: &AppState, caller: &Caller, id: Uuid) -> Result<HeaderMap, AppError> {
    let not_found = || AppError::NotFound(format!("no photo {id}"));
    let (sha, len) = photos::indexed_hash(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    if let Some(village) = &caller.village
        && !photos::village_may_read(&state.db, id, village, &sha).await?
    {
        return Err(not_found());
    }
    photo_headers(&sha, len)
}

/// `HEAD /api/v1/photos/{id}`: 200 if held, 404 if not.
pub(super) async fn head_photo(
    caller: Caller,
    State(state): State<AppState>,
    PhotoId(id): PhotoId,
) -> Result<Response, AppError> {
    let headers = held_photo(&state, &caller, id).await?;
    Ok((headers, ()).into_response())
}

/// `GET /api/v1/photos/{id}`: the JPEG.
pub(super) async fn get_photo(
    caller: Caller,
    State(state): State<AppState>,
    PhotoId(id): PhotoId,
) -> Result<Response, AppError> {
    let headers = held_photo(&state, &caller, id).await?;
    let bytes = state.photos.get(&photo_key(id)).await?.bytes().await?;
    Ok((headers, bytes).into_response())
}
