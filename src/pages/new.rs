//! Step one of a new record: what kind of problem is it?

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::{Choice, Kind};

use crate::i18n::*;
use crate::labels::{Label, kind_icon};

#[component]
pub fn KindPicker() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{t!(i18n, new.title)}</h1>
            <p class="hint">{t!(i18n, new.hint)}</p>
            <ul class="kind-grid">
                {Kind::ALL
                    .iter()
                    .map(|&kind| {
                        view! {
                            <li>
                                <A href=format!("/new/{}", kind.as_str()) attr:class="kind-tile">
                                    <span class="kind-icon" aria-hidden="true">{kind_icon(kind)}</span>
                                    <span>{move || kind.label(i18n.get_locale())}</span>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
