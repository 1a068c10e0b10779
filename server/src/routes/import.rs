//! `POST /api/v1/import`: the office's ledger CSV (as saved from Excel, UTF-8 or GB18030) read
//! by the same core code as the phone's import ([`patrol_core::import`]), so a file gives the
//! same problems, with the same ids, wherever it is imported; importing it again (on the server
//! or on a phone that syncs) stores nothing twice.
//!
//! A row's id is made under the server's secret (`ImportIds`), so no one outside the village
//! and the office can compute it. A row counts as "already" only when a record of the row's own
//! village holds its id, or its legacy id (the row imported before ids were secret, on a phone
//! or here); an id held by another village's record is never "already": that row is rejected
//! `id_taken`, and the log says so (issue 23, F1).

use axum::extract::State;
use chrono::Utc;
use patrol_core::Record;
use patrol_core::import::{ImportIds, ImportProblem, ImportResponse, RejectedRow, plan};
use patrol_core::sync::code;
use uuid::Uuid;

use crate::db::Write;
use crate::db::push::Tx;
use crate::db::records::{store, stored_row};
use crate::db::tokens::Caller;
use crate::error::AppError;
use crate::extract::{AppJson, LedgerFile};
use crate::state::AppState;

pub(super) async fn import_csv(
    caller: Caller,
    State(state): State<AppState>,
    LedgerFile(text): LedgerFile,
) -> Result<AppJson<ImportResponse>, AppError> {
    let ids = ImportIds::for_token(state.import_secret, None);
    let plan = plan(&text, &caller.officer, Utc::now(), Some(&ids));
    if let Some(why) = plan.unusable {
        return Err(AppError::Invalid {
            message: match why {
                "empty" => "the file is empty".to_owned(),
                _ => {
                    "no village column, and no kind or description column: not a ledger".to_owned()
                }
            },
            field: None,
        });
    }
    let mut answer = ImportResponse::default();
    let mut tx = state.begin_write().await?;
    for row in &plan.rows {
        let reject = |answer: &mut ImportResponse, field: &str, code: &str| {
            answer.rejected.push(RejectedRow {
                line: row.line,
                problems: vec![ImportProblem {
                    field: field.into(),
                    code: code.into(),
                }],
            })
        };
        let record = match &row.outcome {
            Ok(record) if caller.may_access(&record.village) => record,
            Ok(_) => {
                reject(&mut answer, "village", code::WRONG_VILLAGE);
                continue;
            }
            Err(problems) => {
                answer.rejected.push(RejectedRow {
                    line: row.line,
                    problems: problems.iter().map(ImportProblem::from).collect(),
                });
                continue;
            }
        };
        match import_row(&mut tx, &state, record, row.legacy_id).await? {
            Imported::New => answer.imported += 1,
            Imported::Already => answer.already += 1,
            Imported::IdTaken { village } => {
                tracing::warn!(
                    line = row.line,
                    id = %record.id,
                    holder = village,
                    "an imported row's id is held by another village's record; the row is rejected"
                );
                reject(&mut answer, "id", code::ID_TAKEN);
            }
        }
    }
    tx.commit().await?;
    Ok(AppJson(answer))
}

/// What became of one valid row.
enum Imported {
    New,
    /// Its village holds it already (imported before, here or on a phone).
    Already,
    /// Another village's record holds its id.
    IdTaken {
        village: String,
    },
}

/// Stores `record` unless its village holds it already, under its id or its `legacy_id`.
async fn import_row(
    tx: &mut Tx,
    state: &AppState,
    record: &Record,
    legacy_id: Option<Uuid>,
) -> Result<Imported, AppError> {
    let village = record.village.trim();
    if let Some(legacy_id) = legacy_id.filter(|id| *id != record.id)
        && let Some(held) = stored_row(tx, state.database, legacy_id).await?
        && held.village == village
    {
        return Ok(Imported::Already);
    }
    // Only what the server lacks: a record stored already (by a phone, an earlier import or
    // another instance at this moment) is left as it is.
    if store(tx, state.database, record, 1, Write::New).await? {
        return Ok(Imported::New);
    }
    match stored_row(tx, state.database, record.id).await? {
        Some(held) if held.village != village => Ok(Imported::IdTaken {
            village: held.village,
        }),
        _ => Ok(Imported::Already),
    }
}
