//! The map's drawing, over Leaflet: loads map-part/map.js (public/map.js built with the parts
//! of Leaflet it uses) and its styles the first time a map opens (never on the first screen), and hands `window.RiverMap` what to draw as
//! JSON. What the map reports back (its view after a move, a marker worked) comes as DOM
//! events on the map's element: [`VIEW_EVENT`], [`MARKER_EVENT`].
//!
//! Everything goes through `js_sys::Reflect` and `Function`, imports the app already has: the
//! wasm-bindgen glue that the first screen loads holds every import of every part, so a typed
//! binding per Leaflet call would make the first screen heavier for a screen few open.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use leptos::html;
use leptos::prelude::{
    Callback, Effect, Get, GetValue, LocalStorage, NodeRef, ReadSignal, RwSignal, Set, SetValue,
    Signal, StoredValue, Update, UpdateValue, WithValue, on_cleanup, use_context,
};
use leptos::reactive::traits::Track as _;
use patrol_core::Position;
use patrol_core::basemap::{Basemap, Bounds};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::i18n::*;

/// The map's view after it moved: `detail` `{zoom, south, west, north, east, lat, lon}` (the
/// last two its middle).
pub const VIEW_EVENT: &str = "rivermap-view";
/// A single problem's marker was worked (tap, click, Enter or Space): `detail` `{key}`.
pub const MARKER_EVENT: &str = "rivermap-marker";

/// The map's files, in the order they must load: the styles first (Leaflet measures the
/// element when it opens), then Leaflet with the app's drawing over it, built into one file
/// by xtask/map-part.mjs.
const FILES: [(&str, &str); 2] = [
    ("link", "/map-part/map.css"),
    ("script", "/map-part/map.js"),
];

thread_local! {
    static LOADED: Cell<bool> = const { Cell::new(false) };
    /// The download under way, which a second map opening meanwhile (the township's basemap
    /// arriving, say) waits for rather than taking the half-added files for loaded ones.
    static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// The map's files could not be had: offline before the service worker stored them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapMissing;

/// Loads the map's files once; later calls return at once, and calls while they download wait
/// for the same download. A file that fails is taken out again, so that a retry fetches it
/// anew.
pub async fn load() -> Result<(), MapMissing> {
    if LOADED.with(Cell::get) {
        return Ok(());
    }
    let loading = LOADING.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| {
                future_to_promise(async {
                    add_files()
                        .await
                        .map(|()| JsValue::UNDEFINED)
                        .map_err(|MapMissing| JsValue::NULL)
                })
            })
            .clone()
    });
    let loaded = JsFuture::from(loading).await.is_ok();
    LOADING.with(|l| l.borrow_mut().take());
    LOADED.with(|l| l.set(loaded));
    if loaded { Ok(()) } else { Err(MapMissing) }
}

/// Adds the map's files to the page one after another, each once it is loaded.
async fn add_files() -> Result<(), MapMissing> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(MapMissing)?;
    let body = document.body().ok_or(MapMissing)?;
    for (tag, url) in FILES {
        let selector = format!("[data-river-map=\"{url}\"]");
        if document.query_selector(&selector).ok().flatten().is_some() {
            continue;
        }
        let element = document.create_element(tag).map_err(|_| MapMissing)?;
        let _ = element.set_attribute("data-river-map", url);
        if tag == "link" {
            let _ = element.set_attribute("rel", "stylesheet");
            let _ = element.set_attribute("href", url);
        } else {
            let _ = element.set_attribute("src", url);
        }
        let loaded = Promise::new(&mut |resolve, reject| {
            let _ = Reflect::set(&element, &"onload".into(), &resolve);
            let _ = Reflect::set(&element, &"onerror".into(), &reject);
        });
        body.append_child(&element).map_err(|_| MapMissing)?;
        if JsFuture::from(loaded).await.is_err() {
            element.remove();
            return Err(MapMissing);
        }
    }
    Ok(())
}

/// How far the user may zoom in; beyond the basemap's deepest tiles they are enlarged.
const MAX_ZOOM: u8 = 19;
/// Where a map with nothing to show looks first: the whole country.
const COUNTRY: (f64, f64, u8) = (35.0, 105.0, 4);

/// How a map opens: its tiles (none: a plain grid) and where it looks first.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapOptions {
    /// The tile URL template, absolute; `None` draws a grid.
    pub tiles: Option<String>,
    pub attribution: String,
    /// How far the user may zoom in (beyond `max_native_zoom` the deepest tiles are enlarged).
    pub max_zoom: u8,
    pub max_native_zoom: u8,
    /// The tiles come from another origin: fetched with CORS, so that they may be stored.
    pub cross_origin: bool,
    /// The box to show first, or else `center` and `zoom`.
    pub bounds: Option<Bounds>,
    pub center: (f64, f64),
    pub zoom: u8,
    /// A point is being placed: a crosshair marks the middle, and a tap moves the map there.
    pub pick: bool,
    /// The zoom buttons' names, in the app's language (Leaflet's own are English).
    pub zoom_in: String,
    pub zoom_out: String,
}

impl MapOptions {
    /// A map over the township's `basemap` (a grid without one; a basemap on the sync server is
    /// relative to `server_base`), looking at `bounds`, else at the whole country, its buttons
    /// named in the language of the moment.
    pub fn new(basemap: Option<&Basemap>, server_base: &str, bounds: Option<Bounds>) -> MapOptions {
        let tiles = basemap.map(|b| {
            if b.tiles.starts_with('/') {
                format!("{server_base}{}", b.tiles)
            } else {
                b.tiles.clone()
            }
        });
        let own_origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        // Outside the app (the adapter's tests) there is no language chosen: the default one.
        let locale = use_context::<leptos_i18n::I18nContext<Locale>>()
            .map_or_else(Locale::default, |i18n| i18n.get_locale_untracked());
        let cross_origin = tiles
            .as_deref()
            .is_some_and(|t| !t.starts_with(&format!("{own_origin}/")));
        MapOptions {
            tiles,
            attribution: basemap.map(|b| b.attribution.clone()).unwrap_or_default(),
            max_zoom: MAX_ZOOM,
            max_native_zoom: basemap.map_or(MAX_ZOOM, |b| b.max_zoom.min(MAX_ZOOM)),
            cross_origin,
            bounds,
            center: (COUNTRY.0, COUNTRY.1),
            zoom: COUNTRY.2,
            pick: false,
            zoom_in: td_string!(locale, map.zoom_in).to_string(),
            zoom_out: td_string!(locale, map.zoom_out).to_string(),
        }
    }
}

/// One marker: a problem, or a cluster of `count` problems.
#[derive(Clone, Debug, Serialize)]
pub struct Marker {
    /// The problem's id (given back in [`MARKER_EVENT`]); for a cluster, any unique text.
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    pub count: usize,
    /// The accessible name: what a screen reader says and what the marker is found by.
    pub name: String,
    /// Drawn inside the shape: the status's sign, or a cluster's count.
    pub symbol: String,
    /// `open`, `rectifying`, `fixed` or `closed` (the shape); empty for a cluster.
    pub status: &'static str,
    pub overdue: bool,
    /// A cluster's box, zoomed to when it is worked.
    pub bounds: Bounds,
}

/// A patrol's track.
#[derive(Clone, Debug, Serialize)]
pub struct Track {
    pub points: Vec<(f64, f64)>,
    /// The patrol under way, drawn stronger than the past ones.
    pub active: bool,
}

#[derive(Serialize)]
struct Spot {
    lat: f64,
    lon: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zoom: Option<u8>,
}

/// An open map on an element; closed by [`RiverMap::close`].
pub struct RiverMap {
    handle: JsValue,
}

impl RiverMap {
    /// Opens a map on `element` (after [`load`]).
    pub fn open(element: &web_sys::HtmlElement, options: &MapOptions) -> Option<RiverMap> {
        let window = web_sys::window()?;
        let river_map = Reflect::get(&window, &"RiverMap".into()).ok()?;
        let open: Function = Reflect::get(&river_map, &"open".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let json = serde_json::to_string(options).ok()?;
        let handle = open
            .call2(&river_map, element, &JsValue::from_str(&json))
            .ok()?;
        Some(RiverMap { handle })
    }

    fn call(&self, method: &str, argument: Option<String>) {
        let Some(function) = Reflect::get(&self.handle, &method.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return;
        };
        let _ = match argument {
            Some(json) => function.call1(&self.handle, &JsValue::from_str(&json)),
            None => function.call0(&self.handle),
        };
    }

    fn call_with(&self, method: &str, value: &impl Serialize) {
        if let Ok(json) = serde_json::to_string(value) {
            self.call(method, Some(json));
        }
    }

    pub fn set_markers(&self, markers: &[Marker]) {
        self.call_with("setMarkers", &markers);
    }

    pub fn set_tracks(&self, tracks: &[Track]) {
        self.call_with("setTracks", &tracks);
    }

    /// The phone's position with its accuracy circle.
    pub fn set_position(&self, lat: f64, lon: f64, accuracy_m: Option<f64>) {
        let spot = Spot {
            lat,
            lon,
            accuracy: accuracy_m,
            zoom: None,
        };
        self.call_with("setPosition", &spot);
    }

    /// Looks at `(lat, lon)`, at `zoom` or close enough to see the place.
    pub fn centre(&self, lat: f64, lon: f64, zoom: Option<u8>) {
        let spot = Spot {
            lat,
            lon,
            accuracy: None,
            zoom,
        };
        self.call_with("centre", &spot);
    }

    /// Reports the current view again ([`VIEW_EVENT`]).
    pub fn tell_view(&self) {
        self.call("tellView", None);
    }

    pub fn close(&self) {
        self.call("close", None);
    }
}

/// What [`use_river_map`] gives.
#[derive(Clone, Copy)]
pub struct UseRiverMapReturn {
    /// The open map; `None` until it has opened (and after the screen closed it).
    pub map: StoredValue<Option<RiverMap>, LocalStorage>,
    /// The map is open: what is drawn on it can be handed over.
    pub ready: ReadSignal<bool>,
    /// The map's files could not be had (offline before the service worker stored them).
    pub missing: ReadSignal<bool>,
    /// Tries again to load the files and open the map.
    pub retry: Callback<()>,
}

/// A map on `container`, opened once the element is there and the map's files are loaded
/// ([`load`]), with the options `options()` gives. It opens anew when something `options`
/// reads (tracked) changes, such as the township's basemap, and after a retry; it is closed
/// with the screen. An opening overtaken by a newer one is dropped.
pub fn use_river_map(
    container: NodeRef<html::Div>,
    options: impl Fn() -> MapOptions + 'static,
) -> UseRiverMapReturn {
    let map = StoredValue::new_local(None::<RiverMap>);
    let ready = RwSignal::new(false);
    let missing = RwSignal::new(false);
    let attempt = RwSignal::new(0u32);
    let opening = StoredValue::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        let options = options();
        let Some(element) = container.get() else {
            return;
        };
        close(map);
        ready.set(false);
        missing.set(false);
        opening.update_value(|n| *n += 1);
        let this = opening.get_value();
        leptos::task::spawn_local(async move {
            let loaded = load().await;
            // The screen was left, or a newer opening started meanwhile.
            if opening.try_get_value() != Some(this) {
                return;
            }
            match loaded
                .ok()
                .and_then(|()| RiverMap::open(&element, &options))
            {
                Some(opened) => {
                    opened.tell_view();
                    map.set_value(Some(opened));
                    ready.set(true);
                }
                None => missing.set(true),
            }
        });
    });
    on_cleanup(move || close(map));
    UseRiverMapReturn {
        map,
        ready: ready.read_only(),
        missing: missing.read_only(),
        retry: Callback::new(move |()| attempt.update(|n| *n += 1)),
    }
}

/// Closes the map `slot` holds, if it holds one and is still there (its screen may be gone).
pub fn close(slot: StoredValue<Option<RiverMap>, LocalStorage>) {
    let _ = slot.try_update_value(|m| {
        if let Some(m) = m.take() {
            m.close();
        }
    });
}

/// Draws the phone's `fix` with its accuracy circle on the map `slot` holds, again as it moves.
/// At the first fix drawn, the map goes there at `zoom` if `go_there()` says so then.
pub fn follow_fix(
    slot: StoredValue<Option<RiverMap>, LocalStorage>,
    fix: Signal<Option<Position>>,
    zoom: u8,
    go_there: impl Fn() -> bool + 'static,
) {
    let first = StoredValue::new(true);
    Effect::new(move |_| {
        let Some(p) = fix.get() else {
            return;
        };
        slot.with_value(|m| {
            let Some(m) = m else {
                return;
            };
            m.set_position(p.latitude, p.longitude, p.accuracy_m);
            if first.get_value() {
                first.set_value(false);
                if go_there() {
                    m.centre(p.latitude, p.longitude, Some(zoom));
                }
            }
        });
    });
}

/// `detail.name` of a map event, as a number.
pub fn detail_number(event: &web_sys::Event, name: &str) -> Option<f64> {
    detail(event, name)?.as_f64()
}

/// `detail.name` of a map event, as text.
pub fn detail_text(event: &web_sys::Event, name: &str) -> Option<String> {
    detail(event, name)?.as_string()
}

fn detail(event: &web_sys::Event, name: &str) -> Option<JsValue> {
    let detail = Reflect::get(event, &"detail".into()).ok()?;
    Reflect::get(&detail, &name.into())
        .ok()
        .filter(|v| !v.is_undefined())
}
