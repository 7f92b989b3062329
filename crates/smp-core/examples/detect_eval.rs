//! Measures detection.
//!
//! `cargo run --release -p smp-core --example detect_eval -- [SHARED_DIR] [OVERLAY_DIR]`
//!
//! 1. Mean IoU for hair and for skin over `SHARED/segmentation/fasseg-train` (hand-made masks:
//!    0 background, 1 skin, 2 hair). Detection's Face label counts as skin. Nothing is tuned or
//!    trained on these masks, and nothing derived from them is written anywhere: only the figures
//!    are printed (they are for research use only).
//! 2. For each photo in `SHARED/photos` (manifest.csv): the view found against the manifest's,
//!    the scale, the advice and the treatable area's share, and an overlay picture written to
//!    OVERLAY_DIR (if given) for judging by eye (docs/detection.md).
//!
//! Prints one JSON object on the last line with the summary figures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use image::ImageEncoder;
use smp_core::detect::{detect, Detection, Label, View};
use smp_core::resize::{downscale_area, working_size};
use smp_core::{decode_photo, DecodeLimits, RgbaImage};

fn load(path: &Path) -> RgbaImage {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_photo(&bytes, &DecodeLimits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn label_at_full(d: &Detection, x: u32, y: u32, w: u32, h: u32) -> Label {
    let gx = ((x as u64 * d.grid_width as u64) / w as u64) as u32;
    let gy = ((y as u64 * d.grid_height as u64) / h as u64) as u32;
    d.label_at(gx.min(d.grid_width - 1), gy.min(d.grid_height - 1))
}

fn fasseg(dir: &Path, research_overlays: Option<&Path>) -> Option<(f64, f64, usize)> {
    let images = dir.join("images");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&images).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    let (mut hair_sum, mut skin_sum, mut count) = (0f64, 0f64, 0usize);
    for path in names {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let mask_path = dir.join("masks").join(format!("{stem}.png"));
        let Ok(mask_bytes) = std::fs::read(&mask_path) else { continue };
        let mask = image::load_from_memory(&mask_bytes).expect("mask").to_luma8();
        let photo = load(&path);
        let (w, h) = (photo.width, photo.height);
        assert_eq!((w, h), mask.dimensions(), "{stem}");
        let d = detect(&photo, w, h);
        let mut inter = [0u64; 3];
        let mut union = [0u64; 3];
        for y in 0..h {
            for x in 0..w {
                let truth = mask.get_pixel(x, y)[0].min(2) as usize;
                let pred = match label_at_full(&d, x, y, w, h) {
                    Label::Background => 0,
                    Label::Skin | Label::Face => 1,
                    Label::Hair => 2,
                };
                for c in 1..3 {
                    let (t, p) = (truth == c, pred == c);
                    inter[c] += (t && p) as u64;
                    union[c] += (t || p) as u64;
                }
            }
        }
        let iou = |c: usize| if union[c] == 0 { 1.0 } else { inter[c] as f64 / union[c] as f64 };
        println!("fasseg {stem:60} skin {:.3} hair {:.3}", iou(1), iou(2));
        // Research only, outside the repository: for looking at failures, never committed.
        if let Some(o) = research_overlays {
            overlay(&photo, &d, &o.join(format!("{stem}.png")));
        }
        skin_sum += iou(1);
        hair_sum += iou(2);
        count += 1;
    }
    (count > 0).then(|| (hair_sum / count as f64, skin_sum / count as f64, count))
}

fn overlay(photo: &RgbaImage, d: &Detection, out: &Path) {
    let (w, h) = working_size(photo.width, photo.height, 256 * 256);
    let mut img = downscale_area(photo, w, h);
    let area = d.area.resample(w, h);
    for y in 0..h {
        for x in 0..w {
            let gx = (x * d.grid_width / w).min(d.grid_width - 1);
            let gy = (y * d.grid_height / h).min(d.grid_height - 1);
            let i = ((y * w + x) * 4) as usize;
            let tint: Option<[f32; 3]> = match d.label_at(gx, gy) {
                Label::Hair => Some([40.0, 90.0, 255.0]),
                Label::Face => Some([255.0, 220.0, 0.0]),
                Label::Background => Some([0.0, 0.0, 0.0]),
                Label::Skin => None,
            };
            let a = area.data[(y * w + x) as usize] as f32 / 255.0;
            for c in 0..3 {
                let mut v = img.data[i + c] as f32;
                if let Some(t) = tint {
                    v = 0.6 * v + 0.4 * t[c];
                }
                let red = [255.0, 30.0, 30.0][c];
                v = v * (1.0 - 0.45 * a) + red * 0.45 * a;
                img.data[i + c] = v as u8;
            }
        }
    }
    let s = w as f32 / d.area.full_width as f32;
    let mut dot = |p: smp_core::Point, col: [u8; 3], r: i32| {
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = ((p.x * s) as i32 + dx, (p.y * s) as i32 + dy);
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                    let i = ((y as u32 * w + x as u32) * 4) as usize;
                    img.data[i..i + 3].copy_from_slice(&col);
                }
            }
        }
    };
    if let Some(line) = &d.hairline {
        for p in smp_core::region::hairline_curve(&line.points, 24) {
            dot(p, [255, 255, 255], 1);
        }
    }
    if let Some(f) = &d.face {
        dot(f.left_eye, [0, 255, 0], 2);
        dot(f.right_eye, [0, 255, 0], 2);
        dot(f.brow_mid, [255, 0, 255], 2);
    }
    let rgb: Vec<u8> = img.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let file = std::fs::File::create(out).expect("overlay file");
    image::codecs::png::PngEncoder::new(std::io::BufWriter::new(file))
        .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .expect("png");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "../shared".into()));
    let overlays = args.get(2).map(PathBuf::from);
    if let Some(o) = &overlays {
        std::fs::create_dir_all(o).expect("overlay dir");
    }
    let research = std::env::var_os("FASSEG_OVERLAYS").map(PathBuf::from);
    if let Some(r) = &research {
        assert!(
            !r.starts_with(std::env::current_dir().expect("cwd")),
            "FASSEG overlays must stay outside the repository"
        );
        std::fs::create_dir_all(r).expect("research overlay dir");
    }
    let fas = fasseg(&shared.join("segmentation/fasseg-train"), research.as_deref());
    let manifest = std::fs::read_to_string(shared.join("photos/manifest.csv")).expect("manifest.csv");
    let (mut views_right, mut views_total, mut ms_total, mut n) = (0, 0, 0f64, 0);
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (file, view) = (cols[0], cols.get(3).copied().unwrap_or(""));
        let photo = load(&shared.join("photos").join(file));
        let t0 = Instant::now();
        let d = detect(&photo, photo.width, photo.height);
        ms_total += t0.elapsed().as_secs_f64() * 1e3;
        n += 1;
        let expected = match view {
            "front" => Some(View::Front),
            "left" | "right" => Some(View::Side),
            "back" => Some(View::Back),
            "top" => Some(View::Top),
            _ => None,
        };
        if let Some(e) = expected {
            views_total += 1;
            views_right += (d.view == Some(e)) as u32;
        }
        println!(
            "photo {file:40} manifest {view:6} found {:9} face {:5} scale {:>12} area {:5.1}% advice {:?}",
            d.view.map(|v| v.label()).unwrap_or("-"),
            d.face.is_some(),
            d.px_per_mm.map(|(p, _)| format!("{p:.2} px/mm")).unwrap_or("-".into()),
            100.0 * d.area.coverage(),
            d.advice
        );
        if let Some(o) = &overlays {
            let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            overlay(&photo, &d, &o.join(format!("{stem}.png")));
        }
    }
    let (hair, skin, count) = fas.unwrap_or((f64::NAN, f64::NAN, 0));
    println!(
        "{{\"fasseg_images\":{count},\"fasseg_mean_iou_hair\":{hair:.3},\"fasseg_mean_iou_skin\":{skin:.3},\"photos\":{n},\"views_right\":{views_right},\"views_total\":{views_total},\"native_ms_per_640px_photo\":{:.1}}}",
        ms_total / n.max(1) as f64
    );
}
