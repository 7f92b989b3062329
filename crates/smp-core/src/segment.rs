//! A learned person mask: MediaPipe's selfie segmentation (general, 256x256) run by [`crate::nn`].
//!
//! The model (`models/selfie.bin`, 218 KB of fp16 weights; embedded with the default feature
//! `embedded-selfie-model`, or handed over with [`install_model`]) is converted by
//! `scripts/face-model` from `selfie_segmentation.tflite` in the PyPI wheel `mediapipe==0.10.14`
//! (Apache-2.0, see `models/NOTICE`). MediaPipe's `selfie_segmentation_cpu` graph stretches the
//! image to 256x256 (aspect not kept), feeds RGB in [0, 1], and takes the network's output (a
//! sigmoid already) as the person probability per px; so do we, except that the stretch here is
//! an area average (MediaPipe samples bilinearly), which is the better input for a photo many
//! times the model's size.
//!
//! It was trained on selfies and video calls: a face with hair and shoulders. On close-ups of a
//! scalp seen from above or behind it may call the whole frame person, or nothing; detection
//! ([`crate::detect`]) checks for that and then ignores the mask.

use crate::nn::Model;
use crate::resize::{downscale_area, upscale_bilinear};
use crate::RgbaImage;

/// The model's input side, px (the output is the same size).
pub const INPUT_SIDE: usize = 256;

crate::nn::model_slot!("embedded-selfie-model", "selfie.bin", parse_model);

/// Parses a selfie-segmentation weight file ([`Model::parse`]) and checks it is one: a
/// 256x256x3 input and a 256x256x1 output.
pub fn parse_model(bytes: &[u8]) -> Result<Model, String> {
    Model::parse_expecting(bytes, [INPUT_SIDE, INPUT_SIDE, 3], &[[INPUT_SIDE, INPUT_SIDE, 1]])
}

/// The model: the one given to [`install_model`], else the embedded one (parsed once); None in
/// a build without embedded weights before `install_model`.
pub fn shipped_model() -> Option<&'static Model> {
    SLOT.get()
}

/// The person probability of a photo on the model's 256x256 grid, which is the photo stretched
/// (grid px (x, y) covers photo px x·w/256..(x+1)·w/256, likewise in y).
#[derive(Clone, Debug, PartialEq)]
pub struct PersonMask {
    /// 256 x 256 values in 0..1, rows top to bottom.
    pub probability: Vec<f32>,
}

impl PersonMask {
    /// The probability at a position given as fractions of the photo's width and height (0..1;
    /// bilinear between grid px centres, clamped at the edges). 0 for non-finite positions.
    pub fn at(&self, fx: f32, fy: f32) -> f32 {
        if !(fx.is_finite() && fy.is_finite()) {
            return 0.0;
        }
        let n = INPUT_SIDE as f32;
        let (sx, sy) = ((fx * n - 0.5).clamp(0.0, n - 1.0), (fy * n - 0.5).clamp(0.0, n - 1.0));
        let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(INPUT_SIDE - 1), (y0 + 1).min(INPUT_SIDE - 1));
        let (ax, ay) = (sx - x0 as f32, sy - y0 as f32);
        let p = |x: usize, y: usize| self.probability[y * INPUT_SIDE + x];
        let top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * ax;
        let bottom = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * ax;
        top + (bottom - top) * ay
    }

    /// The share of the grid with a probability above 0.5.
    pub fn person_share(&self) -> f32 {
        self.probability.iter().filter(|&&p| p > 0.5).count() as f32 / self.probability.len() as f32
    }
}

/// The model's input for `photo`: stretched to 256x256 by area average (a side shorter than 256
/// px is first stretched bilinearly to 256). None for an empty photo.
pub fn model_input(photo: &RgbaImage) -> Option<RgbaImage> {
    if photo.width == 0 || photo.height == 0 || photo.data.len() != photo.width as usize * photo.height as usize * 4 {
        return None;
    }
    let side = INPUT_SIDE as u32;
    let (w, h) = (photo.width.max(side), photo.height.max(side));
    if (w, h) == (photo.width, photo.height) {
        return Some(downscale_area(photo, side, side));
    }
    // Bilinear between px centres (clamped at the edges) up to w x h, then the area average.
    let larger = upscale_bilinear(photo, w, h);
    Some(downscale_area(&larger, side, side))
}

/// The person probability for a 256x256 model input; None if `input` is not 256x256 or the
/// model cannot be loaded.
pub fn mask_of_input(model: &Model, input: &RgbaImage) -> Option<PersonMask> {
    if (input.width, input.height) != (INPUT_SIDE as u32, INPUT_SIDE as u32)
        || input.data.len() != INPUT_SIDE * INPUT_SIDE * 4
    {
        return None;
    }
    let tensor: Vec<f32> =
        input.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]].map(|v| v as f32 / 255.0)).collect();
    let mut outputs = model.run(&tensor)?;
    let probability = outputs.pop()?;
    (probability.len() == INPUT_SIDE * INPUT_SIDE).then_some(PersonMask { probability })
}

/// The person mask of `photo` (any size). None when the photo is empty or the model is not
/// loaded (the page's worker before the weights arrive, a build without them).
pub fn person_mask(photo: &RgbaImage) -> Option<PersonMask> {
    let model = shipped_model()?;
    mask_of_input(model, &model_input(photo)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MediaPipe 0.10.14's mask (`mediapipe.solutions.selfie_segmentation`, model_selection=0;
    /// `scripts/face-model.py selfie-reference`) of our 256x256 input for the shared photo neg01
    /// (a studio portrait), at a few px (x, y, probability): background corners, the face, the
    /// a background corner, the face, and px on the person's outline (hair, shoulders), where the
    /// probability is between 0 and 1 and most sensitive to any error.
    const REFERENCE: [(usize, usize, f32); 8] = [
        (8, 8, 2.478_508e-24),
        (128, 100, 1.0),
        (115, 6, 0.060_112_32),
        (6, 131, 0.103_101),
        (14, 167, 0.456_831_84),
        (4, 197, 0.436_667_5),
        (120, 237, 0.906_088_2),
        (255, 255, 0.503_721),
    ];

    #[test]
    fn matches_mediapipe_on_a_portrait() {
        let photo = crate::shared_photo("neg01_front_portrait_astronaut.png");
        let mask = person_mask(&photo).expect("the shipped selfie model runs");
        for (x, y, p) in REFERENCE {
            let ours = mask.probability[y * INPUT_SIDE + x];
            assert!((ours - p).abs() < 1e-4, "({x}, {y}): ours {ours}, MediaPipe {p}");
        }
        // A portrait: about half the frame is the person (MediaPipe: 0.545 above 0.5).
        assert!((0.5..0.6).contains(&mask.person_share()), "{}", mask.person_share());
    }

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped_model().expect("the shipped selfie model parses");
        assert_eq!(m.op_count(), 136);
    }

    #[test]
    fn damaged_model_files_are_refused_not_panicked_on() {
        assert!(parse_model(b"").is_err());
        for cut in [9, 100, 1000, WEIGHTS.len() / 2, WEIGHTS.len() - 1] {
            assert!(parse_model(&WEIGHTS[..cut]).is_err(), "cut at {cut}");
        }
        // The face model is a valid op list but not a selfie model.
        assert!(parse_model(include_bytes!("../models/blazeface.bin")).is_err());
    }

    #[test]
    fn a_picture_without_a_person_gets_a_low_mask() {
        // A flat grey wall and a smooth colour ramp: no person.
        for img in [
            RgbaImage::from_fn(320, 240, |_, _| [128, 128, 128, 255]),
            RgbaImage::from_fn(300, 300, |x, y| [(x % 256) as u8, (y % 256) as u8, 90, 255]),
        ] {
            let mask = person_mask(&img).unwrap();
            assert!(mask.person_share() < 0.02, "{}", mask.person_share());
        }
    }

    #[test]
    fn degenerate_sizes_do_not_panic() {
        assert!(person_mask(&RgbaImage::new(0, 0)).is_none());
        for (w, h) in [(1, 1), (1, 500), (700, 2), (256, 256)] {
            let img = RgbaImage::from_fn(w, h, |x, _| [(x % 256) as u8, 40, 30, 255]);
            let mask = person_mask(&img).unwrap();
            assert!(mask.probability.iter().all(|p| (0.0..=1.0).contains(p)));
        }
        let model = shipped_model().unwrap();
        assert!(mask_of_input(model, &RgbaImage::new(128, 128)).is_none());
        assert!(model.run(&[0.5; 7]).is_none());
        let mask = PersonMask { probability: vec![0.25; INPUT_SIDE * INPUT_SIDE] };
        assert_eq!(mask.at(f32::NAN, 0.5), 0.0);
        assert_eq!(mask.at(-3.0, 7.0), 0.25);
    }
}
