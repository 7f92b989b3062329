//! Golden images, in the style of image-rs/imageproc: each render is compared with a PNG in
//! `tests/golden/` within a small tolerance. `SMP_BLESS=1 cargo test -p smp-core --test golden`
//! writes them anew; look at the pictures before committing them.
//!
//! Renders: every treatment and time state on a synthetic skin patch, and two shared photos
//! (read from `../shared/photos`; a derivative crop of each, CC BY 4.0 "hair-loss dataset by uze,
//! Roboflow Universe", is kept as its golden).

use std::path::{Path, PathBuf};

use image::ImageEncoder;
use smp_core::geometry::Point;
use smp_core::region::{Hairline, HairlineSide};
use smp_core::resize::downscale_area;
use smp_core::{
    decode_photo, BrushMode, DecodeLimits, Preview, RenderParams, RgbaImage, Stroke, TimeState, Treatment,
    SHADE_PRESETS,
};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn shared_photos() -> PathBuf {
    std::env::var_os("SMP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("photos")
}

fn save_png(path: &Path, img: &RgbaImage) {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&img.data, img.width, img.height, image::ExtendedColorType::Rgba8)
        .unwrap();
    std::fs::write(path, out).unwrap();
}

/// Compare with the golden: at most 0.5 % of pixels may differ, and none by more than 3 codes.
fn check(name: &str, img: &RgbaImage) {
    let path = golden_dir().join(format!("{name}.png"));
    if std::env::var_os("SMP_BLESS").is_some() {
        save_png(&path, img);
        return;
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} is missing: run with SMP_BLESS=1", path.display()));
    let golden = decode_photo(&bytes, &DecodeLimits { min_side: 1, ..DecodeLimits::default() }).unwrap();
    assert_eq!((golden.width, golden.height), (img.width, img.height), "{name}: size");
    let (mut differing, mut worst) = (0usize, 0u8);
    for (a, b) in golden.data.chunks(4).zip(img.data.chunks(4)) {
        let d = (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap();
        if d > 0 {
            differing += 1;
        }
        worst = worst.max(d);
    }
    assert!(
        worst <= 3 && differing * 200 <= img.pixel_count(),
        "{name}: {differing} pixels differ, the worst by {worst} (SMP_BLESS=1 to accept a deliberate change)"
    );
}

fn skin_patch() -> RgbaImage {
    RgbaImage::from_fn(160, 160, |x, y| {
        // Warm skin with a soft light gradient and fine texture.
        let n = (smp_core::rng::hash3(9, x as u64, y as u64) % 9) as i32 - 4;
        let light = 20 - (x as i32 + y as i32) / 16;
        let v = |base: i32| (base + light + n).clamp(0, 255) as u8;
        [v(205), v(160), v(140), 255]
    })
}

fn dab(x: f32, y: f32, r: f32) -> Stroke {
    Stroke { id: 1, mode: BrushMode::Paint, radius_px: r, points: vec![Point::new(x, y)] }
}

#[test]
fn synthetic_patch_every_treatment_and_time_state() {
    let patch = skin_patch();
    let strokes = [dab(80.0, 80.0, 70.0)];
    let hairline = Hairline {
        points: vec![Point::new(0.0, 60.0), Point::new(80.0, 50.0), Point::new(160.0, 60.0)],
        feather_mm: 4.0,
        treated_side: HairlineSide::Right, // below the line
        breakup: 0.0,
    };
    let base = RenderParams { px_per_mm: 8.0, dot_diameter_mm: 0.45, density_per_cm2: 60.0, ..RenderParams::default() };
    let states: [(&str, TimeState); 6] = [
        ("s1", TimeState { sessions: 1, ..TimeState::default() }),
        ("s2", TimeState { sessions: 2, ..TimeState::default() }),
        ("healed", TimeState::default()),
        ("fresh", TimeState { fresh: true, ..TimeState::default() }),
        ("5y", TimeState { years: 5.0, ..TimeState::default() }),
        ("deep3y", TimeState { years: 3.0, too_deep: true, ..TimeState::default() }),
    ];
    for t in Treatment::ALL {
        for (label, time) in states {
            let mut pv = Preview::new(patch.clone(), patch.width, base.seed);
            let params = RenderParams { treatment: t, time, ..base };
            pv.render(&strokes, Some(&hairline), &params);
            check(&format!("patch-{}-{label}", format!("{t:?}").to_lowercase()), pv.output());
        }
    }
    // The lightest preset, for the shade.
    let mut pv = Preview::new(patch.clone(), patch.width, base.seed);
    pv.render(&strokes, None, &RenderParams { shade: SHADE_PRESETS[4].shade, ..base });
    check("patch-shavedlook-lightest", pv.output());
}

fn photo_case(file: &str, treatment: Treatment, stroke: &[(f32, f32)], radius: f32, px_per_mm: f32, crop: (u32, u32)) {
    let path = shared_photos().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} is needed (shared photos)", path.display()));
    let photo = decode_photo(&bytes, &DecodeLimits::default()).unwrap();
    let (w, h) = (photo.width as f32, photo.height as f32);
    let strokes = [Stroke {
        id: 1,
        mode: BrushMode::Paint,
        radius_px: radius * w,
        points: stroke.iter().map(|&(x, y)| Point::new(x * w, y * h)).collect(),
    }];
    let mut pv = Preview::new(photo.clone(), photo.width, RenderParams::default().seed);
    pv.render(&strokes, None, &RenderParams { treatment, px_per_mm, ..RenderParams::default() });
    // Keep a 1:1 crop of the treated area and the whole photo at a quarter size.
    let out = pv.output();
    let c = RgbaImage::from_fn(160, 160, |x, y| out.pixel(crop.0 + x, crop.1 + y));
    let name = file.split('_').next().unwrap();
    check(&format!("photo-{name}-crop"), &c);
    check(&format!("photo-{name}-small"), &downscale_area(out, photo.width / 4, photo.height / 4));
}

#[test]
fn shared_photos_top_view_and_scar() {
    photo_case(
        "hl22_top_L7_16-Top-Down.jpg",
        Treatment::ShavedLook,
        &[(0.3, 0.35), (0.7, 0.35), (0.7, 0.6), (0.3, 0.6), (0.5, 0.5)],
        0.12,
        3.5,
        (240, 240),
    );
    photo_case(
        "hl29_back_L6_22-Back.jpg",
        Treatment::ScarCamouflage,
        &[(0.544, 0.234), (0.531, 0.273), (0.522, 0.32), (0.519, 0.367), (0.525, 0.403), (0.541, 0.434)],
        0.014,
        3.0,
        (270, 120),
    );
}
