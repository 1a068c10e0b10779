//! The typed extractors the API's handlers take, each refusing with [`AppError`] (the
//! protocol's JSON error), so that no handler reads a body, a query or a header by hand:
//!
//! - [`Caller`]: the holder of the request's bearer token (wrong tokens counted by address,
//!   `crate::auth_failures`);
//! - [`Office`]: a caller with a township office token, any other refused 403 `forbidden`,
//!   so an office-only handler takes it and never checks the village itself;
//! - [`PublicOrigin`]: the origin phones reach this server at, for connect links;
//! - [`TokenId`]: a token's id in the path; [`RecordId`]: a record's;
//! - [`AppJson`]: a JSON body (`application/json`, at most the body limit, decoded with the
//!   path of a misfit value; JSON nested deeper than serde_json's limit of 128 is refused as
//!   not JSON), as axum's own `Json` but with the protocol's errors; also a JSON answer;
//! - [`AppQuery`]: a query string;
//! - the bodies that are not JSON: [`PhotoUpload`] (a photo's id, announced SHA-256 and bytes)
//!   and [`LedgerFile`] (a ledger CSV, as text);
//! - [`TilePath`]: a map tile's zoom, column and row.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use patrol_core::basemap::{MAX_ZOOM, TileId};
use patrol_core::sync::{PHOTO_SHA256_HEADER, UNSENT_HEADER, code};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::auth_failures::client_address;
use crate::db::tokens::{Caller, authenticate};
use crate::error::AppError;
use crate::state::AppState;

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Err(AppError::Unauthorized("no Authorization: Bearer token"));
        }
        let token = bearer_token(&parts.headers);
        let caller = match token {
            Some(token) => authenticate(&state.db, token).await?,
            None => None,
        };
        if let Some(caller) = caller {
            return Ok(caller);
        }
        // A wrong token: counted against its address (a good one never is).
        let address = client_address(parts);
        if let Some(retry_after) = address.and_then(|a| state.auth_failures.failed(a)) {
            tracing::warn!(address = ?address, "too many wrong tokens");
            return Err(AppError::TooManyAttempts { retry_after });
        }
        Err(AppError::Unauthorized(if token.is_some() {
            "unknown or revoked token"
        } else {
            "the Authorization header is not `Bearer <token>`"
        }))
    }
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|h| {
            let (scheme, rest) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
}

/// The records a phone says still wait to be sent ([`UNSENT_HEADER`]); `None` when it does not
/// say, or says something that is not a count (a sync is never refused for it).
pub(crate) fn unsent_records(headers: &HeaderMap) -> Option<u32> {
    headers
        .get(UNSENT_HEADER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A caller with a township office token (one for every village): what only the office may
/// do (the metrics, the tokens) takes this, and a village's token is refused 403 `forbidden`
/// before the handler runs.
pub struct Office(pub Caller);

impl FromRequestParts<AppState> for Office {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.village.is_some() {
            return Err(AppError::Forbidden(
                "only a township office token (one for every village) may do this",
            ));
        }
        Ok(Office(caller))
    }
}

/// The origin (`scheme://host[:port]`) phones reach this server at, for the connect link of a
/// new token: the `--public-url` it was given, or else the request's own `Host` with the
/// scheme the reverse proxy says (`X-Forwarded-Proto`, which Caddy and nginx set as
/// docs/deploy.md configures them) or plain `http`. The office's desk calls from the address
/// the township uses, so without `--public-url` the link is the one its browser shows.
pub struct PublicOrigin(pub String);

impl FromRequestParts<AppState> for PublicOrigin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(url) = &state.public_url {
            return Ok(PublicOrigin(url.trim_end_matches('/').to_owned()));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| {
                AppError::bad_request(
                    "no Host header, and the server has no --public-url to make the link with",
                )
            })?;
        let scheme = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|p| matches!(*p, "https" | "http"))
            .unwrap_or("http");
        // Only a host and a port: a Host with a path or a fragment in it makes no link.
        let origin = crate::origin(&format!("{scheme}://{host}")).map_err(AppError::bad_request)?;
        let origin = origin
            .to_str()
            .map_err(|e| AppError::bad_request(e.to_string()))?;
        Ok(PublicOrigin(origin.to_owned()))
    }
}

/// A token's id in the path (`/api/v1/tokens/{id}`): a whole number, else 404 `not_found`, as
/// for an id that names no token.
pub struct TokenId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TokenId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        segment.parse().map(TokenId).map_err(|_| {
            AppError::NotFound(format!("no token {segment:?}: a token's id is a number"))
                .into_response()
        })
    }
}

/// A record's id in the path (`/api/v1/records/{id}/review`): a UUID, else 400 `bad_id`, as
/// for a photo's.
pub struct RecordId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Uuid::parse_str(&segment).map(RecordId).map_err(|_| {
            AppError::BadRequest {
                code: code::BAD_ID,
                message: format!("{segment:?} is not a record id (a UUID)"),
            }
            .into_response()
        })
    }
}

/// A JSON body: `application/json`, at most the body limit, parsed into `T`. Not JSON is
/// 400 `bad_json`; JSON of the wrong shape is 422 `invalid` with the path of the offending
/// value in `field` (e.g. `records[2].record.status`). As an answer, `T` as JSON.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !has_content_type(req.headers(), "application/json") {
            return Err(AppError::UnsupportedMediaType(
                "send the body as Content-Type: application/json",
            ));
        }
        let (parts, body) = req.into_parts();
        let bytes = read_body(body, &parts.headers, state.limits.max_body_bytes).await?;
        parse_json(&bytes).map(AppJson)
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string read into `T`; one that does not fit is 400 `bad_request`.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::from_request_parts(parts, state)
            .await
            .map(|Query(query)| AppQuery(query))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

/// A photo upload (`PUT /api/v1/photos/{id}`), checked in this order: the id in the path (a
/// UUID, else 400 `bad_id`), the `X-Photo-Sha256` header (64 hex digits, else 400), then the
/// bytes, at most the photo limit (413), read whole: they are hashed before anything is
/// stored.
pub struct PhotoUpload {
    pub id: Uuid,
    /// The SHA-256 the phone announces, in lower-case hex.
    pub announced: String,
    pub bytes: Bytes,
}

impl FromRequest<AppState> for PhotoUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let PhotoId(id) = PhotoId::from_request_parts(&mut parts, state).await?;
        let announced = parts
            .headers
            .get(PHOTO_SHA256_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                AppError::BadRequest {
                    code: code::BAD_REQUEST,
                    message: format!("{PHOTO_SHA256_HEADER} must be the photo's SHA-256 in hex"),
                }
                .into_response()
            })?;
        let bytes = read_body(body, &parts.headers, state.limits.max_photo_bytes)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PhotoUpload {
            id,
            announced,
            bytes,
        })
    }
}

/// The photo id in the path (`/api/v1/photos/{id}`): a UUID, else 400 `bad_id` (it is never
/// used as a file name as it is). A path axum cannot read at all keeps axum's own answer.
pub struct PhotoId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PhotoId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Uuid::parse_str(&segment).map(PhotoId).map_err(|_| {
            AppError::BadRequest {
                code: code::BAD_ID,
                message: format!("{segment:?} is not a photo id (a UUID)"),
            }
            .into_response()
        })
    }
}

/// A map tile's place in the path (`/api/v1/tiles/{z}/{x}/{y}`): a zoom up to
/// [`patrol_core::basemap::MAX_ZOOM`] and a column and row inside that zoom's grid, else 400
/// `bad_id`.
pub struct TilePath(pub TileId);

impl<S: Send + Sync> FromRequestParts<S> for TilePath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((z, x, y)) = Path::<(String, String, String)>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bad = || {
            AppError::BadRequest {
                code: code::BAD_ID,
                message: format!(
                    "{z}/{x}/{y} is not a map tile: a zoom from 0 to {MAX_ZOOM}, then a column and a row inside it"
                ),
            }
            .into_response()
        };
        let z: u8 = z.parse().map_err(|_| bad())?;
        if z > MAX_ZOOM {
            return Err(bad());
        }
        let x: u32 = x.parse().map_err(|_| bad())?;
        let y: u32 = y.parse().map_err(|_| bad())?;
        if x >= 1 << z || y >= 1 << z {
            return Err(bad());
        }
        Ok(TilePath(TileId { z, x, y }))
    }
}

/// A ledger CSV (`POST /api/v1/import`): `text/csv`, at most the body limit, as text. Excel on
/// Chinese Windows saves "CSV" in GB18030; "CSV UTF-8" is UTF-8 with a BOM.
pub struct LedgerFile(pub String);

impl FromRequest<AppState> for LedgerFile {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !has_content_type(req.headers(), "text/csv") {
            return Err(AppError::UnsupportedMediaType(
                "send the ledger as Content-Type: text/csv",
            ));
        }
        let (parts, body) = req.into_parts();
        let bytes = read_body(body, &parts.headers, state.limits.max_body_bytes).await?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
        };
        Ok(LedgerFile(text))
    }
}

/// Reads a request body of at most `limit` bytes: a declared `Content-Length` over the limit
/// is refused before anything is read, and a body that grows past it is cut off there.
async fn read_body(body: Body, headers: &HeaderMap, limit: u64) -> Result<Bytes, AppError> {
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

/// Whether the request's Content-Type is `mime` (parameters such as `charset` aside).
fn has_content_type(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(mime))
}

/// The JSON `bytes` as `T`, with [`AppJson`]'s errors.
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

#[cfg(test)]
mod tests {
    use serde::Deserialize;

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
