//! `/api/v1/records`: records pushed by the phones (and by the office's import, which shares
//! the writing, `crate::db::records`) and pulled back by them, with a base revision for each
//! push so that a change made over an older copy is a conflict, not a loss
//! (docs/sync-protocol.md).

use axum::extract::State;
use chrono::Utc;
use patrol_core::import::ImportIds;
use patrol_core::sync::{
    DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, Outcome, PullResponse, PushRecord, PushResponse,
    PushResult, SyncProblem, code,
};
use patrol_core::validate::check_times;
use patrol_core::workflow::office_only_change;
use patrol_core::{Record, SCHEMA_VERSION, validate};
use serde::Deserialize;
use uuid::Uuid;

use super::PullQuery;
use crate::db::push::{Push, Tx, push_batch};
use crate::db::records::{StoredRow, decode_stored, missing_photos, rev_of, store, stored_row};
use crate::db::tokens::Caller;
use crate::db::{DatabaseKind, Write, records};
use crate::error::AppError;
use crate::extract::{AppJson, AppQuery};
use crate::state::AppState;

/// A [`patrol_core::PushRequest`] whose records are not yet read as [`Record`]s, so that a record written
/// by a newer app (which may not fit this server's types) is rejected on its own rather than
/// failing the batch.
#[derive(Deserialize)]
pub(super) struct RawPushRequest {
    records: Vec<RawPushRecord>,
}

#[derive(Deserialize)]
struct RawPushRecord {
    #[serde(default)]
    base_rev: Option<u64>,
    record: serde_json::Value,
}

/// One pushed record, read: a current record, or the id of one with a newer schema.
enum Pushed {
    Current(Box<PushRecord>),
    Newer { id: Uuid, schema: u64 },
}

/// Reads `records[index].record`; a type error is 422 with the full path.
fn read_pushed(index: usize, raw: RawPushRecord) -> Result<Pushed, AppError> {
    let schema = raw.record.get("schema").and_then(serde_json::Value::as_u64);
    if let Some(schema) = schema.filter(|s| *s > u64::from(SCHEMA_VERSION)) {
        let id = raw
            .record
            .get("id")
            .and_then(serde_json::Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| AppError::Invalid {
                message: "a record needs an id (a UUID)".to_owned(),
                field: Some(format!("records[{index}].record.id")),
            })?;
        return Ok(Pushed::Newer { id, schema });
    }
    let record: Record = serde_path_to_error::deserialize(raw.record).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            format!("records[{index}].record")
        } else {
            format!("records[{index}].record.{path}")
        };
        AppError::Invalid {
            message: e.into_inner().to_string(),
            field: Some(field),
        }
    })?;
    Ok(Pushed::Current(Box::new(PushRecord {
        base_rev: raw.base_rev,
        record,
    })))
}

/// `POST /api/v1/records`: the whole batch in one transaction.
pub(super) async fn push(
    caller: Caller,
    State(state): State<AppState>,
    AppJson(req): AppJson<RawPushRequest>,
) -> Result<AppJson<PushResponse>, AppError> {
    let limit = state.limits.max_batch_records;
    if req.records.len() > limit as usize {
        return Err(AppError::BatchTooLarge {
            count: req.records.len(),
            limit,
        });
    }
    let pushed = req
        .records
        .into_iter()
        .enumerate()
        .map(|(i, raw)| read_pushed(i, raw))
        .collect::<Result<Vec<_>, _>>()?;
    let outcomes = push_batch(&state.db, state.database, &caller, &pushed).await?;
    let results: Vec<PushResult> = pushed
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| PushResult {
            id: p.id(),
            outcome,
        })
        .collect();
    state.metrics.pushed(results.iter().map(|r| &r.outcome));
    Ok(AppJson(PushResponse { results }))
}

fn newer_schema(schema: u64) -> Outcome {
    Outcome::Rejected {
        problems: vec![SyncProblem::new(
            "schema",
            code::NEWER_SCHEMA,
            format!("the record has schema {schema}, newer than this server's {SCHEMA_VERSION}"),
        )],
    }
}

impl Push for Pushed {
    type Outcome = Outcome;
    const WHAT: &'static str = "record";

    fn id(&self) -> Uuid {
        match self {
            Pushed::Current(p) => p.record.id,
            Pushed::Newer { id, .. } => *id,
        }
    }

    async fn round(
        &self,
        tx: &mut Tx,
        kind: DatabaseKind,
        caller: &Caller,
    ) -> Result<Option<Outcome>, AppError> {
        match self {
            Pushed::Current(p) => {
                let PushRecord { base_rev, record } = p.as_ref();
                let existing = stored_row(tx, kind, record.id).await?;
                push_against(tx, kind, caller, *base_rev, record, existing).await
            }
            Pushed::Newer { schema, .. } => Ok(Some(newer_schema(*schema))),
        }
    }
}

/// The outcome of `record` pushed over `existing`; `None` when it was new here but another
/// writer stored it first (to be pushed again over what that one wrote).
async fn push_against(
    tx: &mut Tx,
    kind: DatabaseKind,
    caller: &Caller,
    base_rev: Option<u64>,
    record: &Record,
    existing: Option<StoredRow>,
) -> Result<Option<Outcome>, AppError> {
    if record.schema > SCHEMA_VERSION {
        return Ok(Some(newer_schema(record.schema.into())));
    }
    let mut problems = Vec::new();
    if !caller.may_access(&record.village) {
        problems.push(SyncProblem::new(
            "village",
            code::WRONG_VILLAGE,
            format!(
                "the record is for {}, the token only for {}",
                record.village,
                caller.village.as_deref().unwrap_or_default()
            ),
        ));
    } else if existing
        .as_ref()
        .is_some_and(|row| !caller.may_access(&row.village))
    {
        problems.push(SyncProblem::new(
            "village",
            code::WRONG_VILLAGE,
            "a record with this id belongs to another village",
        ));
    }
    // Read only when the caller may read it (never another village's copy).
    let stored = existing
        .as_ref()
        .filter(|_| problems.is_empty())
        .map(|row| decode_stored(&row.body))
        .transpose()?;
    // Closing (销号), the office's review and dispatch (交办) are the township office's: a
    // village's device that pushes one is refused for this record alone, and keeps its copy.
    if caller.village.is_some()
        && problems.is_empty()
        && let Some(change) = office_only_change(stored.as_ref(), record)
    {
        problems.push(SyncProblem::new(
            change.field(),
            code::OFFICE_ONLY,
            change.to_string(),
        ));
    }
    problems.extend(validate(record).iter().map(SyncProblem::from));
    // Against this server's clock: a record stamped in year 9999 (or 1970) is refused, not
    // put on top of (or under) every phone's list.
    problems.extend(
        check_times(record, Utc::now())
            .iter()
            .map(SyncProblem::from),
    );
    if !problems.is_empty() {
        return Ok(Some(Outcome::Rejected { problems }));
    }

    let mut record = record.clone();
    record.schema = SCHEMA_VERSION;
    let (Some(row), Some(stored)) = (existing, stored) else {
        if !store(tx, kind, &record, 1, Write::New).await? {
            return Ok(None);
        }
        let missing_photos = missing_photos(tx, &record).await?;
        return Ok(Some(Outcome::Accepted {
            server_rev: 1,
            missing_photos,
        }));
    };
    // What an app without the office's fields left out (a dispatch, a review's mark) stays.
    record.keep_office_marks(&stored);
    let server_rev = rev_of(row.server_rev);
    let outcome = if stored == record {
        let missing_photos = missing_photos(tx, &record).await?;
        Outcome::Unchanged {
            server_rev,
            missing_photos,
        }
    } else if base_rev == Some(server_rev) {
        // Visits are facts: a copy without some stored ones (the phone kept its version over
        // the office's) gets them back instead of dropping them; the phone pulls the result.
        record.take_visits_from(&stored);
        let server_rev = server_rev + 1;
        store(tx, kind, &record, server_rev, Write::Replace).await?;
        let missing_photos = missing_photos(tx, &record).await?;
        Outcome::Accepted {
            server_rev,
            missing_photos,
        }
    } else {
        Outcome::Conflict {
            server_rev,
            server: Box::new(stored),
        }
    };
    Ok(Some(outcome))
}

/// `GET /api/v1/records?since=&limit=`: changes after the cursor, in change order.
pub(super) async fn pull(
    caller: Caller,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<PullQuery>,
) -> Result<AppJson<PullResponse>, AppError> {
    let (since, limit) = query.page(state.database, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT)?;
    let page = records::pull(
        &state.db,
        state.database,
        caller.village.as_deref(),
        since,
        limit,
    )
    .await?;
    Ok(AppJson(PullResponse {
        changes: page.rows,
        cursor: page.cursor,
        more: page.more,
        import_ids: Some(ImportIds::for_token(
            state.import_secret,
            caller.village.as_deref(),
        )),
    }))
}
