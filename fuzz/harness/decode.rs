//! The decode checks, shared by the `decode` fuzz target and smp-core's fuzz regression test:
//! any bytes -> `decode_photo` / `probe_photo`, with the app's limits and with small ones. They
//! return `Ok` or `Err`, never panic, and what they return is consistent.

use smp_core::decode::{decode_photo, probe_photo, DecodeLimits};

/// Small limits: a tiny allocation budget and a 256x256 pixel cap, no minimum side.
pub const SMALL: DecodeLimits =
    DecodeLimits { max_file_bytes: 64 * 1024, max_pixels: 256 * 256, min_side: 1, max_alloc_bytes: 4 << 20 };

/// Decode `data` with the default and the small limits; panics if an invariant breaks.
/// Returns whether it decoded with the default limits.
pub fn check(data: &[u8]) -> bool {
    check_with(data, &SMALL);
    check_with(data, &DecodeLimits::default())
}

pub fn check_with(data: &[u8], limits: &DecodeLimits) -> bool {
    let probed = probe_photo(data, limits);
    match decode_photo(data, limits) {
        Ok(img) => {
            let (w, h) = (img.width, img.height);
            assert_eq!(img.data.len(), w as usize * h as usize * 4);
            assert!(w >= limits.min_side && h >= limits.min_side, "{w}x{h} under the minimum side");
            assert!(w as u64 * h as u64 <= limits.max_pixels, "{w}x{h} over the pixel limit");
            assert!(img.data.chunks_exact(4).all(|p| p[3] == 255), "alpha is flattened");
            // The header and the decoded pixels agree on the upright size.
            let info = probed.expect("a photo that decodes also probes");
            assert_eq!((info.width, info.height), (w, h));
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}
