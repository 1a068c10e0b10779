//! Bodies no phone would send: JSON nested deeper than any record, on every route that reads
//! JSON, and values no phone can make (a record stamped in year 9999, a revision of
//! `u32::MAX`). Each is refused with a reason, never a crash or a 500, and nothing is stored.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use patrol_core::Record;
use patrol_core::sync::{Outcome, PatrolOutcome, SyncProblem};
use patrol_core::validate::MAX_REVISION;
use serde_json::{Value, json};

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

/// `(field, code)` of each problem.
fn reasons(problems: &[SyncProblem]) -> Vec<(&str, &str)> {
    problems
        .iter()
        .map(|p| (p.field.as_str(), p.code.as_str()))
        .collect()
}

/// The problems of a record pushed new, which must be rejected.
async fn rejected(s: &Server, r: &Record) -> Vec<(String, String)> {
    let res = s.push(&s.device, &[(None, r)]).await;
    let Outcome::Rejected { problems } = &res[0].outcome else {
        panic!("not rejected: {:?}", res[0]);
    };
    reasons(problems)
        .into_iter()
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
        .collect()
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn out_of_range(field: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), "out_of_range".to_owned())]
}

#[tokio::test]
async fn a_record_found_in_year_9999_is_rejected_on_created_at() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.created_at = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    r.updated_at = r.created_at;
    // It would head every phone's "newest" list; the updated_at is just as impossible.
    assert_eq!(
        rejected(&s, &r).await,
        [
            ("created_at".to_owned(), "out_of_range".to_owned()),
            ("updated_at".to_owned(), "out_of_range".to_owned())
        ]
    );
    r.updated_at = at(1, 8);
    assert_eq!(rejected(&s, &r).await, out_of_range("created_at"));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
}

#[tokio::test]
async fn a_record_updated_in_year_1_is_rejected_on_updated_at() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.updated_at = utc(1, 1, 1);
    assert_eq!(rejected(&s, &r).await, out_of_range("updated_at"));
    // A phone whose clock reset to 1970, and its position's time.
    r.updated_at = utc(1970, 1, 1);
    assert_eq!(rejected(&s, &r).await, out_of_range("updated_at"));
    let mut r = record(2, YANGLIU);
    r.position = Some(patrol_core::Position {
        latitude: 31.25,
        longitude: 107.54,
        accuracy_m: Some(8.0),
        taken_at: utc(1970, 1, 1),
        source: Some(patrol_core::PositionSource::Gps),
    });
    assert_eq!(rejected(&s, &r).await, out_of_range("position_taken_at"));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
}

#[tokio::test]
async fn times_up_to_a_day_past_the_servers_clock_are_taken_and_no_further() {
    let s = Server::new().await;
    // A phone whose clock runs a few hours fast is believed.
    let mut fast = record(1, YANGLIU);
    fast.updated_at = Utc::now() + Duration::hours(20);
    let res = s.push(&s.device, &[(None, &fast)]).await;
    assert_eq!(res[0].outcome, accepted(1, vec![]));
    // Two days ahead is not; nor is a follow-up visit dated next year.
    let mut ahead = record(2, YANGLIU);
    ahead.updated_at = Utc::now() + Duration::days(2);
    assert_eq!(rejected(&s, &ahead).await, out_of_range("updated_at"));
    let mut visited = record(3, YANGLIU);
    visited
        .follow_up(
            patrol_core::FollowUp {
                to: patrol_core::Status::Rectifying,
                ..Default::default()
            },
            "张三",
            Utc::now() + Duration::days(365),
        )
        .unwrap();
    assert_eq!(rejected(&s, &visited).await, out_of_range("visits"));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn a_deadline_of_9999_12_31_is_rejected_on_deadline() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.deadline = NaiveDate::from_ymd_opt(9999, 12, 31);
    assert_eq!(rejected(&s, &r).await, out_of_range("deadline"));
    r.deadline = NaiveDate::from_ymd_opt(1, 1, 1);
    assert_eq!(rejected(&s, &r).await, out_of_range("deadline"));
    // The last day of 2100 is still a deadline.
    r.deadline = NaiveDate::from_ymd_opt(2100, 12, 31);
    let res = s.push(&s.device, &[(None, &r)]).await;
    assert_eq!(res[0].outcome, accepted(1, vec![]));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn a_deadline_of_9999_12_31_is_refused_on_import_too() {
    let s = Server::new().await;
    let csv = "村(社区),问题描述,发现日期,整改时限\n\
        杨柳村,桥下垃圾,2026-05-01,9999-12-31\n\
        杨柳村,河边垃圾,9999-05-01,\n";
    let (status, body) = s.import(&s.device, "text/csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], 0);
    assert_eq!(
        body["rejected"],
        json!([
            {"line": 2, "problems": [{"field": "deadline", "code": "out_of_range"}]},
            {"line": 3, "problems": [{"field": "found", "code": "out_of_range"}]}
        ])
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
}

#[tokio::test]
async fn a_revision_of_u32_max_is_rejected_on_revision() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    r.revision = u32::MAX;
    assert_eq!(rejected(&s, &r).await, out_of_range("revision"));
    // Nor as an edit of a stored record: the next save would overflow.
    r.revision = 1;
    let res = s.push(&s.device, &[(None, &r)]).await;
    assert_eq!(res[0].outcome, accepted(1, vec![]));
    r.revision = u32::MAX;
    r.title.push_str("（已改）");
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    let Outcome::Rejected { problems } = &res[0].outcome else {
        panic!("{:?}", res[0]);
    };
    assert_eq!(reasons(problems), [("revision", "out_of_range")]);
    // The limit itself is taken.
    r.revision = MAX_REVISION;
    let res = s.push(&s.device, &[(Some(1), &r)]).await;
    assert_eq!(res[0].outcome, accepted(2, vec![]));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn a_patrol_started_in_year_9999_is_rejected_on_started_at() {
    let s = Server::new().await;
    let mut p = patrol(YANGLIU, 2);
    p.started_at = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap();
    let outcome = s.push_patrols(&s.device, &[&p]).await;
    let PatrolOutcome::Rejected { problems } = &outcome[0] else {
        panic!("{outcome:?}");
    };
    assert_eq!(reasons(problems), [("started_at", "out_of_range")]);

    // Its end, a fix's time and its revision are each refused with their field.
    let mut p = patrol(YANGLIU, 2);
    p.ended_at = Some(utc(1, 1, 1));
    p.track[1].at = Utc::now() + Duration::days(30);
    p.revision = u32::MAX;
    let outcome = s.push_patrols(&s.device, &[&p]).await;
    let PatrolOutcome::Rejected { problems } = &outcome[0] else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        reasons(problems),
        [
            ("revision", "out_of_range"),
            ("ended_at", "out_of_range"),
            ("track", "out_of_range")
        ]
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 0);
}

#[tokio::test]
async fn a_patrol_merged_at_the_largest_revision_does_not_overflow() {
    let s = Server::new().await;
    // Two copies at the limit, each with a fix the other lacks: the merge goes one above.
    let mut stored = patrol(YANGLIU, 3);
    stored.revision = MAX_REVISION;
    let outcome = s.push_patrols(&s.device, &[&stored]).await;
    assert_eq!(
        outcome[0],
        PatrolOutcome::Accepted {
            revision: MAX_REVISION
        }
    );
    let mut other = stored.clone();
    other.track.remove(0);
    other.track.push(patrol_core::TrackPoint {
        lat: 31.26,
        lon: 107.54,
        accuracy_m: 8.0,
        at: at(3, 10),
    });
    let outcome = s.push_patrols(&s.device, &[&other]).await;
    assert_eq!(
        outcome[0],
        PatrolOutcome::Accepted {
            revision: MAX_REVISION + 1
        }
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM patrols").await, 1);
}
