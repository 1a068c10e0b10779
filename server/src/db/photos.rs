//! The photo index: which photos the server holds (`photos`, written once the bytes are in
//! the photo store, `crate::photo_store`), the namesakes uploaded under a held id with other
//! bytes by a village that may not read the held photo (`photo_namesakes`,
//! `crate::routes::photos`), and which villages may read each one (`photo_villages`: the
//! uploader's village, and those whose records name it with its SHA-256).

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

/// Lets `village` read photo `id` if its bytes hash to `sha256` (before or after they come);
/// `false` when it could already.
pub async fn open_to_village<'e>(
    db: impl Executor<'e, Database = Any>,
    id: Uuid,
    village: &str,
    sha256: &str,
) -> Result<bool, AppError> {
    let opened = sqlx::query(
        "INSERT INTO photo_villages (photo_id, village, sha256) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(village)
    .bind(sha256.to_ascii_lowercase())
    .execute(db)
    .await?
    .rows_affected();
    Ok(opened == 1)
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

/// A photo held under an id: the one the index holds (`namesake == false`) or a namesake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub sha256: String,
    pub bytes: i64,
    pub namesake: bool,
}

/// The photos held under `id` that `village` may read, the one in `photos` first: what the
/// village sees under the id, whatever other villages hold under it.
pub async fn readable_by<'e>(
    db: impl Executor<'e, Database = Any>,
    id: Uuid,
    village: &str,
) -> Result<Vec<Held>, AppError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT p.sha256, p.bytes, CAST(0 AS BIGINT) AS namesake FROM photos p \
         JOIN photo_villages v ON v.photo_id = p.id AND v.sha256 = p.sha256 \
         WHERE p.id = $1 AND v.village = $2 \
         UNION ALL \
         SELECT n.sha256, n.bytes, CAST(1 AS BIGINT) AS namesake FROM photo_namesakes n \
         JOIN photo_villages v ON v.photo_id = n.id AND v.sha256 = n.sha256 \
         WHERE n.id = $1 AND v.village = $2 \
         ORDER BY namesake",
    )
    .bind(id.to_string())
    .bind(village)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(sha256, bytes, namesake)| Held {
            sha256,
            bytes,
            namesake: namesake != 0,
        })
        .collect())
}

/// Adds the namesake of photo `id` hashing to `sha256` (`bytes` long) once its bytes are in the
/// photo store; `false` when it was there already (nothing written).
pub async fn index_namesake(
    db: &AnyPool,
    id: Uuid,
    sha256: &str,
    bytes: usize,
) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO photo_namesakes (id, sha256, bytes, stored_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id, sha256) DO NOTHING",
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
