//! The sync engine: sends this phone's records and photos to the township's server and brings
//! back what the township changed (docs/sync-protocol.md).
//!
//! One sync at a time: within a tab a request during a sync runs one more sync after it;
//! across tabs the Web Locks API serialises them. It starts by itself when the app opens,
//! when a connection appears, every few minutes while online, and a few seconds after a
//! record is saved; failures retry with capped exponential backoff and jitter
//! ([`patrol_core::sync::retry_delay_ms`]), reset by a success or a tap on "sync now".
//! Local data is never deleted because of a sync result.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gloo_storage::{LocalStorage, Storage};
use js_sys::Reflect;
use leptos::prelude::*;
use leptos::task::spawn_local;
use patrol_core::sync::{
    PatrolOutcome, PatrolPushRequest, PushRecord, PushRequest, SyncProblem, retry_delay_ms,
};
use patrol_core::sync_state::{
    Merge, PATROL_SYNC_KEY, PatrolSync, RecordSync, SYNC_PROGRESS_KEY, SYNC_STATE_KEY_PREFIX,
    SyncProgress, SyncState, sync_state_key,
};
use patrol_core::{Patrol, Record};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::api::{ApiError, Server};
use crate::ledger::Ledger;
use crate::patrols::Patrols;
use crate::settings::Settings;
use crate::store::{self, SaveError};
use crate::{camera, photos};

/// Records per push request (the server announces its own limit; this stays below it).
const PUSH_BATCH: usize = 50;
/// Changes per pull page.
const PULL_PAGE: u32 = 200;
/// Patrols per pull page (they carry their tracks).
const PATROL_PULL_PAGE: u32 = 20;
/// While online, sync this often even if nothing happened (the office may have changed
/// something).
const PERIODIC: Duration = Duration::from_secs(5 * 60);
/// After a local save, wait this long so a burst of edits goes in one sync.
const AFTER_SAVE: Duration = Duration::from_secs(2);
/// Web Locks name shared by every tab of the app.
const LOCK: &str = "river-patrol-sync";

/// Why the last sync did not complete.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncFailure {
    /// No server address or no access token in settings.
    NotConfigured,
    /// The server refused the token (401): the user must enter a new one.
    Unauthorized,
    /// No network, or the server did not answer; retried by itself.
    Unreachable,
    /// The server answered with an error; retried by itself when it may pass.
    Server(String),
    /// The phone could not write its own storage.
    Storage(SaveError),
}

/// Where a patrol stands on its way to the server.
#[derive(Clone, Debug, PartialEq)]
pub enum PatrolStatus {
    Synced,
    Pending,
    Rejected(Vec<SyncProblem>),
}

/// The engine's state, for the status bar, the record badges and settings.
#[derive(Clone, Copy)]
pub struct SyncEngine {
    /// `navigator.onLine`, corrected by whether the server actually answered.
    pub online: RwSignal<bool>,
    pub running: RwSignal<bool>,
    pub last_success: RwSignal<Option<DateTime<Utc>>>,
    pub failure: RwSignal<Option<SyncFailure>>,
    /// When the next automatic retry happens, if one is scheduled.
    pub retry_at: RwSignal<Option<DateTime<Utc>>>,
    /// Each record's sync bookkeeping, as stored.
    pub states: RwSignal<HashMap<Uuid, SyncState>>,
    /// Which patrols the server holds, as stored.
    pub patrol_sync: RwSignal<PatrolSync>,
    failures: StoredValue<u32>,
    again: StoredValue<bool>,
    retry_timer: StoredValue<Option<TimeoutHandle>>,
    ledger: Ledger,
    patrols: Patrols,
    settings: RwSignal<Settings>,
}

impl SyncEngine {
    /// The engine over what the phone held at start (`stored`, read by src/stored.rs).
    pub fn new(
        ledger: Ledger,
        patrols: Patrols,
        settings: RwSignal<Settings>,
        stored: SyncStored,
    ) -> SyncEngine {
        SyncEngine {
            online: RwSignal::new(navigator_online()),
            running: RwSignal::new(false),
            last_success: RwSignal::new(stored.progress.last_success),
            failure: RwSignal::new(None),
            retry_at: RwSignal::new(None),
            states: RwSignal::new(stored.states),
            patrol_sync: RwSignal::new(stored.patrol_sync),
            failures: StoredValue::new(0),
            again: StoredValue::new(false),
            retry_timer: StoredValue::new(None),
            ledger,
            patrols,
            settings,
        }
    }

    /// Where `patrol` stands: synced, pending, or refused (with the reasons).
    pub fn patrol_status(&self, patrol: &Patrol) -> PatrolStatus {
        self.patrol_sync.with(|s| {
            if s.is_synced(patrol) {
                PatrolStatus::Synced
            } else if let Some(problems) = s.rejection(patrol) {
                PatrolStatus::Rejected(problems.to_vec())
            } else {
                PatrolStatus::Pending
            }
        })
    }

    /// Where `record` stands (a record the server never saw is pending).
    pub fn status_of(&self, record: &Record) -> RecordSync {
        self.states.with(|s| {
            s.get(&record.id)
                .map_or(RecordSync::Pending, |st| st.status(record))
        })
    }

    pub fn state_of(&self, id: &Uuid) -> SyncState {
        self.states.with(|s| s.get(id).cloned()).unwrap_or_default()
    }

    /// Records (deletions included) with something the server does not have yet.
    pub fn pending_count(&self) -> usize {
        let states = self.states;
        self.ledger.with_all(|all| {
            states.with(|s| {
                all.iter()
                    .filter(|r| s.get(&r.id).is_none_or(|st| st.needs_push(r)))
                    .count()
            })
        })
    }

    /// Records waiting for the user: conflicts and refusals.
    pub fn attention_count(&self) -> usize {
        let states = self.states;
        self.ledger.with_all(|all| {
            states.with(|s| {
                all.iter()
                    .filter(|r| !r.is_deleted())
                    .filter(|r| {
                        s.get(&r.id).is_some_and(|st| {
                            matches!(st.status(r), RecordSync::Conflict | RecordSync::Rejected)
                        })
                    })
                    .count()
            })
        })
    }

    /// "Sync now": forgets the backoff and syncs at once.
    pub fn sync_now(&self) {
        self.failures.set_value(0);
        self.request();
    }

    /// Syncs as soon as possible; during a sync, once more after it.
    pub fn request(&self) {
        if self.running.get_untracked() {
            self.again.set_value(true);
            return;
        }
        if let Some(timer) = self.retry_timer.try_update_value(Option::take).flatten() {
            timer.clear();
        }
        self.retry_at.set(None);
        let engine = *self;
        spawn_local(async move { engine.run().await });
    }

    /// The user keeps the phone's version of a conflicting record; it is sent next.
    pub fn keep_mine(&self, id: Uuid) -> Result<(), SaveError> {
        let mut state = self.state_of(&id);
        state.keep_mine();
        self.store_state(id, state)?;
        self.request();
        Ok(())
    }

    /// The user takes the server's version of a conflicting record.
    pub fn take_theirs(&self, id: Uuid) -> Result<(), SaveError> {
        let mut state = self.state_of(&id);
        let Some(mut theirs) = state.take_theirs() else {
            return Ok(());
        };
        // Follow-up visits made on this phone are facts, not part of "my version": they stay,
        // and the merged copy goes to the server as a new local change.
        let mine = self.ledger.get_untracked(&id);
        if mine.is_some_and(|mine| theirs.take_visits_from(&mine)) {
            self.store_state(id, state)?;
            self.ledger.save(theirs)?;
            self.request();
            return Ok(());
        }
        self.ledger.store_as_is(theirs)?;
        self.store_state(id, state)
    }

    fn store_patrol_sync(&self, state: PatrolSync) -> Result<(), SyncFailure> {
        let text = serde_json::to_string(&state)
            .map_err(|e| SyncFailure::Storage(SaveError::Failed(e.to_string())))?;
        store::write_text(PATROL_SYNC_KEY, &text).map_err(SyncFailure::Storage)?;
        self.patrol_sync.set(state);
        Ok(())
    }

    fn store_state(&self, id: Uuid, state: SyncState) -> Result<(), SaveError> {
        self.store_states(vec![(id, state)])
    }

    /// Writes each state, then shows them all in one update (one re-render per batch, not
    /// per record). States written before a refused write are kept and shown.
    fn store_states(&self, states: Vec<(Uuid, SyncState)>) -> Result<(), SaveError> {
        let mut written = Vec::with_capacity(states.len());
        let mut outcome = Ok(());
        for (id, state) in states {
            if let Err(e) = save_state(id, &state) {
                outcome = Err(e);
                break;
            }
            written.push((id, state));
        }
        self.states.update(|s| s.extend(written));
        outcome
    }

    async fn run(self) {
        self.running.set(true);
        loop {
            self.again.set_value(false);
            let outcome = self.locked_sync().await;
            self.finish(outcome);
            if !self.again.get_value() || self.retry_at.get_untracked().is_some() {
                break;
            }
        }
        self.running.set(false);
    }

    async fn locked_sync(self) -> Result<(), SyncFailure> {
        let Some(server) = self.settings.with_untracked(Settings::server) else {
            return Err(SyncFailure::NotConfigured);
        };
        // Another tab may be syncing: wait for it, then sync with what it left.
        exclusively(sync_part(self, server))
            .await
            .unwrap_or_else(|| Err(SyncFailure::Server("Web Locks request failed".into())))
    }

    fn finish(&self, outcome: Result<(), SyncFailure>) {
        match outcome {
            Ok(()) => {
                self.failures.set_value(0);
                self.failure.set(None);
                self.online.set(true);
                let now = Utc::now();
                self.last_success.set(Some(now));
            }
            Err(failure) => {
                let retry = match &failure {
                    SyncFailure::Unreachable => {
                        self.online.set(false);
                        true
                    }
                    SyncFailure::Server(_) => true,
                    SyncFailure::NotConfigured
                    | SyncFailure::Unauthorized
                    | SyncFailure::Storage(_) => false,
                };
                self.failure.set(Some(failure));
                if retry {
                    self.schedule_retry();
                }
            }
        }
    }

    fn schedule_retry(&self) {
        let failures = self.failures.get_value() + 1;
        self.failures.set_value(failures);
        let delay = Duration::from_millis(retry_delay_ms(failures, js_sys::Math::random()));
        let engine = *self;
        let timer = set_timeout_with_handle(move || engine.request(), delay).ok();
        self.retry_timer.set_value(timer);
        self.retry_at.set(
            chrono::Duration::from_std(delay)
                .ok()
                .map(|d| Utc::now() + d),
        );
    }

    /// Starts the automatic triggers: now, when a connection appears, every few minutes, a
    /// moment after a local save, and when the server settings change.
    pub fn start(&self) {
        let engine = *self;
        let _ = leptos_use::use_event_listener(window(), leptos::ev::online, move |_| {
            engine.online.set(true);
            engine.sync_now();
        });
        let _ = leptos_use::use_event_listener(window(), leptos::ev::offline, move |_| {
            engine.online.set(false);
        });
        let _ = set_interval_with_handle(
            move || {
                if navigator_online() && !engine.running.get_untracked() {
                    engine.request();
                }
            },
            PERIODIC,
        );
        // Local saves: every change of the pending count upwards.
        let pending = Memo::new(move |_| engine.pending_count());
        Effect::new(move |previous: Option<usize>| {
            let now = pending.get();
            if previous.is_some_and(|p| now > p) {
                set_timeout(move || engine.request(), AFTER_SAVE);
            }
            now
        });
        // New address or token: try at once (also the first sync at start-up).
        let target = Memo::new(move |_| engine.settings.with(Settings::server));
        Effect::new(move |_| {
            if target.with(Option::is_some) {
                engine.sync_now();
            } else {
                engine.failure.set(Some(SyncFailure::NotConfigured));
            }
        });
        // Another tab synced or saved: show what it stored.
        let _ = leptos_use::use_event_listener(window(), leptos::ev::storage, move |ev| {
            if ev
                .key()
                .is_some_and(|k| k.starts_with(SYNC_STATE_KEY_PREFIX))
            {
                // Read by the readers' part (src/stored.rs); without it, this tab shows the
                // other's results after its own next sync, which reads them again.
                leptos::task::spawn_local(async move {
                    if let Ok(states) = crate::stored::sync_states().await {
                        engine.states.set(states);
                    }
                });
            }
        });
    }
}

impl From<leptos::wasm_split::SplitLoaderError> for SyncFailure {
    /// The sync code could not be downloaded: the phone is offline (and has not stored the
    /// app yet), so this is retried like any other unreachable server.
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        SyncFailure::Unreachable
    }
}

/// A whole sync, with its code downloaded on first use (src/on_demand.rs, xtask/src/split.rs):
/// a phone with no server set never downloads it, and the first screen opens without it.
#[cfg(rp_split)]
#[leptos::wasm_split::wasm_split(
    sync_part,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    return_wrapper(let work = _; { work?.await } -> Result<(), SyncFailure>)
)]
fn sync_part(engine: SyncEngine, server: Server) -> Result<SyncWork, SyncFailure> {
    Ok(Box::pin(sync_once(engine, server)))
}

/// Without the split build (`--cfg rp_split`), the same sync, in one piece.
#[cfg(not(rp_split))]
async fn sync_part(engine: SyncEngine, server: Server) -> Result<(), SyncFailure> {
    sync_once(engine, server).await
}

/// The sync that [`sync_part`] hands back to run.
#[cfg(rp_split)]
type SyncWork = std::pin::Pin<Box<dyn Future<Output = Result<(), SyncFailure>>>>;

/// One whole sync: photos, then records, then the township's changes.
async fn sync_once(engine: SyncEngine, server: Server) -> Result<(), SyncFailure> {
    server
        .health()
        .await
        .map_err(|_| SyncFailure::Unreachable)?;
    engine.online.set(true);
    // Fresh from storage: another tab may have saved or synced since this one loaded.
    engine.states.set(load_states());
    engine.ledger.reload();

    let outbox: Vec<Record> = engine.ledger.with_all_untracked(|all| {
        engine.states.with_untracked(|s| {
            all.iter()
                .filter(|r| s.get(&r.id).is_none_or(|st| st.needs_push(r)))
                .cloned()
                .collect()
        })
    });

    // A second round for records the server still missed photos of (an upload it lost):
    // they are sent again at once rather than at the next sync.
    let mut round = outbox;
    for _ in 0..2 {
        if round.is_empty() {
            break;
        }
        for record in &round {
            upload_photos(&engine, &server, record).await?;
        }
        for batch in round.chunks(PUSH_BATCH) {
            push_batch(&engine, &server, batch).await?;
        }
        round.retain(|r| {
            let state = engine.state_of(&r.id);
            state.needs_push(r) && !state.photos_to_upload(r).is_empty()
        });
    }

    pull(&engine, &server).await?;
    sync_patrols(&engine, &server).await?;
    let mut progress = load_progress();
    progress.last_success = Some(Utc::now());
    save_progress(&progress).map_err(SyncFailure::Storage)?;
    download_missing_photos(&engine, &server).await;
    Ok(())
}

/// Pushes one batch and keeps what the server answered for each record.
async fn push_batch(
    engine: &SyncEngine,
    server: &Server,
    batch: &[Record],
) -> Result<(), SyncFailure> {
    let request = PushRequest {
        records: batch
            .iter()
            .map(|r| PushRecord {
                base_rev: engine.state_of(&r.id).server_rev,
                record: r.clone(),
            })
            .collect(),
    };
    let answer = server.push(&request).await.map_err(failure)?;
    let states = answer
        .results
        .into_iter()
        .filter_map(|result| {
            let sent = batch.iter().find(|r| r.id == result.id)?;
            let mut state = engine.state_of(&sent.id);
            state.apply(sent, &result.outcome);
            Some((sent.id, state))
        })
        .collect();
    engine.store_states(states).map_err(SyncFailure::Storage)
}

/// Sends the photos the server does not hold yet. A photo missing from this phone (it should
/// not happen) is skipped: the server then reports it missing and the record stays pending.
async fn upload_photos(
    engine: &SyncEngine,
    server: &Server,
    record: &Record,
) -> Result<(), SyncFailure> {
    let state = engine.state_of(&record.id);
    for id in state.photos_to_upload(record) {
        let Some(photo) = record.all_photos().find(|p| p.id == id) else {
            continue;
        };
        let Ok(Some(blob)) = photos::get(id).await else {
            continue;
        };
        server
            .upload_photo(id, &photo.sha256, &blob)
            .await
            .map_err(failure)?;
        let mut state = engine.state_of(&record.id);
        state.photo_uploaded(id);
        engine
            .store_state(record.id, state)
            .map_err(SyncFailure::Storage)?;
    }
    Ok(())
}

/// Brings in the township's changes since the last cursor, page by page; the cursor moves
/// only after a page is stored.
async fn pull(engine: &SyncEngine, server: &Server) -> Result<(), SyncFailure> {
    let mut progress = load_progress();
    if progress.server != server.base {
        progress = SyncProgress {
            server: server.base.clone(),
            ..SyncProgress::default()
        };
    }
    loop {
        let page = server
            .pull(progress.cursor.as_deref(), PULL_PAGE)
            .await
            .map_err(failure)?;
        // No await in this loop: between reading a local copy and writing it, no save can
        // slip in.
        let mut states: HashMap<Uuid, SyncState> = HashMap::new();
        let mut stored = Ok(());
        for change in page.changes {
            let id = change.record.id;
            let local = store::load(id);
            let mut state = states.remove(&id).unwrap_or_else(|| engine.state_of(&id));
            if let Merge::Take(record) = state.merge(local.as_ref(), change)
                && let Err(e) = engine.ledger.store_as_is(*record)
            {
                stored = Err(e);
                break;
            }
            states.insert(id, state);
        }
        engine
            .store_states(states.into_iter().collect())
            .and(stored)
            .map_err(SyncFailure::Storage)?;
        progress.cursor = Some(page.cursor);
        save_progress(&progress).map_err(SyncFailure::Storage)?;
        if !page.more {
            return Ok(());
        }
    }
}

/// Sends the patrols the server lacks (one per request: a long track is a big body), then
/// brings in the patrols stored on the server since the last patrol cursor.
async fn sync_patrols(engine: &SyncEngine, server: &Server) -> Result<(), SyncFailure> {
    engine.patrols.reload();
    engine.patrol_sync.set(load_patrol_sync());
    let outbox: Vec<Patrol> = engine.patrols.with_all_untracked(|all| {
        engine
            .patrol_sync
            .with_untracked(|s| all.iter().filter(|p| s.needs_push(p)).cloned().collect())
    });
    for patrol in outbox {
        let request = PatrolPushRequest {
            patrols: vec![patrol.clone()],
        };
        let outcome = match server.push_patrols(&request).await {
            Ok(answer) => answer.results.into_iter().next().map(|r| r.outcome),
            // Larger than the server takes: refused, so the rest still syncs.
            Err(ApiError::Status {
                status: 413,
                code,
                message,
            }) => Some(PatrolOutcome::Rejected {
                problems: vec![SyncProblem::new("track", &code, message)],
            }),
            Err(e) => return Err(failure(e)),
        };
        if let Some(outcome) = outcome {
            let mut state = engine.patrol_sync.get_untracked();
            state.apply(&patrol, &outcome);
            engine.store_patrol_sync(state)?;
        }
    }

    let mut progress = load_progress();
    loop {
        let page = server
            .pull_patrols(progress.patrol_cursor.as_deref(), PATROL_PULL_PAGE)
            .await
            .map_err(failure)?;
        // No await from reading the local copies to writing: no fix can slip in between.
        engine.patrols.reload();
        let mut state = engine.patrol_sync.get_untracked();
        let mut stored = Ok(());
        for theirs in page.patrols {
            let local = engine.patrols.get_untracked(theirs.id);
            if let Some(keep) = state.pulled(local.as_ref(), theirs)
                && let Err(e) = engine.patrols.store_as_is(keep)
            {
                stored = Err(e);
                break;
            }
        }
        engine.store_patrol_sync(state)?;
        stored.map_err(SyncFailure::Storage)?;
        progress.patrol_cursor = Some(page.cursor);
        save_progress(&progress).map_err(SyncFailure::Storage)?;
        if !page.more {
            return Ok(());
        }
    }
}

/// Photos of records that came from other devices, so they show here too. Best effort: a
/// failure leaves the photo for the next sync.
async fn download_missing_photos(engine: &SyncEngine, server: &Server) {
    let wanted: Vec<(Uuid, String)> = engine.ledger.with_all_untracked(|all| {
        all.iter()
            .filter(|r| !r.is_deleted())
            .flat_map(|r| r.all_photos().map(|p| (p.id, p.sha256.clone())))
            .collect()
    });
    let Ok(held) = photos::ids().await else {
        return;
    };
    for (id, sha256) in wanted.into_iter().filter(|(id, _)| !held.contains(id)) {
        let Ok(blob) = server.download_photo(id).await else {
            continue;
        };
        // Only the very bytes the record describes are kept.
        let Ok(bytes) = camera::read(&blob).await else {
            continue;
        };
        if camera::sha256_hex(&bytes).await.ok().as_deref() != Some(sha256.as_str()) {
            continue;
        }
        let thumbnail = camera::thumbnail(&blob).await.ok();
        let stored = photos::PhotoStore::default()
            .put_with_thumbnail(id, &blob, thumbnail.as_ref())
            .await;
        if stored.is_err() {
            return;
        }
    }
}

/// Runs `work` while holding the app's Web Lock, so tabs sync one after another. Without
/// Web Locks (an old browser) it just runs: this tab's own guard is all there is. `None` if
/// the browser refused the lock request. (Through `Reflect`: web-sys keeps `LockManager`
/// behind an unstable flag, and leptos-use 0.18's `use_web_lock` does not build with the
/// web-sys in Cargo.lock.)
async fn exclusively<T: 'static>(work: impl Future<Output = T> + 'static) -> Option<T> {
    let locks = Reflect::get(&window().navigator(), &"locks".into())
        .ok()
        .filter(|l| l.is_object());
    let request = locks.as_ref().and_then(|l| {
        Reflect::get(l, &"request".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work.await);
    };
    let result = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&result);
    // The lock is held until the promise this callback returns settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        future_to_promise(async move {
            let value = work.await;
            slot.borrow_mut().replace(value);
            Ok(JsValue::UNDEFINED)
        })
    });
    let promise = request
        .call2(&locks, &JsValue::from_str(LOCK), &callback)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    JsFuture::from(promise).await.ok()?;
    result.borrow_mut().take()
}

fn failure(e: ApiError) -> SyncFailure {
    match e {
        ApiError::Unauthorized(_) => SyncFailure::Unauthorized,
        ApiError::Unreachable(_) => SyncFailure::Unreachable,
        other => SyncFailure::Server(other.to_string()),
    }
}

fn navigator_online() -> bool {
    window().navigator().on_line()
}

/// The sync bookkeeping the engine starts from.
#[derive(Clone, Debug, Default)]
pub struct SyncStored {
    pub progress: SyncProgress,
    pub states: HashMap<Uuid, SyncState>,
    pub patrol_sync: PatrolSync,
}

impl SyncStored {
    pub fn load() -> SyncStored {
        SyncStored {
            progress: load_progress(),
            states: load_states(),
            patrol_sync: load_patrol_sync(),
        }
    }
}

pub(crate) fn load_states() -> HashMap<Uuid, SyncState> {
    store::keys()
        .into_iter()
        .filter_map(|key| {
            let id = key.strip_prefix(SYNC_STATE_KEY_PREFIX)?.parse().ok()?;
            // Through a JSON Value, as patrol_core::codec reads records: a state can hold the
            // server's copy of a record, and one way of reading records keeps the start-up
            // wasm from carrying a second copy of all their decoding code.
            let text = store::read_raw(&key)?;
            let value = serde_json::from_str::<serde_json::Value>(&text).ok()?;
            let state = serde_json::from_value(value).ok()?;
            Some((id, state))
        })
        .collect()
}

fn save_state(id: Uuid, state: &SyncState) -> Result<(), SaveError> {
    let text = serde_json::to_string(state).map_err(|e| SaveError::Failed(e.to_string()))?;
    store::write_text(&sync_state_key(id), &text)
}

fn load_patrol_sync() -> PatrolSync {
    LocalStorage::get(PATROL_SYNC_KEY).unwrap_or_default()
}

fn load_progress() -> SyncProgress {
    LocalStorage::get(SYNC_PROGRESS_KEY).unwrap_or_default()
}

fn save_progress(progress: &SyncProgress) -> Result<(), SaveError> {
    let text = serde_json::to_string(progress).map_err(|e| SaveError::Failed(e.to_string()))?;
    store::write_text(SYNC_PROGRESS_KEY, &text)
}
