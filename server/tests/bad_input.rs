//! Bodies no phone would send: JSON nested deeper than any record, on every route that reads
//! JSON. Each is refused early with a 4xx and a reason, never a crash or a 500, and nothing is
//! stored.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::*;
use serde_json::Value;

/// `depth` arrays inside one another, inside `wrap` (whose `{}` marks where they go).
fn nested(wrap: &str, depth: usize) -> String {
    let inner = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    wrap.replace("{}", &inner)
}

#[tokio::test]
async fn deeply_nested_json_is_refused_with_a_reason() {
    let s = Server::new().await;
    let cases = [
        ("/api/v1/records", "{\"records\": {}}"),
        (
            "/api/v1/records",
            "{\"records\": [{\"base_rev\": null, \"record\": {\"notes\": {}}}]}",
        ),
        ("/api/v1/patrols", "{\"patrols\": {}}"),
        ("/api/v1/patrols", "{\"patrols\": [{\"track\": {}}]}"),
    ];
    for (path, wrap) in cases {
        // Deep enough to overflow the stack of a decoder without a depth limit, and still
        // under the body limit.
        for depth in [200, 100_000] {
            let body = nested(wrap, depth);
            let req = Request::post(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", s.device))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let (status, headers, bytes) = s.send(req).await;
            assert!(status.is_client_error(), "{path} {depth}: {status}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json");
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            let message = body["error"]["message"].as_str().unwrap();
            assert!(!message.is_empty(), "{body}");
            assert!(!error_code(&body).is_empty());
        }
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 0);
}

#[tokio::test]
async fn a_patrol_with_a_fix_off_the_globe_is_rejected_and_not_stored() {
    let s = Server::new().await;
    let mut p = patrol(YANGLIU, 2);
    p.track[1].lon = 181.0;
    let outcome = s.push_patrols(&s.device, &[&p]).await;
    assert!(
        matches!(&outcome[0], patrol_core::sync::PatrolOutcome::Rejected { problems }
            if problems[0].field == "track" && problems[0].code == "out_of_range"),
        "{outcome:?}"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 0);
}
