//! 地图选点: a problem's position placed on the map by hand, for when the GPS is poor or
//! denied (under trees, in a valley, permission refused). As in Survey123 and Field Maps, a
//! crosshair stays in the middle of the map and the map moves under it: dragged, with the arrow
//! keys, or tapped where the problem is. "Use the point under the crosshair" hands the middle
//! to the record form, which saves it marked as placed by hand
//! (`patrol_core::PositionSource::Map`).

use leptos::ev::Custom;
use leptos::html;
use leptos::prelude::*;
use leptos_use::use_event_listener;
use patrol_core::basemap::Bounds;

use crate::components::part_missing::PartMissingNote;
use crate::components::position::coordinate_text;
use crate::geolocation::{UsePositionReturn, use_position};
use crate::i18n::*;
use crate::river_map::{
    self, MapOptions, UseRiverMapReturn, VIEW_EVENT, detail_number, use_river_map,
};
use crate::state::Ledger;
use crate::storage::settings::Settings;
use crate::sync::SyncEngine;

/// Zoom at a known point: close enough to tell a bank from a culvert.
const POINT_ZOOM: u8 = 17;
/// Around this phone's problems when there is no point to start at, in metres.
const MARGIN_M: f64 = 200.0;

/// The map with its crosshair, the point under it, and the two answers. `start` is where the
/// form's coordinates already are, if anywhere; else the map starts at the phone's rough fix,
/// else around the problems on the phone, else at the whole country.
#[component]
pub fn MapPicker(
    start: Option<(f64, f64)>,
    on_pick: Callback<(f64, f64)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let settings = expect_context::<RwSignal<Settings>>();
    let engine = use_context::<SyncEngine>();
    let container = NodeRef::<html::Div>::new();
    let middle = RwSignal::new(None::<(f64, f64)>);
    // Until the map has been looked at somewhere definite, the phone's first fix moves it.
    let placed_start = StoredValue::new(start.is_some());
    let UsePositionReturn { fix, .. } = use_position();

    let UseRiverMapReturn {
        map,
        ready,
        missing,
        retry,
    } = use_river_map(container, move || {
        let basemap = engine.and_then(|e| e.township.with_untracked(|t| t.basemap.clone()));
        let base = settings
            .with_untracked(Settings::server_base)
            .unwrap_or_default();
        let mut options = MapOptions::new(basemap.as_ref(), &base, None);
        options.pick = true;
        match start.or_else(|| fix.get_untracked().map(|p| (p.latitude, p.longitude))) {
            Some(point) => {
                options.center = point;
                options.zoom = POINT_ZOOM;
                placed_start.set_value(true);
            }
            None => {
                options.bounds = ledger.with_all_untracked(|all| {
                    Bounds::around(
                        all.iter()
                            .filter(|r| !r.is_deleted())
                            .filter_map(|r| r.position.as_ref())
                            .map(|p| (p.latitude, p.longitude)),
                        MARGIN_M,
                    )
                });
            }
        }
        options
    });

    // The phone's position with its accuracy circle, however rough: the official places the
    // point knowing where the phone thinks it is.
    // Only once the map is open, so that a fix that comes while it loads is not missed.
    let fix_on_open_map = Signal::derive(move || ready.get().then(|| fix.get()).flatten());
    river_map::follow_fix(map, fix_on_open_map, POINT_ZOOM, move || {
        !placed_start.get_value()
    });

    let _ = use_event_listener(
        container,
        Custom::<web_sys::Event>::new(VIEW_EVENT),
        move |ev| {
            if let (Some(lat), Some(lon)) = (detail_number(&ev, "lat"), detail_number(&ev, "lon")) {
                middle.set(Some((lat, lon)));
            }
        },
    );

    let point_text = move || {
        middle.get().map(|(lat, lon)| {
            t_string!(
                i18n,
                map_picker.point,
                lat = coordinate_text(lat),
                lon = coordinate_text(lon)
            )
            .to_string()
        })
    };
    let take = move |_| {
        if let Some(point) = middle.get_untracked() {
            on_pick.run(point);
        }
    };

    view! {
        <div class="map-picker" role="group" aria-labelledby="map-picker-title">
            <p class="position-title" id="map-picker-title">{t!(i18n, map_picker.title)}</p>
            <p class="hint" id="map-picker-how">{t!(i18n, map_picker.how)}</p>
            <div node_ref=container class="river-map" role="region" data-testid="map-picker"
                aria-label=move || t_string!(i18n, map_picker.title)
                aria-describedby="map-picker-how"></div>
            <Show when=move || missing.get()>
                <PartMissingNote retry>{t!(i18n, map.missing)}</PartMissingNote>
            </Show>
            <p class="map-picker-point" aria-live="polite">{point_text}</p>
            <div class="position-actions">
                <button type="button" class="primary" disabled=move || middle.with(Option::is_none)
                    on:click=take>
                    {t!(i18n, map_picker.take)}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>
                    {t!(i18n, map_picker.cancel)}
                </button>
            </div>
        </div>
    }
}
