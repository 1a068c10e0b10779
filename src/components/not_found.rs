//! The page for an address no route knows, or a record or kind that is not there: the
//! routes' fallback, and what the record screens show for a missing record.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{t!(i18n, not_found.title)}</h1>
            <A href="/" attr:class="button">{t!(i18n, not_found.back)}</A>
        </section>
    }
}
