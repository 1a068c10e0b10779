//! The sync protocol between the app and a township server: the JSON bodies of every route
//! under [`API_PREFIX`], shared by the app (client) and the reference server, so both sides
//! agree by construction. The prose and examples are in `docs/sync-protocol.md`.
//!
//! Routes (all JSON, `Authorization: Bearer <token>` on every one except health):
//!
//! | route | body | answer |
//! | --- | --- | --- |
//! | `GET /api/v1/health` (no token) | | [`Health`] |
//! | `GET /api/v1/limits` | | [`Limits`] |
//! | `GET /api/v1/me` | | [`TokenHolder`] |
//! | `GET /api/v1/township` | | [`Township`] |
//! | `POST /api/v1/records` | [`PushRequest`] | [`PushResponse`] |
//! | `GET /api/v1/records?since=<cursor>&limit=<n>` | | [`PullResponse`] |
//! | `PUT /api/v1/photos/{id}` + `X-Photo-Sha256` | JPEG bytes | [`PhotoStored`] (201 new, 200 held) |
//! | `HEAD`/`GET /api/v1/photos/{id}` | | 200 (JPEG bytes) / 404 |
//! | `POST /api/v1/patrols` | [`PatrolPushRequest`] | [`PatrolPushResponse`] |
//! | `GET /api/v1/patrols?since=<cursor>&limit=<n>` | | [`PatrolPullResponse`] |
//! | `GET /api/v1/export.csv` | | the ledger as CSV ([`crate::csv`]) |
//! | `GET /api/v1/export.xlsx` | | the same rows as an Excel workbook ([`crate::csv::ledger_rows`]) |
//! | `GET /api/v1/tokens` (office) | | [`TokenList`] |
//! | `POST /api/v1/tokens` (office) | [`NewTokenRequest`] | [`NewToken`] (201) |
//! | `DELETE /api/v1/tokens/{id}` (office) | | [`TokenInfo`] |
//! | `POST /api/v1/dispatches` (office) | [`crate::DispatchRequest`] | [`ServerRecord`] (201) |
//! | `POST /api/v1/records/{id}/dispatch` (office) | [`crate::DispatchUpdate`] | [`ServerRecord`] |
//! | `POST /api/v1/records/{id}/review` (office) | [`ReviewRequest`] | [`ServerRecord`] |
//!
//! Every error is an [`ErrorResponse`] with one of the [`code`]s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::basemap::Basemap;
use crate::patrol::Patrol;
use crate::patrol_rule::PatrolRule;
use crate::record::{PhotoRef, Record};
use crate::validate::{FieldError, Problem};

/// Version of the protocol; the routes live under [`API_PREFIX`].
pub const API_VERSION: &str = "v1";
/// Path prefix of every route of this protocol version.
pub const API_PREFIX: &str = "/api/v1";
/// Request header carrying the lower-case hex SHA-256 of an uploaded photo.
pub const PHOTO_SHA256_HEADER: &str = "X-Photo-Sha256";
/// Request header a phone sends with its sync requests (records, patrols, photos): how many
/// of its records still wait to be sent, so that the office's list of tokens shows a phone
/// that has not sent everything (`TokenInfo::unsent`).
pub const UNSENT_HEADER: &str = "X-Patrol-Unsent";

/// Most records a server takes in one push by default.
pub const DEFAULT_MAX_BATCH_RECORDS: u32 = 100;
/// Largest JSON request body a server takes by default (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;
/// Largest photo a server takes by default (2 MiB; the app makes JPEGs under 400 KB).
pub const DEFAULT_MAX_PHOTO_BYTES: u64 = 2 * 1024 * 1024;
/// Records per pull page when the request gives no `limit`.
pub const DEFAULT_PULL_LIMIT: u32 = 200;
/// Most records per pull page; a larger `limit` is lowered to this.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// `GET /api/v1/health`, no token needed: the server answers, its database works and its
/// photo store answers (503 with an [`ErrorResponse`] naming which does not, otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `"ok"`.
    pub status: String,
    /// The server's version, e.g. `"0.1.0"`.
    pub version: String,
    /// The database engine that answered: `"sqlite"`.
    #[serde(default)]
    pub database: String,
    /// The photo store that answered: `"local"` (a folder on the server's disk) or `"s3"` (an
    /// S3-compatible bucket).
    #[serde(default)]
    pub photo_store: String,
}

/// `GET /api/v1/me`: whom the token was issued to. A phone connected by the office's link
/// learns from it the officer and village to write on new records, so nobody types them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHolder {
    /// The officer's name, as the office issued the token.
    pub officer: String,
    /// The one village the token may read and write; `None` for a township token (every
    /// village).
    pub village: Option<String>,
}

/// One token as the office's desk lists it (`GET /api/v1/tokens`), never with its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    /// The officer it was issued to.
    pub officer: String,
    /// Its one village; `None` for a township office token (every village).
    pub village: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the office revoked it; `None` while it works.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The last time it pushed or pulled records or patrols, or sent or read a photo, with
    /// success; `None` before its first sync.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// How many records the phone said were still waiting to be sent ([`UNSENT_HEADER`]) at
    /// that sync; `None` when it never said.
    pub unsent: Option<u32>,
}

/// `GET /api/v1/tokens`: every token, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// `POST /api/v1/tokens`: a token for `officer` in `village`, or with `village` null another
/// township office token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub officer: String,
    #[serde(default)]
    pub village: Option<String>,
}

/// The answer to `POST /api/v1/tokens` (201): the token, shown only now (the server keeps its
/// hash), with the link that connects a phone to it and that link as a QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub token: String,
    /// `<the server's origin>/connect#token=<token>`: the app's connect screen.
    pub link: String,
    /// `link` as a QR code, an SVG document, for the desk to show and the phone's camera to scan.
    pub qr_svg: String,
}

/// `POST /api/v1/records/{id}/review`: the township office's check of a problem reported
/// fixed: close it (销号) or send it back (退回) with a reason ([`Record::review`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequest {
    pub decision: crate::visit::Review,
    /// Why it goes back (required for `send_back`); a remark for `close`.
    #[serde(default)]
    pub reason: String,
}

/// `/connect#token=<token>` on `origin` (`https://host[:port]`, no trailing slash): the link
/// that opens the app's connect screen with the token. The token travels in the fragment,
/// which the browser never sends to a server or its logs; with no `server=` in it the phone
/// syncs with the origin it was loaded from.
pub fn connect_link(origin: &str, token: &str) -> String {
    let origin = origin.trim_end_matches('/');
    let mut link = format!("{origin}/connect#token=");
    percent_encode_into(&mut link, token);
    link
}

/// `GET /api/v1/township`: the rules the township office set on its server, which every phone
/// connected to it applies: for now, what makes a patrol valid (有效巡河). A field the server
/// leaves out takes its usual value, so an older server's answer still reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Township {
    #[serde(default)]
    pub patrol_rule: PatrolRule,
    /// The raster tiles under the map; `None` when the township chose none (the map then
    /// draws its markers on a plain grid with a scale).
    #[serde(default)]
    pub basemap: Option<Basemap>,
}

/// `GET /api/v1/limits`: what the server accepts. The client sizes its batches by these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// [`API_VERSION`].
    pub api_version: String,
    /// Most records in one [`PushRequest`].
    pub max_batch_records: u32,
    /// Largest JSON request body, in bytes.
    pub max_body_bytes: u64,
    /// Largest photo upload, in bytes.
    pub max_photo_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            api_version: API_VERSION.to_owned(),
            max_batch_records: DEFAULT_MAX_BATCH_RECORDS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_photo_bytes: DEFAULT_MAX_PHOTO_BYTES,
        }
    }
}

/// `POST /api/v1/records`: records changed on the device since their last sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub records: Vec<PushRecord>,
}

/// One record to push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRecord {
    /// The server revision the device last saw of this record ([`Outcome`]'s or
    /// [`ServerRecord`]'s `server_rev`); `None` if it never synced.
    #[serde(default)]
    pub base_rev: Option<u64>,
    /// The whole record as the device holds it, tombstones (`deleted_at`) included.
    pub record: Record,
}

/// The answer to a push: one result per pushed record, in request order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// What became of one pushed record: `{"id": "…", "outcome": "accepted", …}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the server did with one pushed record, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored: the record was new to the server, or `base_rev` was the server's current
    /// revision. Remember `server_rev` as the next `base_rev`.
    Accepted {
        server_rev: u64,
        /// Photos of the record the server does not hold yet: upload them (the record is not
        /// synced until this is empty).
        missing_photos: Vec<Uuid>,
    },
    /// The server already holds exactly this content, whatever `base_rev` said (a batch sent
    /// again after a lost answer lands here). Nothing was written.
    Unchanged {
        server_rev: u64,
        missing_photos: Vec<Uuid>,
    },
    /// The server's copy changed since `base_rev` (or exists while `base_rev` was `None`) and
    /// differs from the pushed one. Nothing was stored. The device keeps its own copy and asks
    /// the user; to keep the device's version it pushes again with `base_rev = server_rev`, to
    /// keep the server's it takes `server` as its own.
    Conflict {
        server_rev: u64,
        server: Box<Record>,
    },
    /// Refused, and nothing stored: the record fails validation, belongs to another village
    /// than the token's, or has a newer schema than the server knows. Keep it and show the
    /// problems; sending it again unchanged gets the same answer.
    Rejected { problems: Vec<SyncProblem> },
}

impl Outcome {
    /// The server revision the device should remember as its next `base_rev` (`None` for
    /// conflicts, where that is the user's choice, and rejections).
    pub fn stored_rev(&self) -> Option<u64> {
        match self {
            Outcome::Accepted { server_rev, .. } | Outcome::Unchanged { server_rev, .. } => {
                Some(*server_rev)
            }
            Outcome::Conflict { .. } | Outcome::Rejected { .. } => None,
        }
    }

    /// Photo ids still to upload for this record (empty unless accepted/unchanged).
    pub fn missing_photos(&self) -> &[Uuid] {
        match self {
            Outcome::Accepted { missing_photos, .. }
            | Outcome::Unchanged { missing_photos, .. } => missing_photos,
            Outcome::Conflict { .. } | Outcome::Rejected { .. } => &[],
        }
    }

    /// The record counts as synced: the server holds this content and every photo of it.
    pub fn is_synced(&self) -> bool {
        self.stored_rev().is_some() && self.missing_photos().is_empty()
    }
}

/// Why a pushed record was rejected, attached to a field when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProblem {
    /// One of [`crate::validate::field`]'s names, or `"village"` / `"schema"` / `"photos"`.
    pub field: String,
    /// A [`Problem::key`] (`required`, `too_long`, …), or [`code::WRONG_VILLAGE`] or
    /// [`code::NEWER_SCHEMA`].
    pub code: String,
    /// An English sentence for logs; the app shows its own translation of `code`.
    pub message: String,
}

impl SyncProblem {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        SyncProblem {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<&FieldError> for SyncProblem {
    fn from(e: &FieldError) -> Self {
        let message = match e.problem {
            Problem::Required => format!("{} is required", e.field),
            Problem::TooLong { max } => format!("{} is longer than {max} characters", e.field),
            Problem::OutOfRange => format!("{} is out of range", e.field),
            Problem::InvalidPhone => format!("{} is not a phone number", e.field),
            Problem::DeadlineBeforeFound => {
                format!("{} is before the day the problem was found", e.field)
            }
        };
        SyncProblem::new(e.field, e.problem.key(), message)
    }
}

/// `GET /api/v1/records?since=<cursor>&limit=<n>`: server changes after `since`, oldest
/// first (tombstones included; only the token's village unless it is for all villages).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<ServerRecord>,
    /// Opaque: pass it back as `since` next time. Store it only once `changes` are saved.
    pub cursor: String,
    /// More changes follow: pull again at once with the new cursor.
    pub more: bool,
    /// How this server makes the ids of imported ledger rows, as far as the token may know
    /// (issue 23, F1): the phone keeps it and imports with it, so a file imported on the phone
    /// and at the office gives the same ids. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_ids: Option<crate::import::ImportIds>,
}

/// A record as the server holds it, with the server's revision of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerRecord {
    pub server_rev: u64,
    pub record: Record,
    /// The server's receipts of the record's photos that it holds (the finding's and the
    /// visits'), in the record's photo order; a photo not received yet has none. Left out
    /// when empty, and absent from older servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<PhotoReceipt>,
}

/// The server's word that it holds a photo: the very bytes (by their SHA-256) and when it
/// first received them. A river chief's photo is evidence that a problem was there, or fixed,
/// by then; the receipt is what the office shows for it (the ledger's 照片送达 column,
/// [`crate::csv`]). Uploading the same bytes again never moves the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoReceipt {
    /// The photo's id ([`PhotoRef::id`]).
    pub id: Uuid,
    /// Lower-case hex SHA-256 of the bytes the server holds, as it computed it.
    pub sha256: String,
    /// When the server first held these bytes under this id.
    #[serde(with = "crate::stamp::instant")]
    pub received_at: DateTime<Utc>,
}

impl PhotoReceipt {
    /// The receipt is for `photo`: the same id and the same bytes. A receipt for other bytes
    /// under the id says nothing of the photo the record names.
    pub fn is_for(&self, photo: &PhotoRef) -> bool {
        self.id == photo.id && self.sha256.eq_ignore_ascii_case(&photo.sha256)
    }
}

/// `POST /api/v1/patrols`: patrols changed on the device since the server last confirmed
/// them, the one under way included (its track grows). There are no conflicts: the server
/// merges each into its copy ([`Patrol::merge`]), so no fix or end is ever lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatrolPushRequest {
    pub patrols: Vec<Patrol>,
}

/// One result per pushed patrol, in request order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatrolPushResponse {
    pub results: Vec<PatrolPushResult>,
}

/// `{"id": "…", "outcome": "accepted", "revision": 7}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatrolPushResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: PatrolOutcome,
}

/// What the server did with one pushed patrol, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PatrolOutcome {
    /// The server's copy now holds everything the pushed one had; `revision` is the
    /// revision of its copy. When the server knew more (a higher revision than the one sent),
    /// the merged copy comes back through the patrol pull.
    Accepted { revision: u32 },
    /// Refused and nothing stored: another village's patrol, or a river missing or too long.
    Rejected { problems: Vec<SyncProblem> },
}

/// `GET /api/v1/patrols?since=<cursor>&limit=<n>`: patrols stored or changed on the server
/// after `since`, in change order (only the token's village unless it is for all villages).
/// The cursor is separate from the records' one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatrolPullResponse {
    pub patrols: Vec<Patrol>,
    /// Opaque: pass it back as `since`. Store it only once `patrols` are saved.
    pub cursor: String,
    /// More follow: pull again at once with the new cursor.
    pub more: bool,
}

/// Most patrols per pull page; they carry their tracks, so pages are smaller than records'.
pub const MAX_PATROL_PULL_LIMIT: u32 = 100;
/// Patrols per pull page when the request gives no `limit`.
pub const DEFAULT_PATROL_PULL_LIMIT: u32 = 20;

/// The answer to `PUT /api/v1/photos/{id}`: `true` with 201 when stored now, `false` with
/// 200 when the server already held this photo with the same hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoStored {
    pub stored: bool,
    /// The server's receipt of the bytes uploaded: on a repeated upload, still the time of the
    /// first. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<PhotoReceipt>,
}

/// Every error body: `{"error": {"code": "…", "message": "…", "field": "…"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// One of [`code`]'s values.
    pub code: String,
    /// An English sentence for logs and support.
    pub message: String,
    /// Where in the request the problem is, e.g. `records[3].record.status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Error codes of [`ErrorBody::code`] (and the non-validation codes of [`SyncProblem::code`]).
pub mod code {
    /// 400: a malformed request (bad query, missing header).
    pub const BAD_REQUEST: &str = "bad_request";
    /// 400: the body is not JSON.
    pub const BAD_JSON: &str = "bad_json";
    /// 400: a photo id in the path that is not a UUID.
    pub const BAD_ID: &str = "bad_id";
    /// 400: a `since` that this server never gave out.
    pub const BAD_CURSOR: &str = "bad_cursor";
    /// 401: no token, an unknown one or a revoked one. Ask the user for a token; do not retry.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// 403: the token may not do this.
    pub const FORBIDDEN: &str = "forbidden";
    /// 404: no such route or photo.
    pub const NOT_FOUND: &str = "not_found";
    /// 405: the route exists, the method does not.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// 409: a photo with this id but other bytes is already stored.
    pub const PHOTO_CONFLICT: &str = "photo_conflict";
    /// 409: an office token asked to revoke itself, which would lock the township out.
    pub const OWN_TOKEN: &str = "own_token";
    /// 409: the problem's status does not allow the office's step: a review of a problem not
    /// reported fixed, a dispatch of a closed one, either of a deleted one.
    pub const WRONG_STATUS: &str = "wrong_status";
    /// 413: the body is over [`super::Limits`]' `max_body_bytes` / `max_photo_bytes`.
    pub const TOO_LARGE: &str = "too_large";
    /// 413: more records than [`super::Limits`]' `max_batch_records`.
    pub const BATCH_TOO_LARGE: &str = "batch_too_large";
    /// 415: a JSON route called with another content type.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// 422: JSON that does not fit the protocol's types (`field` says where).
    pub const INVALID: &str = "invalid";
    /// 422: the photo's bytes do not have the SHA-256 its header announced; nothing stored.
    pub const HASH_MISMATCH: &str = "hash_mismatch";
    /// 500: the server failed; retry later.
    pub const INTERNAL: &str = "internal";
    /// 503: the server is up but its storage is not.
    pub const UNAVAILABLE: &str = "unavailable";
    /// 507: the server's disk is full; nothing was stored; retry later.
    pub const STORAGE_FULL: &str = "storage_full";
    /// 429: too many wrong tokens from this address; retry after `Retry-After` seconds.
    pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
    /// Rejected import row: its id is held by another village's record (never "already").
    pub const ID_TAKEN: &str = "id_taken";
    /// Rejected record: another village's than the token's.
    pub const WRONG_VILLAGE: &str = "wrong_village";
    /// Rejected record: written by a newer app than the server knows.
    pub const NEWER_SCHEMA: &str = "newer_schema";
    /// Rejected record: a village's device pushed what only the township office may do
    /// (close a problem, a review visit, a dispatch; [`crate::workflow::office_only_change`]).
    pub const OFFICE_ONLY: &str = "office_only";
}

/// `/api/v1/me`.
pub fn me_path() -> String {
    format!("{API_PREFIX}/me")
}

/// `/api/v1/township`.
pub fn township_path() -> String {
    format!("{API_PREFIX}/township")
}

/// `/api/v1/records`.
pub fn records_path() -> String {
    format!("{API_PREFIX}/records")
}

/// `/api/v1/records?since=<cursor>&limit=<n>` (each part only when given; the cursor is
/// percent-encoded).
pub fn pull_path(since: Option<&str>, limit: Option<u32>) -> String {
    with_cursor(records_path(), since, limit)
}

/// `/api/v1/patrols`.
pub fn patrols_path() -> String {
    format!("{API_PREFIX}/patrols")
}

/// `/api/v1/patrols?since=<cursor>&limit=<n>`, like [`pull_path`].
pub fn patrol_pull_path(since: Option<&str>, limit: Option<u32>) -> String {
    with_cursor(patrols_path(), since, limit)
}

fn with_cursor(mut path: String, since: Option<&str>, limit: Option<u32>) -> String {
    let mut sep = '?';
    if let Some(since) = since {
        path.push(sep);
        path.push_str("since=");
        percent_encode_into(&mut path, since);
        sep = '&';
    }
    if let Some(limit) = limit {
        path.push(sep);
        path.push_str(&format!("limit={limit}"));
    }
    path
}

/// `/api/v1/tokens`.
pub fn tokens_path() -> String {
    format!("{API_PREFIX}/tokens")
}

/// `/api/v1/tokens/<id>`.
pub fn token_path(id: i64) -> String {
    format!("{API_PREFIX}/tokens/{id}")
}

/// `/api/v1/dispatches`.
pub fn dispatches_path() -> String {
    format!("{API_PREFIX}/dispatches")
}

/// `/api/v1/records/<id>/dispatch`.
pub fn record_dispatch_path(id: Uuid) -> String {
    format!("{API_PREFIX}/records/{id}/dispatch")
}

/// `/api/v1/records/<id>/review`.
pub fn record_review_path(id: Uuid) -> String {
    format!("{API_PREFIX}/records/{id}/review")
}

/// `/api/v1/photos/<id>`.
pub fn photo_path(id: Uuid) -> String {
    format!("{API_PREFIX}/photos/{id}")
}

fn percent_encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Shortest wait before the first retry, in milliseconds.
pub const RETRY_BASE_MS: u64 = 5_000;
/// Longest wait between retries, in milliseconds.
pub const RETRY_CAP_MS: u64 = 300_000;

/// How long to wait before the next attempt after `failures` failed syncs in a row (1 for
/// the first failure): `min(2^(failures-1) · 5 s, 300 s)`, of which a random part is taken
/// off ("equal jitter": between half and all of it), so that phones that lost the network
/// together do not come back together. `random` is a number in `[0, 1)` (e.g.
/// `Math.random()`); values outside are clamped.
pub fn retry_delay_ms(failures: u32, random: f64) -> u64 {
    let exp = failures.saturating_sub(1).min(16);
    let ceiling = RETRY_BASE_MS.saturating_mul(1u64 << exp).min(RETRY_CAP_MS);
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = ceiling / 2;
    half + (half as f64 * random) as u64
}
