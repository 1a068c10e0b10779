//! The map's adapter over `window.RiverMap` (`river_map`), in a real browser: what it hands the
//! drawing (JSON the drawing reads), what it reads back from the map's events, and a map whose
//! files cannot be downloaded reported as missing, with nothing left behind that would stop a
//! retry. The drawing itself (Leaflet) is driven by tests/e2e/map.spec.ts.
//!
//! Run with `cargo test -p river-patrol --target wasm32-unknown-unknown --test river_map`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect};
use patrol_core::basemap::{Basemap, Bounds, SERVER_TILES_TEMPLATE};
use river_patrol::river_map::{
    self, MapMissing, MapOptions, Marker, RiverMap, detail_number, detail_text,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A stand-in for public/map.js that keeps every call it gets in `window.mapCalls`.
fn fake_drawing() {
    Function::new_no_args(
        "window.mapCalls = [];
         window.RiverMap = { open: function (element, json) {
           window.mapCalls.push(['open', element.id, JSON.parse(json)]);
           var call = function (name) { return function (json) {
             window.mapCalls.push([name, json === undefined ? null : JSON.parse(json)]);
           }; };
           return { setMarkers: call('setMarkers'), setTracks: call('setTracks'),
             setPosition: call('setPosition'), centre: call('centre'),
             tellView: call('tellView'), close: call('close') };
         } };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
}

fn calls() -> serde_json::Value {
    let calls = Reflect::get(&web_sys::window().unwrap(), &"mapCalls".into()).unwrap();
    let json = js_sys::JSON::stringify(&calls)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&json).unwrap()
}

fn element(id: &str) -> web_sys::HtmlElement {
    let element: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    element.set_id(id);
    document().body().unwrap().append_child(&element).unwrap();
    element
}

#[wasm_bindgen_test]
fn the_drawing_gets_the_options_and_markers_as_json() {
    fake_drawing();
    let bounds = Bounds {
        south: 30.59,
        west: 114.30,
        north: 30.60,
        east: 114.31,
    };
    let options = MapOptions {
        tiles: Some("https://tiles.example.cn/{z}/{x}/{y}.png".into()),
        attribution: "天地图".into(),
        max_zoom: 19,
        max_native_zoom: 18,
        cross_origin: true,
        bounds: Some(bounds),
        center: (35.0, 105.0),
        zoom: 4,
        pick: true,
        zoom_in: "放大".into(),
        zoom_out: "缩小".into(),
    };
    let map = RiverMap::open(&element("map-a"), &options).expect("opened");
    map.set_markers(&[Marker {
        key: "cluster-1".into(),
        lat: 30.595,
        lon: 114.305,
        count: 3,
        name: "3 个问题，点开查看".into(),
        symbol: "3".into(),
        status: "",
        overdue: true,
        bounds,
    }]);
    map.set_position(30.6, 114.3, Some(12.0));
    map.centre(30.6, 114.3, None);
    map.close();

    let calls = calls();
    assert_eq!(calls[0][0], "open");
    assert_eq!(calls[0][1], "map-a");
    let opened = &calls[0][2];
    assert_eq!(opened["tiles"], "https://tiles.example.cn/{z}/{x}/{y}.png");
    assert_eq!(opened["maxNativeZoom"], 18);
    assert_eq!(opened["crossOrigin"], true);
    assert_eq!(opened["bounds"]["north"], 30.60);
    assert_eq!(opened["pick"], true);
    assert_eq!(opened["zoomIn"], "放大");
    let markers = &calls[1];
    assert_eq!(markers[0], "setMarkers");
    assert_eq!(markers[1][0]["name"], "3 个问题，点开查看");
    assert_eq!(markers[1][0]["count"], 3);
    assert_eq!(markers[1][0]["overdue"], true);
    assert_eq!(calls[2][1]["accuracy"], 12.0);
    // Centring without a zoom leaves the zoom to the drawing.
    assert!(calls[3][1].get("zoom").is_none(), "{calls}");
    assert_eq!(calls[4][0], "close");
}

#[wasm_bindgen_test]
fn the_map_events_are_read_by_name() {
    let event: web_sys::Event = Function::new_no_args(
        "return new CustomEvent('rivermap-view', { detail: { zoom: 15, south: 30.5, key: 'abc' } });",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into();
    assert_eq!(detail_number(&event, "zoom"), Some(15.0));
    assert_eq!(detail_number(&event, "south"), Some(30.5));
    assert_eq!(detail_text(&event, "key").as_deref(), Some("abc"));
    assert_eq!(detail_number(&event, "north"), None);
    // An event without a detail (another script's) reads as nothing, not a panic.
    let plain = web_sys::Event::new("rivermap-view").unwrap();
    assert_eq!(detail_text(&plain, "key"), None);
}

#[wasm_bindgen_test]
async fn files_that_cannot_be_downloaded_are_a_missing_map_and_a_retry_tries_again() {
    // The test server has no map-part/: as a phone offline before the app was stored.
    assert_eq!(river_map::load().await, Err(MapMissing));
    assert_eq!(river_map::load().await, Err(MapMissing));
    // Nothing is left of the failed file, so that a retry fetches it anew.
    let left = document()
        .query_selector_all("[data-river-map]")
        .unwrap()
        .length();
    assert_eq!(left, 0);
}

#[wasm_bindgen_test]
fn a_basemap_on_the_sync_server_is_asked_there_and_another_origin_with_cors() {
    let own = web_sys::window().unwrap().location().origin().unwrap();
    let on_server = Basemap::new(SERVER_TILES_TEMPLATE, "杨柳村自有底图", 18).unwrap();
    let options = MapOptions::new(Some(&on_server), &own, None);
    assert_eq!(
        options.tiles.as_deref(),
        Some(format!("{own}/api/v1/tiles/{{z}}/{{x}}/{{y}}").as_str())
    );
    assert!(!options.cross_origin, "the app's own server needs no CORS");
    assert_eq!(options.max_native_zoom, 18);
    assert!(!options.pick);

    let elsewhere = MapOptions::new(Some(&on_server), "https://sync.example.cn", None);
    assert!(elsewhere.cross_origin, "{:?}", elsewhere.tiles);

    // No basemap: a grid, looking at the whole country until told where.
    let grid = MapOptions::new(None, &own, None);
    assert_eq!(grid.tiles, None);
    assert_eq!(grid.bounds, None);
    assert_eq!(grid.zoom, 4);
    // Outside the app no language is chosen: the buttons are named in the default one.
    assert_eq!(
        (grid.zoom_in.as_str(), grid.zoom_out.as_str()),
        ("放大", "缩小")
    );
}
