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

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use patrol_core::sync::{PHOTO_SHA256_HEADER, PhotoStored, code};
use uuid::Uuid;

use crate::api::read_body;
use crate::error::AppError;
use crate::store::Api;
use crate::tokens::{Caller, sha256_hex};

/// `Cache-Control` of a photo: its bytes never change under its id.
pub const PHOTO_CACHE: &str = "private, max-age=31536000, immutable";

/// The object key of photo `id` inside the photo store.
pub fn photo_key(id: Uuid) -> object_store::path::Path {
    object_store::path::Path::from(format!("{id}.jpg"))
}

/// The path segment as a photo id (never used as a file name as it is).
fn photo_id(segment: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(segment).map_err(|_| AppError::BadRequest {
        code: code::BAD_ID,
        message: format!("{segment:?} is not a photo id (a UUID)"),
    })
}

/// The SHA-256 the index holds for photo `id`, if it holds the photo.
async fn indexed_hash(api: &Api, id: Uuid) -> Result<Option<(String, i64)>, AppError> {
    Ok(
        sqlx::query_as("SELECT sha256, bytes FROM photos WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&api.db)
            .await?,
    )
}

fn stored(status: StatusCode, stored: bool) -> Response {
    (status, axum::Json(PhotoStored { stored })).into_response()
}

/// `PUT /api/v1/photos/{id}` with `X-Photo-Sha256`: 201 stored, 200 already held with this
/// hash, 422 `hash_mismatch`, 409 `photo_conflict`, 413 over the limit, 415 not a JPEG.
pub async fn put_photo(
    caller: Caller,
    State(api): State<Api>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let id = photo_id(&segment)?;
    let announced = headers
        .get(PHOTO_SHA256_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| AppError::BadRequest {
            code: code::BAD_REQUEST,
            message: format!("{PHOTO_SHA256_HEADER} must be the photo's SHA-256 in hex"),
        })?;
    let bytes = read_body(body, &headers, api.limits.max_photo_bytes).await?;
    let stored = store_photo(&api, id, bytes, &announced).await?;
    // The uploader's village may read it back (an upload of the same bytes included: the
    // device holds them already).
    if let Some(village) = &caller.village {
        sqlx::query(
            "INSERT INTO photo_villages (photo_id, village, sha256) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(id.to_string())
        .bind(village)
        .bind(&announced)
        .execute(&api.db)
        .await?;
    }
    Ok(stored)
}

/// Stores the upload `bytes` of photo `id` if they hash to `announced` and are a JPEG.
async fn store_photo(
    api: &Api,
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
    if let Some((held, _)) = indexed_hash(api, id).await? {
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
    match api
        .photos
        .put_opts(&key, PutPayload::from_bytes(bytes), create)
        .await
    {
        Ok(_) => {}
        // The object is there but not in the index: an upload of the same id running at the
        // same time, or one that stopped between the object and its row. Same bytes: fine.
        Err(object_store::Error::AlreadyExists { .. }) => {
            let existing = api.photos.get(&key).await?.bytes().await?;
            if sha256_hex(&existing) != actual {
                return Err(AppError::PhotoConflict);
            }
        }
        Err(e) => return Err(e.into()),
    }
    let inserted = sqlx::query(
        "INSERT INTO photos (id, sha256, bytes, stored_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(&actual)
    .bind(i64::try_from(len).unwrap_or(i64::MAX))
    .bind(Utc::now().to_rfc3339())
    .execute(&api.db)
    .await?
    .rows_affected();
    if inserted == 1 {
        tracing::info!(%id, bytes = len, "photo stored");
        api.metrics.photo_stored();
        return Ok(stored(StatusCode::CREATED, true));
    }
    match indexed_hash(api, id).await? {
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

/// The id in the path and the headers of a held photo `caller` may read; 404 if it is not
/// held or is another village's.
async fn held_photo(
    api: &Api,
    caller: &Caller,
    segment: &str,
) -> Result<(Uuid, HeaderMap), AppError> {
    let id = photo_id(segment)?;
    let not_found = || AppError::NotFound(format!("no photo {id}"));
    let (sha, len) = indexed_hash(api, id).await?.ok_or_else(not_found)?;
    if let Some(village) = &caller.village {
        let theirs: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM photo_villages \
             WHERE photo_id = $1 AND village = $2 AND sha256 = $3",
        )
        .bind(id.to_string())
        .bind(village)
        .bind(&sha)
        .fetch_one(&api.db)
        .await?;
        if theirs == 0 {
            return Err(not_found());
        }
    }
    Ok((id, photo_headers(&sha, len)?))
}

/// `HEAD /api/v1/photos/{id}`: 200 if held, 404 if not.
pub async fn head_photo(
    caller: Caller,
    State(api): State<Api>,
    Path(segment): Path<String>,
) -> Result<Response, AppError> {
    let (_, headers) = held_photo(&api, &caller, &segment).await?;
    Ok((headers, ()).into_response())
}

/// `GET /api/v1/photos/{id}`: the JPEG.
pub async fn get_photo(
    caller: Caller,
    State(api): State<Api>,
    Path(segment): Path<String>,
) -> Result<Response, AppError> {
    let (id, headers) = held_photo(&api, &caller, &segment).await?;
    let bytes = api.photos.get(&photo_key(id)).await?.bytes().await?;
    Ok((headers, bytes).into_response())
}
