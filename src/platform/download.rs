//! Export: the pixels from the worker drawn on an off-screen canvas, marked "Simulation" (with
//! the clinic name and date when asked), labelled for sheets, encoded as PNG or JPEG and handed
//! to the browser as a download. Text is drawn here because it needs the browser's fonts.

use smp_core::RgbaImage;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlAnchorElement, HtmlCanvasElement, ImageData};

use super::canvas::{context_2d, image_data};
use super::window;
use crate::export::{ExportFormat, ExportKind, SheetLayout};

/// The mark every exported image carries.
pub const MARK: &str = "Simulation";
/// The sheet footer's sentence after the mark.
const DISCLAIMER: &str = "a preview, not a photo of a result";

/// How to encode: the format and, for JPEG, its quality (0..=1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Encoding {
    pub format: ExportFormat,
    pub jpeg_quality: f32,
}

impl Encoding {
    pub const PNG: Encoding = Encoding { format: ExportFormat::Png, jpeg_quality: 0.9 };
}

/// Draw `img` on an off-screen canvas, mark it "Simulation" in the bottom-right corner and
/// encode it as PNG.
pub async fn encode_marked_png(img: &RgbaImage, label: &str) -> Result<Blob, JsValue> {
    encode_marked_image_data(&image_data(img)?, label, "", Encoding::PNG).await
}

/// One image (pixels already held by JS: the worker's result stays out of wasm memory), the
/// mark bottom-right and `byline` (clinic, date; may be empty) bottom-left.
pub async fn encode_marked_image_data(
    img: &ImageData,
    label: &str,
    byline: &str,
    encoding: Encoding,
) -> Result<Blob, JsValue> {
    let (canvas, ctx) = canvas_with(img)?;
    let (w, h) = (img.width() as f64, img.height() as f64);
    let size = (w.min(h) / 28.0).max(12.0).round();
    badge(&ctx, w, h, size, label, Corner::BottomRight)?;
    if !byline.is_empty() {
        badge(&ctx, w, h, (size * 0.8).round(), byline, Corner::BottomLeft)?;
    }
    encode(&canvas, encoding).await
}

/// A composed sheet: each panel's label in its band, the mark on every simulated panel, and a
/// dark footer band with the mark, a disclaimer and `byline` (clinic, date).
pub async fn encode_sheet(
    img: &ImageData,
    layout: &SheetLayout,
    byline: &str,
    encoding: Encoding,
) -> Result<Blob, JsValue> {
    if (img.width(), img.height()) != (layout.width, layout.height) {
        return Err("the sheet came back the wrong size".into());
    }
    let (canvas, ctx) = canvas_with(img)?;
    ctx.set_text_baseline("middle");
    for p in &layout.panels {
        let band = p.label_band;
        ctx.set_fill_style_str("#23201d");
        let size = fit_font(&ctx, &p.label, 600, layout.label_font_px as f64, band.w as f64)?;
        ctx.set_font(&font(600, size));
        ctx.fill_text(&p.label, band.x as f64, band.y as f64 + band.h as f64 * 0.55)?;
        if p.simulated() {
            let r = p.image;
            let size = (r.w.min(r.h) as f64 / 16.0).max(layout.label_font_px as f64 * 0.8).round();
            ctx.save();
            ctx.translate(r.x as f64, r.y as f64)?;
            badge(&ctx, r.w as f64, r.h as f64, size, MARK, Corner::BottomRight)?;
            ctx.restore();
        }
    }
    // The footer: a dark band across the sheet.
    let f = layout.footer;
    let (fx, fy, fw, fh) = (f.x as f64, f.y as f64, f.w as f64, f.h as f64);
    ctx.set_fill_style_str("#23201d");
    ctx.fill_rect(fx, fy, fw, fh);
    let pad = layout.footer_font_px as f64;
    let mid = fy + fh * 0.52;
    let left_mark = format!("{} — ", MARK.to_uppercase());
    let mut size = layout.footer_font_px as f64;
    // Shrink the footer text until the mark, the disclaimer and the byline fit on one line.
    loop {
        ctx.set_font(&font(700, size));
        let mark_w = ctx.measure_text(&left_mark)?.width();
        ctx.set_font(&font(400, size));
        let rest_w = ctx.measure_text(DISCLAIMER)?.width() + ctx.measure_text(byline)?.width();
        if mark_w + rest_w + 4.0 * pad <= fw || size <= 8.0 {
            break;
        }
        size = (size * 0.92).floor();
    }
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str("#ffffff");
    ctx.set_font(&font(700, size));
    ctx.fill_text(&left_mark, fx + pad, mid)?;
    let mark_w = ctx.measure_text(&left_mark)?.width();
    ctx.set_font(&font(400, size));
    ctx.set_fill_style_str("rgba(255, 255, 255, 0.85)");
    ctx.fill_text(DISCLAIMER, fx + pad + mark_w, mid)?;
    if !byline.is_empty() {
        ctx.set_fill_style_str("#ffffff");
        ctx.set_font(&font(600, size));
        let w = ctx.measure_text(byline)?.width();
        ctx.fill_text(byline, fx + fw - pad - w, mid)?;
    }
    encode(&canvas, encoding).await
}

fn font(weight: u32, size_px: f64) -> String {
    format!("{weight} {size_px}px system-ui, sans-serif")
}

/// The largest font size up to `size_px` at which `text` fits in `width_px`.
fn fit_font(
    ctx: &CanvasRenderingContext2d,
    text: &str,
    weight: u32,
    size_px: f64,
    width_px: f64,
) -> Result<f64, JsValue> {
    ctx.set_font(&font(weight, size_px));
    let w = ctx.measure_text(text)?.width();
    Ok(if w > width_px && w > 0.0 { (size_px * width_px / w).floor().max(6.0) } else { size_px })
}

fn canvas_with(img: &ImageData) -> Result<(HtmlCanvasElement, CanvasRenderingContext2d), JsValue> {
    let document = window().document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    canvas.set_width(img.width());
    canvas.set_height(img.height());
    let ctx = context_2d(&canvas)?;
    ctx.put_image_data(img, 0.0, 0.0)?;
    Ok((canvas, ctx))
}

async fn encode(canvas: &HtmlCanvasElement, encoding: Encoding) -> Result<Blob, JsValue> {
    let mime = encoding.format.mime();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_error = reject.clone();
        let cb = Closure::once_into_js(move |blob: JsValue| {
            if blob.is_null() {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("the browser could not encode the image"));
            } else {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            }
        });
        let asked = match encoding.format {
            ExportFormat::Png => canvas.to_blob_with_type(cb.unchecked_ref(), mime),
            ExportFormat::Jpeg => canvas.to_blob_with_type_and_encoder_options(
                cb.unchecked_ref(),
                mime,
                &JsValue::from_f64(encoding.jpeg_quality.clamp(0.0, 1.0) as f64),
            ),
        };
        if let Err(e) = asked {
            let _ = on_error.call1(&JsValue::NULL, &e);
        }
    });
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

#[derive(Clone, Copy)]
enum Corner {
    BottomLeft,
    BottomRight,
}

/// `label` in white on a dark translucent box in a corner of a `w` x `h` area.
fn badge(
    ctx: &CanvasRenderingContext2d,
    w: f64,
    h: f64,
    size: f64,
    label: &str,
    corner: Corner,
) -> Result<(), JsValue> {
    let pad = (size * 0.45).round();
    ctx.set_font(&font(600, size));
    let text_w = ctx.measure_text(label)?.width();
    let bx = match corner {
        Corner::BottomRight => w - text_w - 3.0 * pad,
        Corner::BottomLeft => pad,
    };
    let by = h - size - 3.0 * pad;
    let box_h = size + 2.0 * pad;
    ctx.set_fill_style_str("rgba(0, 0, 0, 0.55)");
    ctx.fill_rect(bx, by, text_w + 2.0 * pad, box_h);
    ctx.set_fill_style_str("rgba(255, 255, 255, 0.95)");
    // Centred on the box (a "top" baseline leaves the font's line gap below the text).
    ctx.set_text_baseline("middle");
    ctx.fill_text(label, bx + pad, by + box_h * 0.53)
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
    crate::export::export_file_name(ExportKind::Angle, ExportFormat::Png, photo_name, "")
}

/// Today's local date as YYYY-MM-DD.
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}
