//! The ledger as a CSV file download, made on the phone (no network): the same text the
//! server's `/api/v1/export.csv` gives for the same records ([`patrol_core::csv`]).

use patrol_core::Record;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `records` (tombstones are left out) as a CSV download named `file_name` (e.g.
/// `整改台账-2026-11-28.csv`, from the catalogue).
pub fn download_ledger(records: &[Record], file_name: &str) -> Result<(), JsValue> {
    let text = patrol_core::csv::ledger_csv(records);
    let options = BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let document = leptos::prelude::document();
    let link: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The browser has taken the file once the click is handled; free it on the next turn.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(1),
    );
    Ok(())
}
