//! A bounded local load test of the sync API over real TCP, against a real SQLite file and
//! photo folder. Ignored by default (it is a measurement, not a check); run it in release:
//!
//! ```sh
//! cargo test --release -p river-patrol-server --test load -- --ignored --nocapture
//! ```
//!
//! (docs/benchmarks.md gives the `--config` flags it was measured with: opt-level 3, no LTO.)
//! It prints a Markdown table for docs/benchmarks.md.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::push_body;
use patrol_core::sync::{PHOTO_SHA256_HEADER, photo_path, pull_path};
use patrol_core::*;
use river_patrol_server::db::tokens::{self, sha256_hex};
use river_patrol_server::{AppState, Config, StoreConfig, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

const VILLAGE: &str = "杨柳村";

/// One HTTP/1.1 request with `Connection: close`; the status and the body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = std::str::from_utf8(&out[9..12]).unwrap().parse().unwrap();
    (status, out[split + 4..].to_vec())
}

fn record(n: u128, photo: Option<PhotoRef>) -> Record {
    let found = Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap();
    let mut r = Record::new(Kind::SewageOutfall, "张三", VILLAGE, found);
    r.id = Uuid::from_u128(0x10ad_0000_0000_4000_8000_0000_0000_0000 + n);
    r.title = "沿河住户生活污水直排入河".into();
    r.place = format!("四组桥头 {n} 号");
    r.notes = "雨后流量明显增大，颜色浑浊，有明显异味。".repeat(4);
    r.position = Some(Position {
        latitude: 31.25 + n as f64 * 1e-5,
        longitude: 107.54,
        accuracy_m: Some(8.0),
        taken_at: found,
        source: Some(patrol_core::PositionSource::Gps),
    });
    r.responsibility.leader = "黎学军(党委书记)".into();
    r.responsibility.department = "规划建设办".into();
    r.responsibility.person = "严文斌".into();
    r.photos.extend(photo);
    r.revision = 1;
    r
}

/// A 300 KB "JPEG" (the signature, then noise that does not compress).
fn photo_bytes(n: u32) -> Vec<u8> {
    let mut b = vec![0xff, 0xd8, 0xff, 0xe0];
    let mut x = n.wrapping_mul(2_654_435_761).max(1);
    b.extend((0..300_000).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    b
}

async fn push(addr: SocketAddr, token: &str, records: &[Record]) {
    let body = push_body(records);
    let (status, body) = request(
        addr,
        "POST",
        "/api/v1/records",
        token,
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let res: PushResponse = serde_json::from_slice(&body).unwrap();
    assert!(res.results.iter().all(|r| r.outcome.is_synced()));
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --release -- --ignored --nocapture"]
async fn sync_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), "<!DOCTYPE html>").unwrap();
    let api = AppState::open(&StoreConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let token = tokens::create(&api.db, "张三", Some(VILLAGE))
        .await
        .unwrap()
        .token;
    let router = app(Config::new(dir.path().join("dist")).with_api(api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    // 1. One phone's first sync: 300 photos, then 1,000 records (every third with a photo)
    //    in batches of 100, then a pull of everything in pages of 200.
    let photos: Vec<(Uuid, Vec<u8>)> = (0..300)
        .map(|n| (Uuid::from_u128(0xf0_0000 + n as u128), photo_bytes(n)))
        .collect();
    let records: Vec<Record> = (0..1000u128)
        .map(|n| {
            let photo = (n % 3 == 0 && n / 3 < 300).then(|| {
                let (id, bytes) = &photos[(n / 3) as usize];
                PhotoRef {
                    id: *id,
                    bytes: bytes.len() as u64,
                    width: 1600,
                    height: 1200,
                    sha256: sha256_hex(bytes),
                    taken_at: Utc::now(),
                    watermark: None,
                    source: None,
                    exif: None,
                }
            });
            record(n, photo)
        })
        .collect();
    let start = Instant::now();
    for (id, bytes) in &photos {
        let sha = sha256_hex(bytes);
        let (status, _) = request(
            addr,
            "PUT",
            &photo_path(*id),
            &token,
            &[("Content-Type", "image/jpeg"), (PHOTO_SHA256_HEADER, &sha)],
            bytes,
        )
        .await;
        assert_eq!(status, 201);
    }
    let photos_done = start.elapsed();
    for batch in records.chunks(100) {
        push(addr, &token, batch).await;
    }
    let push_done = start.elapsed();
    let mut since: Option<String> = None;
    let mut pulled = 0;
    loop {
        let (status, body) = request(
            addr,
            "GET",
            &pull_path(since.as_deref(), Some(200)),
            &token,
            &[],
            b"",
        )
        .await;
        assert_eq!(status, 200);
        let page: PullResponse = serde_json::from_slice(&body).unwrap();
        pulled += page.changes.len();
        since = Some(page.cursor);
        if !page.more {
            break;
        }
    }
    assert_eq!(pulled, 1000);
    let total = start.elapsed();
    let photo_time = photos_done;
    let push_time = push_done - photos_done;
    let pull_time = total - push_done;

    // 2. Push throughput: 4 clients at once, each 25 batches of 100 new records.
    const CLIENTS: u128 = 4;
    const BATCHES: u128 = 25;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let batch: Vec<Record> = (0..100)
                    .map(|i| record(1_000_000 + c * 100_000 + b * 100 + i, None))
                    .collect();
                push(addr, &token, &batch).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let load_time = start.elapsed();
    let load_records = (CLIENTS * BATCHES * 100) as usize;
    server.abort();

    println!(
        "\n## Sync server (local load test)\n\n\
         The reference server in-process on 127.0.0.1 over real TCP (one connection per request), \
         SQLite (WAL) and the photo folder in a temporary directory, {} cores.\n\n\
         | what | time | rate |\n|---|---:|---:|\n\
         | first sync of one phone: 300 photos of 300 KB, then 1,000 records in 10 pushes of 100, then a pull of all 1,000 in pages of 200 | {:.2} s | |\n\
         | — the 300 photo uploads | {:.2} s | {:.0} photos/s |\n\
         | — the 10 pushes | {:.2} s | {:.0} records/s |\n\
         | — the pull | {:.2} s | {:.0} records/s |\n\
         | push throughput: 4 clients at once, each 25 pushes of 100 new records ({} records) | {:.2} s | {:.0} records/s |\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        total.as_secs_f64(),
        photo_time.as_secs_f64(),
        per_second(300, photo_time),
        push_time.as_secs_f64(),
        per_second(1000, push_time),
        pull_time.as_secs_f64(),
        per_second(1000, pull_time),
        load_records,
        load_time.as_secs_f64(),
        per_second(load_records, load_time),
    );
}
