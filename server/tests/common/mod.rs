//! What the server's integration tests share: a server over a temporary data folder with a
//! token for each of two villages and one for the township office, and small fixtures.
//! Each test file uses a part of it.
//!
//! The photos go to `photos/` in the data folder, or with `RP_TEST_PHOTO_STORE=s3` to a
//! bucket of its own on an S3-compatible server in the test process (`s3.rs`); `cargo xtask
//! test` runs the photo tests both ways.
//!
//! The records go to SQLite in the data folder, or with `RP_TEST_DATABASE_URL=postgres://…`
//! (a PostgreSQL server, no database name: `cargo xtask test` starts one in a temporary
//! folder) to a database of the test's own, created on that server. Run them with
//! `-- --test-threads=1` there: a pull answers a change only once every older write
//! transaction of the whole PostgreSQL server has ended (src/changes.rs), so tests writing at
//! once would hold back each other's pulls.
#![allow(dead_code)]

pub mod s3;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::TryStreamExt;
use patrol_core::sync::{
    PHOTO_SHA256_HEADER, PatrolOutcome, PatrolPullResponse, PatrolPushRequest, PatrolPushResponse,
    patrol_pull_path, pull_path,
};
use patrol_core::*;
use river_patrol_server::db::tokens::{self, sha256_hex};
use river_patrol_server::photo_store::PhotoStore;
use river_patrol_server::{AppState, Config, StoreConfig, app};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

pub const YANGLIU: &str = "杨柳村";
pub const HONGYAN: &str = "红岩村";

/// Whether the photo tests run on S3 (`RP_TEST_PHOTO_STORE=s3`) rather than the local folder.
pub fn on_s3() -> bool {
    match std::env::var("RP_TEST_PHOTO_STORE").as_deref() {
        Ok("s3") => true,
        Ok("local") | Ok("") | Err(_) => false,
        Ok(other) => panic!("RP_TEST_PHOTO_STORE={other:?}: expected s3 or local"),
    }
}

/// The PostgreSQL server the tests run on (`RP_TEST_DATABASE_URL`), if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("RP_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| {
            assert!(
                url.starts_with("postgres://") || url.starts_with("postgresql://"),
                "RP_TEST_DATABASE_URL={url:?}: expected postgres://USER@HOST:PORT"
            );
            url.trim_end_matches('/').to_owned()
        })
}

/// Whether the tests run on PostgreSQL rather than SQLite.
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// A new, empty database on the PostgreSQL server under test, for one test's server (and its
/// other instances): its URL.
pub async fn new_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("rp_test_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("cannot reach the PostgreSQL server of RP_TEST_DATABASE_URL");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    format!("{server}/{name}")
}

/// A server over a temporary data folder and dist/, with three tokens.
pub struct Server {
    /// Shared by [`Server::another_instance`]s.
    pub dir: Arc<TempDir>,
    /// The bucket of the photos on S3 (shared by [`Server::another_instance`]s); `None` on the
    /// local folder.
    pub bucket: Option<Arc<s3::Bucket>>,
    /// The PostgreSQL database (shared by [`Server::another_instance`]s); `None` on SQLite in
    /// the data folder.
    pub database_url: Option<String>,
    pub api: AppState,
    /// Device token for 杨柳村.
    pub device: String,
    /// Device token for 红岩村.
    pub other: String,
    /// Township office token (every village).
    pub office: String,
}

impl Server {
    pub async fn new() -> Server {
        Server::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!DOCTYPE html><title>River Patrol</title>",
        )
        .unwrap();
        let bucket = on_s3().then(|| Arc::new(s3::Bucket::new()));
        let database_url = match postgres_server() {
            Some(server) => Some(new_postgres_database(&server).await),
            None => None,
        };
        let api = AppState::open(&store_config(
            dir.path().join("data"),
            bucket.as_deref(),
            database_url.as_deref(),
        ))
        .await
        .unwrap()
        .with_limits(limits);
        let device = tokens::create(&api.db, "张三", Some(YANGLIU))
            .await
            .unwrap()
            .token;
        let other = tokens::create(&api.db, "李四", Some(HONGYAN))
            .await
            .unwrap()
            .token;
        let office = tokens::create(&api.db, "乡镇办公室", None)
            .await
            .unwrap()
            .token;
        Server {
            dir: Arc::new(dir),
            bucket,
            database_url,
            api,
            device,
            other,
            office,
        }
    }

    /// A second server process, as it were, on the same database and photo store: its own
    /// connections, nothing in memory shared. Same tokens.
    pub async fn another_instance(&self) -> Server {
        let api = AppState::open(&self.store_config())
            .await
            .unwrap()
            .with_limits(self.api.limits.clone())
            .with_patrol_rule(self.api.patrol_rule)
            .with_map(self.api.basemap.clone(), self.api.tiles.clone())
            .await;
        Server {
            dir: Arc::clone(&self.dir),
            bucket: self.bucket.clone(),
            database_url: self.database_url.clone(),
            api,
            device: self.device.clone(),
            other: self.other.clone(),
            office: self.office.clone(),
        }
    }

    /// The database URL the server binary is given to share this server's database
    /// (`--database-url`), or `None` for SQLite in its data folder.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }

    /// A connection pool of its own to this server's database, as another process would open.
    pub async fn connect_database(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data().join("river-patrol.db").display()),
        };
        sqlx::AnyPool::connect(&url).await.unwrap()
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Where this server keeps things, to open them again.
    pub fn store_config(&self) -> StoreConfig {
        store_config(
            self.data(),
            self.bucket.as_deref(),
            self.database_url.as_deref(),
        )
    }

    /// What is really in the photo store, sorted. On the local folder, every file under it
    /// read from the disk (an upload's staging file too, which the store's own listing would
    /// skip); on S3, the bucket's listing (a PUT is atomic: there is nothing half written to
    /// see).
    pub async fn stored_photos(&self) -> Vec<String> {
        if self.bucket.is_none() {
            return files_under(&self.data().join("photos"));
        }
        let mut names: Vec<String> = self
            .api
            .photos
            .list(None)
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .unwrap();
        names.sort();
        names
    }

    /// The bytes of photo `id` in the photo store.
    pub async fn stored_photo(&self, id: Uuid) -> Vec<u8> {
        let key = river_patrol_server::photo_store::photo_key(id);
        let got = self.api.photos.get(&key).await.unwrap();
        got.bytes().await.unwrap().to_vec()
    }

    /// Puts `bytes` in the photo store as photo `id` behind the server's back (no index row).
    pub async fn put_stored_photo(&self, id: Uuid, bytes: &[u8]) {
        let key = river_patrol_server::photo_store::photo_key(id);
        self.api
            .photos
            .put(&key, bytes.to_vec().into())
            .await
            .unwrap();
    }

    pub fn app(&self) -> Router {
        app(Config::new(self.dir.path().join("dist")).with_api(self.api.clone()))
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let res = self.app().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, headers, body)
    }

    pub async fn json(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(v).unwrap())
            }
            None => Body::empty(),
        };
        let (status, headers, bytes) = self.send(req.body(body).unwrap()).await;
        if bytes.is_empty() {
            return (status, Value::Null);
        }
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            ct.starts_with("application/json"),
            "{status} {ct}: {bytes:?}"
        );
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// Pushes and expects 200; returns the typed answer.
    pub async fn push(&self, token: &str, records: &[(Option<u64>, &Record)]) -> Vec<PushResult> {
        let req = PushRequest {
            records: records
                .iter()
                .map(|(base_rev, r)| PushRecord {
                    base_rev: *base_rev,
                    record: (*r).clone(),
                })
                .collect(),
        };
        let (status, body) = self
            .json(
                Method::POST,
                "/api/v1/records",
                Some(token),
                Some(&serde_json::to_value(&req).unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let res: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!(res.results.len(), records.len());
        for (result, (_, r)) in res.results.iter().zip(records) {
            assert_eq!(result.id, r.id, "results in request order");
        }
        res.results
    }

    pub async fn pull(&self, token: &str, since: Option<&str>, limit: Option<u32>) -> PullResponse {
        let (status, body) = self
            .json(Method::GET, &pull_path(since, limit), Some(token), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn put_photo(&self, id: &str, bytes: &[u8], sha: &str) -> (StatusCode, Value) {
        let req = Request::put(format!("/api/v1/photos/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", self.device))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(PHOTO_SHA256_HEADER, sha)
            .body(Body::from(bytes.to_vec()))
            .unwrap();
        let (status, _, body) = self.send(req).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// `token` uploads `bytes` as photo `id`, with their hash: the status and the answer.
    pub async fn put_photo_as(&self, token: &str, id: Uuid, bytes: &[u8]) -> (StatusCode, Value) {
        let req = Request::put(format!("/api/v1/photos/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(PHOTO_SHA256_HEADER, sha256_hex(bytes))
            .body(Body::from(bytes.to_vec()))
            .unwrap();
        let (status, _, body) = self.send(req).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    pub async fn csv(&self, token: &str) -> (StatusCode, HeaderMap, String) {
        let req = Request::get("/api/v1/export.csv")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = self.send(req).await;
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    pub async fn import(&self, token: &str, content_type: &str, csv: &[u8]) -> (StatusCode, Value) {
        let req = Request::post("/api/v1/import")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(csv.to_vec()))
            .unwrap();
        let (status, _, body) = self.send(req).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.api.db)
            .await
            .unwrap()
    }
}

/// The paths of the files under `dir`, relative to it, sorted.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The store of a server whose data folder is `data`: photos in `bucket` if on S3.
fn store_config(
    data: PathBuf,
    bucket: Option<&s3::Bucket>,
    database_url: Option<&str>,
) -> StoreConfig {
    let mut config = StoreConfig::new(data);
    config.database_url = database_url.map(str::to_owned);
    match bucket {
        None => config,
        Some(bucket) => config.with_photo_store(
            // Under a prefix, as a bucket shared with other things would be.
            PhotoStore::s3(
                &bucket.name,
                "river-patrol/photos",
                s3::client(s3::SECRET_KEY),
            )
            .unwrap(),
        ),
    }
}

pub fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, d, h, 0, 0).unwrap()
}

/// A valid outfall record of `village`, with id `n`.
pub fn record(n: u128, village: &str) -> Record {
    let mut r = Record::new(Kind::SewageOutfall, "张三", village, at(1, 8));
    r.id = Uuid::from_u128(0x5e00_0000_0000_4000_8000_0000_0000_0000 + n);
    r.title = format!("沿河住户生活污水直排入河 {n}");
    r.place = "四组桥头".into();
    r.revision = 1;
    r
}

/// A small JPEG-looking file (the server checks the JPEG signature only).
pub fn jpeg(seed: u8) -> Vec<u8> {
    let mut b = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    b.extend((0..2000u32).map(|i| (i as u8).wrapping_mul(seed)));
    b.extend([0xff, 0xd9]);
    b
}

pub fn photo_ref(id: Uuid, bytes: &[u8]) -> PhotoRef {
    PhotoRef {
        id,
        bytes: bytes.len() as u64,
        width: 1600,
        height: 1200,
        sha256: sha256_hex(bytes),
        taken_at: at(1, 8),
        watermark: None,
        source: None,
        exif: None,
    }
}

/// The JSON body of a push of `records`, each new to the server.
pub fn push_body(records: &[Record]) -> Vec<u8> {
    serde_json::to_vec(&PushRequest {
        records: records
            .iter()
            .map(|r| PushRecord {
                base_rev: None,
                record: r.clone(),
            })
            .collect(),
    })
    .unwrap()
}

pub fn accepted(rev: u64, missing: Vec<Uuid>) -> Outcome {
    Outcome::Accepted {
        server_rev: rev,
        missing_photos: missing,
    }
}

pub fn unchanged(rev: u64, missing: Vec<Uuid>) -> Outcome {
    Outcome::Unchanged {
        server_rev: rev,
        missing_photos: missing,
    }
}

pub fn outcomes(results: &[PushResult]) -> Vec<Outcome> {
    results.iter().map(|r| r.outcome.clone()).collect()
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
}

/// A patrol of `village` with `fixes` track points a minute apart, at revision `fixes`.
pub fn patrol(village: &str, fixes: usize) -> Patrol {
    let mut p = Patrol::start("清水河", "杨柳村段", "张三", at(3, 9)).unwrap();
    p.village = village.into();
    for i in 0..fixes {
        p.record_fix(TrackPoint {
            lat: 31.25 + 0.0005 * i as f64,
            lon: 107.54,
            accuracy_m: 8.0,
            at: at(3, 9) + chrono::Duration::minutes(i as i64),
        });
    }
    p.revision = fixes as u32;
    p
}

impl Server {
    pub async fn push_patrols(&self, token: &str, patrols: &[&Patrol]) -> Vec<PatrolOutcome> {
        let body = serde_json::to_value(PatrolPushRequest {
            patrols: patrols.iter().map(|p| (*p).clone()).collect(),
        })
        .unwrap();
        let (status, body) = self
            .json(Method::POST, "/api/v1/patrols", Some(token), Some(&body))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let res: PatrolPushResponse = serde_json::from_value(body).unwrap();
        for (result, p) in res.results.iter().zip(patrols) {
            assert_eq!(result.id, p.id, "results in request order");
        }
        res.results.into_iter().map(|r| r.outcome).collect()
    }

    pub async fn pull_patrols(&self, token: &str, since: Option<&str>) -> PatrolPullResponse {
        let (status, body) = self
            .json(
                Method::GET,
                &patrol_pull_path(since, Some(1)),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }
}
