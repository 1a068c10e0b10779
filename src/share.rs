//! Web Share with files (`navigator.share`): the ledger, the monthly report and a problem's
//! photos handed to WeChat or another app on the phone, where the browser can share files.
//! Screens offer 分享 only when [`can_share_files`] says so, so no browser shows a button that
//! cannot work; the user closing the share sheet is not a failure ([`Shared::Cancelled`]).

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DomException, File, FilePropertyBag, ShareData};

/// How a share ended that did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    Done,
    /// The user closed the share sheet (`AbortError`): nothing to tell.
    Cancelled,
}

/// Why a share failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareFailure {
    /// The browser wants the share to follow a tap at once (`NotAllowedError`): tapping
    /// 分享 again works.
    TapAgain,
    /// Anything else: the browser or the receiving app refused the files, or the code that
    /// makes them could not be downloaded.
    Failed,
}

impl From<leptos::wasm_split::SplitLoaderError> for ShareFailure {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ShareFailure::Failed
    }
}

/// Whether this browser shares a file named `name` of type `mime` (asked with an empty one):
/// false where there is no `navigator.share` or `navigator.canShare` at all.
pub fn can_share_files(name: &str, mime: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let has = |method: &str| Reflect::has(&navigator, &JsValue::from_str(method)).unwrap_or(false);
    if !has("share") || !has("canShare") {
        return false;
    }
    let Ok(sample) = text_file(name, mime, "") else {
        return false;
    };
    let data = ShareData::new();
    data.set_files(&Array::of1(&sample));
    navigator.can_share_with_data(&data)
}

/// A file of `text`, named `name`, of type `mime`.
pub fn text_file(name: &str, mime: &str, text: &str) -> Result<File, JsValue> {
    let options = FilePropertyBag::new();
    options.set_type(mime);
    File::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(text)), name, &options)
}

/// A file of `blob`'s bytes, named `name`, of type `mime`.
pub fn blob_file(name: &str, mime: &str, blob: &Blob) -> Result<File, JsValue> {
    let options = FilePropertyBag::new();
    options.set_type(mime);
    File::new_with_blob_sequence_and_options(&Array::of1(blob), name, &options)
}

/// Hands `files`, with `title` and `text` if not empty, to the phone's share sheet.
pub async fn share(files: &[File], title: &str, text: &str) -> Result<Shared, ShareFailure> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Err(ShareFailure::Failed);
    };
    let data = ShareData::new();
    let list = Array::new();
    for file in files {
        list.push(file);
    }
    data.set_files(&list);
    if !title.is_empty() {
        data.set_title(title);
    }
    if !text.is_empty() {
        data.set_text(text);
    }
    if !navigator.can_share_with_data(&data) {
        return Err(ShareFailure::Failed);
    }
    match wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await {
        Ok(_) => Ok(Shared::Done),
        Err(e) => match e
            .dyn_ref::<DomException>()
            .map(DomException::name)
            .as_deref()
        {
            Some("AbortError") => Ok(Shared::Cancelled),
            Some("NotAllowedError") => Err(ShareFailure::TapAgain),
            _ => {
                leptos::logging::warn!("share failed: {e:?}");
                Err(ShareFailure::Failed)
            }
        },
    }
}
