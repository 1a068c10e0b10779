//! Turns a picture from the camera or the gallery into the JPEG the app keeps: decoded and
//! turned upright (EXIF orientation) by the browser, scaled down to the configured long edge,
//! re-encoded as JPEG and hashed (SHA-256), all with the browser's own image pipeline
//! (`createImageBitmap`, OffscreenCanvas or a canvas element, `crypto.subtle`); no image
//! code is compiled into the app. Each optional part has a fallback: `createImageBitmap`
//! without its options, then an `<img>` element, where a browser lacks them; a canvas
//! element where there is no OffscreenCanvas.
//!
//! Two things are added on the way, because the re-encode would otherwise lose them: the
//! watermark (水印, `patrol_core::watermark`) is drawn into the pixels after scaling and
//! before the JPEG encode, so the stored photo and every copy made of it carry it; and the
//! original file's EXIF time and GPS are read first ([`read_exif`], `kamadak-exif`), to be
//! kept beside the photo (`PhotoRef::exif`).

use chrono::{DateTime, TimeZone, Utc};
use js_sys::{ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use patrol_core::capture::CaptureConfig;
use patrol_core::provenance::{self, Exif, PhotoSource};
use patrol_core::{PhotoRef, watermark};
use uuid::Uuid;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, ImageBitmap,
    ImageBitmapOptions, ImageEncodeOptions, ImageOrientation, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

/// How much of the original file is read for its EXIF: phones write it in the APP1 segment
/// right after the JPEG's start (at most 64 KiB by the format), ahead of a thumbnail-sized
/// rest; the whole 5–10 MB file need not be read into memory for it.
pub const EXIF_SLICE: i32 = 128 * 1024;

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

/// A decoded picture, upright: a bitmap, or an `<img>` where `createImageBitmap` is missing.
enum Picture {
    Bitmap(ImageBitmap),
    /// The element and the object URL it shows, revoked by [`Picture::close`].
    Image(HtmlImageElement, String),
}

impl Picture {
    fn width(&self) -> u32 {
        match self {
            Picture::Bitmap(b) => b.width(),
            Picture::Image(i, _) => i.natural_width(),
        }
    }

    fn height(&self) -> u32 {
        match self {
            Picture::Bitmap(b) => b.height(),
            Picture::Image(i, _) => i.natural_height(),
        }
    }

    /// Lets go of the pixels at once.
    fn close(&self) {
        match self {
            Picture::Bitmap(b) => b.close(),
            Picture::Image(i, url) => {
                i.set_src("");
                let _ = web_sys::Url::revoke_object_url(url);
            }
        }
    }
}

/// Decodes `file` into an upright picture: `createImageBitmap` with `imageOrientation`, or
/// without options where the browser refuses them, or an `<img>` where it has no
/// `createImageBitmap` at all (each browser turns an `<img>` upright by its EXIF now).
async fn decode(file: &Blob) -> Result<Picture, CameraError> {
    let window = window()?;
    if !Reflect::has(&window, &"createImageBitmap".into()).unwrap_or(false) {
        return decode_as_image(file).await;
    }
    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    let with_options =
        window.create_image_bitmap_with_blob_and_image_bitmap_options(file, &options);
    let bitmap = match with_options {
        Ok(promise) => JsFuture::from(promise).await,
        // An older browser that knows no such option throws at once.
        Err(_) => match window.create_image_bitmap_with_blob(file) {
            Ok(promise) => JsFuture::from(promise).await,
            Err(_) => return decode_as_image(file).await,
        },
    };
    // The browser rejects with InvalidStateError ("could not be decoded") for anything that
    // is not a picture it understands.
    let bitmap = bitmap.map_err(|_| CameraError::NotAnImage)?;
    Ok(Picture::Bitmap(bitmap.dyn_into().map_err(failed)?))
}

async fn decode_as_image(file: &Blob) -> Result<Picture, CameraError> {
    let image = HtmlImageElement::new().map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(file).map_err(failed)?;
    image.set_src(&url);
    let picture = Picture::Image(image.clone(), url);
    if JsFuture::from(image.decode()).await.is_err() {
        picture.close();
        return Err(CameraError::NotAnImage);
    }
    Ok(picture)
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

/// The few drawing calls the watermark needs, on either kind of canvas context.
trait Pen {
    fn font(&self, font: &str);
    /// Width of `text` in the current font, in pixels.
    fn width(&self, text: &str) -> f64;
    fn colour(&self, colour: &str);
    fn rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn text(&self, text: &str, x: f64, y: f64);
}

macro_rules! pen {
    ($context:ty) => {
        impl Pen for $context {
            fn font(&self, font: &str) {
                self.set_font(font);
                self.set_text_baseline("middle");
            }
            fn width(&self, text: &str) -> f64 {
                self.measure_text(text).map(|m| m.width()).unwrap_or(0.0)
            }
            fn colour(&self, colour: &str) {
                self.set_fill_style_str(colour);
            }
            fn rect(&self, x: f64, y: f64, w: f64, h: f64) {
                self.fill_rect(x, y, w, h);
            }
            fn text(&self, text: &str, x: f64, y: f64) {
                let _ = self.fill_text(text, x, y);
            }
        }
    };
}
pen!(OffscreenCanvasRenderingContext2d);
pen!(CanvasRenderingContext2d);

/// Bold sans-serif, Chinese faces first (each phone has one of them), at `px` pixels.
fn watermark_font(px: f64) -> String {
    format!(
        "bold {px:.1}px \"PingFang SC\", \"Noto Sans CJK SC\", \"Noto Sans SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"Heiti SC\", sans-serif"
    )
}

/// Draws the watermark's `lines` as white bold text on a dark translucent band along the
/// bottom of a `width`×`height` picture, the font sized by the short edge and the lines
/// wrapped to the width (`watermark::layout`): readable on a phone, in sunlight, in both
/// languages.
fn stamp(pen: &dyn Pen, lines: &[String], width: u32, height: u32) {
    // Measured once at a large size and scaled: canvas text widths grow with the font size.
    const PROBE_PX: f64 = 100.0;
    pen.font(&watermark_font(PROBE_PX));
    let layout = watermark::layout(lines, width, height, |text| pen.width(text) / PROBE_PX);
    let (w, h) = (f64::from(width), f64::from(height));
    let top = h - layout.band_height_px;
    pen.colour("rgba(0, 0, 0, 0.6)");
    pen.rect(0.0, top, w, layout.band_height_px);
    pen.font(&watermark_font(layout.font_px));
    pen.colour("#fff");
    for (i, line) in layout.lines.iter().enumerate() {
        let middle = top + layout.padding_px + layout.line_height_px * (i as f64 + 0.5);
        pen.text(line, layout.padding_px, middle);
    }
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

    /// Paints `picture` scaled to the whole surface on white (a transparent PNG would
    /// otherwise turn black in the JPEG), with the browser's best resampling.
    fn draw(&self, picture: &Picture, width: u32, height: u32) -> Result<(), CameraError> {
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
            }
            Surface::Element(_, c) => {
                c.set_fill_style_str("#fff");
                c.fill_rect(0.0, 0.0, w, h);
            }
        }
        match (self, picture) {
            (Surface::Offscreen(_, c), Picture::Bitmap(b)) => {
                c.draw_image_with_image_bitmap_and_dw_and_dh(b, 0.0, 0.0, w, h)
            }
            (Surface::Offscreen(_, c), Picture::Image(i, _)) => {
                c.draw_image_with_html_image_element_and_dw_and_dh(i, 0.0, 0.0, w, h)
            }
            (Surface::Element(_, c), Picture::Bitmap(b)) => {
                c.draw_image_with_image_bitmap_and_dw_and_dh(b, 0.0, 0.0, w, h)
            }
            (Surface::Element(_, c), Picture::Image(i, _)) => {
                c.draw_image_with_html_image_element_and_dw_and_dh(i, 0.0, 0.0, w, h)
            }
        }
        .map_err(failed)
    }

    fn pen(&self) -> &dyn Pen {
        match self {
            Surface::Offscreen(_, c) => c,
            Surface::Element(_, c) => c,
        }
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

/// Scales `bitmap` to `width`×`height`, stamps the `watermark` lines on it if there are
/// any, and encodes it: at the configured quality, then at each of [`FALLBACK_QUALITIES`]
/// below it while the result is over [`MAX_BYTES`].
async fn encode(
    bitmap: &Picture,
    width: u32,
    height: u32,
    config: &CaptureConfig,
    watermark: Option<&[String]>,
) -> Result<Blob, CameraError> {
    let surface = Surface::new(width, height)?;
    let result = async {
        surface.draw(bitmap, width, height)?;
        if let Some(lines) = watermark.filter(|l| !l.is_empty()) {
            stamp(surface.pen(), lines, width, height);
        }
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

/// What the app knows of a picture besides its pixels: which input it came through, the
/// watermark to stamp on it, and what its EXIF said ([`read_exif`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intake {
    pub source: Option<PhotoSource>,
    /// The watermark's lines (`patrol_core::watermark::lines`); `None` stamps nothing.
    pub watermark: Option<Vec<String>>,
    pub exif: Option<Exif>,
}

/// The camera's own time and GPS from the EXIF of `file` as the phone gave it, read from its
/// first [`EXIF_SLICE`] bytes before anything re-encodes it. `None` when there is no EXIF, it
/// cannot be read, or it holds neither (a screenshot, a picture sent through a chat app that
/// strips it).
pub async fn read_exif(file: &Blob) -> Option<Exif> {
    let head = file.slice_with_i32_and_i32(0, EXIF_SLICE).ok()?;
    let buffer = read(&head).await.ok()?;
    exif_of(&Uint8Array::new(&buffer).to_vec())
}

/// [`read_exif`] on bytes already read.
pub fn exif_of(bytes: &[u8]) -> Option<Exif> {
    use exif::{In, Tag, Value};
    // What could be read is kept: phones and editors write small flaws (a sub-IFD with a
    // "next IFD" link, an odd entry) that would otherwise throw the time and place away.
    let found = exif::Reader::new()
        .continue_on_error(true)
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .or_else(|e| e.distill_partial_result(|_| ()))
        .ok()?;
    let ascii = |tag: Tag| match &found.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => parts.first().cloned(),
        _ => None,
    };
    let taken_at = ascii(Tag::DateTimeOriginal)
        .and_then(|text| exif::DateTime::from_ascii(&text).ok())
        .and_then(|mut t| {
            if let Some(offset) = ascii(Tag::OffsetTimeOriginal) {
                // A blank or malformed offset leaves China Standard Time assumed.
                let _ = t.parse_offset(&offset);
            }
            provenance::exif_time(
                [u32::from(t.year), u32::from(t.month), u32::from(t.day)],
                [u32::from(t.hour), u32::from(t.minute), u32::from(t.second)],
                t.offset.map(i32::from),
            )
        });
    let degrees = |tag: Tag, reference: Tag, limit: f64| {
        let Value::Rational(parts) = &found.get_field(tag, In::PRIMARY)?.value else {
            return None;
        };
        let dms: Vec<f64> = parts.iter().map(|r| r.to_f64()).collect();
        let dms = [
            *dms.first()?,
            dms.get(1).copied().unwrap_or(0.0),
            dms.get(2).copied().unwrap_or(0.0),
        ];
        let reference = String::from_utf8(ascii(reference)?).ok()?;
        provenance::exif_degrees(dms, &reference, limit)
    };
    let latitude = degrees(Tag::GPSLatitude, Tag::GPSLatitudeRef, 90.0);
    let longitude = degrees(Tag::GPSLongitude, Tag::GPSLongitudeRef, 180.0);
    let (latitude, longitude) = match (latitude, longitude) {
        (Some(lat), Some(lon)) => (Some(lat), Some(lon)),
        _ => (None, None),
    };
    let facts = Exif {
        taken_at,
        latitude,
        longitude,
    };
    (!facts.is_empty()).then_some(facts)
}

/// Turns the picture `file` into the photo to store: upright, at most
/// `config.long_edge_px` on its long edge ([`CaptureConfig::scaled_size`]), stamped with
/// `intake`'s watermark, JPEG at `config.jpeg_quality` (lower, down to 0.5, if that is over
/// [`MAX_BYTES`]), with a new id, its size, dimensions and SHA-256, and `intake`'s source,
/// watermark text and EXIF facts. The returned Blob is exactly the bytes described.
pub async fn process(
    file: &Blob,
    config: &CaptureConfig,
    intake: &Intake,
) -> Result<(PhotoRef, Blob), CameraError> {
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
    let watermark = intake.watermark.as_deref();
    let encoded = encode(&bitmap, width, height, config, watermark).await;
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
        watermark: watermark
            .filter(|l| !l.is_empty())
            .map(|lines| lines.join("\n")),
        source: intake.source,
        exif: intake.exif.clone(),
    };
    Ok((photo, jpeg))
}
