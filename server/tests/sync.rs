//! The sync API against a real SQLite file and a real photo folder in a temporary directory,
//! through `tower::ServiceExt::oneshot` (and once over a real TCP socket).

mod common;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::Utc;
use common::*;
use patrol_core::basemap::Basemap;
use patrol_core::import::ImportIds;
use patrol_core::patrol_rule::PatrolRule;
use patrol_core::sync::{
    PHOTO_SHA256_HEADER, PatrolOutcome, Township, code, photo_path, pull_path, township_path,
};
use patrol_core::*;
use river_patrol_server::db::tokens::{self, sha256_hex};
use river_patrol_server::photo_store::{PhotoStore, open_photo_store};
use river_patrol_server::{AppState, Config, app};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

#[tokio::test]
async fn push_then_the_same_batch_again_changes_nothing() {
    let s = Server::new().await;
    let (a, b) = (record(1, YANGLIU), record(2, YANGLIU));
    let first = s.push(&s.device, &[(None, &a), (None, &b)]).await;
    assert_eq!(outcomes(&first), [accepted(1, vec![]), accepted(1, vec![])]);
    let before = s.pull(&s.office, None, None).await;

    // The answer was lost; the phone sends the very same batch again.
    let again = s.push(&s.device, &[(None, &a), (None, &b)]).await;
    assert_eq!(
        outcomes(&again),
        [unchanged(1, vec![]), unchanged(1, vec![])]
    );
    // And once more with the base_rev it would have remembered: still unchanged.
    let third = s.push(&s.device, &[(Some(1), &a), (Some(1), &b)]).await;
    assert_eq!(
        outcomes(&third),
        [unchanged(1, vec![]), unchanged(1, vec![])]
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 2);
    let after = s.pull(&s.office, None, None).await;
    assert_eq!(after, before, "no new change numbers, revisions or rows");
    assert_eq!(after.changes.len(), 2);
    assert_eq!(after.changes[0].record, a);
    assert!(after.changes.iter().all(|c| c.server_rev == 1));
}

#[tokio::test]
async fn a_point_placed_on_the_map_stays_marked_as_placed_by_hand() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.position = Some(patrol_core::Position {
        latitude: 31.251_2,
        longitude: 107.543_4,
        accuracy_m: None,
        taken_at: at(1, 8),
        source: Some(patrol_core::PositionSource::Map),
    });
    s.push(&s.device, &[(None, &r)]).await;
    let pulled = s.pull(&s.office, None, None).await;
    assert_eq!(pulled.changes[0].record, r);
    let (_, _, csv) = s.csv(&s.office).await;
    assert!(csv.contains(",107.5434,31.2512,地图选点,"), "{csv}");
}

#[tokio::test]
async fn a_photos_watermark_source_and_exif_are_kept_and_pulled_as_pushed() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    let mut photo = photo_ref(Uuid::from_u128(0xbeef), &jpeg(3));
    photo.watermark = Some("2026-11-28 14:05:09 UTC+8\n位置未知\n张三 · 排污口 · #00000000".into());
    photo.source = Some(provenance::PhotoSource::Gallery);
    photo.exif = Some(Exif {
        taken_at: Some("2020-05-01T02:00:00Z".parse().unwrap()),
        latitude: Some(31.25),
        longitude: Some(107.54),
    });
    r.photos.push(photo);
    // A photo from before these fields: they stay absent.
    r.photos.push(photo_ref(Uuid::from_u128(0xcafe), &jpeg(4)));
    let res = s.push(&s.device, &[(None, &r)]).await;
    assert_eq!(res.len(), 1);
    let pulled = s.pull(&s.office, None, None).await;
    assert_eq!(pulled.changes[0].record, r);
    let text = serde_json::to_value(&pulled.changes[0].record.photos).unwrap();
    assert_eq!(text[0]["source"], "gallery");
    assert!(text[1].get("watermark").is_none() && text[1].get("exif").is_none());
    assert_eq!(
        off_site_note(&pulled.changes[0].record),
        "第1张照片非现场拍摄：拍摄时间早于记录 6 年"
    );
}

#[tokio::test]
async fn pull_since_a_cursor_pages_and_returns_only_later_changes() {
    let s = Server::new().await;
    let records: Vec<Record> = (1..=5).map(|n| record(n, YANGLIU)).collect();
    let batch: Vec<(Option<u64>, &Record)> = records.iter().map(|r| (None, r)).collect();
    s.push(&s.device, &batch).await;

    // Paging: 2 + 2 + 1.
    let mut since: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = s.pull(&s.device, since.as_deref(), Some(2)).await;
        pages += 1;
        seen.extend(page.changes.iter().map(|c| c.record.id));
        since = Some(page.cursor);
        if !page.more {
            break;
        }
        assert_eq!(page.changes.len(), 2);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, records.iter().map(|r| r.id).collect::<Vec<_>>());

    // Nothing new: empty page, same cursor.
    let cursor = since.clone().unwrap();
    let empty = s.pull(&s.device, Some(&cursor), None).await;
    assert!(empty.changes.is_empty() && !empty.more);
    assert_eq!(empty.cursor, cursor);

    // The office sets a deadline on record 2: only that comes after the cursor.
    let mut changed = records[1].clone();
    changed.deadline = Some(chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    changed.revision += 1;
    let res = s.push(&s.office, &[(Some(1), &changed)]).await;
    assert_eq!(outcomes(&res), [accepted(2, vec![])]);
    let later = s.pull(&s.device, Some(&cursor), None).await;
    assert_eq!(later.changes.len(), 1);
    assert_eq!(later.changes[0].server_rev, 2);
    assert_eq!(later.changes[0].record, changed);
    assert_ne!(later.cursor, cursor);

    // A cursor the server never gave out.
    let (status, body) = s
        .json(
            Method::GET,
            "/api/v1/records?since=abc",
            Some(&s.device),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), code::BAD_CURSOR);
    let (status, _) = s
        .json(
            Method::GET,
            "/api/v1/records?limit=x",
            Some(&s.device),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_changes_conflict_and_nothing_is_overwritten() {
    let s = Server::new().await;
    let base = record(1, YANGLIU);
    s.push(&s.device, &[(None, &base)]).await;

    // Office and device both change it after server_rev 1.
    let mut office = base.clone();
    office.responsibility.person = "严文斌".into();
    office.revision = 2;
    let mut device = base.clone();
    device.status = Status::Rectifying;
    device.revision = 2;
    let res = s.push(&s.office, &[(Some(1), &office)]).await;
    assert_eq!(outcomes(&res), [accepted(2, vec![])]);

    let res = s.push(&s.device, &[(Some(1), &device)]).await;
    assert_eq!(
        outcomes(&res),
        [Outcome::Conflict {
            server_rev: 2,
            server: Box::new(office.clone()),
        }]
    );
    let stored = s.pull(&s.office, None, None).await;
    assert_eq!(
        stored.changes[0].record, office,
        "the office's change stays"
    );

    // Never synced (base_rev None) but the server has other content: a conflict as well.
    let res = s.push(&s.device, &[(None, &device)]).await;
    assert!(matches!(
        res[0].outcome,
        Outcome::Conflict { server_rev: 2, .. }
    ));

    // The user keeps the phone's version: pushed again on top of server_rev 2.
    let res = s.push(&s.device, &[(Some(2), &device)]).await;
    assert_eq!(outcomes(&res), [accepted(3, vec![])]);
    let stored = s.pull(&s.office, None, None).await;
    assert_eq!(stored.changes[0].record, device);
    assert_eq!(stored.changes[0].server_rev, 3);
}

#[tokio::test]
async fn follow_up_visits_from_two_sides_are_all_kept() {
    let s = Server::new().await;
    let base = record(7, YANGLIU);
    s.push(&s.device, &[(None, &base)]).await;
    let visit = |status, who: &str, day| {
        let notes = format!("{who} 复查");
        let f = FollowUp {
            to: status,
            notes,
            ..Default::default()
        };
        (f, who.to_owned(), at(day, 9))
    };
    let mut office = base.clone();
    let (f, who, when) = visit(Status::Rectifying, "李四", 2);
    office.follow_up(f, &who, when).unwrap();
    office.revision = 2;
    assert_eq!(
        outcomes(&s.push(&s.office, &[(Some(1), &office)]).await),
        [accepted(2, vec![])]
    );

    // The phone followed up too, was told of the conflict and kept its own version.
    let mut device = base.clone();
    let (f, who, when) = visit(Status::Fixed, "张三", 3);
    device.follow_up(f, &who, when).unwrap();
    device.revision = 2;
    let res = s.push(&s.device, &[(Some(2), &device)]).await;
    assert_eq!(outcomes(&res), [accepted(3, vec![])]);

    let stored = &s.pull(&s.office, None, None).await.changes[0].record;
    let authors: Vec<&str> = stored.visits.iter().map(|v| v.author.as_str()).collect();
    assert_eq!(authors, ["李四", "张三"], "both visits, in time order");
    assert_eq!(stored.status, Status::Fixed, "the kept version's status");
}

#[tokio::test]
async fn tombstones_are_stored_pulled_and_left_out_of_the_csv() {
    let s = Server::new().await;
    let keep = record(1, YANGLIU);
    let mut gone = record(2, YANGLIU);
    // Its photo is never uploaded: a deleted record does not wait for photos.
    gone.photos.push(photo_ref(Uuid::from_u128(77), &jpeg(3)));
    let res = s.push(&s.device, &[(None, &keep), (None, &gone)]).await;
    assert_eq!(
        outcomes(&res),
        [accepted(1, vec![]), accepted(1, vec![Uuid::from_u128(77)])]
    );
    let cursor = s.pull(&s.device, None, None).await.cursor;

    gone.mark_deleted(at(3, 9));
    let res = s.push(&s.device, &[(Some(1), &gone)]).await;
    assert_eq!(outcomes(&res), [accepted(2, vec![])]);
    assert!(res[0].outcome.is_synced());

    let later = s.pull(&s.device, Some(&cursor), None).await;
    assert_eq!(later.changes.len(), 1);
    assert_eq!(later.changes[0].record.deleted_at, Some(at(3, 9)));

    let (status, _, csv) = s.csv(&s.device).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains(&keep.id.to_string()));
    assert!(!csv.contains(&gone.id.to_string()));
}

#[tokio::test]
async fn tokens_missing_wrong_or_revoked_are_401() {
    let s = Server::new().await;
    let uri = "/api/v1/records";
    for auth in [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer nope".to_owned()),
        Some(format!("Basic {}", s.device)),
        Some(format!("Bearer {}x", s.device)),
    ] {
        let mut req = Request::get(uri);
        if let Some(a) = &auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        let (status, headers, body) = s.send(req.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error_code(&body), code::UNAUTHORIZED);
    }
    // Every route but health and the map's tiles wants a token (this server has no tiles).
    for (method, path) in river_patrol_server::routes::ROUTES {
        let path = path
            .replace("{id}", &Uuid::nil().to_string())
            .replace("{z}/{x}/{y}", "1/0/0");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, _) = s.json(method.clone(), &path, None, None).await;
        let expected = if path.ends_with("/health") {
            StatusCode::OK
        } else if path.contains("/tiles/") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(status, expected, "{method} {path}");
    }

    // Lower-case scheme is fine; a revoked token is not.
    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("bearer {}", s.device))
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(req).await.0, StatusCode::OK);
    let id = tokens::list(&s.api.db)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.officer == "张三")
        .unwrap()
        .id;
    assert!(tokens::revoke(&s.api.db, id).await.unwrap());
    let (status, body) = s.json(Method::GET, uri, Some(&s.device), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), code::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_tells_whom_it_was_issued_to() {
    let s = Server::new().await;
    // A village officer's token: the phone writes 张三 and 杨柳村 on its records from this.
    let (status, body) = s
        .json(Method::GET, "/api/v1/me", Some(&s.device), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_value::<patrol_core::sync::TokenHolder>(body).unwrap(),
        patrol_core::sync::TokenHolder {
            officer: "张三".into(),
            village: Some(YANGLIU.into())
        }
    );
    // The township office's: every village, so none.
    let (status, body) = s
        .json(Method::GET, "/api/v1/me", Some(&s.office), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"officer": "乡镇办公室", "village": null}));
}

#[tokio::test]
async fn oversized_bodies_are_413_json() {
    let limits = Limits {
        max_body_bytes: 4096,
        max_photo_bytes: 1024,
        max_batch_records: 3,
        ..Limits::default()
    };
    let s = Server::with_limits(limits.clone()).await;
    let (status, body) = s
        .json(Method::GET, "/api/v1/limits", Some(&s.device), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_value::<Limits>(body).unwrap(), limits);

    // Declared too long.
    let mut big = record(1, YANGLIU);
    big.notes = "很".repeat(3000);
    let req = PushRequest {
        records: vec![PushRecord {
            base_rev: None,
            record: big,
        }],
    };
    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&serde_json::to_value(&req).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), code::TOO_LARGE);

    // No length declared (streamed): cut off at the limit all the same.
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..10).map(|_| Ok(Bytes::from(vec![b' '; 1000]))).collect();
    let req = Request::post("/api/v1/records")
        .header(header::AUTHORIZATION, format!("Bearer {}", s.device))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let (status, _, body) = s.send(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error_code(&body), code::TOO_LARGE);

    // Too many records.
    let rs: Vec<Record> = (1..=4).map(|n| record(n, YANGLIU)).collect();
    let req = json!({"records": rs.iter().map(|r| json!({"record": r})).collect::<Vec<_>>()});
    let (status, body) = s
        .json(Method::POST, "/api/v1/records", Some(&s.device), Some(&req))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), code::BATCH_TOO_LARGE);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);

    // A photo over its limit.
    let photo = jpeg(5);
    let (status, body) = s
        .put_photo(&Uuid::from_u128(9).to_string(), &photo, &sha256_hex(&photo))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), code::TOO_LARGE);
    assert_eq!(s.count("SELECT COUNT(*) FROM photos").await, 0);
}

#[tokio::test]
async fn invalid_records_are_rejected_per_record_and_misshapen_json_is_422() {
    let s = Server::new().await;
    let good = record(1, YANGLIU);
    let mut bad = record(2, YANGLIU);
    bad.responsibility.phone = "call me".into();
    bad.place = "桥".repeat(201);
    let mut newer = record(3, YANGLIU);
    newer.schema = SCHEMA_VERSION + 1;
    let res = s
        .push(&s.device, &[(None, &good), (None, &bad), (None, &newer)])
        .await;
    assert_eq!(res[0].outcome, accepted(1, vec![]));
    let Outcome::Rejected { problems } = &res[1].outcome else {
        panic!("{:?}", res[1]);
    };
    let fields: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(fields, [("place", "too_long"), ("phone", "invalid_phone")]);
    let Outcome::Rejected { problems } = &res[2].outcome else {
        panic!("{:?}", res[2]);
    };
    assert_eq!(problems[0].field, "schema");
    assert_eq!(problems[0].code, code::NEWER_SCHEMA);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);

    // A newer app's record that does not even fit this server's types (a new kind): that
    // record is rejected, the rest of the batch goes through.
    let mut future = serde_json::to_value(record(4, YANGLIU)).unwrap();
    future["schema"] = json!(SCHEMA_VERSION + 1);
    future["details"] = json!({"kind": "fish_kill", "dead_fish": 300});
    let next = record(5, YANGLIU);
    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&json!({"records": [{"record": future}, {"record": next}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["outcome"], "rejected");
    assert_eq!(body["results"][0]["id"], json!(record(4, YANGLIU).id));
    assert_eq!(
        body["results"][0]["problems"][0]["code"],
        code::NEWER_SCHEMA
    );
    assert_eq!(body["results"][1]["outcome"], "accepted");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 2);

    // JSON that does not fit the types: 422 with the path.
    let mut value = json!({"records": [{"record": good}, {"base_rev": 1, "record": good}]});
    value["records"][1]["record"]["status"] = json!("done");
    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&value),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), code::INVALID);
    assert_eq!(body["error"]["field"], "records[1].record.status");

    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&json!({"records": [{"base_rev": -1, "record": good}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "records[0].base_rev");
    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&json!({"records": [{"record": good}, {"record": {"id": "x"}}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "records[1].record.id");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records").await,
        2,
        "nothing stored"
    );

    // Not JSON: 400; not declared as JSON: 415.
    for (ct, text, expected, expected_code) in [
        (
            "application/json",
            "{\"records\": [",
            StatusCode::BAD_REQUEST,
            code::BAD_JSON,
        ),
        (
            "application/json; charset=utf-8",
            "{\"records\": []} trailing",
            StatusCode::BAD_REQUEST,
            code::BAD_JSON,
        ),
        (
            "text/plain",
            "{\"records\": []}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let req = Request::post("/api/v1/records")
            .header(header::AUTHORIZATION, format!("Bearer {}", s.device))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(text))
            .unwrap();
        let (status, _, body) = s.send(req).await;
        assert_eq!(status, expected, "{text}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error_code(&body), expected_code);
    }
    // An empty batch is fine.
    let (status, body) = s
        .json(
            Method::POST,
            "/api/v1/records",
            Some(&s.device),
            Some(&json!({"records": []})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"results": []})));
}

#[tokio::test]
async fn photos_upload_once_verified_and_records_wait_for_them() {
    let s = Server::new().await;
    let bytes = jpeg(7);
    let id = Uuid::from_u128(0xf00d);
    let sha = sha256_hex(&bytes);
    let mut r = record(1, YANGLIU);
    r.photos.push(photo_ref(id, &bytes));

    // The record first: its photo is missing.
    let res = s.push(&s.device, &[(None, &r)]).await;
    assert_eq!(outcomes(&res), [accepted(1, vec![id])]);
    assert!(!res[0].outcome.is_synced());
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    assert_eq!(outcomes(&res), [unchanged(1, vec![id])]);

    // Not there yet.
    assert_eq!(head(&s, id).await.0, StatusCode::NOT_FOUND);

    // Bytes that do not match the announced hash: refused, nothing stored.
    let mut torn = bytes.clone();
    torn.truncate(1000);
    let (status, body) = s.put_photo(&id.to_string(), &torn, &sha).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), code::HASH_MISMATCH);
    assert_eq!(head(&s, id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.stored_photos().await, Vec::<String>::new());

    // A path segment that is not a UUID.
    for bad in ["not-a-uuid", "..%2F..%2Friver-patrol.db", "x.jpg"] {
        let (status, body) = s.put_photo(bad, &bytes, &sha).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(&body), code::BAD_ID);
    }
    // No or a malformed hash header.
    let (status, body) = s.put_photo(&id.to_string(), &bytes, "abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), code::BAD_REQUEST);
    // Not a JPEG.
    let text = b"hello".to_vec();
    let (status, _) = s
        .put_photo(&id.to_string(), &text, &sha256_hex(&text))
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Stored (201), then again (200), upper-case hex accepted.
    let (status, body) = s.put_photo(&id.to_string(), &bytes, &sha).await;
    assert_eq!(
        (status, &body["stored"]),
        (StatusCode::CREATED, &json!(true))
    );
    let (status, body) = s
        .put_photo(&id.to_string(), &bytes, &sha.to_uppercase())
        .await;
    assert_eq!((status, &body["stored"]), (StatusCode::OK, &json!(false)));
    assert_eq!(s.stored_photos().await, [format!("{id}.jpg")]);

    // Other bytes under the same id: 409.
    let other = jpeg(9);
    let (status, body) = s
        .put_photo(&id.to_string(), &other, &sha256_hex(&other))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), code::PHOTO_CONFLICT);

    // HEAD and GET.
    let (status, headers, _) = head(&s, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    let req = Request::get(photo_path(id))
        .header(header::AUTHORIZATION, format!("Bearer {}", s.office))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let (status, headers, got) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(sha256_hex(&got), sha);

    // Now the record is synced.
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    assert_eq!(outcomes(&res), [unchanged(1, vec![])]);
    assert!(res[0].outcome.is_synced());
}

#[tokio::test]
async fn the_put_answer_carries_the_receipt_and_again_the_first_time() {
    let s = Server::new().await;
    let bytes = jpeg(7);
    let id = Uuid::from_u128(0xf00d);
    let sha = sha256_hex(&bytes);

    let before = Utc::now();
    let (status, body) = s.put_photo(&id.to_string(), &bytes, &sha).await;
    let after = Utc::now();
    assert_eq!(status, StatusCode::CREATED);
    let first: PhotoStored = serde_json::from_value(body.clone()).unwrap();
    let receipt = first.receipt.expect("a receipt");
    assert_eq!((receipt.id, receipt.sha256.as_str()), (id, sha.as_str()));
    assert!(
        before <= receipt.received_at && receipt.received_at <= after,
        "{before} <= {} <= {after}",
        receipt.received_at
    );
    // RFC 3339 in UTC, as every instant of the protocol.
    let text = body["receipt"]["received_at"].as_str().unwrap();
    assert!(text.ends_with('Z') && text.contains('T'), "{text}");

    // The same bytes again, a moment later: 200, and the first upload's receipt.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, body) = s.put_photo(&id.to_string(), &bytes, &sha).await;
    assert_eq!(status, StatusCode::OK);
    let again: PhotoStored = serde_json::from_value(body).unwrap();
    assert_eq!(again.receipt, Some(receipt));
    // Refused uploads carry no receipt: other bytes under the id are 409.
    let other = jpeg(9);
    let (status, body) = s
        .put_photo(&id.to_string(), &other, &sha256_hex(&other))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.get("receipt").is_none(), "{body}");
}

#[tokio::test]
async fn a_pull_carries_the_receipt_of_each_photo_received() {
    let s = Server::new().await;
    let (finding, follow_up) = (jpeg(7), jpeg(8));
    let (first_id, second_id) = (Uuid::from_u128(0xf00d), Uuid::from_u128(0xf00e));
    let mut r = record(1, YANGLIU);
    r.photos.push(photo_ref(first_id, &finding));
    r.photos.push(photo_ref(second_id, &follow_up));
    s.push(&s.device, &[(None, &r)]).await;

    // No photo received yet: no receipts, and none written in the JSON (as an older server).
    let (_, body) = s
        .json(Method::GET, &pull_path(None, None), Some(&s.device), None)
        .await;
    assert!(body["changes"][0].get("receipts").is_none(), "{body}");

    let before = Utc::now();
    let (status, _) = s.put_photo_as(&s.device, first_id, &finding).await;
    let after = Utc::now();
    assert_eq!(status, StatusCode::CREATED);
    let pulled = s.pull(&s.device, None, None).await;
    let receipts = &pulled.changes[0].receipts;
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    let first = receipts[0].clone();
    assert_eq!(first.id, first_id);
    assert_eq!(first.sha256, sha256_hex(&finding));
    assert!(
        before <= first.received_at && first.received_at <= after,
        "{before} <= {} <= {after}",
        first.received_at
    );

    // The same bytes again, later: the first time is kept.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = s.put_photo_as(&s.device, first_id, &finding).await;
    assert_eq!(status, StatusCode::OK);
    // Other bytes under the first photo's id, from another village: its namesake, which is
    // no receipt of this record's photo.
    let (status, _) = s.put_photo_as(&s.other, first_id, &jpeg(9)).await;
    assert_eq!(status, StatusCode::CREATED);
    // The second photo arrives; the office sees both, in the record's photo order.
    let (status, _) = s.put_photo_as(&s.device, second_id, &follow_up).await;
    assert_eq!(status, StatusCode::CREATED);
    for token in [&s.device, &s.office] {
        let pulled = s.pull(token, None, None).await;
        let receipts = &pulled.changes[0].receipts;
        assert_eq!(receipts.len(), 2, "{receipts:?}");
        assert_eq!(receipts[0], first, "the first upload's time, and its bytes");
        assert_eq!(
            (receipts[1].id, receipts[1].sha256.as_str()),
            (second_id, sha256_hex(&follow_up).as_str())
        );
        assert!(receipts[1].received_at > first.received_at);
    }
}

#[tokio::test]
async fn the_csv_export_carries_each_photos_receipt() {
    let s = Server::new().await;
    let bytes = jpeg(7);
    let id = Uuid::from_u128(0xf00d);
    let mut r = record(1, YANGLIU);
    r.photos.push(photo_ref(id, &bytes));
    s.push(&s.device, &[(None, &r)]).await;
    let column = |csv: &str| {
        let rows: Vec<Vec<&str>> = csv
            .trim_start_matches('\u{feff}')
            .split("\r\n")
            .map(|row| row.split(',').collect())
            .collect();
        let at = rows[0].iter().position(|h| *h == "照片送达").unwrap();
        assert_eq!(rows[0].len(), csv::LEDGER_HEADERS.len());
        rows[1][at].to_owned()
    };
    // Not received: the photo counts (照片数), but has no receipt.
    let (_, _, csv) = s.csv(&s.office).await;
    assert_eq!(column(&csv), "");

    s.put_photo_as(&s.device, id, &bytes).await;
    let receipt = s.pull(&s.office, None, None).await.changes[0].receipts[0].clone();
    let sha = sha256_hex(&bytes);
    for token in [&s.device, &s.office] {
        let (status, _, csv) = s.csv(token).await;
        assert_eq!(status, StatusCode::OK);
        let cell = column(&csv);
        assert_eq!(cell, csv::receipt_note(&receipt));
        // China time to the second, then the hash's first 12 hex digits.
        let (time, prefix) = cell.rsplit_once(' ').unwrap();
        assert_eq!(prefix, &sha[..12]);
        assert_eq!(time.len(), "2026-05-01 16:00:00".len(), "{time}");
        let local = receipt
            .received_at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        assert_eq!(time, local.format("%Y-%m-%d %H:%M:%S").to_string());
    }
}

async fn head(s: &Server, id: Uuid) -> (StatusCode, HeaderMap, Bytes) {
    let req = Request::head(photo_path(id))
        .header(header::AUTHORIZATION, format!("Bearer {}", s.device))
        .body(Body::empty())
        .unwrap();
    s.send(req).await
}

#[tokio::test]
async fn another_villages_records_are_rejected_and_never_pulled() {
    let s = Server::new().await;
    let theirs = record(1, HONGYAN);
    let res = s.push(&s.device, &[(None, &theirs)]).await;
    let Outcome::Rejected { problems } = &res[0].outcome else {
        panic!("{res:?}");
    };
    assert_eq!(problems[0].field, "village");
    assert_eq!(problems[0].code, code::WRONG_VILLAGE);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);

    // Stored through the other village's device and the office.
    let res = s.push(&s.other, &[(None, &theirs)]).await;
    assert_eq!(outcomes(&res), [accepted(1, vec![])]);
    let office_rec = record(2, HONGYAN);
    s.push(&s.office, &[(None, &office_rec)]).await;
    let mine = record(3, YANGLIU);
    s.push(&s.device, &[(None, &mine)]).await;

    let pulled = s.pull(&s.device, None, None).await;
    let ids: Vec<Uuid> = pulled.changes.iter().map(|c| c.record.id).collect();
    assert_eq!(ids, [mine.id]);
    let pulled = s.pull(&s.other, None, None).await;
    assert_eq!(pulled.changes.len(), 2);
    let pulled = s.pull(&s.office, None, None).await;
    assert_eq!(pulled.changes.len(), 3);

    // Spaces around the village name do not matter.
    let mut spaced = record(4, YANGLIU);
    spaced.village = format!(" {YANGLIU} ");
    let res = s.push(&s.device, &[(None, &spaced)]).await;
    assert_eq!(outcomes(&res), [accepted(1, vec![])]);
    let pulled = s.pull(&s.device, None, None).await;
    assert_eq!(pulled.changes.len(), 2);

    // Taking over another village's record by its id: rejected too.
    let mut hijack = theirs.clone();
    hijack.village = YANGLIU.into();
    let res = s.push(&s.device, &[(Some(1), &hijack)]).await;
    assert!(
        matches!(&res[0].outcome, Outcome::Rejected { problems } if problems[0].code == code::WRONG_VILLAGE)
    );

    // The CSV is scoped the same way.
    let (_, _, csv) = s.csv(&s.device).await;
    assert!(csv.contains(&mine.id.to_string()));
    assert!(!csv.contains(&theirs.id.to_string()));
    let (_, _, csv) = s.csv(&s.office).await;
    assert!(csv.contains(&theirs.id.to_string()) && csv.contains(&mine.id.to_string()));
}

#[tokio::test]
async fn csv_has_bom_chinese_headers_and_rows() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.status = Status::Fixed;
    s.push(&s.device, &[(None, &r)]).await;
    let (status, headers, csv) = s.csv(&s.device).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(csv.starts_with("\u{feff}序号,村/社区,问题类型,问题描述,位置,经度,纬度,定位方式,"));
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows.len(), 3, "header, one row, empty after the last CRLF");
    assert!(rows[1].starts_with("1,杨柳村,排污口,沿河住户生活污水直排入河 1,四组桥头,"));
    // Found already fixed: fixed when found; no follow-up yet, no notes.
    assert!(rows[1].contains(",已整改,2026-05-01 16:00,2026-05-01 16:00,,0,,张三,0,"));
}

#[tokio::test]
async fn token_commands_create_list_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let url = match postgres_server() {
        Some(server) => new_postgres_database(&server).await,
        None => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    let db = river_patrol_server::db::open_database(&url).await.unwrap();
    let a = tokens::create(&db, " 张三 ", Some("红星村")).await.unwrap();
    let b = tokens::create(&db, "乡镇办公室", None).await.unwrap();
    assert!(a.token.starts_with("rp_") && a.token.len() == 3 + 64);
    assert_ne!(a.token, b.token);
    assert!(tokens::create(&db, "  ", Some("红星村")).await.is_err());
    assert!(tokens::create(&db, "王五", Some(" ")).await.is_err());

    let list = tokens::list(&db).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (
            list[0].id,
            list[0].officer.as_str(),
            list[0].village.as_deref()
        ),
        (a.id, "张三", Some("红星村"))
    );
    assert_eq!(list[1].village, None);
    assert!(list.iter().all(|t| t.revoked_at.is_none()));
    // Only the hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM tokens")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(!stored.contains(&a.token));
    assert!(stored.contains(&sha256_hex(a.token.as_bytes())));

    let caller = tokens::authenticate(&db, &a.token).await.unwrap().unwrap();
    assert_eq!(caller.village.as_deref(), Some("红星村"));
    assert!(tokens::revoke(&db, a.id).await.unwrap());
    assert!(!tokens::revoke(&db, a.id).await.unwrap(), "already revoked");
    assert!(!tokens::revoke(&db, 999).await.unwrap());
    assert_eq!(tokens::authenticate(&db, &a.token).await.unwrap(), None);
    assert!(tokens::list(&db).await.unwrap()[0].revoked_at.is_some());
    assert!(tokens::authenticate(&db, &b.token).await.unwrap().is_some());
}

#[tokio::test]
async fn api_paths_never_fall_back_to_the_app() {
    let s = Server::new().await;
    for path in [
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/nothing",
        "/api/v2/records",
    ] {
        let (status, body) = s.json(Method::GET, path, Some(&s.device), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&body), code::NOT_FOUND);
    }
    let (status, body) = s
        .json(Method::DELETE, "/api/v1/records", Some(&s.device), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(&body), code::METHOD_NOT_ALLOWED);
    // The app's deep links still work.
    let (status, headers, _) = s
        .send(Request::get("/settings").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Without a database configured, the API is 404 JSON too.
    let bare = app(Config::new(s.dir.path().join("dist")));
    let res = bare
        .oneshot(Request::get("/api/v1/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_preflight_and_health() {
    let mut s = Server::new().await;
    let preflight = |origin: &str| {
        Request::options("/api/v1/records")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    // Closed by default: no page of another origin may call.
    let (_, headers, _) = s.send(preflight("https://patrol.example.org")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // A configured origin may; any other still may not.
    let open = |origins: &[&str]| {
        app(Config::new(s.dir.path().join("dist"))
            .with_api(s.api.clone())
            .with_cors_origins(
                origins
                    .iter()
                    .map(|o| river_patrol_server::origin(o).unwrap())
                    .collect(),
            ))
    };
    let res = open(&["https://patrol.example.org"])
        .oneshot(preflight("https://patrol.example.org"))
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://patrol.example.org"
    );
    let res = open(&["https://patrol.example.org"])
        .oneshot(preflight("https://evil.example.com"))
        .await
        .unwrap();
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    let res = open(&["*"])
        .oneshot(preflight("https://anywhere.example.com"))
        .await
        .unwrap();
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    let (status, body) = s.json(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let health: Health = serde_json::from_value(body).unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        (health.database.as_str(), health.photo_store.as_str()),
        (
            if on_postgres() { "postgres" } else { "sqlite" },
            if on_s3() { "s3" } else { "local" }
        )
    );

    // A photo store that does not answer: 503 JSON, and no path or bucket told. On the local
    // folder, a folder that is not a folder any more; on S3, a bucket that refuses the
    // server's credentials (403).
    let photos = s.data().join("photos");
    let working = s.api.photos.clone();
    match &s.bucket {
        None => {
            std::fs::rename(&photos, s.data().join("photos-away")).unwrap();
            std::fs::write(&photos, b"not a folder").unwrap();
        }
        Some(bucket) => {
            let refused = PhotoStore::s3(&bucket.name, "", s3::client("not-the-secret")).unwrap();
            s.api.photos = open_photo_store(&refused, &s.data()).unwrap();
        }
    }
    let (status, body) = s.json(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(error_code(&body), code::UNAVAILABLE);
    assert!(!body.to_string().contains("photos"), "{body}");
    if s.bucket.is_none() {
        std::fs::remove_file(&photos).unwrap();
        std::fs::rename(s.data().join("photos-away"), &photos).unwrap();
    }
    s.api.photos = working;
    let (status, body) = s.json(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    if let Some(bucket) = &s.bucket {
        // A bucket that is not there (a HEAD would answer 404 as for a photo not held).
        let missing = PhotoStore::s3("no-such-bucket", "", s3::client(s3::SECRET_KEY)).unwrap();
        let working = s.api.photos.clone();
        s.api.photos = open_photo_store(&missing, &s.data()).unwrap();
        let (status, body) = s.json(Method::GET, "/api/v1/health", None, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(!body.to_string().contains("no-such-bucket"), "{body}");
        s.api.photos = working;
        // And at start-up: a clear error.
        let config = s.store_config().with_photo_store(missing);
        let e = format!("{:#}", AppState::open(&config).await.unwrap_err());
        assert!(
            e.contains("the photo store s3://no-such-bucket does not answer"),
            "{e}"
        );
        // An endpoint where nothing listens: the same, after a few quick retries.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let nowhere = s3::client(s3::SECRET_KEY).with_endpoint(endpoint);
        let nowhere = PhotoStore::s3(&bucket.name, "", nowhere).unwrap();
        let config = s.store_config().with_photo_store(nowhere);
        let e = format!("{:#}", AppState::open(&config).await.unwrap_err());
        assert!(e.contains("does not answer"), "{e}");
    }

    // A closed database: 503 JSON.
    s.api.db.close().await;
    let (status, body) = s.json(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), code::UNAVAILABLE);
}

#[tokio::test]
async fn data_survives_a_restart_over_real_tcp() {
    let s = Server::new().await;
    let r = record(1, YANGLIU);
    s.push(&s.device, &[(None, &r)]).await;
    s.api.db.close().await;

    // Open the same folder again (migrations run again harmlessly) and serve on a socket.
    let api = AppState::open(&s.store_config()).await.unwrap();
    let router = app(Config::new(s.dir.path().join("dist")).with_api(api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let response = http_get(addr, &pull_path(None, None), &s.device).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let pulled: PullResponse = serde_json::from_str(body).unwrap();
    assert_eq!(pulled.changes[0].record, r);
    server.abort();
}

/// An update of the server over a database written by the one before (migrations 0001 to
/// 0003, no transaction column): the records are all there, and a phone's cursor from before
/// the update goes on where it was.
#[tokio::test]
async fn a_cursor_from_before_the_change_order_update_goes_on_where_it_was() {
    let mut s = Server::new().await;
    let (engine, url) = match postgres_server() {
        Some(server) => ("postgres", new_postgres_database(&server).await),
        None => (
            "sqlite",
            format!("sqlite://{}?mode=rwc", s.data().join("before.db").display()),
        ),
    };
    // The database as the previous server left it.
    let before = tempfile::tempdir().unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    for name in [
        "0001_sync.sql",
        "0002_patrols.sql",
        "0003_photo_villages.sql",
    ] {
        std::fs::copy(migrations.join(name), before.path().join(name)).unwrap();
    }
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(before.path())
        .await
        .unwrap()
        .run(&db)
        .await
        .unwrap();
    let old: Vec<Record> = (1..=3).map(|n| record(n, YANGLIU)).collect();
    for (seq, r) in (1..).zip(&old) {
        sqlx::query(
            "INSERT INTO records (id, village, server_rev, seq, body, deleted, created_at,
                                  stored_at)
             VALUES ($1, $2, 1, $3, $4, 0, $5, $5)",
        )
        .bind(r.id.to_string())
        .bind(YANGLIU)
        .bind(seq)
        .bind(patrol_core::codec::encode(r))
        .bind(r.created_at.to_rfc3339())
        .execute(&db)
        .await
        .unwrap();
    }
    db.close().await;

    // The new server opens it (migration 0004 and on).
    let mut config = s.store_config();
    config.database_url = Some(url);
    s.api = AppState::open(&config).await.unwrap();
    s.office = tokens::create(&s.api.db, "乡镇办公室", None)
        .await
        .unwrap()
        .token;
    // A phone that had pulled the first record, cursor "1".
    let page = s.pull(&s.office, Some("1"), None).await;
    let ids = |page: &PullResponse| page.changes.iter().map(|c| c.record.id).collect::<Vec<_>>();
    assert_eq!(ids(&page), [old[1].id, old[2].id]);
    let new = record(4, YANGLIU);
    s.push(&s.office, &[(None, &new)]).await;
    let next = s.pull(&s.office, Some(&page.cursor), None).await;
    assert_eq!(ids(&next), [new.id]);
    let all = s.pull(&s.office, None, None).await;
    assert_eq!(ids(&all), [old[0].id, old[1].id, old[2].id, new.id]);
}

/// The server binary, killed when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server binary serving `s`'s data folder (and database) on a free port, with the options
/// `configure` adds; once it takes connections.
async fn serve_binary(
    s: &Server,
    configure: impl FnOnce(&mut std::process::Command),
) -> (Killed, std::net::SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_river-patrol-server"));
    command.arg("serve");
    if let Some(url) = s.database_url() {
        command.args(["--database-url", url]);
    }
    command
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--dist")
        .arg(s.dir.path().join("dist"))
        .arg("--data")
        .arg(s.data())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    configure(&mut command);
    let server = Killed(command.spawn().unwrap());
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut up = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(up, "the server did not start on {addr}");
    (server, addr)
}

/// The released binary as deployed on S3: `--photo-store` names the bucket and the `AWS_*`
/// variables the rest, read by `object_store` itself (the other tests hand the settings over
/// in code). Runs whatever `RP_TEST_PHOTO_STORE` says: it is about the S3 configuration.
#[tokio::test]
async fn the_binary_keeps_photos_in_the_bucket_its_environment_names() {
    let s = Server::new().await;
    let bucket = s3::Bucket::new();
    let (_server, addr) = serve_binary(&s, |command| {
        command
            .env(
                "RIVER_PATROL_PHOTO_STORE",
                format!("s3://{}/township", bucket.name),
            )
            .env("AWS_ENDPOINT_URL", s3::endpoint())
            .env("AWS_REGION", s3::REGION)
            .env("AWS_ACCESS_KEY_ID", s3::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", s3::SECRET_KEY)
            .env("AWS_ALLOW_HTTP", "true");
        // Only these settings: none of the machine's own AWS_* variables.
        for (name, _) in std::env::vars_os() {
            let aws = name.to_str().is_some_and(|n| n.starts_with("AWS_"));
            if aws && command.get_envs().all(|(set, _)| set != name.as_os_str()) {
                command.env_remove(&name);
            }
        }
    })
    .await;

    let bytes = jpeg(5);
    let id = Uuid::from_u128(0x5305);
    let response = http_put_photo(addr, id, &bytes, &s.device).await;
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let health = http_get(addr, "/api/v1/health", &s.device).await;
    assert!(health.contains(r#""photo_store":"s3""#), "{health}");

    // In the bucket, under the prefix.
    let store = PhotoStore::s3(&bucket.name, "township", s3::client(s3::SECRET_KEY)).unwrap();
    let store = open_photo_store(&store, &s.data()).unwrap();
    let key = river_patrol_server::photo_store::photo_key(id);
    let stored = store.get(&key).await.unwrap().bytes().await.unwrap();
    assert_eq!(stored.as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_township_sets_the_rule_for_a_valid_patrol() {
    let mut s = Server::new().await;
    let township = township_path();
    // Out of the box, the usual rule.
    let (status, body) = s.json(Method::GET, &township, Some(&s.device), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"patrol_rule": {"min_minutes": 15, "min_metres": 1000}, "basemap": null})
    );

    // A township whose rule is 20 minutes and 2 km: every token reads it, a village's and the
    // office's alike.
    let rule = PatrolRule {
        min_minutes: 20,
        min_metres: 2000,
    };
    s.api = s.api.clone().with_patrol_rule(rule);
    for token in [&s.device, &s.other, &s.office] {
        let (status, body) = s.json(Method::GET, &township, Some(token), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            serde_json::from_value::<Township>(body).unwrap(),
            Township {
                patrol_rule: rule,
                basemap: None
            }
        );
    }
    // Nobody else.
    let (status, body) = s.json(Method::GET, &township, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), code::UNAUTHORIZED);

    // The binary takes the rule and the basemap from its command line or its environment,
    // and its pages may load the basemap's tiles.
    let tianditu = "https://t0.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=img&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY";
    let (_server, addr) = serve_binary(&s, |command| {
        command
            .args(["--patrol-min-minutes", "20"])
            .env("RIVER_PATROL_PATROL_MIN_METRES", "2000")
            .env("RIVER_PATROL_BASEMAP", tianditu)
            .args([
                "--basemap-attribution",
                "天地图",
                "--basemap-max-zoom",
                "18",
            ]);
    })
    .await;
    let response = http_get(addr, &township, &s.device).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    assert_eq!(
        serde_json::from_str::<Township>(body).unwrap(),
        Township {
            patrol_rule: rule,
            basemap: Some(Basemap::new(tianditu, "天地图", 18).unwrap())
        }
    );
    let policy = response
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap_or_else(|| panic!("{response}"));
    assert!(
        policy.contains("img-src 'self' blob: https://t0.tianditu.gov.cn;"),
        "{policy}"
    );
    assert!(
        policy.contains("connect-src 'self' https://t0.tianditu.gov.cn;"),
        "{policy}"
    );

    // A template that cannot give tiles stops the server with the reason.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_river-patrol-server"))
        .args([
            "serve",
            "--basemap",
            "https://tiles.example.org/{z}/{x}.png",
            "--dist",
        ])
        .arg(s.dir.path().join("dist"))
        .arg("--data")
        .arg(s.data())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--basemap") && said.contains("{y}"), "{said}");
}

/// `PUT /api/v1/photos/{id}` of `bytes` over a socket; the whole response as text.
async fn http_put_photo(addr: std::net::SocketAddr, id: Uuid, bytes: &[u8], token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/jpeg\r\n{PHOTO_SHA256_HEADER}: {}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        photo_path(id),
        sha256_hex(bytes),
        bytes.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// A plain HTTP/1.1 GET with `Connection: close`; the whole response as text.
async fn http_get(addr: std::net::SocketAddr, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn concurrent_pushes_lose_and_duplicate_nothing() {
    let s = std::sync::Arc::new(Server::new().await);
    let shared = record(1000, YANGLIU);
    let mut tasks = Vec::new();
    for t in 0..8u128 {
        let s = s.clone();
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let own: Vec<Record> = (0..10).map(|n| record(t * 100 + n, YANGLIU)).collect();
            let mut batch: Vec<(Option<u64>, &Record)> = own.iter().map(|r| (None, r)).collect();
            // Every task also sends the same record, as phones retrying at once would.
            batch.push((None, &shared));
            outcomes(&s.push(&s.device, &batch).await)
        }));
    }
    let mut accepted_shared = 0;
    for task in tasks {
        let results = task.await.unwrap();
        assert!(results[..10].iter().all(|o| *o == accepted(1, vec![])));
        match &results[10] {
            o if *o == accepted(1, vec![]) => accepted_shared += 1,
            o => assert_eq!(*o, unchanged(1, vec![])),
        }
    }
    assert_eq!(accepted_shared, 1, "the shared record is stored once");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 81);
    assert_eq!(s.count("SELECT COUNT(DISTINCT seq) FROM records").await, 81);
    let mut since = None;
    let mut ids = std::collections::HashSet::new();
    loop {
        let page = s.pull(&s.office, since.as_deref(), Some(7)).await;
        for c in &page.changes {
            assert!(ids.insert(c.record.id), "pulled twice");
        }
        since = Some(page.cursor);
        if !page.more {
            break;
        }
    }
    assert_eq!(ids.len(), 81);
}

#[tokio::test]
async fn the_same_photo_uploaded_at_once_is_stored_once() {
    let s = std::sync::Arc::new(Server::new().await);
    let bytes = jpeg(11);
    let sha = sha256_hex(&bytes);
    let id = Uuid::from_u128(0xbeef);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (s, bytes, sha) = (s.clone(), bytes.clone(), sha.clone());
        tasks.push(tokio::spawn(async move {
            s.put_photo(&id.to_string(), &bytes, &sha).await
        }));
    }
    let mut created = 0;
    let mut receipts = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        let answer: PhotoStored = serde_json::from_value(body).unwrap();
        match status {
            StatusCode::CREATED => {
                assert!(answer.stored);
                created += 1;
            }
            status => assert_eq!((status, answer.stored), (StatusCode::OK, false)),
        }
        receipts.push(answer.receipt.expect("every answer carries the receipt"));
    }
    assert_eq!(created, 1);
    assert!(
        receipts.iter().all(|r| *r == receipts[0]),
        "one receipt, the first upload's: {receipts:?}"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM photos").await, 1);
    assert_eq!(s.stored_photos().await, [format!("{id}.jpg")]);
    assert_eq!(s.stored_photo(id).await, bytes);
}

const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/sample-ledger.csv");
const SAMPLE_GB18030: &[u8] = include_bytes!("../../tests/fixtures/sample-ledger-gb18030.csv");
const BAD_ROWS: &[u8] = include_bytes!("../../tests/fixtures/ledger-bad-rows.csv");

#[tokio::test]
async fn the_office_ledger_imports_once_with_the_phones_ids() {
    let s = Server::new().await;
    let (status, body) = s.import(&s.office, "text/csv", SAMPLE).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"imported": 44, "already": 0, "rejected": []}));
    // The GB18030 copy Excel on Chinese Windows saves is the same ledger: nothing new.
    let (_, body) = s
        .import(&s.office, "text/csv; charset=gb18030", SAMPLE_GB18030)
        .await;
    assert_eq!(body, json!({"imported": 0, "already": 44, "rejected": []}));

    // The same ids as a phone importing the same file with the import ids its pulls bring:
    // syncing both makes no duplicates.
    let text = std::str::from_utf8(SAMPLE).unwrap();
    let ids = s.pull(&s.office, None, Some(1)).await.import_ids;
    assert!(
        ids.is_some(),
        "a pull tells the phone the server's import ids"
    );
    let on_phone = patrol_core::import::plan(text, "张三", Utc::now(), ids.as_ref());
    let mut phone_ids: Vec<Uuid> = on_phone.valid().map(|r| r.id).collect();
    let mut server_ids: Vec<Uuid> = s
        .pull(&s.office, None, Some(100))
        .await
        .changes
        .iter()
        .map(|c| c.record.id)
        .collect();
    phone_ids.sort();
    server_ids.sort();
    assert_eq!(phone_ids, server_ids);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 44);
}

#[tokio::test]
async fn an_import_reports_bad_rows_and_other_villages_and_refuses_what_is_not_a_ledger() {
    let s = Server::new().await;
    // The device token is for 杨柳村 only; the file's one valid row is of 杨柳村.
    let (status, body) = s.import(&s.device, "text/csv", BAD_ROWS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], 1);
    let lines: Vec<u64> = body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(
        body["rejected"][6]["problems"],
        json!([{"field": "phone", "code": "invalid_phone"}])
    );
    // A valid row of another village is refused for a village token.
    let other = "村(社区),问题描述\n白沙村,桥下垃圾\n".as_bytes();
    let (_, body) = s.import(&s.device, "text/csv", other).await;
    assert_eq!(
        body["rejected"],
        json!([{"line": 2, "problems": [{"field": "village", "code": "wrong_village"}]}])
    );

    let (status, body) = s
        .import(&s.device, "text/csv", "姓名,年龄\n张三,40\n".as_bytes())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = s.import(&s.device, "application/json", SAMPLE).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let req = Request::post("/api/v1/import")
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(SAMPLE.to_vec()))
        .unwrap();
    assert_eq!(s.send(req).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn a_patrol_pushed_as_it_grows_is_stored_once_and_pulled_whole() {
    let s = Server::new().await;
    let mut walking = patrol(YANGLIU, 3);
    assert_eq!(
        s.push_patrols(&s.device, &[&walking]).await,
        [PatrolOutcome::Accepted { revision: 3 }]
    );
    // The track grows and the patrol ends; pushed again, then a late copy of the old state.
    let old = walking.clone();
    walking = patrol(YANGLIU, 0).clone();
    walking.id = old.id;
    walking.track = patrol(YANGLIU, 6).track;
    walking.end(at(3, 11));
    walking.revision = 7;
    s.push_patrols(&s.device, &[&walking]).await;
    assert_eq!(
        s.push_patrols(&s.device, &[&old]).await,
        [PatrolOutcome::Accepted { revision: 7 }],
        "a late old copy takes nothing away"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 1);

    let page = s.pull_patrols(&s.device, None).await;
    assert_eq!(page.patrols, [walking.clone()]);
    assert!(!page.more);
    // Nothing new after the cursor.
    let later = s.pull_patrols(&s.device, Some(&page.cursor)).await;
    assert!(later.patrols.is_empty() && later.cursor == page.cursor);
}

#[tokio::test]
async fn two_copies_that_each_know_a_fix_are_merged_one_revision_on() {
    let s = Server::new().await;
    let phone = patrol(YANGLIU, 4);
    s.push_patrols(&s.device, &[&phone]).await;
    let mut other = phone.clone();
    other.track.remove(1);
    other.track.push(TrackPoint {
        lat: 31.3,
        lon: 107.54,
        accuracy_m: 5.0,
        at: at(3, 10),
    });
    assert_eq!(
        s.push_patrols(&s.device, &[&other]).await,
        [PatrolOutcome::Accepted { revision: 5 }]
    );
    let page = s.pull_patrols(&s.device, None).await;
    assert_eq!(page.patrols[0].track.len(), 5);
    assert_eq!(page.patrols[0].revision, 5);
}

#[tokio::test]
async fn patrols_are_scoped_to_the_village_and_a_river_is_needed() {
    let s = Server::new().await;
    let theirs = patrol(HONGYAN, 2);
    let outcome = s.push_patrols(&s.device, &[&theirs]).await;
    assert!(
        matches!(&outcome[0], PatrolOutcome::Rejected { problems } if problems[0].code == code::WRONG_VILLAGE),
        "{outcome:?}"
    );
    let mut no_river = patrol(YANGLIU, 1);
    no_river.river = " ".into();
    let outcome = s.push_patrols(&s.device, &[&no_river]).await;
    assert!(
        matches!(&outcome[0], PatrolOutcome::Rejected { problems } if problems[0].field == "river" && problems[0].code == "required"),
        "{outcome:?}"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 0);

    // A phone with no village in its settings: the token's village.
    let unset = patrol("", 2);
    s.push_patrols(&s.device, &[&unset]).await;
    s.push_patrols(&s.other, &[&theirs]).await;
    let mine = s.pull_patrols(&s.device, None).await;
    assert_eq!(mine.patrols.len(), 1);
    assert_eq!(mine.patrols[0].village, YANGLIU);
    assert!(!mine.more);
    // The office sees both, a page of one at a time.
    let first = s.pull_patrols(&s.office, None).await;
    assert!(first.more);
    let second = s.pull_patrols(&s.office, Some(&first.cursor)).await;
    assert!(!second.more);
    assert_ne!(first.patrols[0].id, second.patrols[0].id);

    // No token: 401, like every route.
    let (status, _) = s.json(Method::GET, "/api/v1/patrols", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The sample ledger's rows of `village`, as a phone that has not heard from the server
/// (legacy ids, computable by anyone who knows the rows) would import them.
fn legacy_rows_of(village: &str) -> Vec<Record> {
    let text = std::str::from_utf8(SAMPLE).unwrap();
    patrol_core::import::plan(text, "张三", Utc::now(), None)
        .valid()
        .filter(|r| r.village == village)
        .cloned()
        .collect()
}

#[tokio::test]
async fn another_village_cannot_squat_an_imported_rows_id() {
    let s = Server::new().await;
    // 红岩村's token pushes records of its own under the ids 杨柳村's three rows would have
    // had (made from their content, as anyone could before import ids were secret).
    let squats: Vec<Record> = legacy_rows_of(YANGLIU)
        .into_iter()
        .enumerate()
        .map(|(n, row)| {
            let mut squat = record(900 + n as u128, HONGYAN);
            squat.id = row.id;
            squat
        })
        .collect();
    let pushed = s
        .push(
            &s.other,
            &squats.iter().map(|r| (None, r)).collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(outcomes(&pushed), vec![accepted(1, vec![]); squats.len()]);

    // The office imports the ledger: 杨柳村's rows are stored, never "already".
    let (status, body) = s.import(&s.office, "text/csv", SAMPLE).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"imported": 44, "already": 0, "rejected": []}));
    let theirs = s.pull(&s.device, None, Some(100)).await.changes;
    assert_eq!(theirs.len(), 3, "杨柳村 sees its three rows");
    assert!(theirs.iter().all(|c| c.record.village == YANGLIU));
    // Again: all already, the squatted rows too (under their new ids).
    let (_, body) = s.import(&s.office, "text/csv", SAMPLE).await;
    assert_eq!(body, json!({"imported": 0, "already": 44, "rejected": []}));

    // Were the secret ever to leak and a row's id be taken, the row is rejected with the
    // reason, not counted as there.
    let s = Server::new().await;
    let ids = ImportIds::for_token(s.api.import_secret, None);
    let text = std::str::from_utf8(SAMPLE).unwrap();
    let plan = patrol_core::import::plan(text, "张三", Utc::now(), Some(&ids));
    let (line, row) = plan
        .rows
        .iter()
        .find_map(|r| {
            Some((r.line, r.outcome.as_ref().ok()?)).filter(|(_, r)| r.village == YANGLIU)
        })
        .unwrap();
    let mut squat = record(990, HONGYAN);
    squat.id = row.id;
    s.push(&s.other, &[(None, &squat)]).await;
    let (_, body) = s.import(&s.office, "text/csv", SAMPLE).await;
    assert_eq!(
        body,
        json!({"imported": 43, "already": 0, "rejected": [
            {"line": line, "problems": [{"field": "id", "code": "id_taken"}]}
        ]})
    );
}

#[tokio::test]
async fn rows_imported_before_ids_were_secret_are_found_again() {
    let s = Server::new().await;
    // A phone of 杨柳村 imported its rows with the old ids and synced them.
    let old = legacy_rows_of(YANGLIU);
    s.push(
        &s.device,
        &old.iter().map(|r| (None, r)).collect::<Vec<_>>(),
    )
    .await;
    // The office's import of the same file stores only the other villages' rows.
    let (_, body) = s.import(&s.office, "text/csv", SAMPLE).await;
    assert_eq!(body, json!({"imported": 41, "already": 3, "rejected": []}));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 44);
}
