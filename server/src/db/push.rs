//! One push of a batch, records or patrols alike: the whole batch in one write transaction
//! ([`changes::begin_write`]), its rows taken in lock order ([`lock_order`]), and each row
//! read and written again when another server instance stored the same new row meanwhile.
//! Answers go in the order sent.

use std::future::Future;

use sqlx::{Any, AnyPool, Transaction};
use uuid::Uuid;

use super::DatabaseKind;
use super::changes;
use super::tokens::Caller;
use crate::error::AppError;

/// A write transaction of a push.
pub type Tx = Transaction<'static, Any>;

/// Something a phone pushes, a record or a patrol: how one round of its push goes.
pub trait Push: Sync {
    /// What the push answers for it.
    type Outcome: Send;
    /// What it is, for the answer to a row that kept changing ("record", "patrol").
    const WHAT: &'static str;

    /// Its id, which orders the batch's locks.
    fn id(&self) -> Uuid;

    /// One round: the stored row read (locked) and written over; `None` when the row was new
    /// here but another writer stored it first (to be pushed again over what that one wrote).
    fn round(
        &self,
        tx: &mut Tx,
        kind: DatabaseKind,
        caller: &Caller,
    ) -> impl Future<Output = Result<Option<Self::Outcome>, AppError>> + Send;
}

/// Pushes `items` for `caller` in one transaction, in lock order, then commits. The outcomes
/// are in the order of `items`; any error rolls the whole batch back.
pub async fn push_batch<T: Push>(
    db: &AnyPool,
    kind: DatabaseKind,
    caller: &Caller,
    items: &[T],
) -> Result<Vec<T::Outcome>, AppError> {
    let mut tx = changes::begin_write(db, kind).await?;
    let mut outcomes: Vec<Option<T::Outcome>> =
        std::iter::repeat_with(|| None).take(items.len()).collect();
    for i in lock_order(items, T::id) {
        outcomes[i] = Some(push_one(&mut tx, kind, caller, &items[i]).await?);
    }
    tx.commit().await?;
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every pushed item has its outcome"))
        .collect())
}

/// The outcome of `item`: a second round only when another server instance stored the same
/// new row meanwhile; that row is committed then, so the second round reads it.
async fn push_one<T: Push>(
    tx: &mut Tx,
    kind: DatabaseKind,
    caller: &Caller,
    item: &T,
) -> Result<T::Outcome, AppError> {
    for _ in 0..3 {
        if let Some(outcome) = item.round(tx, kind, caller).await? {
            return Ok(outcome);
        }
    }
    Err(AppError::Unavailable(format!(
        "the {} kept changing while it was stored: send again",
        T::WHAT
    )))
}

/// The positions of `items` in the order a write transaction takes their rows: by id, so two
/// writers of overlapping batches lock rows in the same order and never wait for each other in
/// a circle. Answers still go in the order sent.
pub fn lock_order<T>(items: &[T], id: impl Fn(&T) -> Uuid) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| id(&items[i]));
    order
}
