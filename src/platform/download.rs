//! Export: a full-resolution PNG marked "Simulation", handed to the browser as a download.

use smp_core::RgbaImage;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlAnchorElement, HtmlCanvasElement, ImageData};

use super::canvas::{context_2d, image_data};
use super::window;

/// Draw `img` on an off-screen canvas, mark it "Simulation" in the bottom-right corner and
/// encode it as PNG.
pub async fn encode_marked_png(img: &RgbaImage, label: &str) -> Result<Blob, JsValue> {
    encode_marked_image_data(&image_data(img)?, label).await
}

/// The same for pixels already held by JS (the worker's export result stays out of wasm memory).
pub async fn encode_marked_image_data(img: &ImageData, label: &str) -> Result<Blob, JsValue> {
    let document = window().document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    canvas.set_width(img.width());
    canvas.set_height(img.height());
    let ctx = context_2d(&canvas)?;
    ctx.put_image_data(img, 0.0, 0.0)?;
    draw_label(&ctx, img.width() as f64, img.height() as f64, label)?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let cb = Closure::once_into_js(move |blob: JsValue| {
            if blob.is_null() {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("the browser could not encode the PNG"));
            } else {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            }
        });
        if let Err(e) = canvas.to_blob_with_type(cb.unchecked_ref(), "image/png") {
            web_sys::console::error_1(&e);
        }
    });
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

fn draw_label(ctx: &web_sys::CanvasRenderingContext2d, w: f64, h: f64, label: &str) -> Result<(), JsValue> {
    let size = (w.min(h) / 28.0).max(12.0).round();
    let pad = (size * 0.45).round();
    ctx.set_font(&format!("600 {size}px system-ui, sans-serif"));
    let text_w = ctx.measure_text(label)?.width();
    let (bx, by) = (w - text_w - 3.0 * pad, h - size - 3.0 * pad);
    ctx.set_fill_style_str("rgba(0, 0, 0, 0.55)");
    ctx.fill_rect(bx, by, text_w + 2.0 * pad, size + 2.0 * pad);
    ctx.set_fill_style_str("rgba(255, 255, 255, 0.95)");
    ctx.set_text_baseline("top");
    ctx.fill_text(label, bx + pad, by + pad * 1.1)
}

/// Offer a blob as a file download.
pub fn save_blob(blob: &Blob, filename: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = window().document().ok_or("no document")?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(filename);
    a.style().set_property("display", "none")?;
    document.body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    // Revoke later: the download needs the URL for a moment.
    let cb = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 60_000)?;
    Ok(())
}

/// `photo.jpg` -> `photo-smp-preview.png`.
pub fn export_file_name(photo_name: &str) -> String {
    let stem = photo_name.rsplit_once('.').map_or(photo_name, |(s, _)| s);
    let stem: String = stem.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_')).take(60).collect();
    let stem = if stem.is_empty() { "photo".to_string() } else { stem };
    format!("{stem}-smp-preview.png")
}
