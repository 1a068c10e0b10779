//! The patrols (巡河记录) as the screens see them, and the track of the patrol under way,
//! recorded from a geolocation watch while the app is open. Every kept fix is written at once
//! (src/storage/patrols.rs), so a reload continues the same patrol.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use patrol_core::{Patrol, TrackPoint};
use uuid::Uuid;

use crate::geolocation::{PositionError, UsePositionReturn, use_position};
use crate::storage::SaveError;
use crate::storage::patrols::{self as stored, newest_first};

/// The patrols as the screens see them: loaded once, changed only through
/// [`Patrols::save`], which writes to storage first.
#[derive(Clone, Copy)]
pub struct Patrols {
    all: RwSignal<Vec<Patrol>>,
    /// Why the last write of the active patrol's track failed, if it did. The fixes stay in
    /// memory and go with the next write.
    pub track_error: RwSignal<Option<SaveError>>,
}

impl Patrols {
    /// The patrols stored at start (read by src/storage/held.rs), newest first.
    pub fn new(all: Vec<Patrol>) -> Patrols {
        Patrols {
            all: RwSignal::new(all),
            track_error: RwSignal::new(None),
        }
    }

    /// Every patrol, newest first.
    pub fn with_all<T>(&self, f: impl FnOnce(&Vec<Patrol>) -> T) -> T {
        self.all.with(f)
    }

    pub fn with_all_untracked<T>(&self, f: impl FnOnce(&Vec<Patrol>) -> T) -> T {
        self.all.with_untracked(f)
    }

    pub fn get_untracked(&self, id: Uuid) -> Option<Patrol> {
        self.all
            .with_untracked(|all| all.iter().find(|p| p.id == id).cloned())
    }

    pub fn get(&self, id: Uuid) -> Option<Patrol> {
        self.all
            .with(|all| all.iter().find(|p| p.id == id).cloned())
    }

    /// The patrol under way, if any.
    pub fn active(&self) -> Option<Patrol> {
        self.all
            .with(|all| all.iter().find(|p| p.is_active()).cloned())
    }

    pub fn active_id(&self) -> Option<Uuid> {
        self.all
            .with(|all| all.iter().find(|p| p.is_active()).map(|p| p.id))
    }

    /// Writes a patrol, one revision more; only when the browser has accepted the write does
    /// the in-memory list change.
    pub fn save(&self, mut patrol: Patrol) -> Result<Patrol, SaveError> {
        patrol.revision = patrol.revision.saturating_add(1);
        self.store_as_is(patrol.clone())?;
        Ok(patrol)
    }

    /// Writes a patrol exactly as given (a copy from the server, or a merge with one), with
    /// no new revision.
    pub fn store_as_is(&self, patrol: Patrol) -> Result<(), SaveError> {
        stored::save(&patrol)?;
        self.all.update(|all| {
            match all.iter_mut().find(|p| p.id == patrol.id) {
                Some(slot) => *slot = patrol,
                None => all.push(patrol),
            }
            newest_first(all);
        });
        Ok(())
    }

    /// Reads the patrols again from storage (another tab may have recorded or ended one).
    /// Not while fixes wait in memory for a write that failed: they would be lost.
    pub fn reload(&self) {
        if self.track_error.with_untracked(Option::is_some) {
            return;
        }
        let fresh = stored::load_all();
        if self.all.with_untracked(|all| *all != fresh) {
            self.all.set(fresh);
        }
    }

    /// Offers a fix to the patrol `id`; a kept one is written at once. When the write fails
    /// the fix stays in memory (and on screen) and the error is shown.
    fn record_fix(&self, id: Uuid, fix: TrackPoint) {
        let Some(mut patrol) = self
            .all
            .with_untracked(|all| all.iter().find(|p| p.id == id).cloned())
        else {
            return;
        };
        if !patrol.record_fix(fix) {
            return;
        }
        match self.save(patrol.clone()) {
            Ok(_) => self.track_error.set(None),
            Err(e) => {
                self.all.update(|all| {
                    if let Some(slot) = all.iter_mut().find(|p| p.id == id) {
                        *slot = patrol;
                    }
                });
                self.track_error.set(Some(e));
            }
        }
    }

    /// Ends the patrol `id` now.
    pub fn end(&self, id: Uuid, now: DateTime<Utc>) -> Result<Patrol, SaveError> {
        let mut patrol = self
            .all
            .with_untracked(|all| all.iter().find(|p| p.id == id).cloned())
            .ok_or_else(|| SaveError::Failed("no such patrol".into()))?;
        patrol.end(now);
        self.save(patrol)
    }
}

/// Watches the position while it lives and adds the fixes the sampler keeps to the patrol
/// `id`'s track. Returns the watch's latest error, for the patrol bar to show.
pub fn track(id: Uuid) -> Signal<Option<PositionError>> {
    let patrols = expect_context::<Patrols>();
    let UsePositionReturn { fix, error, .. } = use_position();
    Effect::new(move |_| {
        if let Some(p) = fix.get() {
            patrols.record_fix(
                id,
                TrackPoint {
                    lat: p.latitude,
                    lon: p.longitude,
                    accuracy_m: p.accuracy_m.unwrap_or(f64::INFINITY),
                    at: p.taken_at,
                },
            );
        }
    });
    error
}
