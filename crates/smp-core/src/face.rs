//! A learned face detector: MediaPipe's BlazeFace short-range model run by a small pure-Rust
//! inference (no inference crate).
//!
//! The model (`models/blazeface.bin`, 206 KB of fp16 weights; embedded with the default feature
//! `embedded-face-model`, or handed over with [`install_model`]) is converted by `scripts/face-model`
//! from `face_detection_short_range.tflite` in the PyPI wheel `mediapipe==0.10.14` (Apache-2.0,
//! see `models/NOTICE`). The file is a list of ops (CONV_2D, DEPTHWISE_CONV_2D, ADD, RELU,
//! MAX_POOL_2D, PAD, RESHAPE, CONCATENATION; the .tflite's DEQUANTIZE ops are folded into the
//! weights) over numbered NHWC tensors, run by [`crate::nn`]; its format is described in
//! `scripts/face-model.py`.
//!
//! The pipeline follows MediaPipe's `face_detection_short_range.pbtxt` / `face_detection.pbtxt`:
//! the photo is letterboxed into a 128x128 RGB tensor in [-1, 1] (black borders); the model gives
//! 896 anchors x 16 regressors and 896 scores; SSD anchors (strides 8, 16, 16, 16: 16x16x2 +
//! 8x8x6, fixed size); boxes and 6 keypoints decoded with scale 128; sigmoid score (raw clipped at
//! ±100) at least 0.5; weighted non-max suppression at IoU 0.3.
//! Keypoints (the subject's right is the image's left in a front view): right eye, left eye, nose
//! tip, mouth centre, right ear tragion, left ear tragion.

use crate::geometry::Point;
use crate::nn::Model;
use crate::resize::downscale_area;
use crate::RgbaImage;

/// The model's input side, px.
pub const INPUT_SIDE: usize = 128;
/// Anchors (= detections before suppression) per run.
pub const NUM_ANCHORS: usize = 896;
/// MediaPipe's `min_score_thresh` for the short-range model.
pub const MIN_SCORE: f32 = 0.5;
/// MediaPipe's `min_suppression_threshold` (IoU).
const NMS_IOU: f32 = 0.3;
/// MediaPipe's `x_scale`, `y_scale`, `w_scale`, `h_scale`.
const DECODE_SCALE: f32 = 128.0;

crate::nn::model_slot!("embedded-face-model", "blazeface.bin", parse_model);

/// Parses a BlazeFace weight file ([`Model::parse`]) and checks it is one: a 128x128x3 input,
/// the regressors (896 x 16) and the scores (896) out.
pub fn parse_model(bytes: &[u8]) -> Result<Model, String> {
    Model::parse_expecting(bytes, [INPUT_SIDE, INPUT_SIDE, 3], &[[1, NUM_ANCHORS, 16], [1, NUM_ANCHORS, 1]])
}

/// The model: the one given to [`install_model`], else the embedded one (parsed once);
/// None in a build without embedded weights before `install_model`.
pub fn shipped_model() -> Option<&'static Model> {
    SLOT.get()
}

/// One detected face, in the pixel coordinates of the image given to [`detect_faces`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceBox {
    /// Sigmoid score, 0..1.
    pub score: f32,
    pub xmin: f32,
    pub ymin: f32,
    pub width: f32,
    pub height: f32,
    /// [`RIGHT_EYE`], [`LEFT_EYE`], [`NOSE_TIP`], [`MOUTH`], [`RIGHT_EAR`], [`LEFT_EAR`].
    pub keypoints: [Point; 6],
}

/// The subject's right eye (on the image's left in a front view).
pub const RIGHT_EYE: usize = 0;
pub const LEFT_EYE: usize = 1;
pub const NOSE_TIP: usize = 2;
pub const MOUTH: usize = 3;
pub const RIGHT_EAR: usize = 4;
pub const LEFT_EAR: usize = 5;

impl FaceBox {
    pub fn centre(&self) -> Point {
        Point::new(self.xmin + 0.5 * self.width, self.ymin + 0.5 * self.height)
    }

    /// Distance between the eye keypoints, px.
    pub fn eye_distance(&self) -> f32 {
        self.keypoints[RIGHT_EYE].distance(self.keypoints[LEFT_EYE])
    }

    /// The same face with every point mapped by `f` (e.g. to another image's px).
    pub fn map(&self, f: impl Fn(Point) -> Point) -> FaceBox {
        let a = f(Point::new(self.xmin, self.ymin));
        let b = f(Point::new(self.xmin + self.width, self.ymin + self.height));
        FaceBox {
            score: self.score,
            xmin: a.x.min(b.x),
            ymin: a.y.min(b.y),
            width: (b.x - a.x).abs(),
            height: (b.y - a.y).abs(),
            keypoints: self.keypoints.map(f),
        }
    }
}

/// SSD anchor centres (x, y) in 0..1, MediaPipe's SsdAnchorsCalculator with the short-range
/// options (fixed anchor size: every anchor is 1 x 1).
fn anchors() -> Vec<(f32, f32)> {
    let mut out = Vec::with_capacity(NUM_ANCHORS);
    // (stride, anchors per cell): strides 8, 16, 16, 16 with 2 anchors per layer (aspect 1 and
    // the interpolated one); the three stride-16 layers share one grid.
    for (stride, per_cell) in [(8usize, 2usize), (16, 6)] {
        let side = INPUT_SIDE.div_ceil(stride);
        for y in 0..side {
            for x in 0..side {
                for _ in 0..per_cell {
                    out.push(((x as f32 + 0.5) / side as f32, (y as f32 + 0.5) / side as f32));
                }
            }
        }
    }
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp())
}

/// Decodes the model's outputs into faces (coordinates in 0..1 of the 128x128 input), then the
/// weighted non-max suppression.
/// Empty if the slices are not 896 x 16 and 896 long.
pub fn decode(regressors: &[f32], raw_scores: &[f32], min_score: f32) -> Vec<FaceBox> {
    if regressors.len() != NUM_ANCHORS * 16 || raw_scores.len() != NUM_ANCHORS {
        return Vec::new();
    }
    let anchors = anchors();
    let mut found: Vec<FaceBox> = Vec::new();
    for (i, &(ax, ay)) in anchors.iter().enumerate() {
        let score = sigmoid(raw_scores[i]);
        if score < min_score {
            continue;
        }
        let r = &regressors[i * 16..(i + 1) * 16];
        let (cx, cy) = (r[0] / DECODE_SCALE + ax, r[1] / DECODE_SCALE + ay);
        let (w, h) = (r[2] / DECODE_SCALE, r[3] / DECODE_SCALE);
        let keypoints =
            std::array::from_fn(|k| Point::new(r[4 + 2 * k] / DECODE_SCALE + ax, r[5 + 2 * k] / DECODE_SCALE + ay));
        found.push(FaceBox { score, xmin: cx - 0.5 * w, ymin: cy - 0.5 * h, width: w, height: h, keypoints });
    }
    weighted_nms(found)
}

fn iou(a: &FaceBox, b: &FaceBox) -> f32 {
    let ix = (a.xmin + a.width).min(b.xmin + b.width) - a.xmin.max(b.xmin);
    let iy = (a.ymin + a.height).min(b.ymin + b.height) - a.ymin.max(b.ymin);
    if ix <= 0.0 || iy <= 0.0 {
        return 0.0;
    }
    let inter = ix * iy;
    let union = a.width * a.height + b.width * b.height - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's WEIGHTED non-max suppression: the best remaining detection and everything
/// overlapping it by more than the IoU threshold are averaged (box and keypoints, weighted by
/// score); the result keeps the best one's score.
fn weighted_nms(mut dets: Vec<FaceBox>) -> Vec<FaceBox> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(best) = dets.first().copied() {
        let (cluster, rest): (Vec<FaceBox>, Vec<FaceBox>) = dets.into_iter().partition(|d| iou(d, &best) > NMS_IOU);
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = best;
        if total > 0.0 && !cluster.is_empty() {
            let avg = |f: &dyn Fn(&FaceBox) -> f32| cluster.iter().map(|d| f(d) * d.score).sum::<f32>() / total;
            let (x0, y0) = (avg(&|d| d.xmin), avg(&|d| d.ymin));
            let (x1, y1) = (avg(&|d| d.xmin + d.width), avg(&|d| d.ymin + d.height));
            merged.xmin = x0;
            merged.ymin = y0;
            merged.width = x1 - x0;
            merged.height = y1 - y0;
            merged.keypoints =
                std::array::from_fn(|k| Point::new(avg(&|d| d.keypoints[k].x), avg(&|d| d.keypoints[k].y)));
        }
        out.push(merged);
        if cluster.is_empty() {
            // (Cannot happen: the best overlaps itself.) Stop rather than loop.
            break;
        }
        dets = rest;
    }
    out
}

/// Where the model input sits on the photo: photo px = `origin` + input px × `k`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Letterbox {
    pub origin_x: f32,
    pub origin_y: f32,
    pub kx: f32,
    pub ky: f32,
}

impl Letterbox {
    /// A point in the input's 0..1 coordinates -> photo px.
    pub fn to_photo(&self, p: Point) -> Point {
        Point::new(self.origin_x + p.x * INPUT_SIDE as f32 * self.kx, self.origin_y + p.y * INPUT_SIDE as f32 * self.ky)
    }
}

/// The 128x128 model input for `photo` as an image: the photo area-averaged to fit (aspect
/// kept; a photo already smaller is not upscaled), centred, black around it (MediaPipe's
/// letterbox with BORDER_ZERO).
pub fn letterbox(photo: &RgbaImage) -> (RgbaImage, Letterbox) {
    let (w, h) = (photo.width.max(1), photo.height.max(1));
    let scale = INPUT_SIDE as f32 / w.max(h) as f32;
    let fit = |v: u32| ((v as f32 * scale).round() as u32).clamp(1, INPUT_SIDE as u32).min(v);
    let small = if photo.width == 0 || photo.height == 0 {
        RgbaImage::new(1, 1)
    } else {
        downscale_area(photo, fit(w), fit(h))
    };
    let (ox, oy) = ((INPUT_SIDE as u32 - small.width) / 2, (INPUT_SIDE as u32 - small.height) / 2);
    let out = paste(&small, ox, oy);
    let (kx, ky) = (w as f32 / small.width as f32, h as f32 / small.height as f32);
    (out, Letterbox { origin_x: -(ox as f32) * kx, origin_y: -(oy as f32) * ky, kx, ky })
}

/// `small` on a black 128x128 input at (ox, oy).
fn paste(small: &RgbaImage, ox: u32, oy: u32) -> RgbaImage {
    let mut out = RgbaImage::from_fn(INPUT_SIDE as u32, INPUT_SIDE as u32, |_, _| [0, 0, 0, 255]);
    let cols = small.width.min(INPUT_SIDE as u32 - ox.min(INPUT_SIDE as u32)) as usize;
    for y in 0..small.height.min(INPUT_SIDE as u32 - oy.min(INPUT_SIDE as u32)) {
        let s = (y * small.width) as usize * 4;
        let d = ((y + oy) * INPUT_SIDE as u32 + ox) as usize * 4;
        out.data[d..d + cols * 4].copy_from_slice(&small.data[s..s + cols * 4]);
    }
    for p in out.data.chunks_exact_mut(4) {
        p[3] = 255;
    }
    out
}

/// The model input for the square `x0..x0 + side` × `y0..y0 + side` of `photo` (photo px; black
/// where it leaves the photo): area-averaged when the square is larger than the input, bilinear
/// when smaller.
pub fn square_crop(photo: &RgbaImage, x0: f32, y0: f32, side: f32) -> Option<(RgbaImage, Letterbox)> {
    if photo.width == 0 || photo.height == 0 || !(side.is_finite() && x0.is_finite() && y0.is_finite()) || side < 4.0 {
        return None;
    }
    if x0 >= photo.width as f32 || y0 >= photo.height as f32 || x0 + side <= 0.0 || y0 + side <= 0.0 {
        return None;
    }
    let k = side / INPUT_SIDE as f32;
    if k >= 1.0 {
        // The part of the square inside the photo, then area-averaged onto its share of the input.
        let (ix0, iy0) = (x0.max(0.0).floor() as u32, y0.max(0.0).floor() as u32);
        let (ix1, iy1) = (
            ((x0 + side).ceil().max(0.0) as u32).min(photo.width),
            ((y0 + side).ceil().max(0.0) as u32).min(photo.height),
        );
        if ix1 <= ix0 + 1 || iy1 <= iy0 + 1 {
            return None;
        }
        let (sw, sh) = (ix1 - ix0, iy1 - iy0);
        let mut sub = RgbaImage::new(sw, sh);
        for y in 0..sh {
            let s = (((iy0 + y) * photo.width + ix0) * 4) as usize;
            sub.data[(y * sw * 4) as usize..((y + 1) * sw * 4) as usize]
                .copy_from_slice(&photo.data[s..s + (sw * 4) as usize]);
        }
        let (tw, th) = (((sw as f32 / k).round() as u32).clamp(1, sw), ((sh as f32 / k).round() as u32).clamp(1, sh));
        let small = downscale_area(&sub, tw.min(INPUT_SIDE as u32), th.min(INPUT_SIDE as u32));
        let ox = (((ix0 as f32 - x0) / k).round() as u32).min(INPUT_SIDE as u32 - 1);
        let oy = (((iy0 as f32 - y0) / k).round() as u32).min(INPUT_SIDE as u32 - 1);
        // The exact map of what was pasted (the rounding above moves it by under half an input px).
        let (kx, ky) = (sw as f32 / small.width as f32, sh as f32 / small.height as f32);
        let exact = Letterbox { origin_x: ix0 as f32 - ox as f32 * kx, origin_y: iy0 as f32 - oy as f32 * ky, kx, ky };
        Some((paste(&small, ox, oy), exact))
    } else {
        // Upscale: bilinear at each input pixel's centre.
        let (w, h) = (photo.width as i64, photo.height as i64);
        let px = |x: i64, y: i64| -> [f32; 3] {
            if x < 0 || y < 0 || x >= w || y >= h {
                return [0.0; 3];
            }
            let p = photo.pixel(x as u32, y as u32);
            [p[0] as f32, p[1] as f32, p[2] as f32]
        };
        let img = RgbaImage::from_fn(INPUT_SIDE as u32, INPUT_SIDE as u32, |ix, iy| {
            let (sx, sy) = (x0 + (ix as f32 + 0.5) * k - 0.5, y0 + (iy as f32 + 0.5) * k - 0.5);
            let (fx, fy) = (sx.floor(), sy.floor());
            let (ax, ay) = (sx - fx, sy - fy);
            let (x, y) = (fx as i64, fy as i64);
            let (a, b, c, d) = (px(x, y), px(x + 1, y), px(x, y + 1), px(x + 1, y + 1));
            let v = |ch: usize| {
                let top = a[ch] + (b[ch] - a[ch]) * ax;
                let bottom = c[ch] + (d[ch] - c[ch]) * ax;
                (top + (bottom - top) * ay).round().clamp(0.0, 255.0) as u8
            };
            [v(0), v(1), v(2), 255]
        });
        Some((img, Letterbox { origin_x: x0, origin_y: y0, kx: k, ky: k }))
    }
}

/// Faces in a 128x128 model input (coordinates in its 0..1), best first.
/// Empty if `input` is not 128x128.
pub fn detect_in_input(model: &Model, input: &RgbaImage) -> Vec<FaceBox> {
    if (input.width, input.height) != (INPUT_SIDE as u32, INPUT_SIDE as u32)
        || input.data.len() != INPUT_SIDE * INPUT_SIDE * 4
    {
        return Vec::new();
    }
    let tensor: Vec<f32> =
        input.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]].map(|v| v as f32 / 127.5 - 1.0)).collect();
    let Some(outputs) = model.run(&tensor) else { return Vec::new() };
    let [reg, scores] = outputs.as_slice() else { return Vec::new() };
    decode(reg, scores, MIN_SCORE)
}

/// Faces in `photo` (any size; coordinates in its pixels), best first. Empty when the model
/// cannot be loaded or nothing scores at least [`MIN_SCORE`].
pub fn detect_faces(photo: &RgbaImage) -> Vec<FaceBox> {
    let Some(model) = shipped_model() else { return Vec::new() };
    if photo.width == 0 || photo.height == 0 {
        return Vec::new();
    }
    let (input, map) = letterbox(photo);
    detect_in_input(model, &input).into_iter().map(|f| f.map(|p| map.to_photo(p))).collect()
}

/// A second look, on a square crop [`CONFIRM_CROP`] face widths wide around a candidate, must
/// score at least this for the face to be accepted (the shared top-down photos of bald scalps
/// give 0.50-0.60 on the whole photo and nothing on the crop; real faces 0.66-0.93).
pub const CONFIRM_SCORE: f32 = 0.6;
/// The same for a face that is not seen from the front (kept as a face zone only).
pub const CONFIRM_SCORE_PROFILE: f32 = 0.7;
pub const CONFIRM_CROP: f32 = 2.0;

impl FaceBox {
    /// The keypoints are those of a face seen from the front (within about 30° of it): the eyes
    /// 0.28-0.6 of the box's width apart, the nose and mouth between them and below them, the
    /// ears outside them. Profiles (whose eye keypoints fall together) and ears fail this.
    pub fn is_frontal(&self) -> bool {
        let Some(m) = self.frontal_metrics() else { return false };
        (0.28..0.6).contains(&m.eyes_per_width)
            && (0.25..0.75).contains(&m.nose_along)
            && (0.25..0.75).contains(&m.mouth_along)
            && (0.15..1.3).contains(&m.nose_down)
            && (0.6..1.7).contains(&m.mouth_down)
            && m.right_ear_along < 0.0
            && m.left_ear_along > 1.0
    }

    /// The keypoints in the face's own frame, in eye distances: along the eye line (right eye
    /// 0, left eye 1) and across it (down the face). None if the eyes coincide.
    pub fn frontal_metrics(&self) -> Option<FrontalMetrics> {
        let (re, le) = (self.keypoints[RIGHT_EYE], self.keypoints[LEFT_EYE]);
        let ed = re.distance(le);
        if !(ed > 1e-3 && self.width > 0.0 && self.keypoints.iter().all(|p| p.is_finite())) {
            return None;
        }
        let (ux, uy) = ((le.x - re.x) / ed, (le.y - re.y) / ed);
        let along = |p: Point| ((p.x - re.x) * ux + (p.y - re.y) * uy) / ed;
        let down = |p: Point| ((p.x - re.x) * -uy + (p.y - re.y) * ux) / ed;
        let (nose, mouth) = (self.keypoints[NOSE_TIP], self.keypoints[MOUTH]);
        Some(FrontalMetrics {
            eyes_per_width: ed / self.width,
            nose_along: along(nose),
            nose_down: down(nose),
            mouth_along: along(mouth),
            mouth_down: down(mouth),
            right_ear_along: along(self.keypoints[RIGHT_EAR]),
            left_ear_along: along(self.keypoints[LEFT_EAR]),
        })
    }
}

/// See [`FaceBox::frontal_metrics`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrontalMetrics {
    pub eyes_per_width: f32,
    pub nose_along: f32,
    pub nose_down: f32,
    pub mouth_along: f32,
    pub mouth_down: f32,
    pub right_ear_along: f32,
    pub left_ear_along: f32,
}

/// A face found and confirmed by [`find_faces`], in photo px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FoundFace {
    pub face: FaceBox,
    /// Seen from the front ([`FaceBox::is_frontal`]): its eye keypoints give a scale.
    pub frontal: bool,
    /// Confirmed well enough to be left out as a face zone: a front face, or a profile whose
    /// crop scores at least [`CONFIRM_SCORE_PROFILE`]. A profile the crop scores at least
    /// [`CONFIRM_SCORE`] only is kept for the view (a side view) and never changes the area.
    pub zone: bool,
}

/// Faces in `photo`, in its px, best first: each detection on the whole photo is looked at again
/// on a square crop [`CONFIRM_CROP`] face widths wide around it (which also places the keypoints
/// more precisely: the face is larger in the model's input). A frontal one is kept if the crop
/// finds a face there scoring at least [`CONFIRM_SCORE`], any other (a profile, a face turned
/// away) if it scores at least [`CONFIRM_SCORE_PROFILE`], as a view hint only (`zone` false) if
/// it scores at least [`CONFIRM_SCORE`] and neither look sees it from the front.
///
/// On the 26 shared photos the first look also finds bald scalps (top-down views, 0.50-0.60),
/// ears and profiles; the crop rejects the scalps, and the geometry tells the six real front
/// faces from the profiles.
pub fn find_faces(photo: &RgbaImage) -> Vec<FoundFace> {
    find_faces_from(photo, photo)
}

/// [`find_faces`], with the first look on `small`, a downscaled copy of `photo` (e.g. detection's
/// 256 px grid: making the 128 px input from it is cheaper than from a 2 MP photo, and the same
/// to within rounding); the crops still come from `photo`.
pub fn find_faces_from(photo: &RgbaImage, small: &RgbaImage) -> Vec<FoundFace> {
    let Some(model) = shipped_model() else { return Vec::new() };
    if small.width == 0 || photo.width == 0 {
        return Vec::new();
    }
    let to_photo = photo.width as f32 / small.width as f32;
    let mut out = Vec::new();
    for c in detect_faces(small).into_iter().take(3).map(|f| f.map(|p| p.scaled(to_photo))) {
        let centre = c.centre();
        let side = CONFIRM_CROP * c.width.max(c.height);
        let Some((input, map)) = square_crop(photo, centre.x - 0.5 * side, centre.y - 0.5 * side, side) else {
            continue;
        };
        let inside = |p: Point| p.x >= c.xmin && p.x <= c.xmin + c.width && p.y >= c.ymin && p.y <= c.ymin + c.height;
        let second: Vec<FaceBox> =
            detect_in_input(model, &input).into_iter().map(|f| f.map(|p| map.to_photo(p))).collect();
        if std::env::var_os("SMP_DETECT_DEBUG").is_some() {
            let seen: Vec<_> =
                second.iter().map(|f| (f.score, inside(f.centre()), f.is_frontal(), f.frontal_metrics())).collect();
            eprintln!(
                "face: candidate {:.2} at ({:.0},{:.0}) frontal {}; on the crop (score, inside, frontal): {seen:?}",
                c.score,
                centre.x,
                centre.y,
                c.is_frontal()
            );
        }
        let Some(f) = second.into_iter().filter(|f| inside(f.centre())).max_by(|a, b| a.score.total_cmp(&b.score))
        else {
            continue;
        };
        if c.is_frontal() && f.score >= CONFIRM_SCORE {
            // The crop's keypoints if they still look frontal (a face cut by the photo's edge can
            // lose its keypoints on the crop), else the first look's.
            out.push(FoundFace { face: if f.is_frontal() { f } else { c }, frontal: true, zone: true });
        } else if f.score >= CONFIRM_SCORE_PROFILE {
            out.push(FoundFace { face: f, frontal: f.is_frontal() && c.is_frontal(), zone: true });
        } else if f.score >= CONFIRM_SCORE && !c.is_frontal() && !f.is_frontal() {
            // A profile seen on both looks, less surely: a hint of a side view only.
            out.push(FoundFace { face: f, frontal: false, zone: false });
        }
    }
    out
}

/// The best face seen from the front in `photo` (see [`find_faces`]).
pub fn find_front_face(photo: &RgbaImage) -> Option<FaceBox> {
    find_faces(photo).into_iter().find(|f| f.frontal).map(|f| f.face)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers MediaPipe 0.10.14 gives (`mediapipe.solutions.face_detection`,
    /// model_selection=0; `scripts/face-model.py reference`) for the 128x128 crop at (150, 50)
    /// of the shared photo neg01 (an input that needs no resampling, so both pipelines see the
    /// same pixels): score, box (x, y, w, h) and the six keypoints, in the crop's px.
    const REFERENCE_SCORE: f32 = 0.943_680_6;
    const REFERENCE_BOX: [f32; 4] = [24.954_708, 23.665_375, 99.250_29, 99.247_8];
    const REFERENCE_KEYPOINTS: [[f32; 2]; 6] = [
        [54.414_753, 53.614_613],
        [96.228_4, 54.399_456],
        [74.842_3, 81.870_54],
        [74.067_59, 100.137_64],
        [32.750_538, 58.794_254],
        [116.545_105, 60.998_142],
    ];

    #[test]
    fn matches_mediapipe_on_a_fixed_input() {
        let photo = crate::shared_photo("neg01_front_portrait_astronaut.png");
        let crop = RgbaImage::from_fn(128, 128, |x, y| photo.pixel(150 + x, 50 + y));
        let faces = detect_faces(&crop);
        assert_eq!(faces.len(), 1, "{faces:?}");
        let f = faces[0];
        assert!((f.score - REFERENCE_SCORE).abs() < 1e-4, "score {} vs {REFERENCE_SCORE}", f.score);
        for (ours, reference) in [f.xmin, f.ymin, f.width, f.height].iter().zip(REFERENCE_BOX) {
            assert!((ours - reference).abs() < 0.02, "box {ours} vs {reference}");
        }
        for (ours, [x, y]) in f.keypoints.iter().zip(REFERENCE_KEYPOINTS) {
            assert!((ours.x - x).abs() < 0.02 && (ours.y - y).abs() < 0.02, "keypoint {ours:?} vs ({x}, {y})");
        }
        assert!(f.is_frontal());
        // The whole photo: one face there too, accepted as seen from the front, eyes where the
        // crop put them (within a few px: the whole photo is downscaled 4x for the model).
        let front = find_front_face(&photo).expect("the front face of neg01");
        for k in [RIGHT_EYE, LEFT_EYE] {
            let [x, y] = REFERENCE_KEYPOINTS[k];
            assert!(front.keypoints[k].distance(Point::new(150.0 + x, 50.0 + y)) < 4.0, "{:?}", front.keypoints[k]);
        }
    }

    #[test]
    fn square_crops_map_back_to_the_photo() {
        // A photo with one bright pixel; wherever the crop puts it, the map brings it back.
        let photo = RgbaImage::from_fn(400, 300, |x, y| if (x, y) == (250, 120) { [255; 4] } else { [0, 0, 0, 255] });
        for (x0, y0, side) in [(100.0, 20.0, 256.0), (-50.0, -80.0, 512.0), (200.0, 90.0, 64.0)] {
            let (input, map) = square_crop(&photo, x0, y0, side).unwrap();
            let (mut best, mut at) = (0u8, (0, 0));
            for y in 0..128 {
                for x in 0..128 {
                    if input.pixel(x, y)[0] > best {
                        best = input.pixel(x, y)[0];
                        at = (x, y);
                    }
                }
            }
            let p = map.to_photo(Point::new((at.0 as f32 + 0.5) / 128.0, (at.1 as f32 + 0.5) / 128.0));
            assert!(p.distance(Point::new(250.5, 120.5)) <= side / 128.0 + 0.5, "{x0},{y0},{side}: {p:?}");
        }
        assert!(square_crop(&photo, f32::NAN, 0.0, 100.0).is_none());
        assert!(square_crop(&photo, 1000.0, 0.0, 100.0).is_none());
    }

    #[test]
    fn the_shipped_model_parses_and_has_896_anchors() {
        let m = shipped_model().expect("the shipped model parses");
        assert_eq!(m.op_count(), 90);
        assert_eq!(anchors().len(), NUM_ANCHORS);
        // A stride-8 cell holds 2 anchors, a stride-16 cell 6.
        assert_eq!(anchors()[0], (0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(anchors()[512], (0.5 / 8.0, 0.5 / 8.0));
        assert_eq!(anchors()[895], (7.5 / 8.0, 7.5 / 8.0));
    }

    #[test]
    fn damaged_model_files_are_refused_not_panicked_on() {
        assert!(parse_model(b"").is_err());
        assert!(parse_model(b"SMPNN\x01\x00\x00").is_err());
        for cut in [9, 100, 1000, WEIGHTS.len() / 2, WEIGHTS.len() - 1] {
            assert!(parse_model(&WEIGHTS[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = WEIGHTS.to_vec();
        extra.push(0);
        assert!(parse_model(&extra).is_err());
        // A flipped op kind.
        let mut bad = WEIGHTS.to_vec();
        let first_op = 8 + 4 + 91 * 12 + 12 + 4;
        bad[first_op] = 99;
        assert!(parse_model(&bad).is_err());
    }

    #[test]
    fn weighted_nms_averages_overlapping_boxes() {
        let f = |x: f32, s: f32| FaceBox {
            score: s,
            xmin: x,
            ymin: 0.0,
            width: 1.0,
            height: 1.0,
            keypoints: [Point::new(x, 0.0); 6],
        };
        let out = weighted_nms(vec![f(0.0, 0.9), f(0.2, 0.6), f(5.0, 0.7)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        assert!((out[0].xmin - 0.6 * 0.2 / 1.5).abs() < 1e-6);
        assert_eq!(out[1].xmin, 5.0);
    }

    #[test]
    fn no_face_in_flat_or_tiny_images() {
        for img in [
            RgbaImage::from_fn(200, 150, |_, _| [128, 128, 128, 255]),
            RgbaImage::from_fn(1, 1, |_, _| [200, 150, 120, 255]),
            RgbaImage::from_fn(300, 2, |x, _| [(x % 256) as u8, 0, 0, 255]),
        ] {
            assert!(detect_faces(&img).is_empty());
        }
        assert!(detect_faces(&RgbaImage::new(0, 0)).is_empty());
        // Wrong sizes at the lower-level entry points: nothing found, no panic.
        let model = shipped_model().unwrap();
        assert!(model.run(&[0.0; 10]).is_none());
        assert!(detect_in_input(model, &RgbaImage::new(64, 64)).is_empty());
        assert!(decode(&[0.0; 16], &[10.0], 0.5).is_empty());
        assert!(find_faces(&RgbaImage::new(0, 0)).is_empty());
    }
}
