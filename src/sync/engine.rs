//! The sync engine: one sync at a time in this tab, its state for the screens, and what
//! starts one (the app opening, a connection appearing, every few minutes, a save, "sync
//! now", new server settings); failures retry with capped backoff and jitter.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use patrol_core::sync::{SyncProblem, Township, retry_delay_ms};
use patrol_core::sync_state::{
    PatrolSync, RecordSync, SYNC_STATE_KEY_PREFIX, SendProgress, SyncState,
};
use patrol_core::{Patrol, Record};
use uuid::Uuid;

use super::lock::exclusively;
use super::sync_once;
use crate::api::Server;
use crate::on_demand::on_demand_part;
use crate::state::{Ledger, Patrols};
use crate::storage::SaveError;
use crate::storage::settings::Settings;
use crate::storage::sync_state::{self as stored, SyncStored};

/// While online, sync this often even if nothing happened (the office may have changed
/// something).
const PERIODIC: Duration = Duration::from_secs(5 * 60);
/// After a local save, wait this long so a burst of edits goes in one sync.
const AFTER_SAVE: Duration = Duration::from_secs(2);

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
    /// What the sync under way (or the last one) had to send and has sent: the status bar's
    /// progress. `None` until a sync has something to send.
    pub sending: RwSignal<Option<SendProgress>>,
    pub last_success: RwSignal<Option<DateTime<Utc>>>,
    pub failure: RwSignal<Option<SyncFailure>>,
    /// When the next automatic retry happens, if one is scheduled.
    pub retry_at: RwSignal<Option<DateTime<Utc>>>,
    /// Each record's sync bookkeeping, as stored.
    pub states: RwSignal<HashMap<Uuid, SyncState>>,
    /// Which patrols the server holds, as stored.
    pub patrol_sync: RwSignal<PatrolSync>,
    /// The township's rules, as last pulled (src/sync/township.rs): patrols are judged by
    /// its rule.
    pub township: RwSignal<Township>,
    failures: StoredValue<u32>,
    again: StoredValue<bool>,
    retry_timer: StoredValue<Option<TimeoutHandle>>,
    pub(super) ledger: Ledger,
    pub(super) patrols: Patrols,
    pub(super) settings: RwSignal<Settings>,
}

impl SyncEngine {
    /// The engine over what the phone held at start (`stored`, read by src/storage/held.rs).
    pub fn new(
        ledger: Ledger,
        patrols: Patrols,
        settings: RwSignal<Settings>,
        stored: SyncStored,
    ) -> SyncEngine {
        SyncEngine {
            online: RwSignal::new(navigator_online()),
            running: RwSignal::new(false),
            sending: RwSignal::new(None),
            last_success: RwSignal::new(stored.progress.last_success),
            failure: RwSignal::new(None),
            retry_at: RwSignal::new(None),
            states: RwSignal::new(stored.states),
            patrol_sync: RwSignal::new(stored.patrol_sync),
            township: RwSignal::new(stored.township),
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

    pub(super) fn store_patrol_sync(&self, state: PatrolSync) -> Result<(), SyncFailure> {
        stored::save_patrol_sync(&state).map_err(SyncFailure::Storage)?;
        self.patrol_sync.set(state);
        Ok(())
    }

    pub(super) fn store_state(&self, id: Uuid, state: SyncState) -> Result<(), SaveError> {
        self.store_states(vec![(id, state)])
    }

    /// Writes each state, then shows them all in one update (one re-render per batch, not
    /// per record). States written before a refused write are kept and shown.
    pub(super) fn store_states(&self, states: Vec<(Uuid, SyncState)>) -> Result<(), SaveError> {
        let mut written = Vec::with_capacity(states.len());
        let mut outcome = Ok(());
        for (id, state) in states {
            if let Err(e) = stored::save_state(id, &state) {
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
                // Read by the readers' part (src/storage/held.rs); without it, this tab shows the
                // other's results after its own next sync, which reads them again.
                leptos::task::spawn_local(async move {
                    if let Ok(states) = crate::storage::held::sync_states().await {
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

on_demand_part! {
    /// A whole sync, with its code downloaded on first use (src/on_demand.rs,
    /// xtask/src/split.rs): a phone with no server set never downloads it, and the first
    /// screen opens without it.
    async fn sync_part(engine: SyncEngine, server: Server) -> Result<(), SyncFailure> {
        sync_once(engine, server).await
    }
}

fn navigator_online() -> bool {
    window().navigator().on_line()
}
