//! Every way an API request can fail, as one type that answers with the protocol's JSON
//! error body (`{"error": {"code", "message", "field"}}`) and the right status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use patrol_core::sync::{ErrorBody, ErrorResponse, code};

#[derive(Debug)]
pub enum AppError {
    /// 400 with a specific code (`bad_request`, `bad_id`, `bad_cursor`).
    BadRequest { code: &'static str, message: String },
    /// 400: the body is not JSON.
    BadJson(String),
    /// 422: JSON that does not fit the protocol's types, `field` saying where.
    Invalid {
        message: String,
        field: Option<String>,
    },
    /// 401: no token, or an unknown or revoked one.
    Unauthorized(&'static str),
    /// 429: too many wrong tokens from this address (`crate::auth_failures`); heard again
    /// after `retry_after`.
    TooManyAttempts { retry_after: std::time::Duration },
    /// 403: a valid token that may not do this.
    Forbidden(&'static str),
    /// 404.
    NotFound(String),
    /// 405.
    MethodNotAllowed,
    /// 409: the photo id is taken by other bytes.
    PhotoConflict,
    /// 409: an office token asked to revoke itself (the township would lock itself out).
    OwnToken,
    /// 409: the problem's status does not allow the office's step (a review of a problem not
    /// reported fixed, a dispatch of a closed one, either of a deleted one).
    WrongStatus(String),
    /// 413: the body is over a byte limit.
    TooLarge { limit: u64 },
    /// 413: more records than the batch limit.
    BatchTooLarge { count: usize, limit: u32 },
    /// 415: a JSON route got another content type, or a photo is not a JPEG.
    UnsupportedMediaType(&'static str),
    /// 422: the photo's bytes do not have the announced SHA-256.
    HashMismatch { announced: String, actual: String },
    /// 503: the database does not answer.
    Unavailable(String),
    /// 507: the disk under the database or the photo store is full; nothing was stored.
    StorageFull(&'static str),
    /// 500: a bug or a storage failure; the detail goes to the log, not to the client.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: code::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } | AppError::BadJson(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::HashMismatch { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PhotoConflict | AppError::OwnToken | AppError::WrongStatus(_) => {
                StatusCode::CONFLICT
            }
            AppError::TooLarge { .. } | AppError::BatchTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body this error answers with.
    pub fn body(&self) -> ErrorBody {
        let (code, message, field) = self.parts();
        ErrorBody {
            code: code.to_owned(),
            message,
            field,
        }
    }

    /// The body's code (one of [`code`]'s values), message and field.
    fn parts(&self) -> (&'static str, String, Option<String>) {
        match self {
            AppError::BadRequest { code, message } => (*code, message.clone(), None),
            AppError::BadJson(why) => (
                code::BAD_JSON,
                format!("the body is not valid JSON: {why}"),
                None,
            ),
            AppError::Invalid { message, field } => (code::INVALID, message.clone(), field.clone()),
            AppError::Unauthorized(why) => (code::UNAUTHORIZED, (*why).to_owned(), None),
            AppError::TooManyAttempts { .. } => (
                code::TOO_MANY_ATTEMPTS,
                "too many wrong tokens from this address; try again later".to_owned(),
                None,
            ),
            AppError::Forbidden(why) => (code::FORBIDDEN, (*why).to_owned(), None),
            AppError::NotFound(what) => (code::NOT_FOUND, what.clone(), None),
            AppError::MethodNotAllowed => (
                code::METHOD_NOT_ALLOWED,
                "this route does not take that method".to_owned(),
                None,
            ),
            AppError::PhotoConflict => (
                code::PHOTO_CONFLICT,
                "a photo with this id and other bytes is already stored".to_owned(),
                None,
            ),
            AppError::OwnToken => (
                code::OWN_TOKEN,
                "a token cannot revoke itself, or the township office could lock itself out: \
                 revoke it with another office token or `river-patrol-server token revoke`"
                    .to_owned(),
                None,
            ),
            AppError::WrongStatus(why) => (code::WRONG_STATUS, why.clone(), None),
            AppError::TooLarge { limit } => (
                code::TOO_LARGE,
                format!("the body is larger than the limit of {limit} bytes"),
                None,
            ),
            AppError::BatchTooLarge { count, limit } => (
                code::BATCH_TOO_LARGE,
                format!("{count} records in one push; at most {limit} are taken"),
                Some("records".to_owned()),
            ),
            AppError::UnsupportedMediaType(why) => {
                (code::UNSUPPORTED_MEDIA_TYPE, (*why).to_owned(), None)
            }
            AppError::HashMismatch { announced, actual } => (
                code::HASH_MISMATCH,
                format!(
                    "the photo's SHA-256 is {actual}, not {announced} as announced; nothing was stored"
                ),
                None,
            ),
            AppError::Unavailable(why) => (code::UNAVAILABLE, why.clone(), None),
            AppError::StorageFull(what) => (
                code::STORAGE_FULL,
                format!("the server's {what} is full; nothing was stored; try again later"),
                None,
            ),
            AppError::Internal(_) => (
                code::INTERNAL,
                "the server failed; try again later".to_owned(),
                None,
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!("internal error: {e:#}"),
            AppError::Unavailable(why) => tracing::error!("unavailable: {why}"),
            AppError::StorageFull(what) => tracing::error!("the {what} is full"),
            _ => {}
        }
        let status = self.status();
        let body = ErrorResponse { error: self.body() };
        let code = ErrorCode(self.parts().0);
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(code);
        if let AppError::TooManyAttempts { retry_after } = self {
            // Whole seconds, rounded up: a client that waits this long is heard.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// The error code an answer carries, for the metrics (`crate::metrics::track`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

/// Whether `e` or an error under it is the disk being full.
fn is_disk_full(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::StorageFull
        {
            return true;
        }
        next = e.source();
    }
    false
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        // SQLITE_FULL (13): the database file could not grow. The transaction is rolled back.
        let full = match &e {
            sqlx::Error::Database(db) => db.code().as_deref() == Some("13"),
            other => is_disk_full(other),
        };
        if full {
            return AppError::StorageFull("database disk");
        }
        // PostgreSQL ended the transaction to untangle writers waiting for each other (deadlock
        // 40P01, serialization 40001): nothing was written, and the same request again works.
        if let sqlx::Error::Database(db) = &e
            && matches!(db.code().as_deref(), Some("40P01" | "40001"))
        {
            tracing::warn!("database: {db}");
            return AppError::Unavailable("the database was busy: send again".to_owned());
        }
        AppError::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl From<object_store::Error> for AppError {
    fn from(e: object_store::Error) -> Self {
        if is_disk_full(&e) {
            return AppError::StorageFull("photo disk");
        }
        AppError::Internal(anyhow::Error::new(e).context("photo store"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}
