//! River Patrol reference server.
//!
//! For now it only serves the built app (Trunk's `dist/` folder):
//!
//! - files under `dist/` as they are (`.wasm` as `application/wasm`);
//! - a GET for a path with no file extension that is not a file (a client-side route such as
//!   `/records/abc` or `/settings`) gets `dist/index.html` with status 200, so deep links work;
//! - a missing path with an extension (`/missing.js`) is a 404;
//! - responses are compressed (brotli or gzip) as the client accepts;
//! - `Cache-Control`: `no-cache` for HTML and unhashed files, a year and `immutable` for
//!   Trunk's hashed assets (`river-patrol-<hash>.js`, `…_bg.wasm`, `main-<hash>.css`).
//!
//! The sync API will be added as routes on the [`Router`] that [`app`] returns.

use std::convert::Infallible;
use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower::service_fn;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

/// What the server needs to know to build its routes.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder Trunk built (`dist/`), with `index.html` in it.
    pub dist: PathBuf,
}

impl Config {
    pub fn new(dist: impl Into<PathBuf>) -> Self {
        Self { dist: dist.into() }
    }
}

/// `Cache-Control` for HTML and anything that is not a hashed asset.
pub const NO_CACHE: &str = "no-cache";
/// `Cache-Control` for Trunk's content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The whole application: static app files with the deep-link fallback.
pub fn app(config: Config) -> Router {
    let index = ServeFile::new(config.dist.join("index.html"));
    let spa_fallback = service_fn(move |req: Request| {
        let index = index.clone();
        async move {
            let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
            if is_read && is_client_route(req.uri().path()) {
                let res = index.oneshot(req).await.unwrap_or_else(|e| match e {});
                Ok::<_, Infallible>(res.map(Body::new))
            } else {
                Ok(StatusCode::NOT_FOUND.into_response())
            }
        }
    });
    let static_files = ServeDir::new(&config.dist)
        .append_index_html_on_directories(true)
        .fallback(spa_fallback);

    Router::new()
        .fallback_service(static_files)
        .layer(middleware::from_fn(cache_control))
        .layer(CompressionLayer::new().br(true).gzip(true))
}

/// A path whose last segment has no `.` is a client-side route (`/`, `/records/abc`,
/// `/settings/`); anything else (`/main.css`, `/missing.wasm`) names a file.
pub fn is_client_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.')
}

/// Trunk names its outputs `<stem>-<hash>[_bg].<ext>`, the hash being a 64-bit number in
/// lower-case hex without leading zeros (so usually 16 digits, sometimes fewer). At least 10
/// digits are required, so that names like `icon-192.png` do not count.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _ext)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    if ok && !res.headers().contains_key(header::CACHE_CONTROL) {
        let is_html = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let value = if !is_html && is_hashed_asset(&path) {
            IMMUTABLE
        } else {
            NO_CACHE
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_routes() {
        assert!(is_client_route("/"));
        assert!(is_client_route("/records/abc"));
        assert!(is_client_route("/settings/"));
        assert!(!is_client_route("/main.css"));
        assert!(!is_client_route("/a/missing-0123456789abcdef_bg.wasm"));
    }

    #[test]
    fn hashed_assets() {
        assert!(is_hashed_asset("/river-patrol-1c5e2e3b0f3a9d41.js"));
        assert!(is_hashed_asset("/river-patrol-1c5e2e3b0f3a9d41_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        // 15 digits: Trunk drops leading zeros.
        assert!(is_hashed_asset("/river-patrol-359526a2f68f3a3_bg.wasm"));
        assert!(is_hashed_asset("/icon-203b7654b2bd9004.svg"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/river-patrol.js"));
        assert!(!is_hashed_asset("/icon-192.png"));
        assert!(!is_hashed_asset("/icon-deadbeef.png"));
    }
}
