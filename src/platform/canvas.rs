//! Putting RGBA pixels on canvases.

use js_sys::Uint8ClampedArray;
use smp_core::geometry::PixelRect;
use smp_core::{Mask, RgbaImage};
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsValue::from_str("not a 2d context"))
}

/// An ImageData holding a JS-side copy of the pixels. (Built from a Rust slice directly, an
/// ImageData is a view into wasm memory and is detached as soon as that memory grows.)
pub fn image_data(img: &RgbaImage) -> Result<ImageData, JsValue> {
    let array = Uint8ClampedArray::new_with_length(img.data.len() as u32);
    array.copy_from(&img.data);
    ImageData::new_with_js_u8_clamped_array_and_sh(&array, img.width, img.height)
}

/// Size the canvas's pixel buffer (clears it only when the size changes).
pub fn ensure_size(canvas: &HtmlCanvasElement, width: u32, height: u32) {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
}

/// Draw the result, with the original over the part left of `split` (0..=1 of the width) or
/// over everything when `split` is 1.
pub fn draw_compare(
    canvas: &HtmlCanvasElement,
    after: &ImageData,
    before: &ImageData,
    split: f32,
) -> Result<(), JsValue> {
    let ctx = context_2d(canvas)?;
    let (w, h) = (after.width(), after.height());
    ensure_size(canvas, w, h);
    let split_x = (split.clamp(0.0, 1.0) * w as f32).round() as f64;
    if split_x < w as f64 {
        ctx.put_image_data(after, 0.0, 0.0)?;
    }
    if split_x > 0.0 {
        ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
            before, 0.0, 0.0, 0.0, 0.0, split_x, h as f64,
        )?;
    }
    Ok(())
}

/// Copy one rectangle of `img` onto the canvas (the canvas already shows the rest).
pub fn draw_region(canvas: &HtmlCanvasElement, img: &RgbaImage, rect: PixelRect) -> Result<(), JsValue> {
    if rect.is_empty() {
        return Ok(());
    }
    let (rw, w) = (rect.width() as usize, img.width as usize);
    let mut rows = Vec::with_capacity(rw * rect.height() as usize * 4);
    for y in rect.y0..rect.y1 {
        let start = (y as usize * w + rect.x0 as usize) * 4;
        rows.extend_from_slice(&img.data[start..start + rw * 4]);
    }
    let array = Uint8ClampedArray::new_with_length(rows.len() as u32);
    array.copy_from(&rows);
    let data = ImageData::new_with_js_u8_clamped_array_and_sh(&array, rect.width(), rect.height())?;
    context_2d(canvas)?.put_image_data(&data, rect.x0 as f64, rect.y0 as f64)
}

/// Draw the area's outline (pixels inside whose neighbour is outside) on a transparent canvas.
pub fn draw_outline(canvas: &HtmlCanvasElement, mask: &Mask, buffer: &mut Vec<u8>) -> Result<(), JsValue> {
    let (w, h) = (mask.width as usize, mask.height as usize);
    ensure_size(canvas, mask.width, mask.height);
    buffer.clear();
    buffer.resize(w * h * 4, 0);
    let inside = |x: usize, y: usize| mask.data[y * w + x] >= 128;
    for y in 0..h {
        for x in 0..w {
            if inside(x, y)
                && (x == 0
                    || y == 0
                    || x + 1 == w
                    || y + 1 == h
                    || !inside(x - 1, y)
                    || !inside(x + 1, y)
                    || !inside(x, y - 1)
                    || !inside(x, y + 1))
            {
                // Dashed: alternate light and dark so the outline shows on any skin.
                let light = ((x + y) / 4) % 2 == 0;
                let c = if light { [255, 255, 255, 230] } else { [0, 150, 200, 230] };
                buffer[(y * w + x) * 4..(y * w + x) * 4 + 4].copy_from_slice(&c);
            }
        }
    }
    // Used at once, before wasm memory can grow: a view is fine here.
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(buffer), mask.width, mask.height)?;
    context_2d(canvas)?.put_image_data(&data, 0.0, 0.0)
}

pub fn clear(canvas: &HtmlCanvasElement) {
    if let Ok(ctx) = context_2d(canvas) {
        ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    }
}

/// A small JPEG of `img` (at most `max_side` px on its longer side) as a `data:` URL, for the
/// angle tabs (the page's policy allows `data:` images).
pub fn thumbnail_data_url(img: &RgbaImage, max_side: u32) -> Result<String, JsValue> {
    let long = img.width.max(img.height).max(1);
    let scale = (max_side as f32 / long as f32).min(1.0);
    let (w, h) =
        (((img.width as f32 * scale).round() as u32).max(1), ((img.height as f32 * scale).round() as u32).max(1));
    let small = smp_core::resize::downscale_area(img, w.min(img.width), h.min(img.height));
    let document = super::window().document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    canvas.set_width(small.width);
    canvas.set_height(small.height);
    context_2d(&canvas)?.put_image_data(&image_data(&small)?, 0.0, 0.0)?;
    canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &JsValue::from_f64(0.8))
}
