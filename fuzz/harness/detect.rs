//! The detect checks, shared by the `detect` fuzz target and smp-core's fuzz regression test:
//! `smp_core::detect::detect` on any photo up to 96x96 (random bytes, flat colours, or a
//! synthetic head with a hair rim and eyes) and any full-resolution size. Besides "no panic":
//! the result is consistent (sizes, finite geometry and scale), and using it as the app does -
//! the area as the base under the strokes, the suggested hairline and scale - renders without
//! touching any pixel outside the area, in the preview and in the export.

use arbitrary::{Arbitrary, Unstructured};
use smp_core::detect::{detect, grid_size, Detection};
use smp_core::region::rasterize_area;
use smp_core::{render_full_resolution_over, Point, Preview, RenderParams, RgbaImage, Stroke};

#[derive(Arbitrary, Debug)]
pub enum Photo {
    Flat([u8; 3]),
    /// Pixels cycled from these bytes (RGB).
    Bytes(Vec<u8>),
    /// A head: a skin disc with a hair rim on a background, optionally two dark eyes and brows,
    /// with some grain.
    Head {
        skin: [u8; 3],
        hair: [u8; 3],
        background: [u8; 3],
        radius: u8,
        rim: u8,
        eyes: bool,
        grain: u8,
    },
}

#[derive(Arbitrary, Debug)]
pub enum FullSize {
    Same,
    Times(u8),
    Any(u32, u32),
}

#[derive(Arbitrary, Debug)]
pub struct Input {
    width: u8,
    height: u8,
    full: FullSize,
    photo: Photo,
}

fn make_photo(w: u32, h: u32, photo: &Photo) -> RgbaImage {
    match photo {
        Photo::Flat(c) => RgbaImage::from_fn(w, h, |_, _| [c[0], c[1], c[2], 255]),
        Photo::Bytes(b) if b.is_empty() => RgbaImage::from_fn(w, h, |_, _| [200, 160, 140, 255]),
        Photo::Bytes(b) => {
            let mut i = 0;
            RgbaImage::from_fn(w, h, |_, _| {
                let px = [b[i % b.len()], b[(i + 1) % b.len()], b[(i + 2) % b.len()], 255];
                i += 3;
                px
            })
        }
        Photo::Head { skin, hair, background, radius, rim, eyes, grain } => {
            let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
            let r = w.min(h) as f32 * (0.2 + 0.3 * *radius as f32 / 255.0);
            let rim = r * (0.05 + 0.4 * *rim as f32 / 255.0);
            let eye = |x: f32, y: f32| {
                let (ey, ex) = (cy + 0.1 * r, 0.35 * r);
                ((x - (cx - ex)).powi(2) + (y - ey).powi(2)).sqrt() < 0.08 * r + 0.5
                    || ((x - (cx + ex)).powi(2) + (y - ey).powi(2)).sqrt() < 0.08 * r + 0.5
                    || ((y - (ey - 0.18 * r)).abs() < 0.04 * r + 0.5 && ((x - cx).abs() - ex).abs() < 0.15 * r)
            };
            RgbaImage::from_fn(w, h, |x, y| {
                let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
                let d = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
                let c = if d > r {
                    *background
                } else if d > r - rim || (*eyes && eye(fx, fy)) {
                    *hair
                } else {
                    *skin
                };
                let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % (*grain as u32 + 1);
                let n = n as i32 - *grain as i32 / 2;
                let g = |v: u8| (v as i32 + n).clamp(0, 255) as u8;
                [g(c[0]), g(c[1]), g(c[2]), 255]
            })
        }
    }
}

fn check_detection(d: &Detection, w: u32, h: u32, full_width: u32, full_height: u32) {
    let (gw, gh) = grid_size(w, h);
    assert_eq!((d.grid_width, d.grid_height), (gw, gh));
    assert_eq!(d.labels.len(), gw as usize * gh as usize);
    let a = &d.area;
    assert_eq!((a.width, a.height, a.data.len()), (gw, gh, gw as usize * gh as usize));
    assert_eq!((a.full_width, a.full_height), (full_width, full_height));
    assert!((0.0..=1.0).contains(&a.coverage()));
    if let Some((px_per_mm, _)) = d.px_per_mm {
        assert!(px_per_mm.is_finite() && px_per_mm > 0.0, "scale {px_per_mm}");
    }
    if let Some(f) = &d.face {
        for p in [f.left_eye, f.right_eye, f.brow_mid, f.up] {
            assert!(p.is_finite(), "{f:?}");
        }
    }
    if let Some(line) = &d.hairline {
        assert!(line.points.iter().all(|p| p.is_finite()), "{line:?}");
        assert!(line.feather_mm.is_finite());
    }
    for a in &d.advice {
        assert!(!a.message().is_empty());
    }
    let _ = d.summary();
}

/// Run the detection these bytes describe (as `arbitrary` reads them); panics if an invariant
/// breaks. Returns `false` when the bytes describe no input.
pub fn check(data: &[u8]) -> bool {
    match Input::arbitrary_take_rest(Unstructured::new(data)) {
        Ok(input) => {
            run(&input);
            true
        }
        Err(_) => false,
    }
}

pub fn run(input: &Input) {
    let (w, h) = (input.width as u32 % 97, input.height as u32 % 97);
    let photo = make_photo(w, h, &input.photo);
    let (full_width, full_height) = match input.full {
        FullSize::Same => (w, h),
        FullSize::Times(k) => (w * (1 + k as u32 % 8), h * (1 + k as u32 % 8)),
        FullSize::Any(fw, fh) => (fw, fh),
    };
    let d = detect(&photo, full_width, full_height);
    check_detection(&d, w, h, full_width, full_height);

    // Use it as the app does: the area under a stroke, the suggested hairline and scale.
    let params = RenderParams { px_per_mm: d.px_per_mm.map_or(4.0, |(s, _)| s), ..RenderParams::default() };
    let stroke = Stroke {
        id: 1,
        mode: smp_core::BrushMode::Paint,
        radius_px: full_width as f32 / 8.0,
        points: vec![Point::new(full_width as f32 / 2.0, full_height as f32 / 2.0)],
    };
    let strokes = [stroke];
    let mut pv = Preview::new(photo.clone(), full_width, params.seed);
    pv.set_base(Some(&d.area));
    pv.render(&strokes, d.hairline.as_ref(), &params);
    outside_untouched(&photo, pv.output(), &pv.mask().data, "preview");
    let mut exported = photo.clone();
    render_full_resolution_over(&mut exported, Some(&d.area), &strokes, d.hairline.as_ref(), &params);
    let mask = rasterize_area(Some(&d.area), &strokes, w, h, 1.0);
    outside_untouched(&photo, &exported, &mask.data, "export");
}

fn outside_untouched(photo: &RgbaImage, out: &RgbaImage, mask: &[u8], what: &str) {
    assert_eq!(out.data.len(), photo.data.len());
    for (k, (a, b)) in photo.data.chunks_exact(4).zip(out.data.chunks_exact(4)).enumerate() {
        if mask[k] == 0 {
            assert_eq!(a, b, "{what}: pixel {k} outside the area changed");
        }
    }
}
