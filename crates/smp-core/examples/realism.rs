//! Before/after pictures for docs/realism.md, from the shared photos, at phone-screen size and at
//! 1:1 crops, plus a 1:1 crop of a 12 MP render. Run by `scripts/realism`.
//! Usage: cargo run -p smp-core --release --example realism -- <photos dir> <out dir>

use std::path::{Path, PathBuf};

use image::ImageEncoder;
use smp_core::geometry::Point;
use smp_core::region::{Hairline, HairlineSide};
use smp_core::resize::{downscale_area, working_size};
use smp_core::{
    decode_photo, render_full_resolution, BrushMode, DecodeLimits, RenderParams, RgbaImage, Stroke, TimeState,
    Treatment, SHADE_PRESETS,
};

/// One case: a photo, its area (a brush path in 0..1 photo coordinates with a radius relative
/// to the width), an optional hairline, the scale and the treatment.
struct Case {
    name: &'static str,
    file: &'static str,
    treatment: Treatment,
    path: &'static [(f32, f32)],
    radius: f32,
    hairline: Option<&'static [(f32, f32)]>,
    px_per_mm: f32,
    shade: usize,
    /// Centre of the 1:1 crop, 0..1.
    crop: (f32, f32),
    /// Take the area as a dome seen from above (top views painted to the head's outline).
    follow_curve: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "front-light-skin",
        file: "hl03_front_L6_15-Front.jpg",
        treatment: Treatment::ShavedLook,
        path: &[(0.22, 0.08), (0.78, 0.08), (0.78, 0.2), (0.22, 0.2), (0.5, 0.14)],
        radius: 0.1,
        hairline: Some(&[(0.15, 0.3), (0.32, 0.25), (0.5, 0.235), (0.68, 0.25), (0.85, 0.3)]),
        px_per_mm: 2.6,
        shade: 2,
        crop: (0.5, 0.17),
        follow_curve: false,
    },
    Case {
        name: "front-dark-skin-density",
        file: "hl06_front_L4_37-Front.jpg",
        treatment: Treatment::Density,
        path: &[(0.16, 0.2), (0.84, 0.2), (0.82, 0.3), (0.18, 0.3), (0.5, 0.25)],
        radius: 0.1,
        hairline: Some(&[(0.12, 0.4), (0.3, 0.36), (0.5, 0.35), (0.7, 0.36), (0.88, 0.4)]),
        px_per_mm: 2.8,
        shade: 0,
        crop: (0.5, 0.25),
        follow_curve: false,
    },
    Case {
        name: "side-light-skin",
        file: "hl10_left_L7_15-Left.jpg",
        treatment: Treatment::ShavedLook,
        path: &[(0.12, 0.12), (0.7, 0.1), (0.72, 0.35), (0.15, 0.38), (0.4, 0.25)],
        radius: 0.1,
        hairline: None,
        px_per_mm: 3.2,
        shade: 1,
        crop: (0.45, 0.25),
        follow_curve: false,
    },
    Case {
        name: "side-dark-skin",
        file: "hl11_left_L6_16-Left.jpg",
        treatment: Treatment::ShavedLook,
        path: &[(0.32, 0.12), (0.78, 0.12), (0.8, 0.3), (0.35, 0.32), (0.55, 0.2)],
        radius: 0.08,
        hairline: None,
        px_per_mm: 3.2,
        shade: 0,
        crop: (0.55, 0.22),
        follow_curve: false,
    },
    Case {
        name: "back",
        file: "hl18_back_L7_5-Back.jpg",
        treatment: Treatment::ShavedLook,
        path: &[(0.3, 0.15), (0.7, 0.15), (0.72, 0.45), (0.3, 0.45), (0.5, 0.3)],
        radius: 0.1,
        hairline: None,
        px_per_mm: 3.0,
        shade: 1,
        crop: (0.5, 0.3),
        follow_curve: false,
    },
    Case {
        name: "top-light-skin",
        file: "hl21_top_L5_13-Top-Down.jpg",
        treatment: Treatment::ShavedLook,
        path: &[(0.35, 0.25), (0.65, 0.25), (0.68, 0.7), (0.35, 0.7), (0.5, 0.45)],
        radius: 0.12,
        hairline: None,
        px_per_mm: 3.5,
        shade: 2,
        crop: (0.5, 0.45),
        follow_curve: false,
    },
    Case {
        name: "top-dark-skin",
        file: "hl24_top_L6_19-Top-Down.jpg",
        treatment: Treatment::ShavedLook,
        // Painted to the head's outline, following its curve.
        path: &[
            (0.3, 0.22),
            (0.7, 0.22),
            (0.74, 0.5),
            (0.68, 0.76),
            (0.32, 0.76),
            (0.26, 0.5),
            (0.3, 0.22),
            (0.5, 0.5),
        ],
        radius: 0.17,
        hairline: None,
        px_per_mm: 3.5,
        shade: 0,
        crop: (0.2, 0.5),
        follow_curve: true,
    },
    Case {
        name: "scar",
        file: "hl29_back_L6_22-Back.jpg",
        treatment: Treatment::ScarCamouflage,
        path: &[(0.544, 0.234), (0.531, 0.273), (0.522, 0.32), (0.519, 0.367), (0.525, 0.403), (0.541, 0.434)],
        radius: 0.014,
        hairline: None,
        px_per_mm: 3.0,
        shade: 1,
        crop: (0.53, 0.33),
        follow_curve: false,
    },
];

fn save(path: &Path, img: &RgbaImage) {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&img.data, img.width, img.height, image::ExtendedColorType::Rgba8)
        .unwrap();
    std::fs::write(path, out).unwrap();
    println!("wrote {}", path.display());
}

fn side_by_side(a: &RgbaImage, b: &RgbaImage) -> RgbaImage {
    let gap = 6;
    RgbaImage::from_fn(a.width * 2 + gap, a.height, |x, y| {
        if x < a.width {
            a.pixel(x, y)
        } else if x < a.width + gap {
            [255, 255, 255, 255]
        } else {
            b.pixel(x - a.width - gap, y)
        }
    })
}

fn crop(img: &RgbaImage, centre: (f32, f32), size: u32) -> RgbaImage {
    let cx = ((centre.0 * img.width as f32) as u32).clamp(size / 2, img.width - size / 2);
    let cy = ((centre.1 * img.height as f32) as u32).clamp(size / 2, img.height - size / 2);
    RgbaImage::from_fn(size, size, |x, y| img.pixel(cx - size / 2 + x, cy - size / 2 + y))
}

fn upscale(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    // Bilinear, to make a large photo that is as soft as an upscaled phone photo.
    RgbaImage::from_fn(w, h, |x, y| {
        let fx = ((x as f32 + 0.5) * img.width as f32 / w as f32 - 0.5).clamp(0.0, img.width as f32 - 1.001);
        let fy = ((y as f32 + 0.5) * img.height as f32 / h as f32 - 0.5).clamp(0.0, img.height as f32 - 1.001);
        let (x0, y0) = (fx as u32, fy as u32);
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let p = |x, y| img.pixel(x, y);
        let (a, b, c, d) = (p(x0, y0), p(x0 + 1, y0), p(x0, y0 + 1), p(x0 + 1, y0 + 1));
        std::array::from_fn(|k| {
            let top = a[k] as f32 * (1.0 - tx) + b[k] as f32 * tx;
            let bottom = c[k] as f32 * (1.0 - tx) + d[k] as f32 * tx;
            (top * (1.0 - ty) + bottom * ty).round() as u8
        })
    })
}

fn render_case(case: &Case, photo: &RgbaImage, scale: f32, time: TimeState) -> RgbaImage {
    let (w, h) = (photo.width as f32, photo.height as f32);
    let strokes = [Stroke {
        id: 1,
        mode: BrushMode::Paint,
        radius_px: case.radius * w,
        points: case.path.iter().map(|&(x, y)| Point::new(x * w, y * h)).collect(),
    }];
    let hairline = case.hairline.map(|pts| Hairline {
        points: pts.iter().map(|&(x, y)| Point::new(x * w, y * h)).collect(),
        feather_mm: 6.0,
        treated_side: HairlineSide::Left,
        breakup: 0.0,
    });
    let params = RenderParams {
        treatment: case.treatment,
        shade: SHADE_PRESETS[case.shade].shade,
        px_per_mm: case.px_per_mm * scale,
        time,
        follow_curve: case.follow_curve,
        ..RenderParams::default()
    };
    let mut out = photo.clone();
    render_full_resolution(&mut out, &strokes, hairline.as_ref(), &params);
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let photos = PathBuf::from(args.next().unwrap_or_else(|| "../shared/photos".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "docs/realism".into()));
    std::fs::create_dir_all(&out).unwrap();
    for case in CASES {
        let photo = decode_photo(&std::fs::read(photos.join(case.file)).unwrap(), &DecodeLimits::default()).unwrap();
        let after = render_case(case, &photo, 1.0, TimeState::default());
        let (w, h) = (photo.width as f32, photo.height as f32);
        let area = [Stroke {
            id: 1,
            mode: BrushMode::Paint,
            radius_px: case.radius * w,
            points: case.path.iter().map(|&(x, y)| Point::new(x * w, y * h)).collect(),
        }];
        let mask = smp_core::region::rasterize_strokes(&area, photo.width, photo.height, 1.0);
        if let Some(s) = smp_core::photo_stats::suggest_shade(&photo, &mask, (5.0 * case.px_per_mm) as u32, 0.6, None) {
            println!("{}: suggested {} ({})", case.name, SHADE_PRESETS[s.preset].name, s.reason);
        }
        // Phone-screen size: 360 px wide per picture.
        let (pw, ph) = working_size(photo.width, photo.height, 360 * 360);
        save(
            &out.join(format!("{}-phone.png", case.name)),
            &side_by_side(&downscale_area(&photo, pw, ph), &downscale_area(&after, pw, ph)),
        );
        save(
            &out.join(format!("{}-1to1.png", case.name)),
            &side_by_side(&crop(&photo, case.crop, 220), &crop(&after, case.crop, 220)),
        );
    }
    // Time states on one photo, 1:1 crops side by side.
    let case = &CASES[4];
    let photo = decode_photo(&std::fs::read(photos.join(case.file)).unwrap(), &DecodeLimits::default()).unwrap();
    let states = [
        TimeState { sessions: 1, ..TimeState::default() },
        TimeState { sessions: 3, fresh: true, ..TimeState::default() },
        TimeState::default(),
        TimeState { years: 4.0, ..TimeState::default() },
        TimeState { years: 4.0, too_deep: true, ..TimeState::default() },
    ];
    let crops: Vec<RgbaImage> =
        states.iter().map(|&t| crop(&render_case(case, &photo, 1.0, t), case.crop, 160)).collect();
    let strip = RgbaImage::from_fn(160 * 5 + 4 * 6, 160, |x, y| {
        let (i, rx) = ((x / 166) as usize, x % 166);
        if rx >= 160 {
            [255, 255, 255, 255]
        } else {
            crops[i].pixel(rx, y)
        }
    });
    save(&out.join("time-states-1to1.png"), &strip);
    // 12 MP: the top-down photo upscaled to 4000 x 3000, rendered at full resolution; 1:1 crop.
    let case = &CASES[6];
    let photo = decode_photo(&std::fs::read(photos.join(case.file)).unwrap(), &DecodeLimits::default()).unwrap();
    let big = upscale(&photo, 4000, 3000);
    let after = render_case(case, &big, 4000.0 / photo.width as f32, TimeState::default());
    save(
        &out.join("top-dark-skin-12mp-1to1.png"),
        &side_by_side(&crop(&big, case.crop, 400), &crop(&after, case.crop, 400)),
    );
}
