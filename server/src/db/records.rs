//! The `records` table: a record's stored row read (locked) and written with the next change
//! number, the photos its village may then read, the photos it still lacks, a pull's page (with
//! the receipts of the records' photos), the ledger an export writes, and the office's own
//! writes (a new dispatched problem, [`insert`]; a dispatch or review of a stored one,
//! [`revise`]), each a new server revision in the change order, as a push's.

use chrono::Utc;
use patrol_core::Record;
use patrol_core::codec;
use patrol_core::sync::ServerRecord;
use sqlx::{AnyPool, FromRow};
use uuid::Uuid;

use super::changes::{self, Cursor, Page};
use super::push::Tx;
use super::{DatabaseKind, Write, photos};
use crate::error::AppError;

#[derive(FromRow)]
pub struct StoredRow {
    pub village: String,
    pub server_rev: i64,
    pub body: String,
}

/// The stored row of record `id`, locked until the transaction ends (`changes::for_update`).
pub async fn stored_row(
    tx: &mut Tx,
    kind: DatabaseKind,
    id: Uuid,
) -> Result<Option<StoredRow>, AppError> {
    let sql = format!(
        "SELECT village, server_rev, body FROM records WHERE id = $1{}",
        changes::for_update(kind)
    );
    Ok(sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}

pub fn rev_of(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or_default()
}

pub fn decode_stored(body: &str) -> Result<Record, AppError> {
    codec::decode(body)
        .map(|d| d.record)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored record cannot be read: {e}")))
}

/// Writes `record` as revision `server_rev` with the next change number; `false` when it was
/// [`Write::New`] and another writer stored it first (nothing written).
pub async fn store(
    tx: &mut Tx,
    kind: DatabaseKind,
    record: &Record,
    server_rev: u64,
    write: Write,
) -> Result<bool, AppError> {
    let on_conflict = match write {
        Write::New => "DO NOTHING",
        Write::Replace => {
            "DO UPDATE SET
             village = excluded.village,
             server_rev = excluded.server_rev,
             seq = excluded.seq,
             txid = excluded.txid,
             body = excluded.body,
             deleted = excluded.deleted,
             created_at = excluded.created_at,
             stored_at = excluded.stored_at"
        }
    };
    let sql = format!(
        "INSERT INTO records
             (id, village, server_rev, seq, txid, body, deleted, created_at, stored_at)
         VALUES ($1, $2, $3, {}, $4, $5, $6, $7)
         ON CONFLICT (id) {on_conflict}",
        changes::new_change(kind, "records")
    );
    let written = sqlx::query(&sql)
        .bind(record.id.to_string())
        .bind(record.village.trim())
        .bind(i64::try_from(server_rev).map_err(|_| anyhow::anyhow!("server_rev overflow"))?)
        .bind(codec::encode(record))
        .bind(i64::from(record.is_deleted()))
        .bind(record.created_at.to_rfc3339())
        .bind(Utc::now().to_rfc3339())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if written == 0 {
        return Ok(false);
    }
    // The record's village may download its photos (crate::routes::photos), before or after
    // they come, if the hashes it gives are theirs.
    for photo in record.all_photos() {
        photos::open_to_village(&mut **tx, photo.id, record.village.trim(), &photo.sha256).await?;
    }
    Ok(true)
}

/// The record's photos the store does not hold yet for the record's village (none for a
/// tombstone: the phone may have cleaned up a deleted record's photos, and nobody needs them).
/// A photo counts as held only if the village may read what is held under its id, so another
/// village's photo under the same id is missing, as a photo nobody holds would be.
pub async fn missing_photos(tx: &mut Tx, record: &Record) -> Result<Vec<Uuid>, AppError> {
    let mut missing = Vec::new();
    if record.is_deleted() {
        return Ok(missing);
    }
    for photo in record.all_photos() {
        if missing.contains(&photo.id) {
            continue;
        }
        let village = record.village.trim();
        if photos::readable_by(&mut **tx, photo.id, village)
            .await?
            .is_empty()
        {
            missing.push(photo.id);
        }
    }
    Ok(missing)
}

#[derive(FromRow)]
struct PulledRow {
    server_rev: i64,
    body: String,
}

/// The records changed after `since` that a caller of `village` may read (`None`: every
/// village), at most `limit`, in change order.
pub async fn pull(
    db: &AnyPool,
    kind: DatabaseKind,
    village: Option<&str>,
    since: Cursor,
    limit: u32,
) -> Result<Page<ServerRecord>, AppError> {
    let page: Page<PulledRow> = changes::page(
        db,
        kind,
        "records",
        "server_rev, body",
        village,
        since,
        limit,
    )
    .await?;
    let mut rows = page
        .rows
        .into_iter()
        .map(|row| {
            Ok(ServerRecord {
                server_rev: rev_of(row.server_rev),
                record: decode_stored(&row.body)?,
                receipts: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    // Read after the page: a photo that arrives in between is received, and says so.
    let records: Vec<&Record> = rows.iter().map(|r| &r.record).collect();
    let receipts = photos::receipts_of(db, &records).await?;
    for (row, receipts) in rows.iter_mut().zip(receipts) {
        row.receipts = receipts;
    }
    Ok(Page {
        rows,
        cursor: page.cursor,
        more: page.more,
    })
}

/// The records (not deleted) of `village`, or of every village, for the ledger's CSV.
pub async fn ledger(db: &AnyPool, village: Option<&str>) -> Result<Vec<Record>, AppError> {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM records WHERE deleted = 0 AND ($1 IS NULL OR village = $1)",
    )
    .bind(village)
    .fetch_all(db)
    .await?;
    bodies.iter().map(|b| decode_stored(b)).collect()
}

/// Stores `record`, new to the server, at server revision 1 (as a push of it would), in a
/// write transaction of its own.
pub async fn insert(
    db: &AnyPool,
    kind: DatabaseKind,
    record: Record,
) -> Result<ServerRecord, AppError> {
    let mut tx = changes::begin_write(db, kind).await?;
    if !store(&mut tx, kind, &record, 1, Write::New).await? {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a new record's id {} is taken",
            record.id
        )));
    }
    tx.commit().await?;
    Ok(ServerRecord {
        server_rev: 1,
        record,
        receipts: Vec::new(),
    })
}

/// Changes the stored record `id` with `change` and stores the result as the next server
/// revision, in one write transaction with the row locked, so a phone that pushes over the
/// revision before gets a conflict, not a silent overwrite. 404 `not_found` when the server
/// holds no record `id`; `change`'s error leaves the row as it was.
pub async fn revise(
    db: &AnyPool,
    kind: DatabaseKind,
    id: Uuid,
    change: impl FnOnce(&mut Record) -> Result<(), AppError>,
) -> Result<ServerRecord, AppError> {
    let mut tx = changes::begin_write(db, kind).await?;
    let row = stored_row(&mut tx, kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no record {id}")))?;
    let mut record = decode_stored(&row.body)?;
    change(&mut record)?;
    let server_rev = rev_of(row.server_rev).saturating_add(1);
    store(&mut tx, kind, &record, server_rev, Write::Replace).await?;
    tx.commit().await?;
    let receipts = photos::receipts_of(db, &[&record]).await?.pop();
    Ok(ServerRecord {
        server_rev,
        record,
        receipts: receipts.unwrap_or_default(),
    })
}
