//! The seam between the UI and the image work: everything that touches pixels goes through
//! [`Engine`]. It is plain Rust over `smp-core` (no browser API), so it can move into a Web
//! Worker behind this same interface without touching the components.

use std::rc::Rc;

use smp_core::decode::{decode_photo, DecodeLimits, PhotoError};
use smp_core::detect::detect;
use smp_core::geometry::PixelRect;
use smp_core::resize::{downscale_area, working_size};
use smp_core::{render_full_resolution_over, Preview, RgbaImage};

use crate::state::{PhotoMeta, Prefill, State};

/// The working copy that drives the interaction has at most this many pixels.
pub const WORKING_PIXELS: u64 = 2_000_000;

pub struct Engine {
    pub meta: PhotoMeta,
    /// The file as chosen: the full-resolution photo is decoded again from it for export, so
    /// only the ~2 MP working copy stays decoded in memory.
    bytes: Rc<[u8]>,
    pub preview: Preview,
}

impl Engine {
    /// Decode a chosen file into a new engine. On error nothing else changes.
    pub fn open(id: u64, name: &str, bytes: Vec<u8>) -> Result<Engine, PhotoError> {
        let full = decode_photo(&bytes, &DecodeLimits::default())?;
        let (w, h) = working_size(full.width, full.height, WORKING_PIXELS);
        let working = downscale_area(&full, w, h);
        let meta = PhotoMeta {
            id,
            name: name.to_string(),
            full_width: full.width,
            full_height: full.height,
            work_width: w,
            work_height: h,
        };
        drop(full);
        let preview = Preview::new(working, meta.full_width, smp_core::RenderParams::default().seed);
        Ok(Engine { meta, bytes: bytes.into(), preview })
    }

    /// Find the head, the treatable scalp, the scale and the hairline on the working copy.
    pub fn detect(&self) -> Prefill {
        let d = detect(self.preview.original(), self.meta.full_width, self.meta.full_height);
        Prefill {
            photo_id: self.meta.id,
            area: (!d.area.is_empty()).then(|| Rc::new(d.area.clone())),
            hairline: d.hairline.clone(),
            px_per_mm: d.px_per_mm,
            view: d.view,
            summary: d.summary(),
            advice: d.advice,
        }
    }

    /// Render the working-size preview for the current state (into `preview.output()`).
    /// Returns the rectangle that may differ from the previous frame.
    pub fn render(&mut self, state: &State) -> PixelRect {
        self.preview.set_base(state.area.base.as_deref());
        let hairline = state.area.hairline.as_ref().filter(|_| state.params.treatment.uses_hairline());
        // While a stroke is being drawn only its surroundings are recomputed.
        self.preview.render_live(&state.area.strokes, hairline, &state.params, state.drag.is_some())
    }

    /// Render the result at the photo's full resolution.
    pub fn export(&self, state: &State) -> Result<RgbaImage, PhotoError> {
        let mut full = decode_photo(&self.bytes, &DecodeLimits::default())?;
        let hairline = state.area.hairline.as_ref().filter(|_| state.params.treatment.uses_hairline());
        render_full_resolution_over(
            &mut full,
            state.area.base.as_deref(),
            &state.area.strokes,
            hairline,
            &state.params,
        );
        Ok(full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Action;
    use smp_core::Point;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        use image::ImageEncoder;
        let rgb: Vec<u8> = (0..w * h).flat_map(|i| [200, 150 + (i % 7) as u8, 130]).collect();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn open_render_export_round_trip() {
        let mut engine = Engine::open(1, "p.jpg", jpeg(2000, 1500)).unwrap();
        assert_eq!((engine.meta.full_width, engine.meta.full_height), (2000, 1500));
        assert!(engine.meta.work_width as u64 * engine.meta.work_height as u64 <= WORKING_PIXELS);
        let state = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let state = state
            .apply(Action::PointerDown { at: Point::new(1000.0, 700.0), hit_px: 1.0 })
            .apply(Action::PointerMove(Point::new(1200.0, 700.0)))
            .apply(Action::PointerUp);
        let original = engine.preview.original().clone();
        assert!(!engine.render(&state).is_empty());
        assert_ne!(engine.preview.output(), &original);
        let full = engine.export(&state).unwrap();
        assert_eq!((full.width, full.height), (2000, 1500));
    }

    #[test]
    fn undo_in_the_middle_of_a_drag_and_a_new_photo_mid_drag_stay_consistent() {
        let mut engine = Engine::open(1, "p.jpg", jpeg(800, 600)).unwrap();
        let original = engine.preview.original().clone();
        let s = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let mut s = s.apply(Action::PointerDown { at: Point::new(300.0, 300.0), hit_px: 1.0 });
        for i in 0..10 {
            s = s.apply(Action::PointerMove(Point::new(300.0 + i as f32 * 20.0, 300.0)));
            engine.render(&s);
        }
        // Ctrl+Z while still dragging: the stroke goes, the photo comes back exactly.
        let s = s.apply(Action::Undo);
        assert!(s.drag.is_none() && s.area.strokes.is_empty());
        engine.render(&s);
        assert_eq!(engine.preview.output(), &original);
        // Moves after the undo do nothing; a new stroke renders as usual.
        let s = s.apply(Action::PointerMove(Point::new(10.0, 10.0)));
        engine.render(&s);
        assert_eq!(engine.preview.output(), &original);
    }

    #[test]
    fn the_detected_area_renders_in_the_preview_and_the_export() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/photos/hl22_top_L7_16-Top-Down.jpg");
        let bytes = std::fs::read(&path).expect("the tests read ../shared/photos");
        let mut engine = Engine::open(1, "hl22.jpg", bytes).unwrap();
        let prefill = engine.detect();
        assert!(prefill.area.is_some(), "{prefill:?}");
        let state = State::default().apply(Action::PhotoOpened(engine.meta.clone())).apply(Action::Prefill(prefill));
        let original = engine.preview.original().clone();
        assert!(!engine.render(&state).is_empty());
        let changed = (0..original.data.len())
            .step_by(4)
            .filter(|&i| engine.preview.output().data[i..i + 3] != original.data[i..i + 3])
            .count();
        assert!(changed > original.pixel_count() / 20, "{changed}");
        // The corner (floor) stays the photo.
        assert_eq!(engine.preview.output().data[..4], original.data[..4]);
        let full = engine.export(&state).unwrap();
        let changed_full =
            (0..full.data.len()).step_by(4).filter(|&i| full.data[i..i + 3] != original.data[i..i + 3]).count();
        assert!(changed_full > full.pixel_count() / 20);
        // Clearing the area restores the photo.
        let cleared = state.apply(Action::ClearArea);
        engine.render(&cleared);
        assert_eq!(engine.preview.output(), &original);
    }

    #[test]
    fn a_bad_file_is_an_error_not_a_panic() {
        assert!(Engine::open(1, "x.jpg", b"not a photo at all".to_vec()).is_err());
    }
}
