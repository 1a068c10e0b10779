//! `GET /api/v1/export.csv`: the ledger as the office opens it in Excel, written by the same
//! core code as the phone's export ([`patrol_core::csv::ledger_csv_with_receipts`]), with the
//! server's receipts of the photos in the 照片送达 column.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::db::tokens::Caller;
use crate::db::{photos, records};
use crate::error::AppError;
use crate::state::AppState;

/// `GET /api/v1/export.csv`: the ledger of the caller's village (or every village).
pub(super) async fn export_csv(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    let records = records::ledger(&state.db, caller.village.as_deref()).await?;
    let named: Vec<&patrol_core::Record> = records.iter().collect();
    let receipts: Vec<_> = photos::receipts_of(&state.db, &named)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let text = patrol_core::csv::ledger_csv_with_receipts(&records, &receipts);
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"river-patrol-ledger.csv\""),
            ),
        ],
        text,
    )
        .into_response())
}
