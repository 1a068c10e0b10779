//! River Patrol reference server: the built app (Trunk's `dist/` folder) and the sync API.
//!
//! The app:
//!
//! - files under `dist/` as they are (`.wasm` as `application/wasm`);
//! - a GET for a path with no file extension that is not a file (a client-side route such as
//!   `/records/abc` or `/settings`) gets `dist/index.html` with status 200, so deep links work;
//!   paths under `/api` never do (an unknown API path is a 404 JSON error);
//! - a missing path with an extension (`/missing.js`) is a 404;
//! - responses are compressed (brotli or gzip) as the client accepts, but for the ledger's
//!   `.xlsx`, which is a ZIP already;
//! - `Cache-Control`: `no-cache` for HTML and unhashed files, a year and `immutable` for
//!   Trunk's hashed assets (`river-patrol-<hash>.js`, `…_bg.wasm`, `main-<hash>.css`);
//! - security headers on every response ([`security_headers`]): a Content-Security-Policy that
//!   lets the page run only its own scripts and wasm and talk only to this server (and the
//!   other sync servers configured), no framing, no sniffing, no referrer.
//!
//! Cross-origin calls to the API are refused unless their origin is configured
//! ([`Config::cors_origins`]): the app this server serves calls it from its own origin.
//!
//! The sync API under `/api/v1` ([`routes`], one file per resource, `docs/sync-protocol.md`):
//! handlers take the typed extractors of [`extract`] and share an [`AppState`] ([`state`]);
//! records, patrols, tokens and the photo index in SQLite or PostgreSQL ([`db`], where all the
//! SQL is), photos through `object_store` ([`photo_store`]), tokens made by the `token` command
//! ([`db::tokens`]), failures answered as [`AppError`] ([`error`]), counts in [`metrics`], the
//! ledger as a workbook in [`ledger_xlsx`].

pub mod app_files;
pub mod auth_failures;
pub mod db;
pub mod error;
pub mod extract;
pub mod ledger_xlsx;
pub mod metrics;
pub mod photo_store;
pub mod routes;
pub mod state;
pub mod tile_source;

pub use app_files::AppFiles;
pub use error::AppError;
pub use state::{AppState, StoreConfig};

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower::service_fn;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// What the server needs to know to build its routes.
#[derive(Debug, Clone)]
pub struct Config {
    /// The built app: Trunk's folder (`dist/`), or the files the binary carries.
    pub app: AppSource,
    /// The sync API's state; `None` serves the app alone (every API path is then a 404).
    pub api: Option<AppState>,
    /// Origins (`https://host[:port]`) whose pages may call the API; `*` for any. None by
    /// default: the app this server serves calls it from its own origin.
    pub cors_origins: Vec<HeaderValue>,
    /// Other sync servers (origins) the app served here may be connected to: its
    /// Content-Security-Policy allows them besides this server.
    pub sync_servers: Vec<String>,
}

/// Where the built app is served from.
#[derive(Clone)]
pub enum AppSource {
    /// A folder Trunk built (`dist/`), with `index.html` in it.
    Folder(PathBuf),
    /// Files in memory: those the release binary carries ([`app_files::built_in`]).
    Files(Arc<dyn AppFiles>),
}

impl std::fmt::Debug for AppSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppSource::Folder(dir) => f.debug_tuple("Folder").field(dir).finish(),
            AppSource::Files(_) => f.write_str("Files"),
        }
    }
}

impl Config {
    /// The app from the folder `dist`.
    pub fn new(dist: impl Into<PathBuf>) -> Self {
        Self::serving(AppSource::Folder(dist.into()))
    }

    pub fn serving(app: AppSource) -> Self {
        Self {
            app,
            api: None,
            cors_origins: Vec::new(),
            sync_servers: Vec::new(),
        }
    }

    /// Serves the sync API from `api` as well.
    pub fn with_api(mut self, api: AppState) -> Self {
        self.api = Some(api);
        self
    }

    /// Lets pages of `origins` (checked with [`origin`]) call the API.
    pub fn with_cors_origins(mut self, origins: Vec<HeaderValue>) -> Self {
        self.cors_origins = origins;
        self
    }

    /// Lets the served app sync with `servers` (origins, checked with [`origin`]) too.
    pub fn with_sync_servers(mut self, servers: Vec<String>) -> Self {
        self.sync_servers = servers;
        self
    }
}

/// `text` as an origin for CORS or the Content-Security-Policy: `http(s)://host[:port]`
/// without a path, or `*` (CORS only). The message says what is wrong.
pub fn origin(text: &str) -> Result<HeaderValue, String> {
    let text = text.trim().trim_end_matches('/');
    if text == "*" {
        return Ok(HeaderValue::from_static("*"));
    }
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("{text:?} is not an origin: it must start with https:// or http://")
        })?;
    let fine = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !fine {
        return Err(format!(
            "{text:?} is not an origin: only a scheme, a host and a port, like https://patrol.example.org:8443"
        ));
    }
    HeaderValue::from_str(text).map_err(|e| format!("{text:?}: {e}"))
}

/// The Content-Security-Policy of every response. The app needs its own scripts, wasm
/// (`'wasm-unsafe-eval'`), styles and images, `blob:` images (photos from IndexedDB), its
/// service worker and manifest, and fetches to this server (and the `sync_servers`); nothing
/// inline, no plugins, no framing, no forms posted anywhere.
///
/// A basemap on another server (`tile_server`, its origin) is allowed for images (the map
/// draws them) and for fetches (the offline map area downloads them); so are the sync servers,
/// which may serve their township's own tiles.
pub fn content_security_policy(sync_servers: &[String], tile_server: Option<&str>) -> String {
    let connect: Vec<&str> = std::iter::once("'self'")
        .chain(sync_servers.iter().map(String::as_str))
        .chain(tile_server)
        .collect();
    // A sync server's own tiles (`/api/v1/tiles/…` there) are images from it.
    let img: Vec<&str> = ["'self'", "blob:"]
        .into_iter()
        .chain(sync_servers.iter().map(String::as_str))
        .chain(tile_server)
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src {}; connect-src {}; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        img.join(" "),
        connect.join(" ")
    )
}

/// `Cache-Control` for HTML and anything that is not a hashed asset.
pub const NO_CACHE: &str = "no-cache";
/// `Cache-Control` for Trunk's content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The whole application: the sync API under `/api`, and the static app files with the
/// deep-link fallback. Logs one line per request (`tracing`).
pub fn app(config: Config) -> Router {
    let tile_server = config
        .api
        .as_ref()
        .and_then(|state| state.basemap.as_ref()?.origin());
    let csp = HeaderValue::from_str(&content_security_policy(&config.sync_servers, tile_server))
        .expect("origins are checked by `origin`, the basemap by `Basemap::new`");
    // Prometheus scrapes `/metrics` (an office token needed) when there is an API to count.
    let metrics = match &config.api {
        Some(state) => Router::new()
            .route("/metrics", axum::routing::get(routes::metrics::scrape))
            .with_state(state.clone()),
        None => Router::new(),
    };
    let routes = metrics.nest("/api", routes::router(config.api, config.cors_origins));
    let routes = match config.app {
        AppSource::Folder(dist) => serve_folder(routes, &dist),
        AppSource::Files(files) => {
            routes.fallback(move |req| app_files::answer(files.clone(), req))
        }
    };
    routes
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(csp.clone(), req, next)
        }))
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                // A workbook is a ZIP already: compressing it again costs CPU and saves nothing.
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(
                    routes::export::XLSX_CONTENT_TYPE,
                ))),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// `routes`, then the app's files from the folder `dist`, with the deep-link fallback.
fn serve_folder(routes: Router, dist: &std::path::Path) -> Router {
    // `cargo xtask dist` writes brotli and gzip copies of the text files (x.br, x.gz); they
    // are sent as they are to browsers that accept them, the rest compressed on the fly.
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let spa_fallback = service_fn(move |req: Request| {
        let index = index.clone();
        async move {
            let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
            if is_api_path(req.uri().path()) {
                // `/api` and `/api/` themselves, which the nested API router does not see.
                let res = AppError::NotFound("no such API route".to_owned()).into_response();
                Ok::<_, Infallible>(res)
            } else if is_read && is_client_route(req.uri().path()) {
                let res = index.oneshot(req).await.unwrap_or_else(|e| match e {});
                Ok(res.map(Body::new))
            } else {
                Ok::<_, Infallible>(StatusCode::NOT_FOUND.into_response())
            }
        }
    });
    routes.fallback_service(
        ServeDir::new(dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(true)
            .fallback(spa_fallback),
    )
}

/// A path whose last segment has no `.` is a client-side route (`/`, `/records/abc`,
/// `/settings/`); anything else (`/main.css`, `/missing.wasm`) names a file.
/// `/api` or anything under it, which answers JSON only.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Never anything under `/api`, which answers JSON only.
pub fn is_client_route(path: &str) -> bool {
    if is_api_path(path) {
        return false;
    }
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

/// After a successful sync request (the routes of `routes::sync_routes`), notes its time and
/// the records the phone says still wait ([`patrol_core::sync::UNSENT_HEADER`]) on the row of
/// the request's token, for the office's list of tokens: one UPDATE by the token's hash, so
/// the token is not looked up again. A failure to note it is logged and never fails the sync.
pub async fn note_sync(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let token = extract::bearer_token(req.headers()).map(str::to_owned);
    let unsent = extract::unsent_records(req.headers());
    let res = next.run(req).await;
    if res.status().is_success()
        && let Some(token) = token
        && let Err(e) = db::tokens::synced(&state.db, &token, unsent).await
    {
        tracing::warn!("cannot note the token's sync: {e}");
    }
    res
}

/// The headers every response carries (those a handler set itself are kept).
pub async fn security_headers(csp: HeaderValue, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: header::HeaderName, value: HeaderValue| {
        if !h.contains_key(&name) {
            h.insert(name, value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, csp);
    set(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    set(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    set(
        header::HeaderName::from_static("permissions-policy"),
        // The app asks for the position and the camera itself; nothing else, nobody else.
        HeaderValue::from_static(
            "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
        ),
    );
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
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
        assert!(!is_client_route("/api"));
        assert!(!is_client_route("/api/v2/records"));
        assert!(is_client_route("/apiary"));
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
