//! `/api/v1/patrols`: patrols pushed by the phones and pulled back by them. A pushed patrol
//! is merged into the stored one ([`Patrol::merge`]), so there are no conflicts and a copy
//! sent late or twice never takes a fix away.

use axum::extract::State;
use chrono::Utc;
use patrol_core::Patrol;
use patrol_core::sync::{
    DEFAULT_PATROL_PULL_LIMIT, MAX_PATROL_PULL_LIMIT, PatrolOutcome, PatrolPullResponse,
    PatrolPushRequest, PatrolPushResponse, PatrolPushResult, SyncProblem, code,
};

use uuid::Uuid;

use super::PullQuery;
use crate::db::patrols::{self, StoredPatrol, decode, store, stored_row};
use crate::db::push::{Push, Tx, push_batch};
use crate::db::tokens::Caller;
use crate::db::{DatabaseKind, Write};
use crate::error::AppError;
use crate::extract::{AppJson, AppQuery};
use crate::state::AppState;

/// `POST /api/v1/patrols`: the whole batch in one transaction.
pub(super) async fn push(
    caller: Caller,
    State(state): State<AppState>,
    AppJson(req): AppJson<PatrolPushRequest>,
) -> Result<AppJson<PatrolPushResponse>, AppError> {
    let limit = state.limits.max_batch_records;
    if req.patrols.len() > limit as usize {
        return Err(AppError::BatchTooLarge {
            count: req.patrols.len(),
            limit,
        });
    }
    let patrols: Vec<Patrol> = req
        .patrols
        .into_iter()
        .map(|p| of_village(p, &caller))
        .collect();
    let outcomes = push_batch(&state.db, state.database, &caller, &patrols).await?;
    let results: Vec<PatrolPushResult> = patrols
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| PatrolPushResult { id: p.id, outcome })
        .collect();
    for result in &results {
        if let PatrolOutcome::Rejected { problems } = &result.outcome {
            state.metrics.rejected(problems);
        }
    }
    Ok(AppJson(PatrolPushResponse { results }))
}

/// `pushed`, of the token's village when the phone's settings had no village yet.
fn of_village(mut pushed: Patrol, caller: &Caller) -> Patrol {
    if pushed.village.trim().is_empty()
        && let Some(village) = &caller.village
    {
        pushed.village.clone_from(village);
    }
    pushed
}

impl Push for Patrol {
    type Outcome = PatrolOutcome;
    const WHAT: &'static str = "patrol";

    fn id(&self) -> Uuid {
        self.id
    }

    async fn round(
        &self,
        tx: &mut Tx,
        kind: DatabaseKind,
        caller: &Caller,
    ) -> Result<Option<PatrolOutcome>, AppError> {
        let existing = stored_row(tx, kind, self.id).await?;
        push_against(tx, kind, caller, self, existing).await
    }
}

/// The outcome of `pushed` merged into `existing`; `None` when it was new here but another
/// writer stored it first (to be merged again into what that one wrote).
async fn push_against(
    tx: &mut Tx,
    kind: DatabaseKind,
    caller: &Caller,
    pushed: &Patrol,
    existing: Option<StoredPatrol>,
) -> Result<Option<PatrolOutcome>, AppError> {
    let mut problems: Vec<SyncProblem> = pushed.validate().iter().map(SyncProblem::from).collect();
    // Against this server's clock, as a record's times are.
    problems.extend(pushed.check_times(Utc::now()).iter().map(SyncProblem::from));
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
        // Both copies knew something: a revision above both, so the phone takes it in. Both
        // passed validation (at most MAX_REVISION), and the addition saturates besides: with
        // overflow checks off in release, a wrap would make the merge older than both.
        merged.revision = stored.revision.max(pushed.revision).saturating_add(1);
    }
    store(tx, kind, &merged, Write::Replace).await?;
    Ok(Some(PatrolOutcome::Accepted {
        revision: merged.revision,
    }))
}

/// `GET /api/v1/patrols?since=&limit=`: patrols changed after the cursor, in change order.
pub(super) async fn pull(
    caller: Caller,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<PullQuery>,
) -> Result<AppJson<PatrolPullResponse>, AppError> {
    let (since, limit) = query.page(
        state.database,
        DEFAULT_PATROL_PULL_LIMIT,
        MAX_PATROL_PULL_LIMIT,
    )?;
    let page = patrols::pull(
        &state.db,
        state.database,
        caller.village.as_deref(),
        since,
        limit,
    )
    .await?;
    Ok(AppJson(PatrolPullResponse {
        patrols: page.rows,
        cursor: page.cursor,
        more: page.more,
    }))
}
