//! `POST /api/v1/import`: the office's ledger CSV (as saved from Excel, UTF-8 or GB18030) read
//! by the same core code as the phone's import ([`patrol_core::import`]), so a file gives the
//! same problems, with the same ids, wherever it is imported; importing it again (on the server
//! or on a phone that syncs) stores nothing twice.

use axum::extract::State;
use chrono::Utc;
use patrol_core::import::{ImportProblem, ImportResponse, RejectedRow, plan};

use crate::db::Write;
use crate::db::records::store;
use crate::db::tokens::Caller;
use crate::error::AppError;
use crate::extract::{AppJson, LedgerFile};
use crate::state::AppState;

pub(super) async fn import_csv(
    caller: Caller,
    State(state): State<AppState>,
    LedgerFile(text): LedgerFile,
) -> Result<AppJson<ImportResponse>, AppError> {
    let plan = plan(&text, &caller.officer, Utc::now());
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
        let record = match &row.outcome {
            Ok(record) if caller.may_access(&record.village) => record,
            Ok(_) => {
                answer.rejected.push(RejectedRow {
                    line: row.line,
                    problems: vec![ImportProblem {
                        field: "village".into(),
                        code: patrol_core::sync::code::WRONG_VILLAGE.into(),
                    }],
                });
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
        // Only what the server lacks: a record stored already (by a phone, an earlier import or
        // another instance at this moment) is left as it is.
        if store(&mut tx, state.database, record, 1, Write::New).await? {
            answer.imported += 1;
        } else {
            answer.already += 1;
        }
    }
    tx.commit().await?;
    Ok(AppJson(answer))
}
