//! Turns a picture from the camera or the gallery into the JPEG the app keeps: decoded and
//! turned upright (EXIF orientation) by the browser, scaled down to the configured long edge,
//! re-encoded as JPEG and hashed (SHA-256), all with the browser's own image pipeline
//! (`createImageBitmap`, OffscreenCanvas or a canvas element, `crypto.subtle`); no image
//! code is compiled into the app.

use chrono::{DateTime, TimeZone, Utc};
use js_sys::{ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use patrol_core::PhotoRef;
use patrol_core::capture::CaptureConfig;
use uuid::Uuid;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions,
    ImageEncodeOptions, ImageOrientation, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

/// Largest stored photo we aim for, in bytes. When the configured quality gives more (a very
/// detailed scene), the photo is encoded again at [`FALLBACK_QUALITIES`].
pub const MAX_BYTES: u64 = 400_000;
/// Qualities tried in turn while a photo is over [`MAX_BYTES`]; the last result is kept
/// whatever its size.
pub const FALLBACK_QUALITIES: [f64; 3] = [0.7, 0.6, 0.5];

const JPEG: &str = "image/jpeg";

/// Why a picture could not be turned into a stored photo.
#[derive(Clone, Debug, PartialEq)]
pub enum CameraError {
    /// The file is not a picture the browser can read.
    NotAnImage,
    /// The browser could not scale, encode or hash it (out of memory, no JPEG encoder, page
    /// not served over HTTPS so no `crypto.subtle`, ...), in its words.
    Failed(String),
}

impl std::fmt::Display for CameraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CameraError::NotAnImage => f.write_str("not an image"),
            CameraError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for CameraError {}

fn failed(value: JsValue) -> CameraError {
    let text = if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", e.name(), e.message())
    } else if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        String::from(e.message())
    } else {
        value.as_string().unwrap_or_else(|| format!("{value:?}"))
    };
    CameraError::Failed(text)
}

fn window() -> Result<web_sys::Window, CameraError> {
    web_sys::window().ok_or_else(|| CameraError::Failed("no window".into()))
}

/// Decodes `file` into an upright bitmap.
async fn decode(file: &Blob) -> Result<ImageBitmap, CameraError> {
    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    let promise = window()?
        .create_image_bitmap_with_blob_and_image_bitmap_options(file, &options)
        .map_err(|_| CameraError::NotAnImage)?;
    // The browser rejects with InvalidStateError ("could not be decoded") for anything that
    // is not a picture it understands.
    let bitmap = JsFuture::from(promise)
        .await
        .map_err(|_| CameraError::NotAnImage)?;
    bitmap.dyn_into().map_err(failed)
}

/// Where the photo is drawn: an OffscreenCanvas where there is one, else a canvas element.
enum Surface {
    Offscreen(OffscreenCanvas, OffscreenCanvasRenderingContext2d),
    Element(HtmlCanvasElement, CanvasRenderingContext2d),
}

fn has_offscreen_canvas() -> bool {
    Reflect::has(&js_sys::global(), &"OffscreenCanvas".into()).unwrap_or(false)
}

/// `{ alpha: false }`: a JPEG has no transparency, and an opaque canvas is faster.
fn context_options() -> JsValue {
    let options = Object::new();
    let _ = Reflect::set(&options, &"alpha".into(), &JsValue::FALSE);
    options.into()
}

impl Surface {
    fn new(width: u32, height: u32) -> Result<Surface, CameraError> {
        let missing = || CameraError::Failed("no 2d canvas context".into());
        if has_offscreen_canvas() {
            let canvas = OffscreenCanvas::new(width, height).map_err(failed)?;
            let context = canvas
                .get_context_with_context_options("2d", &context_options())
                .map_err(failed)?
                .ok_or_else(missing)?
                .dyn_into()
                .map_err(|_| missing())?;
            Ok(Surface::Offscreen(canvas, context))
        } else {
            let document = window()?
                .document()
                .ok_or_else(|| CameraError::Failed("no document".into()))?;
            let canvas: HtmlCanvasElement = document
                .create_element("canvas")
                .map_err(failed)?
                .dyn_into()
                .map_err(|_| missing())?;
            canvas.set_width(width);
            canvas.set_height(height);
            let context = canvas
                .get_context_with_context_options("2d", &context_options())
                .map_err(failed)?
                .ok_or_else(missing)?
                .dyn_into()
                .map_err(|_| missing())?;
            Ok(Surface::Element(canvas, context))
        }
    }

    /// Paints `bitmap` scaled to the whole surface on white (a transparent PNG would
    /// otherwise turn black in the JPEG), with the browser's best resampling.
    fn draw(&self, bitmap: &ImageBitmap, width: u32, height: u32) -> Result<(), CameraError> {
        let (w, h) = (f64::from(width), f64::from(height));
        let context: &JsValue = match self {
            Surface::Offscreen(_, c) => c,
            Surface::Element(_, c) => c,
        };
        // Not in web-sys's bindings; every current browser has it.
        let _ = Reflect::set(context, &"imageSmoothingQuality".into(), &"high".into());
        match self {
            Surface::Offscreen(_, c) => {
                c.set_fill_style_str("#fff");
                c.fill_rect(0.0, 0.0, w, h);
                c.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w, h)
            }
            Surface::Element(_, c) => {
                c.set_fill_style_str("#fff");
                c.fill_rect(0.0, 0.0, w, h);
                c.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w, h)
            }
        }
        .map_err(failed)
    }

    /// The surface as a JPEG at `quality` (0–1).
    async fn jpeg(&self, quality: f64) -> Result<Blob, CameraError> {
        let promise = match self {
            Surface::Offscreen(canvas, _) => {
                let options = ImageEncodeOptions::new();
                options.set_type(JPEG);
                options.set_quality(quality);
                canvas
                    .convert_to_blob_with_options(&options)
                    .map_err(failed)?
            }
            Surface::Element(canvas, _) => {
                let canvas = canvas.clone();
                let mut outcome = Ok(());
                let promise = Promise::new(&mut |resolve, reject| {
                    let callback = Closure::once_into_js(move |blob: JsValue| {
                        let _ = resolve.call1(&JsValue::NULL, &blob);
                    });
                    outcome = canvas.to_blob_with_type_and_encoder_options(
                        callback.unchecked_ref(),
                        JPEG,
                        &JsValue::from_f64(quality),
                    );
                    if let Err(e) = &outcome {
                        let _ = reject.call1(&JsValue::NULL, e);
                    }
                });
                outcome.map_err(failed)?;
                promise
            }
        };
        let blob = JsFuture::from(promise).await.map_err(failed)?;
        // toBlob hands `null` to its callback when encoding fails.
        let blob: Blob = blob
            .dyn_into()
            .map_err(|_| CameraError::Failed("the browser could not encode a JPEG".into()))?;
        // A browser without a JPEG encoder silently gives a PNG.
        if blob.type_() != JPEG {
            return Err(CameraError::Failed(format!(
                "the browser encoded {} instead of a JPEG",
                blob.type_()
            )));
        }
        Ok(blob)
    }

    /// Lets go of the pixels at once (phones, Safari in particular, keep few canvases).
    fn release(&self) {
        match self {
            Surface::Offscreen(canvas, _) => {
                canvas.set_width(0);
                canvas.set_height(0);
            }
            Surface::Element(canvas, _) => {
                canvas.set_width(0);
                canvas.set_height(0);
            }
        }
    }
}

/// Scales `bitmap` to `width`×`height` and encodes it: at the configured quality, then at
/// each of [`FALLBACK_QUALITIES`] below it while the result is over [`MAX_BYTES`].
async fn encode(
    bitmap: &ImageBitmap,
    width: u32,
    height: u32,
    config: &CaptureConfig,
) -> Result<Blob, CameraError> {
    let surface = Surface::new(width, height)?;
    let result = async {
        surface.draw(bitmap, width, height)?;
        let mut blob = surface.jpeg(config.jpeg_quality).await?;
        for quality in FALLBACK_QUALITIES {
            if blob.size() as u64 <= MAX_BYTES {
                break;
            }
            if quality < config.jpeg_quality {
                blob = surface.jpeg(quality).await?;
            }
        }
        Ok(blob)
    }
    .await;
    surface.release();
    result
}

/// Long edge of the small copy kept for thumbnails: a 96 px square box at 3 dppx needs a
/// short edge of 288 px, which a 4:3 picture has at this long edge.
pub const THUMBNAIL_LONG_EDGE: u32 = 400;
const THUMBNAIL_QUALITY: f64 = 0.7;

/// A small JPEG of `photo` (long edge at most [`THUMBNAIL_LONG_EDGE`]) for thumbnails, so a
/// list of records does not read and decode a full-size photo per row. Local only: it is
/// derived from the photo, never synced.
pub async fn thumbnail(photo: &Blob) -> Result<Blob, CameraError> {
    let bitmap = decode(photo).await?;
    let config = CaptureConfig {
        long_edge_px: THUMBNAIL_LONG_EDGE,
        ..CaptureConfig::default()
    };
    let (width, height) = config.scaled_size(bitmap.width(), bitmap.height());
    let result = async {
        let surface = Surface::new(width.max(1), height.max(1))?;
        let drawn = surface.draw(&bitmap, width.max(1), height.max(1));
        let blob = match drawn {
            Ok(()) => surface.jpeg(THUMBNAIL_QUALITY).await,
            Err(e) => Err(e),
        };
        surface.release();
        blob
    }
    .await;
    bitmap.close();
    result
}

/// Lower-case hex SHA-256 of `data`, by the browser (`crypto.subtle`, which needs a secure
/// context: HTTPS, or http://localhost).
pub async fn sha256_hex(data: &ArrayBuffer) -> Result<String, CameraError> {
    let subtle = window()?.crypto().map_err(failed)?.subtle();
    if subtle.is_undefined() {
        return Err(CameraError::Failed(
            "crypto.subtle is missing (the page is not served over HTTPS)".into(),
        ));
    }
    let digest = JsFuture::from(
        subtle
            .digest_with_str_and_buffer_source("SHA-256", data)
            .map_err(failed)?,
    )
    .await
    .map_err(failed)?;
    let bytes = Uint8Array::new(&digest).to_vec();
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The bytes of `blob`, read by the browser.
pub async fn read(blob: &Blob) -> Result<ArrayBuffer, CameraError> {
    JsFuture::from(blob.array_buffer())
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)
}

/// When the picture was taken: the file's modification time when it has a plausible one (a
/// gallery photo keeps its own time), otherwise now.
fn taken_at(file: &Blob) -> DateTime<Utc> {
    let now = Utc::now();
    file.dyn_ref::<web_sys::File>()
        .map(|f| f.last_modified())
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .and_then(|ms| Utc.timestamp_millis_opt(ms as i64).single())
        // A clock a little ahead is tolerated; a time in the future is not believed.
        .filter(|at| *at <= now + chrono::Duration::minutes(1))
        .unwrap_or(now)
}

/// Turns the picture `file` into the photo to store: upright, at most
/// `config.long_edge_px` on its long edge ([`CaptureConfig::scaled_size`]), JPEG at
/// `config.jpeg_quality` (lower, down to 0.5, if that is over [`MAX_BYTES`]), with a new id,
/// its size, dimensions and SHA-256. The returned Blob is exactly the bytes described.
pub async fn process(file: &Blob, config: &CaptureConfig) -> Result<(PhotoRef, Blob), CameraError> {
    let kind = file.type_();
    if !kind.is_empty() && !kind.starts_with("image/") {
        return Err(CameraError::NotAnImage);
    }
    let bitmap = decode(file).await?;
    let (width, height) = config.scaled_size(bitmap.width(), bitmap.height());
    if width == 0 || height == 0 {
        bitmap.close();
        return Err(CameraError::NotAnImage);
    }
    let encoded = encode(&bitmap, width, height, config).await;
    bitmap.close();
    let jpeg = encoded?;
    let sha256 = sha256_hex(&read(&jpeg).await?).await?;
    let photo = PhotoRef {
        id: Uuid::new_v4(),
        bytes: jpeg.size() as u64,
        width,
        height,
        sha256,
        taken_at: taken_at(file),
    };
    Ok((photo, jpeg))
}
