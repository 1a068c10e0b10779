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

use crate::api::{PullQuery, json_body, take_page};
use crate::error::AppError;
use crate::store::Api;
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
    let mut results = Vec::with_capacity(req.patrols.len());
    for patrol in req.patrols {
        let id = patrol.id;
        let outcome = push_one(&mut tx, &caller, patrol).await?;
        results.push(PatrolPushResult { id, outcome });
    }
    tx.commit().await?;
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
    caller: &Caller,
    mut pushed: Patrol,
) -> Result<PatrolOutcome, AppError> {
    // A phone whose settings had no village yet: the patrol is the token's village's.
    if pushed.village.trim().is_empty()
        && let Some(village) = &caller.village
    {
        pushed.village.clone_from(village);
    }
    let existing: Option<StoredPatrol> =
        sqlx::query_as("SELECT village, body FROM patrols WHERE id = $1")
            .bind(pushed.id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
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
        return Ok(PatrolOutcome::Rejected { problems });
    }
    let Some(row) = existing else {
        store(tx, &pushed).await?;
        return Ok(PatrolOutcome::Accepted {
            revision: pushed.revision,
        });
    };
    let stored = decode(&row.body)?;
    let mut merged = stored.clone();
    merged.merge(&pushed);
    if merged.same_content(&stored) {
        return Ok(PatrolOutcome::Accepted {
            revision: stored.revision,
        });
    }
    if !merged.same_content(&pushed) {
        // Both copies knew something: a revision above both, so the phone takes it in.
        merged.revision = stored.revision.max(pushed.revision) + 1;
    }
    store(tx, &merged).await?;
    Ok(PatrolOutcome::Accepted {
        revision: merged.revision,
    })
}

fn decode(body: &str) -> Result<Patrol, AppError> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored patrol cannot be read: {e}")))
}

/// Writes `patrol` with the next change number.
async fn store(tx: &mut Transaction<'static, Any>, patrol: &Patrol) -> Result<(), AppError> {
    let body = serde_json::to_string(patrol).map_err(|e| AppError::Internal(e.into()))?;
    sqlx::query(
        "INSERT INTO patrols (id, village, seq, body, started_at, stored_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM patrols), $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET
             village = excluded.village,
             seq = excluded.seq,
             body = excluded.body,
             started_at = excluded.started_at,
             stored_at = excluded.stored_at",
    )
    .bind(patrol.id.to_string())
    .bind(patrol.village.trim())
    .bind(body)
    .bind(patrol.started_at.to_rfc3339())
    .bind(Utc::now().to_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct ChangeRow {
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
    let (since, limit) = query.page(DEFAULT_PATROL_PULL_LIMIT, MAX_PATROL_PULL_LIMIT)?;
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT seq, body FROM patrols
         WHERE seq > $1 AND ($2 IS NULL OR village = $2)
         ORDER BY seq LIMIT $3",
    )
    .bind(since)
    .bind(&caller.village)
    .bind(i64::from(limit) + 1)
    .fetch_all(&api.db)
    .await?;
    let (rows, cursor, more) = take_page(rows, limit, since, |r| r.seq);
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
