//! What the phone knows about each record's way to the server, and the rules that move it
//! along (see docs/sync-protocol.md). Pure: the app's sync adapter stores a [`SyncState`] per
//! record next to the record and asks these methods what to send and what to keep.
//!
//! A record counts as synced only when the server has confirmed this very revision and holds
//! every one of its photos. Nothing here ever drops a local record: a server copy that differs
//! from unsent local edits becomes a [`SyncState::conflict`] for the user to decide.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sync::{Outcome, PatrolOutcome, PhotoReceipt, ServerRecord, SyncProblem};
use crate::{Patrol, PhotoRef, Record};

/// localStorage key prefix of the per-record sync state: `rp/v1/sync/<uuid>`.
pub const SYNC_STATE_KEY_PREFIX: &str = "rp/v1/sync/";
/// localStorage key of the phone-wide [`SyncProgress`].
pub const SYNC_PROGRESS_KEY: &str = "rp/v1/sync-progress";

pub fn sync_state_key(id: Uuid) -> String {
    format!("{SYNC_STATE_KEY_PREFIX}{id}")
}

/// Where a record stands, as the list and the detail page show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordSync {
    /// The server has this revision and all its photos.
    Synced,
    /// Local changes (or photos) the server does not have yet.
    Pending,
    /// The server's copy changed too; the user must choose.
    Conflict,
    /// The server refused this revision; the reasons are in [`SyncState::rejected`].
    Rejected,
}

/// The sync bookkeeping of one record. Missing (never synced) is the same as the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The local `Record::revision` the server last confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_revision: Option<u32>,
    /// The server's revision of the record as last seen; sent back as `base_rev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_rev: Option<u64>,
    /// Photos the server is known to hold (uploaded from here, or came with a pulled record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos_on_server: Vec<Uuid>,
    /// The server's differing copy, kept until the user chooses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ServerRecord>,
    /// Why the server refused `rejected_revision`; cleared by the next accepted push.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<SyncProblem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_revision: Option<u32>,
    /// The server's receipts for the record's photos (when it received which bytes), from
    /// the upload's answer or a pull: shown in the record's history and the phone's CSV.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<PhotoReceipt>,
}

/// What to do with a record that came in a pull.
#[derive(Clone, Debug, PartialEq)]
pub enum Merge {
    /// Store this copy on the phone (new to it, or the phone had no unsent changes).
    Take(Box<Record>),
    /// Keep the local record; the server's copy is now [`SyncState::conflict`].
    Conflict,
    /// Nothing new (an echo of our own push, or already held).
    Ignore,
}

impl SyncState {
    pub fn status(&self, record: &Record) -> RecordSync {
        if self.conflict.is_some() {
            RecordSync::Conflict
        } else if !self.rejected.is_empty() && self.rejected_revision == Some(record.revision) {
            RecordSync::Rejected
        } else if self.synced_revision == Some(record.revision)
            && self.photos_to_upload(record).is_empty()
        {
            RecordSync::Synced
        } else {
            RecordSync::Pending
        }
    }

    /// Whether the next sync should send this record. A conflict waits for the user; a
    /// rejected revision is not sent again until it is edited.
    pub fn needs_push(&self, record: &Record) -> bool {
        self.status(record) == RecordSync::Pending
    }

    /// Photos of `record` the server does not hold yet. A deleted record needs none: the
    /// tombstone is all the server needs.
    pub fn photos_to_upload(&self, record: &Record) -> Vec<Uuid> {
        if record.is_deleted() {
            return Vec::new();
        }
        record
            .all_photos()
            .map(|p| p.id)
            .filter(|id| !self.photos_on_server.contains(id))
            .collect()
    }

    pub fn photo_uploaded(&mut self, id: Uuid) {
        if !self.photos_on_server.contains(&id) {
            self.photos_on_server.push(id);
        }
    }

    /// Keeps the server's receipt for a photo, in place of any earlier one for the same id.
    pub fn receipt_received(&mut self, receipt: PhotoReceipt) {
        self.receipts.retain(|r| r.id != receipt.id);
        self.receipts.push(receipt);
    }

    /// The server's receipt for `photo` (the same id and bytes), if it sent one.
    pub fn receipt_for(&self, photo: &PhotoRef) -> Option<&PhotoReceipt> {
        self.receipts.iter().find(|r| r.is_for(photo))
    }

    /// Applies the server's answer to a push of `record` (the copy that was sent).
    pub fn apply(&mut self, record: &Record, outcome: &Outcome) {
        match outcome {
            Outcome::Accepted {
                server_rev,
                missing_photos,
            }
            | Outcome::Unchanged {
                server_rev,
                missing_photos,
            } => {
                self.synced_revision = Some(record.revision);
                self.server_rev = Some(*server_rev);
                // The server's word wins over what we thought it had.
                self.photos_on_server
                    .retain(|id| !missing_photos.contains(id));
                for photo in record.all_photos() {
                    if !missing_photos.contains(&photo.id) {
                        self.photo_uploaded(photo.id);
                    }
                }
                self.conflict = None;
                self.rejected.clear();
                self.rejected_revision = None;
            }
            Outcome::Conflict { server_rev, server } => {
                self.conflict = Some(ServerRecord {
                    server_rev: *server_rev,
                    record: (**server).clone(),
                    receipts: Vec::new(),
                });
            }
            Outcome::Rejected { problems } => {
                self.rejected = problems.clone();
                self.rejected_revision = Some(record.revision);
            }
        }
    }

    /// Decides what a pulled copy means for the local record (`None`: the phone has none).
    pub fn merge(&mut self, local: Option<&Record>, incoming: ServerRecord) -> Merge {
        // The server's word on the photos it holds stands whatever becomes of the record.
        for receipt in &incoming.receipts {
            self.receipt_received(receipt.clone());
        }
        if self
            .server_rev
            .is_some_and(|seen| incoming.server_rev <= seen)
        {
            return Merge::Ignore;
        }
        let Some(local) = local else {
            self.adopt(&incoming);
            return Merge::Take(Box::new(incoming.record));
        };
        if local == &incoming.record {
            self.adopt(&incoming);
            return Merge::Ignore;
        }
        let unsent = self.synced_revision != Some(local.revision) || self.conflict.is_some();
        if unsent {
            self.conflict = Some(incoming);
            Merge::Conflict
        } else {
            self.adopt(&incoming);
            Merge::Take(Box::new(incoming.record))
        }
    }

    /// The user keeps the phone's version: the next push overwrites the server's copy, which
    /// is now the known base.
    pub fn keep_mine(&mut self) {
        if let Some(theirs) = self.conflict.take() {
            self.server_rev = Some(theirs.server_rev);
        }
    }

    /// The user takes the server's version: returns it to store in place of the local one.
    pub fn take_theirs(&mut self) -> Option<Record> {
        let theirs = self.conflict.take()?;
        self.adopt(&theirs);
        Some(theirs.record)
    }

    /// This server copy is now what the phone holds.
    fn adopt(&mut self, copy: &ServerRecord) {
        self.synced_revision = Some(copy.record.revision);
        self.server_rev = Some(copy.server_rev);
        // The phone cannot upload photos it never had; the device that took them does.
        self.photos_on_server = copy.record.all_photos().map(|p| p.id).collect();
        self.conflict = None;
        self.rejected.clear();
        self.rejected_revision = None;
    }
}

/// Phone-wide sync progress, kept across reloads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncProgress {
    /// The pull cursor the server gave last; `None` pulls everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// When a sync last completed without error.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::stamp::instant_option"
    )]
    pub last_success: Option<DateTime<Utc>>,
    /// The server the cursor belongs to: another server starts from the beginning.
    #[serde(default)]
    pub server: String,
    /// The patrol pull's cursor (patrols have their own change order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrol_cursor: Option<String>,
    /// How [`SyncProgress::server`] makes imported ledger rows' ids, as its last pull said
    /// (`PullResponse::import_ids`): the phone's import uses them, so the same file gives the
    /// same ids here and at the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_ids: Option<crate::import::ImportIds>,
}

impl SyncProgress {
    /// The import ids of `server` (a base URL, as [`SyncProgress::server`]), if the phone has
    /// pulled from it; `None` (the legacy ids) for any other server.
    pub fn import_ids_of(&self, server: &str) -> Option<&crate::import::ImportIds> {
        (self.server == server).then_some(self.import_ids.as_ref())?
    }
}

/// How far a sync has got with what it sends, for the progress bar: the photos first (the
/// long part on a thin link), then the records. Counted from the outbox when the sending
/// starts, so the bar moves only forward and ends full when everything went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendProgress {
    pub photos: usize,
    pub photos_sent: usize,
    pub records: usize,
    pub records_sent: usize,
}

impl SendProgress {
    /// The sending of `records`, each with the photos the server does not hold yet.
    pub fn of<'a>(records: impl IntoIterator<Item = (&'a Record, &'a SyncState)>) -> Self {
        records
            .into_iter()
            .fold(SendProgress::default(), |mut p, (record, state)| {
                p.records += 1;
                p.photos += state.photos_to_upload(record).len();
                p
            })
    }

    /// One photo more sent. A photo sent again (a second round for an upload the server
    /// lost) never takes the bar past its end.
    pub fn photo_sent(&mut self) {
        self.photos_sent = (self.photos_sent + 1).min(self.photos);
    }

    /// `count` records more sent.
    pub fn records_sent(&mut self, count: usize) {
        self.records_sent = (self.records_sent + count).min(self.records);
    }

    /// Photos and records together: what the bar counts.
    pub fn total(&self) -> usize {
        self.photos + self.records
    }

    pub fn done(&self) -> usize {
        self.photos_sent + self.records_sent
    }

    pub fn is_complete(&self) -> bool {
        self.done() == self.total()
    }
}

/// localStorage key of the phone's [`PatrolSync`].
pub const PATROL_SYNC_KEY: &str = "rp/v1/patrol-sync";

/// localStorage key of the [`Township`](crate::sync::Township) rules the phone last had from
/// its server; without it the phone judges patrols by the usual rule.
pub const TOWNSHIP_KEY: &str = "rp/v1/township";

/// Which patrols the server holds as they are on the phone. Patrols never conflict (see
/// [`Patrol::merge`]), so one map of confirmed revisions is all the bookkeeping they need.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PatrolSync {
    /// Per patrol, the local revision the server last confirmed holding.
    #[serde(default)]
    pub synced: BTreeMap<Uuid, u32>,
    /// Per patrol, why the server refused it, and at which revision.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rejected: BTreeMap<Uuid, (u32, Vec<SyncProblem>)>,
}

impl PatrolSync {
    /// Whether the server holds this revision of `patrol`.
    pub fn is_synced(&self, patrol: &Patrol) -> bool {
        self.synced.get(&patrol.id) == Some(&patrol.revision)
    }

    /// Why the server refused this revision of `patrol`, if it did.
    pub fn rejection(&self, patrol: &Patrol) -> Option<&[SyncProblem]> {
        self.rejected
            .get(&patrol.id)
            .filter(|(revision, _)| *revision == patrol.revision)
            .map(|(_, problems)| problems.as_slice())
    }

    /// Whether `patrol` is to be sent: the server lacks this revision, and did not refuse it.
    pub fn needs_push(&self, patrol: &Patrol) -> bool {
        !self.is_synced(patrol) && self.rejection(patrol).is_none()
    }

    /// Notes the server's answer to pushing `sent`.
    pub fn apply(&mut self, sent: &Patrol, outcome: &PatrolOutcome) {
        match outcome {
            PatrolOutcome::Accepted { .. } => {
                self.synced.insert(sent.id, sent.revision);
                self.rejected.remove(&sent.id);
            }
            PatrolOutcome::Rejected { problems } => {
                self.rejected
                    .insert(sent.id, (sent.revision, problems.clone()));
            }
        }
    }

    /// A patrol from the pull, against the phone's copy: returns what the phone should store
    /// (`None`: keep what it has). Nothing the phone holds is lost: a copy that knows less
    /// than the phone changes nothing, and when both know something the other does not, the
    /// merge is stored one revision on, so it is pushed back.
    pub fn pulled(&mut self, local: Option<&Patrol>, server: Patrol) -> Option<Patrol> {
        let Some(local) = local else {
            self.synced.insert(server.id, server.revision);
            return Some(server);
        };
        let mut merged = local.clone();
        merged.merge(&server);
        if merged.same_content(&server) {
            merged.revision = merged.revision.max(server.revision);
            self.synced.insert(server.id, merged.revision);
            return (merged != *local).then_some(merged);
        }
        if merged.same_content(local) {
            return None;
        }
        // Above every revision the server was ever confirmed to hold, so it is sent. Saturating:
        // a pulled copy may carry any revision, and a wrap would make the merge the oldest.
        let known = self.synced.get(&server.id).copied().unwrap_or_default();
        merged.revision = local
            .revision
            .max(server.revision)
            .max(known)
            .saturating_add(1);
        Some(merged)
    }
}
