//! The short confirmations a screen gives after saving, deleting or connecting: announced to
//! screen readers and shown at the top of every screen for a few seconds.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

use crate::i18n::*;

/// A short confirmation, announced to screen readers and shown at the top for a few seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Deleted,
    SettingsSaved,
    Connected,
}

/// How many notices have been shown: a notice's timer hides it only if no later one came, so
/// the same "已保存" twice in a row stays its full time after the second save.
static SHOWN: AtomicU64 = AtomicU64::new(0);

/// Shows a notice, replacing any earlier one.
pub fn announce(notice: Notice) {
    if let Some(signal) = use_context::<RwSignal<Option<Notice>>>() {
        let shown = SHOWN.fetch_add(1, Ordering::Relaxed) + 1;
        signal.set(Some(notice));
        // The few seconds count from the frame that shows it, not from the call: on a slow
        // phone the next screen can keep the page busy for seconds after a save, and a timer
        // started now would hide the notice before it was ever seen.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    if SHOWN.load(Ordering::Relaxed) == shown {
                        signal.set(None);
                    }
                },
                std::time::Duration::from_secs(4),
            );
        });
    }
}

/// Where the current notice is shown (once, above every screen).
#[component]
pub fn NoticeBar() -> impl IntoView {
    let i18n = use_i18n();
    let notice = expect_context::<RwSignal<Option<Notice>>>();
    let text = move || {
        notice.get().map(|n| match n {
            Notice::Saved => t_string!(i18n, form.saved),
            Notice::Deleted => t_string!(i18n, confirm.deleted),
            Notice::SettingsSaved => t_string!(i18n, settings.saved),
            Notice::Connected => t_string!(i18n, connect.done),
        })
    };
    view! {
        <div class="notice" role="status" aria-live="polite" class:shown=move || notice.with(Option::is_some)>
            {text}
        </div>
    }
}
