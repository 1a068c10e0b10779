//! The `patrols` table: a patrol's stored row read (locked) and written with the next change
//! number, and a pull's page.

use chrono::Utc;
use patrol_core::Patrol;
use sqlx::{AnyPool, FromRow};
use uuid::Uuid;

use super::changes::{self, Cursor, Page};
use super::push::Tx;
use super::{DatabaseKind, Write};
use crate::error::AppError;

#[derive(FromRow)]
pub struct StoredPatrol {
    pub village: String,
    pub body: String,
}

/// The stored row of patrol `id`, locked until the transaction ends (`changes::for_update`).
pub async fn stored_row(
    tx: &mut Tx,
    kind: DatabaseKind,
    id: Uuid,
) -> Result<Option<StoredPatrol>, AppError> {
    let sql = format!(
        "SELECT village, body FROM patrols WHERE id = $1{}",
        changes::for_update(kind)
    );
    Ok(sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}

pub fn decode(body: &str) -> Result<Patrol, AppError> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored patrol cannot be read: {e}")))
}

/// Writes `patrol` with the next change number; `false` when it was [`Write::New`] and
/// another writer stored it first (nothing written).
pub async fn store(
    tx: &mut Tx,
    kind: DatabaseKind,
    patrol: &Patrol,
    write: Write,
) -> Result<bool, AppError> {
    let body = serde_json::to_string(patrol).map_err(|e| AppError::Internal(e.into()))?;
    let on_conflict = match write {
        Write::New => "DO NOTHING",
        Write::Replace => {
            "DO UPDATE SET
             village = excluded.village,
             seq = excluded.seq,
             txid = excluded.txid,
             body = excluded.body,
             started_at = excluded.started_at,
             stored_at = excluded.stored_at"
        }
    };
    let sql = format!(
        "INSERT INTO patrols (id, village, seq, txid, body, started_at, stored_at)
         VALUES ($1, $2, {}, $3, $4, $5)
         ON CONFLICT (id) {on_conflict}",
        changes::new_change(kind, "patrols")
    );
    let written = sqlx::query(&sql)
        .bind(patrol.id.to_string())
        .bind(patrol.village.trim())
        .bind(body)
        .bind(patrol.started_at.to_rfc3339())
        .bind(Utc::now().to_rfc3339())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(written == 1)
}

#[derive(FromRow)]
struct PulledRow {
    body: String,
}

/// The patrols changed after `since` that a caller of `village` may read (`None`: every
/// village), at most `limit`, in change order.
pub async fn pull(
    db: &AnyPool,
    kind: DatabaseKind,
    village: Option<&str>,
    since: Cursor,
    limit: u32,
) -> Result<Page<Patrol>, AppError> {
    let page: Page<PulledRow> =
        changes::page(db, kind, "patrols", "body", village, since, limit).await?;
    let rows = page
        .rows
        .iter()
        .map(|row| decode(&row.body))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        rows,
        cursor: page.cursor,
        more: page.more,
    })
}
