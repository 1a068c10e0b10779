//! River Patrol (巡河通): the offline-first field app. Browser I/O lives in thin adapters
//! (`store`, `settings`, `format`); pages hold view logic only; the domain is `patrol_core`.

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

mod app;
pub mod format;
pub mod labels;
pub mod ledger;
mod pages;
pub mod settings;
pub mod store;
mod widgets;

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
