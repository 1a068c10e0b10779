//! The offline map area (下载本村地图): its plan and how far its download got, in one
//! localStorage key (`rp/v1/map-area`), so that a reload goes on where it stopped; and the
//! tiles themselves in Cache Storage, in a cache of their own ([`TILE_CACHE`]) that the service
//! worker answers the map's tile requests from (public/sw.js). That cache is not named like the
//! app's own caches (`river-patrol-<version>`), so a new version of the app never deletes it,
//! and deleting it never touches the app's files.
//!
//! Cache Storage is reached through `js_sys::Reflect`, as the map's drawing is
//! (src/river_map.rs): a typed web-sys binding would add to the glue the first screen loads.

use gloo_storage::{LocalStorage, Storage};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use patrol_core::basemap::{AreaDownload, MAP_AREA_KEY};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::keys::{SaveError, is_quota_error, remove, write_text};

/// The cache the tiles are kept in; public/sw.js names it too.
pub const TILE_CACHE: &str = "rp-tiles-v1";

/// The area on the phone, if any. An entry that cannot be read is dropped: it holds no work of
/// the official's, only a download that can be planned again.
pub fn load() -> Option<AreaDownload> {
    LocalStorage::get(MAP_AREA_KEY).ok()
}

/// Whether an area is on the phone (downloaded, or its download under way), without reading it:
/// the map screen asks before it loads the offline area's code at all.
pub fn is_stored() -> bool {
    LocalStorage::raw()
        .get_item(MAP_AREA_KEY)
        .ok()
        .flatten()
        .is_some()
}

pub fn save(area: &AreaDownload) -> Result<(), SaveError> {
    let text = serde_json::to_string(area).map_err(|e| SaveError::Failed(e.to_string()))?;
    write_text(MAP_AREA_KEY, &text)
}

/// `window.caches`, where the browser has it (secure contexts only).
fn caches() -> Option<JsValue> {
    let window = web_sys::window()?;
    let caches = Reflect::get(&window, &"caches".into()).ok()?;
    (!caches.is_undefined() && !caches.is_null()).then_some(caches)
}

/// Calls `target.method(args…)`, which returns a promise, and awaits it.
async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    let promise: Promise = function
        .apply(target, &args.iter().collect::<Array>())?
        .dyn_into()?;
    JsFuture::from(promise).await
}

/// Keeps one tile's bytes under the URL the map asks for it by.
pub async fn put_tile(url: &str, bytes: &[u8], content_type: &str) -> Result<(), SaveError> {
    let refused = |err: JsValue| match err.dyn_into::<web_sys::DomException>() {
        Ok(e) if is_quota_error(&e.name()) => SaveError::Full,
        Ok(e) => SaveError::Failed(format!("{}: {}", e.name(), e.message())),
        Err(other) => SaveError::Failed(format!("{other:?}")),
    };
    let caches = caches().ok_or_else(|| SaveError::Failed("no Cache Storage".to_owned()))?;
    let cache = call(&caches, "open", &[TILE_CACHE.into()])
        .await
        .map_err(refused)?;
    let headers = Object::new();
    let _ = Reflect::set(&headers, &"Content-Type".into(), &content_type.into());
    let init = Object::new();
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    let response_class: Function = Reflect::get(&js_sys::global(), &"Response".into())
        .and_then(|r| r.dyn_into())
        .map_err(refused)?;
    let body = Uint8Array::from(bytes);
    let response =
        Reflect::construct(&response_class, &Array::of2(&body, &init)).map_err(refused)?;
    call(&cache, "put", &[url.into(), response])
        .await
        .map(|_| ())
        .map_err(refused)
}

/// Deletes the area: its tiles first, then its entry, so that an interruption leaves at most
/// an entry whose tiles are gone (downloaded again on resuming), never tiles nobody counts.
pub async fn delete() -> Result<(), SaveError> {
    if let Some(caches) = caches() {
        call(&caches, "delete", &[TILE_CACHE.into()])
            .await
            .map_err(|e| SaveError::Failed(format!("{e:?}")))?;
    }
    remove(MAP_AREA_KEY);
    Ok(())
}
