//! `/records/:id/edit`: the record form over a stored record.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::not_found::NotFound;
use crate::components::record_form::RecordForm;
use crate::state::Ledger;

/// `/records/:id/edit`.
#[component]
pub fn EditRecord() -> impl IntoView {
    let params = use_params_map();
    let ledger = expect_context::<Ledger>();
    move || {
        let id = params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
        match id.and_then(|id| ledger.get_untracked(&id)) {
            Some(record) => view! { <RecordForm initial=record is_new=false /> }.into_any(),
            None => view! { <NotFound /> }.into_any(),
        }
    }
}
