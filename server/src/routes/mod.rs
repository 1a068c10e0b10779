//! The sync API under `/api/v1` (see `docs/sync-protocol.md` and `patrol_core::sync`): the
//! router, one file per resource. Handlers take typed extractors (`crate::extract`) and call
//! the database through `crate::db`.

pub mod dispatches;
pub mod export;
pub mod health;
pub mod import;
pub mod me;
pub mod metrics;
pub mod patrols;
pub mod photos;
pub mod records;
pub mod tiles;
pub mod tokens;
pub mod township;

use axum::Router;
use axum::http::HeaderValue;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::db::DatabaseKind;
use crate::db::changes::Cursor;
use crate::error::AppError;
use crate::state::AppState;

/// Every API route as (method, path), as `docs/openapi.yaml` must list them.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/limits"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/township"),
    ("get", "/api/v1/tiles/{z}/{x}/{y}"),
    ("post", "/api/v1/records"),
    ("get", "/api/v1/records"),
    ("put", "/api/v1/photos/{id}"),
    ("head", "/api/v1/photos/{id}"),
    ("get", "/api/v1/photos/{id}"),
    ("get", "/api/v1/export.csv"),
    ("get", "/api/v1/export.xlsx"),
    ("post", "/api/v1/import"),
    ("post", "/api/v1/patrols"),
    ("get", "/api/v1/patrols"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("post", "/api/v1/dispatches"),
    ("post", "/api/v1/records/{id}/dispatch"),
    ("post", "/api/v1/records/{id}/review"),
];

/// The routes nested under `/api`. Without an [`AppState`] (no database configured) every API path
/// answers 404 JSON. Unknown paths under `/api` never fall back to the app's `index.html`.
pub fn router(state: Option<AppState>, cors_origins: Vec<HeaderValue>) -> Router {
    let routes = match state {
        Some(state) => Router::new()
            .route("/v1/health", get(health::health))
            .route("/v1/limits", get(health::limits))
            .route("/v1/me", get(me::me))
            .route("/v1/township", get(township::township))
            .route("/v1/tiles/{z}/{x}/{y}", get(tiles::tile))
            .merge(sync_routes(&state))
            .route("/v1/export.csv", get(export::export_csv))
            .route("/v1/export.xlsx", get(export::export_xlsx))
            .route("/v1/import", post(import::import_csv))
            .route("/v1/tokens", get(tokens::list).post(tokens::create))
            .route("/v1/tokens/{id}", delete(tokens::revoke))
            .route("/v1/dispatches", post(dispatches::create))
            .route("/v1/records/{id}/dispatch", post(dispatches::dispatch))
            .route("/v1/records/{id}/review", post(dispatches::review))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::metrics::track,
            ))
            .with_state(state),
        None => Router::new(),
    };
    let routes = routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    // Closed by default: the app served here calls from its own origin. An app served from
    // elsewhere needs its origin configured (`--cors-origin`); tokens travel in a header, not
    // in cookies, so no credentials are allowed.
    if cors_origins.is_empty() {
        return routes;
    }
    let allow = if cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(cors_origins)
    };
    routes.layer(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods(Any)
            .allow_headers(Any)
            .expose_headers(Any)
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// The routes a phone syncs through (records, photos, patrols): each success is noted on the
/// token's row (`crate::note_sync`) for the office's list of tokens.
fn sync_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/records", get(records::pull).post(records::push))
        .route(
            "/v1/photos/{id}",
            get(photos::get_photo)
                .head(photos::head_photo)
                .put(photos::put_photo),
        )
        .route("/v1/patrols", get(patrols::pull).post(patrols::push))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::note_sync,
        ))
}

async fn not_found() -> AppError {
    AppError::NotFound("no such API route".to_owned())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// A pull's query: `since` (a cursor from an earlier pull) and `limit`.
#[derive(Debug, Deserialize)]
pub(crate) struct PullQuery {
    pub since: Option<String>,
    pub limit: Option<u32>,
}

impl PullQuery {
    /// The cursor to read after, and the page size: `default` when not given, within
    /// 1..=`max`.
    pub(crate) fn page(
        &self,
        kind: DatabaseKind,
        default: u32,
        max: u32,
    ) -> Result<(Cursor, u32), AppError> {
        let since = Cursor::parse(self.since.as_deref(), kind)?;
        Ok((since, self.limit.unwrap_or(default).clamp(1, max)))
    }
}
