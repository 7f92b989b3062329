//! sRGB <-> linear light. Compositing happens in linear light (pigment multiplies the skin's
//! transmittance), so the photo's own lighting and texture stay.

use std::sync::OnceLock;

/// sRGB u8 -> linear f32 in 0..=1 (exact table).
pub fn srgb_to_linear_table() -> &'static [f32; 256] {
    static TABLE: OnceLock<[f32; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; 256];
        for (i, v) in t.iter_mut().enumerate() {
            *v = srgb_to_linear(i as f32 / 255.0);
        }
        t
    })
}

const LINEAR_TO_SRGB_STEPS: usize = 4096;

/// linear (quantised to 1/4095) -> sRGB u8. Fine enough: neighbouring entries differ by < 1 code
/// except in the darkest codes, where the table is indexed by the square root (see below).
fn linear_to_srgb_table() -> &'static [u8; LINEAR_TO_SRGB_STEPS] {
    static TABLE: OnceLock<[u8; LINEAR_TO_SRGB_STEPS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u8; LINEAR_TO_SRGB_STEPS];
        for (i, v) in t.iter_mut().enumerate() {
            // The index is sqrt(linear) so dark values get more resolution.
            let s = i as f32 / (LINEAR_TO_SRGB_STEPS - 1) as f32;
            *v = (linear_to_srgb(s * s) * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
        }
        t
    })
}

pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(l: f32) -> f32 {
    if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    }
}

/// Fast linear -> sRGB u8 through the table.
#[inline]
pub fn linear_to_srgb_u8(l: f32) -> u8 {
    let table = linear_to_srgb_table();
    let idx = (l.clamp(0.0, 1.0).sqrt() * (LINEAR_TO_SRGB_STEPS - 1) as f32 + 0.5) as usize;
    table[idx.min(LINEAR_TO_SRGB_STEPS - 1)]
}

/// Rec. 709 relative luminance of linear RGB.
pub fn luminance(r: f32, g: f32, b: f32) -> f32 {
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact_for_every_code() {
        let to_lin = srgb_to_linear_table();
        for c in 0..=255u8 {
            assert_eq!(linear_to_srgb_u8(to_lin[c as usize]), c, "code {c}");
        }
    }

    #[test]
    fn table_matches_formula() {
        assert!((srgb_to_linear_table()[128] - 0.2158605).abs() < 1e-5);
        assert_eq!(linear_to_srgb_u8(0.0), 0);
        assert_eq!(linear_to_srgb_u8(1.0), 255);
        assert_eq!(linear_to_srgb_u8(f32::NAN), 0);
    }
}
