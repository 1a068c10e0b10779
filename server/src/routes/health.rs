//! `GET /api/v1/health` (open to anyone, for a load balancer or a monitor) and
//! `GET /api/v1/limits` (what this server takes, for the phone to size its pushes).

use axum::extract::State;
use patrol_core::{Health, Limits};

use crate::db::{self, tokens::Caller};
use crate::error::AppError;
use crate::extract::AppJson;
use crate::state::AppState;

/// `GET /api/v1/health`: no token; 503 when the database or the photo store does not answer.
/// Neither's location is told: this route is open to anyone.
pub(super) async fn health(State(state): State<AppState>) -> Result<AppJson<Health>, AppError> {
    db::answers(&state.db)
        .await
        .map_err(|e| AppError::Unavailable(format!("the database does not answer: {e}")))?;
    match state.photo_store_answers().await {
        Ok(()) => {}
        Err(e) => {
            tracing::error!("photo store: {e}");
            return Err(AppError::Unavailable(
                "the photo store does not answer".to_owned(),
            ));
        }
    }
    Ok(AppJson(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: state.database.name().to_owned(),
        photo_store: state.photo_store_kind.to_owned(),
    }))
}

/// `GET /api/v1/limits`.
pub(super) async fn limits(_caller: Caller, State(state): State<AppState>) -> AppJson<Limits> {
    AppJson(state.limits.clone())
}
