//! The township office's steps (issue 27): it dispatches (交办) a problem to a village, new or
//! existing, and the village's phones pull it; it closes (销号) a problem reported fixed or
//! sends it back (退回) with a reason, kept in the history; only an office token may (a
//! village's gets 403 JSON and nothing changes); and a village's device cannot do any of it
//! through a push: that record alone is rejected `office_only`, the rest of the batch syncs.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use patrol_core::sync::{
    ServerRecord, code, dispatches_path, record_dispatch_path, record_review_path,
};
use patrol_core::*;
use serde_json::{Value, json};
use uuid::Uuid;

const OFFICE: &str = "乡镇办公室";

/// A new problem for 杨柳村, as the office's desk sends it.
fn dispatch_body() -> Value {
    json!({
        "kind": "signage",
        "village": YANGLIU,
        "title": "饮用水源保护区标志牌未设置",
        "place": "鲁家沟水库",
        "responsibility": {"leader": "王镇长", "department": "镇水利站", "person": "李四"},
        "deadline": "2099-06-30",
        "notes": "限期设置"
    })
}

/// `token` posts `body` to `uri`: the status and the JSON answer.
async fn post(s: &Server, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    s.json(Method::POST, uri, Some(token), Some(&body)).await
}

/// 杨柳村's record `n`, reported fixed by its device and stored at server revision 2.
async fn fixed_on_server(s: &Server, n: u128) -> Record {
    let mut r = record(n, YANGLIU);
    assert_eq!(
        outcomes(&s.push(&s.device, &[(None, &r)]).await),
        [accepted(1, vec![])]
    );
    r.follow_up(
        FollowUp {
            to: Status::Fixed,
            notes: "已封堵排口".into(),
            ..Default::default()
        },
        "张三",
        at(2, 8),
    )
    .unwrap();
    r.touch(at(2, 8));
    assert_eq!(
        outcomes(&s.push(&s.device, &[(Some(1), &r)]).await),
        [accepted(2, vec![])]
    );
    r
}

/// The server's copy of `id` as the office pulls it.
async fn on_server(s: &Server, id: Uuid) -> ServerRecord {
    s.pull(&s.office, None, None)
        .await
        .changes
        .into_iter()
        .find(|c| c.record.id == id)
        .expect("held")
}

#[tokio::test]
async fn the_office_dispatches_a_new_problem_and_only_its_village_pulls_it() {
    let s = Server::new().await;
    let (status, body) = post(&s, &dispatches_path(), &s.office, dispatch_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let stored: ServerRecord = serde_json::from_value(body).unwrap();
    assert_eq!(stored.server_rev, 1);
    let r = &stored.record;
    assert_eq!(r.village, YANGLIU);
    assert_eq!(r.kind(), Kind::Signage);
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.author, OFFICE);
    assert_eq!(r.responsibility.department, "镇水利站");
    let dispatched = r.dispatched.as_ref().expect("dispatched");
    assert_eq!(dispatched.by, OFFICE);

    // 杨柳村's phones pull it as the township's; 红岩村's never see it.
    let pulled = s.pull(&s.device, None, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].server_rev, 1);
    assert_eq!(&pulled.changes[0].record, r);
    assert!(s.pull(&s.other, None, None).await.changes.is_empty());

    // The phone's copy pushed back as it is: nothing to do.
    assert_eq!(
        outcomes(&s.push(&s.device, &[(Some(1), r)]).await),
        [unchanged(1, vec![])]
    );

    // Checked like any record: 422 with the field, nothing stored.
    let mut bad = dispatch_body();
    bad["village"] = json!(" ");
    let (status, body) = post(&s, &dispatches_path(), &s.office, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), code::INVALID);
    assert_eq!(body["error"]["field"], "village");
    let (status, body) = post(
        &s,
        &dispatches_path(),
        &s.office,
        json!({"village": YANGLIU}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn the_office_dispatches_an_existing_problem_as_a_new_revision() {
    let s = Server::new().await;
    let mut r = record(1, YANGLIU);
    s.push(&s.device, &[(None, &r)]).await;
    let body = json!({
        "responsibility": {"leader": "王镇长", "department": "镇环保办", "person": "李四", "phone": "13800000000"},
        "deadline": "2099-07-01"
    });
    let (status, answer) = post(&s, &record_dispatch_path(r.id), &s.office, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let stored: ServerRecord = serde_json::from_value(answer).unwrap();
    assert_eq!(stored.server_rev, 2);
    assert_eq!(stored.record.responsibility.department, "镇环保办");
    assert_eq!(stored.record.deadline.unwrap().to_string(), "2099-07-01");
    assert_eq!(stored.record.dispatched.as_ref().unwrap().by, OFFICE);
    assert_eq!(stored.record.revision, r.revision + 1, "saved as a change");
    assert_eq!(stored.record.title, r.title, "the rest as it was");
    let pulled = s.pull(&s.device, None, None).await;
    assert_eq!(pulled.changes[0].server_rev, 2);
    assert_eq!(pulled.changes[0].record, stored.record);

    // The phone edited its older copy meanwhile: a conflict, not an overwrite.
    r.notes = "补充说明".into();
    r.touch(at(3, 8));
    let results = s.push(&s.device, &[(Some(1), &r)]).await;
    assert!(
        matches!(&results[0].outcome, Outcome::Conflict { server_rev: 2, server } if server.dispatched.is_some()),
        "{results:?}"
    );
    assert_eq!(on_server(&s, r.id).await.record, stored.record);

    // An unknown problem is 404, an id that is not one 400; a bad deadline 422.
    let (status, answer) = post(
        &s,
        &record_dispatch_path(Uuid::from_u128(0xdead)),
        &s.office,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(error_code(&answer), code::NOT_FOUND);
    let (status, answer) = post(
        &s,
        "/api/v1/records/not-a-uuid/dispatch",
        &s.office,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(error_code(&answer), code::BAD_ID);
    let (status, answer) = post(
        &s,
        &record_dispatch_path(r.id),
        &s.office,
        json!({"deadline": "1999-01-01"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["field"], "deadline");

    // A deleted problem is 409 and stays as it was.
    let mut gone = record(2, YANGLIU);
    gone.mark_deleted(at(2, 8));
    s.push(&s.device, &[(None, &gone)]).await;
    let (status, answer) = post(&s, &record_dispatch_path(gone.id), &s.office, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(error_code(&answer), code::WRONG_STATUS);
    assert_eq!(on_server(&s, gone.id).await.server_rev, 1);
    assert_eq!(on_server(&s, r.id).await.server_rev, 2);
}

#[tokio::test]
async fn the_office_closes_a_fixed_problem_or_sends_it_back_with_a_reason() {
    let s = Server::new().await;
    let closing = fixed_on_server(&s, 1).await;
    let (status, body) = post(
        &s,
        &record_review_path(closing.id),
        &s.office,
        json!({"decision": "close", "reason": "复查合格"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let closed: ServerRecord = serde_json::from_value(body).unwrap();
    assert_eq!(closed.server_rev, 3);
    assert_eq!(closed.record.status, Status::Closed);
    let visit = closed.record.visits.last().unwrap();
    assert!(visit.review);
    assert_eq!((visit.from, visit.to), (Status::Fixed, Status::Closed));
    assert_eq!(
        (visit.author.as_str(), visit.notes.as_str()),
        (OFFICE, "复查合格")
    );
    assert_eq!(
        closed.record.visits.len(),
        2,
        "the village's fix kept before it"
    );
    // The village's phones pull the closing, with its history.
    let pulled = s.pull(&s.device, None, None).await;
    assert_eq!(pulled.changes[0].record, closed.record);
    let history = closed.record.history();
    assert_eq!(
        history.iter().map(|h| (h.to, h.review)).collect::<Vec<_>>(),
        [
            (Status::Open, false),
            (Status::Fixed, false),
            (Status::Closed, true)
        ]
    );

    let back = fixed_on_server(&s, 2).await;
    let (status, body) = post(
        &s,
        &record_review_path(back.id),
        &s.office,
        json!({"decision": "send_back", "reason": "排口仍有污水流出"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sent_back: ServerRecord = serde_json::from_value(body).unwrap();
    assert_eq!(sent_back.record.status, Status::Open);
    let visit = sent_back.record.visits.last().unwrap();
    assert!(visit.review);
    assert_eq!((visit.from, visit.to), (Status::Fixed, Status::Open));
    assert_eq!(visit.notes, "排口仍有污水流出");

    // Sent back now open: closing it is 409, nothing changed.
    let (status, body) = post(
        &s,
        &record_review_path(back.id),
        &s.office,
        json!({"decision": "close"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), code::WRONG_STATUS);
    assert_eq!(on_server(&s, back.id).await, sent_back);

    // Sending back without a reason is 422, nothing changed.
    let third = fixed_on_server(&s, 3).await;
    for body in [
        json!({"decision": "send_back"}),
        json!({"decision": "send_back", "reason": "   "}),
    ] {
        let (status, answer) = post(&s, &record_review_path(third.id), &s.office, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_code(&answer), code::INVALID);
        assert_eq!(answer["error"]["field"], "reason");
    }
    let held = on_server(&s, third.id).await;
    assert_eq!((held.server_rev, held.record), (2, third.clone()));
    // A decision the protocol does not know is 422 too; an unknown problem 404.
    let (status, _) = post(
        &s,
        &record_review_path(third.id),
        &s.office,
        json!({"decision": "done"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = post(
        &s,
        &record_review_path(Uuid::from_u128(0xdead)),
        &s.office,
        json!({"decision": "close"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_village_token_is_refused_on_the_offices_routes_and_nothing_changes() {
    let s = Server::new().await;
    let r = fixed_on_server(&s, 1).await;
    let before = s.pull(&s.office, None, None).await;
    let calls = [
        (dispatches_path(), dispatch_body()),
        (
            record_dispatch_path(r.id),
            json!({"deadline": "2099-07-01"}),
        ),
        (record_review_path(r.id), json!({"decision": "close"})),
    ];
    // Its own village's problem, and another village's token alike.
    for token in [&s.device, &s.other] {
        for (uri, body) in &calls {
            let (status, answer) = post(&s, uri, token, body.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {answer}");
            assert_eq!(error_code(&answer), code::FORBIDDEN, "{uri}");
        }
    }
    let after = s.pull(&s.office, None, None).await;
    assert_eq!(after.changes, before.changes);
    assert_eq!(after.cursor, before.cursor, "no change was made");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

#[tokio::test]
async fn a_village_cannot_close_review_or_dispatch_by_a_push() {
    let s = Server::new().await;
    let stored = fixed_on_server(&s, 1).await;
    let mut closes = stored.clone();
    closes
        .follow_up(
            FollowUp {
                to: Status::Closed,
                notes: "自行销号".into(),
                ..Default::default()
            },
            "张三",
            at(3, 8),
        )
        .unwrap();
    closes.touch(at(3, 8));
    // With another record of the village in the same batch, which syncs.
    let fine = record(2, YANGLIU);
    let results = s
        .push(&s.device, &[(Some(2), &closes), (None, &fine)])
        .await;
    match &results[0].outcome {
        Outcome::Rejected { problems } => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].code, code::OFFICE_ONLY);
            assert_eq!(problems[0].field, "visits");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(results[1].outcome, accepted(1, vec![]));
    let held = on_server(&s, stored.id).await;
    assert_eq!((held.server_rev, &held.record), (2, &stored), "unchanged");

    // A review visit of the village's making, and a dispatch of its own, alike.
    let mut review = stored.clone();
    review
        .review(Review::SendBack, "冒充乡镇", "张三", at(3, 8))
        .unwrap();
    review.touch(at(3, 8));
    let mut dispatched = stored.clone();
    dispatched
        .dispatch(DispatchUpdate::default(), "张三", at(3, 8))
        .unwrap();
    dispatched.touch(at(3, 8));
    let mut status_only = stored.clone();
    status_only.status = Status::Closed;
    status_only.touch(at(3, 8));
    for (pushed, field) in [
        (&review, "visits"),
        (&dispatched, "dispatched"),
        (&status_only, "status"),
    ] {
        let results = s.push(&s.device, &[(Some(2), pushed)]).await;
        assert!(
            matches!(&results[0].outcome, Outcome::Rejected { problems }
                if problems[0].code == code::OFFICE_ONLY && problems[0].field == field),
            "{field}: {results:?}"
        );
    }
    assert_eq!(on_server(&s, stored.id).await.server_rev, 2);

    // Another village's device is told only that the id is not its village's: nothing of
    // 杨柳村's copy is compared with what it sent.
    let mut squat = status_only.clone();
    squat.village = HONGYAN.into();
    let results = s.push(&s.other, &[(Some(2), &squat)]).await;
    match &results[0].outcome {
        Outcome::Rejected { problems } => {
            let codes: Vec<_> = problems.iter().map(|p| p.code.as_str()).collect();
            assert_eq!(codes, [code::WRONG_VILLAGE]);
        }
        other => panic!("{other:?}"),
    }

    // The office may push the same (its desk keeps working offline too).
    assert_eq!(
        outcomes(&s.push(&s.office, &[(Some(2), &closes)]).await),
        [accepted(3, vec![])]
    );
    assert_eq!(on_server(&s, stored.id).await.record.status, Status::Closed);
}

#[tokio::test]
async fn the_offices_marks_survive_a_push_from_an_app_that_does_not_know_them() {
    let s = Server::new().await;
    let r = fixed_on_server(&s, 1).await;
    let (status, _) = post(&s, &record_dispatch_path(r.id), &s.office, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(
        &s,
        &record_review_path(r.id),
        &s.office,
        json!({"decision": "send_back", "reason": "未整改到位"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let held: ServerRecord = serde_json::from_value(body).unwrap();
    assert_eq!(held.server_rev, 4);

    // An older app reads it without the fields and pushes an edit over the latest revision.
    let mut old = serde_json::to_value(&held.record).unwrap();
    old.as_object_mut().unwrap().remove("dispatched");
    for visit in old["visits"].as_array_mut().unwrap() {
        visit.as_object_mut().unwrap().remove("review");
    }
    let mut edited: Record = serde_json::from_value(old).unwrap();
    edited.notes = "已重新整改".into();
    edited.touch(at(4, 8));
    assert_eq!(
        outcomes(&s.push(&s.device, &[(Some(4), &edited)]).await),
        [accepted(5, vec![])]
    );
    let now_held = on_server(&s, r.id).await.record;
    assert_eq!(now_held.notes, "已重新整改");
    assert_eq!(now_held.dispatched, held.record.dispatched);
    assert!(now_held.visits.last().unwrap().review);
}
