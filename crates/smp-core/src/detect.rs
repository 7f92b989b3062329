//! Automatic detection: from a photo, what an artist would otherwise mark by hand.
//!
//! Classical and per photo (with learned parts: face detector, face mesh, person mask): the photo is reduced to a
//! small grid ([`GRID_MAX_SIDE`] px on its longer side) and each grid pixel gets a colour (CIE Lab)
//! and a texture feature. Seeds for skin (skin-like chroma, smooth), background (the image border) and
//! hair (dark, grey or textured next to the skin) train one Gaussian mixture per class; pixels are
//! labelled by likelihood with a Potts smoothness term (iterated conditional modes), the models
//! are refitted from the labels and the labelling repeated (GrabCut without the graph cut). The
//! head is the connected hair + skin region holding the skin seed.
//!
//! On that labelling:
//! - **face**: first the learned face detector ([`crate::face`], MediaPipe's BlazeFace): a face
//!   seen from the front gets MediaPipe's face mesh ([`crate::landmarks`], 468 points); when the
//!   mesh is trusted it gives the eyes, the brows' line, the brows (labelled hair) and the face
//!   zone (its outline from the brows down, feathered), else the detector's eye keypoints give the
//!   eyes (brows found in the photo above them, else 0.3 eye distances up) and its box the face
//!   zone; a zone is never treated. A profile gives a face zone only (the box).
//!   Without one: dark holes inside the skin that pair up as eyes (and brows above them);
//! - **scale**: eye distance (63 mm between pupils) when a face is found, else the head's width
//!   (~155 mm);
//! - **view**: front (a face, or skin at the bottom edge running into the top of the head: a
//!   forehead), side (a profile), top (the head ends above the bottom edge), back (a neck or
//!   hair at the bottom);
//! - **treatable area**: scalp skin that is not face (in front views above the suggested
//!   hairline), plus thinning zones where skin shows between hairs;
//! - **hairline** (front views): the mid-frontal point 80 mm above the brows (70 aggressive,
//!   100 conservative), temple points lower and wider;
//! - **colours and advice**: hair colour and skin tone; light hair worn long, no hair loss, or no
//!   head at all get an honest note instead of dots.

use serde::{Deserialize, Serialize};

use crate::color::{luminance, srgb_to_linear_table};
use crate::geometry::Point;
use crate::region::{AreaMask, Hairline, HairlineSide};
use crate::resize::downscale_area;
use crate::RgbaImage;

/// Detection runs on a grid with at most this many pixels on its longer side.
pub const GRID_MAX_SIDE: u32 = 256;
/// Typical adult distance between the pupils, mm.
pub const EYE_DISTANCE_MM: f32 = 63.0;
/// Typical adult head width above the ears, mm.
pub const HEAD_WIDTH_MM: f32 = 155.0;
/// The artists' rule: the mid-frontal point of the hairline above the brows, mm.
pub const HAIRLINE_ABOVE_BROWS_MM: f32 = 80.0;
pub const HAIRLINE_AGGRESSIVE_MM: f32 = 70.0;
pub const HAIRLINE_CONSERVATIVE_MM: f32 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Label {
    #[default]
    Background = 0,
    Skin = 1,
    Hair = 2,
    /// Skin of the face (front views: below the hairline).
    Face = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    Front,
    Side,
    Back,
    Top,
}

impl View {
    pub fn label(self) -> &'static str {
        match self {
            View::Front => "front",
            View::Side => "side",
            View::Back => "back",
            View::Top => "top-down",
        }
    }
}

/// What the eyes and brows tell, in full-image px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    pub left_eye: Point,
    pub right_eye: Point,
    /// The brows' top line at the face's mid-line.
    pub brow_mid: Point,
    /// Unit vector from the brows toward the top of the head (image coordinates).
    pub up: Point,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScaleSource {
    EyeDistance,
    HeadWidth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Advice {
    /// Nothing in the photo looks like a head.
    NoHead,
    /// Hair covers the scalp: SMP is not needed (or only for density the user marks).
    NoHairLoss,
    /// Blonde or light hair worn long: pigment dots would show against it.
    LightLongHair,
}

impl Advice {
    pub fn message(self) -> &'static str {
        match self {
            Advice::NoHead => {
                "We could not find a head in this photo. Please choose a photo of your head (front, side, back or top), \
                 or mark the area yourself with the brush."
            }
            Advice::NoHairLoss => {
                "We found no hair loss in this photo: hair covers the scalp, so SMP is usually not needed. \
                 You can still mark an area with the brush to see density added."
            }
            Advice::LightLongHair => {
                "Your hair looks light (blonde or grey) and worn long. SMP is usually not advised then: the dots are \
                 ash-dark and show through light hair. Ask an artist, or try the preview with short hair."
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The grid size (labels and masks below are on it).
    pub grid_width: u32,
    pub grid_height: u32,
    /// Per grid pixel, row-major.
    pub labels: Vec<Label>,
    pub view: Option<View>,
    pub face: Option<Face>,
    /// The treatable scalp (soft, on the grid, covering the full image).
    pub area: AreaMask,
    /// A suggested hairline in full-image px (front views with a face).
    pub hairline: Option<Hairline>,
    /// Full-image px per mm and how it was found.
    pub px_per_mm: Option<(f32, ScaleSource)>,
    /// Mean sRGB colour of the hair and of the scalp skin, when found.
    pub hair_rgb: Option<[u8; 3]>,
    pub skin_rgb: Option<[u8; 3]>,
    /// The colour of the hair the dots must match ([`hair_colour_near`]): the hair next to the
    /// marked area; `None` when too little hair is there (then `hair_rgb` is the better guess).
    pub hair_near_area_rgb: Option<[u8; 3]>,
    pub advice: Vec<Advice>,
}

impl Detection {
    pub fn label_at(&self, x: u32, y: u32) -> Label {
        self.labels[(y * self.grid_width + x) as usize]
    }

    /// A one-line summary for the user.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.view {
            parts.push(format!("{} view", v.label()));
        }
        if self.face.is_some() {
            parts.push("face found".into());
        }
        match self.px_per_mm {
            Some((_, ScaleSource::EyeDistance)) => parts.push("scale from the eyes".into()),
            // Side views measure the head front to back (its length), the others across.
            Some((_, ScaleSource::HeadWidth)) if self.view == Some(View::Side) => {
                parts.push("scale from the head's length".into())
            }
            Some((_, ScaleSource::HeadWidth)) => parts.push("scale from the head's width".into()),
            None => {}
        }
        parts.join(", ")
    }
}

/// One grid pixel's features: CIE L*a*b* and local texture.
#[derive(Clone, Copy, Debug, Default)]
struct Feat {
    l: f32,
    a: f32,
    b: f32,
    tex: f32,
}

impl Feat {
    fn chroma(&self) -> f32 {
        (self.a * self.a + self.b * self.b).sqrt()
    }
    fn hue_deg(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }
    fn vec(&self) -> [f32; 4] {
        [self.l, self.a, self.b, self.tex]
    }
}

pub(crate) fn lab_from_linear(r: f32, g: f32, b: f32) -> [f32; 3] {
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.9505;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.089;
    let f = |t: f32| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// Box mean over a (2r+1)² window via a summed-area table.
fn box_mean(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut sat = vec![0f64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0f64;
        for x in 0..w {
            row += src[y * w + x] as f64;
            sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let s = sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1] - sat[y1 * (w + 1) + x0] + sat[y0 * (w + 1) + x0];
            out[y * w + x] = (s / ((x1 - x0) * (y1 - y0)) as f64) as f32;
        }
    }
    out
}

/// The value at rank `k` of `v` in ascending `total_cmp` order (`v` sorted, `v[k]`), found by
/// selection (`v` is reordered). Panics if `k >= v.len()`, as indexing the sorted `v` would.
fn nth_smallest(v: &mut [f32], k: usize) -> f32 {
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

fn features(grid: &RgbaImage) -> Vec<Feat> {
    let lut = srgb_to_linear_table();
    let (w, h) = (grid.width as usize, grid.height as usize);
    let mut feats: Vec<Feat> = grid
        .data
        .chunks_exact(4)
        .map(|p| {
            let [l, a, b] = lab_from_linear(lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]);
            Feat { l, a, b, tex: 0.0 }
        })
        .collect();
    // Texture: the mean absolute high-pass of L* around each pixel (hair strands are busy, skin
    // and most backgrounds are smooth at this scale).
    let l: Vec<f32> = feats.iter().map(|f| f.l).collect();
    let smooth = box_mean(&l, w, h, 1);
    let hp: Vec<f32> = l.iter().zip(&smooth).map(|(a, b)| (a - b).abs()).collect();
    let tex = box_mean(&hp, w, h, 2);
    for (f, t) in feats.iter_mut().zip(tex) {
        f.tex = t;
    }
    feats
}

/// How skin-like a colour is, 0..1, from hue and chroma (works across skin tones: skin is
/// orange-red in a*b*, from pale to dark; grey, white and black hair have little chroma).
fn skin_prior(f: &Feat) -> f32 {
    let c = f.chroma();
    let hue = f.hue_deg();
    if !(f.l > 12.0 && f.l < 97.0) {
        return 0.0;
    }
    let hue_ok = 1.0 - ((hue - 48.0).abs() / 42.0).clamp(0.0, 1.0);
    let chroma_ok = ((c - 6.0) / 10.0).clamp(0.0, 1.0) * (1.0 - ((c - 42.0) / 18.0).clamp(0.0, 1.0));
    hue_ok.sqrt() * chroma_ok
}

/// `m.max(v)` for a running maximum `m` that is never NaN, as a compare and select (in wasm
/// `f32::max` is a call to libm's `fmaxf`); a NaN `v` is skipped, as `f32::max` does.
#[inline(always)]
fn max_of(m: f32, v: f32) -> f32 {
    if v > m {
        v
    } else {
        m
    }
}

/// `x.round()` (halves away from zero) for `x >= 0`, without wasm's libm call (`roundf`): the
/// fraction `x - x.trunc()` is exact. A negative `x` gives the same `as u8` (0) as `round`.
#[inline]
fn round_nonneg(x: f32) -> f32 {
    let whole = x.trunc();
    if x - whole >= 0.5 {
        whole + 1.0
    } else {
        whole
    }
}

/// A diagonal Gaussian mixture over the 4 features.
#[derive(Clone, Debug)]
struct Gmm {
    weights: Vec<f32>,
    means: Vec<[f32; 4]>,
    vars: Vec<[f32; 4]>,
}

const MIN_VAR: [f32; 4] = [9.0, 4.0, 4.0, 0.25];

impl Gmm {
    /// Fit `k` components to the samples (k-means++-like deterministic init, a few EM steps).
    fn fit(samples: &[[f32; 4]], k: usize) -> Option<Gmm> {
        if samples.len() < 8 {
            return None;
        }
        let k = k.min(samples.len() / 4).max(1);
        // Init: spread over the L* order (deterministic; ties in the sample order). Only k ranks
        // of that order are needed: selected, not sorted.
        let mut order: Vec<usize> = (0..samples.len()).collect();
        let by_l = |a: &usize, b: &usize| samples[*a][0].total_cmp(&samples[*b][0]).then(a.cmp(b));
        let mut means: Vec<[f32; 4]> = (0..k)
            .map(|i| samples[*order.select_nth_unstable_by((2 * i + 1) * samples.len() / (2 * k), by_l).1])
            .collect();
        let mut vars = vec![[100.0, 50.0, 50.0, 4.0]; k];
        let mut weights = vec![1.0 / k as f32; k];
        let step = (samples.len() / 6000).max(1);
        // The samples EM uses, widened to f64 once (exact), and their responsibilities per
        // component (k per sample).
        let used: Vec<[f64; 4]> = samples.iter().step_by(step).map(|s| s.map(|v| v as f64)).collect();
        let mut resp_all = vec![0f32; used.len() * k];
        for _ in 0..6 {
            let mut acc_w = vec![0f64; k];
            let mut acc_m = vec![[0f64; 4]; k];
            let mut acc_v = vec![[0f64; 4]; k];
            let g = Gmm { weights: weights.clone(), means: means.clone(), vars: vars.clone() }.evaluator();
            for (s, resp) in samples.iter().step_by(step).zip(resp_all.chunks_exact_mut(k)) {
                let mut total = 0f32;
                for (r, part) in resp.iter_mut().zip(&g.parts) {
                    *r = GmmEval::part_log(part, s);
                }
                let best = resp.iter().fold(f32::NEG_INFINITY, |m, &r| max_of(m, r));
                for r in resp.iter_mut() {
                    // exp(0) is 1, and below -110 exp is 0 in f32 (e^-110 < 2^-149): both exact.
                    let d = *r - best;
                    *r = if d == 0.0 {
                        1.0
                    } else if d < -110.0 {
                        0.0
                    } else {
                        d.exp()
                    };
                    total += *r;
                }
                for r in resp.iter_mut() {
                    *r /= total;
                }
            }
            // The weighted sums, one component at a time (each sum runs over the samples in
            // order, as one pass over samples and components would add them).
            for j in 0..k {
                let (mut w, mut m, mut v) = (0f64, [0f64; 4], [0f64; 4]);
                for (s, resp) in used.iter().zip(resp_all.chunks_exact(k)) {
                    if resp[j] == 0.0 {
                        // Adds nothing (the sums start at +0 and never become -0).
                        continue;
                    }
                    let r = resp[j] as f64;
                    w += r;
                    for d in 0..4 {
                        m[d] += r * s[d];
                        v[d] += r * s[d] * s[d];
                    }
                }
                (acc_w[j], acc_m[j], acc_v[j]) = (w, m, v);
            }
            let n: f64 = acc_w.iter().sum();
            for j in 0..k {
                if acc_w[j] < 1e-6 {
                    continue;
                }
                weights[j] = (acc_w[j] / n) as f32;
                for d in 0..4 {
                    let m = acc_m[j][d] / acc_w[j];
                    means[j][d] = m as f32;
                    vars[j][d] = ((acc_v[j][d] / acc_w[j] - m * m) as f32).max(MIN_VAR[d]);
                }
            }
        }
        Some(Gmm { weights, means, vars })
    }

    /// The same mixture with its constants precomputed, for evaluating every grid pixel.
    fn evaluator(&self) -> GmmEval {
        GmmEval {
            parts: (0..self.weights.len())
                .map(|j| {
                    let log_norm =
                        self.weights[j].max(1e-6).ln() - 0.5 * self.vars[j].iter().map(|v| v.ln()).sum::<f32>();
                    (log_norm, self.means[j], self.vars[j].map(|v| 0.5 / v))
                })
                .collect(),
        }
    }
}

struct GmmEval {
    /// Per component: log(weight) - ½ Σ log(var), mean, ½ / var.
    parts: Vec<(f32, [f32; 4], [f32; 4])>,
}

impl GmmEval {
    fn part_log((log_norm, mean, half_inv): &(f32, [f32; 4], [f32; 4]), s: &[f32; 4]) -> f32 {
        let mut e = *log_norm;
        for d in 0..4 {
            let diff = s[d] - mean[d];
            e -= diff * diff * half_inv[d];
        }
        e
    }

    /// Per px, the log-likelihood of the best component (GrabCut's hard assignment: no exp/ln
    /// per pixel, and within log(k) of the mixture's), the features given as four columns (L*,
    /// a*, b*, texture): one component at a time over all px (4 px per vector with wasm SIMD).
    fn log_likelihoods(&self, columns: &[Vec<f32>; 4]) -> Vec<f32> {
        let [l, a, b, t] = columns;
        let mut best = vec![f32::NEG_INFINITY; l.len()];
        for (log_norm, mean, half_inv) in &self.parts {
            for ((((best, &l), &a), &b), &t) in best.iter_mut().zip(l).zip(a).zip(b).zip(t) {
                let mut e = *log_norm;
                for (d, s) in [l, a, b, t].into_iter().enumerate() {
                    let diff = s - mean[d];
                    e -= diff * diff * half_inv[d];
                }
                *best = max_of(*best, e);
            }
        }
        best
    }
}

/// Calls `f` with the index of each 4-neighbour of pixel `i` inside a `w x h` grid.
#[inline]
fn neighbours4(i: usize, w: usize, h: usize, mut f: impl FnMut(usize)) {
    let (x, y) = (i % w, i / w);
    if x > 0 {
        f(i - 1);
    }
    if x + 1 < w {
        f(i + 1);
    }
    if y > 0 {
        f(i - w);
    }
    if y + 1 < h {
        f(i + w);
    }
}

/// Connected components (4-neighbourhood) of `on`; returns a component id per pixel (0 = off)
/// and the pixel count per id (index 0 unused).
fn components(on: &[bool], w: usize, h: usize) -> (Vec<u32>, Vec<usize>) {
    let mut id = vec![0u32; w * h];
    let mut sizes = vec![0usize];
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !on[start] || id[start] != 0 {
            continue;
        }
        let c = sizes.len() as u32;
        sizes.push(0);
        id[start] = c;
        stack.push(start);
        while let Some(i) = stack.pop() {
            sizes[c as usize] += 1;
            neighbours4(i, w, h, |j| {
                if on[j] && id[j] == 0 {
                    id[j] = c;
                    stack.push(j);
                }
            });
        }
    }
    (id, sizes)
}

/// Dilate (grow) a binary mask by `r` px (square), via the box mean.
fn dilate(on: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let f: Vec<f32> = on.iter().map(|&b| b as u8 as f32).collect();
    box_mean(&f, w, h, r).into_iter().map(|v| v > 1e-6).collect()
}

fn erode(on: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let f: Vec<f32> = on.iter().map(|&b| b as u8 as f32).collect();
    box_mean(&f, w, h, r).into_iter().map(|v| v > 1.0 - 1e-6).collect()
}

/// Whether a grid px (row-major index) lies in the photo's border ring, 1/40 of its shorter side
/// wide (at least 2 px): where the background usually shows.
fn border_ring(w: usize, h: usize) -> impl Fn(usize) -> bool {
    let ring = (w.min(h) / 40).max(2);
    move |i: usize| {
        let (x, y) = (i % w, i / w);
        x < ring || y < ring || x + ring >= w || y + ring >= h
    }
}

/// The learned person mask ([`crate::segment`]) on the detection grid: the person probability per
/// grid px, or None when there is no model or the mask cannot be trusted on this photo: it calls
/// (almost) the whole frame person or (almost) nothing. (On the 26 shared photos, close-ups of
/// scalps included, it covers the head well: 52-98 % of the frame; clothes count as person.)
/// `image`: the grid itself (its ≤ 256 px are enough for the model's 256x256 input, and cheaper
/// to stretch than the working copy), or any copy of the photo.
fn person_on_grid(image: &RgbaImage, w: usize, h: usize) -> Option<Vec<f32>> {
    let mask = crate::segment::person_mask(image)?;
    let share = mask.person_share();
    if !(PERSON_SHARE_MIN..=PERSON_SHARE_MAX).contains(&share) {
        if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            eprintln!("person mask: {share:.3} of the frame, not used");
        }
        return None;
    }
    Some((0..w * h).map(|i| mask.at(((i % w) as f32 + 0.5) / w as f32, ((i / w) as f32 + 0.5) / h as f32)).collect())
}

/// The person mask is used when it calls between these shares of the frame person.
const PERSON_SHARE_MIN: f32 = 0.03;
const PERSON_SHARE_MAX: f32 = 0.99;
/// The mask is ignored when the skin seed's mean person probability is below this (it missed
/// the head the colours found).
const PERSON_SEED_MIN: f32 = 0.5;
/// Weights of the person prior in the labelling, per unit of the mask's log-odds (clamped at
/// ±6): against hair and skin where the mask says background, for hair and skin (against
/// background) where it says person, above the neck only (clothes are person, not hair).
const PERSON_AGAINST_HEAD: f32 = 1.0;
const PERSON_FOR_HEAD: f32 = 0.5;

/// Label the grid: background / skin / hair (the head only; everything else background).
/// `person`: the learned person probability per grid px ([`person_on_grid`]), if any.
fn segment(feats: &[Feat], w: usize, h: usize, person: Option<&[f32]>) -> Option<Vec<Label>> {
    let n = w * h;
    let prior: Vec<f32> = feats.iter().map(skin_prior).collect();
    let tex_ref = {
        let mut t: Vec<f32> = feats.iter().map(|f| f.tex).collect();
        let middle = t.len() / 2;
        nth_smallest(&mut t, middle).max(0.5)
    };
    // Skin seed: the largest smooth, clearly skin-coloured region.
    let skin_like: Vec<bool> = (0..n).map(|i| prior[i] > 0.5 && feats[i].tex < 2.5 * tex_ref).collect();
    let skin_like = erode(&skin_like, w, h, 1);
    let (ids, sizes) = components(&skin_like, w, h);
    // The skin seed: the biggest skin-like region, favouring the upper and central part of the
    // photo (a head is rarely at the bottom edge; an orange garment often is), and what the
    // person mask calls person (an orange brick wall is skin-coloured and smooth too).
    let mut weight = vec![0f32; sizes.len()];
    for (i, &c) in ids.iter().enumerate() {
        if c != 0 {
            let (x, y) = ((i % w) as f32 / w as f32, (i / w) as f32 / h as f32);
            let person_here = person.map_or(1.0, |p| 0.05 + p[i]);
            weight[c as usize] += (1.0 - 0.8 * y) * (1.0 - (x - 0.5).abs()) * person_here;
        }
    }
    let mut biggest = (1..sizes.len()).max_by(|&a, &b| weight[a].total_cmp(&weight[b])).unwrap_or(0);
    let (ids, sizes) = if sizes[biggest] >= n / 100 {
        (ids, sizes)
    } else {
        // Desaturated or colour-cast photos: the smooth, lighter-than-median middle of the photo.
        let mut ls: Vec<f32> = feats.iter().map(|f| f.l).collect();
        let median_l = nth_smallest(&mut ls, n / 2);
        let central: Vec<bool> = (0..n)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let f = &feats[i];
                let warm = f.chroma() >= 3.0 && (-10.0..110.0).contains(&f.hue_deg());
                x > w / 5
                    && x < w * 4 / 5
                    && y > h / 6
                    && y < h * 4 / 5
                    && f.tex < 1.5 * tex_ref
                    && f.l > median_l
                    && f.chroma() < 40.0
                    && warm
            })
            .collect();
        // Smooth: below the median texture first; if that is too small too, up to 1.5 times it
        // (a scalp filling the photo sets the median texture itself).
        let smooth: Vec<bool> = (0..n).map(|i| central[i] && feats[i].tex < tex_ref).collect();
        let (mut ids, mut sizes) = components(&erode(&smooth, w, h, 1), w, h);
        biggest = (1..sizes.len()).max_by_key(|&c| sizes[c]).unwrap_or(0);
        if sizes[biggest] < n / 100 {
            (ids, sizes) = components(&erode(&central, w, h, 1), w, h);
            biggest = (1..sizes.len()).max_by_key(|&c| sizes[c]).unwrap_or(0);
        }
        (ids, sizes)
    };
    if sizes[biggest] < n / 100 {
        if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            eprintln!("segment: skin seed too small: {} of {n}", sizes[biggest]);
        }
        return None;
    }
    let skin_seed: Vec<bool> = ids.iter().map(|&c| c as usize == biggest).collect();
    // The person mask, if it agrees with the skin seed (else this photo fools one of them, and
    // the labelling is today's colour-only one).
    let person = person.filter(|p| {
        let (sum, count) = (0..n).filter(|&i| skin_seed[i]).fold((0f32, 0usize), |(s, c), i| (s + p[i], c + 1));
        let agrees = count > 0 && sum / count as f32 >= PERSON_SEED_MIN;
        if !agrees && std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            eprintln!("person mask: the skin seed's mean probability {:.2}, not used", sum / count.max(1) as f32);
        }
        agrees
    });
    // The neck line: the skin seed's lowest row plus a margin; below it the mask's "person" may
    // be clothes, so it does not speak for hair or skin there.
    let neck_row = (0..n).filter(|&i| skin_seed[i]).map(|i| i / w).max().unwrap_or(h) + h / 20;
    let person_at = |i: usize| person.map(|p| p[i]);
    // The mask's log-odds at a px (0 without a mask).
    let person_logit = |i: usize| {
        person_at(i).map_or(0.0, |p| {
            let p = p.clamp(1e-3, 1.0 - 1e-3);
            (p / (1.0 - p)).ln().clamp(-6.0, 6.0)
        })
    };
    // Background seed: the image border ring, unless skin-like or (above the neck) person; and
    // with a mask, whatever it calls clearly background.
    let border = border_ring(w, h);
    let near_skin = dilate(&skin_seed, w, h, (w.min(h) / 10).max(3));
    let bg_seed: Vec<bool> = (0..n)
        .map(|i| {
            let person_here = person_at(i).is_some_and(|p| p > 0.5 && i / w < neck_row);
            (border(i) && !skin_seed[i] && prior[i] < 0.5 && !person_here)
                || person_at(i).is_some_and(|p| p < 0.05 && !skin_seed[i])
        })
        .collect();
    // Hair seed: next to the skin (or, with a mask, person above the neck), not skin-coloured,
    // and dark, grey or busy.
    let hair_seed: Vec<bool> = (0..n)
        .map(|i| {
            let f = &feats[i];
            let person_head = person_at(i).is_some_and(|p| p > 0.8 && i / w < neck_row);
            (near_skin[i] || person_head)
                && !skin_seed[i]
                && !bg_seed[i]
                && prior[i] < 0.35
                && (f.l < 35.0 || f.tex > 1.8 * tex_ref || (f.chroma() < 10.0 && f.l > 45.0 && f.tex > 1.2 * tex_ref))
        })
        .collect();
    let collect = |seed: &[bool]| -> Vec<[f32; 4]> { (0..n).filter(|&i| seed[i]).map(|i| feats[i].vec()).collect() };
    let skin_model = Gmm::fit(&collect(&skin_seed), 3)?;
    let bg_model = Gmm::fit(&collect(&bg_seed), 4);
    let hair_model = Gmm::fit(&collect(&hair_seed), 3);
    let mut models: [Option<Gmm>; 3] = [bg_model, Some(skin_model), hair_model];
    let mut labels = vec![Label::Background; n];
    // The same in both rounds: the mask's log-odds and the border ring per px.
    let logit: Vec<f32> = (0..n).map(person_logit).collect();
    let on_border: Vec<bool> = (0..n).map(&border).collect();
    let tex_scale = tex_ref.max(1.5);
    // The features as four columns (L*, a*, b*, texture) for the log-likelihoods.
    let columns: [Vec<f32>; 4] = std::array::from_fn(|d| feats.iter().map(|f| f.vec()[d]).collect());
    for round in 0..2 {
        // Each class's log-likelihood per px (None without a model).
        let lls: Vec<Option<Vec<f32>>> =
            models.iter().map(|m| m.as_ref().map(|m| m.evaluator().log_likelihoods(&columns))).collect();
        let unary: Vec<[f32; 3]> = (0..n)
            .map(|i| {
                let mut u = [f32::INFINITY; 3];
                for (c, ll) in lls.iter().enumerate() {
                    if let Some(ll) = ll {
                        u[c] = -ll[i];
                    }
                }
                // The skin colour prior sharpens skin vs. skin-like backgrounds and hair.
                u[1] -= 4.0 * (prior[i] - 0.3);
                // Hair is busy or dark: smooth, mid-to-light pixels are unlikely hair.
                let f = &feats[i];
                if f.l > 35.0 {
                    u[2] += 4.0 * max_of(0.0, 1.0 - f.tex / tex_scale);
                }
                // The border leans to background, the centre to the head.
                if on_border[i] {
                    u[0] -= 1.0;
                }
                // The learned person mask: strongly against hair and skin where it sees
                // background, for them above the neck where it sees a person.
                let s = logit[i];
                // (max_of(0, x): x.max(0.0) without wasm's libm call.)
                u[1] += PERSON_AGAINST_HEAD * max_of(0.0, -s);
                u[2] += PERSON_AGAINST_HEAD * max_of(0.0, -s);
                if i / w < neck_row {
                    u[0] += PERSON_FOR_HEAD * max_of(0.0, s);
                }
                u
            })
            .collect();
        labels = icm(&unary, w, h, 1.2, 4);
        if round == 0 {
            for (c, label) in [Label::Background, Label::Skin, Label::Hair].into_iter().enumerate() {
                let s: Vec<[f32; 4]> = (0..n).filter(|&i| labels[i] == label).map(|i| feats[i].vec()).collect();
                if let Some(m) = Gmm::fit(&s, if c == 0 { 4 } else { 3 }) {
                    models[c] = Some(m);
                }
            }
        }
    }
    // The head: the hair + skin component holding most of the skin seed.
    let head: Vec<bool> = labels.iter().map(|&l| l != Label::Background).collect();
    let (hid, hsizes) = components(&head, w, h);
    let mut votes = vec![0usize; hsizes.len()];
    for i in 0..n {
        if skin_seed[i] {
            votes[hid[i] as usize] += 1;
        }
    }
    let keep = (1..hsizes.len()).max_by_key(|&c| votes[c])?;
    for i in 0..n {
        if hid[i] as usize != keep {
            labels[i] = Label::Background;
        }
    }
    fill_smooth_holes(&mut labels, feats, w, h, tex_ref);
    if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
        let count = |l: Label| labels.iter().filter(|&&x| x == l).count();
        eprintln!(
            "segment: seed skin {} bg {} hair {}; labels skin {} hair {} bg {}",
            skin_seed.iter().filter(|&&b| b).count(),
            bg_seed.iter().filter(|&&b| b).count(),
            hair_seed.iter().filter(|&&b| b).count(),
            count(Label::Skin),
            count(Label::Hair),
            count(Label::Background)
        );
    }
    Some(labels)
}

/// Regions enclosed by skin that are smooth and not darker than the skin (shine, freckles,
/// a reflection) are skin; dark or busy ones (eyes, hair tufts) keep their label.
fn fill_smooth_holes(labels: &mut [Label], feats: &[Feat], w: usize, h: usize, tex_ref: f32) {
    let n = w * h;
    let not_skin: Vec<bool> = labels.iter().map(|&l| l != Label::Skin).collect();
    let (ids, sizes) = components(&not_skin, w, h);
    let mut touches_border = vec![false; sizes.len()];
    let mut sum_l = vec![0f32; sizes.len()];
    let mut sum_t = vec![0f32; sizes.len()];
    for i in 0..n {
        let c = ids[i] as usize;
        if c == 0 {
            continue;
        }
        let (x, y) = (i % w, i / w);
        if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
            touches_border[c] = true;
        }
        sum_l[c] += feats[i].l;
        sum_t[c] += feats[i].tex;
    }
    let skin_l: Vec<f32> = (0..n).filter(|&i| labels[i] == Label::Skin).map(|i| feats[i].l).collect();
    if skin_l.is_empty() {
        return;
    }
    let skin_mean = skin_l.iter().sum::<f32>() / skin_l.len() as f32;
    for i in 0..n {
        let c = ids[i] as usize;
        if c == 0 || touches_border[c] {
            continue;
        }
        let s = sizes[c] as f32;
        if sum_l[c] / s > skin_mean - 8.0 && sum_t[c] / s < 1.6 * tex_ref {
            labels[i] = Label::Skin;
        }
    }
    // Shine reaching the head's outline: a "hair" region that is as smooth as skin, at least as
    // light, and grey (shine takes the light's colour) touches the background, so the enclosed
    // test above misses it. Hair, grey or white included, is busier than skin.
    let hair: Vec<bool> = labels.iter().map(|&l| l == Label::Hair).collect();
    let (ids, sizes) = components(&hair, w, h);
    // Per region: the sums of L*, texture and chroma, and its contacts with skin (4-neighbours:
    // shine lies on the scalp).
    let mut sum = vec![[0f32; 3]; sizes.len()];
    let mut contacts = vec![0usize; sizes.len()];
    for (i, &c) in ids.iter().enumerate() {
        let c = c as usize;
        if c != 0 {
            let f = &feats[i];
            sum[c][0] += f.l;
            sum[c][1] += f.tex;
            sum[c][2] += f.chroma();
            neighbours4(i, w, h, |j| {
                if labels[j] == Label::Skin {
                    contacts[c] += 1;
                }
            });
        }
    }
    let skin_tex = {
        let mut t: Vec<f32> = (0..n).filter(|&i| labels[i] == Label::Skin).map(|i| feats[i].tex).collect();
        let middle = t.len() / 2;
        nth_smallest(&mut t, middle)
    };
    for i in 0..n {
        let c = ids[i] as usize;
        if c == 0 {
            continue;
        }
        let s = sizes[c] as f32;
        let [l, tex, chroma] = sum[c].map(|v| v / s);
        if l >= skin_mean && tex <= 1.25 * skin_tex && chroma < 12.0 && contacts[c] >= 8 {
            labels[i] = Label::Skin;
        }
    }
}

/// Iterated conditional modes on a 4-neighbour Potts model.
fn icm(unary: &[[f32; 3]], w: usize, h: usize, beta: f32, iterations: usize) -> Vec<Label> {
    const L: [Label; 3] = [Label::Background, Label::Skin, Label::Hair];
    let argmin = |u: &[f32; 3]| (0..3).min_by(|&a, &b| u[a].total_cmp(&u[b])).unwrap_or(0);
    let mut cur: Vec<u8> = unary.iter().map(|u| argmin(u) as u8).collect();
    // A px's best label depends on its neighbours' labels only: one whose neighbours kept their
    // labels since it was last visited keeps its own, so only px next to a change are visited
    // again (the same labels as visiting every px every sweep).
    let mut dirty = vec![true; w * h];
    for _ in 0..iterations {
        let mut changed = 0;
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                if !std::mem::take(&mut dirty[i]) {
                    continue;
                }
                let mut cost = unary[i];
                neighbours4(i, w, h, |j| {
                    for (c, v) in cost.iter_mut().enumerate() {
                        if cur[j] as usize != c {
                            *v += beta;
                        }
                    }
                });
                let best = argmin(&cost) as u8;
                if best != cur[i] {
                    cur[i] = best;
                    changed += 1;
                    neighbours4(i, w, h, |j| dirty[j] = true);
                }
            }
        }
        if changed == 0 {
            break;
        }
    }
    cur.into_iter().map(|c| L[c as usize]).collect()
}

/// A dark hole inside the skin: a candidate eye or brow (grid px).
#[derive(Clone, Copy, Debug)]
struct Hole {
    cx: f32,
    cy: f32,
    top: f32,
    width: f32,
    area: usize,
}

/// Eyes (and brows) as pairs of holes inside the skin region. Returns grid-px face data.
fn find_face(labels: &[Label], feats: &[Feat], w: usize, h: usize) -> Option<(Point, Point, f32)> {
    let n = w * h;
    let skin: Vec<bool> = labels.iter().map(|&l| l == Label::Skin).collect();
    // A non-skin pixel is enclosed when skin lies within reach to its left and right and above
    // or below it (eyes are, even where a brow or a shadow joins them to the hair; hair at the
    // face's edge is not).
    let reach = (w.max(h) / 12).max(4) as isize;
    let hits = |i: usize, dx: isize, dy: isize| {
        let (x0, y0) = ((i % w) as isize, (i / w) as isize);
        (1..=reach).any(|k| {
            let (x, y) = (x0 + dx * k, y0 + dy * k);
            x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h && skin[y as usize * w + x as usize]
        })
    };
    let outside: Vec<bool> = (0..n)
        .map(|i| {
            skin[i]
                || labels[i] == Label::Background
                || !(hits(i, -1, 0) && hits(i, 1, 0) && (hits(i, 0, 1) || hits(i, 0, -1)))
        })
        .collect();
    // Also count clearly dark pixels inside the skin as hole pixels (eyes with skin-coloured lids).
    let skin_l: Vec<f32> = (0..n).filter(|&i| skin[i]).map(|i| feats[i].l).collect();
    if skin_l.len() < 50 {
        return None;
    }
    let mut skin_l = skin_l;
    let middle = skin_l.len() / 2;
    let skin_median = nth_smallest(&mut skin_l, middle);
    let hole: Vec<bool> =
        (0..n).map(|i| (!skin[i] && !outside[i]) || (skin[i] && feats[i].l < skin_median - 25.0)).collect();
    let (ids, sizes) = components(&hole, w, h);
    let mut holes: Vec<Hole> = Vec::new();
    let mut acc = vec![(0f32, 0f32, f32::MAX, f32::MAX, 0f32, 0f32); sizes.len()];
    for (i, &c) in ids.iter().enumerate() {
        let c = c as usize;
        if c == 0 {
            continue;
        }
        let (x, y) = ((i % w) as f32, (i / w) as f32);
        let a = &mut acc[c];
        a.0 += x;
        a.1 += y;
        a.2 = a.2.min(x);
        a.3 = a.3.min(y);
        a.4 = a.4.max(x);
        a.5 = a.5.max(y);
    }
    let min_area = (n / 20000).max(3);
    let max_area = n / 60;
    for c in 1..sizes.len() {
        let s = sizes[c];
        if s < min_area || s > max_area {
            continue;
        }
        let a = acc[c];
        let (width, height) = (a.4 - a.2 + 1.0, a.5 - a.3 + 1.0);
        if width < 0.8 * height || width > 6.0 * height {
            continue;
        }
        holes.push(Hole { cx: a.0 / s as f32, cy: a.1 / s as f32, top: a.3, width, area: s });
    }
    // Pairs: level, similar, apart by 1.5-5 of their widths.
    let pair_score = |a: &Hole, b: &Hole| -> Option<f32> {
        let dx = (b.cx - a.cx).abs();
        let dy = (b.cy - a.cy).abs();
        let wmean = 0.5 * (a.width + b.width);
        if dx < 1.4 * wmean || dx > 5.0 * wmean || dy > 0.3 * dx || dx < 0.04 * w as f32 {
            return None;
        }
        let size_ratio = a.area.max(b.area) as f32 / a.area.min(b.area).max(1) as f32;
        if size_ratio > 3.0 {
            return None;
        }
        Some(dy / dx + 0.3 * (size_ratio - 1.0) + 0.2 * ((dx / wmean) - 2.5).abs() / 2.5)
    };
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for i in 0..holes.len() {
        for j in i + 1..holes.len() {
            if let Some(s) = pair_score(&holes[i], &holes[j]) {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    // A face around the pair: skin beside both eyes (a profile shows one side only), skin below
    // between them (nose, cheeks) and head (skin or hair) above them.
    let label_at = |x: f32, y: f32| {
        let (x, y) = (x.round(), y.round());
        (x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h).then(|| labels[y as usize * w + x as usize])
    };
    let is_skin = |x: f32, y: f32| matches!(label_at(x, y), Some(Label::Skin | Label::Face));
    let is_head = |x: f32, y: f32| label_at(x, y).is_some_and(|l| l != Label::Background);
    let share = |pts: &[(f32, f32)], f: &dyn Fn(f32, f32) -> bool| {
        pts.iter().filter(|&&(x, y)| f(x, y)).count() as f32 / pts.len() as f32
    };
    let face_like = |a: &Hole, b: &Hole| {
        let (l, r) = if a.cx < b.cx { (a, b) } else { (b, a) };
        let dx = r.cx - l.cx;
        let ey = 0.5 * (l.cy + r.cy);
        let mx = 0.5 * (l.cx + r.cx);
        let side = |x0: f32| -> Vec<(f32, f32)> {
            (0..6).flat_map(|k| [-0.1f32, 0.0, 0.1].map(|dy| (x0 + k as f32 * 0.06 * dx, ey + dy * dx))).collect()
        };
        let beside_l = share(&side(l.cx - 0.55 * dx), &is_skin);
        let beside_r = share(&side(r.cx + 0.25 * dx), &is_skin);
        let below: Vec<(f32, f32)> = (0..5)
            .flat_map(|k| [-0.12f32, 0.0, 0.12].map(|ox| (mx + ox * dx, ey + (0.3 + 0.1 * k as f32) * dx)))
            .collect();
        let above: Vec<(f32, f32)> = (0..6)
            .flat_map(|k| [-0.3f32, 0.0, 0.3].map(|ox| (mx + ox * dx, ey - (0.6 + 0.1 * k as f32) * dx)))
            .collect();
        // The face is 1.6-3.4 eye distances wide at the eyes (nostrils and mouth corners pair
        // up too, but much closer together for the face's width).
        let row = ey.round().clamp(0.0, h as f32 - 1.0) as usize;
        let reach = (3.0 * dx) as isize;
        let span = |dir: isize, from: f32| {
            let mut last = from as isize;
            for k in 1..reach {
                let x = from as isize + dir * k;
                if x < 0 || x >= w as isize {
                    break;
                }
                if matches!(labels[row * w + x as usize], Label::Skin | Label::Face) {
                    last = x;
                }
            }
            last
        };
        let width = (span(1, r.cx) - span(-1, l.cx)) as f32;
        if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            eprintln!(
                "  face_like ({:.0},{:.0})-({:.0},{:.0}): width/dx {:.2} beside {:.2} {:.2} below {:.2} above {:.2}",
                l.cx,
                l.cy,
                r.cx,
                r.cy,
                width / dx,
                beside_l,
                beside_r,
                share(&below, &is_skin),
                share(&above, &is_head)
            );
        }
        (1.6..3.4).contains(&(width / dx))
            && beside_l.min(beside_r) > 0.3
            && beside_l.max(beside_r) > 0.55
            && share(&below, &is_skin) > 0.7
            && share(&above, &is_head) > 0.8
    };
    if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
        eprintln!("face: {} holes, {} pairs", holes.len(), pairs.len());
        for p in pairs.iter().take(6) {
            let (a, b) = (holes[p.1], holes[p.2]);
            eprintln!(
                "  pair {:.2}: ({:.0},{:.0}) w{:.0} a{} - ({:.0},{:.0}) w{:.0} a{}",
                p.0, a.cx, a.cy, a.width, a.area, b.cx, b.cy, b.width, b.area
            );
        }
    }
    let &(_, i, j) = pairs.iter().find(|p| face_like(&holes[p.1], &holes[p.2]))?;
    let (mut a, mut b) = (holes[i], holes[j]);
    if a.cx > b.cx {
        std::mem::swap(&mut a, &mut b);
    }
    let dx = b.cx - a.cx;
    // Another pair just below: this pair was the brows. Just above: those are the brows.
    let near = |p: &(f32, usize, usize), below: bool| {
        let (c, d) = (holes[p.1], holes[p.2]);
        let my = 0.5 * (c.cy + d.cy);
        let ay = 0.5 * (a.cy + b.cy);
        let mx = 0.5 * (c.cx + d.cx);
        let ax = 0.5 * (a.cx + b.cx);
        let gap = if below { my - ay } else { ay - my };
        gap > 0.08 * dx && gap < 0.6 * dx && (mx - ax).abs() < 0.25 * dx && ((d.cx - c.cx).abs() / dx - 1.0).abs() < 0.4
    };
    let (eyes, brow_top) = if let Some(p) = pairs.iter().find(|p| near(p, true)) {
        let (c, d) = (holes[p.1], holes[p.2]);
        let (l, r) = if c.cx < d.cx { (c, d) } else { (d, c) };
        ((l, r), a.top.min(b.top))
    } else if let Some(p) = pairs.iter().find(|p| near(p, false)) {
        let (c, d) = (holes[p.1], holes[p.2]);
        ((a, b), c.top.min(d.top))
    } else {
        // Brows merged with the eyes (or not found): the top of the hole, or ~0.3 eye distances
        // above the eyes' centres.
        let top = a.top.min(b.top);
        ((a, b), top.min(0.5 * (a.cy + b.cy) - 0.3 * dx))
    };
    let (l, r) = eyes;
    Some((Point::new(l.cx + 0.5, l.cy + 0.5), Point::new(r.cx + 0.5, r.cy + 0.5), brow_top))
}

/// The eyes (image-left first) and the brows' y, in grid px, as `find_face` gives them.
type GridEyes = (Point, Point, f32);

/// Brows above the eyes' centres, in eye distances, when they are not found in the photo
/// (BlazeFace gives no brow keypoint).
const BROWS_ABOVE_EYES: f32 = 0.3;
/// Where [`find_brows`] looks for a brow above each eye, in eye distances above its centre.
const BROW_SEARCH: std::ops::Range<f32> = 0.15..0.6;
/// How much lower (L* + chroma) than the forehead just above it a brow must be.
const BROW_MIN_CONTRAST: f32 = 6.0;

/// The face mesh's ([`crate::landmarks`]) lowest presence score for a face the detector sees
/// from the front. MediaPipe drops a face under 0.5; faces tilted far down score low even when
/// the mesh sits right (hl08: 0.10, its brows and eyes on the photo's), and the mesh is checked
/// against the detector's eyes and for a face's proportions as well
/// ([`crate::landmarks::FaceMesh::is_trusted_front`]). Under it (hl05 0.014, hl06 0.000: the
/// mesh on the forehead's wrinkles) the detector's eyes and the brow search are used.
const MESH_MIN_PRESENCE: f32 = 0.05;
/// How wide the face outline's edge fades, in eye distances (about 5 mm).
const OUTLINE_FEATHER: f32 = 0.08;

/// A face that is never treated, on the grid.
enum FaceZone {
    /// The detector's box widened, as (x0, y0, x1, y1) grid px: a face without a trusted mesh.
    Box([f32; 4]),
    /// The face mesh's outline (grid px; for a face seen from the front, its part from the brows
    /// down: the hairline rule takes the forehead), its edge fading over `feather_px`.
    Outline { polygon: Vec<Point>, feather_px: f32 },
}

impl FaceZone {
    /// How much of grid px (x, y) (its centre) is face: 0 or 1 for a box, and across the
    /// outline's edge a ramp, 0.5 on the outline itself.
    fn weight(&self, x: usize, y: usize) -> f32 {
        match self {
            FaceZone::Box(zone) => in_zone(zone, x, y) as u8 as f32,
            FaceZone::Outline { polygon, feather_px } => {
                let p = Point::new(x as f32 + 0.5, y as f32 + 0.5);
                let d = crate::landmarks::signed_distance_to_polygon(polygon, p);
                (0.5 - d / feather_px.max(1e-3)).clamp(0.0, 1.0)
            }
        }
    }

    /// Raises `weights` (a w x h grid) to the zone's [`FaceZone::weight`] wherever it is
    /// higher, looking only at the px within the zone's bounding box (and an outline's feather).
    fn add_weights(&self, weights: &mut [f32], w: usize, h: usize) {
        let [x0, y0, x1, y1] = match self {
            FaceZone::Box(zone) => *zone,
            FaceZone::Outline { polygon, feather_px } => {
                polygon.iter().fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |[a, b, c, d], p| {
                    [a.min(p.x - feather_px), b.min(p.y - feather_px), c.max(p.x + feather_px), d.max(p.y + feather_px)]
                })
            }
        };
        if weights.len() != w * h || !(x0 <= x1 && y0 <= y1) {
            return;
        }
        let range =
            |lo: f32, hi: f32, len: usize| (lo.max(0.0) as usize).min(len)..(hi.max(0.0).ceil() as usize).min(len);
        for y in range(y0, y1, h) {
            for x in range(x0, x1, w) {
                let v = &mut weights[y * w + x];
                *v = v.max(self.weight(x, y));
            }
        }
    }
}

/// The part of the closed polygon `poly` on the side of the line through `at` that `toward`
/// points away from: the points p with (p - at) · toward <= 0 (Sutherland-Hodgman for one line).
fn clip_polygon(poly: &[Point], at: Point, toward: Point) -> Vec<Point> {
    let side = |p: Point| (p.x - at.x) * toward.x + (p.y - at.y) * toward.y;
    let mut out = Vec::with_capacity(poly.len() + 2);
    for (i, &a) in poly.iter().enumerate() {
        let b = poly[(i + 1) % poly.len()];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa <= 0.0) != (sb <= 0.0) {
            let t = sa / (sa - sb);
            out.push(Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t));
        }
    }
    out
}

/// What the learned face detector found, in grid px.
struct LearnedFaces {
    /// The eyes (image-left first) and the brows' y of the best face seen from the front.
    eyes: Option<GridEyes>,
    /// A face zone for every face confirmed well enough ([`crate::face::FoundFace::zone`]).
    zones: Vec<FaceZone>,
    /// A face seen in profile (on both looks, even one not sure enough for a zone): a side view.
    profile_seen: bool,
    /// The brows of the front face, when its mesh is trusted: each brow's outline (upper edge,
    /// then lower edge back), grid px.
    brows: Vec<Vec<Point>>,
    /// The first profile confirmed well enough for a zone: its hairline is suggested instead of
    /// a rectangle zone ([`profile_hairline`]).
    profile: Option<Profile>,
}

/// A face seen in profile, in grid px: the visible eye and the ear's tragion (the model's ear
/// keypoint farther from the nose, which lands at the front of the visible ear).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Profile {
    eye: Point,
    tragion: Point,
}

/// The learned detector's faces in grid px: the eyes (image-left first) and the brows' y of the
/// best one seen from the front, as `find_face` gives them, the first profile (its hairline is
/// suggested: [`profile_hairline`]), and a face zone for every other face found (other profiles
/// too).
///
/// Each front face's mesh ([`crate::landmarks::face_mesh`], MediaPipe's 468 points) is computed; when
/// it is trusted ([`MESH_MIN_PRESENCE`], [`crate::landmarks::FaceMesh::is_trusted_front`]) the
/// eyes are the centres of its eye contours, the brows' line the top of its brows' upper edges,
/// and the zone its outline (from the brows down, feathered over [`OUTLINE_FEATHER`]). Otherwise
/// the zone is the detector's box widened by 15 % on each side and lowered by 25 % (the chin),
/// from the brows down (a front face: the hairline rule then takes the forehead), or from 0.15 box
/// heights above the box (any other face: its forehead), as (x0, y0, x1, y1); the brows are
/// looked for in the photo ([`find_brows`]), else placed [`BROWS_ABOVE_EYES`] above the eyes.
fn learned_faces(photo: &RgbaImage, grid: &RgbaImage, feats: &[Feat]) -> LearnedFaces {
    let s = grid.width as f32 / photo.width.max(1) as f32;
    let (w, h) = (grid.width as usize, grid.height as usize);
    let mut found_faces =
        LearnedFaces { eyes: None, zones: Vec::new(), profile_seen: false, profile: None, brows: Vec::new() };
    let debug = std::env::var_os("SMP_DETECT_DEBUG").is_some();
    for found in crate::face::find_faces_from(photo, grid) {
        let f = found.face;
        found_faces.profile_seen |= !found.frontal;
        if !found.zone {
            continue;
        }
        if !found.frontal && found_faces.profile.is_none() {
            if let Some(profile) = Profile::from_keypoints(&f.keypoints.map(|p| p.scaled(s))) {
                found_faces.profile = Some(profile);
                continue;
            }
        }
        // The mesh for faces seen from the front only: on the shared photos' profiles (turned
        // 90°) it scores 0.000-0.096 and lies across the face; on faces turned 60-90° (FASSEG's)
        // it scores 1.00 and follows the jaw, but its outline leaves the nose, the brow ridge and
        // the upper forehead out, which then got dots (where a box covered them).
        let mesh = if found.frontal { crate::landmarks::face_mesh(photo, &f) } else { None };
        let trusted = mesh.filter(|m| {
            let ok = m.is_trusted_front(&f, MESH_MIN_PRESENCE);
            if debug {
                eprintln!(
                    "mesh: presence {:.3}, brows {:.2} eye distances above its eyes, trusted {ok}",
                    m.presence,
                    m.brows_above_eyes()
                );
            }
            ok
        });
        if let Some(m) = trusted {
            let (l, r) = m.eyes();
            let (l, r) = (l.scaled(s), r.scaled(s));
            let ed = l.distance(r);
            let brow_y = 0.5 * (l.y + r.y) - m.brows_above_eyes() * ed;
            let up = m.up();
            // Its outline from the brows down.
            let outline: Vec<Point> = m.oval().iter().map(|p| p.scaled(s)).collect();
            let polygon = clip_polygon(&outline, Point::new(0.5 * (l.x + r.x), brow_y), up);
            if found_faces.eyes.is_none() {
                found_faces.eyes = Some((l, r, brow_y));
                for (upper, lower) in [
                    (crate::landmarks::RIGHT_BROW_UPPER, crate::landmarks::RIGHT_BROW_LOWER),
                    (crate::landmarks::LEFT_BROW_UPPER, crate::landmarks::LEFT_BROW_LOWER),
                ] {
                    let brow = upper.iter().chain(lower.iter().rev()).map(|&i| m.points[i].scaled(s)).collect();
                    found_faces.brows.push(brow);
                }
            }
            if polygon.len() >= 3 {
                found_faces.zones.push(FaceZone::Outline { polygon, feather_px: OUTLINE_FEATHER * ed });
                continue;
            }
        }
        let (x0, y0, bw, bh) = (f.xmin * s, f.ymin * s, f.width * s, f.height * s);
        // A face not seen from the front: its forehead, up to about where a hairline would be.
        let mut top = y0 - 0.15 * bh;
        if found.frontal && found_faces.eyes.is_none() {
            let (a, b) = (f.keypoints[crate::face::RIGHT_EYE].scaled(s), f.keypoints[crate::face::LEFT_EYE].scaled(s));
            let (l, r) = if a.x <= b.x { (a, b) } else { (b, a) };
            let brows_above = find_brows(feats, w, h, l, r).unwrap_or(BROWS_ABOVE_EYES);
            let brow_y = 0.5 * (l.y + r.y) - brows_above * l.distance(r);
            top = brow_y.max(y0);
            found_faces.eyes = Some((l, r, brow_y));
        }
        found_faces.zones.push(FaceZone::Box([x0 - 0.15 * bw, top, x0 + 1.15 * bw, y0 + 1.25 * bh]));
    }
    found_faces
}

/// The brows' top line above a face's eyes (`l`, `r`: centres, grid px, image-left first), in eye
/// distances above the eyes' centres, found in the photo. Above each eye, a band across the eye
/// half an eye distance long is scored by L* + chroma (brows are darker or greyer than the skin,
/// on any skin tone) at heights within [`BROW_SEARCH`]: a height is dark when the band there, and
/// the band 0.05 eye distances below it, are at least [`BROW_MIN_CONTRAST`] below the brightest
/// band within 0.15 eye distances above (the forehead right above the brow). The brow is the
/// dark run nearest the eye (a fringe higher up is not a brow) and its top the run's top. `None`
/// (the caller estimates) unless both brows are found within 0.1 eye distances of each other
/// (measured across the eye line, level brows are level even on a tilted face; one brow found at
/// the other's lid is not).
fn find_brows(feats: &[Feat], w: usize, h: usize, l: Point, r: Point) -> Option<f32> {
    let ed = l.distance(r);
    if feats.len() != w * h || ed.is_nan() || ed < 8.0 {
        return None;
    }
    let along = Point::new((r.x - l.x) / ed, (r.y - l.y) / ed);
    let up = Point::new(along.y, -along.x);
    // The band `t` eye distances above an eye: the mean of L* + chroma.
    let band = |eye: Point, t: f32| -> Option<f32> {
        let mut sum = 0.0;
        for k in 0..9 {
            let a = (k as f32 / 8.0 - 0.5) * 0.5 * ed;
            let (x, y) = (eye.x + along.x * a + up.x * t * ed, eye.y + along.y * a + up.y * t * ed);
            if !(x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h) {
                return None;
            }
            let f = &feats[y as usize * w + x as usize];
            sum += f.l + f.chroma();
        }
        Some(sum / 9.0)
    };
    let brow_top = |eye: Point| -> Option<f32> {
        let step = 0.02;
        let at = |k: usize| k as f32 * step;
        let last = ((BROW_SEARCH.end + 0.15) / step).round() as usize;
        let profile: Vec<f32> = (0..=last).map(|k| band(eye, at(k))).collect::<Option<_>>()?;
        let (reach, below) = ((0.15 / step).round() as usize, (0.05 / step).round() as usize);
        let dark = |k: usize| {
            let forehead = profile[k..=(k + reach).min(last)].iter().copied().fold(f32::MIN, f32::max);
            k >= below
                && BROW_SEARCH.contains(&at(k))
                && profile[k].max(profile[k - below]) <= forehead - BROW_MIN_CONTRAST
        };
        // The band nearest the eye (a fringe higher up is not a brow), up to its top.
        let first = (0..=last).find(|&k| dark(k))?;
        Some(at((first..=last).take_while(|&k| dark(k)).last().unwrap_or(first)))
    };
    let (tl, tr) = (brow_top(l), brow_top(r));
    if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
        eprintln!("brows: {tl:?} and {tr:?} eye distances above the eyes at {l:?} {r:?} (grid px)");
    }
    let (tl, tr) = (tl?, tr?);
    ((tl - tr).abs() <= 0.1).then_some(0.5 * (tl + tr))
}

/// A head of hair and no skin (a full head of hair from behind or above), for photos where no
/// skin is found: one region unlike the photo's border ring (more than 20 L*a*b* units from the
/// ring's median colour) that holds at least 15 % of the photo, lies in its middle (centroid in
/// the middle 40 % across and 60 % down), touches the ring on under a quarter of it, is not
/// skin-coloured, and is busier than the ring (strands against a plain background). A landscape,
/// a flat picture or a wall has no such region.
fn is_head_of_hair(feats: &[Feat], w: usize, h: usize) -> bool {
    let n = w * h;
    if feats.len() != n || w < 16 || h < 16 {
        return false;
    }
    let in_ring = border_ring(w, h);
    let ring: Vec<usize> = (0..n).filter(|&i| in_ring(i)).collect();
    let median = |c: usize| {
        let mut v: Vec<f32> = ring.iter().map(|&i| feats[i].vec()[c]).collect();
        let middle = v.len() / 2;
        nth_smallest(&mut v, middle)
    };
    let ring_lab = [median(0), median(1), median(2)];
    let unlike: Vec<bool> =
        feats.iter().map(|f| (0..3).map(|c| (f.vec()[c] - ring_lab[c]).powi(2)).sum::<f32>() > 20.0 * 20.0).collect();
    let (ids, sizes) = components(&erode(&unlike, w, h, 1), w, h);
    let Some(biggest) = (1..sizes.len()).max_by_key(|&c| sizes[c]) else { return false };
    let region: Vec<usize> = (0..n).filter(|&i| ids[i] as usize == biggest).collect();
    let count = region.len() as f32;
    let (cx, cy) = region.iter().fold((0.0, 0.0), |(x, y), &i| (x + (i % w) as f32, y + (i / w) as f32));
    let (cx, cy) = (cx / count / w as f32, cy / count / h as f32);
    let touching = region.iter().filter(|&&i| in_ring(i)).count() as f32 / ring.len() as f32;
    let skin_like = region.iter().map(|&i| skin_prior(&feats[i])).sum::<f32>() / count;
    let tex = |pixels: &mut dyn Iterator<Item = usize>, len: f32| pixels.map(|i| feats[i].tex).sum::<f32>() / len;
    let (region_tex, ring_tex) =
        (tex(&mut region.iter().copied(), count), tex(&mut ring.iter().copied(), ring.len() as f32));
    if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
        eprintln!(
            "head of hair? share {:.2} centre ({cx:.2},{cy:.2}) touching {touching:.2} skin-like {skin_like:.2} texture {region_tex:.2} vs ring {ring_tex:.2}",
            count / n as f32
        );
    }
    count >= 0.15 * n as f32
        && (0.3..0.7).contains(&cx)
        && (0.2..0.8).contains(&cy)
        && touching < 0.25
        && skin_like < 0.3
        && region_tex > 1.5 * ring_tex
}

/// The highest row (grid px) reached by the skin regions that touch the photo's bottom edge
/// (`h` if none does).
fn bottom_skin_reach(labels: &[Label], w: usize, h: usize) -> f32 {
    if labels.len() != w * h || h == 0 {
        return h as f32;
    }
    let skin: Vec<bool> = labels.iter().map(|&l| l == Label::Skin).collect();
    let (ids, sizes) = components(&skin, w, h);
    let mut at_bottom = vec![false; sizes.len()];
    for x in 0..w {
        at_bottom[ids[(h - 1) * w + x] as usize] = true;
    }
    at_bottom[0] = false;
    (0..w * h).find(|&i| at_bottom[ids[i] as usize]).map_or(h, |i| i / w) as f32
}

/// Skin in shadow (a neck under the jaw, the far side of a face lit from one side) is darker
/// than the skin the labelling learned, and often ends up background or hair. Grown from the
/// skin: px the person mask calls person (p >= 0.5), smooth (texture at most the photo's median:
/// hair is busy), as orange-red as the skin (hue within 10° of its median), darker than its
/// median but not near black (L* from 0.35 of it), with a chroma per lightness within 0.7-1.4
/// times the skin's (shading lowers both together; a grey or saturated garment does not) become
/// skin. Nothing when the mask does not see the skin as person (it missed the head).
fn skin_in_shadow(labels: &mut [Label], feats: &[Feat], person: &[f32], w: usize, h: usize) {
    let n = w * h;
    if labels.len() != n || feats.len() != n || person.len() != n {
        return;
    }
    let skin: Vec<usize> = (0..n).filter(|&i| labels[i] == Label::Skin).collect();
    if skin.len() < 16 || skin.iter().map(|&i| person[i]).sum::<f32>() < 0.5 * skin.len() as f32 {
        return;
    }
    let median = |mut v: Vec<f32>| {
        let middle = v.len() / 2;
        nth_smallest(&mut v, middle)
    };
    let skin_hue = median(skin.iter().map(|&i| feats[i].hue_deg()).collect());
    let skin_l = median(skin.iter().map(|&i| feats[i].l).collect());
    let skin_sat = median(skin.iter().map(|&i| feats[i].chroma() / feats[i].l.max(1.0)).collect());
    let tex_median = median(feats.iter().map(|f| f.tex).collect());
    let shadowed = |i: usize| {
        let f = &feats[i];
        let hue_diff = (f.hue_deg() - skin_hue + 540.0).rem_euclid(360.0) - 180.0;
        let sat = f.chroma() / f.l.max(1.0);
        person[i] >= 0.5
            && f.tex <= tex_median
            && hue_diff.abs() <= 10.0
            && (0.35 * skin_l..skin_l).contains(&f.l)
            && (0.7 * skin_sat..=1.4 * skin_sat).contains(&sat)
    };
    let mut queue: std::collections::VecDeque<usize> = skin.into_iter().collect();
    while let Some(i) = queue.pop_front() {
        neighbours4(i, w, h, |j| {
            if labels[j] != Label::Skin && shadowed(j) {
                labels[j] = Label::Skin;
                queue.push_back(j);
            }
        });
    }
}

/// The head's outline narrows below its widest row (in its upper 60 %) to a neck and widens again to the shoulders
/// (`widths`: the head's width on each row from its top down, smoothed here over 5 rows): the
/// narrowest row below the widest is under 0.75 of its width, and a row below that is wider by
/// 0.3 of it. A back view whose bare neck runs into the scalp; a forehead under a head tilted
/// toward the camera widens down to the photo's edge instead.
fn narrows_to_a_neck(widths: &[usize]) -> bool {
    let n = widths.len();
    let smooth: Vec<f32> = (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(2), (i + 2).min(n.saturating_sub(1)));
            widths[a..=b].iter().sum::<usize>() as f32 / (b - a + 1) as f32
        })
        .collect();
    // The head's widest row in its upper 60 % (below, shoulders may be wider).
    let upper = &smooth[..(n * 3 / 5).max(1).min(n)];
    let Some((widest, &max)) = upper.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0))) else {
        return false;
    };
    let Some((neck, &min)) = smooth.iter().enumerate().skip(widest + 1).min_by(|a, b| a.1.total_cmp(b.1)) else {
        return false;
    };
    max > 0.0 && min < 0.75 * max && smooth[neck..].iter().any(|&v| v > min + 0.3 * max)
}

fn in_zone(zone: &[f32; 4], x: usize, y: usize) -> bool {
    let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
    x >= zone[0] && x < zone[2] && y >= zone[1] && y < zone[3]
}

fn mean_rgb(grid: &RgbaImage, sel: impl Fn(usize) -> bool) -> Option<[u8; 3]> {
    let mut acc = [0u64; 3];
    let mut count = 0u64;
    for (i, p) in grid.data.chunks_exact(4).enumerate() {
        if sel(i) {
            for c in 0..3 {
                acc[c] += p[c] as u64;
            }
            count += 1;
        }
    }
    (count >= 10).then(|| std::array::from_fn(|c| (acc[c] / count) as u8))
}

/// Run the whole detection on a photo (any size; the working copy is the usual input).
/// `full_width`/`full_height` are the full-resolution photo's size: geometry comes out in
/// full-image px.
pub fn detect(photo: &RgbaImage, full_width: u32, full_height: u32) -> Detection {
    let (gw, gh) = grid_size(photo.width, photo.height);
    let empty = |advice: Vec<Advice>| Detection {
        grid_width: gw,
        grid_height: gh,
        labels: vec![Label::Background; (gw * gh) as usize],
        view: None,
        face: None,
        area: AreaMask::empty(gw, gh, full_width, full_height),
        hairline: None,
        px_per_mm: None,
        hair_rgb: None,
        skin_rgb: None,
        hair_near_area_rgb: None,
        advice,
    };
    if photo.width < 16 || photo.height < 16 || full_width == 0 || full_height == 0 {
        return empty(vec![Advice::NoHead]);
    }
    let grid = downscale_area(photo, gw, gh);
    let (w, h) = (gw as usize, gh as usize);
    let n = w * h;
    let feats = features(&grid);
    let person = person_on_grid(&grid, w, h);
    let Some(mut labels) = segment(&feats, w, h, person.as_deref()) else {
        // No skin to start from: a head of hair seen from behind or above (no scalp showing),
        // or no head at all.
        let advice = if is_head_of_hair(&feats, w, h) { Advice::NoHairLoss } else { Advice::NoHead };
        return empty(vec![advice]);
    };
    if let Some(p) = person.as_deref() {
        skin_in_shadow(&mut labels, &feats, p, w, h);
    }
    // Grid px -> full-image px.
    let to_full = full_width as f32 / gw as f32;
    let full = |p: Point| Point::new(p.x * to_full, p.y * to_full);

    let head: Vec<bool> = labels.iter().map(|&l| l != Label::Background).collect();
    let head_count = head.iter().filter(|&&b| b).count();
    let skin_count = labels.iter().filter(|&&l| l == Label::Skin).count();
    let hair_count = labels.iter().filter(|&&l| l == Label::Hair).count();
    // Neither hair nor background anywhere: no outline of a head, just a skin-coloured picture
    // (a wall, a close-up of an arm); nothing to tell a scalp by.
    let featureless = hair_count < n / 100 && n - head_count < n / 50;
    if head_count < n / 25 || skin_count < n / 200 || featureless {
        if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            eprintln!("detect: head {head_count} skin {skin_count} of {n}");
        }
        return empty(vec![Advice::NoHead]);
    }
    // Head extent: its rows and its widest row.
    let (mut top, mut bottom) = (h, 0);
    for (i, _) in head.iter().enumerate().filter(|(_, &on)| on) {
        top = top.min(i / w);
        bottom = bottom.max(i / w);
    }
    let row_width = |y: usize| (0..w).filter(|&x| head[y * w + x]).count();
    let head_width_px = (top..=bottom).map(row_width).max().unwrap_or(0) as f32;

    // The learned face detector first (face.rs): a face seen from the front gives the eyes, the
    // brows and a face zone that is never treated. The classical eye search otherwise.
    let LearnedFaces { eyes: learned_eyes, zones: face_zones, profile_seen, profile, brows } =
        learned_faces(photo, &grid, &feats);
    let face = learned_eyes.or_else(|| find_face(&labels, &feats, w, h));
    // How much of each grid px is in a face zone (0..1; an outline's edge is feathered).
    let face_zone_weight: Vec<f32> = if face_zones.is_empty() {
        Vec::new()
    } else {
        let mut weights = vec![0f32; n];
        for zone in &face_zones {
            zone.add_weights(&mut weights, w, h);
        }
        weights
    };
    let in_face_zone = |i: usize| face_zone_weight.get(i).is_some_and(|&z| z >= 0.5);
    let mut advice = Vec::new();
    // View.
    let touches_bottom_skin = (0..w).filter(|&x| labels[(h - 1) * w + x] == Label::Skin).count() > w / 12;
    let touches_bottom_head = (0..w).filter(|&x| head[(h - 1) * w + x]).count() > w / 12;
    if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
        let share = |f: &dyn Fn(usize) -> bool| (0..w).filter(|&x| f((h - 1) * w + x)).count() as f32 / w as f32;
        eprintln!(
            "view: bottom edge head {:.3} skin {:.3}; bottom skin reaches {:.2} of the head",
            share(&|i| head[i]),
            share(&|i| labels[i] == Label::Skin),
            (bottom_skin_reach(&labels, w, h) - top as f32) / (bottom - top).max(1) as f32
        );
    }
    // A front face: a front view; a profile: a side view (a side view shows a profile to the
    // face detector). Neither, and the head does not reach the photo's bottom edge: the scalp
    // seen from above, the neck hidden under it (top). Skin at the bottom edge: a forehead under
    // a head tilted toward the camera (a front view without a face) when that skin runs on,
    // unbroken, into the top third of the head (the bald top), else a neck, which the hair at the
    // nape separates from the scalp (back); only hair (or too little skin) there: back.
    let neck = narrows_to_a_neck(&(top..=bottom).map(row_width).collect::<Vec<_>>());
    let view = if face.is_some() {
        View::Front
    } else if profile_seen {
        View::Side
    } else if !touches_bottom_head {
        View::Top
    } else if !touches_bottom_skin {
        View::Back
    } else if bottom_skin_reach(&labels, w, h) < top as f32 + (bottom - top) as f32 / 3.0 && !neck {
        View::Front
    } else {
        View::Back
    };

    // Skin in the learned face zones is face (after the view: the neck's skin tells it).
    for (i, label) in labels.iter_mut().enumerate() {
        if *label == Label::Skin && in_face_zone(i) {
            *label = Label::Face;
        }
    }
    // The brows the face mesh outlines are hair (as in FASSEG's masks), whatever colour.
    for (i, label) in labels.iter_mut().enumerate() {
        let p = Point::new((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
        if matches!(label, Label::Skin | Label::Face) && brows.iter().any(|b| crate::landmarks::inside_polygon(b, p)) {
            *label = Label::Hair;
        }
    }

    // Scale.
    let px_per_mm = match face {
        Some((l, r, _)) => Some((l.distance(r) * to_full / EYE_DISTANCE_MM, ScaleSource::EyeDistance)),
        None if head_width_px > 8.0 => {
            // In top views the visible width is the whole head; in side views the head's depth
            // (front to back, ~195 mm) is what the photo shows.
            let mm = if view == View::Side { 195.0 } else { HEAD_WIDTH_MM };
            Some((head_width_px * to_full / mm, ScaleSource::HeadWidth))
        }
        None => None,
    };

    // Face, hairline and the scalp limit.
    let mut hairline = None;
    let mut face_out = None;
    let mut scalp: Vec<bool> = labels.iter().map(|&l| l == Label::Skin).collect();
    // How much of the scalp each row keeps (1 everywhere unless a limit applies).
    let mut fade = vec![1f32; n];
    // A suggested hairline (grid px, left temple to right) and the grid's px per mm.
    let mut suggested: Option<(Vec<Point>, f32)> = None;
    if let (Some((l, r, brow_top)), Some((ppm, _))) = (face, px_per_mm) {
        let ppm_grid = ppm / to_full;
        let dir = Point::new(r.x - l.x, r.y - l.y);
        let len = (dir.x * dir.x + dir.y * dir.y).sqrt().max(1e-3);
        // "Up" is perpendicular to the eye line, toward the top of the image.
        let up = Point::new(dir.y / len, -dir.x / len);
        let mid = Point::new(0.5 * (l.x + r.x), brow_top);
        let at = |along_mm: f32, up_mm: f32| {
            let (a, u) = (along_mm * ppm_grid, up_mm * ppm_grid);
            Point::new(mid.x + dir.x / len * a + up.x * u, mid.y + dir.y / len * a + up.y * u)
        };
        // Handles from the left temple to the right: a soft M-shaped adult hairline.
        let pts = [(-75.0, 45.0), (-45.0, 70.0), (0.0, HAIRLINE_ABOVE_BROWS_MM), (45.0, 70.0), (75.0, 45.0)];
        suggested = Some((pts.iter().map(|&(a, u)| at(a, u)).collect(), ppm_grid));
        face_out = Some(Face { left_eye: full(l), right_eye: full(r), brow_mid: full(mid), up });
    } else if let (true, Some((ppm, _))) = (view == View::Front || (view == View::Back && neck), px_per_mm) {
        // A front view with no face found (a scalp seen from above the forehead, the face below
        // the photo or turned down): the forehead runs into the scalp with nothing to tell where
        // the hair would start. Suggest a hairline ~0.62 head widths below the head's top,
        // curved like one seen from above (its middle nearest the face, the temples receding),
        // feathered, and editable with the hairline handles; the skin below it is not treated.
        // A back view whose outline narrows to a bare neck gets the same curve as its nape line
        // (lowest in the middle, rising toward the ears).
        suggested = Some((hairline_without_face(&head, w, h, top, head_width_px), ppm / to_full));
    } else if view != View::Top {
        // Side and back views: the scalp is the upper part of the head; below ~0.62 head widths
        // from its top come the ears, the face or the neck. The limit fades over a band (no
        // straight edge of dots), and the user can paint past it.
        let limit = top as f32 + 0.62 * head_width_px;
        let band = (0.12 * head_width_px).max(2.0);
        for (i, f) in fade.iter_mut().enumerate() {
            *f = ((limit - (i / w) as f32) / band + 0.5).clamp(0.0, 1.0);
        }
        // A profile: its hairline (forehead, temple, sideburn) is suggested and the face ahead
        // of it is not treated; its ear neither.
        if let (View::Side, Some(p)) = (view, profile) {
            suggested = Some((profile_hairline(&p, &head, w, h), p.px_per_mm()));
            let in_ear = p.ear();
            for (i, label) in labels.iter_mut().enumerate() {
                if *label == Label::Skin && in_ear(Point::new((i % w) as f32 + 0.5, (i / w) as f32 + 0.5)) {
                    *label = Label::Face;
                    scalp[i] = false;
                }
            }
        }
    }
    // Beyond the suggested hairline (past its feather) nothing is treated, hair with skin showing
    // through (brows, a beard) included.
    let mut beyond_hairline = vec![false; n];
    if let Some((grid_pts, ppm_grid)) = suggested {
        // The face: skin below the hairline; the scalp: skin above it (plus a margin the
        // hairline's feather then fades).
        let line =
            Hairline { points: grid_pts.clone(), feather_mm: 6.0, treated_side: HairlineSide::Left, breakup: 0.0 };
        if let Some(field) = line.field(1.0, ppm_grid, 0) {
            let limit = -6.0 * ppm_grid;
            // The signed distance changes by at most 1 from a px to the next in a row: after
            // one px's exact value, the next ones are surely beyond the limit (or surely not)
            // until the bounds reach it within a margin (rounding: the line's far ends are 1e6
            // px away); only then is the distance computed again. Close to the line (a limit
            // within 2 px) every px is computed.
            const MARGIN_PX: f32 = 0.5;
            let stepping = limit < -2.0;
            for y in 0..h {
                // Bounds on the signed distance at the px at hand, from the last one computed.
                let (mut low, mut high) = (f32::NEG_INFINITY, f32::INFINITY);
                for x in 0..w {
                    (low, high) = (low - 1.0, high + 1.0);
                    let i = y * w + x;
                    let beyond = if stepping && high < limit - MARGIN_PX {
                        true
                    } else if stepping && low > limit + MARGIN_PX {
                        false
                    } else {
                        let sd = field.signed_distance(Point::new(x as f32 + 0.5, y as f32 + 0.5));
                        (low, high) = (sd, sd);
                        sd < limit
                    };
                    if beyond {
                        beyond_hairline[i] = true;
                        if labels[i] == Label::Skin {
                            labels[i] = Label::Face;
                            scalp[i] = false;
                        }
                    }
                }
            }
        }
        hairline = Some(Hairline { points: grid_pts.iter().map(|&p| full(p)).collect(), ..line });
    }
    // Thinning: hair pixels where skin shows through nearby (mixed neighbourhoods) are part of
    // the treatable scalp (density treatment puts dots between the hairs, never on them).
    let skin_f: Vec<f32> = scalp.iter().map(|&b| b as u8 as f32).collect();
    let skin_share = box_mean(&skin_f, w, h, (w / 64).max(2));
    let mut thinning = 0usize;
    for i in 0..n {
        if labels[i] == Label::Hair && skin_share[i] > 0.3 {
            scalp[i] = true;
            thinning += 1;
        }
    }
    // The main scalp region and parts of comparable size; specks, an ear or an arm beside the
    // head go.
    // The learned face zones are never part of the area (not even brows or beard as thinning).
    for (i, on) in scalp.iter_mut().enumerate() {
        *on &= !in_face_zone(i) && !beyond_hairline[i];
    }
    // Beside a face outline the area fades out over its feather (no hard edge along the face).
    for (f, z) in fade.iter_mut().zip(&face_zone_weight) {
        *f *= 1.0 - z;
    }
    let (sid, ssizes) = components(&scalp, w, h);
    let largest = ssizes.iter().skip(1).copied().max().unwrap_or(0);
    let min_part = (n / 400).max(12).max(largest * 15 / 100);
    let scalp: Vec<bool> = (0..n).map(|i| scalp[i] && ssizes[sid[i] as usize] >= min_part).collect();
    let scalp_count = scalp.iter().filter(|&&b| b).count();

    let hair_rgb = mean_rgb(&grid, |i| labels[i] == Label::Hair);
    let skin_rgb = mean_rgb(&grid, |i| scalp[i] && labels[i] != Label::Hair)
        .or_else(|| mean_rgb(&grid, |i| matches!(labels[i], Label::Skin | Label::Face)));

    // Advice.
    let hair_share = hair_count as f32 / head_count as f32;
    let bare_share = (scalp_count - thinning.min(scalp_count)) as f32 / head_count as f32;
    if let Some(hc) = hair_rgb {
        let lut = srgb_to_linear_table();
        let [hl, _ha, hb] = lab_from_linear(lut[hc[0] as usize], lut[hc[1] as usize], lut[hc[2] as usize]);
        // Light, and not clearly darker than the skin: ash-dark dots show through light hair, and
        // "hair" much darker than the skin is no light hair (on a shaved scalp in a grey-cast
        // photo the stubble is both light and darker than the skin).
        let skin_l = skin_rgb.map(|c| lab_from_linear(lut[c[0] as usize], lut[c[1] as usize], lut[c[2] as usize])[0]);
        let light = (hl > 52.0 || (hl > 45.0 && hb > 18.0)) && skin_l.is_none_or(|sl| hl > sl - 10.0);
        // Long: hair reaches below the eyes (front) or makes most of the head.
        let hair_low = (0..n).filter(|&i| labels[i] == Label::Hair).map(|i| i / w).max().unwrap_or(0);
        let long = match face {
            Some((l, r, _)) => hair_low as f32 > 0.5 * (l.y + r.y) + 1.0 * l.distance(r),
            None => hair_share > 0.6,
        };
        if light && long && hair_share > 0.3 {
            advice.push(Advice::LightLongHair);
        }
    }
    let no_loss = bare_share < 0.04 && hair_share > 0.35;
    if no_loss {
        advice.push(Advice::NoHairLoss);
    }
    let area_on: Vec<bool> = if no_loss { vec![false; n] } else { scalp };
    // A soft mask: a 1-px blur of the binary area keeps edges smooth when upsampled.
    let soft = box_mean(&area_on.iter().zip(&fade).map(|(&b, &f)| b as u8 as f32 * f).collect::<Vec<_>>(), w, h, 1);
    let mut area = AreaMask::empty(gw, gh, full_width, full_height);
    for (d, v) in area.data.iter_mut().zip(soft) {
        *d = round_nonneg(v * 255.0) as u8;
    }
    let hair_near_area_rgb = hair_colour_near(&grid, &labels, &area.data, w, h);
    Detection {
        grid_width: gw,
        grid_height: gh,
        labels,
        view: Some(view),
        face: face_out,
        area,
        hairline,
        px_per_mm,
        hair_rgb,
        skin_rgb,
        hair_near_area_rgb,
        advice,
    }
}

/// The colour of the hair the dots must match: hair labelled within about 4 % of the grid's
/// longer side (roughly a centimetre on a head photo) of the marked area (`area`: the soft area
/// on the grid, marked from 128), the darker three quarters of it (a grey wall or shine taken for
/// hair only lifts the lightest part). `None` when there are fewer than 12 such grid px (a
/// clean-shaven head).
fn hair_colour_near(grid: &RgbaImage, labels: &[Label], area: &[u8], w: usize, h: usize) -> Option<[u8; 3]> {
    if w == 0 || h == 0 || labels.len() != w * h || area.len() != w * h || grid.data.len() != w * h * 4 {
        return None;
    }
    let marked: Vec<bool> = area.iter().map(|&v| v >= 128).collect();
    let near = dilate(&marked, w, h, (w.max(h) / 25).max(2));
    let lut = srgb_to_linear_table();
    let mut hair: Vec<(f32, [u8; 3])> = labels
        .iter()
        .zip(&near)
        .zip(grid.data.chunks_exact(4))
        .filter(|((&label, &near), _)| label == Label::Hair && near)
        .map(|(_, p)| (luminance(lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]), [p[0], p[1], p[2]]))
        .collect();
    if hair.len() < 12 {
        return None;
    }
    hair.sort_by(|a, b| a.0.total_cmp(&b.0));
    let darker = &hair[..hair.len() * 3 / 4];
    let mut acc = [0u64; 3];
    for (_, p) in darker {
        for c in 0..3 {
            acc[c] += p[c] as u64;
        }
    }
    Some(acc.map(|a| (a / darker.len() as u64) as u8))
}

/// A hairline for a front view without a face, in grid px, left temple to right: its middle
/// 0.62 head widths below the head's top, centred on the head's row there, the points at a
/// quarter of that row's width 0.03 head widths higher, the temples at 0.45 of it 0.12 higher.
fn hairline_without_face(head: &[bool], w: usize, h: usize, top: usize, head_width_px: f32) -> Vec<Point> {
    let mid_y = (top as f32 + 0.62 * head_width_px).min(h.saturating_sub(1) as f32);
    let row = (mid_y as usize).min(h.saturating_sub(1));
    let cols: Vec<usize> = (0..w).filter(|&x| head.get(row * w + x).copied().unwrap_or(false)).collect();
    let (left, right) = match (cols.first(), cols.last()) {
        (Some(&l), Some(&r)) if r > l => (l as f32, r as f32 + 1.0),
        _ => (0.5 * w as f32 - 0.5 * head_width_px, 0.5 * w as f32 + 0.5 * head_width_px),
    };
    let (cx, row_w) = (0.5 * (left + right), right - left);
    [(-0.45, 0.12), (-0.25, 0.03), (0.0, 0.0), (0.25, 0.03), (0.45, 0.12)]
        .iter()
        .map(|&(across, up)| Point::new(cx + across * row_w, (mid_y - up * head_width_px).max(0.0)))
        .collect()
}

/// The distance from the eye's centre to the tragion (the notch at the front of the ear) seen in
/// profile, about parallel to the Frankfort line, for adults (about 75-80 mm): the scale a
/// profile's suggested hairline is placed by (the head's length, the view's scale, is less sure
/// when the head is tilted or the hair is long).
pub const EYE_TO_TRAGION_MM: f32 = 78.0;

impl Profile {
    /// The eye is the mean of the model's two eye keypoints (together on a profile), the tragion
    /// the ear keypoint farther from the nose. `None` unless the nose lies ahead of the eye (on
    /// the line from the tragion through the eye) by 5-60 % of the eye-tragion distance and that
    /// distance is at least 4 grid px.
    fn from_keypoints(k: &[Point; 6]) -> Option<Profile> {
        use crate::face::{LEFT_EAR, LEFT_EYE, NOSE_TIP, RIGHT_EAR, RIGHT_EYE};
        if !k.iter().all(|p| p.is_finite()) {
            return None;
        }
        let eye = Point::new(0.5 * (k[RIGHT_EYE].x + k[LEFT_EYE].x), 0.5 * (k[RIGHT_EYE].y + k[LEFT_EYE].y));
        let nose = k[NOSE_TIP];
        let (a, b) = (k[RIGHT_EAR], k[LEFT_EAR]);
        let tragion = if a.distance(nose) >= b.distance(nose) { a } else { b };
        let d = eye.distance(tragion);
        if d < 4.0 {
            return None;
        }
        let ahead = ((nose.x - eye.x) * (eye.x - tragion.x) + (nose.y - eye.y) * (eye.y - tragion.y)) / (d * d);
        (0.05..0.6).contains(&ahead).then_some(Profile { eye, tragion })
    }

    /// Grid px per mm, by [`EYE_TO_TRAGION_MM`].
    fn px_per_mm(&self) -> f32 {
        self.eye.distance(self.tragion) / EYE_TO_TRAGION_MM
    }

    /// The profile's frame: the unit vector from the tragion toward the eye, the unit vector
    /// across it toward the top of the photo, and grid px per mm.
    fn frame(&self) -> (Point, Point, f32) {
        let d = self.eye.distance(self.tragion).max(1e-3);
        let fwd = Point::new((self.eye.x - self.tragion.x) / d, (self.eye.y - self.tragion.y) / d);
        let up = if fwd.x >= 0.0 { Point::new(fwd.y, -fwd.x) } else { Point::new(-fwd.y, fwd.x) };
        (fwd, up, self.px_per_mm())
    }

    /// The grid point `forward_mm` ahead of the tragion along the line to the eye and `up_mm`
    /// above that line (toward the top of the photo).
    fn at(&self, forward_mm: f32, up_mm: f32) -> Point {
        let (fwd, up, ppm) = self.frame();
        Point::new(
            self.tragion.x + (fwd.x * forward_mm + up.x * up_mm) * ppm,
            self.tragion.y + (fwd.y * forward_mm + up.y * up_mm) * ppm,
        )
    }

    /// The ear seen in profile: an ellipse behind the tragion, about 48 mm across and 60 mm tall,
    /// as a test on grid px (the frame computed once).
    fn ear(&self) -> impl Fn(Point) -> bool {
        let ((fwd, up, ppm), tragion) = (self.frame(), self.tragion);
        move |p: Point| {
            let (dx, dy) = (p.x - tragion.x, p.y - tragion.y);
            let forward_mm = (dx * fwd.x + dy * fwd.y) / ppm;
            let up_mm = (dx * up.x + dy * up.y) / ppm;
            ((forward_mm + 22.0) / 24.0).powi(2) + ((up_mm - 3.0) / 30.0).powi(2) <= 1.0
        }
    }
}

/// The hairline an artist draws on a side view, in grid px, from image-left to image-right (so
/// the scalp is on its left, as for a front hairline): the mid-frontal point, the temple point,
/// and the sideburn running down in front of the ear, placed from the profile's eye and tragion
/// ([`Profile::at`]). The mid-frontal point sits on the forehead's outline (`head`: the head's grid
/// px), 3 mm inside it, about 70 mm above the brows (80 mm along the curved forehead; the brows
/// are ~20 mm above the eye line), or lower (down to 60 mm above the eye line) where the outline
/// there lies behind the temple (a short head or a photo squeezed upright).
fn profile_hairline(profile: &Profile, head: &[bool], w: usize, h: usize) -> Vec<Point> {
    const TEMPLE: (f32, f32) = (48.0, 64.0);
    let is_head = |p: Point| {
        p.x >= 0.0 && p.y >= 0.0 && (p.x as usize) < w && (p.y as usize) < h && head[p.y as usize * w + p.x as usize]
    };
    // The forehead's outline at a height: the most forward head px on the line, scanning back.
    let outline = |up: f32| (0..=110).map(|k| 130.0 - k as f32).find(|&fwd| is_head(profile.at(fwd, up)));
    let frontal = (0..=6)
        .map(|k| 20.0 + 0.875 * HAIRLINE_ABOVE_BROWS_MM - 5.0 * k as f32)
        .find_map(|up| outline(up).map(|fwd| (fwd - 3.0, up)).filter(|&(fwd, _)| fwd >= TEMPLE.0 + 15.0))
        .unwrap_or((EYE_TO_TRAGION_MM, 20.0 + 0.875 * HAIRLINE_ABOVE_BROWS_MM));
    let mut pts: Vec<Point> =
        [frontal, TEMPLE, (17.0, 28.0), (17.0, -25.0)].iter().map(|&(fwd, up)| profile.at(fwd, up)).collect();
    // Facing right, the line above runs right to left: reverse it.
    if profile.eye.x > profile.tragion.x {
        pts.reverse();
    }
    pts
}

/// The detection grid for a photo of this size (aspect kept, longer side <= GRID_MAX_SIDE).
pub fn grid_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    if long <= GRID_MAX_SIDE {
        return (width.max(1), height.max(1));
    }
    let s = GRID_MAX_SIDE as f32 / long as f32;
    (((width as f32 * s).round() as u32).max(1), ((height as f32 * s).round() as u32).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_mask_is_not_used_where_it_sees_nobody() {
        // A flat wall: the mask calls almost nothing person, so it is not used (None), and a
        // degenerate grid does not panic.
        let wall = RgbaImage::from_fn(300, 200, |_, _| [150, 140, 130, 255]);
        assert!(person_on_grid(&wall, 64, 43).is_none());
        assert!(person_on_grid(&RgbaImage::new(0, 0), 4, 4).is_none());
        // A portrait: used, person in the middle, background in the top corners.
        let photo = crate::shared_photo("neg01_front_portrait_astronaut.png");
        let (w, h) = (128, 96);
        let p = person_on_grid(&photo, w, h).expect("the portrait's mask is used");
        assert!(p[20 * w + 64] > 0.9 && p[2 * w + 2] < 0.1 && p[2 * w + w - 3] < 0.1);
    }
    use crate::rng::hash3;

    /// A synthetic top-down head: a skin disc with a dark, busy hair rim, on a grey-blue floor.
    fn synthetic_head(w: u32, h: u32) -> RgbaImage {
        let (cx, cy, r) = (w as f32 / 2.0, h as f32 / 2.0, w.min(h) as f32 * 0.36);
        RgbaImage::from_fn(w, h, |x, y| {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let n = (hash3(3, x as u64, y as u64) % 60) as u8;
            if d < r * 0.8 {
                let k = (hash3(5, x as u64, y as u64) % 6) as u8;
                [205 + k, 160 + k, 135 + k, 255]
            } else if d < r {
                [30 + n / 2, 25 + n / 3, 20 + n / 3, 255]
            } else {
                [90, 100, 120, 255]
            }
        })
    }

    #[test]
    fn a_bald_top_view_gives_the_scalp_inside_the_hair_rim() {
        let img = synthetic_head(400, 300);
        let d = detect(&img, 800, 600);
        assert!(d.advice.is_empty(), "{:?}", d.advice);
        // The area covers the skin disc (about 0.8² of the head disc) and not the floor.
        let m = d.area.resample(400, 300);
        assert_eq!(m.get(200, 150), 255);
        assert_eq!(m.get(10, 10), 0);
        assert_eq!(m.get(200 + 120, 150), 0, "the hair rim is not scalp");
        let expected = std::f32::consts::PI * (0.36 * 300.0 * 0.8f32).powi(2) / (400.0 * 300.0);
        assert!((d.area.coverage() / expected - 1.0).abs() < 0.2, "{} vs {expected}", d.area.coverage());
        // Scale from the head's width (the hair disc, ~155 mm), in full-image px.
        let (ppm, source) = d.px_per_mm.unwrap();
        assert_eq!(source, ScaleSource::HeadWidth);
        let expected = 2.0 * 0.36 * 300.0 * 2.0 / HEAD_WIDTH_MM;
        assert!((ppm / expected - 1.0).abs() < 0.15, "{ppm} vs {expected}");
        assert!(d.hair_rgb.unwrap()[0] < 80 && d.skin_rgb.unwrap()[0] > 180);
    }

    #[test]
    fn a_landscape_or_a_flat_picture_is_not_a_head() {
        let landscape = RgbaImage::from_fn(320, 240, |x, y| {
            let n = (hash3(9, x as u64, y as u64) % 20) as u8;
            if y < 120 {
                [110 + (y / 4) as u8, 160 + (y / 6) as u8, 230, 255]
            } else {
                [40 + n, 120 + n, 40 + n / 2, 255]
            }
        });
        let skin_wall = RgbaImage::from_fn(300, 200, |x, y| [200, 150 + ((x + y) % 7) as u8, 130, 255]);
        for img in [landscape, RgbaImage::from_fn(300, 200, |_, _| [128, 128, 128, 255]), skin_wall] {
            let d = detect(&img, img.width, img.height);
            assert_eq!(d.advice, vec![Advice::NoHead]);
            assert!(d.area.is_empty() && d.hairline.is_none());
        }
    }

    #[test]
    fn tiny_or_degenerate_input_never_panics() {
        for (w, h) in [(1, 1), (3, 200), (200, 3), (16, 16), (17, 40)] {
            let img = RgbaImage::from_fn(w, h, |x, y| [(x * 37 % 256) as u8, (y * 91 % 256) as u8, 120, 255]);
            let d = detect(&img, w, h);
            assert_eq!(d.labels.len(), (d.grid_width * d.grid_height) as usize);
        }
        let d = detect(&synthetic_head(64, 64), 0, 0);
        assert_eq!(d.advice, vec![Advice::NoHead]);
        assert!(!is_head_of_hair(&[], 0, 0) && !is_head_of_hair(&[Feat::default(); 3], 20, 20));
        assert_eq!(bottom_skin_reach(&[], 0, 0), 0.0);
        assert_eq!(bottom_skin_reach(&[Label::Skin; 6], 3, 2), 0.0);
        assert_eq!(bottom_skin_reach(&[Label::Skin, Label::Hair, Label::Hair, Label::Skin], 2, 2), 1.0);
    }

    #[test]
    fn the_grid_keeps_the_aspect_and_caps_the_long_side() {
        assert_eq!(grid_size(4000, 3000), (256, 192));
        assert_eq!(grid_size(100, 50), (100, 50));
        assert_eq!(grid_size(20000, 20), (256, 1));
    }

    #[test]
    fn a_front_face_with_closed_eyes_is_found_and_never_treated() {
        // hl03: bald top, eyes closed, head tilted down; the classical eye search missed it and
        // marked the forehead and face. The learned detector finds it.
        let img = crate::shared_photo("hl03_front_L6_15-Front.jpg");
        let d = detect(&img, img.width, img.height);
        assert_eq!(d.view, Some(View::Front));
        let f = d.face.expect("the face");
        let (ppm, source) = d.px_per_mm.unwrap();
        assert_eq!(source, ScaleSource::EyeDistance);
        assert!((f.left_eye.distance(f.right_eye) / EYE_DISTANCE_MM - ppm).abs() < 1e-3);
        // The eyes are level-ish and apart by a plausible share of the photo's width.
        let eyes_apart = f.left_eye.distance(f.right_eye) / img.width as f32;
        assert!((0.15..0.45).contains(&eyes_apart), "{eyes_apart}");
        // No dots between the eyes, on the nose or on the cheeks; the suggested hairline is above.
        let m = d.area.resample(img.width, img.height);
        let eye_mid = Point::new(0.5 * (f.left_eye.x + f.right_eye.x), 0.5 * (f.left_eye.y + f.right_eye.y));
        let ed = f.left_eye.distance(f.right_eye);
        for (dx, dy) in [(0.0, 0.0), (0.0, 0.7), (-0.6, 0.6), (0.6, 0.6), (0.0, -0.5)] {
            let p = Point::new(eye_mid.x + dx * ed, eye_mid.y + dy * ed);
            assert_eq!(m.get(p.x as u32, p.y as u32), 0, "dots at {p:?}");
        }
        let top = d.hairline.unwrap().points[2];
        assert!(top.y < eye_mid.y - ed, "{top:?}");
    }

    /// A synthetic face on the grid: even skin, a dark pupil at each eye, and brows (dark, grey
    /// bands half an eye distance wide) whose tops are `brows_top` eye distances above the eyes
    /// (`None`: no brow on that side).
    fn face_feats(w: usize, h: usize, l: Point, r: Point, brows_top: [Option<f32>; 2]) -> Vec<Feat> {
        let ed = l.distance(r);
        let skin = Feat { l: 68.0, a: 18.0, b: 16.0, tex: 0.5 };
        let mut feats = vec![skin; w * h];
        for (eye, top) in [(l, brows_top[0]), (r, brows_top[1])] {
            for y in 0..h {
                for x in 0..w {
                    let (dx, dy) = (x as f32 + 0.5 - eye.x, eye.y - (y as f32 + 0.5));
                    let pupil = dx * dx + dy * dy < (0.08 * ed).powi(2);
                    let brow = top.is_some_and(|t| dx.abs() < 0.3 * ed && dy <= t * ed && dy > (t - 0.1) * ed);
                    if pupil || brow {
                        feats[y * w + x] = Feat { l: 30.0, a: 4.0, b: 5.0, tex: 2.0 };
                    }
                }
            }
        }
        feats
    }

    #[test]
    fn brows_are_found_above_the_eyes_or_left_to_the_estimate() {
        let (w, h) = (160, 140);
        let (l, r) = (Point::new(50.0, 80.0), Point::new(110.0, 80.0));
        for top in [0.2f32, 0.35, 0.5] {
            let feats = face_feats(w, h, l, r, [Some(top), Some(top)]);
            let found = find_brows(&feats, w, h, l, r).expect("both brows");
            assert!((found - top).abs() <= 0.04, "brows at {top}, found {found}");
        }
        // A fringe low on the forehead (dark across the whole face, 0.5-0.65 eye distances up)
        // is not taken for the brows below it.
        let mut fringed = face_feats(w, h, l, r, [Some(0.3), Some(0.3)]);
        for (i, f) in fringed.iter_mut().enumerate() {
            let up = (l.y - (i / w) as f32 - 0.5) / l.distance(r);
            if (0.5..0.65).contains(&up) {
                *f = Feat { l: 25.0, a: 5.0, b: 8.0, tex: 3.0 };
            }
        }
        let found = find_brows(&fringed, w, h, l, r).expect("both brows under the fringe");
        assert!((found - 0.3).abs() <= 0.04, "{found}");
        // No brows (bare skin, the pupils only), one brow missing, or brows at clearly different
        // heights: not found, so the caller uses its estimate.
        for tops in [[None, None], [Some(0.35), None], [Some(0.2), Some(0.5)]] {
            assert_eq!(find_brows(&face_feats(w, h, l, r, tops), w, h, l, r), None, "{tops:?}");
        }
        // Eyes at the grid's edge (the band leaves the grid) or on top of each other: no panic.
        let feats = face_feats(w, h, l, r, [Some(0.35), Some(0.35)]);
        assert_eq!(find_brows(&feats, w, h, Point::new(2.0, 3.0), Point::new(60.0, 3.0)), None);
        assert_eq!(find_brows(&feats, w, h, l, l), None);
        assert_eq!(find_brows(&feats, w, h, Point::new(f32::NAN, 80.0), r), None);
        assert_eq!(find_brows(&feats, w, h, l, Point::new(f32::INFINITY, 80.0)), None);
        assert_eq!(find_brows(&feats[1..], w, h, l, r), None);
    }

    #[test]
    fn the_brows_of_a_tilted_face_with_closed_eyes_are_found_near_the_eyes() {
        // hl03: the face mesh puts the eyes on the closed lids and the fair brows' top about 0.22
        // eye distances above them (not the 0.3 the estimate assumed); detection takes both from
        // the mesh (the eyes' centres and the brows' upper edges, on the grid).
        let img = crate::shared_photo("hl03_front_L6_15-Front.jpg");
        let d = detect(&img, img.width, img.height);
        let f = d.face.expect("the face");
        let ed = f.left_eye.distance(f.right_eye);
        let eyes_y = 0.5 * (f.left_eye.y + f.right_eye.y);
        let brows_above = (eyes_y - f.brow_mid.y) / ed;
        assert!((0.15..0.3).contains(&brows_above), "{brows_above}");
        let found = crate::face::find_faces(&img).into_iter().find(|f| f.frontal).expect("the detector's face");
        let mesh = crate::landmarks::face_mesh(&img, &found.face).expect("its mesh");
        let (l, r) = mesh.eyes();
        // On the grid and back to full px: within a grid px (here ~12 full px) of the mesh's.
        let grid_px = img.width as f32 / d.grid_width as f32;
        assert!(f.left_eye.distance(l) < grid_px && f.right_eye.distance(r) < grid_px, "{f:?} vs {l:?} {r:?}");
        assert!((brows_above - mesh.brows_above_eyes()).abs() < 0.02, "{brows_above} vs {}", mesh.brows_above_eyes());
    }

    #[test]
    fn a_face_mesh_on_a_head_tilted_down_gives_the_brows_as_hair() {
        // hl08 (near-full hair, head tilted down): the mesh scores 0.10 but sits on the photo's
        // eyes and brows, so it is used: the brows' line comes from it and the brows are hair.
        let img = crate::shared_photo("hl08_front_L2_22-Front.jpg");
        let d = detect(&img, img.width, img.height);
        let f = d.face.expect("the face");
        let found = crate::face::find_faces(&img).into_iter().find(|f| f.frontal).expect("the detector's face");
        let mesh = crate::landmarks::face_mesh(&img, &found.face).expect("its mesh");
        assert!(mesh.presence < 0.5 && mesh.is_trusted_front(&found.face, MESH_MIN_PRESENCE), "{}", mesh.presence);
        let ed = f.left_eye.distance(f.right_eye);
        let brows_above = (0.5 * (f.left_eye.y + f.right_eye.y) - f.brow_mid.y) / ed;
        assert!((brows_above - mesh.brows_above_eyes()).abs() < 0.02, "{brows_above}");
        // The brows' middle (between the upper and lower edges) is labelled hair on the grid.
        let to_grid = d.grid_width as f32 / img.width as f32;
        for (upper, lower) in [
            (crate::landmarks::RIGHT_BROW_UPPER, crate::landmarks::RIGHT_BROW_LOWER),
            (crate::landmarks::LEFT_BROW_UPPER, crate::landmarks::LEFT_BROW_LOWER),
        ] {
            let (a, b) = (mesh.points[upper[2]], mesh.points[lower[2]]);
            let mid = Point::new(0.5 * (a.x + b.x), 0.5 * (a.y + b.y)).scaled(to_grid);
            assert_eq!(d.label_at(mid.x as u32, mid.y as u32), Label::Hair, "brow at {mid:?}");
        }
    }

    #[test]
    fn the_outline_zone_is_clipped_at_the_brows_and_feathered() {
        // A square outline 0..100 cut at y = 40 (up is -y): the part below the line is kept.
        let square = [Point::new(0.0, 0.0), Point::new(100.0, 0.0), Point::new(100.0, 100.0), Point::new(0.0, 100.0)];
        let below = clip_polygon(&square, Point::new(50.0, 40.0), Point::new(0.0, -1.0));
        assert!(below.iter().all(|p| p.y >= 40.0 - 1e-4) && below.len() == 4, "{below:?}");
        assert!(clip_polygon(&square, Point::new(50.0, 200.0), Point::new(0.0, -1.0)).is_empty());
        let zone = FaceZone::Outline { polygon: below, feather_px: 4.0 };
        assert_eq!(zone.weight(50, 70), 1.0);
        assert_eq!(zone.weight(150, 70), 0.0);
        assert_eq!(zone.weight(50, 20), 0.0);
        // Across the edge at x = 100: a ramp, about half on the outline.
        let (inside, edge, outside) = (zone.weight(98, 70), zone.weight(100, 70), zone.weight(101, 70));
        assert!(inside > edge && edge > outside && (0.3..0.7).contains(&edge), "{inside} {edge} {outside}");
        // On a grid: every px as weight() says, those beyond the outline's reach included.
        for zone in [zone, FaceZone::Box([10.0, 20.0, 30.5, 40.0])] {
            let (w, h) = (160, 120);
            let mut weights = vec![0f32; w * h];
            zone.add_weights(&mut weights, w, h);
            for (i, v) in weights.iter().enumerate() {
                assert_eq!(*v, zone.weight(i % w, i / w), "px {}, {}", i % w, i / w);
            }
        }
    }

    #[test]
    fn a_profile_hairline_runs_left_to_right_with_the_scalp_above_it_and_sits_on_the_forehead() {
        // A head facing left and the same mirrored: the eye 78 grid px ahead of the tragion (1 px
        // per mm), the head a disc around (110, 90) of radius 80.
        let (w, h) = (220usize, 200usize);
        let disc: Vec<bool> = (0..w * h)
            .map(|i| Point::new((i % w) as f32, (i / w) as f32).distance(Point::new(110.0, 90.0)) < 80.0)
            .collect();
        let mirrored: Vec<bool> = (0..w * h).map(|i| disc[(i / w) * w + (w - 1 - i % w)]).collect();
        let left = Profile { eye: Point::new(60.0, 110.0), tragion: Point::new(138.0, 110.0) };
        let right = Profile { eye: Point::new(160.0, 110.0), tragion: Point::new(82.0, 110.0) };
        for (p, head) in [(left, &disc), (right, &mirrored)] {
            assert!((p.px_per_mm() - 1.0).abs() < 1e-6);
            let pts = profile_hairline(&p, head, w, h);
            assert_eq!(pts.len(), 4);
            assert!(pts[0].x < pts[3].x, "image-left to image-right: {pts:?}");
            // The mid-frontal point lies on the head, 3 mm inside its outline.
            let frontal = if p.eye.x < p.tragion.x { pts[0] } else { pts[3] };
            let d = frontal.distance(Point::new(110.0, 90.0));
            assert!((74.0..80.0).contains(&d), "{frontal:?} is {d} from the centre");
            // The scalp (the crown, above) is on the treated side, the eye on the other.
            let line = Hairline { points: pts, feather_mm: 6.0, treated_side: HairlineSide::Left, breakup: 0.0 };
            let field = line.field(1.0, 1.0, 0).unwrap();
            assert!(field.signed_distance(Point::new(110.0 - (p.eye.x - 110.0) * 0.3, 30.0)) > 0.0);
            assert!(field.signed_distance(p.eye) < -20.0);
            // The ear: behind the tragion, not ahead of it.
            let behind = Point::new(p.tragion.x - (p.eye.x - p.tragion.x) * 0.25, p.tragion.y);
            let in_ear = p.ear();
            assert!(in_ear(behind) && !in_ear(Point::new(0.5 * (p.eye.x + p.tragion.x), p.tragion.y)));
        }
        // Keypoints that are no profile (the nose behind the eye, or all together) give none.
        let k = |nose_x: f32| {
            let mut k = [Point::new(60.0, 110.0); 6];
            k[crate::face::NOSE_TIP] = Point::new(nose_x, 115.0);
            k[crate::face::RIGHT_EAR] = Point::new(138.0, 110.0);
            k[crate::face::LEFT_EAR] = Point::new(100.0, 110.0);
            k
        };
        assert_eq!(Profile::from_keypoints(&k(45.0)), Some(left));
        assert_eq!(Profile::from_keypoints(&k(80.0)), None);
        assert_eq!(Profile::from_keypoints(&[Point::new(5.0, 5.0); 6]), None);
    }

    #[test]
    fn a_shared_profile_gets_a_side_hairline_and_its_face_and_ear_are_not_treated() {
        // hl13: a bald top seen from the right, a beard. Eye at about (520, 375), the ear around
        // (385, 420) in the 640 px photo.
        let img = crate::shared_photo("hl13_right_L5_26-Right.jpg");
        let d = detect(&img, img.width, img.height);
        assert_eq!(d.view, Some(View::Side));
        let line = d.hairline.as_ref().expect("a suggested side hairline");
        assert_eq!(line.points.len(), 4);
        let at = |x: u32, y: u32| {
            d.area.data[((y * d.grid_height / img.height) * d.grid_width + x * d.grid_width / img.width) as usize]
        };
        assert_eq!(at(520, 375), 0, "the eye");
        assert_eq!(at(560, 500), 0, "the beard");
        assert_eq!(at(385, 420), 0, "the ear");
        assert!(at(420, 120) > 200, "the bald top");
    }

    #[test]
    fn a_bare_neck_below_a_back_view_gets_a_nape_line_and_no_dots() {
        // hl19: a shaved head from behind, the bare neck and shoulders below it.
        let img = crate::shared_photo("hl19_back_L5_7-Back.jpg");
        let d = detect(&img, img.width, img.height);
        assert_eq!(d.view, Some(View::Back));
        assert!(d.hairline.is_some(), "a nape line to drag");
        let at = |x: u32, y: u32| {
            d.area.data[((y * d.grid_height / img.height) * d.grid_width + x * d.grid_width / img.width) as usize]
        };
        assert!(at(320, 150) > 200, "the crown");
        assert_eq!(
            d.label_at(200 * d.grid_width / img.width, 500 * d.grid_height / img.height),
            Label::Face,
            "the neck"
        );
        assert_eq!(at(200, 500), 0, "the neck");
    }

    #[test]
    fn skin_in_shadow_next_to_the_skin_becomes_skin_but_not_hair_a_grey_garment_or_a_far_wall() {
        // Columns, left to right: lit skin, the same skin in shadow, busy brown hair as dark and
        // as orange as that shadow, a grey garment, then a skin-coloured shadow the person mask
        // calls background. Rows 0-9 also hold a shadowed patch cut off from the skin by the hair.
        let (w, h) = (50usize, 20usize);
        let feat = |l: f32, a: f32, b: f32, tex: f32| Feat { l, a, b, tex };
        let mut feats = Vec::new();
        let mut labels = Vec::new();
        let mut person = Vec::new();
        for _y in 0..h {
            for x in 0..w {
                let (f, label, p) = match x {
                    0..=9 => (feat(65.0, 15.0, 20.0, 1.0), Label::Skin, 1.0),
                    10..=19 => (feat(35.0, 8.0, 10.7, 1.0), Label::Background, 1.0),
                    20..=29 => (feat(30.0, 6.9, 9.2, 6.0), Label::Hair, 1.0),
                    30..=39 => (feat(35.0, 1.0, 1.0, 1.0), Label::Background, 1.0),
                    _ => (feat(35.0, 8.0, 10.7, 1.0), Label::Background, 0.0),
                };
                feats.push(f);
                labels.push(label);
                person.push(p);
            }
        }
        skin_in_shadow(&mut labels, &feats, &person, w, h);
        let at = |x: usize| labels[5 * w + x];
        assert_eq!(at(15), Label::Skin, "the shadowed skin");
        assert_eq!(at(25), Label::Hair, "busy hair stays hair");
        assert_eq!(at(35), Label::Background, "a grey garment stays");
        assert_eq!(at(45), Label::Background, "what the mask calls background stays");
        // Without the mask's agreement on the skin itself, nothing changes.
        let mut unchanged = labels.clone();
        unchanged[5 * w + 15] = Label::Background;
        let before = unchanged.clone();
        skin_in_shadow(&mut unchanged, &feats, &vec![0.2; w * h], w, h);
        assert_eq!(unchanged, before);
        // Mismatched sizes are ignored, not a panic.
        skin_in_shadow(&mut labels, &feats[1..], &person, w, h);
    }

    #[test]
    fn a_neck_is_a_narrowing_below_the_widest_row_with_shoulders_below_it() {
        // Rows of a head (a dome widening to 100 px), a neck of 60 px, shoulders of 140 px.
        let dome: Vec<usize> =
            (0..50).map(|y| (100.0 * (1.0 - ((50 - y) as f32 / 50.0).powi(2)).sqrt()) as usize).collect();
        let with = |rest: &[(usize, usize)]| {
            let mut v = dome.clone();
            for &(width, rows) in rest {
                v.extend(std::iter::repeat_n(width, rows));
            }
            v
        };
        assert!(narrows_to_a_neck(&with(&[(100, 10), (60, 15), (140, 15)])));
        // Shoulders wider than the head, below the neck: still a neck.
        assert!(narrows_to_a_neck(&with(&[(100, 5), (70, 10), (160, 30)])));
        // A forehead widening to the photo's edge; a dome narrowing to a chin with nothing below;
        // a neck running out of the photo without shoulders.
        assert!(!narrows_to_a_neck(&with(&[(100, 20), (105, 20)])));
        assert!(!narrows_to_a_neck(&with(&[(90, 10), (70, 10), (50, 10)])));
        assert!(!narrows_to_a_neck(&with(&[(100, 10), (60, 20)])));
        assert!(!narrows_to_a_neck(&[]));
        assert!(!narrows_to_a_neck(&[0, 0, 0]));
    }

    #[test]
    fn the_view_of_unambiguous_shared_photos() {
        // A face seen from the front, profiles (hl13 with a beard, hl16 with full hair), a bald
        // top seen from above with nothing at the bottom edge, a shaved back of the head with the
        // neck at the bottom, and a bald top with the forehead below it (the face out of the
        // photo: no face found).
        for (file, view) in [
            ("hl03_front_L6_15-Front.jpg", View::Front),
            ("neg01_front_portrait_astronaut.png", View::Front),
            ("hl13_right_L5_26-Right.jpg", View::Side),
            ("hl16_left_L2_28-Left.jpg", View::Side),
            ("hl21_top_L5_13-Top-Down.jpg", View::Top),
            // hl18 (a bald back whose thick neck runs into the scalp, cut by the photo at the
            // shoulders) is taken for a front view: see docs/detection.md. hl19's narrows to a
            // neck.
            ("hl29_back_L6_22-Back.jpg", View::Back),
            ("hl19_back_L5_7-Back.jpg", View::Back),
            ("hl04_front_L6_2-Front.jpg", View::Front),
        ] {
            let img = crate::shared_photo(file);
            assert_eq!(detect(&img, img.width, img.height).view, Some(view), "{file}");
        }
    }

    #[test]
    fn a_head_of_hair_without_skin_is_a_head_with_no_hair_loss() {
        // Dark, busy hair filling the middle of a plain light wall: no skin to start from, but a
        // head, and no scalp showing.
        let (w, h) = (300u32, 300u32);
        let hair = RgbaImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 - 150.0, (y as f32 - 140.0) / 1.2);
            let n = (hash3(11, x as u64, y as u64) % 70) as u8;
            if dx * dx + dy * dy < 100.0 * 100.0 {
                [35 + n, 33 + n, 32 + n, 255]
            } else {
                [228, 228, 226, 255]
            }
        });
        let d = detect(&hair, w, h);
        assert_eq!(d.advice, vec![Advice::NoHairLoss]);
        assert!(d.area.is_empty());
        // hl20: full grey hair from behind (the neck hardly shows) was "no head found".
        let img = crate::shared_photo("hl20_back_L3_40-Back.jpg");
        let d = detect(&img, img.width, img.height);
        assert_eq!(d.advice, vec![Advice::NoHairLoss]);
        assert!(d.area.is_empty());
    }

    #[test]
    fn a_shaved_head_in_a_grey_cast_photo_is_found() {
        // hl10: a shaved head from the side in a photo with a grey cast: too little skin-coloured
        // skin for the skin seed; the fallback seed (the smooth, warm, lighter middle) finds it.
        let img = crate::shared_photo("hl10_left_L7_15-Left.jpg");
        let d = detect(&img, img.width, img.height);
        assert!(!d.advice.contains(&Advice::NoHead), "{:?}", d.advice);
        assert_eq!(d.view, Some(View::Side));
        assert!(d.area.coverage() > 0.02, "{}", d.area.coverage());
        // The top of the head (a third down, in the middle) is scalp.
        let m = d.area.resample(img.width, img.height);
        assert!(m.get(img.width / 2, img.height / 6) > 128);
    }

    /// A head from above: a skin disc (radius `skin_r` of the head's) inside a busy hair rim of
    /// the given colour, on a blue-grey floor.
    fn head_with_hair(skin: [u8; 3], hair: [u8; 3], skin_r: f32) -> RgbaImage {
        let (w, h) = (400u32, 300u32);
        let (cx, cy, r) = (200.0, 150.0, 300.0 * 0.4);
        RgbaImage::from_fn(w, h, |x, y| {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let n = (hash3(13, x as u64, y as u64) % 50) as u8;
            if d < r * skin_r {
                [skin[0], skin[1], skin[2], 255]
            } else if d < r {
                [hair[0].saturating_add(n) - 25, hair[1].saturating_add(n) - 25, hair[2].saturating_add(n) - 25, 255]
            } else {
                [70, 85, 110, 255]
            }
        })
    }

    #[test]
    fn light_hair_covering_the_head_gets_advice_unless_darker_than_the_skin() {
        // Light grey hair over most of the head, a little skin: light hair worn long.
        let grey = head_with_hair([200, 150, 130], [175, 172, 168], 0.45);
        let d = detect(&grey, 400, 300);
        assert!(d.advice.contains(&Advice::LightLongHair), "{:?}", d.advice);
        // The same "light" (L* > 52) hair, on skin much lighter than it: not light hair for
        // the dots (and on hl10, a shaved head in a grey-cast photo, the stubble is that).
        let darker = head_with_hair([250, 215, 200], [150, 146, 142], 0.45);
        let d = detect(&darker, 400, 300);
        assert!(!d.advice.contains(&Advice::LightLongHair), "{:?}", d.advice);
        let img = crate::shared_photo("hl10_left_L7_15-Left.jpg");
        let d = detect(&img, img.width, img.height);
        assert!(!d.advice.contains(&Advice::LightLongHair), "{:?}", d.advice);
    }

    #[test]
    fn the_shared_bald_top_down_photo_gets_a_scalp_area() {
        let img = crate::shared_photo("hl22_top_L7_16-Top-Down.jpg");
        let d = detect(&img, img.width, img.height);
        assert!(d.advice.is_empty(), "{:?}", d.advice);
        assert!(d.area.coverage() > 0.1, "{}", d.area.coverage());
        // The centre of the crown is scalp.
        let m = d.area.resample(img.width, img.height);
        assert!(m.get(img.width / 2, img.height / 2) > 128);
        // So is the shiny right half of the top (it touches the head's outline: taken for grey
        // hair before shine was told from hair by its smoothness).
        for (fx, fy) in [(0.72, 0.38), (0.8, 0.3), (0.65, 0.45)] {
            let (x, y) = ((fx * img.width as f32) as u32, (fy * img.height as f32) as u32);
            assert!(m.get(x, y) > 128, "the shine at {x},{y}");
        }
        assert!(d.area.coverage() > 0.3, "{}", d.area.coverage());
    }

    #[test]
    fn the_hair_next_to_the_area_gives_its_colour_not_hair_far_away() {
        // A 100x100 grid: the area in the middle, dark brown hair in a band round it, and "hair"
        // far away in the corner that is really a light grey wall.
        let (w, h) = (100usize, 100usize);
        let brown = [70u8, 48, 32, 255];
        let wall = [200u8, 200, 198, 255];
        let inside = |x: usize, y: usize| (30..70).contains(&x) && (30..70).contains(&y);
        let grid = RgbaImage::from_fn(100, 100, |x, y| {
            let (x, y) = (x as usize, y as usize);
            if x < 20 && y < 20 {
                wall
            } else if inside(x, y) {
                [220, 180, 160, 255]
            } else {
                brown
            }
        });
        let mut labels = vec![Label::Background; w * h];
        let mut area = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                if inside(x, y) {
                    area[i] = 255;
                    labels[i] = Label::Skin;
                } else if (x < 20 && y < 20) || (25..75).contains(&x) && (25..75).contains(&y) {
                    labels[i] = Label::Hair;
                }
            }
        }
        let near = hair_colour_near(&grid, &labels, &area, w, h).expect("hair round the area");
        assert_eq!(near, [70, 48, 32]);
        assert_eq!(crate::photo_stats::HairTone::of(near), crate::photo_stats::HairTone::DarkBrown);
        // No area, or inconsistent sizes: nothing to say.
        assert_eq!(hair_colour_near(&grid, &labels, &vec![0; w * h], w, h), None);
        assert_eq!(hair_colour_near(&grid, &labels[..10], &area, w, h), None);
    }

    #[test]
    fn an_orange_brick_wall_behind_a_full_head_of_hair_gets_no_dots() {
        // hl15: the smooth orange wall was the biggest skin-like region, so it became the skin
        // seed and was marked as scalp; the person mask now steers the seed to the person.
        let img = crate::shared_photo("hl15_right_L2_24-Right.jpg");
        let d = detect(&img, img.width, img.height);
        let m = d.area.resample(img.width, img.height);
        // The wall at the top right (bricks between the mortar lines).
        let wall = [(0.62, 0.05), (0.8, 0.1), (0.95, 0.3), (0.9, 0.5)];
        for (fx, fy) in wall {
            let (x, y) = ((fx * img.width as f32) as u32, (fy * img.height as f32) as u32);
            assert_eq!(m.get(x, y), 0, "dots on the wall at {x},{y}");
        }
        assert!(d.area.coverage() < 0.02, "{}", d.area.coverage());
    }

    #[test]
    fn a_front_view_without_a_face_gets_a_curved_editable_hairline_not_a_straight_cut() {
        // hl01 and hl04: scalps seen from above the forehead, no face in the photo.
        for name in ["hl01_front_L5_1-Front.jpg", "hl04_front_L6_2-Front.jpg"] {
            let img = crate::shared_photo(name);
            let d = detect(&img, img.width, img.height);
            assert_eq!((d.view, d.face.is_none()), (Some(View::Front), true), "{name}");
            let line = d.hairline.as_ref().unwrap_or_else(|| panic!("{name}: a hairline"));
            let p = &line.points;
            assert_eq!(p.len(), 5);
            // Its middle is nearest the face (lowest in the photo), the temples recede.
            assert!(p[2].y > p[1].y && p[1].y > p[0].y && p[2].y > p[3].y && p[3].y > p[4].y, "{name}: {p:?}");
            assert!(p[0].x < p[2].x && p[2].x < p[4].x);
            // Dots above the line's middle, none well below it (the forehead).
            let m = d.area.resample(img.width, img.height);
            let (x, y) = (p[2].x as u32, p[2].y);
            let feather_px = 6.0 * d.px_per_mm.unwrap().0;
            let below = (y + 3.0 * feather_px) as u32;
            if below < img.height {
                assert_eq!(m.get(x, below), 0, "{name}: the forehead at {x},{below}");
            }
            let above = (0..(y - 3.0 * feather_px) as u32).rev().take(40).filter(|&yy| m.get(x, yy) > 128).count();
            assert!(above > 20, "{name}: the scalp above the line ({above} of 40)");
            // The limit is the line, not a band along a row: two points at the same height left
            // and right of the middle differ (one above the line, one not), row by row.
            let row = (p[0].y + p[2].y) as u32 / 2;
            let (inner, outer) = ((p[2].x as u32), p[0].x as u32 + 2);
            assert!(m.get(inner, row) > m.get(outer, row) || m.get(outer, row) == 0, "{name}: row {row}");
        }
    }
}
