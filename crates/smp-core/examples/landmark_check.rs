//! Our face mesh on photos, for `scripts/face-model --check`.
//!
//! `cargo run --release -p smp-core --example landmark_check -- INPUTS_DIR PHOTO...`
//!
//! For each photo (decoded upright and downscaled to the app's ~2 MP working copy) and each face
//! the detector confirms (`face::find_faces`, front faces and profiles), writes the 192x192
//! model input (`landmarks::FaceRoi::sample`, rounded to 8 bits) to
//! `INPUTS_DIR/<name>.<k>.png` and prints, as a JSON list on stdout, our 468 points (input px)
//! and presence score on exactly that 8-bit input, so that MediaPipe can be run on the same
//! input; prints the model's and the crop's time per face (ms) on stderr.

use std::time::Instant;

use image::ImageEncoder;
use smp_core::landmarks::{run_on_input, shipped_model, FaceRoi, INPUT_SIDE};
use smp_core::resize::{downscale_area, working_size};
use smp_core::{decode_photo, DecodeLimits};

/// The app's working copy (src/engine.rs: at most 2 MP).
const WORKING_PIXELS: u64 = 2_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs_dir = std::path::PathBuf::from(args.next().expect("usage: landmark_check INPUTS_DIR PHOTO..."));
    let model = shipped_model().expect("the face-landmark model (feature embedded-landmark-model)");
    let (mut times_ms, mut crop_ms) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let full = decode_photo(&bytes, &DecodeLimits::default()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (w, h) = working_size(full.width, full.height, WORKING_PIXELS);
        let photo = downscale_area(&full, w, h);
        let name = path.rsplit('/').next().unwrap_or(&path);
        for (k, found) in smp_core::face::find_faces(&photo).iter().enumerate() {
            let Some(roi) = FaceRoi::from_face(&found.face) else { continue };
            let t = Instant::now();
            let sampled = roi.sample(&photo);
            crop_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let input: Vec<f32> = sampled.iter().map(|v| (v * 255.0).round() / 255.0).collect();
            let t = Instant::now();
            let mesh = run_on_input(model, &input).expect("the model runs");
            times_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let rgb: Vec<u8> = input.iter().map(|v| (v * 255.0).round() as u8).collect();
            let mut png = Vec::new();
            image::codecs::png::PngEncoder::new(&mut png)
                .write_image(&rgb, INPUT_SIDE as u32, INPUT_SIDE as u32, image::ExtendedColorType::Rgb8)
                .expect("png");
            let file = format!("{name}.{k}.png");
            std::fs::write(inputs_dir.join(&file), png).expect("write the model input");
            let points: Vec<String> = mesh.points.iter().map(|p| format!("[{:.4},{:.4}]", p.x, p.y)).collect();
            out.push(format!(
                "{{\"input\":\"{file}\",\"frontal\":{},\"presence\":{:.6},\"points\":[{}]}}",
                found.frontal,
                mesh.presence,
                points.join(",")
            ));
        }
    }
    println!("[{}]", out.join(",\n"));
    times_ms.sort_by(f64::total_cmp);
    crop_ms.sort_by(f64::total_cmp);
    if let (Some(median), Some(crop)) = (times_ms.get(times_ms.len() / 2), crop_ms.get(crop_ms.len() / 2)) {
        eprintln!(
            "face-landmark model, native: median {median:.1} ms per run, {crop:.1} ms per crop, over {} faces",
            times_ms.len()
        );
    }
}
