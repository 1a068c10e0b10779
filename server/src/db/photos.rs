//! The photo index: which photos the server holds (`photos`, written once the bytes are in
//! the photo store, `crate::photo_store`) and which villages may read each one
//! (`photo_villages`: the uploader's village, and those whose records name it with its
//! SHA-256).

use chrono::Utc;
use sqlx::{Any, AnyPool, Executor};
use uuid::Uuid;

use crate::error::AppError;

/// The SHA-256 and size the index holds for photo `id`, if it holds the photo.
pub async fn indexed_hash(db: &AnyPool, id: Uuid) -> Result<Option<(String, i64)>, AppError> {
    Ok(
        sqlx::query_as("SELECT sha256, bytes FROM photos WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db)
            .await?,
    )
}

/// Whether the index holds photo `id`.
pub async fn is_held<'e>(
    db: impl Executor<'e, Database = Any>,
    id: Uuid,
) -> Result<bool, AppError> {
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(db)
        .await?;
    Ok(held != 0)
}

/// Lets `village` read photo `id` if its bytes hash to `sha256` (before or after they come).
pub async fn open_to_village<'e>(
    db: impl Executor<'e, Database = Any>,
    id: Uuid,
    village: &str,
    sha256: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO photo_villages (photo_id, village, sha256) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(village)
    .bind(sha256.to_ascii_lowercase())
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `village` may read photo `id` whose bytes hash to `sha256`.
pub async fn village_may_read(
    db: &AnyPool,
    id: Uuid,
    village: &str,
    sha256: &str,
) -> Result<bool, AppError> {
    let theirs: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM photo_villages \
         WHERE photo_id = $1 AND village = $2 AND sha256 = $3",
    )
    .bind(id.to_string())
    .bind(village)
    .bind(sha256)
    .fetch_one(db)
    .await?;
    Ok(theirs != 0)
}

/// Adds photo `id` (`bytes` long, hashing to `sha256`) to the index once its bytes are in the
/// photo store; `false` when the index held it already (nothing written).
pub async fn index(db: &AnyPool, id: Uuid, sha256: &str, bytes: usize) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO photos (id, sha256, bytes, stored_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(sha256)
    .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
    .bind(Utc::now().to_rfc3339())
    .execute(db)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
