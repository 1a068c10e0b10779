//! What the app starts once the first screen is drawn: the sync engine's triggers (connection,
//! timer, saves, other tabs), the service worker and install prompt, the persistent-storage
//! request and the photo tidy-up. Nobody waits for them, so their code is a part of its own
//! (`background_part`, src/on_demand.rs) and the first screen opens without downloading it.
//!
//! A part that cannot be had (offline before the service worker has stored the app) is asked
//! for again when the connection comes back. Until then nothing is lost: records are saved
//! by the first screen's code, and a sync can still be started by hand.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ledger::Ledger;
use crate::on_demand::PartMissing;
use crate::pwa::Pwa;
use crate::sync::SyncEngine;

/// What the background part needs from the app.
#[derive(Clone)]
pub struct Services {
    /// The app's owner: effects and listeners made by the part live (and end) with the app.
    pub owner: Owner,
    pub engine: SyncEngine,
    pub ledger: Ledger,
    pub pwa: Pwa,
}

/// Starts the background services once the browser has drawn the first screen.
pub fn start_after_first_paint(services: Services) {
    request_animation_frame(move || {
        // The frame callback runs before that frame's paint: one more turn lets it paint.
        set_timeout(
            move || spawn_local(start(services)),
            std::time::Duration::ZERO,
        );
    });
}

async fn start(services: Services) {
    if background_part(services.clone()).await.is_ok() {
        return;
    }
    // The part could not be downloaded: try again once, when the phone is back online.
    let once = StoredValue::new(Some(services.clone()));
    services.owner.with(|| {
        let _ = leptos_use::use_event_listener(window(), leptos::ev::online, move |_| {
            if let Some(services) = once.try_update_value(Option::take).flatten() {
                spawn_local(start(services));
            }
        });
    });
}

#[cfg(rp_split)]
#[leptos::wasm_split::wasm_split(background_part, wasm_split_path = ::leptos::wasm_split, fallible)]
fn background_part(services: Services) -> Result<(), PartMissing> {
    run(services);
    Ok(())
}

/// Without the split build (`--cfg rp_split`), the same, in one piece.
#[cfg(not(rp_split))]
async fn background_part(services: Services) -> Result<(), PartMissing> {
    run(services);
    Ok(())
}

fn run(services: Services) {
    let Services {
        owner,
        engine,
        ledger,
        pwa,
    } = services;
    owner.with(|| {
        engine.start();
        crate::pwa::start(pwa);
        // Ask the browser not to evict the user's records and photos under storage pressure.
        spawn_local(async {
            crate::storage_info::request_persistence().await;
        });
        ledger.tidy_photos();
    });
}
