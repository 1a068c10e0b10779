//! The office's desk manages devices and access without a terminal (issue 27): only a
//! township office token lists, makes and revokes tokens (a village's gets 403 JSON and
//! nothing changes), a token made there connects a phone with its link and QR code and syncs
//! at once, a revoked one is refused from its next request, each sync notes when and how many
//! records the phone still had waiting, and the first office token comes from
//! `token create --office` with its link and QR code in the terminal.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use patrol_core::sync::{
    NewToken, TokenInfo, TokenList, UNSENT_HEADER, code, pull_path, token_path, tokens_path,
};
use serde_json::{Value, json};

/// `token` calls `method` on `uri` with `body` as JSON, from a desk at `https://xhz.example.cn`
/// behind the reverse proxy: the status and the JSON answer.
async fn call(
    s: &Server,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "xhz.example.cn")
        .header("x-forwarded-proto", "https")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let (status, _, bytes) = s.send(req.body(body).unwrap()).await;
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("{status}: not JSON: {bytes:?}"));
    (status, value)
}

/// Every token as the office lists it.
async fn listed(s: &Server) -> Vec<TokenInfo> {
    let (status, body) = call(s, Method::GET, &tokens_path(), &s.office, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value::<TokenList>(body).unwrap().tokens
}

/// The office makes a token for `officer` in `village` (`None`: an office token).
async fn make(s: &Server, officer: &str, village: Option<&str>) -> NewToken {
    let request = json!({"officer": officer, "village": village});
    let (status, body) = call(s, Method::POST, &tokens_path(), &s.office, Some(request)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

/// `token` pulls records, saying its phone has `unsent` records waiting: the status.
async fn pull_as(s: &Server, token: &str, unsent: Option<&str>) -> StatusCode {
    let mut req = Request::get(pull_path(None, None))
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(n) = unsent {
        req = req.header(UNSENT_HEADER, n);
    }
    s.send(req.body(Body::empty()).unwrap()).await.0
}

/// What a phone's camera reads from the QR code in `svg`: the SVG drawn as grey pixels (three
/// to a module), then found and decoded by rqrr. The drawing reads only what the `qrcode`
/// crate writes, a light `rect` under one `path` of dark rectangles
/// (`M{left} {top}h{width}v{height}H{left}V{top}`); anything else fails the test.
fn scanned(svg: &str) -> String {
    let attribute = |name: &str| -> &str {
        let start = svg.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        &svg[start..start + svg[start..].find('"').unwrap()]
    };
    let (width, height): (usize, usize) = (
        attribute("width").parse().unwrap(),
        attribute("height").parse().unwrap(),
    );
    let mut dark = vec![vec![false; width]; height];
    for rect in attribute("d").split('M').filter(|r| !r.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [left, top, w, h, ..] = numbers[..] else {
            panic!("not a rectangle: {rect}")
        };
        for row in &mut dark[top..top + h] {
            row[left..left + w].fill(true);
        }
    }
    const SCALE: usize = 3;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, height * SCALE, |x, y| {
            if dark[y / SCALE][x / SCALE] { 0 } else { 255 }
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("a readable QR code").1
}

fn info(tokens: &[TokenInfo], id: i64) -> &TokenInfo {
    tokens.iter().find(|t| t.id == id).expect("listed")
}

#[tokio::test]
async fn the_office_lists_makes_and_revokes_tokens() {
    let s = Server::new().await;
    let before = listed(&s).await;
    let holders: Vec<_> = before
        .iter()
        .map(|t| (t.officer.as_str(), t.village.as_deref(), t.revoked_at))
        .collect();
    assert_eq!(
        holders,
        [
            ("张三", Some(YANGLIU), None),
            ("李四", Some(HONGYAN), None),
            ("乡镇办公室", None, None)
        ]
    );
    // Never a secret nor its hash.
    let (_, raw) = call(&s, Method::GET, &tokens_path(), &s.office, None).await;
    let text = raw.to_string();
    assert!(
        !text.contains(&s.device) && !text.contains("hash"),
        "{text}"
    );

    // A new 杨柳村 device: its link opens the app's connect screen on the desk's own address.
    let new = make(&s, " 赵六 ", Some(YANGLIU)).await;
    assert!(new.token.starts_with("rp_"), "{}", new.token);
    assert_eq!(
        new.link,
        format!("https://xhz.example.cn/connect#token={}", new.token)
    );
    assert!(new.qr_svg.contains("<svg"), "{}", new.qr_svg);
    assert!(new.qr_svg.trim_end().ends_with("</svg>"));
    assert_eq!(scanned(&new.qr_svg), new.link, "the QR code is the link");
    let listed_now = listed(&s).await;
    let made = info(&listed_now, new.id);
    assert_eq!(
        (made.officer.as_str(), made.village.as_deref()),
        ("赵六", Some(YANGLIU))
    );
    assert_eq!((made.last_sync_at, made.unsent), (None, None));

    // It syncs at once, as 杨柳村's.
    let mine = record(1, YANGLIU);
    let pushed = s.push(&new.token, &[(None, &mine)]).await;
    assert_eq!(outcomes(&pushed), [accepted(1, vec![])]);
    assert_eq!(s.pull(&new.token, None, None).await.changes.len(), 1);

    // Revoked: answered with what it was, and refused from its next request on.
    let (status, body) = call(&s, Method::DELETE, &token_path(new.id), &s.office, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let revoked: TokenInfo = serde_json::from_value(body).unwrap();
    assert_eq!((revoked.id, revoked.officer.as_str()), (new.id, "赵六"));
    assert!(revoked.revoked_at.is_some());
    assert_eq!(
        pull_as(&s, &new.token, None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        info(&listed(&s).await, new.id).revoked_at,
        revoked.revoked_at
    );

    // Already revoked, never made, not an id: 404 JSON.
    for path in [token_path(new.id), token_path(9999), tokens_path() + "/abc"] {
        let (status, body) = call(&s, Method::DELETE, &path, &s.office, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(error_code(&body), code::NOT_FOUND, "{path}");
    }

    // Another office token (no village) manages tokens too.
    let deputy = make(&s, "副主任", None).await;
    assert_eq!(info(&listed(&s).await, deputy.id).village, None);
    let (status, _) = call(&s, Method::GET, &tokens_path(), &deputy.token, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_office_cannot_revoke_its_own_token() {
    let s = Server::new().await;
    let own = listed(&s)
        .await
        .into_iter()
        .find(|t| t.village.is_none())
        .unwrap();
    let (status, body) = call(&s, Method::DELETE, &token_path(own.id), &s.office, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), code::OWN_TOKEN);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot revoke itself")
    );
    // Still the office's.
    assert_eq!(info(&listed(&s).await, own.id).revoked_at, None);
}

#[tokio::test]
async fn a_village_token_gets_403_json_and_nothing_changes() {
    let s = Server::new().await;
    let before = listed(&s).await;
    let office_id = before.iter().find(|t| t.village.is_none()).unwrap().id;
    let device_id = before.iter().find(|t| t.officer == "张三").unwrap().id;
    let tries = [
        (Method::GET, tokens_path(), None),
        (
            Method::POST,
            tokens_path(),
            Some(json!({"officer": "冒名", "village": YANGLIU})),
        ),
        (
            Method::POST,
            tokens_path(),
            Some(json!({"officer": "冒名", "village": null})),
        ),
        (Method::DELETE, token_path(office_id), None),
        (Method::DELETE, token_path(device_id), None),
    ];
    for token in [&s.device, &s.other] {
        for (method, path, body) in tries.clone() {
            let what = format!("{method} {path} {body:?}");
            let (status, answer) = call(&s, method, &path, token, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {answer}");
            assert_eq!(error_code(&answer), code::FORBIDDEN, "{what}");
        }
    }
    assert_eq!(listed(&s).await, before, "no token made or revoked");
    assert_eq!(pull_as(&s, &s.device, None).await, StatusCode::OK);
}

#[tokio::test]
async fn a_token_without_an_officer_or_with_an_empty_village_is_400_and_not_stored() {
    let s = Server::new().await;
    let before = listed(&s).await;
    for (request, says) in [
        (json!({"officer": "  ", "village": YANGLIU}), "officer"),
        (json!({"officer": "", "village": null}), "officer"),
        (
            json!({"officer": "赵六", "village": " "}),
            "village is empty",
        ),
    ] {
        let (status, body) = call(
            &s,
            Method::POST,
            &tokens_path(),
            &s.office,
            Some(request.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}: {body}");
        assert_eq!(error_code(&body), code::BAD_REQUEST);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{request}: {message}");
    }
    // No officer at all does not fit the body's type.
    let (status, body) = call(
        &s,
        Method::POST,
        &tokens_path(),
        &s.office,
        Some(json!({"village": YANGLIU})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(listed(&s).await, before);
}

#[tokio::test]
async fn each_sync_notes_when_and_how_many_records_were_waiting() {
    let s = Server::new().await;
    let phone = make(&s, "赵六", Some(YANGLIU)).await;

    assert_eq!(pull_as(&s, &phone.token, Some("7")).await, StatusCode::OK);
    let first = info(&listed(&s).await, phone.id).clone();
    let synced = first.last_sync_at.expect("noted");
    assert!(synced >= first.created_at);
    assert_eq!(first.unsent, Some(7));

    // A sync that does not say (an older app) or says nonsense keeps the count, not the time.
    for unsent in [None, Some("many")] {
        assert_eq!(pull_as(&s, &phone.token, unsent).await, StatusCode::OK);
    }
    let later = info(&listed(&s).await, phone.id).clone();
    assert_eq!(later.unsent, Some(7));
    assert!(later.last_sync_at.unwrap() >= synced);

    // A failed request is no sync.
    let bad_cursor = Request::get(pull_path(Some("not-a-cursor"), None))
        .header(header::AUTHORIZATION, format!("Bearer {}", phone.token))
        .header(UNSENT_HEADER, "0")
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(bad_cursor).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(info(&listed(&s).await, phone.id).unsent, Some(7));

    // Photos and patrols are syncs too; the office's desk calls are not.
    let photo = jpeg(3);
    let put = Request::put(patrol_core::sync::photo_path(uuid::Uuid::from_u128(0x5e)))
        .header(header::AUTHORIZATION, format!("Bearer {}", phone.token))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(
            patrol_core::sync::PHOTO_SHA256_HEADER,
            river_patrol_server::db::tokens::sha256_hex(&photo),
        )
        .header(UNSENT_HEADER, "0")
        .body(Body::from(photo))
        .unwrap();
    assert_eq!(s.send(put).await.0, StatusCode::CREATED);
    assert_eq!(info(&listed(&s).await, phone.id).unsent, Some(0));
    let office = listed(&s).await.into_iter().find(|t| t.village.is_none());
    assert_eq!(office.unwrap().last_sync_at, None, "listing is no sync");
    s.push_patrols(&s.other, &[&patrol(HONGYAN, 2)]).await;
    let other = listed(&s).await.into_iter().find(|t| t.officer == "李四");
    assert!(other.unwrap().last_sync_at.is_some());
}

#[tokio::test]
async fn a_host_that_is_no_origin_makes_no_link_and_no_token() {
    let s = Server::new().await;
    let before = listed(&s).await;
    let req = Request::post(tokens_path())
        .header(header::HOST, "xhz.example.cn/evil#x")
        .header(header::AUTHORIZATION, format!("Bearer {}", s.office))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"officer": "赵六", "village": YANGLIU}).to_string(),
        ))
        .unwrap();
    let (status, _, body) = s.send(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
    assert_eq!(listed(&s).await, before);
}

#[tokio::test]
async fn the_link_is_on_the_public_url_when_the_server_has_one() {
    let mut s = Server::new().await;
    s.api = s
        .api
        .clone()
        .with_public_url(Some("https://patrol.example.org".into()));
    let new = make(&s, "赵六", Some(HONGYAN)).await;
    assert_eq!(
        new.link,
        format!("https://patrol.example.org/connect#token={}", new.token)
    );
}

/// Runs `river-patrol-server token create` with `args` on the data folder `data`: standard
/// output and standard error.
fn token_create(data: &std::path::Path, args: &[&str]) -> (String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_river-patrol-server"))
        .args(["token", "create"])
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

#[test]
fn the_first_office_token_comes_from_the_command_line_with_its_link_and_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let (token, told) = token_create(
        dir.path(),
        &[
            "--office",
            "--officer",
            "王主任",
            "--url",
            "https://xhz.example.cn",
        ],
    );
    // The token alone on standard output, for scripts.
    let token = token.trim();
    assert!(token.starts_with("rp_") && !token.contains('\n'), "{token}");
    assert!(told.contains("every village"), "{told}");
    assert!(
        told.contains(&format!(
            "connect link: https://xhz.example.cn/connect#token={token}"
        )),
        "{told}"
    );
    // The QR code, drawn with half blocks.
    assert!(
        told.lines().filter(|l| l.contains('█')).count() > 10,
        "{told}"
    );

    // --all-villages still works; without --url the default address is said to be one.
    let (_, told) = token_create(dir.path(), &["--all-villages", "--officer", "值班"]);
    assert!(
        told.contains("http://127.0.0.1:8080 (the default"),
        "{told}"
    );
}
