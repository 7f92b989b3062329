//! What `decode_photo` makes of each file given: its upright size or the user-facing message.
//! `cargo run -p smp-core --example decode_files -- FILE...`
use smp_core::decode::{decode_photo, DecodeLimits};

fn main() {
    for path in std::env::args().skip(1) {
        let outcome = match std::fs::read(&path) {
            Err(e) => format!("unreadable: {e}"),
            Ok(bytes) => match decode_photo(&bytes, &DecodeLimits::default()) {
                Ok(img) => {
                    let p = img.pixel(img.width / 4, img.height / 4);
                    format!("{} x {}, pixel at (1/4, 1/4) = {:?}", img.width, img.height, &p[..3])
                }
                Err(e) => format!("refused ({e:?}): {e}"),
            },
        };
        println!("{path}: {outcome}");
    }
}
