//! `GET /metrics`: the Prometheus text of the server's counters (`crate::metrics`), outside
//! `/api` where Prometheus looks for it.
//!
//! Only a township office token (one for every village) may read them: the counts tell how
//! busy each route is, which is not for the internet. Prometheus sends the token with
//! `authorization: {credentials: …}` in its scrape config.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::extract::Office;
use crate::state::AppState;

/// `GET /metrics`, for a township office token (a village's is refused 403 by [`Office`]).
pub async fn scrape(_office: Office, State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
