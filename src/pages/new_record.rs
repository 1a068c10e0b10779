//! `/new/:kind`: the record form over a fresh record of that kind.

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use patrol_core::*;
use uuid::Uuid;

use crate::components::not_found::NotFound;
use crate::components::record_form::RecordForm;
use crate::storage::settings::Settings;

/// `/new/:kind`: a fresh record of that kind, with the officer's name and village filled in.
#[component]
pub fn NewRecord() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let settings = expect_context::<RwSignal<Settings>>();
    move || {
        let kind = params.with(|p| p.get("kind").and_then(|k| Kind::parse(&k)));
        let asked = query.with(|q| q.get("draft").and_then(|s| Uuid::parse_str(&s).ok()));
        match kind {
            Some(kind) => {
                let s = settings.get_untracked();
                let record = Record::new(kind, &s.officer, &s.village, Utc::now());
                view! { <RecordForm initial=record is_new=true asked_draft=asked.unwrap_or_default() /> }.into_any()
            }
            None => view! { <NotFound /> }.into_any(),
        }
    }
}
