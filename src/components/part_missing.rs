//! What a screen shows in place of a piece it could not download (offline before the service
//! worker stored the app's parts, or the map's files): what is missing, that the records are
//! safe, and a button that tries again. The list's rows, the map screen and the map picker
//! show it; a whole screen that is missing has its own page (src/on_demand.rs).

use leptos::prelude::*;

use crate::i18n::*;

/// `children` says what is missing; `retry` tries the download again.
#[component]
pub fn PartMissingNote(retry: Callback<()>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="part-missing" role="alert">
            <p>{children()}</p>
            <button type="button" class="primary" on:click=move |_| retry.run(())>
                {t!(i18n, on_demand.retry)}
            </button>
        </div>
    }
}
