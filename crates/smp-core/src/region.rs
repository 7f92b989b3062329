//! The treatment area: brush strokes (paint / erase) rasterised to a coverage mask, and a
//! hairline curve that bounds the front edge with a feathered, irregular density ramp.
//!
//! All geometry is in full-image pixels; `scale` (raster px per full-image px) maps it onto
//! the working copy or the full-resolution export.

use serde::{Deserialize, Serialize};

use crate::geometry::{distance_to_segment, PixelRect, Point};
use crate::rng::value_noise;

/// Per-pixel coverage of the treatment area, 0 (outside) ..= 255 (inside).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Mask {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, data: vec![0; width as usize * height as usize] }
    }

    #[inline]
    pub fn get(&self, x: u32, y: u32) -> u8 {
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Coverage at a point (nearest pixel), 0 outside the image.
    pub fn at(&self, p: Point) -> u8 {
        if !(p.x >= 0.0 && p.y >= 0.0) {
            return 0;
        }
        let (x, y) = (p.x as u32, p.y as u32);
        if x >= self.width || y >= self.height {
            0
        } else {
            self.get(x, y)
        }
    }

    /// The smallest rectangle holding every non-zero pixel.
    pub fn bounding_rect(&self) -> PixelRect {
        let w = self.width as usize;
        let mut r = PixelRect { x0: self.width, y0: self.height, x1: 0, y1: 0 };
        for (y, row) in self.data.chunks_exact(w.max(1)).enumerate() {
            if let Some(first) = row.iter().position(|&v| v > 0) {
                let last = row.iter().rposition(|&v| v > 0).unwrap_or(first);
                r.x0 = r.x0.min(first as u32);
                r.x1 = r.x1.max(last as u32 + 1);
                r.y0 = r.y0.min(y as u32);
                r.y1 = y as u32 + 1;
            }
        }
        if r.is_empty() {
            PixelRect::default()
        } else {
            r
        }
    }

    pub fn count_nonzero(&self) -> usize {
        self.data.iter().filter(|&&v| v > 0).count()
    }

    /// Sum of coverage in pixel units (a fully covered pixel counts 1).
    pub fn area_px(&self) -> f64 {
        self.data.iter().map(|&v| v as f64).sum::<f64>() / 255.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BrushMode {
    Paint,
    Erase,
}

/// One brush stroke. `id` is unique within an edit history: it lets a renderer apply only what
/// was added since its last frame while the user drags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    pub id: u64,
    pub mode: BrushMode,
    /// Brush radius in full-image pixels.
    pub radius_px: f32,
    /// Centre line in full-image pixels.
    pub points: Vec<Point>,
}

impl AsRef<Stroke> for Stroke {
    fn as_ref(&self) -> &Stroke {
        self
    }
}

/// Rasterise `stroke.points[from_point..]` (with the segment leading into `from_point`) at
/// `scale`. Painting takes the max coverage, erasing the min, so re-applying is idempotent.
/// Returns the pixels it touched.
pub fn rasterize_stroke(mask: &mut Mask, stroke: &Stroke, scale: f32, from_point: usize) -> PixelRect {
    let r = stroke.radius_px * scale;
    if !(r.is_finite() && r > 0.0) || stroke.points.is_empty() {
        return PixelRect::default();
    }
    let pts: Vec<Point> = stroke.points.iter().filter(|p| p.is_finite()).map(|p| p.scaled(scale)).collect();
    if pts.is_empty() {
        return PixelRect::default();
    }
    // `from_point` counts every point; skipped (non-finite) ones must not shift it.
    let start = stroke.points[..from_point.min(stroke.points.len())].iter().filter(|p| p.is_finite()).count();
    let start = start.min(pts.len() - 1);
    let mut touched = PixelRect::default();
    let first_seg = start.saturating_sub(1);
    for i in first_seg..pts.len() {
        let a = pts[i];
        let b = if i + 1 < pts.len() { pts[i + 1] } else { pts[i] };
        if i + 1 >= pts.len() && i != first_seg && pts.len() > 1 {
            break; // the last point is covered by the previous segment
        }
        touched = touched.union(stamp_capsule(mask, a, b, r, stroke.mode));
    }
    touched
}

fn stamp_capsule(mask: &mut Mask, a: Point, b: Point, r: f32, mode: BrushMode) -> PixelRect {
    let rect = PixelRect::covering(
        a.x.min(b.x) - r - 1.0,
        a.y.min(b.y) - r - 1.0,
        a.x.max(b.x) + r + 1.0,
        a.y.max(b.y) + r + 1.0,
        mask.width,
        mask.height,
    );
    let w = mask.width as usize;
    for y in rect.y0..rect.y1 {
        let row = &mut mask.data[y as usize * w..(y as usize + 1) * w];
        let py = y as f32 + 0.5;
        // Pixels well inside the capsule are fully covered: set them without measuring (a 1 px
        // margin either side keeps float error out); measure only near the edge.
        let outer = capsule_span(a, b, r + 1.5, py);
        let inner = capsule_span(a, b, r - 1.5, py);
        let Some((ox0, ox1)) = outer else { continue };
        let clip = |v: f32| v.clamp(rect.x0 as f32, rect.x1 as f32) as u32;
        let (x_from, x_to) = (clip(ox0.floor() - 1.0), clip(ox1.ceil() + 1.0));
        let (in_from, in_to) = match inner {
            // Pixel x is inside when its centre x + 0.5 lies in the span.
            Some((ix0, ix1)) => (clip(ix0.ceil()), clip(ix1.floor() - 1.0)),
            None => (x_to, x_to),
        };
        if in_from < in_to {
            let span = &mut row[in_from as usize..in_to as usize];
            match mode {
                BrushMode::Paint => span.fill(255),
                BrushMode::Erase => span.fill(0),
            }
        }
        let (left, right) = if in_from < in_to { (x_from..in_from, in_to..x_to) } else { (x_from..x_to, x_to..x_to) };
        for x in left.chain(right) {
            let p = Point::new(x as f32 + 0.5, py);
            let (d, _) = distance_to_segment(p, a, b);
            // Area coverage of a 1 px wide antialiased edge.
            let cov = (r - d + 0.5).clamp(0.0, 1.0);
            if cov <= 0.0 {
                continue;
            }
            let v = (cov * 255.0 + 0.5) as u8;
            let m = &mut row[x as usize];
            match mode {
                BrushMode::Paint => *m = (*m).max(v),
                BrushMode::Erase => *m = (*m).min(255 - v),
            }
        }
    }
    rect
}

/// The x range (min, max) where the horizontal line at `py` is within `r` of the segment
/// `a`-`b` (the capsule is convex, so it is one interval), `None` if it misses.
fn capsule_span(a: Point, b: Point, r: f32, py: f32) -> Option<(f32, f32)> {
    if r.is_nan() || r <= 0.0 {
        return None;
    }
    let mut span: Option<(f32, f32)> = None;
    let mut add = |lo: f32, hi: f32| {
        if lo <= hi {
            span = Some(span.map_or((lo, hi), |(l, h)| (l.min(lo), h.max(hi))));
        }
    };
    // The end discs.
    for c in [a, b] {
        let dy = py - c.y;
        if dy.abs() <= r {
            let s = (r * r - dy * dy).sqrt();
            add(c.x - s, c.x + s);
        }
    }
    // The band between them: projection onto the segment in [0, 1], distance to its line <= r.
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 > 0.0 {
        let len = len2.sqrt();
        let (mut lo, mut hi) = (f32::NEG_INFINITY, f32::INFINITY);
        // t(x) = ((x - a.x) dx + (py - a.y) dy) / len2 in [0, 1].
        let t0 = (py - a.y) * dy;
        if dx != 0.0 {
            let (x_at_0, x_at_1) = (a.x - t0 / dx, a.x + (len2 - t0) / dx);
            lo = lo.max(x_at_0.min(x_at_1));
            hi = hi.min(x_at_0.max(x_at_1));
        } else if !(0.0..=len2).contains(&t0) {
            return span;
        }
        // cross(x) = dx (py - a.y) - dy (x - a.x), |cross| <= r len.
        let c0 = dx * (py - a.y);
        if dy != 0.0 {
            let (x_lo, x_hi) = (a.x + (c0 - r * len) / dy, a.x + (c0 + r * len) / dy);
            lo = lo.max(x_lo.min(x_hi));
            hi = hi.min(x_lo.max(x_hi));
        } else if c0.abs() > r * len {
            return span;
        }
        add(lo, hi);
    }
    span
}

/// Rasterise a whole edit history into a new mask.
pub fn rasterize_strokes<S: AsRef<Stroke>>(strokes: &[S], width: u32, height: u32, scale: f32) -> Mask {
    rasterize_area(None, strokes, width, height, scale)
}

/// Rasterise a base area (e.g. the detected scalp) and the brush strokes painted and erased on
/// top of it into a new mask of `width x height` (a raster covering the whole photo).
pub fn rasterize_area<S: AsRef<Stroke>>(
    base: Option<&AreaMask>,
    strokes: &[S],
    width: u32,
    height: u32,
    scale: f32,
) -> Mask {
    let mut mask = match base {
        Some(b) => b.resample(width, height),
        None => Mask::new(width, height),
    };
    for s in strokes {
        rasterize_stroke(&mut mask, s.as_ref(), scale, 0);
    }
    mask
}

/// A soft treatment area on a coarse grid of its own that covers the whole photo (detection
/// makes one); it is resampled to any raster, so the same area drives the working preview and
/// the full-resolution export. Brush strokes paint and erase on top of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaMask {
    pub width: u32,
    pub height: u32,
    /// The size of the full-resolution photo it covers.
    pub full_width: u32,
    pub full_height: u32,
    /// 0 (outside) ..= 255 (inside), row-major.
    pub data: Vec<u8>,
}

impl AreaMask {
    pub fn empty(width: u32, height: u32, full_width: u32, full_height: u32) -> Self {
        Self { width, height, full_width, full_height, data: vec![0; width as usize * height as usize] }
    }

    pub fn is_empty(&self) -> bool {
        self.data.iter().all(|&v| v == 0)
    }

    /// Share of the photo covered, 0..=1.
    pub fn coverage(&self) -> f32 {
        if self.data.is_empty() {
            return 0.0;
        }
        self.data.iter().map(|&v| v as f64).sum::<f64>() as f32 / (255.0 * self.data.len() as f32)
    }

    /// Bilinear resampling onto a raster of `width x height` covering the same photo. The soft
    /// values are sharpened around one half so the edge stays about one grid cell wide at any
    /// resolution, never a blurred halo.
    pub fn resample(&self, width: u32, height: u32) -> Mask {
        let mut out = Mask::new(width, height);
        let (gw, gh) = (self.width as usize, self.height as usize);
        if gw == 0 || gh == 0 || self.data.len() != gw * gh || width == 0 || height == 0 {
            return out;
        }
        let sx = gw as f32 / width as f32;
        let sy = gh as f32 / height as f32;
        let at = |x: usize, y: usize| self.data[y.min(gh - 1) * gw + x.min(gw - 1)] as f32;
        for y in 0..height as usize {
            let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
            let (y0, ty) = (fy as usize, fy.fract());
            for x in 0..width as usize {
                let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
                let (x0, tx) = (fx as usize, fx.fract());
                let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1, y0) * tx;
                let bottom = at(x0, y0 + 1) * (1.0 - tx) + at(x0 + 1, y0 + 1) * tx;
                let v = (top * (1.0 - ty) + bottom * ty) / 255.0;
                // Contrast around 0.5 (smoothstep of a doubled slope).
                let t = ((v - 0.5) * 2.0 + 0.5).clamp(0.0, 1.0);
                out.data[y * width as usize + x] = (t * t * (3.0 - 2.0 * t) * 255.0).round() as u8;
            }
        }
        out
    }
}

/// Which side of the hairline is treated, seen along the curve from its first point to its last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HairlineSide {
    /// Left of the direction of travel: *above* a curve drawn left to right.
    Left,
    Right,
}

/// The front edge of the treatment: a smooth curve through the user's handles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hairline {
    /// Handles in full-image pixels, in order along the curve (at least 2 to take effect).
    pub points: Vec<Point>,
    /// Width of the density ramp across the line, in mm (≈1 sharp, 5-10 soft / broken).
    pub feather_mm: f32,
    pub treated_side: HairlineSide,
    /// How "broken" the edge is, 0..=1: 0 is a clean ramp (sharp or soft); toward 1 the ramp's
    /// front wanders in small steps and small clusters of stray dots sit ahead of it, as an
    /// artist breaks up a hairline so no line of dots shows.
    #[serde(default)]
    pub breakup: f32,
}

/// A hairline prepared for many queries: the sampled curve, extended far beyond its ends.
#[derive(Clone, Debug)]
pub struct HairlineField {
    polyline: Vec<Point>,
    sign: f32,
    feather_px: f32,
    px_per_mm: f32,
    seed: u64,
    breakup: f32,
}

/// Catmull-Rom through the handles, sampled `per_span` times a span.
pub fn hairline_curve(points: &[Point], per_span: usize) -> Vec<Point> {
    let pts: Vec<Point> = points.iter().copied().filter(|p| p.is_finite()).collect();
    if pts.len() < 2 {
        return pts;
    }
    let mut out = Vec::with_capacity((pts.len() - 1) * per_span + 1);
    for i in 0..pts.len() - 1 {
        let p0 = if i == 0 { pts[0] } else { pts[i - 1] };
        let (p1, p2) = (pts[i], pts[i + 1]);
        let p3 = if i + 2 < pts.len() { pts[i + 2] } else { pts[i + 1] };
        for s in 0..per_span {
            let t = s as f32 / per_span as f32;
            let (t2, t3) = (t * t, t * t * t);
            let f = |a: f32, b: f32, c: f32, d: f32| {
                0.5 * (2.0 * b
                    + (-a + c) * t
                    + (2.0 * a - 5.0 * b + 4.0 * c - d) * t2
                    + (-a + 3.0 * b - 3.0 * c + d) * t3)
            };
            out.push(Point::new(f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y)));
        }
    }
    out.push(*pts.last().unwrap());
    out
}

impl Hairline {
    /// Prepare the field at `scale` (raster px per full-image px); `px_per_mm` is in full-image px.
    /// `None` when the hairline has fewer than two distinct handles.
    pub fn field(&self, scale: f32, px_per_mm: f32, seed: u64) -> Option<HairlineField> {
        let mut poly: Vec<Point> = hairline_curve(&self.points, 16).into_iter().map(|p| p.scaled(scale)).collect();
        poly.dedup_by(|a, b| a.distance(*b) < 1e-3);
        if poly.len() < 2 || !(scale > 0.0 && px_per_mm > 0.0) {
            return None;
        }
        // Extend both ends along their tangents so the line splits the whole image in two.
        let far = 1e6;
        let extend = |from: Point, to: Point| {
            let (dx, dy) = (to.x - from.x, to.y - from.y);
            let len = (dx * dx + dy * dy).sqrt().max(1e-6);
            Point::new(to.x + dx / len * far, to.y + dy / len * far)
        };
        let head = extend(poly[1], poly[0]);
        let tail = extend(poly[poly.len() - 2], poly[poly.len() - 1]);
        poly.insert(0, head);
        poly.push(tail);
        let sign = match self.treated_side {
            HairlineSide::Left => 1.0,
            HairlineSide::Right => -1.0,
        };
        let feather_mm = if self.feather_mm.is_finite() { self.feather_mm.clamp(0.2, 40.0) } else { 1.0 };
        Some(HairlineField {
            polyline: poly,
            sign,
            feather_px: feather_mm * px_per_mm * scale,
            px_per_mm: px_per_mm * scale,
            seed,
            breakup: if self.breakup.is_finite() { self.breakup.clamp(0.0, 1.0) } else { 0.0 },
        })
    }
}

impl HairlineField {
    /// Signed distance in raster px: positive on the treated side.
    pub fn signed_distance(&self, p: Point) -> f32 {
        let mut best = (f32::INFINITY, 0usize);
        for i in 0..self.polyline.len() - 1 {
            let (d, _) = distance_to_segment(p, self.polyline[i], self.polyline[i + 1]);
            if d < best.0 {
                best = (d, i);
            }
        }
        let (a, b) = (self.polyline[best.1], self.polyline[best.1 + 1]);
        // Cross product of the segment direction and a->p: negative = left in y-down images.
        let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
        let side = if cross <= 0.0 { 1.0 } else { -1.0 };
        side * self.sign * best.0
    }

    /// Density factor 0..=1 at `p`: 0 in front of the line, 1 behind it, a smooth ramp of the
    /// feather width centred on the drawn line, its edge made irregular by low-frequency noise so
    /// no hard line of dots appears. A broken edge (`breakup` > 0) adds a finer wander to the
    /// ramp and small clusters of stray dots up to 1.5 feather widths ahead of it.
    pub fn density(&self, p: Point) -> f32 {
        let sd = self.signed_distance(p);
        let w = self.feather_px.max(0.5);
        let b = self.breakup;
        // The ramp is shifted by at most (0.35 + 0.55 b) w: beyond that it is 1.
        if sd > (0.85 + 0.55 * b) * w + 1.0 {
            return 1.0;
        }
        // Irregular edge: noise with a ~4 mm period shifts the ramp by up to ±35 % of its width.
        let period = 4.0 * self.px_per_mm;
        let n = value_noise(self.seed, p.x / period, p.y / period) - 0.5;
        let mut shift = n * 0.7 * w;
        if b > 0.0 {
            // Broken: the coarse wander grows and a finer one (~1.5 mm) breaks the front into
            // small steps.
            let fine = 1.5 * self.px_per_mm;
            let n2 = value_noise(self.seed ^ 0xB4E4_11E5, p.x / fine, p.y / fine) - 0.5;
            shift += b * (n * 0.5 + n2 * 0.6) * w;
        }
        let t = ((sd + shift) / w + 0.5).clamp(0.0, 1.0);
        let ramp = t * t * (3.0 - 2.0 * t);
        if b <= 0.0 {
            return ramp;
        }
        // Strays: clusters (~2.5 mm) over about a third of the band ahead of the ramp, thinning
        // to nothing 1.5 feather widths ahead of it.
        let ahead = (-(sd + shift) - 0.5 * w) / (1.5 * w);
        if ahead >= 1.0 {
            return ramp;
        }
        let cluster = 2.5 * self.px_per_mm;
        let c = value_noise(self.seed ^ 0x57A7_D075, p.x / cluster, p.y / cluster);
        let clump = ((c - 0.55) / 0.2).clamp(0.0, 1.0);
        let stray = b * 0.4 * (1.0 - ahead.max(0.0)) * clump;
        ramp.max(stray)
    }

    /// The size factor of a dot where the density is `density`: 1 on a clean edge; on a broken
    /// one the sparse front dots are up to 25 % finer, as an artist works the front with a
    /// finer needle.
    pub fn front_dot_scale(&self, density: f32) -> f32 {
        1.0 - 0.25 * self.breakup * (1.0 - density.clamp(0.0, 1.0))
    }
}

/// Everything that defines the treatment area.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AreaSpec<S = Stroke> {
    pub strokes: Vec<S>,
    pub hairline: Option<Hairline>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pixel measured: what `stamp_capsule` must give.
    fn stamp_reference(mask: &mut Mask, a: Point, b: Point, r: f32, mode: BrushMode) {
        for y in 0..mask.height {
            for x in 0..mask.width {
                let (d, _) = distance_to_segment(Point::new(x as f32 + 0.5, y as f32 + 0.5), a, b);
                let cov = (r - d + 0.5).clamp(0.0, 1.0);
                if cov > 0.0 {
                    let v = (cov * 255.0 + 0.5) as u8;
                    let m = &mut mask.data[(y * mask.width + x) as usize];
                    *m = match mode {
                        BrushMode::Paint => (*m).max(v),
                        BrushMode::Erase => (*m).min(255 - v),
                    };
                }
            }
        }
    }

    #[test]
    fn capsules_filled_by_spans_equal_every_pixel_measured() {
        let (w, h) = (160u32, 120u32);
        let mut seed = 7u64;
        let mut next = |lo: f32, hi: f32| {
            seed = crate::rng::mix64(seed + 1);
            lo + (hi - lo) * crate::rng::unit_from_hash(seed)
        };
        for i in 0..300 {
            let a = Point::new(next(-40.0, 200.0), next(-40.0, 160.0));
            // Horizontal, vertical, nearly so, a dot, and anything.
            let b = match i % 5 {
                0 => Point::new(next(-40.0, 200.0), a.y),
                1 => Point::new(a.x, next(-40.0, 160.0)),
                2 => Point::new(next(-40.0, 200.0), a.y + next(-0.01, 0.01)),
                3 => a,
                _ => Point::new(next(-40.0, 200.0), next(-40.0, 160.0)),
            };
            let r = if i % 7 == 0 { next(0.05, 2.0) } else { next(0.5, 70.0) };
            let mode = if i % 3 == 0 { BrushMode::Erase } else { BrushMode::Paint };
            let mut start = Mask::new(w, h);
            for (k, v) in start.data.iter_mut().enumerate() {
                *v = (crate::rng::mix64(k as u64 + i) % 256) as u8;
            }
            let (mut fast, mut slow) = (start.clone(), start);
            stamp_capsule(&mut fast, a, b, r, mode);
            stamp_reference(&mut slow, a, b, r, mode);
            assert!(fast.data == slow.data, "case {i}: {a:?} {b:?} r {r}");
        }
    }

    fn stroke(id: u64, mode: BrushMode, r: f32, pts: &[(f32, f32)]) -> Stroke {
        Stroke { id, mode, radius_px: r, points: pts.iter().map(|&(x, y)| Point::new(x, y)).collect() }
    }

    #[test]
    fn a_growing_stroke_with_skipped_points_rasterises_like_a_rebuild() {
        // Non-finite points are skipped; the ones before the growth must not shift where it
        // starts, or the segment into the new points is lost (the incremental mask then
        // differs from a rebuilt one).
        let mut s = stroke(1, BrushMode::Paint, 2.0, &[(5.0, 5.0), (f32::NAN, 1.0), (f32::INFINITY, 2.0), (10.0, 5.0)]);
        let mut grown = Mask::new(64, 64);
        rasterize_stroke(&mut grown, &s, 1.0, 0);
        let n = s.points.len();
        s.points.extend([Point::new(30.0, 5.0), Point::new(40.0, 5.0)]);
        rasterize_stroke(&mut grown, &s, 1.0, n);
        assert!(grown.get(20, 5) > 0, "the segment into the new points");
        assert_eq!(grown, rasterize_strokes(&[s], 64, 64, 1.0));
    }

    #[test]
    fn a_dab_covers_a_disc_of_the_brush_area() {
        let m = rasterize_strokes(&[stroke(1, BrushMode::Paint, 10.0, &[(50.0, 50.0)])], 100, 100, 1.0);
        let area = m.area_px();
        let expect = std::f64::consts::PI * 100.0;
        assert!((area / expect - 1.0).abs() < 0.02, "area {area} vs {expect}");
        assert_eq!(m.get(50, 50), 255);
        assert_eq!(m.get(50, 65), 0);
        assert_eq!(m.bounding_rect(), PixelRect { x0: 40, y0: 40, x1: 60, y1: 60 });
    }

    #[test]
    fn scale_maps_full_image_strokes_onto_the_working_copy() {
        let s = [stroke(1, BrushMode::Paint, 40.0, &[(200.0, 200.0), (600.0, 200.0)])];
        let full = rasterize_strokes(&s, 800, 400, 1.0);
        let work = rasterize_strokes(&s, 200, 100, 0.25);
        assert!((full.area_px() * 0.0625 / work.area_px() - 1.0).abs() < 0.03);
    }

    #[test]
    fn erase_removes_and_incremental_equals_full() {
        let paint = stroke(1, BrushMode::Paint, 8.0, &[(10.0, 30.0), (40.0, 32.0), (90.0, 35.0)]);
        let erase = stroke(2, BrushMode::Erase, 5.0, &[(50.0, 0.0), (50.0, 60.0)]);
        let full = rasterize_strokes(&[paint.clone(), erase.clone()], 100, 60, 1.0);
        assert_eq!(full.get(50, 33), 0);
        assert_eq!(full.get(30, 31), 255);
        // Apply the same strokes point by point, as a drag does.
        let mut inc = Mask::new(100, 60);
        for s in [&paint, &erase] {
            for n in 1..=s.points.len() {
                let partial = Stroke { points: s.points[..n].to_vec(), ..s.clone() };
                rasterize_stroke(&mut inc, &partial, 1.0, n - 1);
            }
        }
        assert_eq!(inc, full);
    }

    #[test]
    fn a_base_area_resamples_to_any_raster_and_strokes_edit_it() {
        // A 10x10 grid over a 1000x1000 photo, its left half inside.
        let mut base = AreaMask::empty(10, 10, 1000, 1000);
        for y in 0..10 {
            for x in 0..5 {
                base.data[y * 10 + x] = 255;
            }
        }
        let small = rasterize_area(Some(&base), &[] as &[Stroke], 100, 100, 0.1);
        let big = rasterize_area(Some(&base), &[] as &[Stroke], 1000, 1000, 1.0);
        assert_eq!(small.get(10, 50), 255);
        assert_eq!(small.get(90, 50), 0);
        // The same share of the photo at both resolutions, the edge where the grid put it.
        assert!((small.area_px() / 1e4 - big.area_px() / 1e6).abs() < 0.01);
        assert!((big.area_px() / 1e6 - 0.5).abs() < 0.02, "{}", big.area_px() / 1e6);
        // Erase on top of the base, paint outside it.
        let strokes = [
            stroke(1, BrushMode::Erase, 100.0, &[(200.0, 500.0)]),
            stroke(2, BrushMode::Paint, 50.0, &[(800.0, 500.0)]),
        ];
        let edited = rasterize_area(Some(&base), &strokes, 100, 100, 0.1);
        assert_eq!(edited.get(20, 50), 0);
        assert_eq!(edited.get(80, 50), 255);
        assert_eq!(edited.get(20, 10), 255);
        assert!(AreaMask::empty(3, 3, 10, 10).is_empty());
    }

    #[test]
    fn non_finite_input_is_ignored() {
        let mut m = Mask::new(10, 10);
        rasterize_stroke(&mut m, &stroke(1, BrushMode::Paint, f32::NAN, &[(1.0, 1.0)]), 1.0, 0);
        rasterize_stroke(&mut m, &stroke(2, BrushMode::Paint, 3.0, &[(f32::INFINITY, 1.0)]), 1.0, 0);
        assert_eq!(m.count_nonzero(), 0);
        assert_eq!(m.at(Point::new(-1.0, 3.0)), 0);
    }

    #[test]
    fn hairline_treats_the_side_above_a_left_to_right_line() {
        let line = Hairline {
            points: vec![Point::new(0.0, 100.0), Point::new(100.0, 90.0), Point::new(200.0, 100.0)],
            feather_mm: 2.0,
            treated_side: HairlineSide::Left,
            breakup: 0.0,
        };
        let f = line.field(1.0, 5.0, 1).unwrap();
        assert!(f.signed_distance(Point::new(100.0, 40.0)) > 40.0);
        assert!(f.signed_distance(Point::new(100.0, 140.0)) < -40.0);
        assert_eq!(f.density(Point::new(100.0, 40.0)), 1.0);
        assert_eq!(f.density(Point::new(100.0, 140.0)), 0.0);
        // Beyond the handles the extension keeps splitting the image.
        assert!(f.signed_distance(Point::new(-300.0, 50.0)) > 0.0);
        let flipped = Hairline { treated_side: HairlineSide::Right, ..line.clone() }.field(1.0, 5.0, 1).unwrap();
        assert_eq!(flipped.density(Point::new(100.0, 140.0)), 1.0);
        assert!(Hairline { points: vec![Point::new(1.0, 1.0)], ..line }.field(1.0, 5.0, 1).is_none());
    }

    #[test]
    fn feathered_hairline_ramps_and_its_edge_is_irregular() {
        let line = Hairline {
            points: vec![Point::new(0.0, 500.0), Point::new(1000.0, 500.0)],
            feather_mm: 8.0,
            treated_side: HairlineSide::Left,
            breakup: 0.0,
        };
        let f = line.field(1.0, 4.0, 7).unwrap(); // feather 32 px
                                                  // Along the drawn line the density varies (irregular edge), on average about one half.
        let on_line: Vec<f32> = (0..200).map(|i| f.density(Point::new(i as f32 * 5.0, 500.0))).collect();
        let mean = on_line.iter().sum::<f32>() / on_line.len() as f32;
        let min = on_line.iter().cloned().fold(1.0, f32::min);
        let max = on_line.iter().cloned().fold(0.0, f32::max);
        assert!((0.3..0.7).contains(&mean), "mean {mean}");
        assert!(max - min > 0.3, "edge too regular: {min}..{max}");
        // Monotone ramp across the line on average.
        let across = |dy: f32| (0..200).map(|i| f.density(Point::new(i as f32 * 5.0, 500.0 - dy))).sum::<f32>();
        assert!(across(-20.0) < across(0.0) && across(0.0) < across(20.0));
    }
}
