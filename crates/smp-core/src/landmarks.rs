//! MediaPipe's face mesh: 468 face landmarks from a 192x192 crop of a face the detector
//! ([`crate::face`]) found, run by [`crate::nn`].
//!
//! The model (`models/face_landmark.bin`, 1.2 MB of fp16 weights; embedded with the default
//! feature `embedded-landmark-model`, or handed over with [`install_model`]) is converted by
//! `scripts/face-model` from `face_landmark.tflite` in the PyPI wheel `mediapipe==0.10.14`
//! (Apache-2.0, see `models/NOTICE`): CONV_2D, DEPTHWISE_CONV_2D, ADD, PRELU, MAX_POOL_2D and PAD;
//! the .tflite's DEQUANTIZE ops are folded into the fp16 weights.
//!
//! The crop follows MediaPipe's `face_detection_front_detection_to_roi` and `face_landmark_cpu`
//! graphs: a square centred on the detector's box, 1.5 times its longer side, rotated so the
//! line from the subject's right eye keypoint to the left one is level; RGB in [0, 1], edges
//! replicated. The network gives 468 x (x, y, z) in the crop's px and a face-presence logit
//! (sigmoid: the presence score). MediaPipe samples the crop bilinearly from the photo; here the
//! photo under the crop is first area-averaged by the whole factor it is larger than the crop
//! (the better input when the face is many times the crop's size).

use crate::face::{FaceBox, LEFT_EYE, RIGHT_EYE};
use crate::geometry::Point;
use crate::nn::Model;
use crate::RgbaImage;

/// The model's input side, px.
pub const INPUT_SIDE: usize = 192;
/// Landmarks per face.
pub const POINT_COUNT: usize = 468;
/// The crop's side per the detector box's longer side (MediaPipe's `scale_x` / `scale_y`).
pub const ROI_SCALE: f32 = 1.5;

/// The face's silhouette, in order round the face from the top of the forehead, over the
/// subject's left (the image's right in a front view), down to the chin and back up
/// (MediaPipe's `FACEMESH_FACE_OVAL`).
pub const FACE_OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150,
    136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
/// The upper edge of the subject's right brow (the image's left), outer end first.
pub const RIGHT_BROW_UPPER: [usize; 5] = [70, 63, 105, 66, 107];
/// Its lower edge.
pub const RIGHT_BROW_LOWER: [usize; 5] = [46, 53, 52, 65, 55];
/// The upper edge of the subject's left brow (the image's right), outer end first.
pub const LEFT_BROW_UPPER: [usize; 5] = [300, 293, 334, 296, 336];
/// Its lower edge.
pub const LEFT_BROW_LOWER: [usize; 5] = [276, 283, 282, 295, 285];
/// The subject's right eye's contour (lids, corners 33 and 133).
pub const RIGHT_EYE_CONTOUR: [usize; 16] =
    [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173];
/// The subject's left eye's contour (corners 263 and 362).
pub const LEFT_EYE_CONTOUR: [usize; 16] =
    [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398];
/// The lips' outer contour.
pub const LIPS_OUTER: [usize; 20] =
    [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185];

crate::nn::model_slot!("embedded-landmark-model", "face_landmark.bin", parse_model);

/// Parses a face-landmark weight file ([`Model::parse`]) and checks it is one: a 192x192x3 input,
/// 468 x 3 coordinates and one presence logit out.
pub fn parse_model(bytes: &[u8]) -> Result<Model, String> {
    Model::parse_expecting(bytes, [INPUT_SIDE, INPUT_SIDE, 3], &[[1, 1, POINT_COUNT * 3], [1, 1, 1]])
}

/// The model: the one given to [`install_model`], else the embedded one (parsed once); None in
/// a build without embedded weights before `install_model`.
pub fn shipped_model() -> Option<&'static Model> {
    SLOT.get()
}

/// The square, rotated part of the photo the model sees, in photo px: its centre, its side, and
/// the angle (radians, clockwise on screen as y points down) from the photo's x axis to the
/// crop's x axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceRoi {
    pub centre: Point,
    pub side_px: f32,
    pub rotation_rad: f32,
}

impl FaceRoi {
    /// MediaPipe's region for a detected face: centred on the box, [`ROI_SCALE`] times its longer
    /// side, turned so the eye keypoints are level. None for a degenerate or non-finite box.
    pub fn from_face(face: &FaceBox) -> Option<FaceRoi> {
        let (a, b) = (face.keypoints[RIGHT_EYE], face.keypoints[LEFT_EYE]);
        let side_px = ROI_SCALE * face.width.max(face.height);
        let rotation_rad = (b.y - a.y).atan2(b.x - a.x);
        let roi = FaceRoi { centre: face.centre(), side_px, rotation_rad };
        (roi.centre.is_finite() && side_px.is_finite() && side_px >= 1.0 && rotation_rad.is_finite()).then_some(roi)
    }

    /// A point in the model's input px (0..192 across the crop) -> photo px.
    pub fn to_photo(&self, p: Point) -> Point {
        let (x, y) = (p.x / INPUT_SIDE as f32 - 0.5, p.y / INPUT_SIDE as f32 - 0.5);
        let (sin, cos) = self.rotation_rad.sin_cos();
        Point::new(
            self.centre.x + self.side_px * (cos * x - sin * y),
            self.centre.y + self.side_px * (sin * x + cos * y),
        )
    }

    /// A point in photo px -> the model's input px (the inverse of [`FaceRoi::to_photo`]).
    pub fn to_input(&self, p: Point) -> Point {
        let (dx, dy) = ((p.x - self.centre.x) / self.side_px, (p.y - self.centre.y) / self.side_px);
        let (sin, cos) = self.rotation_rad.sin_cos();
        let n = INPUT_SIDE as f32;
        Point::new((cos * dx + sin * dy + 0.5) * n, (-sin * dx + cos * dy + 0.5) * n)
    }

    /// The model's input: 192 x 192 x 3 RGB in [0, 1], sampled bilinearly at each crop px's
    /// centre from the photo area-averaged by the whole factor `k = floor(side / 192)` (when the
    /// face is more than twice the crop's size: the photo's part under the crop, in k x k
    /// blocks), the edge px repeated beyond the photo. Empty for an empty photo.
    pub fn sample(&self, photo: &RgbaImage) -> Vec<f32> {
        let (w, h) = (photo.width as usize, photo.height as usize);
        if w == 0 || h == 0 || photo.data.len() != w * h * 4 {
            return Vec::new();
        }
        let n = INPUT_SIDE as f32;
        let k = (self.side_px / n).floor().clamp(1.0, 64.0) as usize;
        // The part of the photo under the crop (its corners' bounding box plus a block), in
        // whole blocks from (x0, y0).
        let corners = [(0.0, 0.0), (n, 0.0), (0.0, n), (n, n)].map(|(u, v)| self.to_photo(Point::new(u, v)));
        let span = |f: fn(&Point) -> f32, len: usize| {
            let lo = corners.iter().map(f).fold(f32::INFINITY, f32::min);
            let hi = corners.iter().map(f).fold(f32::NEG_INFINITY, f32::max);
            let lo = (lo - k as f32).clamp(0.0, len as f32) as usize;
            let hi = (hi + k as f32).ceil().clamp(0.0, len as f32) as usize;
            (lo.min(len - 1), hi.max(lo.min(len - 1) + 1))
        };
        let ((x0, x1), (y0, y1)) = (span(|p| p.x, w), span(|p| p.y, h));
        let (sw, sh) = ((x1 - x0).div_ceil(k), (y1 - y0).div_ceil(k));
        // The part, k x k blocks averaged (blocks cut by its edge average what they hold).
        let mut small = vec![0f32; sw * sh * 3];
        for by in 0..sh {
            for bx in 0..sw {
                let (mut acc, mut count) = ([0u32; 3], 0u32);
                for y in y0 + by * k..(y0 + (by + 1) * k).min(y1) {
                    let row = &photo.data[(y * w + x0 + bx * k) * 4..(y * w + (x0 + (bx + 1) * k).min(x1)) * 4];
                    for px in row.chunks_exact(4) {
                        for c in 0..3 {
                            acc[c] += px[c] as u32;
                        }
                        count += 1;
                    }
                }
                let o = (by * sw + bx) * 3;
                for c in 0..3 {
                    small[o + c] = acc[c] as f32 / (255 * count.max(1)) as f32;
                }
            }
        }
        let mut input = vec![0f32; INPUT_SIDE * INPUT_SIDE * 3];
        for (i, out) in input.chunks_exact_mut(3).enumerate() {
            let at = self.to_photo(Point::new((i % INPUT_SIDE) as f32 + 0.5, (i / INPUT_SIDE) as f32 + 0.5));
            // Block centres sit at x0 + (i + 0.5) k.
            let sx = ((at.x - x0 as f32) / k as f32 - 0.5).clamp(0.0, (sw - 1) as f32);
            let sy = ((at.y - y0 as f32) / k as f32 - 0.5).clamp(0.0, (sh - 1) as f32);
            if !(sx.is_finite() && sy.is_finite()) {
                continue;
            }
            let (ix, iy) = (sx as usize, sy as usize);
            let (jx, jy) = ((ix + 1).min(sw - 1), (iy + 1).min(sh - 1));
            let (ax, ay) = (sx - ix as f32, sy - iy as f32);
            for (c, o) in out.iter_mut().enumerate() {
                let v = |x: usize, y: usize| small[(y * sw + x) * 3 + c];
                let top = v(ix, iy) + (v(jx, iy) - v(ix, iy)) * ax;
                let bottom = v(ix, jy) + (v(jx, jy) - v(ix, jy)) * ax;
                *o = top + (bottom - top) * ay;
            }
        }
        input
    }
}

/// The network's answer on one input: 468 points in the input's px (x, y; z, the depth, is
/// dropped) and the presence score (0..1).
#[derive(Clone, Debug, PartialEq)]
pub struct InputMesh {
    pub points: Vec<Point>,
    pub presence: f32,
}

/// Runs the model on a 192 x 192 x 3 input ([`FaceRoi::sample`]). None without a model or for an
/// input of the wrong size.
pub fn run_on_input(model: &Model, input: &[f32]) -> Option<InputMesh> {
    let out = model.run(input)?;
    let (coords, logit) = (out.first()?, *out.get(1)?.first()?);
    let points = coords.chunks_exact(3).map(|c| Point::new(c[0], c[1])).collect::<Vec<_>>();
    (points.len() == POINT_COUNT).then(|| InputMesh { points, presence: 1.0 / (1.0 + (-logit).exp()) })
}

/// The face mesh of a detected face, in photo px.
#[derive(Clone, Debug, PartialEq)]
pub struct FaceMesh {
    /// [`POINT_COUNT`] points, MediaPipe's numbering.
    pub points: Vec<Point>,
    /// The model's face-presence score, 0..1 (MediaPipe drops a face under 0.5).
    pub presence: f32,
    /// The crop it came from.
    pub roi: FaceRoi,
}

/// The mesh of `face` (photo px, as [`crate::face::find_faces`] gives it) in `photo`. None
/// without a model, for a degenerate box, or if any point is not finite.
pub fn face_mesh(photo: &RgbaImage, face: &FaceBox) -> Option<FaceMesh> {
    mesh_in(photo, FaceRoi::from_face(face)?)
}

/// The mesh of the face in `roi` (photo px). None without a model or if any point is not finite.
pub fn mesh_in(photo: &RgbaImage, roi: FaceRoi) -> Option<FaceMesh> {
    let model = shipped_model()?;
    let input = roi.sample(photo);
    let mesh = run_on_input(model, &input)?;
    let points: Vec<Point> = mesh.points.iter().map(|&p| roi.to_photo(p)).collect();
    (points.iter().all(|p| p.is_finite()) && mesh.presence.is_finite()).then_some(FaceMesh {
        points,
        presence: mesh.presence,
        roi,
    })
}

impl FaceMesh {
    fn mean(&self, ids: &[usize]) -> Point {
        let n = ids.len().max(1) as f32;
        let (sx, sy) = ids.iter().fold((0.0, 0.0), |(sx, sy), &i| (sx + self.points[i].x, sy + self.points[i].y));
        Point::new(sx / n, sy / n)
    }

    /// The eyes' centres (the mean of each eye's contour), image-left first.
    pub fn eyes(&self) -> (Point, Point) {
        let (a, b) = (self.mean(&RIGHT_EYE_CONTOUR), self.mean(&LEFT_EYE_CONTOUR));
        if a.x <= b.x {
            (a, b)
        } else {
            (b, a)
        }
    }

    /// The unit vector from the eyes toward the top of the head: perpendicular to the eye line
    /// (image-left eye to image-right eye), pointing up in the image.
    pub fn up(&self) -> Point {
        let (l, r) = self.eyes();
        let d = l.distance(r).max(1e-6);
        Point::new((r.y - l.y) / d, -(r.x - l.x) / d)
    }

    /// How far the brows' top is above the eyes' centres, in eye distances: for each brow the
    /// highest of its upper-edge points (along [`FaceMesh::up`]) above the line through the eyes,
    /// the mean of both.
    pub fn brows_above_eyes(&self) -> f32 {
        let (l, r) = self.eyes();
        let ed = l.distance(r).max(1e-6);
        let up = self.up();
        let mid = Point::new(0.5 * (l.x + r.x), 0.5 * (l.y + r.y));
        let top = |ids: &[usize]| {
            ids.iter()
                .map(|&i| (self.points[i].x - mid.x) * up.x + (self.points[i].y - mid.y) * up.y)
                .fold(f32::MIN, f32::max)
        };
        0.5 * (top(&RIGHT_BROW_UPPER) + top(&LEFT_BROW_UPPER)) / ed
    }

    /// The face's silhouette ([`FACE_OVAL`]) as a closed polygon in photo px.
    pub fn oval(&self) -> Vec<Point> {
        FACE_OVAL.iter().map(|&i| self.points[i]).collect()
    }

    /// Whether the mesh is a face seen from the front that can be trusted for the eyes, the brows
    /// and the outline: presence at least `min_presence`; its eyes within 0.35 eye distances of
    /// the detector's and 0.75-1.35 times their distance apart; the brows' top 0.1-0.8 eye
    /// distances above the eyes; the outline 1.6-4 eye distances wide, round both eyes.
    pub fn is_trusted_front(&self, face: &FaceBox, min_presence: f32) -> bool {
        if self.presence < min_presence || self.points.len() != POINT_COUNT {
            return false;
        }
        let (l, r) = self.eyes();
        let (a, b) = (face.keypoints[RIGHT_EYE], face.keypoints[LEFT_EYE]);
        let (fl, fr) = if a.x <= b.x { (a, b) } else { (b, a) };
        let (ed, fed) = (l.distance(r), fl.distance(fr));
        if !(ed.is_finite() && fed > 1.0 && ed > 1.0) {
            return false;
        }
        let eyes_agree =
            l.distance(fl) <= 0.35 * fed && r.distance(fr) <= 0.35 * fed && (0.75..=1.35).contains(&(ed / fed));
        let brows = self.brows_above_eyes();
        let oval = self.oval();
        let along = Point::new((r.x - l.x) / ed, (r.y - l.y) / ed);
        let (lo, hi) = oval.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            let a = (p.x - l.x) * along.x + (p.y - l.y) * along.y;
            (lo.min(a), hi.max(a))
        });
        let width = (hi - lo) / ed;
        eyes_agree
            && (0.1..=0.8).contains(&brows)
            && (1.6..=4.0).contains(&width)
            && inside_polygon(&oval, l)
            && inside_polygon(&oval, r)
    }
}

/// Whether `p` is inside the closed polygon `poly` (even-odd rule).
pub fn inside_polygon(poly: &[Point], p: Point) -> bool {
    let mut inside = false;
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + n - 1) % n]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y) {
            inside = !inside;
        }
    }
    inside
}

/// The distance from `p` to the closed polygon's outline, negative inside.
pub fn signed_distance_to_polygon(poly: &[Point], p: Point) -> f32 {
    let n = poly.len();
    if n == 0 {
        return f32::INFINITY;
    }
    let d = (0..n)
        .map(|i| crate::geometry::distance_to_segment(p, poly[i], poly[(i + 1) % n]).0)
        .fold(f32::INFINITY, f32::min);
    if inside_polygon(poly, p) {
        -d
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers MediaPipe 0.10.14 gives (its face_landmark_cpu nodes on the image as the
    /// model's input, `scripts/face-model.py landmark-reference`) for two 192x192 crops of the
    /// shared photo neg01 (inputs that need no resampling): the face at (130, 30), and her suit
    /// at (0, 300) (no face: a low presence), as (id, x, y) in the crop's px.
    const REFERENCE_FACE: [(usize, f32, f32); 7] = [
        (10, 97.459_75, 36.127_85),
        (33, 63.234_495, 70.322_02),
        (105, 66.001_42, 53.028_54),
        (152, 90.524_74, 150.485_67),
        (263, 128.376_62, 73.565_55),
        (334, 126.573_39, 55.778_73),
        (1, 92.533_61, 100.304_57),
    ];
    const REFERENCE_SUIT_PRESENCE: f32 = 0.017_347_917;

    fn crop_input(photo: &RgbaImage, x0: u32, y0: u32) -> Vec<f32> {
        let crop = RgbaImage::from_fn(INPUT_SIDE as u32, INPUT_SIDE as u32, |x, y| photo.pixel(x0 + x, y0 + y));
        crop.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).map(|v| v as f32 / 255.0).collect()
    }

    #[test]
    fn matches_mediapipe_on_fixed_inputs() {
        let photo = crate::shared_photo("neg01_front_portrait_astronaut.png");
        let model = shipped_model().expect("the embedded face-landmark model");
        let face = run_on_input(model, &crop_input(&photo, 130, 30)).expect("runs");
        assert!(face.presence > 0.999, "{}", face.presence);
        for (id, x, y) in REFERENCE_FACE {
            let p = face.points[id];
            assert!((p.x - x).abs() < 0.02 && (p.y - y).abs() < 0.02, "point {id}: {p:?} vs ({x}, {y})");
        }
        let suit = run_on_input(model, &crop_input(&photo, 0, 300)).expect("runs");
        assert!((suit.presence - REFERENCE_SUIT_PRESENCE).abs() < 1e-4, "{}", suit.presence);
        // The wrong input size: no answer, no panic.
        assert_eq!(run_on_input(model, &[0.5; 10]), None);
    }

    #[test]
    fn the_crop_maps_back_to_the_photo_and_levels_the_eyes() {
        // A face box tilted 20° (its left eye lower on screen), in photo px.
        let angle = 20f32.to_radians();
        let centre = Point::new(300.0, 200.0);
        let (sin, cos) = angle.sin_cos();
        let eye = |along: f32| Point::new(centre.x + along * cos, centre.y + along * sin - 10.0);
        let mut keypoints = [centre; 6];
        keypoints[RIGHT_EYE] = eye(-30.0);
        keypoints[LEFT_EYE] = eye(30.0);
        let face = FaceBox { score: 0.9, xmin: 250.0, ymin: 140.0, width: 100.0, height: 120.0, keypoints };
        let roi = FaceRoi::from_face(&face).expect("a region");
        assert!((roi.rotation_rad - angle).abs() < 1e-5, "{}", roi.rotation_rad);
        assert_eq!(roi.side_px, 180.0); // 1.5 x the longer side
        assert_eq!(roi.centre, Point::new(300.0, 200.0));
        // The eyes are level in the crop, and every point goes there and back.
        let (a, b) = (roi.to_input(keypoints[RIGHT_EYE]), roi.to_input(keypoints[LEFT_EYE]));
        assert!((a.y - b.y).abs() < 1e-3 && b.x > a.x, "{a:?} {b:?}");
        for p in [Point::new(0.0, 0.0), Point::new(96.0, 96.0), Point::new(191.5, 3.25), Point::new(-20.0, 250.0)] {
            let back = roi.to_input(roi.to_photo(p));
            assert!(back.distance(p) < 1e-3, "{p:?} -> {back:?}");
        }
        // The crop's centre is the box's centre; its corners lie the side's half-diagonal away.
        assert!(roi.to_photo(Point::new(96.0, 96.0)).distance(centre) < 1e-3);
        let corner = roi.to_photo(Point::new(0.0, 0.0));
        assert!((corner.distance(centre) - 90.0 * 2f32.sqrt()).abs() < 1e-2);

        // Sampling: a photo whose red channel is x and green y (px centres) gives, at each crop
        // px, the photo position that px maps to (bilinear is exact on a linear ramp).
        let photo = RgbaImage::from_fn(256, 256, |x, y| [x as u8, y as u8, 0, 255]);
        let roi = FaceRoi { centre: Point::new(128.0, 128.0), side_px: 96.0, rotation_rad: 0.3 };
        let input = roi.sample(&photo);
        assert_eq!(input.len(), INPUT_SIDE * INPUT_SIDE * 3);
        for (u, v) in [(0usize, 0usize), (95, 40), (191, 191)] {
            let at = roi.to_photo(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            let i = (v * INPUT_SIDE + u) * 3;
            assert!((input[i] * 255.0 - (at.x - 0.5)).abs() < 0.05, "{} vs {at:?}", input[i] * 255.0);
            assert!((input[i + 1] * 255.0 - (at.y - 0.5)).abs() < 0.05, "{} vs {at:?}", input[i + 1] * 255.0);
        }
        // A face five times the crop: the photo area-averaged in 5 x 5 blocks first, which keeps
        // a linear ramp linear (inside the photo; beyond it the edge repeats).
        let roi = FaceRoi { centre: Point::new(128.0, 128.0), side_px: 960.0, rotation_rad: -0.2 };
        let input = roi.sample(&photo);
        for (u, v) in [(90usize, 90usize), (100, 85), (85, 105)] {
            let at = roi.to_photo(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            assert!((10.0..246.0).contains(&at.x) && (10.0..246.0).contains(&at.y), "{at:?}");
            let i = (v * INPUT_SIDE + u) * 3;
            assert!((input[i] * 255.0 - (at.x - 0.5)).abs() < 0.05, "{} vs {at:?}", input[i] * 255.0);
            assert!((input[i + 1] * 255.0 - (at.y - 0.5)).abs() < 0.05, "{} vs {at:?}", input[i + 1] * 255.0);
        }
        // Far outside the photo: its edge px.
        let corner = (INPUT_SIDE * INPUT_SIDE - 1) * 3;
        assert!(input[corner] * 255.0 > 254.0 || input[corner] * 255.0 < 1.0, "{}", input[corner]);
    }

    #[test]
    fn the_mesh_of_a_portrait_gives_its_eyes_brows_and_outline() {
        // neg01 through the whole path (detector, crop, mesh): the eyes, the brows above them,
        // the outline round them; and trusted as a front face.
        let photo = crate::shared_photo("neg01_front_portrait_astronaut.png");
        let found = crate::face::find_faces(&photo).into_iter().find(|f| f.frontal).expect("her face");
        let mesh = face_mesh(&photo, &found.face).expect("a mesh");
        assert!(mesh.presence > 0.99, "{}", mesh.presence);
        assert!(mesh.is_trusted_front(&found.face, 0.5));
        let (l, r) = mesh.eyes();
        // Her eyes in the photo (by eye: pupils at about (204, 102) and (247, 104)).
        assert!(
            l.distance(Point::new(204.0, 102.0)) < 3.0 && r.distance(Point::new(247.0, 104.0)) < 3.0,
            "{l:?} {r:?}"
        );
        let brows = mesh.brows_above_eyes();
        assert!((0.25..0.5).contains(&brows), "{brows}");
        let oval = mesh.oval();
        assert!(inside_polygon(&oval, l) && inside_polygon(&oval, r));
        assert!(signed_distance_to_polygon(&oval, Point::new(0.0, 0.0)) > 100.0);
        // Not a face for a box elsewhere (the mesh's eyes are far from that box's).
        let mut elsewhere = found.face;
        for k in &mut elsewhere.keypoints {
            k.x += 40.0;
        }
        assert!(!mesh.is_trusted_front(&elsewhere, 0.5));
    }

    #[test]
    fn tiny_odd_or_degenerate_inputs_never_panic() {
        let face =
            FaceBox { score: 0.9, xmin: 0.0, ymin: 0.0, width: 0.0, height: 0.0, keypoints: [Point::default(); 6] };
        assert_eq!(FaceRoi::from_face(&face), None);
        let nan = FaceBox { xmin: f32::NAN, width: 10.0, height: 10.0, ..face };
        assert_eq!(FaceRoi::from_face(&nan), None);
        let huge = FaceBox { xmin: -1e30, ymin: 1e30, width: 1e30, height: 1e30, ..face };
        for photo in [RgbaImage::from_fn(1, 1, |_, _| [9, 9, 9, 255]), RgbaImage::from_fn(3, 200, |x, _| [x as u8; 4])]
        {
            let small = FaceBox { xmin: -5.0, ymin: -5.0, width: 4.0, height: 4.0, ..face };
            for f in [small, huge] {
                // Whatever comes out is finite points or nothing.
                if let Some(m) = face_mesh(&photo, &f) {
                    assert!(m.points.iter().all(|p| p.is_finite()));
                }
            }
        }
        let empty = RgbaImage { width: 0, height: 0, data: Vec::new() };
        let roi = FaceRoi { centre: Point::new(1.0, 1.0), side_px: 10.0, rotation_rad: 0.0 };
        assert!(roi.sample(&empty).is_empty());
        assert!(!inside_polygon(&[], Point::default()));
        assert_eq!(signed_distance_to_polygon(&[], Point::default()), f32::INFINITY);
        // A model file of another kind is refused.
        assert!(parse_model(include_bytes!("../models/blazeface.bin")).is_err());
    }
}
