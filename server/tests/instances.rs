//! Several server instances on one database and one photo store (issue 9): nothing an
//! instance keeps in memory is needed to answer correctly, the same push sent to two at once
//! is stored once, and a reader following pull cursors while writers push through both
//! instances sees every committed change exactly once.
//!
//! The shared database is one SQLite file (WAL), opened by each instance with its own
//! connections as two processes on one machine would, or one PostgreSQL database with
//! `RP_TEST_DATABASE_URL`; the store is one folder, or one bucket with `RP_TEST_PHOTO_STORE=s3`
//! (each instance its own S3 client).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use patrol_core::*;
use river_patrol_server::db::tokens::sha256_hex;
use uuid::Uuid;

#[tokio::test]
async fn a_phone_pushes_to_one_instance_and_another_phone_pulls_everything_from_the_other() {
    let one = Server::new().await;
    let two = one.another_instance().await;
    let bytes = jpeg(7);
    let photo = Uuid::from_u128(0x1_0000_0007);
    let mut records: Vec<Record> = (1..=5).map(|n| record(n, YANGLIU)).collect();
    records[0].photos.push(photo_ref(photo, &bytes));
    let batch: Vec<_> = records.iter().map(|r| (None, r)).collect();
    one.push(&one.device, &batch).await;
    let (status, _) = one
        .put_photo(&photo.to_string(), &bytes, &sha256_hex(&bytes))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The office's phone, on the other instance: every record, and the photo.
    let page = two.pull(&two.office, None, None).await;
    let ids: HashSet<Uuid> = page.changes.iter().map(|c| c.record.id).collect();
    assert_eq!(ids, records.iter().map(|r| r.id).collect());
    assert!(!page.more);
    let (status, _) = two
        .put_photo(&photo.to_string(), &bytes, &sha256_hex(&bytes))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "already held, through the other instance"
    );
    // A cursor from one instance goes on at the other.
    let mut more = record(6, YANGLIU);
    more.title = "后来的记录".into();
    two.push(&two.device, &[(None, &more)]).await;
    let next = one.pull(&one.office, Some(&page.cursor), None).await;
    assert_eq!(
        next.changes.iter().map(|c| c.record.id).collect::<Vec<_>>(),
        vec![more.id]
    );
}

#[tokio::test]
async fn the_same_batch_pushed_to_two_instances_at_once_is_stored_once() {
    let one = Server::new().await;
    let two = one.another_instance().await;
    for round in 0..10u128 {
        let records: Vec<Record> = (0..20).map(|n| record(round * 100 + n, YANGLIU)).collect();
        let batch: Vec<_> = records.iter().map(|r| (None, r)).collect();
        let (a, b) = tokio::join!(one.push(&one.device, &batch), two.push(&two.device, &batch));
        for (x, y) in a.iter().zip(&b) {
            // One instance stored it, the other found it stored: never both.
            let stored = [&x.outcome, &y.outcome]
                .iter()
                .filter(|o| matches!(o, Outcome::Accepted { .. }))
                .count();
            assert_eq!(stored, 1, "{x:?} {y:?}");
        }
        let bytes = jpeg(round as u8 + 1);
        let id = Uuid::from_u128(0x2_0000_0000 + round).to_string();
        let sha = sha256_hex(&bytes);
        let (a, b) = tokio::join!(
            one.put_photo(&id, &bytes, &sha),
            two.put_photo(&id, &bytes, &sha)
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);
    }
    assert_eq!(one.count("SELECT COUNT(*) FROM records").await, 200);
    assert_eq!(
        one.count("SELECT COUNT(*) FROM records WHERE server_rev != 1")
            .await,
        0
    );
    assert_eq!(one.count("SELECT COUNT(*) FROM photos").await, 10);
    assert_eq!(one.stored_photos().await.len(), 10);
}

#[tokio::test]
async fn two_edits_of_one_record_sent_to_two_instances_at_once_are_never_both_taken() {
    let one = Server::new().await;
    let two = one.another_instance().await;
    for round in 0..10u128 {
        let original = record(round, YANGLIU);
        one.push(&one.device, &[(None, &original)]).await;
        // Two phones changed revision 1, each its own way, and sync at the same moment.
        let mut a = original.clone();
        a.notes = format!("张三复查 {round}");
        let mut b = original.clone();
        b.notes = format!("李四复查 {round}");
        let (from_a, from_b) = ([(Some(1), &a)], [(Some(1), &b)]);
        let (x, y) = tokio::join!(
            one.push(&one.device, &from_a),
            two.push(&two.device, &from_b)
        );
        // One edit becomes revision 2; the other phone is told of the conflict, with that
        // revision, and nothing is lost to an overwrite.
        let (taken, refused, kept) = match (&x[0].outcome, &y[0].outcome) {
            (Outcome::Accepted { .. }, Outcome::Conflict { server, .. }) => (&x[0], &y[0], server),
            (Outcome::Conflict { server, .. }, Outcome::Accepted { .. }) => (&y[0], &x[0], server),
            other => panic!("round {round}: {other:?}"),
        };
        assert_eq!(taken.outcome, accepted(2, vec![]), "{refused:?}");
        let stored = one.pull(&one.office, None, Some(1000)).await;
        let now = stored
            .changes
            .iter()
            .find(|c| c.record.id == original.id)
            .unwrap();
        assert_eq!(now.server_rev, 2);
        assert_eq!(&now.record, kept.as_ref());
    }
}

/// Follows the pull cursor until the server says there is no more; returns each record id
/// seen with the server revisions it was seen at, in order.
async fn catch_up(s: &Server, cursor: &mut Option<String>, seen: &mut HashMap<Uuid, Vec<u64>>) {
    loop {
        let page = s.pull(&s.office, cursor.as_deref(), Some(50)).await;
        for change in page.changes {
            seen.entry(change.record.id)
                .or_default()
                .push(change.server_rev);
        }
        *cursor = Some(page.cursor);
        if !page.more {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_following_cursors_see_every_committed_change_exactly_once() {
    let one = Arc::new(Server::new().await);
    let two = Arc::new(one.another_instance().await);
    let instances = [Arc::clone(&one), Arc::clone(&two)];
    let writing = Arc::new(AtomicBool::new(true));

    // Four writers, two on each instance, for a bounded time: each pushes batches of new
    // records, and every other batch changes three of the records it sent before (a new
    // revision is a change too, and moves the record to the end of the change order).
    let mut writers = Vec::new();
    for w in 0..4u128 {
        let s = Arc::clone(&instances[(w % 2) as usize]);
        let writing = Arc::clone(&writing);
        writers.push(tokio::spawn(async move {
            // Every record this writer sent, with its latest server revision.
            let mut sent: Vec<(Record, u64)> = Vec::new();
            let start = Instant::now();
            let mut n = 0u128;
            while start.elapsed() < Duration::from_secs(2) {
                let batch: Vec<Record> = (0..10)
                    .map(|i| record(w * 1_000_000 + n * 10 + i, YANGLIU))
                    .collect();
                let refs: Vec<_> = batch.iter().map(|r| (None, r)).collect();
                let results = s.push(&s.device, &refs).await;
                assert!(results.iter().all(|r| r.outcome == accepted(1, vec![])));
                sent.extend(batch.into_iter().map(|r| (r, 1)));
                if n % 2 == 1 {
                    let len = sent.len();
                    let changed: Vec<(Record, u64)> = [len - 20, len - 15, len - 12]
                        .iter()
                        .map(|&i| {
                            let (mut r, rev) = sent[i].clone();
                            r.notes = format!("复查 {n}");
                            (r, rev)
                        })
                        .collect();
                    let refs: Vec<_> = changed.iter().map(|(r, rev)| (Some(*rev), r)).collect();
                    let results = s.push(&s.device, &refs).await;
                    for ((i, (r, rev)), result) in [len - 20, len - 15, len - 12]
                        .into_iter()
                        .zip(changed)
                        .zip(results)
                    {
                        assert_eq!(result.outcome, accepted(rev + 1, vec![]));
                        sent[i] = (r, rev + 1);
                    }
                }
                n += 1;
            }
            writing.store(false, Ordering::SeqCst);
            sent
        }));
    }
    // Three readers, pulling from both instances in turn while the writers write.
    let mut readers = Vec::new();
    for r in 0..3usize {
        let instances = instances.clone();
        let writing = Arc::clone(&writing);
        readers.push(tokio::spawn(async move {
            let mut cursor = None;
            let mut seen = HashMap::new();
            let mut turn = r;
            while writing.load(Ordering::SeqCst) {
                catch_up(&instances[turn % 2], &mut cursor, &mut seen).await;
                turn += 1;
            }
            (cursor, seen)
        }));
    }
    // Each record's latest revision.
    let mut latest = HashMap::new();
    for w in writers {
        for (r, rev) in w.await.unwrap() {
            assert!(latest.insert(r.id, rev).is_none(), "{} sent twice", r.id);
        }
    }
    let sent: HashSet<Uuid> = latest.keys().copied().collect();
    assert!(sent.len() > 100, "only {} records written", sent.len());
    let changed = latest.values().filter(|&&rev| rev > 1).count();
    assert!(changed > 10, "only {changed} records changed");
    for reader in readers {
        let (mut cursor, mut seen) = reader.await.unwrap();
        // Writers are done: one last catch-up, then each record must have been seen once.
        catch_up(&one, &mut cursor, &mut seen).await;
        let ids: HashSet<Uuid> = seen.keys().copied().collect();
        assert_eq!(ids.len(), sent.len());
        assert_eq!(ids, sent, "a reader missed or invented a record");
        // Each revision seen at most once and in order, and the latest one seen: a reader may
        // miss a revision only when a newer one of the same record replaced it before it read.
        for (id, revs) in &seen {
            assert!(
                revs.windows(2).all(|w| w[0] < w[1]),
                "{id}: revisions seen {revs:?}"
            );
            assert_eq!(
                revs.last(),
                latest.get(id),
                "{id}: the latest revision not seen"
            );
        }
    }
}

/// The case a cursor of plain change numbers gets wrong: on PostgreSQL two instances write at
/// once, and the one that took the lower change number commits last. A reader must not move
/// past that number before it commits, or it would never see that change.
#[tokio::test]
async fn a_change_that_commits_late_is_not_skipped() {
    let one = Server::new().await;
    if !on_postgres() {
        // SQLite has one writer at a time: a second push waits for the first to commit
        // (faults.rs, a_database_locked_by_another_writer_is_waited_for).
        return;
    }
    let two = one.another_instance().await;
    let early = record(1, YANGLIU);
    let late = record(2, YANGLIU);

    // Instance one's push of `early` takes its change number and is still writing.
    let mut slow = one.api.db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO records
             (id, village, server_rev, seq, txid, body, deleted, created_at, stored_at)
         VALUES ($1, $2, 1, nextval('records_seq'), pg_current_xact_id()::text::bigint, $3, 0,
                 $4, $4)",
    )
    .bind(early.id.to_string())
    .bind(YANGLIU)
    .bind(patrol_core::codec::encode(&early))
    .bind(early.created_at.to_rfc3339())
    .execute(&mut *slow)
    .await
    .unwrap();
    // Meanwhile instance two stores `late`, with a higher number, and commits first.
    let res = two.push(&two.device, &[(None, &late)]).await;
    assert_eq!(res[0].outcome, accepted(1, vec![]));

    // A reader now must not be given `late` and a cursor past `early`'s number.
    let first = two.pull(&two.office, None, None).await;
    assert!(
        first.changes.is_empty(),
        "answered before an older write ended"
    );
    slow.commit().await.unwrap();
    let second = two.pull(&two.office, Some(&first.cursor), None).await;
    assert_eq!(
        second
            .changes
            .iter()
            .map(|c| c.record.id)
            .collect::<Vec<_>>(),
        [early.id, late.id]
    );
    let third = one.pull(&one.office, Some(&second.cursor), None).await;
    assert!(third.changes.is_empty() && !third.more);
}
