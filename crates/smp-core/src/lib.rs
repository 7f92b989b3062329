//! `smp-core`: the image work of SMP Try-On, with no web dependency.
//!
//! Units are explicit everywhere:
//! - geometry edited by the user (brush strokes, hairline) lives in **full-image pixels**
//!   (`Point`), so the same edit renders the ~2 MP working preview and the full-resolution export;
//! - dots live in **millimetres** on the scalp (`placement`), converted with `px_per_mm`;
//! - pixels are sRGB `u8` RGBA, composited in **linear light** (`color`, `render`).
//!
//! Modules, in pipeline order: [`decode`] (bytes -> upright RGBA, limits, clear errors),
//! [`resize`] (working copy), [`region`] (painted area, hairline), [`placement`] (seeded
//! blue-noise dots), [`pigment`] (ash-toned shades), [`render`] (coverage + compositing).

pub mod color;
pub mod decode;
pub mod detect;
pub mod face;
pub mod geometry;
pub mod hairline_design;
pub mod landmarks;
pub mod nn;
pub mod photo_stats;
pub mod pigment;
pub mod placement;
pub mod region;
pub mod render;
pub mod resize;
pub mod rng;
pub mod segment;

pub use decode::{decode_photo, probe_photo, DecodeLimits, PhotoError, PhotoInfo};
pub use geometry::Point;
pub use pigment::{Shade, SHADE_PRESETS};
pub use region::{AreaMask, AreaSpec, BrushMode, Hairline, HairlineSide, Mask, Stroke};
pub use render::{
    render_full_resolution, render_full_resolution_over, FullResolution, Preview, RenderParams, TimeState, Treatment,
};

/// An RGBA8 image (sRGB, straight alpha), rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RgbaImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes.
    pub data: Vec<u8>,
}

impl RgbaImage {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, data: vec![0; width as usize * height as usize * 4] }
    }

    pub fn from_fn(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> [u8; 4]) -> Self {
        let mut img = Self::new(width, height);
        for y in 0..height {
            for x in 0..width {
                let i = (y as usize * width as usize + x as usize) * 4;
                img.data[i..i + 4].copy_from_slice(&f(x, y));
            }
        }
        img
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [self.data[i], self.data[i + 1], self.data[i + 2], self.data[i + 3]]
    }

    pub fn pixel_count(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// One of the shared test photos (`../shared/photos/<name>` beside the repository), decoded.
#[cfg(test)]
pub(crate) fn shared_photo(name: &str) -> RgbaImage {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/photos").join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        panic!("{} is missing: the tests read the shared photos", path.display());
    };
    decode_photo(&bytes, &DecodeLimits::default()).unwrap()
}
