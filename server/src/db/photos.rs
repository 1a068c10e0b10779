//! The photo index: which photos the server holds (`photos`, written once the bytes are in
//! the photo store, `crate::photo_store`), the namesakes uploaded under a held id with other
//! bytes by a village that may not read the held photo (`photo_namesakes`,
//! `crate::routes::photos`), and which villages may read each one (`photo_villages`: the
//! uploader's village, and those whose records name it with its SHA-256), and the receipts
//! of what it holds: each row's `stored_at`, written once when the bytes first arrived and
//! never moved by the same upload again (`ON CONFLICT DO NOTHING`), is when the server received
//! them (`patrol_core::PhotoReceipt`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use patrol_core::{PhotoReceipt, Record};
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

/// The server's receipt of photo `id` with the bytes hashing to `sha256` (lower-case hex): the
/// photo the index holds under the id or a namesake, if either has these bytes.
pub async fn receipt(
    db: &AnyPool,
    id: Uuid,
    sha256: &str,
) -> Result<Option<PhotoReceipt>, AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT sha256, stored_at FROM photos WHERE id = $1 AND sha256 = $2 \
         UNION ALL \
         SELECT sha256, stored_at FROM photo_namesakes WHERE id = $1 AND sha256 = $2",
    )
    .bind(id.to_string())
    .bind(sha256.to_ascii_lowercase())
    .fetch_optional(db)
    .await?;
    row.map(|(sha256, stored_at)| {
        Ok(PhotoReceipt {
            id,
            sha256,
            received_at: received_at(&stored_at)?,
        })
    })
    .transpose()
}

/// Photo ids asked for in one query: well under the bound-parameter limits of SQLite (32766)
/// and PostgreSQL (65535), for a township's whole ledger at once.
const IDS_PER_QUERY: usize = 500;

/// The receipts of the photos each of `records` names (the finding's and the visits'), record
/// by record in the order given: for each, the receipts of the photos held with the very bytes
/// the record names (`PhotoReceipt::is_for`), in the record's photo order, each once. Other
/// bytes held under a photo's id (another village's photo, a namesake) are no receipt of it,
/// and tell the record's readers nothing.
pub async fn receipts_of(
    db: &AnyPool,
    records: &[&Record],
) -> Result<Vec<Vec<PhotoReceipt>>, AppError> {
    let ids: Vec<String> = records
        .iter()
        .flat_map(|r| r.all_photos())
        .map(|p| p.id)
        .collect::<HashSet<Uuid>>()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    // (id, sha256) → when first held. A record names each photo by both.
    let mut held: HashMap<(String, String), String> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id, sha256, stored_at FROM photos WHERE id IN ({list}) \
             UNION ALL \
             SELECT id, sha256, stored_at FROM photo_namesakes WHERE id IN ({list})"
        );
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, sha256, stored_at) in query.fetch_all(db).await? {
            held.insert((id, sha256), stored_at);
        }
    }
    records
        .iter()
        .map(|record| {
            let mut receipts: Vec<PhotoReceipt> = Vec::new();
            for photo in record.all_photos() {
                let key = (photo.id.to_string(), photo.sha256.to_ascii_lowercase());
                let Some(stored_at) = held.get(&key) else {
                    continue;
                };
                if receipts.iter().any(|r| r.is_for(photo)) {
                    continue;
                }
                receipts.push(PhotoReceipt {
                    id: photo.id,
                    sha256: key.1,
                    received_at: received_at(stored_at)?,
                });
            }
            Ok(receipts)
        })
        .collect()
}

/// A row's `stored_at` (RFC 3339, as [`index`] and [`index_namesake`] write it).
fn received_at(stored_at: &str) -> Result<DateTime<Utc>, AppError> {
    patrol_core::stamp::parse_instant(stored_at).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a photo's stored time {stored_at:?} cannot be read: {e}"
        ))
    })
}
