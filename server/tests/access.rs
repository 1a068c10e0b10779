//! Who may call what: every documented API route (`api::ROUTES`) with no token, a wrong token,
//! a revoked token and another village's token, against one village's record, photo, patrol
//! and device token. Nothing of that village is read or changed by anyone but its own devices
//! and the township office, and only the office manages tokens, dispatches problems (交办) and
//! reviews them (销号 / 退回).

mod common;

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use chrono::{DateTime, Utc};
use common::*;
use patrol_core::sync::{
    PHOTO_SHA256_HEADER, PatrolOutcome, PatrolPushResponse, PushResponse, code, patrol_pull_path,
    pull_path,
};
use patrol_core::*;
use river_patrol_server::db::tokens::{self, sha256_hex};
use river_patrol_server::routes::ROUTES;
use serde_json::{Value, json};
use uuid::Uuid;

/// Who calls, besides the village's own device.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    NoToken,
    WrongToken,
    Revoked,
    OtherVillage,
}

const CALLERS: [Caller; 4] = [
    Caller::NoToken,
    Caller::WrongToken,
    Caller::Revoked,
    Caller::OtherVillage,
];

/// 杨柳村's data on the server, and a revoked 杨柳村 token.
struct Fixture {
    s: Server,
    record: Record,
    photo: Uuid,
    photo_bytes: Vec<u8>,
    /// When the server received `photo`.
    received_at: DateTime<Utc>,
    patrol: Patrol,
    revoked: String,
    /// The id of 杨柳村's device token (`s.device`).
    device_id: i64,
}

impl Fixture {
    async fn new() -> Fixture {
        let s = Server::new().await;
        let photo_bytes = jpeg(5);
        let photo = Uuid::from_u128(0xacce55);
        let mut record = record(1, YANGLIU);
        record.photos.push(photo_ref(photo, &photo_bytes));
        s.push(&s.device, &[(None, &record)]).await;
        let (status, answer) = s
            .put_photo(&photo.to_string(), &photo_bytes, &sha256_hex(&photo_bytes))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let answer: PhotoStored = serde_json::from_value(answer).unwrap();
        let received_at = answer.receipt.expect("a receipt").received_at;
        let patrol = patrol(YANGLIU, 3);
        s.push_patrols(&s.device, &[&patrol]).await;

        let revoked = tokens::create(&s.api.db, "王五", Some(YANGLIU))
            .await
            .unwrap();
        assert!(tokens::revoke(&s.api.db, revoked.id).await.unwrap());
        let device_id = tokens::list(&s.api.db)
            .await
            .unwrap()
            .iter()
            .find(|t| t.officer == "张三")
            .expect("the device token")
            .id;
        Fixture {
            device_id,
            s,
            record,
            photo,
            photo_bytes,
            received_at,
            patrol,
            revoked: revoked.token,
        }
    }

    fn token(&self, caller: Caller) -> Option<String> {
        match caller {
            Caller::NoToken => None,
            // Well-formed, never issued.
            Caller::WrongToken => Some(format!("rp_{}", "0".repeat(64))),
            Caller::Revoked => Some(self.revoked.clone()),
            Caller::OtherVillage => Some(self.s.other.clone()),
        }
    }

    /// The request `route` makes about 杨柳村's data: reads of it, or writes that would change
    /// it (an edit of its record and patrol, other bytes under its photo's id, an import row).
    fn request(&self, (method, path): (&str, &str), token: Option<&str>) -> Request<Body> {
        let photo = path.replace("{id}", &self.photo.to_string());
        let (method, uri, content_type, body): (Method, String, &str, Vec<u8>) =
            match (method, path) {
                (
                    "get",
                    "/api/v1/health"
                    | "/api/v1/limits"
                    | "/api/v1/me"
                    | "/api/v1/township"
                    | "/api/v1/export.csv"
                    | "/api/v1/export.xlsx",
                ) => (Method::GET, path.into(), "", vec![]),
                // A tile of 杨柳村's river; this server serves none (no `--tiles`).
                ("get", "/api/v1/tiles/{z}/{x}/{y}") => (
                    Method::GET,
                    "/api/v1/tiles/17/104690/53547".into(),
                    "",
                    vec![],
                ),
                ("get", "/api/v1/records") => (Method::GET, pull_path(None, None), "", vec![]),
                ("post", "/api/v1/records") => {
                    let mut edit = self.record.clone();
                    edit.title = "改掉别村的记录".into();
                    edit.revision += 1;
                    let body = json!({"records": [{"base_rev": 1, "record": edit}]});
                    (
                        Method::POST,
                        path.into(),
                        "application/json",
                        body.to_string().into(),
                    )
                }
                ("put", "/api/v1/photos/{id}") => (Method::PUT, photo, "image/jpeg", jpeg(6)),
                ("head", "/api/v1/photos/{id}") => (Method::HEAD, photo, "", vec![]),
                ("get", "/api/v1/photos/{id}") => (Method::GET, photo, "", vec![]),
                ("post", "/api/v1/import") => (
                    Method::POST,
                    path.into(),
                    "text/csv",
                    format!("村(社区),问题描述\n{YANGLIU},桥下垃圾\n").into(),
                ),
                ("get", "/api/v1/patrols") => {
                    (Method::GET, patrol_pull_path(None, None), "", vec![])
                }
                ("post", "/api/v1/patrols") => {
                    let mut edit = self.patrol.clone();
                    edit.river = "别的河".into();
                    edit.revision += 1;
                    let body = json!({"patrols": [edit]});
                    (
                        Method::POST,
                        path.into(),
                        "application/json",
                        body.to_string().into(),
                    )
                }
                ("get", "/api/v1/tokens") => (Method::GET, path.into(), "", vec![]),
                // A second device for 杨柳村, and another office token.
                ("post", "/api/v1/tokens") => (
                    Method::POST,
                    path.into(),
                    "application/json",
                    json!({"officer": "冒名", "village": YANGLIU})
                        .to_string()
                        .into(),
                ),
                // 杨柳村's own device cut off.
                ("delete", "/api/v1/tokens/{id}") => (
                    Method::DELETE,
                    patrol_core::sync::token_path(self.device_id),
                    "",
                    vec![],
                ),
                // The office's steps (交办, 销号): a new problem for 杨柳村, its record
                // dispatched with another deadline, and closed.
                ("post", "/api/v1/dispatches") => (
                    Method::POST,
                    path.into(),
                    "application/json",
                    json!({"kind": "other", "village": YANGLIU, "title": "冒名交办"})
                        .to_string()
                        .into(),
                ),
                ("post", "/api/v1/records/{id}/dispatch") => (
                    Method::POST,
                    patrol_core::sync::record_dispatch_path(self.record.id),
                    "application/json",
                    json!({"deadline": "2099-01-01"}).to_string().into(),
                ),
                ("post", "/api/v1/records/{id}/review") => (
                    Method::POST,
                    patrol_core::sync::record_review_path(self.record.id),
                    "application/json",
                    json!({"decision": "send_back", "reason": "冒名退回"})
                        .to_string()
                        .into(),
                ),
                _ => panic!("no access case for {method} {path}: add one to this test"),
            };
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if !content_type.is_empty() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        if content_type == "image/jpeg" {
            req = req.header(PHOTO_SHA256_HEADER, sha256_hex(&body));
        }
        req.body(Body::from(body)).unwrap()
    }

    /// What 杨柳村 holds on the server, to compare before and after.
    async fn holdings(&self) -> Value {
        let records: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT id, body, server_rev FROM records ORDER BY id")
                .fetch_all(&self.s.api.db)
                .await
                .unwrap();
        let photos: Vec<(String, String)> =
            sqlx::query_as("SELECT id, sha256 FROM photos ORDER BY id")
                .fetch_all(&self.s.api.db)
                .await
                .unwrap();
        let patrols: Vec<(String, String)> =
            sqlx::query_as("SELECT id, body FROM patrols ORDER BY id")
                .fetch_all(&self.s.api.db)
                .await
                .unwrap();
        // Who may sync, and for which village (not when each last synced: a refused caller's
        // own successful pulls above note that on its own token).
        let tokens: Vec<(i64, String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT id, officer, village, revoked_at FROM tokens ORDER BY id")
                .fetch_all(&self.s.api.db)
                .await
                .unwrap();
        let file = self.s.stored_photo(self.photo).await;
        json!({
            "tokens": tokens,
            "records": records,
            "photos": photos,
            "patrols": patrols,
            "photo_file": sha256_hex(&file),
        })
    }
}

fn json_of(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"))
}

/// What another village's device gets from `route`: nothing of 杨柳村's, and no change made.
fn check_other_village(f: &Fixture, route: (&str, &str), status: StatusCode, body: &Bytes) {
    let what = format!("{} {}", route.0, route.1);
    match route {
        ("get", "/api/v1/health" | "/api/v1/limits") => assert_eq!(status, StatusCode::OK),
        // The same for every caller: the township's tiles (none here), no village's data.
        ("get", "/api/v1/tiles/{z}/{x}/{y}") => assert_eq!(status, StatusCode::NOT_FOUND),
        ("get", "/api/v1/me") => {
            // Its own officer and village, nothing of 杨柳村's.
            assert_eq!(status, StatusCode::OK, "{what}");
            assert_eq!(
                json_of(body),
                json!({"officer": "李四", "village": HONGYAN})
            );
        }
        ("get", "/api/v1/township") => {
            // The township's rule, the same for every village: nothing of 杨柳村's.
            assert_eq!(status, StatusCode::OK, "{what}");
            assert_eq!(
                json_of(body),
                json!({"patrol_rule": {"min_minutes": 15, "min_metres": 1000}, "basemap": null})
            );
        }
        ("get", "/api/v1/records") => {
            assert_eq!(status, StatusCode::OK);
            let pulled: PullResponse = serde_json::from_slice(body).unwrap();
            assert!(pulled.changes.is_empty(), "{what}: {pulled:?}");
        }
        ("post", "/api/v1/records") => {
            assert_eq!(status, StatusCode::OK);
            let res: PushResponse = serde_json::from_slice(body).unwrap();
            assert!(
                matches!(&res.results[0].outcome, Outcome::Rejected { problems } if problems[0].code == code::WRONG_VILLAGE),
                "{what}: {res:?}"
            );
        }
        ("put", "/api/v1/photos/{id}") => {
            // As for an id the server does not hold (other bytes under a held id never
            // replace them: they are the other village's own photo, `routes::photos`), with
            // the receipt of its own bytes, never of 杨柳村's photo.
            assert_eq!(status, StatusCode::CREATED, "{what}");
            let answer: PhotoStored = serde_json::from_slice(body).unwrap();
            let receipt = answer.receipt.expect("a receipt");
            assert!(answer.stored, "{what}");
            assert_eq!(
                (receipt.id, receipt.sha256),
                (f.photo, sha256_hex(&jpeg(6))),
                "{what}"
            );
            assert!(receipt.received_at > f.received_at, "{what}");
        }
        ("head" | "get", "/api/v1/photos/{id}") => {
            // Only what it uploaded under the id just before (the PUT above), as it would under
            // a new id; never 杨柳村's photo, not even its existence.
            assert_eq!(status, StatusCode::OK, "{what}");
            if route.0 == "get" {
                assert_eq!(body.as_ref(), jpeg(6).as_slice(), "{what}");
            }
        }
        ("get", "/api/v1/export.csv") => {
            assert_eq!(status, StatusCode::OK);
            let csv = String::from_utf8(body.to_vec()).unwrap();
            assert!(!csv.contains(&f.record.id.to_string()), "{what}: {csv}");
            assert!(!csv.contains(YANGLIU), "{what}: {csv}");
        }
        ("get", "/api/v1/export.xlsx") => {
            // Zipped, so read back as a spreadsheet would: the header row and nothing else.
            use calamine::Reader;
            assert_eq!(status, StatusCode::OK, "{what}");
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).unwrap();
            let sheet = book.worksheet_range_at(0).unwrap().unwrap();
            assert_eq!(sheet.height(), 1, "{what}");
        }
        ("post", "/api/v1/import") => {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                json_of(body),
                json!({"imported": 0, "already": 0, "rejected": [
                    {"line": 2, "problems": [{"field": "village", "code": "wrong_village"}]}
                ]})
            );
        }
        ("get", "/api/v1/patrols") => {
            assert_eq!(status, StatusCode::OK);
            assert!(
                json_of(body)["patrols"].as_array().unwrap().is_empty(),
                "{what}"
            );
        }
        ("post", "/api/v1/patrols") => {
            assert_eq!(status, StatusCode::OK);
            let res: PatrolPushResponse = serde_json::from_slice(body).unwrap();
            assert!(
                matches!(&res.results[0].outcome, PatrolOutcome::Rejected { problems } if problems[0].code == code::WRONG_VILLAGE),
                "{what}: {res:?}"
            );
        }
        ("get" | "post", "/api/v1/tokens")
        | ("delete", "/api/v1/tokens/{id}")
        | (
            "post",
            "/api/v1/dispatches" | "/api/v1/records/{id}/dispatch" | "/api/v1/records/{id}/review",
        ) => {
            // Only the township office manages tokens, dispatches and reviews: a village's
            // token is refused before anything is read or stored.
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
            assert_eq!(error_code(&json_of(body)), code::FORBIDDEN, "{what}");
        }
        _ => panic!("no access case for {what}: add one to this test"),
    }
}

#[tokio::test]
async fn every_route_refuses_no_token_a_wrong_one_a_revoked_one_and_another_village() {
    let f = Fixture::new().await;
    let before = f.holdings().await;
    for caller in CALLERS {
        let token = f.token(caller);
        for (method, path) in ROUTES {
            let (status, headers, body) =
                f.s.send(f.request((method, path), token.as_deref())).await;
            let what = format!("{caller:?}: {method} {path}");
            if caller == Caller::OtherVillage {
                check_other_village(&f, (method, path), status, &body);
            } else if *path == "/api/v1/health" {
                // A route without a token: it tells only that the server is up.
                assert_eq!(status, StatusCode::OK, "{what}");
            } else if *path == "/api/v1/tiles/{z}/{x}/{y}" {
                // The other: the map loads tiles as images, which carry no token. This server
                // has none, so a 404, not a 401.
                assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
            } else {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{what}");
                if *method != "head" {
                    assert_eq!(error_code(&json_of(&body)), code::UNAUTHORIZED, "{what}");
                }
            }
        }
    }
    assert_eq!(f.holdings().await, before, "nothing of 杨柳村's changed");

    // The village's own device reads all of it back (so the refusals above are not a broken
    // route), and the township office too.
    for token in [&f.s.device, &f.s.office] {
        for route in [
            ("head", "/api/v1/photos/{id}"),
            ("get", "/api/v1/photos/{id}"),
        ] {
            let (status, _, body) = f.s.send(f.request(route, Some(token))).await;
            assert_eq!(status, StatusCode::OK, "{route:?}");
            if route.0 == "get" {
                assert_eq!(body.as_ref(), f.photo_bytes.as_slice());
            }
        }
        let pulled = f.s.pull(token, None, None).await;
        assert_eq!(pulled.changes.len(), 1);
        assert_eq!(f.s.pull_patrols(token, None).await.patrols.len(), 1);
    }
}

#[tokio::test]
async fn naming_another_villages_photo_without_its_hash_opens_nothing() {
    let f = Fixture::new().await;
    let s = &f.s;
    // 红岩村's device learns the id somehow and names it in a record of its own, with a made-up
    // hash: the record is stored, the photo stays 杨柳村's.
    let mut theirs = record(2, HONGYAN);
    let guessed = photo_ref(f.photo, &jpeg(8));
    theirs.photos.push(guessed);
    s.push(&s.other, &[(None, &theirs)]).await;
    let (status, _, _) = s
        .send(f.request(("get", "/api/v1/photos/{id}"), Some(&s.other)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A record that gives the right hash is one made by someone holding the photo: the office
    // filing 杨柳村's photo under a 红岩村 record shares it with 红岩村.
    let mut shared = record(3, HONGYAN);
    shared.photos.push(photo_ref(f.photo, &f.photo_bytes));
    s.push(&s.office, &[(None, &shared)]).await;
    let (status, _, body) = s
        .send(f.request(("get", "/api/v1/photos/{id}"), Some(&s.other)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_ref(), f.photo_bytes.as_slice());
}

#[tokio::test]
async fn photos_stored_before_the_village_index_stay_readable_by_their_village() {
    let f = Fixture::new().await;
    let s = &f.s;
    // A database as it was before migration 0003, with no index of who may read which photo,
    // holding a record whose follow-up visit has a photo too.
    sqlx::raw_sql("DROP TABLE photo_villages")
        .execute(&s.api.db)
        .await
        .unwrap();
    let follow_up = jpeg(9);
    let follow_up_id = Uuid::from_u128(0xf011);
    let mut visited = record(4, YANGLIU);
    visited.visits.push(Visit {
        id: Uuid::from_u128(0x4151),
        at: visited.created_at,
        author: "张三".into(),
        position: None,
        photos: vec![photo_ref(follow_up_id, &follow_up)],
        notes: String::new(),
        from: Status::Open,
        to: Status::Open,
        patrol: None,
        review: false,
    });
    sqlx::query(
        "INSERT INTO records (id, village, server_rev, seq, body, deleted, created_at, stored_at)
         VALUES ($1, $2, 1, 100, $3, 0, $4, $5)",
    )
    .bind(visited.id.to_string())
    .bind(YANGLIU)
    .bind(patrol_core::codec::encode(&visited))
    .bind(visited.created_at.to_rfc3339())
    .bind(visited.created_at.to_rfc3339())
    .execute(&s.api.db)
    .await
    .unwrap();
    s.put_stored_photo(follow_up_id, &follow_up).await;
    sqlx::query(
        "INSERT INTO photos (id, sha256, bytes, stored_at) VALUES ($1, $2, $3, '2026-05-01')",
    )
    .bind(follow_up_id.to_string())
    .bind(sha256_hex(&follow_up))
    .bind(follow_up.len() as i64)
    .execute(&s.api.db)
    .await
    .unwrap();

    // Each engine's own migration (they fill the index with different JSON functions).
    let migration = if on_postgres() {
        include_str!("../migrations/postgres/0003_photo_villages.sql")
    } else {
        include_str!("../migrations/sqlite/0003_photo_villages.sql")
    };
    sqlx::raw_sql(migration).execute(&s.api.db).await.unwrap();

    for (id, bytes) in [(f.photo, &f.photo_bytes), (follow_up_id, &follow_up)] {
        let get = |token: &str| {
            Request::get(patrol_core::sync::photo_path(id))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, _, body) = s.send(get(&s.device)).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert_eq!(body.as_ref(), bytes.as_slice());
        assert_eq!(s.send(get(&s.other)).await.0, StatusCode::NOT_FOUND, "{id}");
    }
}

/// `token` puts `bytes` under photo `id`: the status and the JSON answer.
async fn put_as(s: &Server, token: &str, id: Uuid, bytes: &[u8]) -> (StatusCode, Value) {
    let req = Request::put(patrol_core::sync::photo_path(id))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(PHOTO_SHA256_HEADER, sha256_hex(bytes))
        .body(Body::from(bytes.to_vec()))
        .unwrap();
    let (status, _, body) = s.send(req).await;
    (status, json_of(&body))
}

/// An upload's answer as JSON, to compare.
async fn put_story(s: &Server, token: &str, id: Uuid, bytes: &[u8]) -> Value {
    let (status, body) = put_as(s, token, id, bytes).await;
    json!([status.as_u16(), body])
}

/// `token` gets photo `id`: the status and the bytes.
async fn get_as(s: &Server, token: &str, id: Uuid) -> (StatusCode, Bytes) {
    let req = Request::get(patrol_core::sync::photo_path(id))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = s.send(req).await;
    (status, body)
}

/// Everything 红岩村's device can see when it uses photo id `id` with its own photos
/// (`jpeg(6)`, `jpeg(7)`): the uploads' answers, the pushes' missing lists, the reads, the
/// receipts its pull gives for its records; with `id` written as `ID`, and each receipt's
/// time checked to be after the story began and written as `"during the story"`, so that two
/// ids' stories compare.
async fn story_of(s: &Server, id: Uuid, n: u128) -> Value {
    let began = Utc::now();
    let (first, bytes) = (jpeg(6), jpeg(7));
    let mut story = vec![];
    // A record naming a photo not uploaded yet, then the upload, then the record again.
    let mut theirs = record(n, HONGYAN);
    theirs.photos.push(photo_ref(id, &first));
    let pushed = s.push(&s.other, &[(None, &theirs)]).await;
    story.push(json!(outcomes(&pushed)));
    story.push(put_story(s, &s.other, id, &first).await);
    story.push(put_story(s, &s.other, id, &first).await);
    let pushed = s.push(&s.other, &[(Some(1), &theirs)]).await;
    story.push(json!(outcomes(&pushed)));
    let (status, body) = get_as(s, &s.other, id).await;
    story.push(json!([status.as_u16(), body.as_ref() == first.as_slice()]));
    // Other bytes again under the same id, named by a second record.
    story.push(put_story(s, &s.other, id, &bytes).await);
    let mut second = record(n + 1, HONGYAN);
    second.photos.push(photo_ref(id, &bytes));
    let pushed = s.push(&s.other, &[(None, &second)]).await;
    story.push(json!(outcomes(&pushed)));
    // What the server says it received of each record's photo.
    let pulled = s.pull(&s.other, None, None).await;
    for r in [&theirs, &second] {
        let change = pulled.changes.iter().find(|c| c.record.id == r.id);
        story.push(json!(change.expect("pulled").receipts));
    }
    let mut story = json!(story);
    received_during(&mut story, began);
    let text = serde_json::to_string(&story).unwrap();
    serde_json::from_str(&text.replace(&id.to_string(), "ID")).unwrap()
}

/// Checks that every `received_at` in `story` is after `began` (a receipt of something
/// received before would tell of a photo held under the id already) and writes it as
/// `"during the story"`.
fn received_during(story: &mut Value, began: DateTime<Utc>) {
    match story {
        Value::Object(fields) => {
            for (name, value) in fields.iter_mut() {
                if name == "received_at" {
                    let at = patrol_core::stamp::parse_instant(value.as_str().unwrap()).unwrap();
                    assert!(
                        at >= began,
                        "received {at}, before the story began at {began}"
                    );
                    *value = json!("during the story");
                } else {
                    received_during(value, began);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| received_during(v, began)),
        _ => {}
    }
}

#[tokio::test]
async fn another_villages_photo_answers_as_an_unknown_id() {
    let f = Fixture::new().await;
    let s = &f.s;
    let unknown = Uuid::from_u128(0xdd1d);
    let theirs = story_of(s, f.photo, 10).await;
    let new = story_of(s, unknown, 20).await;
    assert_eq!(
        theirs, new,
        "another village's photo id told apart from a new one"
    );
    let receipt =
        json!({"id": "ID", "sha256": sha256_hex(&jpeg(6)), "received_at": "during the story"});
    assert_eq!(
        theirs[1],
        json!([201, {"stored": true, "receipt": receipt}]),
        "{theirs}"
    );
    // The record naming its first photo has that photo's receipt; the one naming other bytes,
    // which were refused (409), has none.
    assert_eq!(theirs[7], json!([receipt]), "{theirs}");
    assert_eq!(theirs[8], json!([]), "{theirs}");

    // 杨柳村's photo is untouched: its device and the office read its bytes, the store holds
    // them under the id, and each of 红岩村's photos once.
    for token in [&s.device, &s.office] {
        let (status, body) = get_as(s, token, f.photo).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.as_ref(), f.photo_bytes.as_slice());
    }
    assert_eq!(s.stored_photo(f.photo).await, f.photo_bytes);
    // 杨柳村's photo and 红岩村's namesake under its id, 红岩村's photo under the new id.
    assert_eq!(
        s.stored_photos().await.len(),
        3,
        "{:?}",
        s.stored_photos().await
    );
    let (status, _) = put_as(s, &s.office, f.photo, &jpeg(9)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the office reads every photo: no need to hide"
    );
}

/// A pull of the records by `token` from client `address`.
fn pull_from(address: &str, token: &str) -> Request<Body> {
    let peer: std::net::SocketAddr = address.parse().unwrap();
    Request::get(pull_path(None, None))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .extension(axum::extract::ConnectInfo(peer))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn wrong_tokens_are_slowed_by_address_and_good_ones_never() {
    let s = Server::new().await;
    let wrong = format!("rp_{}", "0".repeat(64));
    let attacker = "203.0.113.7:40000";
    for n in 1..=river_patrol_server::auth_failures::FAILURES_PER_MINUTE {
        let (status, _, _) = s.send(pull_from(attacker, &wrong)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "wrong token {n}");
    }
    let (status, headers, body) = s.send(pull_from(attacker, &wrong)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 21st wrong token in a minute"
    );
    assert_eq!(error_code(&json_of(&body)), code::TOO_MANY_ATTEMPTS);
    let retry: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");

    // A phone elsewhere with a good token is not slowed, nor one with a good token behind the
    // same address (a village office's Wi-Fi), nor another address with a wrong one.
    let (status, _, _) = s.send(pull_from("198.51.100.2:50000", &s.device)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = s.send(pull_from(attacker, &s.device)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = s.send(pull_from("198.51.100.3:50000", &wrong)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
