//! The township office's steps on a problem (issue 27): dispatch (交办) a new one to a village
//! (`POST /api/v1/dispatches`) or an existing one (`POST /api/v1/records/{id}/dispatch`), and
//! check one reported fixed: close it (销号) or send it back (退回) with a reason
//! (`POST /api/v1/records/{id}/review`). Each is stored as a push would store it: a new server
//! revision in the change order, so the village's phones pull it, and a phone that edits an
//! older copy meets the usual conflict. Only an office token may call these: the handlers take
//! [`Office`], so a village's token is refused 403 before anything is read or stored.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use patrol_core::dispatch::{DispatchError, describe};
use patrol_core::sync::{ReviewRequest, ServerRecord};
use patrol_core::{DispatchRequest, DispatchUpdate, Record, ReviewError};

use crate::db::records;
use crate::error::AppError;
use crate::extract::{AppJson, Office, RecordId};
use crate::state::AppState;

/// `POST /api/v1/dispatches`: a new problem for a village, dispatched now by the office's
/// token holder; 201 with the stored record at server revision 1. A request that does not
/// pass the record's checks is 422 `invalid`, `field` the first field at fault.
pub(super) async fn create(
    Office(office): Office,
    State(state): State<AppState>,
    AppJson(request): AppJson<DispatchRequest>,
) -> Result<(StatusCode, AppJson<ServerRecord>), AppError> {
    let record = request
        .into_record(&office.officer, Utc::now())
        .map_err(|errors| AppError::Invalid {
            message: describe(&errors),
            field: errors.first().map(|e| e.field.to_owned()),
        })?;
    let stored = records::insert(&state.db, state.database, record).await?;
    tracing::info!(id = %stored.record.id, village = stored.record.village, officer = office.officer, "problem dispatched");
    Ok((StatusCode::CREATED, AppJson(stored)))
}

/// `POST /api/v1/records/{id}/dispatch`: an existing problem given to its village, with its
/// responsible people and deadline when the body gives them; the next server revision.
pub(super) async fn dispatch(
    Office(office): Office,
    State(state): State<AppState>,
    RecordId(id): RecordId,
    AppJson(update): AppJson<DispatchUpdate>,
) -> Result<AppJson<ServerRecord>, AppError> {
    let stored = records::revise(&state.db, state.database, id, |record| {
        let now = Utc::now();
        record
            .dispatch(update, &office.officer, now)
            .map_err(|e| match e {
                DispatchError::Invalid(errors) => AppError::Invalid {
                    message: describe(&errors),
                    field: errors.first().map(|e| e.field.to_owned()),
                },
                refused => AppError::WrongStatus(refused.to_string()),
            })?;
        saved(record, now);
        Ok(())
    })
    .await?;
    tracing::info!(%id, officer = office.officer, "problem dispatched");
    Ok(AppJson(stored))
}

/// `POST /api/v1/records/{id}/review`: the office's check of a problem reported fixed,
/// closed or sent back; the next server revision. 409 `wrong_status` when it is not fixed (or
/// is deleted); 422 `invalid` (`field` `reason`) when sent back without a reason.
pub(super) async fn review(
    Office(office): Office,
    State(state): State<AppState>,
    RecordId(id): RecordId,
    AppJson(request): AppJson<ReviewRequest>,
) -> Result<AppJson<ServerRecord>, AppError> {
    let stored = records::revise(&state.db, state.database, id, |record| {
        let now = Utc::now();
        record
            .review(request.decision, &request.reason, &office.officer, now)
            .map_err(|e| match e {
                ReviewError::NotFixed { .. } | ReviewError::Deleted => {
                    AppError::WrongStatus(e.to_string())
                }
                ReviewError::ReasonRequired | ReviewError::ReasonTooLong { .. } => {
                    AppError::Invalid {
                        message: e.to_string(),
                        field: Some("reason".to_owned()),
                    }
                }
            })?;
        saved(record, now);
        Ok(())
    })
    .await?;
    tracing::info!(%id, decision = ?request.decision, officer = office.officer, "problem reviewed");
    Ok(AppJson(stored))
}

/// The office's change saved `now`, as a phone saves its own: one revision more, and the
/// record's `updated_at`, so every copy tells it is newer than the one it was made over.
fn saved(record: &mut Record, now: chrono::DateTime<Utc>) {
    record.touch(now);
}
