//! The phone's sync bookkeeping: when a record counts as synced, what a push answer and a
//! pulled copy do to it, and the user's choices in a conflict.

mod common;

use common::*;
use patrol_core::sync::{Outcome, PhotoReceipt, ServerRecord, SyncProblem};
use patrol_core::sync_state::{Merge, RecordSync, SendProgress, SyncState};
use patrol_core::*;
use uuid::Uuid;

fn with_photo(mut record: Record) -> (Record, Uuid) {
    let id = Uuid::new_v4();
    record.photos = vec![PhotoRef {
        id,
        bytes: 200_000,
        width: 1600,
        height: 1200,
        sha256: "ab".repeat(32),
        taken_at: found(),
        watermark: None,
        source: None,
        exif: None,
    }];
    (record, id)
}

fn accepted(server_rev: u64, missing_photos: Vec<Uuid>) -> Outcome {
    Outcome::Accepted {
        server_rev,
        missing_photos,
    }
}

fn edited(record: &Record, notes: &str) -> Record {
    let mut next = record.clone();
    next.notes = notes.into();
    next.touch(found());
    next
}

#[test]
fn a_record_the_server_never_saw_is_pending() {
    let record = sample(Kind::SewageOutfall);
    let state = SyncState::default();
    assert_eq!(state.status(&record), RecordSync::Pending);
    assert!(state.needs_push(&record));
}

#[test]
fn synced_only_when_the_server_has_the_revision_and_every_photo() {
    let (record, photo) = with_photo(sample(Kind::SewageOutfall));
    let mut state = SyncState::default();
    assert_eq!(state.photos_to_upload(&record), vec![photo]);

    // Accepted, but the server says the photo has not arrived.
    state.apply(&record, &accepted(1, vec![photo]));
    assert_eq!(state.status(&record), RecordSync::Pending);
    assert_eq!(state.photos_to_upload(&record), vec![photo]);

    state.photo_uploaded(photo);
    assert_eq!(state.status(&record), RecordSync::Synced);
    assert!(!state.needs_push(&record));
    assert_eq!(state.server_rev, Some(1));
}

#[test]
fn a_re_sent_batch_answered_unchanged_counts_as_synced() {
    let record = sample(Kind::Signage);
    let mut state = SyncState::default();
    state.apply(
        &record,
        &Outcome::Unchanged {
            server_rev: 3,
            missing_photos: vec![],
        },
    );
    assert_eq!(state.status(&record), RecordSync::Synced);
    assert_eq!(state.server_rev, Some(3));
}

#[test]
fn an_edit_after_sync_is_pending_again_and_sent_with_the_known_base() {
    let record = sample(Kind::LivestockFarm);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(4, vec![]));
    let next = edited(&record, "粪污已清运");
    assert_eq!(state.status(&next), RecordSync::Pending);
    assert_eq!(state.server_rev, Some(4));
}

#[test]
fn an_edit_made_while_the_push_was_on_its_way_stays_pending() {
    let sent = sample(Kind::LitterPoint);
    let newer = edited(&sent, "又发现一处");
    let mut state = SyncState::default();
    state.apply(&sent, &accepted(1, vec![]));
    assert_eq!(state.status(&newer), RecordSync::Pending);
}

#[test]
fn a_deleted_record_needs_no_photo_upload() {
    let (mut record, _) = with_photo(sample(Kind::SpoilHeap));
    record.mark_deleted(found());
    let mut state = SyncState::default();
    assert!(state.photos_to_upload(&record).is_empty());
    state.apply(&record, &accepted(2, vec![]));
    assert_eq!(state.status(&record), RecordSync::Synced);
}

#[test]
fn a_rejected_revision_waits_for_an_edit() {
    let record = sample(Kind::Other);
    let mut state = SyncState::default();
    state.apply(
        &record,
        &Outcome::Rejected {
            problems: vec![SyncProblem::new("title", "required", "title is required")],
        },
    );
    assert_eq!(state.status(&record), RecordSync::Rejected);
    assert!(!state.needs_push(&record));
    let fixed = edited(&record, "补充了说明");
    assert_eq!(state.status(&fixed), RecordSync::Pending);
    state.apply(&fixed, &accepted(1, vec![]));
    assert_eq!(state.status(&fixed), RecordSync::Synced);
    assert!(state.rejected.is_empty());
}

#[test]
fn a_conflict_keeps_the_local_copy_until_the_user_chooses() {
    let record = sample(Kind::SewageOutfall);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(1, vec![]));
    let mine = edited(&record, "本机的说明");
    let mut theirs = record.clone();
    theirs.deadline = Some(date(2026, 12, 31));
    state.apply(
        &mine,
        &Outcome::Conflict {
            server_rev: 2,
            server: Box::new(theirs.clone()),
        },
    );
    assert_eq!(state.status(&mine), RecordSync::Conflict);
    assert!(
        !state.needs_push(&mine),
        "a conflict is not sent again by itself"
    );

    let mut keep = state.clone();
    keep.keep_mine();
    assert_eq!(keep.status(&mine), RecordSync::Pending);
    assert_eq!(
        keep.server_rev,
        Some(2),
        "the next push overwrites revision 2"
    );

    let mut take = state.clone();
    let taken = take.take_theirs().expect("the server's copy");
    assert_eq!(taken, theirs);
    assert_eq!(take.status(&taken), RecordSync::Synced);
    assert_eq!(take.server_rev, Some(2));
}

fn server_copy(record: &Record, server_rev: u64) -> ServerRecord {
    ServerRecord {
        server_rev,
        record: record.clone(),
        receipts: Vec::new(),
    }
}

#[test]
fn a_pulled_record_new_to_the_phone_is_taken_with_its_photos_counted_as_on_the_server() {
    let (record, photo) = with_photo(sample(Kind::WaterQuality));
    let mut state = SyncState::default();
    let merge = state.merge(None, server_copy(&record, 7));
    assert_eq!(merge, Merge::Take(Box::new(record.clone())));
    assert_eq!(state.status(&record), RecordSync::Synced);
    assert!(state.photos_on_server.contains(&photo));
}

#[test]
fn the_echo_of_our_own_push_changes_nothing() {
    let record = sample(Kind::StonePlant);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(5, vec![]));
    let before = state.clone();
    assert_eq!(
        state.merge(Some(&record), server_copy(&record, 5)),
        Merge::Ignore
    );
    assert_eq!(state, before);
}

#[test]
fn an_office_change_replaces_an_unchanged_local_copy() {
    let record = sample(Kind::SewageOutfall);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(1, vec![]));
    let mut office = record.clone();
    office.deadline = Some(date(2027, 1, 15));
    office.touch(found());
    assert_eq!(
        state.merge(Some(&record), server_copy(&office, 2)),
        Merge::Take(Box::new(office.clone()))
    );
    assert_eq!(state.status(&office), RecordSync::Synced);
}

#[test]
fn an_office_change_against_unsent_local_edits_is_a_conflict() {
    let record = sample(Kind::SewageOutfall);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(1, vec![]));
    let mine = edited(&record, "本机改过");
    let mut office = record.clone();
    office.deadline = Some(date(2027, 1, 15));
    assert_eq!(
        state.merge(Some(&mine), server_copy(&office, 2)),
        Merge::Conflict
    );
    assert_eq!(state.status(&mine), RecordSync::Conflict);
    assert_eq!(state.conflict.as_ref().map(|c| c.server_rev), Some(2));
}

#[test]
fn the_same_content_from_the_server_just_confirms_the_local_copy() {
    let record = sample(Kind::Signage);
    let mut state = SyncState::default();
    assert_eq!(
        state.merge(Some(&record), server_copy(&record, 9)),
        Merge::Ignore
    );
    assert_eq!(state.status(&record), RecordSync::Synced);
    assert_eq!(state.server_rev, Some(9));
}

#[test]
fn sync_state_json_is_small_and_round_trips() {
    let state = SyncState::default();
    assert_eq!(serde_json::to_string(&state).unwrap(), "{}");
    let record = sample(Kind::Other);
    let mut state = SyncState::default();
    state.apply(&record, &accepted(2, vec![]));
    let text = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<SyncState>(&text).unwrap(), state);
}

#[test]
fn the_servers_receipts_are_kept_from_the_upload_and_from_a_pull_even_of_an_echo() {
    let (record, photo) = with_photo(sample(Kind::SewageOutfall));
    let sha256 = record.photos[0].sha256.clone();
    let mut state = SyncState::default();
    assert_eq!(state.receipt_for(&record.photos[0]), None);

    // The upload's answer.
    let first = PhotoReceipt {
        id: photo,
        sha256: sha256.clone(),
        received_at: at(2026, 12, 6, 3, 0, 0),
    };
    state.receipt_received(first.clone());
    assert_eq!(state.receipt_for(&record.photos[0]), Some(&first));

    // A pull of the same record (our own push's echo) carries the receipt again: still one.
    state.apply(&record, &accepted(1, vec![]));
    let mut echo = server_copy(&record, 1);
    echo.receipts = vec![first.clone()];
    assert_eq!(state.merge(Some(&record), echo), Merge::Ignore);
    assert_eq!(state.receipts, vec![first.clone()]);

    // A receipt for other bytes under the id says nothing of this photo.
    let other = PhotoReceipt {
        sha256: "0".repeat(64),
        ..first.clone()
    };
    state.receipt_received(other);
    assert_eq!(state.receipt_for(&record.photos[0]), None);
}

#[test]
fn the_send_bar_counts_the_photos_still_to_go_and_the_records_and_ends_full() {
    let (one, _) = with_photo(sample(Kind::SewageOutfall));
    let (two, sent_before) = with_photo(sample(Kind::LivestockFarm));
    // A record with no photo at all.
    let mut three = sample(Kind::SpoilHeap);
    three.photos.clear();
    three.visits.clear();
    assert_eq!(three.all_photos().count(), 0);
    let fresh = SyncState::default();
    // `two`'s photo reached the server in an earlier sync that stopped halfway.
    let mut half = SyncState::default();
    half.apply(&two, &accepted(1, vec![sent_before]));
    half.photo_uploaded(sent_before);
    let mut progress = SendProgress::of([(&one, &fresh), (&two, &half), (&three, &fresh)]);
    assert_eq!((progress.photos, progress.records), (1, 3));
    assert_eq!((progress.done(), progress.total()), (0, 4));
    assert!(!progress.is_complete());

    progress.photo_sent();
    progress.records_sent(2);
    assert_eq!(progress.done(), 3);
    // A photo sent again in the second round, and a record pushed again, never pass the end.
    progress.photo_sent();
    progress.records_sent(5);
    assert_eq!((progress.done(), progress.total()), (4, 4));
    assert!(progress.is_complete());

    // Nothing to send: nothing to show.
    assert_eq!(SendProgress::of([]).total(), 0);
}
