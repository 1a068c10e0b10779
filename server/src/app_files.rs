//! The app's files answered from memory: a release build carries the built app (dist/) in the
//! binary (rust-embed; server/build.rs decides), so a township copies one file and no folder
//! has to match it. They are answered as `ServeDir` answers the folder (lib.rs): the build's
//! brotli or gzip copy when the browser takes it, index.html for a client-side route, 404 for a
//! missing file, 405 for anything but GET and HEAD, a redirect for a folder without its slash,
//! and Last-Modified with its 304; and an ETag, the file's SHA-256 that the build computed.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{AppError, is_api_path, is_client_route};

/// One file of the built app.
pub struct AppFile {
    pub bytes: Cow<'static, [u8]>,
    pub sha256: [u8; 32],
    /// Seconds since 1970, as the build left the file.
    pub modified: Option<u64>,
}

/// Where the built app's files are read from: the binary itself ([`Embedded`]), or any other
/// table of files (the tests keep one in memory).
pub trait AppFiles: Send + Sync + 'static {
    /// The file at `path` (`index.html`, `icons/icon-192.png`), without a leading `/`.
    fn file(&self, path: &str) -> Option<AppFile>;
    /// Whether some file is under the folder `path` (`icons`).
    fn has_folder(&self, path: &str) -> bool;
}

/// The files rust-embed put in the binary for `E`.
pub struct Embedded<E>(std::marker::PhantomData<E>);

impl<E> Embedded<E> {
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<E> Default for Embedded<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: rust_embed::RustEmbed + Send + Sync + 'static> AppFiles for Embedded<E> {
    fn file(&self, path: &str) -> Option<AppFile> {
        let file = E::get(path)?;
        Some(AppFile {
            sha256: file.metadata.sha256_hash(),
            modified: file.metadata.last_modified(),
            bytes: file.data,
        })
    }

    fn has_folder(&self, path: &str) -> bool {
        E::iter().any(|name| {
            name.as_ref()
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// The app built into this binary, if the release build found one to embed (server/build.rs).
#[cfg(rp_embedded_app)]
#[derive(rust_embed::RustEmbed)]
#[folder = "$RIVER_PATROL_APP_DIR"]
struct BuiltApp;

/// The app this binary carries; None in a build that carries none (debug builds, or a release
/// built before the app was).
pub fn built_in() -> Option<Arc<dyn AppFiles>> {
    #[cfg(rp_embedded_app)]
    return Some(Arc::new(Embedded::<BuiltApp>::new()));
    #[cfg(not(rp_embedded_app))]
    None
}

/// The answer to `req` from `files`, for every path the API does not take.
pub async fn answer(files: Arc<dyn AppFiles>, req: Request) -> Response {
    let path = req.uri().path();
    if is_api_path(path) {
        // `/api` and `/api/` themselves, which the nested API router does not see.
        return AppError::NotFound("no such API route".to_owned()).into_response();
    }
    let head = req.method() == Method::HEAD;
    if !head && req.method() != Method::GET {
        let mut res = StatusCode::METHOD_NOT_ALLOWED.into_response();
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        return res;
    }
    let name = path.trim_start_matches('/');
    let name = if name.is_empty() || name.ends_with('/') {
        format!("{name}index.html")
    } else {
        name.to_owned()
    };
    if let Some(res) = file_response(&*files, &name, req.headers(), head) {
        return res;
    }
    if !path.ends_with('/') && files.has_folder(&name) {
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("{path}/{query}")) {
            res.headers_mut().insert(header::LOCATION, location);
        }
        return res;
    }
    if is_client_route(path)
        && let Some(res) = file_response(&*files, "index.html", req.headers(), head)
    {
        return res;
    }
    StatusCode::NOT_FOUND.into_response()
}

/// `name` (or its brotli or gzip copy, as the request accepts), None if there is no such file.
fn file_response(
    files: &dyn AppFiles,
    name: &str,
    request: &HeaderMap,
    head: bool,
) -> Option<Response> {
    let plain = files.file(name)?;
    let copies = [("br", ".br"), ("gzip", ".gz")];
    let (file, encoding) = copies
        .iter()
        .filter(|(encoding, _)| accepts(request, encoding))
        .find_map(|(encoding, suffix)| Some((files.file(&format!("{name}{suffix}"))?, *encoding)))
        .unwrap_or((plain, "identity"));
    let etag = format!("\"{}\"", hex(&file.sha256));
    let modified = file
        .modified
        .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    let mut res = if not_modified(request, &etag, modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = mime_guess::from_path(name).first_or_octet_stream();
        let length = file.bytes.len();
        let body = if head {
            Body::empty()
        } else {
            Body::from(file.bytes)
        };
        let mut res = Response::new(body);
        let h = res.headers_mut();
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        if let Ok(mime) = HeaderValue::from_str(mime.as_ref()) {
            h.insert(header::CONTENT_TYPE, mime);
        }
        if encoding != "identity" {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res
    };
    let h = res.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    if let Some(Ok(date)) = modified.map(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m))) {
        h.insert(header::LAST_MODIFIED, date);
    }
    // A cache keeps the brotli and the plain answer apart.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Some(res)
}

/// Whether Accept-Encoding takes `encoding` (a q of 0 refuses it).
fn accepts(request: &HeaderMap, encoding: &str) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case(encoding) || name == "*") && !refused
        })
}

/// If-None-Match (which wins when both are sent), then If-Modified-Since, as RFC 9110 says.
fn not_modified(request: &HeaderMap, etag: &str, modified: Option<SystemTime>) -> bool {
    if let Some(tags) = request.get(header::IF_NONE_MATCH) {
        let tags = tags.to_str().unwrap_or_default();
        return tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| httpdate::parse_http_date(v.to_str().ok()?).ok());
    matches!((since, modified), (Some(since), Some(modified)) if modified <= since)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
