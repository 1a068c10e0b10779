//! A camera-like test picture (with or without a camera's EXIF), for the photo tests and the
//! compression benchmark, and (with
//! the `bench` feature only) `bench_compress`, exported to JavaScript for `cargo xtask bench`.
//! Nothing here is in the shipped app: without the feature nothing in the app calls it.

use std::f64::consts::{PI, TAU};

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ImageData, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

/// A small deterministic random number generator (xorshift32).
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        f64::from(self.next()) / (f64::from(u32::MAX) + 1.0)
    }
}

fn js_error(text: &str) -> JsValue {
    js_sys::Error::new(text).into()
}

fn context(canvas: &OffscreenCanvas) -> Result<OffscreenCanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| js_error("no 2d context"))?
        .dyn_into()
        .map_err(|_| js_error("not a 2d context"))
}

/// A `width`×`height` JPEG (quality 0.92, as phone cameras write) that compresses about
/// like a real outdoor photo: sky and ground gradients, a few thousand soft shapes of
/// different sizes (vegetation, stones, water) and fine sensor-like noise, so JPEG cannot
/// shrink it to nothing. The same `seed` gives the same picture. Chromium (OffscreenCanvas)
/// only.
pub async fn synthetic_photo(width: u32, height: u32, seed: u32) -> Result<Blob, JsValue> {
    let mut rng = Rng(seed.max(1));
    let canvas = OffscreenCanvas::new(width, height)?;
    let c = context(&canvas)?;
    let (w, h) = (f64::from(width), f64::from(height));

    let sky = c.create_linear_gradient(0.0, 0.0, 0.0, h * 0.45);
    sky.add_color_stop(0.0, "#5d8fc7")?;
    sky.add_color_stop(1.0, "#d9e6ef")?;
    c.set_fill_style_canvas_gradient(&sky);
    c.fill_rect(0.0, 0.0, w, h * 0.45);
    let ground = c.create_linear_gradient(0.0, h * 0.45, 0.0, h);
    ground.add_color_stop(0.0, "#556b3a")?;
    ground.add_color_stop(0.6, "#6f6a55")?;
    ground.add_color_stop(1.0, "#3c4f5c")?;
    c.set_fill_style_canvas_gradient(&ground);
    c.fill_rect(0.0, h * 0.45, w, h * 0.55);

    // Shapes: many small ones (leaves, gravel), fewer large ones (bushes, rocks).
    let scale = w.max(h) / 4000.0;
    for i in 0..6000 {
        let size = if i % 10 == 0 {
            40.0 + rng.unit() * 260.0
        } else {
            4.0 + rng.unit() * 40.0
        } * scale;
        let x = rng.unit() * w;
        let y = h * 0.3 + rng.unit() * h * 0.7;
        let hue = 60.0 + rng.unit() * 100.0;
        let light = 15.0 + rng.unit() * 50.0;
        c.set_fill_style_str(&format!(
            "hsla({hue:.0},{:.0}%,{light:.0}%,0.55)",
            15.0 + rng.unit() * 45.0
        ));
        c.begin_path();
        c.ellipse(
            x,
            y,
            size,
            size * (0.3 + rng.unit() * 0.7),
            rng.unit() * PI,
            0.0,
            TAU,
        )?;
        c.fill();
    }

    // Fine noise, tiled from a 512×512 patch, over everything.
    const TILE: u32 = 512;
    let mut noise = vec![0u8; (TILE * TILE * 4) as usize];
    for px in noise.chunks_exact_mut(4) {
        let v = (rng.next() & 0xff) as u8;
        px.copy_from_slice(&[v, v, v, 255]);
    }
    let data =
        ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&noise), TILE, TILE)?;
    let tile = OffscreenCanvas::new(TILE, TILE)?;
    context(&tile)?.put_image_data(&data, 0.0, 0.0)?;
    c.set_global_alpha(0.10);
    let mut y = 0.0;
    while y < h {
        let mut x = 0.0;
        while x < w {
            c.draw_image_with_offscreen_canvas(&tile, x, y)?;
            x += f64::from(TILE);
        }
        y += f64::from(TILE);
    }
    c.set_global_alpha(1.0);

    let options = ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(0.92);
    let blob = JsFuture::from(canvas.convert_to_blob_with_options(&options)?).await?;
    canvas.set_width(0);
    canvas.set_height(0);
    blob.dyn_into().map_err(|_| js_error("not a blob"))
}

/// `jpeg` with an EXIF segment as a phone camera writes one (APP1 right after the start):
/// DateTimeOriginal 2026:11:28 14:05:09 and a GPS fix at 31°15'N 107°32'24"E, written with
/// kamadak-exif's writer. For the benchmark and the tests of [`crate::camera::read_exif`].
pub fn with_exif(jpeg: &[u8]) -> Result<Vec<u8>, JsValue> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value};
    let ascii = |tag: Tag, text: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![text.as_bytes().to_vec()]),
    };
    let dms = |tag: Tag, [d, m, s]: [u32; 3]| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(
            [d, m, s]
                .iter()
                .map(|&num| Rational { num, denom: 1 })
                .collect(),
        ),
    };
    let fields = [
        ascii(Tag::DateTimeOriginal, "2026:11:28 14:05:09"),
        ascii(Tag::GPSLatitudeRef, "N"),
        dms(Tag::GPSLatitude, [31, 15, 0]),
        ascii(Tag::GPSLongitudeRef, "E"),
        dms(Tag::GPSLongitude, [107, 32, 24]),
    ];
    let mut writer = Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer
        .write(&mut tiff, false)
        .map_err(|e| js_error(&e.to_string()))?;
    let tiff = tiff.into_inner();
    let length = u16::try_from(2 + 6 + tiff.len()).map_err(|_| js_error("EXIF too long"))?;
    if !jpeg.starts_with(&[0xff, 0xd8]) {
        return Err(js_error("not a JPEG"));
    }
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&[0xff, 0xd8, 0xff, 0xe1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    Ok(out)
}

/// Milliseconds from the page's high-resolution clock.
pub fn now_ms() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| {
            let now = Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_ref::<js_sys::Function>()?.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Median of `values` (the mean of the middle two for an even count); 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Compresses a synthetic `width`×`height` camera JPEG `runs` times with the app's own
/// [`crate::camera::process`] and default [`patrol_core::capture::CaptureConfig`], twice:
/// as before there was a watermark (no EXIF read, nothing stamped), then as "add photo" does
/// now (the same picture with a camera's EXIF, read by [`crate::camera::read_exif`], and a
/// four-line watermark stamped). Resolves to `{ input_bytes, input_width, input_height,
/// output_bytes, output_width, output_height, runs_ms: [..], median_ms,
/// watermark_runs_ms: [..], watermark_median_ms, watermark_output_bytes }`. The pictures
/// are made before the clock starts. From the page: `await
/// window.wasmBindings.bench_compress(4000, 3000, 7)` in a `--features bench` build.
#[cfg(feature = "bench")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_compress(width: u32, height: u32, runs: u32) -> Result<JsValue, JsValue> {
    use crate::camera::{self, Intake};
    use patrol_core::provenance::PhotoSource;
    use patrol_core::watermark;

    let config = patrol_core::capture::CaptureConfig::default();
    let input = synthetic_photo(width, height, 20261128).await?;
    let buffer = camera::read(&input)
        .await
        .map_err(|e| js_error(&e.to_string()))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let with_exif = with_exif(&bytes)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&with_exif[..]).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let camera_file = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let position = patrol_core::Position {
        latitude: 31.25,
        longitude: 107.54,
        accuracy_m: Some(8.0),
        taken_at: chrono::Utc::now(),
        source: Some(patrol_core::PositionSource::Gps),
    };
    let lines = watermark::lines(
        &watermark::Facts {
            at: chrono::Utc::now(),
            position: Some(&position),
            village: "杨柳村",
            place: "四组桥头往东五十米清水河左岸排污口",
            official: "张三",
            kind: "排污口",
            record: uuid::Uuid::new_v4(),
            origin: "",
        },
        "位置未知",
    );

    let mut plain = Vec::new();
    let mut stamped = Vec::new();
    let mut last = None;
    let mut last_stamped = None;
    for _ in 0..runs.max(1) {
        let start = now_ms();
        let (photo, _) = camera::process(&input, &config, &Intake::default())
            .await
            .map_err(|e| js_error(&e.to_string()))?;
        plain.push(now_ms() - start);
        last = Some(photo);

        let start = now_ms();
        let intake = Intake {
            source: Some(PhotoSource::Camera),
            watermark: Some(lines.clone()),
            exif: camera::read_exif(&camera_file).await,
        };
        if intake.exif.is_none() {
            return Err(js_error("the camera file's EXIF was not read"));
        }
        let (photo, _) = camera::process(&camera_file, &config, &intake)
            .await
            .map_err(|e| js_error(&e.to_string()))?;
        stamped.push(now_ms() - start);
        last_stamped = Some(photo);
    }
    let photo = last.expect("at least one run");
    let stamped_photo = last_stamped.expect("at least one run");
    let list = |times: &[f64]| -> JsValue {
        times
            .iter()
            .map(|t| JsValue::from(*t))
            .collect::<js_sys::Array>()
            .into()
    };
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&out, &k.into(), &v);
    set("input_bytes", input.size().into())?;
    set("input_width", width.into())?;
    set("input_height", height.into())?;
    set("output_bytes", (photo.bytes as f64).into())?;
    set("output_width", photo.width.into())?;
    set("output_height", photo.height.into())?;
    set("runs_ms", list(&plain))?;
    set("median_ms", median(&plain).into())?;
    set("watermark_runs_ms", list(&stamped))?;
    set("watermark_median_ms", median(&stamped).into())?;
    set(
        "watermark_output_bytes",
        (stamped_photo.bytes as f64).into(),
    )?;
    Ok(out.into())
}
