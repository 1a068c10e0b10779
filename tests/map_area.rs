//! The offline map area's storage (src/storage/map_area.rs) in a real browser: its progress
//! comes back after a reload, its tiles are kept under the URLs the map asks for them by, in a
//! cache apart from the app's own, and deleting the area takes both away.
//!
//! Run with `cargo test -p river-patrol --target wasm32-unknown-unknown --test map_area`
//! (headless Chromium through wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use patrol_core::basemap::{AreaDownload, AreaPlan, Basemap, Bounds, TileOutcome};
use river_patrol::storage::map_area::{self, TILE_CACHE};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TEMPLATE: &str = "https://tiles.example.cn/{z}/{x}/{y}.png";

async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let function: Function = Reflect::get(target, &method.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let promise: Promise = function
        .apply(target, &args.iter().collect::<Array>())
        .unwrap()
        .dyn_into()
        .unwrap();
    JsFuture::from(promise).await.unwrap()
}

fn caches() -> JsValue {
    Reflect::get(&web_sys::window().unwrap(), &"caches".into()).unwrap()
}

async fn cache_names() -> Vec<String> {
    let names: Array = call(&caches(), "keys", &[]).await.dyn_into().unwrap();
    names.iter().filter_map(|n| n.as_string()).collect()
}

/// The bytes kept under `url` in the tile cache, and their type.
async fn kept(url: &str) -> Option<(Vec<u8>, String)> {
    let cache = call(&caches(), "open", &[TILE_CACHE.into()]).await;
    let hit = call(&cache, "match", &[url.into()]).await;
    if hit.is_undefined() {
        return None;
    }
    let response: web_sys::Response = hit.dyn_into().unwrap();
    let kind = response.headers().get("content-type").unwrap().unwrap();
    let buffer = JsFuture::from(response.array_buffer().unwrap())
        .await
        .unwrap();
    Some((js_sys::Uint8Array::new(&buffer).to_vec(), kind))
}

fn planned() -> AreaDownload {
    let bounds = Bounds::around([(30.593, 114.305)], 500.0).unwrap();
    let basemap = Basemap::new(TEMPLATE, "", 17).unwrap();
    AreaDownload::new(AreaPlan::new(bounds, &basemap), TEMPLATE)
}

#[wasm_bindgen_test]
async fn an_area_is_kept_with_its_tiles_and_deleted_with_them() {
    map_area::delete().await.unwrap();
    assert_eq!(map_area::load(), None);

    let mut area = planned();
    area.record(TileOutcome::Stored(3));
    area.record(TileOutcome::Missing);
    map_area::save(&area).unwrap();
    // A reload reads it back where it stopped.
    assert_eq!(map_area::load(), Some(area.clone()));

    let url = "https://tiles.example.cn/10/837/425.png";
    map_area::put_tile(url, &[1, 2, 3], "image/png")
        .await
        .unwrap();
    assert_eq!(
        kept(url).await,
        Some((vec![1, 2, 3], "image/png".to_owned()))
    );
    // Apart from the app's own files, and not named like them: a new version of the app
    // deletes every `river-patrol-*` cache but this one.
    assert!(cache_names().await.contains(&TILE_CACHE.to_owned()));
    assert!(!TILE_CACHE.starts_with("river-patrol-"));

    map_area::delete().await.unwrap();
    assert_eq!(map_area::load(), None);
    assert!(!cache_names().await.contains(&TILE_CACHE.to_owned()));
}

#[wasm_bindgen_test]
fn an_unreadable_entry_is_no_area() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item(patrol_core::basemap::MAP_AREA_KEY, "{not json")
        .unwrap();
    assert_eq!(map_area::load(), None);
    storage
        .remove_item(patrol_core::basemap::MAP_AREA_KEY)
        .unwrap();
}
