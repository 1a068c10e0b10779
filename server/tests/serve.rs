//! The server against a throwaway dist/ folder, through `tower::ServiceExt::oneshot`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use river_patrol_server::{AppSource, Config, IMMUTABLE, NO_CACHE, app};
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

/// The built app as the release binary carries it, read into memory from a folder: the same
/// answers as from the folder itself, whatever the request.
struct FilesInMemory(std::collections::HashMap<String, (Vec<u8>, u64)>);

impl FilesInMemory {
    fn of(dir: &Path) -> Self {
        let mut files = std::collections::HashMap::new();
        let mut folders = vec![dir.to_owned()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let name = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                let secs = modified.duration_since(std::time::UNIX_EPOCH).unwrap();
                files.insert(name, (std::fs::read(&path).unwrap(), secs.as_secs()));
            }
        }
        Self(files)
    }
}

impl river_patrol_server::AppFiles for FilesInMemory {
    fn file(&self, path: &str) -> Option<river_patrol_server::app_files::AppFile> {
        use sha2::Digest;
        let (bytes, modified) = self.0.get(path)?;
        Some(river_patrol_server::app_files::AppFile {
            bytes: bytes.clone().into(),
            sha256: sha2::Sha256::digest(bytes).into(),
            modified: Some(*modified),
        })
    }

    fn has_folder(&self, path: &str) -> bool {
        self.0
            .keys()
            .any(|name| name.starts_with(&format!("{path}/")))
    }
}

async fn send(config: Config, req: Request<Body>) -> Response {
    app(config).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn the_app_in_the_binary_is_answered_as_the_folder_is() {
    let dist = TempDist::new();
    std::fs::create_dir(dist.path().join("icons")).unwrap();
    std::fs::write(dist.path().join("icons/icon-192.png"), b"\x89PNG").unwrap();
    for (name, text) in [(JS, "js"), ("index.html", INDEX)] {
        let raw = std::fs::read(dist.path().join(name)).unwrap_or_else(|_| text.into());
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 11, 22)
            .write_all(&raw)
            .unwrap();
        std::fs::write(dist.path().join(format!("{name}.br")), br).unwrap();
    }
    let files: Arc<dyn river_patrol_server::AppFiles> = Arc::new(FilesInMemory::of(dist.path()));
    let js = format!("/{JS}");
    let wasm = format!("/{WASM}");
    let requests: Vec<(Method, &str, Option<&str>)> = vec![
        (Method::GET, "/", Some("br")),
        (Method::GET, "/", None),
        (Method::HEAD, "/", None),
        (Method::GET, "/records/abc?tab=photos", Some("gzip, br")),
        (Method::GET, "/settings/", None),
        (Method::GET, &js, Some("br")),
        (Method::GET, &js, Some("gzip")),
        (Method::GET, &js, Some("br;q=0, gzip")),
        (Method::GET, &js, None),
        (Method::GET, &wasm, None),
        (Method::GET, "/manifest.webmanifest", None),
        (Method::GET, "/icons/icon-192.png", None),
        (Method::GET, "/icons", None),
        (Method::GET, "/icons/", None),
        (Method::GET, "/missing.js", None),
        (Method::GET, "/records/missing.wasm", None),
        (Method::GET, "/api", None),
        (Method::POST, "/api", None),
        (Method::POST, "/records/abc", None),
        (Method::POST, &js, None),
    ];
    for (method, uri, accept) in requests {
        let request = || {
            let mut req = Request::builder().method(method.clone()).uri(uri);
            if let Some(accept) = accept {
                req = req.header(header::ACCEPT_ENCODING, accept);
            }
            req.body(Body::empty()).unwrap()
        };
        let folder = send(Config::new(dist.path()), request()).await;
        let memory = send(Config::serving(AppSource::Files(files.clone())), request()).await;
        let what = format!("{method} {uri} ({accept:?})");
        assert_eq!(folder.status(), memory.status(), "{what}");
        for name in [
            header::CONTENT_TYPE,
            header::CONTENT_ENCODING,
            header::CACHE_CONTROL,
            header::LOCATION,
            header::CONTENT_SECURITY_POLICY,
            header::X_FRAME_OPTIONS,
            header::LAST_MODIFIED,
        ] {
            assert_eq!(
                header_str(&folder, name.clone()),
                header_str(&memory, name.clone()),
                "{what}: {name}"
            );
        }
        // Compressed on the fly, the bytes differ as the body came in one piece or in
        // several; what they decode to may not.
        let gzip = header_str(&folder, header::CONTENT_ENCODING) == Some("gzip");
        let (folder, memory) = (body_bytes(folder).await, body_bytes(memory).await);
        if gzip {
            assert_eq!(gunzip(&folder), gunzip(&memory), "{what}");
        } else {
            assert_eq!(folder, memory, "{what}");
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn the_app_in_the_binary_is_revalidated_by_its_etag_or_its_date() {
    let dist = TempDist::new();
    let files: Arc<dyn river_patrol_server::AppFiles> = Arc::new(FilesInMemory::of(dist.path()));
    let config = || Config::serving(AppSource::Files(files.clone()));
    let first = send(config(), Request::get("/").body(Body::empty()).unwrap()).await;
    let etag = header_str(&first, header::ETAG).unwrap().to_owned();
    let date = header_str(&first, header::LAST_MODIFIED)
        .unwrap()
        .to_owned();
    for (name, value) in [
        (header::IF_NONE_MATCH, etag.as_str()),
        (header::IF_NONE_MATCH, &format!("\"other\", {etag}")),
        (header::IF_MODIFIED_SINCE, &date),
    ] {
        let req = Request::get("/").header(name.clone(), value);
        let res = send(config(), req.body(Body::empty()).unwrap()).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{name}: {value}");
        assert_eq!(header_str(&res, header::ETAG), Some(etag.as_str()));
        assert_eq!(header_str(&res, header::CACHE_CONTROL), Some(NO_CACHE));
        assert!(body_bytes(res).await.is_empty());
    }
    // Another build's tag wins over an old date: the new file is sent.
    let req = Request::get("/")
        .header(header::IF_NONE_MATCH, "\"another-build\"")
        .header(header::IF_MODIFIED_SINCE, &date);
    let res = send(config(), req.body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_bytes(res).await, INDEX.as_bytes());
}
