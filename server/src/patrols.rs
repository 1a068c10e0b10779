//! `/api/v1/patrols`: patrols pushed by the phones and pulled back by them. A pushed patrol
//! is merged into the stored one ([`Patrol::merge`]), so there are no conflicts and a copy
//! sent late or twice never takes a fix away.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Utc;
use patrol_core::Patrol;
use patrol_core::sync::{
    DEFAULT_PATROL_PULL_LIMIT, MAX_PATROL_PULL_LIMIT, PatrolOutcome, PatrolPullResponse,
    PatrolPushRequest, PatrolPushResponse, PatrolPushResult, SyncProblem, code,
};
use sqlx::{Any, FromRow, Transaction};

use crate::api::{PullQuery, Write, json_body};
use crate::changes::{self, Cursor};
use crate::error::AppError;
use crate::store::{Api, DatabaseKind};
use crate::tokens::Caller;

/// `POST /api/v1/patrols`: the whole batch in one transaction.
pub(crate) async fn push(
    caller: Caller,
    State(api): State<Api>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<PatrolPushResponse>, AppError> {
    let req: PatrolPushRequest = json_body(&api, &headers, body).await?;
    let limit = api.limits.max_batch_records;
    if req.patrols.len() > limit as usize {
        return Err(AppError::BatchTooLarge {
            count: req.patrols.len(),
            limit,
        });
    }
    let mut tx = api.begin_write().await?;
    let mut outcomes: Vec<Option<PatrolOutcome>> = vec![None; req.patrols.len()];
    for i in changes::lock_order(&req.patrols, |p| p.id) {
        let patrol = req.patrols[i].clone();
        outcomes[i] = Some(push_one(&mut tx, api.database, &caller, patrol).await?);
    }
    tx.commit().await?;
    let results: Vec<PatrolPushResult> = req
        .patrols
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| PatrolPushResult {
            id: p.id,
            outcome: outcome.expect("every patrol has its outcome"),
        })
        .collect();
    for result in &results {
        if let PatrolOutcome::Rejected { problems } = &result.outcome {
            api.metrics.rejected(problems);
        }
    }
    Ok(axum::Json(PatrolPushResponse { results }))
}

#[derive(FromRow)]
struct StoredPatrol {
    village: String,
    body: String,
}

async fn push_one(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    caller: &Caller,
    mut pushed: Patrol,
) -> Result<PatrolOutcome, AppError> {
    // A phone whose settings had no village yet: the patrol is the token's village's.
    if pushed.village.trim().is_empty()
        && let Some(village) = &caller.village
    {
        pushed.village.clone_from(village);
    }
    // A second round only when another server instance stored the same new patrol meanwhile;
    // that row is committed then, so the second round reads it.
    for _ in 0..3 {
        let sql = format!(
            "SELECT village, body FROM patrols WHERE id = $1{}",
            changes::for_update(kind)
        );
        let existing: Option<StoredPatrol> = sqlx::query_as(&sql)
            .bind(pushed.id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(outcome) = push_against(tx, kind, caller, &pushed, existing).await? {
            return Ok(outcome);
        }
    }
    Err(AppError::Unavailable(
        "the patrol kept changing while it was stored: send again".to_owned(),
    ))
}

/// The outcome of `pushed` merged into `existing`; `None` when it was new here but another
/// writer stored it first (to be merged again into what that one wrote).
async fn push_against(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    caller: &Caller,
    pushed: &Patrol,
    existing: Option<StoredPatrol>,
) -> Result<Option<PatrolOutcome>, AppError> {
    let mut problems: Vec<SyncProblem> = pushed.validate().iter().map(SyncProblem::from).collect();
    let foreign = !caller.may_access(&pushed.village)
        || existing
            .as_ref()
            .is_some_and(|row| !caller.may_access(&row.village));
    if foreign {
        problems.push(SyncProblem::new(
            "village",
            code::WRONG_VILLAGE,
            format!(
                "the patrol is for {:?}, the token only for {}",
                pushed.village,
                caller.village.as_deref().unwrap_or_default()
            ),
        ));
    }
    if !problems.is_empty() {
        return Ok(Some(PatrolOutcome::Rejected { problems }));
    }
    let Some(row) = existing else {
        if !store(tx, kind, pushed, Write::New).await? {
            return Ok(None);
        }
        return Ok(Some(PatrolOutcome::Accepted {
            revision: pushed.revision,
        }));
    };
    let stored = decode(&row.body)?;
    let mut merged = stored.clone();
    merged.merge(pushed);
    if merged.same_content(&stored) {
        return Ok(Some(PatrolOutcome::Accepted {
            revision: stored.revision,
        }));
    }
    if !merged.same_content(pushed) {
        // Both copies knew something: a revision above both, so the phone takes it in.
        merged.revision = stored.revision.max(pushed.revision) + 1;
    }
    store(tx, kind, &merged, Write::Replace).await?;
    Ok(Some(PatrolOutcome::Accepted {
        revision: merged.revision,
    }))
}

fn decode(body: &str) -> Result<Patrol, AppError> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored patrol cannot be read: {e}")))
}

/// Writes `patrol` with the next change number; `false` when it was [`Write::New`] and
/// another writer stored it first (nothing written).
async fn store(
    tx: &mut Transaction<'static, Any>,
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
struct ChangeRow {
    txid: i64,
    seq: i64,
    body: String,
}

/// `GET /api/v1/patrols?since=&limit=`: patrols changed after the cursor, in change order.
pub(crate) async fn pull(
    caller: Caller,
    State(api): State<Api>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<axum::Json<PatrolPullResponse>, AppError> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let (since, limit) = query.page(
        api.database,
        DEFAULT_PATROL_PULL_LIMIT,
        MAX_PATROL_PULL_LIMIT,
    )?;
    let high_water = changes::high_water(&api.db, api.database).await?;
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT txid, seq, body FROM patrols
         WHERE (txid, seq) > ($1, $2) AND txid < $3 AND ($4 IS NULL OR village = $4)
         ORDER BY txid, seq LIMIT $5",
    )
    .bind(since.txid)
    .bind(since.seq)
    .bind(high_water)
    .bind(&caller.village)
    .bind(i64::from(limit) + 1)
    .fetch_all(&api.db)
    .await?;
    let (rows, cursor, more) = changes::take_page(rows, limit, since, api.database, |r| Cursor {
        txid: r.txid,
        seq: r.seq,
    });
    let patrols = rows
        .iter()
        .map(|row| decode(&row.body))
        .collect::<Result<_, _>>()?;
    Ok(axum::Json(PatrolPullResponse {
        patrols,
        cursor,
        more,
    }))
}
