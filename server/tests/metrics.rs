//! `GET /metrics` after a known workload shows its counts, and only a township office token
//! may read it.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use patrol_core::sync::code;
use river_patrol_server::db::tokens::{self, sha256_hex};
use serde_json::json;

/// The value of the series `series` (name and labels exactly as exposed), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

async fn scrape(s: &Server, token: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::builder().method(Method::GET).uri("/metrics");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, headers, body) = s.send(req.body(Body::empty()).unwrap()).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn a_known_workload_shows_in_the_metrics() {
    let s = Server::new().await;
    // Three new records, then the same three again (unchanged: nothing stored twice), then
    // one for another village (rejected), and a push without a token.
    let records = [record(1, YANGLIU), record(2, YANGLIU), record(3, YANGLIU)];
    let batch: Vec<_> = records.iter().map(|r| (None, r)).collect();
    s.push(&s.device, &batch).await;
    s.push(&s.device, &batch).await;
    let foreign = record(4, HONGYAN);
    s.push(&s.device, &[(None, &foreign)]).await;
    let (status, _) = s
        .json(
            Method::POST,
            "/api/v1/records",
            None,
            Some(&json!({"records": []})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // One photo, sent twice: stored once.
    let bytes = jpeg(1);
    let sha = sha256_hex(&bytes);
    let id = "0b0e0000-0000-4000-8000-000000000001";
    assert_eq!(s.put_photo(id, &bytes, &sha).await.0, StatusCode::CREATED);
    assert_eq!(s.put_photo(id, &bytes, &sha).await.0, StatusCode::OK);

    let (status, content_type, text) = scrape(&s, Some(&s.office)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let expect = |series: &str, want: f64| {
        assert_eq!(value(&text, series), Some(want), "{series} in\n{text}");
    };
    expect("river_patrol_records_stored_total", 3.0);
    expect("river_patrol_photos_stored_total", 1.0);
    expect(
        &format!(
            "river_patrol_sync_errors_total{{reason=\"{}\"}}",
            code::WRONG_VILLAGE
        ),
        1.0,
    );
    expect(
        &format!(
            "river_patrol_sync_errors_total{{reason=\"{}\"}}",
            code::UNAUTHORIZED
        ),
        1.0,
    );
    expect(
        "river_patrol_http_requests_total{method=\"POST\",route=\"/api/v1/records\",status=\"200\"}",
        3.0,
    );
    expect(
        "river_patrol_http_requests_total{method=\"POST\",route=\"/api/v1/records\",status=\"401\"}",
        1.0,
    );
    expect(
        "river_patrol_http_requests_total{method=\"PUT\",route=\"/api/v1/photos/{id}\",status=\"201\"}",
        1.0,
    );
    expect(
        "river_patrol_http_requests_total{method=\"PUT\",route=\"/api/v1/photos/{id}\",status=\"200\"}",
        1.0,
    );
    // Latency: one observation per answer, by route.
    expect(
        "river_patrol_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/records\"}",
        4.0,
    );
    expect(
        "river_patrol_http_request_duration_seconds_count{method=\"PUT\",route=\"/api/v1/photos/{id}\"}",
        2.0,
    );
    // No series per photo id: the route's pattern is the label.
    assert!(!text.contains(id), "{text}");
}

#[tokio::test]
async fn only_a_township_office_token_reads_the_metrics() {
    let s = Server::new().await;
    let revoked = tokens::create(&s.api.db, "王五", None).await.unwrap();
    tokens::revoke(&s.api.db, revoked.id).await.unwrap();
    for token in [None, Some("rp_not-a-token"), Some(revoked.token.as_str())] {
        let (status, _, body) = scrape(&s, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert!(!body.contains("river_patrol_"), "{body}");
    }
    let (status, _, body) = scrape(&s, Some(&s.device)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains(code::FORBIDDEN), "{body}");
    assert_eq!(scrape(&s, Some(&s.office)).await.0, StatusCode::OK);
}
