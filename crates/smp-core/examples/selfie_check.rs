//! Our person mask on photos, for `scripts/face-model --check`.
//!
//! `cargo run --release -p smp-core --example selfie_check -- INPUTS_DIR PHOTO...`
//!
//! For each photo (decoded upright, as the app does) writes the 256x256 model input
//! (`segment::model_input`: the photo stretched by area average) to `INPUTS_DIR/<name>.png` and
//! our person probability on it to `INPUTS_DIR/<name>.f32` (256 x 256 little-endian f32, rows top
//! to bottom), so that MediaPipe can be run on exactly the same input; prints the model's time
//! per photo (ms) on stderr.

use std::time::Instant;

use image::ImageEncoder;
use smp_core::segment::{mask_of_input, model_input, shipped_model};
use smp_core::{decode_photo, DecodeLimits};

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs_dir = std::path::PathBuf::from(args.next().expect("usage: selfie_check INPUTS_DIR PHOTO..."));
    let model = shipped_model().expect("the selfie model (feature embedded-selfie-model)");
    let mut times_ms = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let img = decode_photo(&bytes, &DecodeLimits::default()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let name = path.rsplit('/').next().unwrap_or(&path);
        let input = model_input(&img).expect("a non-empty photo");
        let t = Instant::now();
        let mask = mask_of_input(model, &input).expect("the model runs");
        times_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&input.data, input.width, input.height, image::ExtendedColorType::Rgba8)
            .expect("png");
        std::fs::write(inputs_dir.join(format!("{name}.png")), png).expect("write the model input");
        let raw: Vec<u8> = mask.probability.iter().flat_map(|p| p.to_le_bytes()).collect();
        std::fs::write(inputs_dir.join(format!("{name}.f32")), raw).expect("write the mask");
    }
    times_ms.sort_by(f64::total_cmp);
    if let Some(median) = times_ms.get(times_ms.len() / 2) {
        eprintln!("selfie model, native: median {median:.1} ms per run over {} photos", times_ms.len());
    }
}
