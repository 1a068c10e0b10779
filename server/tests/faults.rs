//! The server when something under it fails: the photo disk full, the database locked by
//! another writer, the process killed (`kill -9`) in the middle of a push. Each ends with the
//! records and photos counted: nothing half stored, nothing lost, nothing doubled.
//!
//! The full disk is a wrapper around the photo store, so with `RP_TEST_PHOTO_STORE=s3` it
//! wraps the bucket (a store that refuses writes). The `kill -9` test runs the real binary
//! over the data folder and pushes records only: it is about the database and stays on the
//! local folder.

mod common;

use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::*;
use futures_util::stream::BoxStream;
use object_store::path::Path as StorePath;
use object_store::{
    GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use patrol_core::sync::code;
use patrol_core::*;
use river_patrol_server::db::tokens::sha256_hex;
use uuid::Uuid;

/// A photo store on a disk that has just filled up: every write fails as the operating system
/// says so (`ENOSPC`); reads go to the store underneath.
#[derive(Debug)]
struct FullDisk(Arc<dyn ObjectStore>);

impl fmt::Display for FullDisk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FullDisk({})", self.0)
    }
}

fn no_space() -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: Box::new(std::io::Error::from(std::io::ErrorKind::StorageFull)),
    }
}

#[async_trait]
impl ObjectStore for FullDisk {
    async fn put_opts(
        &self,
        _: &StorePath,
        _: PutPayload,
        _: PutOptions,
    ) -> object_store::Result<PutResult> {
        Err(no_space())
    }
    async fn put_multipart_opts(
        &self,
        _: &StorePath,
        _: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        Err(no_space())
    }
    async fn get_opts(
        &self,
        location: &StorePath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.0.get_opts(location, options).await
    }
    async fn delete(&self, location: &StorePath) -> object_store::Result<()> {
        self.0.delete(location).await
    }
    fn list(
        &self,
        prefix: Option<&StorePath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.0.list(prefix)
    }
    async fn list_with_delimiter(
        &self,
        prefix: Option<&StorePath>,
    ) -> object_store::Result<ListResult> {
        self.0.list_with_delimiter(prefix).await
    }
    async fn copy(&self, _: &StorePath, _: &StorePath) -> object_store::Result<()> {
        Err(no_space())
    }
    async fn copy_if_not_exists(&self, _: &StorePath, _: &StorePath) -> object_store::Result<()> {
        Err(no_space())
    }
}

#[tokio::test]
async fn a_full_photo_disk_is_a_clean_507_and_the_retry_stores_the_photo() {
    let mut s = Server::new().await;
    let bytes = jpeg(4);
    let id = Uuid::from_u128(0xd15c);
    let sha = sha256_hex(&bytes);
    let mut r = record(1, YANGLIU);
    r.photos.push(photo_ref(id, &bytes));
    s.push(&s.device, &[(None, &r)]).await;

    let working = s.api.photos.clone();
    s.api.photos = Arc::new(FullDisk(working.clone()));
    let (status, body) = s.put_photo(&id.to_string(), &bytes, &sha).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert_eq!(error_code(&body), code::STORAGE_FULL);
    assert!(body["error"]["message"].as_str().unwrap().contains("full"));
    // Nothing counts as held, nothing is in the store, and the record still waits for its
    // photo.
    assert_eq!(s.count("SELECT COUNT(*) FROM photos").await, 0);
    assert!(s.stored_photos().await.is_empty());
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    assert_eq!(outcomes(&res), [unchanged(1, vec![id])]);

    // Space again: the phone's retry stores it once.
    s.api.photos = working;
    let (status, _) = s.put_photo(&id.to_string(), &bytes, &sha).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(s.count("SELECT COUNT(*) FROM photos").await, 1);
    assert_eq!(s.stored_photos().await, [format!("{id}.jpg")]);
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    assert_eq!(outcomes(&res), [unchanged(1, vec![])]);
}

#[tokio::test]
async fn a_database_locked_by_another_writer_is_waited_for() {
    let s = Server::new().await;
    // Another process (a backup, an admin command) holds the write lock for a while.
    let mut other = s.api.db.acquire().await.unwrap();
    let lock = if on_postgres() {
        "BEGIN; LOCK TABLE records IN EXCLUSIVE MODE"
    } else {
        "BEGIN IMMEDIATE"
    };
    sqlx::raw_sql(lock).execute(&mut *other).await.unwrap();
    let released = AtomicBool::new(false);
    let release = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        released.store(true, Ordering::SeqCst);
        sqlx::raw_sql("COMMIT").execute(&mut *other).await.unwrap();
    };
    let records: Vec<Record> = (1..=20).map(|n| record(n, YANGLIU)).collect();
    let batch: Vec<(Option<u64>, &Record)> = records.iter().map(|r| (None, r)).collect();
    let push = async {
        let res = s.push(&s.device, &batch).await;
        (res, released.load(Ordering::SeqCst))
    };
    let ((res, after_release), ()) = tokio::join!(push, release);
    // Accepted, not failed: the push waited for the lock.
    assert!(after_release, "answered before the lock was let go");
    assert!(res.iter().all(|r| r.outcome == accepted(1, vec![])));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 20);
}

/// The server binary (this test build's), on a data folder of its own; killed with SIGKILL
/// when dropped, a failed test included.
struct Process {
    child: Child,
    addr: SocketAddr,
}

const BINARY: &str = env!("CARGO_BIN_EXE_river-patrol-server");

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    fn start(s: &Server, port: u16) -> Process {
        let dir = s.dir.path();
        let mut command = Command::new(BINARY);
        command.arg("serve");
        if let Some(url) = s.database_url() {
            command.args(["--database-url", url]);
        }
        let mut child = command
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--dist")
            .arg(dir.join("dist"))
            .arg("--data")
            .arg(dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        for _ in 0..200 {
            if TcpStream::connect(addr).is_ok() {
                return Process { child, addr };
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start on {addr}");
    }

    /// SIGKILL: no shutdown, no flush, no rollback by the process itself.
    fn kill_9(self) {
        drop(self);
    }

    /// Sends `body` as a push and returns without waiting for the answer.
    fn send_push(&self, token: &str, body: &[u8]) -> TcpStream {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        let head = format!(
            "POST /api/v1/records HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        stream
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How many of `ids` the database of `s` holds (read beside the running server: SQLite's WAL
/// lets a reader in while it writes).
async fn count_ids(s: &Server, ids: &[Uuid]) -> usize {
    let db = s.connect_database().await;
    let mut held = 0;
    for id in ids {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&db)
            .await
            .unwrap();
        held += n as usize;
    }
    db.close().await;
    held
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_cut_by_kill_9_is_all_there_or_not_at_all_and_its_retry_completes_it() {
    let s = Server::new().await;
    let token = s.device.clone();
    // The server process owns the data folder from here on.
    s.api.db.close().await;
    let port = free_port();

    // How long one push takes here, start to answer, so the kills below spread over it.
    let batch = |round: u128| -> (Vec<Uuid>, Vec<u8>) {
        let records: Vec<Record> = (0..100)
            .map(|n| record(10_000 * (round + 1) + n, YANGLIU))
            .collect();
        (records.iter().map(|r| r.id).collect(), push_body(&records))
    };
    let (calibration_ids, body) = batch(999);
    let server = Process::start(&s, port);
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    server
        .send_push(&token, &body)
        .read_to_end(&mut answer)
        .unwrap();
    let push_time = started.elapsed();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    server.kill_9();
    let mut all_ids = calibration_ids;

    let rounds = 24;
    let mut cut_before_the_answer = 0;
    let mut whole_after_the_cut = 0;
    for round in 0..rounds {
        let (ids, body) = batch(round);
        let server = Process::start(&s, port);
        let mut stream = server.send_push(&token, &body);
        // From at once to a little after the answer, so the kill lands in every stage of a
        // push: reading, validating, writing, committing, answering.
        std::thread::sleep(push_time * round as u32 / (rounds as u32 - 4));
        server.kill_9();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        if !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200") {
            cut_before_the_answer += 1;
        }

        // After a restart the batch is whole or absent, never a part.
        let server = Process::start(&s, port);
        let held = count_ids(&s, &ids).await;
        assert!(
            held == 0 || held == ids.len(),
            "round {round}: {held} of {} records after kill -9",
            ids.len()
        );
        if held > 0 {
            whole_after_the_cut += 1;
        }
        // The phone's retry completes it, once.
        let mut stream = server.send_push(&token, &body);
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
        assert_eq!(count_ids(&s, &ids).await, ids.len());
        server.kill_9();
        all_ids.extend(ids);
    }
    eprintln!(
        "{rounds} pushes (one takes {push_time:?}) cut by kill -9: {cut_before_the_answer} \
         before the answer came, {whole_after_the_cut} found whole after the restart, the rest \
         absent"
    );
    assert!(
        cut_before_the_answer > 0,
        "every kill came after the answer: the test proves nothing"
    );

    // Every record once, none twice.
    assert_eq!(count_ids(&s, &all_ids).await, all_ids.len());
    let db = s.connect_database().await;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(total as usize, all_ids.len());
}

/// PostgreSQL: two writers that each hold a row the other wants. The database ends one of
/// them (deadlock, 40P01); the server answers that one 503 `unavailable`, "send again", as
/// the phone's sync does by itself, and nothing of it was written.
#[tokio::test]
async fn writers_in_a_deadlock_are_told_to_send_again() {
    use axum::response::IntoResponse;
    use river_patrol_server::error::AppError;

    let s = Server::new().await;
    if !on_postgres() {
        // SQLite has one writer at a time: nobody waits for a row.
        return;
    }
    let (a, b) = (record(1, YANGLIU), record(2, YANGLIU));
    s.push(&s.device, &[(None, &a), (None, &b)]).await;
    let touch = "UPDATE records SET stored_at = stored_at WHERE id = $1";
    let mut first = s.api.db.begin().await.unwrap();
    let mut second = s.api.db.begin().await.unwrap();
    sqlx::query(touch)
        .bind(a.id.to_string())
        .execute(&mut *first)
        .await
        .unwrap();
    sqlx::query(touch)
        .bind(b.id.to_string())
        .execute(&mut *second)
        .await
        .unwrap();
    let (x, y) = tokio::join!(
        sqlx::query(touch)
            .bind(b.id.to_string())
            .execute(&mut *first),
        sqlx::query(touch)
            .bind(a.id.to_string())
            .execute(&mut *second)
    );
    let error = match (x, y) {
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => e,
        other => panic!("expected one deadlock: {other:?}"),
    };
    let answer = AppError::from(error).into_response();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error_code(&body), code::UNAVAILABLE);
    assert!(body.to_string().contains("send again"), "{body}");
}
