//! Detection time per stage, native.
//!
//! `cargo run --release -p smp-core --example detect_timing -- [SHARED_DIR] [RUNS] [DUMP_FILE]`
//!
//! Each of the shared photos (`SHARED/photos`, manifest order) is stretched to a 2 MP working
//! copy (the page's [`WORKING_PIXELS`]: what the worker hands to `detect`), then timed `RUNS`
//! times (default 5; the fastest run counts, as the machine may be busy with other work): the whole of `detect`, and the public stages it is made
//! of: the grid downscale, the person mask on the grid (selfie model), the face detector on the
//! grid plus its confirming look on the photo (BlazeFace twice), and the models' first parse.
//! What is left (features, the mixture models, the labelling, regions, advice) is the total
//! minus those. With DUMP_FILE, every photo's full `Detection` is written there (`{:?}`), for
//! checking that a speed change leaves the results the same (diff two dumps).
//!
//! Prints one JSON object on the last line: the best times per stage, averaged over the
//! photos, ms.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use smp_core::detect::{detect, grid_size};
use smp_core::resize::{downscale_area, upscale_bilinear};
use smp_core::{decode_photo, DecodeLimits, RgbaImage};

/// The page's working-copy budget (src/engine.rs `WORKING_PIXELS`).
const WORKING_PIXELS: f64 = 2_000_000.0;

/// `photo` stretched (bilinear) or shrunk (area average) to about 2 MP, aspect kept.
fn two_megapixels(photo: &RgbaImage) -> RgbaImage {
    let s = (WORKING_PIXELS / (photo.width as f64 * photo.height as f64)).sqrt();
    let (w, h) = (((photo.width as f64 * s) as u32).max(1), ((photo.height as f64 * s) as u32).max(1));
    if s <= 1.0 {
        return downscale_area(photo, w, h);
    }
    upscale_bilinear(photo, w, h)
}

/// The fastest of `runs` runs (the machine may be shared: the minimum is the least disturbed).
fn best_ms(mut f: impl FnMut(), runs: usize) -> f64 {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[0]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let shared = PathBuf::from(args.next().unwrap_or_else(|| "../shared".into()));
    let runs: usize = args.next().map_or(5, |r| r.parse().expect("RUNS: a number")).max(1);
    let dump = args.next().map(PathBuf::from);
    // The models' first use parses them (the page's first detection pays this).
    let t = Instant::now();
    let have_models = smp_core::face::shipped_model().is_some() && smp_core::segment::shipped_model().is_some();
    let parse_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(have_models, "the embedded models (default features)");
    let manifest = std::fs::read_to_string(shared.join("photos/manifest.csv")).expect("photos/manifest.csv");
    let names: Vec<&str> =
        manifest.lines().skip(1).filter_map(|l| l.split(',').next()).filter(|n| !n.is_empty()).collect();
    let stages = ["detect", "grid", "person_mask", "face", "rest"];
    let mut sums = [0f64; 5];
    let mut text = String::new();
    for name in &names {
        let bytes = std::fs::read(shared.join("photos").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let photo = two_megapixels(&decode_photo(&bytes, &DecodeLimits::default()).expect("decodes"));
        let (gw, gh) = grid_size(photo.width, photo.height);
        let grid = downscale_area(&photo, gw, gh);
        let total = best_ms(|| drop(std::hint::black_box(detect(&photo, photo.width, photo.height))), runs);
        let grid_ms = best_ms(|| drop(std::hint::black_box(downscale_area(&photo, gw, gh))), runs);
        let person_ms = best_ms(|| drop(std::hint::black_box(smp_core::segment::person_mask(&grid))), runs);
        let face_ms = best_ms(|| drop(std::hint::black_box(smp_core::face::find_faces_from(&photo, &grid))), runs);
        let rest = total - grid_ms - person_ms - face_ms;
        let row = [total, grid_ms, person_ms, face_ms, rest];
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
        eprintln!(
            "{name:42} {}x{}: detect {total:6.1} ms (grid {grid_ms:4.1}, person mask {person_ms:5.1}, face {face_ms:5.1}, rest {rest:5.1})",
            photo.width, photo.height
        );
        if dump.is_some() {
            let _ = writeln!(text, "{name}: {:?}", detect(&photo, photo.width, photo.height));
        }
    }
    if let Some(path) = dump {
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let n = names.len().max(1) as f64;
    let per_photo: Vec<String> = stages.iter().zip(sums).map(|(s, v)| format!("\"{s}\": {:.1}", v / n)).collect();
    println!(
        "{{\"photos\": {}, \"runs\": {runs}, \"model_parse_ms\": {parse_ms:.1}, \"mean_ms\": {{{}}}}}",
        names.len(),
        per_photo.join(", ")
    );
}
