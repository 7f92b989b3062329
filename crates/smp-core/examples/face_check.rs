//! Our face detector on photos, as JSON for `scripts/face-model --check`.
//!
//! `cargo run --release -p smp-core --example face_check -- INPUTS_DIR PHOTO...`
//!
//! Prints `[{"name", "width", "height", "ms", "front_ms", "front" (the face accepted as seen from
//! the front, or null), "letterbox": [origin_x, origin_y, kx, ky],
//! "faces": [{"score", "box": [x, y, w, h], "keypoints": [[x, y] x 6]}]}]` in the photo's
//! full-resolution px (the photo is decoded upright, as the app does; detection runs on the whole
//! photo letterboxed to 128x128), and writes each photo's 128x128 model input to
//! `INPUTS_DIR/<name>.png`, so the reference can be run on exactly the same input.

use std::time::Instant;

use image::ImageEncoder;
use smp_core::face::{detect_faces, find_front_face, letterbox, FaceBox};
use smp_core::{decode_photo, DecodeLimits};

fn face_json(f: &FaceBox) -> String {
    let kps: Vec<String> = f.keypoints.iter().map(|p| format!("[{:.3},{:.3}]", p.x, p.y)).collect();
    format!(
        "{{\"score\":{:.5},\"box\":[{:.3},{:.3},{:.3},{:.3}],\"keypoints\":[{}]}}",
        f.score,
        f.xmin,
        f.ymin,
        f.width,
        f.height,
        kps.join(",")
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs_dir = std::path::PathBuf::from(args.next().expect("usage: face_check INPUTS_DIR PHOTO..."));
    let mut rows = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let img = decode_photo(&bytes, &DecodeLimits::default()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let t = Instant::now();
        let faces = detect_faces(&img);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let front = find_front_face(&img);
        let front_ms = t.elapsed().as_secs_f64() * 1000.0;
        let front = front.as_ref().map(face_json).unwrap_or_else(|| "null".into());
        let name = path.rsplit('/').next().unwrap_or(&path);
        let (input, map) = letterbox(&img);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&input.data, input.width, input.height, image::ExtendedColorType::Rgba8)
            .expect("png");
        std::fs::write(inputs_dir.join(format!("{name}.png")), png).expect("write the model input");
        let faces: Vec<String> = faces.iter().map(face_json).collect();
        rows.push(format!(
            "{{\"name\":\"{name}\",\"width\":{},\"height\":{},\"ms\":{ms:.1},\"front_ms\":{front_ms:.1},\"front\":{front},\"letterbox\":[{},{},{},{}],\"faces\":[{}]}}",
            img.width,
            img.height,
            map.origin_x,
            map.origin_y,
            map.kx,
            map.ky,
            faces.join(",")
        ));
    }
    println!("[{}]", rows.join(",\n"));
}
