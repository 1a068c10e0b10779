//! What a form holds, kept as a draft while it is typed (the record form and the follow-up):
//! written a moment after the last change, and at once when the page is hidden or the form
//! goes away, since a phone may freeze or kill a hidden page without another word.

use std::time::Duration;

use leptos::prelude::*;

use crate::pwa::UnsavedForm;
use crate::storage::SaveError;

/// How long typing may pause before the draft is written.
const DRAFT_DELAY: Duration = Duration::from_millis(300);

/// A form's draft keeping, from [`use_draft_autosave`].
#[derive(Clone, Copy)]
pub struct DraftAutosave {
    /// Why the last draft write was refused, if it was.
    pub error: RwSignal<Option<SaveError>>,
    pending: StoredValue<Option<TimeoutHandle>>,
    unsaved: UnsavedForm,
}

impl DraftAutosave {
    /// The form was saved as a record: no draft write may follow (the caller removes the
    /// draft), and an app update need not wait for this form any more (src/pwa.rs).
    pub fn saved(&self) {
        if let Some(handle) = self.pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        self.unsaved.set(false);
    }
}

/// Keeps a form's draft while it lives. `track` reads every input of the form (so that any
/// change reruns it); `write` writes the draft as the form holds it now, and gives `None`
/// once the form is gone (its signals disposed). What the form opened with is not a change.
pub fn use_draft_autosave(
    track: impl Fn() + Send + Sync + 'static,
    write: impl Fn() -> Option<Result<(), SaveError>> + Copy + Send + Sync + 'static,
) -> DraftAutosave {
    let error = RwSignal::new(None::<SaveError>);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // An app update waits while this form holds edits not saved as a record (src/pwa.rs).
    let unsaved = UnsavedForm::here();
    let write_now = move || {
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if let Some(written) = write() {
            error.try_set(written.err());
        }
    };
    Effect::new(move |first: Option<()>| {
        track();
        if first.is_none() {
            return;
        }
        unsaved.set(true);
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if let Ok(handle) = set_timeout_with_handle(write_now, DRAFT_DELAY) {
            pending.set_value(Some(handle));
        }
    });
    // The phone may freeze the page as soon as it is hidden: write what is pending now.
    let flush = move || {
        if pending.with_value(Option::is_some) {
            write_now();
        }
    };
    let hide = window_event_listener(leptos::ev::pagehide, move |_| flush());
    let hidden = window_event_listener_untyped("visibilitychange", move |_| flush());
    on_cleanup(move || {
        flush();
        unsaved.set(false);
        hide.remove();
        hidden.remove();
    });
    DraftAutosave {
        error,
        pending,
        unsaved,
    }
}
