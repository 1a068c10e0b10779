//! What a phone that holds records sees when it cannot download the code that reads them.

use leptos::prelude::*;

use crate::i18n::*;

/// In place of the app on a phone that holds records but not the code that reads them (offline
/// before the service worker stored the app): nothing is read, so nothing stored is touched.
#[component]
pub fn StoredMissing() -> impl IntoView {
    let i18n = use_i18n();
    let retry = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <main id="main">
            <section class="page part-missing" role="alert">
                <h1>{t!(i18n, stored.title)}</h1>
                <p>{t!(i18n, stored.offline)}</p>
                <button type="button" class="primary" on:click=retry>
                    {t!(i18n, on_demand.retry)}
                </button>
            </section>
        </main>
    }
}
