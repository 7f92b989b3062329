//! Prints the measured blur and grain of each shared photo (a check on `measure_look`).
//! Usage: cargo run -p smp-core --release --example photo_looks -- ../shared/photos
use smp_core::geometry::PixelRect;
use smp_core::photo_stats::measure_look;
use smp_core::{decode_photo, DecodeLimits};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/photos".into());
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("photo folder").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "png")) {
        let img = decode_photo(&std::fs::read(path).unwrap(), &DecodeLimits::default()).unwrap();
        let look = measure_look(&img, PixelRect::default());
        println!(
            "{:45} blur_sigma_px {:.2} noise {:.4}",
            path.file_name().unwrap().to_string_lossy(),
            look.blur_sigma_px,
            look.noise_linear
        );
    }
}
