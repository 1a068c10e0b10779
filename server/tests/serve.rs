//! The server against a throwaway dist/ folder, through `tower::ServiceExt::oneshot`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use river_patrol_server::{Config, IMMUTABLE, NO_CACHE, app};
use tower::ServiceExt;

const INDEX: &str =
    "<!DOCTYPE html><html><head><title>River Patrol</title></head><body></body></html>";
const JS: &str = "river-patrol-1c5e2e3b0f3a9d41.js";
const WASM: &str = "river-patrol-1c5e2e3b0f3a9d41_bg.wasm";

/// A temporary dist/ folder, removed on drop.
struct TempDist(PathBuf);

impl TempDist {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "river-patrol-server-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), INDEX).unwrap();
        // Compressible enough that a compressed answer is clearly smaller.
        let js = "export function hello() { return 'river patrol'; }\n".repeat(200);
        std::fs::write(dir.join(JS), js).unwrap();
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend(std::iter::repeat_n(0u8, 4096));
        std::fs::write(dir.join(WASM), wasm).unwrap();
        std::fs::write(dir.join("manifest.webmanifest"), "{}").unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn get(dist: &TempDist, uri: &str, accept_encoding: Option<&str>) -> Response {
    let mut req = Request::get(uri);
    if let Some(enc) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, enc);
    }
    app(Config::new(dist.path()))
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_bytes(res: Response) -> Vec<u8> {
    to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn header_str(res: &Response, name: header::HeaderName) -> Option<&str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn index_at_root() {
    let dist = TempDist::new();
    let res = get(&dist, "/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        header_str(&res, header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(NO_CACHE));
    assert_eq!(body_bytes(res).await, INDEX.as_bytes());
}

#[tokio::test]
async fn deep_links_get_index() {
    let dist = TempDist::new();
    for uri in [
        "/records/abc",
        "/settings",
        "/settings/",
        "/records/abc?tab=photos",
    ] {
        let res = get(&dist, uri, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert!(
            header_str(&res, header::CONTENT_TYPE)
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert_eq!(
            header_str(&res, header::CACHE_CONTROL),
            Some(NO_CACHE),
            "{uri}"
        );
        assert_eq!(body_bytes(res).await, INDEX.as_bytes(), "{uri}");
    }
}

#[tokio::test]
async fn missing_asset_is_404() {
    let dist = TempDist::new();
    for uri in ["/missing.js", "/records/missing.wasm", "/favicon.ico"] {
        let res = get(&dist, uri, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn post_to_a_route_is_not_the_app() {
    let dist = TempDist::new();
    let req = Request::post("/records/abc").body(Body::empty()).unwrap();
    let res = app(Config::new(dist.path())).oneshot(req).await.unwrap();
    assert_ne!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn wasm_mime_type_and_immutable_cache() {
    let dist = TempDist::new();
    let res = get(&dist, &format!("/{WASM}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header_str(&res, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert!(body_bytes(res).await.starts_with(b"\0asm"));
}

#[tokio::test]
async fn unhashed_files_are_not_cached_forever() {
    let dist = TempDist::new();
    let res = get(&dist, "/manifest.webmanifest", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(NO_CACHE));
}

#[tokio::test]
async fn brotli_when_accepted() {
    let dist = TempDist::new();
    let raw = std::fs::read(dist.path().join(JS)).unwrap();
    let res = get(&dist, &format!("/{JS}"), Some("br")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(IMMUTABLE));
    let compressed = body_bytes(res).await;
    assert!(
        compressed.len() < raw.len() / 4,
        "{} bytes",
        compressed.len()
    );
    let mut decoded = Vec::new();
    brotli::Decompressor::new(compressed.as_slice(), 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, raw);
}

#[tokio::test]
async fn gzip_when_accepted_and_identity_otherwise() {
    let dist = TempDist::new();
    let res = get(&dist, &format!("/{JS}"), Some("gzip")).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), Some("gzip"));
    let res = get(&dist, &format!("/{JS}"), None).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), None);
}

#[tokio::test]
async fn pre_compressed_copies_are_sent_as_they_are() {
    let dist = TempDist::new();
    let raw = std::fs::read(dist.path().join(JS)).unwrap();
    // A marker copy: its bytes show that the file on disk was sent, not a fresh compression.
    let mut copy = Vec::new();
    brotli::CompressorWriter::new(&mut copy, 4096, 11, 22)
        .write_all(&raw)
        .unwrap();
    std::fs::write(dist.path().join(format!("{JS}.br")), &copy).unwrap();
    let index_br = {
        let mut out = Vec::new();
        brotli::CompressorWriter::new(&mut out, 4096, 11, 22)
            .write_all(INDEX.as_bytes())
            .unwrap();
        out
    };
    std::fs::write(dist.path().join("index.html.br"), &index_br).unwrap();

    let res = get(&dist, &format!("/{JS}"), Some("gzip, deflate, br")).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert_eq!(
        header_str(&res, header::CONTENT_TYPE),
        Some("text/javascript")
    );
    assert_eq!(body_bytes(res).await, copy);
    // A deep link gets index.html's copy too; a browser without brotli the plain file.
    let res = get(&dist, "/records/abc", Some("br")).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(body_bytes(res).await, index_br);
    let res = get(&dist, &format!("/{JS}"), None).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), None);
    assert_eq!(body_bytes(res).await, raw);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dist = TempDist::new();
    for uri in [
        "/",
        "/records/abc",
        &format!("/{JS}"),
        "/api/v1/records",
        "/missing.js",
    ] {
        let res = get(&dist, uri, None).await;
        let h = res.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        // Only the app's own scripts and its wasm; nothing inline, no eval of JavaScript.
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{uri}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert!(csp.contains("connect-src 'self';"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("object-src 'none'"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert!(
            h["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("geolocation=(self)")
        );
    }
}

#[tokio::test]
async fn the_app_may_be_allowed_to_sync_with_other_servers() {
    let dist = TempDist::new();
    let servers = ["https://sync.example.org", "http://10.0.0.5:8080"].map(|s| {
        river_patrol_server::origin(s)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    });
    let res = app(Config::new(dist.path()).with_sync_servers(servers.to_vec()))
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("connect-src 'self' https://sync.example.org http://10.0.0.5:8080;"),
        "{csp}"
    );
    // Their own map tiles (--tiles there) are images from them.
    assert!(
        csp.contains("img-src 'self' blob: https://sync.example.org http://10.0.0.5:8080;"),
        "{csp}"
    );
}

#[test]
fn origins_are_a_scheme_a_host_and_a_port_only() {
    use river_patrol_server::origin;
    assert_eq!(
        origin("https://patrol.example.org/").unwrap(),
        "https://patrol.example.org"
    );
    assert_eq!(
        origin(" http://127.0.0.1:8080 ").unwrap(),
        "http://127.0.0.1:8080"
    );
    assert_eq!(origin("*").unwrap(), "*");
    for bad in [
        "patrol.example.org",
        "https://",
        "https://patrol.example.org/app",
        "https://a.org; script-src *",
        "ftp://a.org",
    ] {
        let err = origin(bad).unwrap_err();
        assert!(err.contains("not an origin"), "{bad}: {err}");
    }
}
