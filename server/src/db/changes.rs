//! The change order that pull cursors follow (docs/sync-protocol.md#pull).
//!
//! Every stored record and patrol carries its change number `seq` and `txid`, the transaction
//! that wrote it; a pull answers rows in `(txid, seq)` order after the cursor. Writers on
//! PostgreSQL run at the same time, so a later transaction may commit first; a row is therefore
//! answered only once every transaction below its `txid` has ended (the high-water mark,
//! `pg_snapshot_xmin`): from then on nothing can appear below it, and a reader that moved past
//! it never misses a late commit. SQLite has one writer at a time (`BEGIN IMMEDIATE`), so
//! numbers are handed out in commit order and `txid` is simply `seq`.

use patrol_core::sync::code;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, FromRow, Row, Transaction};

use super::DatabaseKind;
use crate::error::AppError;

/// A place in the change order: after the row `seq` written by transaction `txid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub txid: i64,
    pub seq: i64,
}

impl Cursor {
    /// A pull's `since`: absent or empty is the beginning; anything but a cursor this server
    /// could have given out is 400 `bad_cursor`. A plain change number `N` is a cursor from
    /// before transactions were kept: on SQLite every row's `txid` is its `seq`, so `N.N`; on
    /// PostgreSQL the rows stored then have `txid` 0 (migration 0004), so `0.N`.
    pub fn parse(since: Option<&str>, kind: DatabaseKind) -> Result<Cursor, AppError> {
        let since = match since.map(str::trim) {
            None | Some("") => return Ok(Cursor::default()),
            Some(s) => s,
        };
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
        let cursor = match since.split_once('.') {
            None => number(since).map(|seq| Cursor {
                txid: match kind {
                    DatabaseKind::Sqlite => seq,
                    DatabaseKind::Postgres => 0,
                },
                seq,
            }),
            Some((txid, seq)) => number(txid)
                .zip(number(seq))
                .map(|(txid, seq)| Cursor { txid, seq }),
        };
        cursor.ok_or_else(|| AppError::BadRequest {
            code: code::BAD_CURSOR,
            message: format!("{since:?} is not a cursor this server gave out"),
        })
    }

    /// The cursor as a pull answers it: SQLite's as the plain change number it has always
    /// been, PostgreSQL's as `txid.seq`.
    pub fn text(self, kind: DatabaseKind) -> String {
        match kind {
            DatabaseKind::Sqlite if self.txid == self.seq => self.seq.to_string(),
            _ => format!("{}.{}", self.txid, self.seq),
        }
    }
}

/// The SQL values of a new change's `seq, txid` in `table` (`records` or `patrols`), inside
/// the writing transaction.
pub fn new_change(kind: DatabaseKind, table: &str) -> String {
    match kind {
        DatabaseKind::Sqlite => {
            let next = format!("(SELECT COALESCE(MAX(seq), 0) + 1 FROM {table})");
            format!("{next}, {next}")
        }
        DatabaseKind::Postgres => {
            format!("nextval('{table}_seq'), pg_current_xact_id()::text::bigint")
        }
    }
}

/// What a writer adds to the `SELECT` of the row it is about to change, so that a second
/// writer of the same row waits for the first to end and then reads what it wrote.
pub fn for_update(kind: DatabaseKind) -> &'static str {
    match kind {
        // One writer at a time already.
        DatabaseKind::Sqlite => "",
        DatabaseKind::Postgres => " FOR UPDATE",
    }
}

/// The rows a pull may answer have a `txid` below this: every transaction below it has ended.
pub async fn high_water(db: &AnyPool, kind: DatabaseKind) -> Result<i64, sqlx::Error> {
    match kind {
        DatabaseKind::Sqlite => Ok(i64::MAX),
        DatabaseKind::Postgres => {
            sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                .fetch_one(db)
                .await
        }
    }
}

/// Begins a transaction that writes records or patrols. SQLite: `BEGIN IMMEDIATE`, the
/// database's one write lock taken first, so change numbers are handed out in commit order and
/// a batch never fails half-way on a lock upgrade. PostgreSQL: an ordinary transaction; the
/// rows it changes are locked one by one ([`for_update`]), in id order so that two writers
/// never wait for each other in a circle.
pub async fn begin_write(
    db: &AnyPool,
    kind: DatabaseKind,
) -> Result<Transaction<'static, Any>, sqlx::Error> {
    match kind {
        DatabaseKind::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        DatabaseKind::Postgres => db.begin().await,
    }
}

/// One page of a pull: the rows, the cursor after them and whether more follow.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub cursor: String,
    pub more: bool,
}

/// A row of `table` with its place in the change order.
struct Change<R> {
    cursor: Cursor,
    row: R,
}

impl<'r, R: FromRow<'r, AnyRow>> FromRow<'r, AnyRow> for Change<R> {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Change {
            cursor: Cursor {
                txid: row.try_get("txid")?,
                seq: row.try_get("seq")?,
            },
            row: R::from_row(row)?,
        })
    }
}

/// The rows of `table` (`records` or `patrols`: its `columns`) changed after `since` that a
/// caller of `village` may read (`None`: every village), at most `limit` of them, in change
/// order; only rows below the high-water mark ([`high_water`]).
pub async fn page<R>(
    db: &AnyPool,
    kind: DatabaseKind,
    table: &str,
    columns: &str,
    village: Option<&str>,
    since: Cursor,
    limit: u32,
) -> Result<Page<R>, AppError>
where
    R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let high_water = high_water(db, kind).await?;
    let sql = format!(
        "SELECT txid, seq, {columns} FROM {table}
         WHERE (txid, seq) > ($1, $2) AND txid < $3 AND ($4 IS NULL OR village = $4)
         ORDER BY txid, seq LIMIT $5"
    );
    let rows: Vec<Change<R>> = sqlx::query_as(&sql)
        .bind(since.txid)
        .bind(since.seq)
        .bind(high_water)
        .bind(village)
        .bind(i64::from(limit) + 1)
        .fetch_all(db)
        .await?;
    let (rows, cursor, more) = take_page(rows, limit, since, kind, |c| c.cursor);
    Ok(Page {
        rows: rows.into_iter().map(|c| c.row).collect(),
        cursor,
        more,
    })
}

/// The rows of a page fetched with one more than `limit` (to learn whether more follow): the
/// rows to answer, the cursor after them (`since` when there are none) and whether more follow.
pub fn take_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    since: Cursor,
    kind: DatabaseKind,
    cursor_of: impl Fn(&T) -> Cursor,
) -> (Vec<T>, String, bool) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cursor = rows.last().map_or(since, cursor_of);
    (rows, cursor.text(kind), more)
}

#[cfg(test)]
mod tests {
    use super::{Cursor, DatabaseKind};

    const BOTH: [DatabaseKind; 2] = [DatabaseKind::Sqlite, DatabaseKind::Postgres];

    #[test]
    fn cursors_read_back_what_they_wrote() {
        let at = |txid, seq| Cursor { txid, seq };
        for kind in BOTH {
            assert_eq!(Cursor::parse(None, kind).unwrap(), Cursor::default());
            assert_eq!(Cursor::parse(Some(""), kind).unwrap(), Cursor::default());
            assert_eq!(Cursor::parse(Some("812.40"), kind).unwrap(), at(812, 40));
            for cursor in [at(57, 57), at(812, 40), at(0, 9)] {
                let text = cursor.text(kind);
                assert_eq!(Cursor::parse(Some(&text), kind).unwrap(), cursor, "{text}");
            }
            for bad in ["-1", "x", "1.", ".1", "1.2.3", "1.-2", "1e3"] {
                assert!(Cursor::parse(Some(bad), kind).is_err(), "{bad:?}");
            }
        }
        // SQLite's cursors stay the plain change numbers phones hold from before.
        assert_eq!(at(57, 57).text(DatabaseKind::Sqlite), "57");
        let sqlite = Cursor::parse(Some(" 57 "), DatabaseKind::Sqlite).unwrap();
        assert_eq!(sqlite, at(57, 57));
        // On PostgreSQL a plain number is from before migration 0004: rows with txid 0.
        let postgres = Cursor::parse(Some("57"), DatabaseKind::Postgres).unwrap();
        assert_eq!(postgres, at(0, 57));
        assert_eq!(at(57, 57).text(DatabaseKind::Postgres), "57.57");
    }
}
