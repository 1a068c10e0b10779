//! The ledger as a CSV file: downloaded from the phone (no network), with the same text the
//! server's `/api/v1/export.csv` gives for the same records ([`patrol_core::csv`]); any
//! other CSV the app offers (the patrol statistics); the ledger shared to another app where
//! the phone can share files ([`share_ledger`], src/share.rs); and the office's own ledger
//! file read in for an import ([`patrol_core::import`]).

use patrol_core::Record;
use patrol_core::sync::PhotoReceipt;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::on_demand::on_demand_part;
use crate::share::{self, ShareFailure, Shared};

/// The ledger's file type, as shared.
pub const CSV_TYPE: &str = "text/csv";

/// The ledger could not be offered as a download (or, offline before the app was stored, its
/// code could not be had).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFailed;

impl From<leptos::wasm_split::SplitLoaderError> for ExportFailed {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ExportFailed
    }
}

/// Offers `records` (tombstones are left out) as a CSV download named `file_name` (e.g.
/// `整改台账-2026-11-28.csv`, from the catalogue), with the township's `receipts` for their
/// photos in the 照片送达 column. The CSV writer is downloaded on first use
/// (src/on_demand.rs): the list opens without it.
pub async fn download_ledger(
    records: Vec<Record>,
    receipts: Vec<PhotoReceipt>,
    file_name: String,
) -> Result<(), ExportFailed> {
    export_part(records, receipts, file_name).await
}

on_demand_part! {
    fn export_part(
        records: Vec<Record>,
        receipts: Vec<PhotoReceipt>,
        file_name: String,
    ) -> Result<(), ExportFailed> {
        let text = patrol_core::csv::ledger_csv_with_receipts(&records, &receipts);
        offer_csv(&text, &file_name).map_err(|_| ExportFailed)
    }
}

/// Hands `records` as the same CSV file [`download_ledger`] gives, named `file_name`, to the
/// phone's share sheet (WeChat, mail, …), titled `title`. Made in a part of its own, downloaded
/// on first use, like the download's.
pub async fn share_ledger(
    records: Vec<Record>,
    receipts: Vec<PhotoReceipt>,
    file_name: String,
    title: String,
) -> Result<Shared, ShareFailure> {
    share_ledger_part(records, receipts, file_name, title).await
}

on_demand_part! {
    async fn share_ledger_part(
        records: Vec<Record>,
        receipts: Vec<PhotoReceipt>,
        file_name: String,
        title: String,
    ) -> Result<Shared, ShareFailure> {
        let text = patrol_core::csv::ledger_csv_with_receipts(&records, &receipts);
        let file = share::text_file(&file_name, CSV_TYPE, &text).map_err(|_| ShareFailure::Failed)?;
        share::share(&[file], &title, "").await
    }
}

/// Offers `text` (a CSV made by [`patrol_core::csv`]'s writers) as a download named
/// `file_name`.
pub fn offer_csv(text: &str, file_name: &str) -> Result<(), JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    offer_download(&blob, file_name)
}

/// Offers `blob` as a download named `file_name`; the phone saves it where it keeps downloads.
pub fn offer_download(blob: &Blob, file_name: &str) -> Result<(), JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let document = leptos::prelude::document();
    let link: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The browser has taken the file once the click is handled; free it a little later (a
    // large backup is read from the Blob while the download starts).
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// Reads a CSV file the user picked as text: UTF-8 (with or without a byte-order mark) when it
/// is valid UTF-8, else GB18030, as Excel on Chinese Windows saves it. The browser's own
/// TextDecoder does the decoding, so no encoding table is compiled into the app.
pub async fn read_ledger_file(file: &web_sys::File) -> Result<String, JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let strict = web_sys::TextDecoderOptions::new();
    strict.set_fatal(true);
    let utf8 = web_sys::TextDecoder::new_with_label_and_options("utf-8", &strict)?;
    match utf8.decode_with_u8_array(&bytes) {
        Ok(text) => Ok(text),
        Err(_) => web_sys::TextDecoder::new_with_label("gb18030")?.decode_with_u8_array(&bytes),
    }
}
