//! Prometheus metrics: requests and their latency by route, records and photos stored, and
//! sync errors by reason, counted by the [`track`] middleware and the handlers, and served at
//! `GET /metrics` (`crate::routes::metrics`). Each [`AppState`] has its own registry (no global
//! recorder), so servers in one process, as in the tests, count apart.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use patrol_core::sync::code;
use patrol_core::{Outcome, SyncProblem};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::error::ErrorCode;
use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's pattern (`/api/v1/photos/{id}`), never the path itself, so that ids do
    /// not each make a series.
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    /// An error code of the protocol (`patrol_core::sync::code`), or `conflict`.
    reason: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's counters; cheap to clone (every part is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    records_stored: Counter,
    photos_stored: Counter,
    sync_errors: Family<ReasonLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("river_patrol");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "API requests answered, by method, route and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an API request, by method and route",
            latency.clone(),
        );
        let records_stored = Counter::default();
        registry.register(
            "records_stored",
            "Record revisions stored from pushes (new records and accepted changes)",
            records_stored.clone(),
        );
        let photos_stored = Counter::default();
        registry.register(
            "photos_stored",
            "Photos stored (a photo sent again is not counted twice)",
            photos_stored.clone(),
        );
        let sync_errors = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "sync_errors",
            "Requests refused with an error code, and pushed records rejected or in conflict, by reason",
            sync_errors.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            requests,
            latency,
            records_stored,
            photos_stored,
            sync_errors,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }

    /// Counts what a record push did, once its transaction has committed.
    pub fn pushed<'a>(&self, outcomes: impl IntoIterator<Item = &'a Outcome>) {
        for outcome in outcomes {
            match outcome {
                Outcome::Accepted { .. } => {
                    self.records_stored.inc();
                }
                Outcome::Unchanged { .. } => {}
                Outcome::Conflict { .. } => self.sync_error("conflict"),
                Outcome::Rejected { problems } => self.rejected(problems),
            }
        }
    }

    /// Counts a pushed record or patrol the server refused, by its first problem's code.
    pub fn rejected(&self, problems: &[SyncProblem]) {
        self.sync_error(problems.first().map_or(code::INVALID, |p| p.code.as_str()));
    }

    pub fn photo_stored(&self) {
        self.photos_stored.inc();
    }

    fn sync_error(&self, reason: &str) {
        self.sync_errors
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }
}

/// Middleware on the API routes: counts each answer and its time, and the error code of a
/// refused request.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: response.status().as_u16().to_string(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&RouteLabels { method, route })
        .observe(start.elapsed().as_secs_f64());
    // A 404 is how a HEAD says "no such photo yet", not a failure.
    if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>()
        && *code != code::NOT_FOUND
    {
        metrics.sync_error(code);
    }
    response
}
