//! The sync API under `/api/v1` (see `docs/sync-protocol.md` and `patrol_core::sync`).

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use http_body_util::{BodyExt, Limited};
use patrol_core::codec;
use patrol_core::sync::{
    DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, Outcome, PullResponse, PushRecord, PushResponse,
    PushResult, ServerRecord, SyncProblem, code,
};
use patrol_core::{Health, Limits, Record, SCHEMA_VERSION, validate};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::{FromRow, Transaction};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use uuid::Uuid;

use crate::changes::{self, Cursor};
use crate::error::AppError;
use crate::photos;
use crate::store::{Api, DatabaseKind};
use crate::tokens::Caller;

/// Every API route as (method, path), as `docs/openapi.yaml` must list them.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/limits"),
    ("post", "/api/v1/records"),
    ("get", "/api/v1/records"),
    ("put", "/api/v1/photos/{id}"),
    ("head", "/api/v1/photos/{id}"),
    ("get", "/api/v1/photos/{id}"),
    ("get", "/api/v1/export.csv"),
    ("post", "/api/v1/import"),
    ("post", "/api/v1/patrols"),
    ("get", "/api/v1/patrols"),
];

/// The routes nested under `/api`. Without an [`Api`] (no database configured) every API path
/// answers 404 JSON. Unknown paths under `/api` never fall back to the app's `index.html`.
pub fn router(api: Option<Api>, cors_origins: Vec<HeaderValue>) -> Router {
    let routes = match api {
        Some(api) => Router::new()
            .route("/v1/health", get(health))
            .route("/v1/limits", get(limits))
            .route("/v1/records", get(pull).post(push))
            .route(
                "/v1/photos/{id}",
                get(photos::get_photo)
                    .head(photos::head_photo)
                    .put(photos::put_photo),
            )
            .route("/v1/export.csv", get(export_csv))
            .route("/v1/import", axum::routing::post(crate::import::import_csv))
            .route(
                "/v1/patrols",
                get(crate::patrols::pull).post(crate::patrols::push),
            )
            .route_layer(axum::middleware::from_fn_with_state(
                api.clone(),
                crate::metrics::track,
            ))
            .with_state(api),
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

async fn not_found() -> AppError {
    AppError::NotFound("no such API route".to_owned())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// `GET /api/v1/health`: no token; 503 when the database or the photo store does not answer.
/// Neither's location is told: this route is open to anyone.
async fn health(State(api): State<Api>) -> Result<axum::Json<Health>, AppError> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&api.db)
        .await
        .map_err(|e| AppError::Unavailable(format!("the database does not answer: {e}")))?;
    match crate::store::photo_store_answers(&api).await {
        Ok(()) => {}
        Err(e) => {
            tracing::error!("photo store: {e}");
            return Err(AppError::Unavailable(
                "the photo store does not answer".to_owned(),
            ));
        }
    }
    Ok(axum::Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: api.database.name().to_owned(),
        photo_store: api.photo_store_kind.to_owned(),
    }))
}

/// `GET /api/v1/limits`.
async fn limits(_caller: Caller, State(api): State<Api>) -> axum::Json<Limits> {
    axum::Json(api.limits.clone())
}

/// Reads a request body of at most `limit` bytes: a declared `Content-Length` over the limit
/// is refused before anything is read, and a body that grows past it is cut off there.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: u64,
) -> Result<Bytes, AppError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::TooLarge { limit });
    }
    let limited = Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(AppError::TooLarge { limit }),
        Err(e) => Err(AppError::bad_request(format!(
            "the body could not be read: {e}"
        ))),
    }
}

/// A JSON body: `application/json`, at most the body limit, parsed into `T`. Not JSON is
/// 400 `bad_json`; JSON of the wrong shape is 422 `invalid` with the path of the offending
/// value in `field` (e.g. `records[2].record.status`).
pub(crate) async fn json_body<T: DeserializeOwned>(
    api: &Api,
    headers: &HeaderMap,
    body: Body,
) -> Result<T, AppError> {
    if !has_content_type(headers, "application/json") {
        return Err(AppError::UnsupportedMediaType(
            "send the body as Content-Type: application/json",
        ));
    }
    let bytes = read_body(body, headers, api.limits.max_body_bytes).await?;
    parse_json(&bytes)
}

/// Whether the request's Content-Type is `mime` (parameters such as `charset` aside).
pub(crate) fn has_content_type(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(mime))
}

/// See [`json_body`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => AppError::Invalid {
                message: inner.to_string(),
                field: (path != ".").then_some(path),
            },
            _ => AppError::BadJson(inner.to_string()),
        }
    })?;
    de.end().map_err(|e| AppError::BadJson(e.to_string()))?;
    Ok(value)
}

/// A [`patrol_core::PushRequest`] whose records are not yet read as [`Record`]s, so that a record written
/// by a newer app (which may not fit this server's types) is rejected on its own rather than
/// failing the batch.
#[derive(Deserialize)]
struct RawPushRequest {
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

impl Pushed {
    fn id(&self) -> Uuid {
        match self {
            Pushed::Current(p) => p.record.id,
            Pushed::Newer { id, .. } => *id,
        }
    }
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
async fn push(
    caller: Caller,
    State(api): State<Api>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<PushResponse>, AppError> {
    let req: RawPushRequest = json_body(&api, &headers, body).await?;
    let limit = api.limits.max_batch_records;
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
    let mut tx = api.begin_write().await?;
    let mut outcomes: Vec<Option<Outcome>> = vec![None; pushed.len()];
    for i in changes::lock_order(&pushed, Pushed::id) {
        outcomes[i] = Some(match &pushed[i] {
            Pushed::Current(p) => push_one(&mut tx, api.database, &caller, p).await?,
            Pushed::Newer { schema, .. } => newer_schema(*schema),
        });
    }
    tx.commit().await?;
    let results: Vec<PushResult> = pushed
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| PushResult {
            id: p.id(),
            outcome: outcome.expect("every record has its outcome"),
        })
        .collect();
    api.metrics.pushed(results.iter().map(|r| &r.outcome));
    Ok(axum::Json(PushResponse { results }))
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

#[derive(FromRow)]
struct StoredRow {
    village: String,
    server_rev: i64,
    body: String,
}

/// The stored row of record `id`, locked until the transaction ends (`changes::for_update`).
async fn stored_row(
    tx: &mut Transaction<'static, sqlx::Any>,
    kind: DatabaseKind,
    id: Uuid,
) -> Result<Option<StoredRow>, AppError> {
    let sql = format!(
        "SELECT village, server_rev, body FROM records WHERE id = $1{}",
        changes::for_update(kind)
    );
    Ok(sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}

async fn push_one(
    tx: &mut Transaction<'static, sqlx::Any>,
    kind: DatabaseKind,
    caller: &Caller,
    PushRecord { base_rev, record }: &PushRecord,
) -> Result<Outcome, AppError> {
    // A second round only when another server instance stored the same new record meanwhile;
    // that row is committed then, so the second round reads it.
    for _ in 0..3 {
        let existing = stored_row(tx, kind, record.id).await?;
        if let Some(outcome) = push_against(tx, kind, caller, *base_rev, record, existing).await? {
            return Ok(outcome);
        }
    }
    Err(AppError::Unavailable(
        "the record kept changing while it was stored: send again".to_owned(),
    ))
}

/// The outcome of `record` pushed over `existing`; `None` when it was new here but another
/// writer stored it first (to be pushed again over what that one wrote).
async fn push_against(
    tx: &mut Transaction<'static, sqlx::Any>,
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
    problems.extend(validate(record).iter().map(SyncProblem::from));
    if !problems.is_empty() {
        return Ok(Some(Outcome::Rejected { problems }));
    }

    let mut record = record.clone();
    record.schema = SCHEMA_VERSION;
    let Some(row) = existing else {
        if !store(tx, kind, &record, 1, Write::New).await? {
            return Ok(None);
        }
        let missing_photos = missing_photos(tx, &record).await?;
        return Ok(Some(Outcome::Accepted {
            server_rev: 1,
            missing_photos,
        }));
    };
    let stored = decode_stored(&row.body)?;
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

fn rev_of(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or_default()
}

fn decode_stored(body: &str) -> Result<Record, AppError> {
    codec::decode(body)
        .map(|d| d.record)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored record cannot be read: {e}")))
}

/// How [`store`] writes a record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// A record not stored yet: written only if no other writer stored it first.
    New,
    /// A new revision of the stored record (its row locked by this transaction).
    Replace,
}

/// Writes `record` as revision `server_rev` with the next change number; `false` when it was
/// [`Write::New`] and another writer stored it first (nothing written).
pub(crate) async fn store(
    tx: &mut Transaction<'static, sqlx::Any>,
    kind: DatabaseKind,
    record: &Record,
    server_rev: u64,
    write: Write,
) -> Result<bool, AppError> {
    let on_conflict = match write {
        Write::New => "DO NOTHING",
        Write::Replace => {
            "DO UPDATE SET
             village = excluded.village,
             server_rev = excluded.server_rev,
             seq = excluded.seq,
             txid = excluded.txid,
             body = excluded.body,
             deleted = excluded.deleted,
             created_at = excluded.created_at,
             stored_at = excluded.stored_at"
        }
    };
    let sql = format!(
        "INSERT INTO records
             (id, village, server_rev, seq, txid, body, deleted, created_at, stored_at)
         VALUES ($1, $2, $3, {}, $4, $5, $6, $7)
         ON CONFLICT (id) {on_conflict}",
        changes::new_change(kind, "records")
    );
    let written = sqlx::query(&sql)
        .bind(record.id.to_string())
        .bind(record.village.trim())
        .bind(i64::try_from(server_rev).map_err(|_| anyhow::anyhow!("server_rev overflow"))?)
        .bind(codec::encode(record))
        .bind(i64::from(record.is_deleted()))
        .bind(record.created_at.to_rfc3339())
        .bind(Utc::now().to_rfc3339())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if written == 0 {
        return Ok(false);
    }
    // The record's village may download its photos (crate::photos), before or after they come,
    // if the hashes it gives are theirs.
    for photo in record.all_photos() {
        sqlx::query(
            "INSERT INTO photo_villages (photo_id, village, sha256) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(photo.id.to_string())
        .bind(record.village.trim())
        .bind(photo.sha256.to_ascii_lowercase())
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}

/// The record's photos the store does not hold yet (none for a tombstone: the phone may have
/// cleaned up a deleted record's photos, and nobody needs them).
async fn missing_photos(
    tx: &mut Transaction<'static, sqlx::Any>,
    record: &Record,
) -> Result<Vec<Uuid>, AppError> {
    let mut missing = Vec::new();
    if record.is_deleted() {
        return Ok(missing);
    }
    for photo in record.all_photos() {
        if missing.contains(&photo.id) {
            continue;
        }
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE id = $1")
            .bind(photo.id.to_string())
            .fetch_one(&mut **tx)
            .await?;
        if held == 0 {
            missing.push(photo.id);
        }
    }
    Ok(missing)
}

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

#[derive(FromRow)]
struct ChangeRow {
    txid: i64,
    seq: i64,
    server_rev: i64,
    body: String,
}

/// `GET /api/v1/records?since=&limit=`: changes after the cursor, in change order.
async fn pull(
    caller: Caller,
    State(api): State<Api>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<axum::Json<PullResponse>, AppError> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let (since, limit) = query.page(api.database, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT)?;
    let high_water = changes::high_water(&api.db, api.database).await?;
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT txid, seq, server_rev, body FROM records
         WHERE (txid, seq) > ($1, $2) AND txid < $3 AND ($4 IS NULL OR village = $4)
         ORDER BY txid, seq LIMIT $5",
    )
    .bind(since.txid)
    .bind(since.seq)
    .bind(high_water)
    .bind(&caller.village)
    .bind(i64::from(limit) + 1)
    .fetch_all(&api.db)
    .await?;
    let (rows, cursor, more) = changes::take_page(rows, limit, since, api.database, |r| Cursor {
        txid: r.txid,
        seq: r.seq,
    });
    let changes = rows
        .into_iter()
        .map(|row| {
            Ok(ServerRecord {
                server_rev: rev_of(row.server_rev),
                record: decode_stored(&row.body)?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(axum::Json(PullResponse {
        changes,
        cursor,
        more,
    }))
}

/// `GET /api/v1/export.csv`: the ledger of the caller's village (or every village).
async fn export_csv(caller: Caller, State(api): State<Api>) -> Result<Response, AppError> {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM records WHERE deleted = 0 AND ($1 IS NULL OR village = $1)",
    )
    .bind(&caller.village)
    .fetch_all(&api.db)
    .await?;
    let records = bodies
        .iter()
        .map(|b| decode_stored(b))
        .collect::<Result<Vec<_>, _>>()?;
    let text = patrol_core::csv::ledger_csv(&records);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_are_classified() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct T {
            a: Vec<u32>,
        }
        assert!(matches!(
            parse_json::<T>(b"{\"a\": [1,"),
            Err(AppError::BadJson(_))
        ));
        assert!(matches!(
            parse_json::<T>(b"{\"a\": []} x"),
            Err(AppError::BadJson(_))
        ));
        match parse_json::<T>(b"{\"a\": [1, \"two\"]}") {
            Err(AppError::Invalid { field, .. }) => assert_eq!(field.as_deref(), Some("a[1]")),
            other => panic!("{other:?}"),
        }
        match parse_json::<T>(b"{}") {
            Err(AppError::Invalid { field, .. }) => assert_eq!(field, None),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_json::<T>(b"{\"a\": [3]}").unwrap().a, [3]);
    }
}
