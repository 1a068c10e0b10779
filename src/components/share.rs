//! What the 分享 buttons (the ledger, the monthly report, a problem's photos) say when a share
//! fails, in the user's language; a share the user cancelled says nothing (src/share.rs).

use leptos::prelude::*;

use crate::i18n::*;
use crate::share::{ShareFailure, Shared};

/// Why the last share failed, if it did: an alert under the button.
#[component]
pub fn ShareAlert(failure: RwSignal<Option<ShareFailure>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        failure.get().map(|f| {
            let text = move || match f {
                ShareFailure::TapAgain => t_string!(i18n, share.tap_again),
                ShareFailure::Failed => t_string!(i18n, share.failed),
            };
            view! { <p class="field-error" role="alert" data-testid="share-failed">{text}</p> }
        })
    }
}

/// Keeps what a share came to for [`ShareAlert`]: nothing to say when it went or was cancelled.
pub fn note_share(failure: RwSignal<Option<ShareFailure>>, outcome: Result<Shared, ShareFailure>) {
    failure.try_set(outcome.err());
}
