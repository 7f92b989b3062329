//! Browser glue, tested in headless Chromium with wasm-bindgen-test:
//! `cargo test --target wasm32-unknown-unknown --test browser` (scripts/test runs it).
#![cfg(target_arch = "wasm32")]

use smp_core::geometry::PixelRect;
use smp_core::{Mask, RgbaImage};
use smp_tryon::platform::canvas::{draw_compare, draw_outline, draw_region, image_data};
use smp_tryon::platform::download::{encode_marked_png, export_file_name};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas() -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

fn read(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64).unwrap().data().0
}

fn gradient(w: u32, h: u32, k: u8) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| [(x as u8).wrapping_mul(3), (y as u8).wrapping_mul(5), k, 255])
}

#[wasm_bindgen_test]
fn pixels_round_trip_exactly_through_the_canvas() {
    let (after, before) = (gradient(64, 48, 200), gradient(64, 48, 10));
    let c = canvas();
    let (a, b) = (image_data(&after).unwrap(), image_data(&before).unwrap());
    draw_compare(&c, &a, &b, 0.0).unwrap();
    assert_eq!(read(&c), after.data);
    draw_compare(&c, &a, &b, 1.0).unwrap();
    assert_eq!(read(&c), before.data);
    // Split at a quarter: 16 columns of the original, the rest the result.
    draw_compare(&c, &a, &b, 0.25).unwrap();
    let px = read(&c);
    assert_eq!(px[(10 * 64 + 15) * 4 + 2], 10);
    assert_eq!(px[(10 * 64 + 16) * 4 + 2], 200);
}

#[wasm_bindgen_test]
fn a_dirty_region_updates_only_its_rectangle() {
    let (old, new) = (gradient(50, 40, 1), gradient(50, 40, 250));
    let c = canvas();
    let d = image_data(&old).unwrap();
    draw_compare(&c, &d, &d, 0.0).unwrap();
    draw_region(&c, &new, PixelRect { x0: 10, y0: 5, x1: 30, y1: 25 }).unwrap();
    let px = read(&c);
    let blue = |x: usize, y: usize| px[(y * 50 + x) * 4 + 2];
    assert_eq!((blue(10, 5), blue(29, 24)), (250, 250));
    assert_eq!((blue(9, 5), blue(30, 24), blue(10, 25)), (1, 1, 1));
    draw_region(&c, &old, PixelRect::default()).unwrap();
}

#[wasm_bindgen_test]
fn image_data_survives_wasm_memory_growth() {
    let img = gradient(32, 32, 99);
    let data = image_data(&img).unwrap();
    // Grow wasm memory by allocating (and touching) a large buffer.
    let big = vec![1u8; 64 * 1024 * 1024];
    assert_eq!(big[big.len() - 1], 1);
    let c = canvas();
    draw_compare(&c, &data, &data, 0.0).unwrap();
    assert_eq!(read(&c), img.data);
}

#[wasm_bindgen_test]
fn outline_marks_only_the_area_edge() {
    let mut mask = Mask::new(40, 30);
    for y in 10..20 {
        for x in 10..30 {
            mask.data[y * 40 + x] = 255;
        }
    }
    let c = canvas();
    draw_outline(&c, &mask, &mut Vec::new()).unwrap();
    let px = read(&c);
    let alpha = |x: usize, y: usize| px[(y * 40 + x) * 4 + 3];
    assert!(alpha(10, 15) > 0, "left edge");
    assert!(alpha(29, 12) > 0, "right edge");
    assert_eq!(alpha(20, 15), 0, "interior stays clear");
    assert_eq!(alpha(5, 5), 0, "outside stays clear");
}

#[wasm_bindgen_test]
async fn export_png_is_full_size_and_marked() {
    let img = RgbaImage::from_fn(300, 200, |_, _| [120, 100, 90, 255]);
    let blob = encode_marked_png(&img, "Simulation").await.unwrap();
    assert_eq!(blob.type_(), "image/png");
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.unwrap();
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    assert_eq!(&bytes[1..4], b"PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    assert_eq!((be(16), be(20)), (300, 200));
    assert_eq!(export_file_name("IMG 0042.HEIC.jpg"), "IMG0042HEIC-smp-preview.png");
    assert_eq!(export_file_name(".jpg"), "photo-smp-preview.png");
}

#[wasm_bindgen_test]
async fn a_sheet_encodes_as_jpeg_at_its_size_and_refuses_the_wrong_size() {
    use smp_tryon::export::{pair_layout, ExportFormat, PhotoSize, SheetAngle};
    use smp_tryon::platform::download::{encode_sheet, Encoding};
    let angle = SheetAngle {
        size: PhotoSize { width: 200, height: 150 },
        title: "Front".into(),
        params: smp_core::RenderParams::default(),
    };
    let layout = pair_layout(&angle);
    let sheet = RgbaImage::from_fn(layout.width, layout.height, |_, _| [255, 255, 255, 255]);
    let jpeg = Encoding { format: ExportFormat::Jpeg, jpeg_quality: 0.8 };
    let blob = encode_sheet(&image_data(&sheet).unwrap(), &layout, "Clinic · 2026-11-24", jpeg).await.unwrap();
    assert_eq!(blob.type_(), "image/jpeg");
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.unwrap();
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    assert_eq!(&bytes[..3], &[0xff, 0xd8, 0xff]);
    let small = RgbaImage::from_fn(10, 10, |_, _| [0, 0, 0, 255]);
    assert!(encode_sheet(&image_data(&small).unwrap(), &layout, "", jpeg).await.is_err());
}
