//! `GET /api/v1/export.csv` and `GET /api/v1/export.xlsx`: the ledger as the office opens it in
//! Excel, written by the same core code as the phone's export
//! ([`patrol_core::csv::ledger_csv_with_receipts`]), with the server's receipts of the photos
//! in the 照片送达 column. The workbook holds the same rows ([`patrol_core::csv::ledger_rows`])
//! with real dates ([`crate::ledger_xlsx`]); both read the ledger through [`ledger_of`], so
//! they show a caller the same records.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use patrol_core::Record;
use patrol_core::sync::PhotoReceipt;

use crate::db::tokens::Caller;
use crate::db::{photos, records};
use crate::error::AppError;
use crate::state::AppState;

/// The workbook's media type, as Excel registers it.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The records the caller may export (its village's, or every village's for the office) and
/// the server's receipts of their photos.
async fn ledger_of(
    caller: &Caller,
    state: &AppState,
) -> Result<(Vec<Record>, Vec<PhotoReceipt>), AppError> {
    let records = records::ledger(&state.db, caller.village.as_deref()).await?;
    let named: Vec<&Record> = records.iter().collect();
    let receipts: Vec<_> = photos::receipts_of(&state.db, &named)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok((records, receipts))
}

/// `GET /api/v1/export.csv`: the ledger of the caller's village (or every village).
pub(super) async fn export_csv(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    let (records, receipts) = ledger_of(&caller, &state).await?;
    let text = patrol_core::csv::ledger_csv_with_receipts(&records, &receipts);
    Ok(attachment(
        "text/csv; charset=utf-8",
        "attachment; filename=\"river-patrol-ledger.csv\"",
        text,
    ))
}

/// `GET /api/v1/export.xlsx`: the same ledger as an Excel workbook.
pub(super) async fn export_xlsx(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    let (records, receipts) = ledger_of(&caller, &state).await?;
    // Zipping a township's ledger is seconds of CPU at worst: off the threads that answer the
    // phones' syncs.
    let bytes = tokio::task::spawn_blocking(move || {
        let rows = patrol_core::csv::ledger_rows(&records, &receipts);
        crate::ledger_xlsx::workbook(&rows)
    })
    .await
    .map_err(|e| anyhow::Error::new(e).context("writing the ledger workbook"))?
    .map_err(|e| anyhow::Error::new(e).context("writing the ledger workbook"))?;
    Ok(attachment(
        XLSX_CONTENT_TYPE,
        "attachment; filename=\"river-patrol-ledger.xlsx\"",
        bytes,
    ))
}

fn attachment(
    content_type: &'static str,
    disposition: &'static str,
    body: impl IntoResponse,
) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            ),
        ],
        body,
    )
        .into_response()
}
