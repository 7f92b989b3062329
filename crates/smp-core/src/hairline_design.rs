//! Hairline design: the presets an artist starts from (a juvenile or a mature shape; a sharp, soft
//! or broken edge), placed in millimetres from the brows and the face's mid-line; mirror symmetry
//! about that mid-line; and the heights of the millimetre guide.
//!
//! Everything is in full-image px except where a name says `_mm`. "Height" is measured along the
//! mid-line from the brows toward the top of the head, "lateral" across the face (toward image
//! right when the head is upright).

use serde::{Deserialize, Serialize};

use crate::detect::{HAIRLINE_ABOVE_BROWS_MM, HAIRLINE_AGGRESSIVE_MM, HAIRLINE_CONSERVATIVE_MM};
use crate::geometry::Point;
use crate::region::{hairline_curve, Hairline, HairlineSide};

/// The heights of the millimetre guide above the brows: aggressive, usual, conservative.
pub const GUIDE_LEVELS_MM: [f32; 3] = [HAIRLINE_AGGRESSIVE_MM, HAIRLINE_ABOVE_BROWS_MM, HAIRLINE_CONSERVATIVE_MM];
/// The range offered for the mid-frontal point's height above the brows, mm.
pub const MFP_ABOVE_BROWS_MM: (f32, f32) = (60.0, 110.0);

/// What detection knows about a face, in full-image px: enough to place a hairline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceFrame {
    /// The brows' top line at the face's mid-line.
    pub brow_mid: Point,
    /// Unit vector along the mid-line, from the brows toward the top of the head.
    pub up: Point,
    /// Distance between the eyes, full-image px.
    pub eye_distance_px: f32,
}

impl FaceFrame {
    /// The face's mid-line through the brows; `None` for a degenerate frame.
    pub fn mid_line(&self) -> Option<MidLine> {
        MidLine::new(self.brow_mid, self.up)
    }
}

/// A line of symmetry through `origin` along the unit vector `up`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MidLine {
    pub origin: Point,
    pub up: Point,
}

impl MidLine {
    /// `up` is normalised; `None` if it is zero or anything is not finite.
    pub fn new(origin: Point, up: Point) -> Option<MidLine> {
        let len = (up.x * up.x + up.y * up.y).sqrt();
        (origin.is_finite() && up.is_finite() && len > 1e-6)
            .then(|| MidLine { origin, up: Point::new(up.x / len, up.y / len) })
    }

    /// The vertical through `x`, "up" toward the image's top.
    pub fn vertical(x: f32) -> MidLine {
        MidLine { origin: Point::new(x, 0.0), up: Point::new(0.0, -1.0) }
    }

    /// The unit vector across the line (toward image right when `up` points to the image's top).
    pub fn across(&self) -> Point {
        Point::new(-self.up.y, self.up.x)
    }

    pub fn lateral(&self, p: Point) -> f32 {
        let a = self.across();
        (p.x - self.origin.x) * a.x + (p.y - self.origin.y) * a.y
    }

    pub fn height(&self, p: Point) -> f32 {
        (p.x - self.origin.x) * self.up.x + (p.y - self.origin.y) * self.up.y
    }

    /// The point `lateral` px across and `height` px up from the origin.
    pub fn at(&self, lateral: f32, height: f32) -> Point {
        let a = self.across();
        Point::new(
            self.origin.x + a.x * lateral + self.up.x * height,
            self.origin.y + a.y * lateral + self.up.y * height,
        )
    }

    /// The mirror image of `p` about the line.
    pub fn mirror(&self, p: Point) -> Point {
        self.at(-self.lateral(p), self.height(p))
    }
}

/// The outline of the hairline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HairlineShape {
    /// Low and fairly straight across with rounded, filled temples.
    Juvenile,
    /// Higher, with recessed temporal corners: a gentle "M".
    Mature,
}

impl HairlineShape {
    pub const ALL: [HairlineShape; 2] = [HairlineShape::Juvenile, HairlineShape::Mature];

    pub fn label(self) -> &'static str {
        match self {
            HairlineShape::Juvenile => "Juvenile",
            HairlineShape::Mature => "Mature",
        }
    }

    /// The mid-frontal point's usual height above the brows for this shape, mm.
    pub fn default_mfp_mm(self) -> f32 {
        match self {
            HairlineShape::Juvenile => 75.0,
            HairlineShape::Mature => 85.0,
        }
    }

    /// The handles, left temple to right temple, as (lateral mm from the mid-line, height mm
    /// relative to the mid-frontal point). Both shapes end ~70 mm either side, where the
    /// temporal hairline runs down toward the sideburns.
    pub fn handles_mm(self) -> &'static [(f32, f32)] {
        match self {
            // Nearly level across, the corners rounded and low (filled temples).
            HairlineShape::Juvenile => {
                &[(-68.0, -40.0), (-60.0, -12.0), (-40.0, -2.0), (0.0, 0.0), (40.0, -2.0), (60.0, -12.0), (68.0, -40.0)]
            }
            // A central lobe at the MFP, the temporal corners 14 mm further back (higher in a
            // front view), then down to the temple points.
            HairlineShape::Mature => &[
                (-66.0, -36.0),
                (-58.0, -4.0),
                (-45.0, 14.0),
                (-18.0, 3.0),
                (0.0, 0.0),
                (18.0, 3.0),
                (45.0, 14.0),
                (58.0, -4.0),
                (66.0, -36.0),
            ],
        }
    }

    /// The handle at the temporal corner (the frontotemporal angle), left side.
    pub fn corner_index(self) -> usize {
        match self {
            HairlineShape::Juvenile => 1,
            HairlineShape::Mature => 2,
        }
    }
}

/// The edge of the hairline: how the dots thin out across it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HairlineEdge {
    /// A crisp edge (a 1 mm ramp).
    Sharp,
    /// A gradual ramp (6 mm).
    Soft,
    /// A soft ramp that is also irregular, with stray dots ahead of it.
    Broken,
}

impl HairlineEdge {
    pub const ALL: [HairlineEdge; 3] = [HairlineEdge::Sharp, HairlineEdge::Soft, HairlineEdge::Broken];

    pub fn label(self) -> &'static str {
        match self {
            HairlineEdge::Sharp => "Sharp",
            HairlineEdge::Soft => "Soft",
            HairlineEdge::Broken => "Broken",
        }
    }

    pub fn feather_mm(self) -> f32 {
        match self {
            HairlineEdge::Sharp => 1.0,
            HairlineEdge::Soft => 6.0,
            HairlineEdge::Broken => 7.0,
        }
    }

    pub fn breakup(self) -> f32 {
        match self {
            HairlineEdge::Broken => 1.0,
            _ => 0.0,
        }
    }

    /// Which of the three a hairline's edge is closest to (any breakup makes it broken; a ramp
    /// under 3 mm is sharp).
    pub fn of(line: &Hairline) -> HairlineEdge {
        if line.breakup > 0.0 {
            HairlineEdge::Broken
        } else if line.feather_mm < 3.0 {
            HairlineEdge::Sharp
        } else {
            HairlineEdge::Soft
        }
    }

    /// The line with this edge (its handles unchanged).
    pub fn applied_to(self, line: &Hairline) -> Hairline {
        Hairline { feather_mm: self.feather_mm(), breakup: self.breakup(), ..line.clone() }
    }
}

fn place(shape: HairlineShape, edge: HairlineEdge, frame: &MidLine, mfp_height_px: f32, px_per_unit: f32) -> Hairline {
    Hairline {
        points: shape
            .handles_mm()
            .iter()
            .map(|&(lateral, height)| frame.at(lateral * px_per_unit, mfp_height_px + height * px_per_unit))
            .collect(),
        feather_mm: edge.feather_mm(),
        // Handles run in the +lateral direction, so the treated side (left of travel) is "up".
        treated_side: HairlineSide::Left,
        breakup: edge.breakup(),
    }
}

/// A preset placed on a face: the mid-frontal point `mfp_above_brows_mm` above the brows along
/// the mid-line, every handle at its millimetre offset. `None` if the face or the scale is
/// unusable (non-finite or zero).
pub fn preset_on_face(
    shape: HairlineShape,
    edge: HairlineEdge,
    face: &FaceFrame,
    px_per_mm: f32,
    mfp_above_brows_mm: f32,
) -> Option<Hairline> {
    let frame = face.mid_line()?;
    if !(px_per_mm.is_finite() && px_per_mm > 0.0 && mfp_above_brows_mm.is_finite()) {
        return None;
    }
    let mfp_mm = mfp_above_brows_mm.clamp(MFP_ABOVE_BROWS_MM.0, MFP_ABOVE_BROWS_MM.1);
    Some(place(shape, edge, &frame, mfp_mm * px_per_mm, px_per_mm))
}

/// Without a face: the preset's shape placed on the current line, its middle kept where the
/// current line crosses the perpendicular bisector of its ends. Sized in mm with `px_per_mm`
/// when the scale is known, else to the current line's width. `None` when the current line has
/// fewer than two distinct handles.
pub fn preset_fitted_to(
    shape: HairlineShape,
    edge: HairlineEdge,
    current: &Hairline,
    px_per_mm: Option<f32>,
) -> Option<Hairline> {
    let pts: Vec<Point> = current.points.iter().copied().filter(|p| p.is_finite()).collect();
    let (first, last) = (*pts.first()?, *pts.last()?);
    let chord = Point::new(last.x - first.x, last.y - first.y);
    let width = first.distance(last);
    if !width.is_finite() || width <= 1.0 {
        return None;
    }
    // "Up" is toward the treated side.
    let up = match current.treated_side {
        HairlineSide::Left => Point::new(chord.y, -chord.x),
        HairlineSide::Right => Point::new(-chord.y, chord.x),
    };
    let mid = Point::new(0.5 * (first.x + last.x), 0.5 * (first.y + last.y));
    let bisector = MidLine::new(mid, up)?;
    let middle = curve_crossing(&pts, &bisector).unwrap_or(mid);
    let frame = MidLine::new(middle, up)?;
    let span_mm = shape.handles_mm().iter().map(|h| h.0.abs()).fold(0.0, f32::max);
    let px_per_unit = match px_per_mm {
        Some(ppm) if ppm.is_finite() && ppm > 0.0 => ppm,
        _ => width / (2.0 * span_mm),
    };
    Some(place(shape, edge, &frame, 0.0, px_per_unit))
}

/// Where the curve through `points` crosses the line (lateral 0) nearest its origin.
fn curve_crossing(points: &[Point], line: &MidLine) -> Option<Point> {
    let curve = hairline_curve(points, 16);
    let mut best: Option<Point> = None;
    for seg in curve.windows(2) {
        let (la, lb) = (line.lateral(seg[0]), line.lateral(seg[1]));
        if (la <= 0.0 && lb >= 0.0) || (la >= 0.0 && lb <= 0.0) {
            let t = if (lb - la).abs() > 1e-6 { la / (la - lb) } else { 0.5 };
            let p = Point::new(seg[0].x + t * (seg[1].x - seg[0].x), seg[0].y + t * (seg[1].y - seg[0].y));
            if best.is_none_or(|b| line.height(p).abs() < line.height(b).abs()) {
                best = Some(p);
            }
        }
    }
    best
}

/// The height of the line's mid-frontal point (where the drawn curve crosses the face's
/// mid-line) above the brows, mm.
pub fn mfp_above_brows_mm(line: &Hairline, face: &FaceFrame, px_per_mm: f32) -> Option<f32> {
    let frame = face.mid_line()?;
    let p = curve_crossing(&line.points, &frame)?;
    (px_per_mm > 0.0).then(|| frame.height(p) / px_per_mm).filter(|v| v.is_finite())
}

/// Move the whole line along the mid-line so its mid-frontal point sits `mm` above the brows.
pub fn with_mfp_above_brows(line: &Hairline, face: &FaceFrame, px_per_mm: f32, mm: f32) -> Option<Hairline> {
    let frame = face.mid_line()?;
    let now = mfp_above_brows_mm(line, face, px_per_mm)?;
    if !mm.is_finite() {
        return None;
    }
    let shift_px = (mm.clamp(MFP_ABOVE_BROWS_MM.0, MFP_ABOVE_BROWS_MM.1) - now) * px_per_mm;
    let (dx, dy) = (frame.up.x * shift_px, frame.up.y * shift_px);
    Some(Hairline { points: line.points.iter().map(|p| Point::new(p.x + dx, p.y + dy)).collect(), ..line.clone() })
}

/// Handles within this many px of the mid-line count as on it.
const ON_AXIS_PX: f32 = 1.0;

/// Which half of a line to keep when making it symmetric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Half {
    /// Negative lateral (image left for an upright head).
    Left,
    Right,
}

impl Half {
    pub fn of(p: Point, axis: &MidLine) -> Half {
        if axis.lateral(p) < 0.0 {
            Half::Left
        } else {
            Half::Right
        }
    }
}

/// The handles made symmetric about `axis`: the `keep` half's handles and their mirror images
/// (handles on the axis are snapped onto it), in the same direction along the line as before so
/// the treated side stays. Unchanged if the kept half has no handle.
pub fn symmetrize(points: &[Point], axis: &MidLine, keep: Half) -> Vec<Point> {
    let pts: Vec<Point> = points.iter().copied().filter(|p| p.is_finite()).collect();
    let sign = if keep == Half::Left { -1.0 } else { 1.0 };
    let mut side: Vec<(f32, f32)> = pts
        .iter()
        .map(|&p| (axis.lateral(p) * sign, axis.height(p)))
        .filter(|&(lateral, _)| lateral > ON_AXIS_PX)
        .collect();
    if side.is_empty() {
        return points.to_vec();
    }
    let on_axis: Vec<f32> =
        pts.iter().filter(|&&p| axis.lateral(p).abs() <= ON_AXIS_PX).map(|&p| axis.height(p)).collect();
    // Innermost first.
    side.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Point> = side.iter().rev().map(|&(l, h)| axis.at(-l, h)).collect();
    out.extend(on_axis.iter().map(|&h| axis.at(0.0, h)));
    out.extend(side.iter().map(|&(l, h)| axis.at(l, h)));
    let increasing = pts.len() < 2 || axis.lateral(pts[pts.len() - 1]) >= axis.lateral(pts[0]);
    if !increasing {
        out.reverse();
    }
    out
}

/// Whether every handle has its mirror image at the mirrored position in the list (within `tol_px`).
pub fn is_symmetric(points: &[Point], axis: &MidLine, tol_px: f32) -> bool {
    let n = points.len();
    (0..n).all(|i| axis.mirror(points[i]).distance(points[n - 1 - i]) <= tol_px)
}

/// The handle that mirrors handle `i` in a symmetric list of `n` handles.
pub fn partner(n: usize, i: usize) -> usize {
    n.saturating_sub(1).saturating_sub(i)
}

/// Move handle `i` of a symmetric list to `at` and its partner to the mirror image; a handle
/// stays on its own side of the axis (the middle one stays on it).
pub fn drag_symmetric(points: &mut [Point], axis: &MidLine, i: usize, at: Point) {
    let n = points.len();
    if i >= n || !at.is_finite() {
        return;
    }
    let j = partner(n, i);
    let (mut lateral, height) = (axis.lateral(at), axis.height(at));
    if i == j {
        lateral = 0.0;
    } else {
        // The side the handle is on in the list's order: the first half runs from points[0]'s side.
        let first_side = axis.lateral(points[0]).signum();
        let own = if i < j { first_side } else { -first_side };
        if own != 0.0 && lateral * own < 0.0 {
            lateral = 0.0;
        }
    }
    points[i] = axis.at(lateral, height);
    points[j] = axis.at(-lateral, height);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upright face, brows at (500, 600), 4 px/mm, slightly tilted.
    fn face(tilt_deg: f32) -> FaceFrame {
        let t = tilt_deg.to_radians();
        FaceFrame { brow_mid: Point::new(500.0, 600.0), up: Point::new(t.sin(), -t.cos()), eye_distance_px: 252.0 }
    }

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn the_mid_frontal_point_lands_at_the_asked_height_above_the_brows() {
        for tilt in [0.0, 12.0] {
            let f = face(tilt);
            for shape in HairlineShape::ALL {
                for mm in [70.0, 80.0, 100.0] {
                    let line = preset_on_face(shape, HairlineEdge::Soft, &f, 4.0, mm).unwrap();
                    let got = mfp_above_brows_mm(&line, &f, 4.0).unwrap();
                    assert!(close(got, mm, 0.05), "{shape:?} tilt {tilt}: MFP {got} mm, asked {mm}");
                    // The middle handle sits on the mid-line, mm * px_per_mm from the brows.
                    let mid = line.points[line.points.len() / 2];
                    assert!(close(mid.distance(f.brow_mid), mm * 4.0, 0.01));
                }
            }
        }
        // Out-of-range heights are clamped, a broken face or scale gives nothing.
        let line = preset_on_face(HairlineShape::Juvenile, HairlineEdge::Soft, &face(0.0), 4.0, 500.0).unwrap();
        assert!(close(mfp_above_brows_mm(&line, &face(0.0), 4.0).unwrap(), MFP_ABOVE_BROWS_MM.1, 0.05));
        let broken = FaceFrame { up: Point::new(0.0, 0.0), ..face(0.0) };
        assert!(preset_on_face(HairlineShape::Juvenile, HairlineEdge::Soft, &broken, 4.0, 80.0).is_none());
        assert!(preset_on_face(HairlineShape::Juvenile, HairlineEdge::Soft, &face(0.0), f32::NAN, 80.0).is_none());
    }

    #[test]
    fn presets_are_symmetric_about_the_mid_line_and_treat_the_side_above() {
        for tilt in [0.0, -9.0] {
            let f = face(tilt);
            let axis = f.mid_line().unwrap();
            for shape in HairlineShape::ALL {
                let line = preset_on_face(shape, HairlineEdge::Sharp, &f, 4.0, 80.0).unwrap();
                assert!(is_symmetric(&line.points, &axis, 1e-3), "{shape:?} tilt {tilt}");
                // Dots go above it: a point 30 mm above the MFP is treated, the brows are not.
                let field = line.field(1.0, 4.0, 1).unwrap();
                assert_eq!(field.density(axis.at(0.0, 110.0 * 4.0)), 1.0);
                assert_eq!(field.density(f.brow_mid), 0.0);
            }
        }
    }

    #[test]
    fn a_mature_line_has_its_temple_corners_higher_than_a_juvenile_one() {
        let f = face(0.0);
        let axis = f.mid_line().unwrap();
        let corner_mm = |shape: HairlineShape| {
            let line = preset_on_face(shape, HairlineEdge::Soft, &f, 4.0, 80.0).unwrap();
            let i = shape.corner_index();
            (axis.height(line.points[i]) / 4.0, axis.height(line.points[line.points.len() - 1 - i]) / 4.0)
        };
        let (jl, jr) = corner_mm(HairlineShape::Juvenile);
        let (ml, mr) = corner_mm(HairlineShape::Mature);
        assert!(ml > jl + 10.0 && mr > jr + 10.0, "mature corners {ml}/{mr} mm, juvenile {jl}/{jr} mm");
        // Mature: the corners are recessed above its own MFP (the "M"); juvenile: not.
        assert!(ml > 80.0 && jl < 80.0);
    }

    #[test]
    fn broken_differs_from_soft_with_strays_ahead_and_an_uneven_front() {
        let f = face(0.0);
        let axis = f.mid_line().unwrap();
        let soft = preset_on_face(HairlineShape::Juvenile, HairlineEdge::Soft, &f, 4.0, 80.0).unwrap();
        let broken = preset_on_face(HairlineShape::Juvenile, HairlineEdge::Broken, &f, 4.0, 80.0).unwrap();
        assert_eq!(soft.points, broken.points);
        assert!(broken.breakup > 0.0 && soft.breakup == 0.0);
        let (fs, fb) = (soft.field(1.0, 4.0, 3).unwrap(), broken.field(1.0, 4.0, 3).unwrap());
        // Sample a band 7-9 mm below the MFP across the middle: in front of the soft ramp, which
        // ends at most 0.85 feathers (5.1 mm) in front of the line.
        let mut stray = 0;
        let mut differ = 0;
        let mut n = 0;
        for i in 0..200 {
            let lateral = (i as f32 - 100.0) * 0.3 * 4.0;
            for below_mm in [7.0, 8.0, 9.0] {
                let p = axis.at(lateral, (80.0 - below_mm) * 4.0);
                let (ds, db) = (fs.density(p), fb.density(p));
                n += 1;
                assert_eq!(ds, 0.0, "soft has nothing that far ahead");
                stray += (db > 0.05) as usize;
                differ += (ds != db) as usize;
            }
        }
        assert!(stray > n / 20 && stray < n / 2, "strays ahead of a broken line: {stray} of {n}");
        assert!(differ > 0);
        // Far ahead (30 mm, over 2.9 feathers), nothing.
        assert_eq!(fb.density(axis.at(0.0, 50.0 * 4.0)), 0.0);
        // Well behind it, full density.
        assert_eq!(fb.density(axis.at(0.0, 100.0 * 4.0)), 1.0);
        assert_eq!(HairlineEdge::of(&broken), HairlineEdge::Broken);
        assert_eq!(HairlineEdge::of(&HairlineEdge::Sharp.applied_to(&broken)), HairlineEdge::Sharp);
        assert_eq!(HairlineEdge::of(&Hairline { feather_mm: 3.3, ..soft }), HairlineEdge::Soft);
    }

    #[test]
    fn without_a_face_a_preset_fits_the_current_lines_middle_and_width() {
        let current = Hairline {
            points: vec![Point::new(200.0, 400.0), Point::new(500.0, 300.0), Point::new(800.0, 400.0)],
            feather_mm: 6.0,
            treated_side: HairlineSide::Left,
            breakup: 0.0,
        };
        for shape in HairlineShape::ALL {
            let line = preset_fitted_to(shape, HairlineEdge::Sharp, &current, None).unwrap();
            let first = line.points[0];
            let last = *line.points.last().unwrap();
            assert!(close(first.distance(last), 600.0, 0.5), "{shape:?} width");
            assert!(close(0.5 * (first.x + last.x), 500.0, 0.5));
            let mid = line.points[line.points.len() / 2];
            assert!(close(mid.x, 500.0, 0.01) && close(mid.y, 300.0, 0.5), "{mid:?}");
            assert!(is_symmetric(&line.points, &MidLine::vertical(500.0), 0.01));
            assert_eq!(line.feather_mm, HairlineEdge::Sharp.feather_mm());
        }
        // With a known scale the shape keeps its size in mm (±66 mm at 2 px/mm).
        let sized = preset_fitted_to(HairlineShape::Mature, HairlineEdge::Soft, &current, Some(2.0)).unwrap();
        assert!(close(sized.points[0].distance(*sized.points.last().unwrap()), 264.0, 0.5));
        assert!(close(sized.points[4].y, 300.0, 0.5));
        let one = Hairline { points: vec![Point::new(1.0, 1.0)], ..current };
        assert!(preset_fitted_to(HairlineShape::Mature, HairlineEdge::Soft, &one, None).is_none());
    }

    #[test]
    fn moving_the_mid_frontal_point_shifts_the_whole_line_along_the_mid_line() {
        let f = face(10.0);
        let line = preset_on_face(HairlineShape::Mature, HairlineEdge::Soft, &f, 4.0, 80.0).unwrap();
        let moved = with_mfp_above_brows(&line, &f, 4.0, 100.0).unwrap();
        assert!(close(mfp_above_brows_mm(&moved, &f, 4.0).unwrap(), 100.0, 0.05));
        for (a, b) in line.points.iter().zip(&moved.points) {
            assert!(close(a.distance(*b), 80.0, 0.01));
        }
    }

    #[test]
    fn symmetrize_mirrors_the_kept_half_and_keeps_the_direction() {
        let axis = MidLine::vertical(100.0);
        let pts = [Point::new(20.0, 50.0), Point::new(60.0, 30.0), Point::new(100.4, 20.0), Point::new(170.0, 60.0)];
        let right = symmetrize(&pts, &axis, Half::Right);
        assert_eq!(right, vec![Point::new(30.0, 60.0), Point::new(100.0, 20.0), Point::new(170.0, 60.0)]);
        let left = symmetrize(&pts, &axis, Half::Left);
        assert_eq!(left.len(), 5);
        assert!(is_symmetric(&left, &axis, 1e-4));
        assert_eq!(left[0], Point::new(20.0, 50.0));
        // A right-to-left line stays right-to-left.
        let reversed: Vec<Point> = pts.iter().rev().copied().collect();
        let r = symmetrize(&reversed, &axis, Half::Right);
        assert_eq!(r.first().unwrap().x, 170.0);
        // Nothing on the kept half: unchanged.
        assert_eq!(symmetrize(&pts[..2], &axis, Half::Right), pts[..2].to_vec());
    }

    #[test]
    fn dragging_a_handle_moves_its_partner_mirrored_and_keeps_it_on_its_side() {
        let axis = MidLine::new(Point::new(100.0, 0.0), Point::new(0.2, -1.0)).unwrap();
        let mut pts =
            symmetrize(&[Point::new(20.0, 80.0), Point::new(60.0, 40.0), Point::new(95.0, 30.0)], &axis, Half::Left);
        assert_eq!(pts.len(), 5);
        drag_symmetric(&mut pts, &axis, 1, Point::new(50.0, 20.0));
        assert_eq!(pts[1], Point::new(50.0, 20.0));
        assert!(pts[3].distance(axis.mirror(Point::new(50.0, 20.0))) < 1e-3);
        assert!(is_symmetric(&pts, &axis, 1e-3));
        // Dragged past the axis, a handle stops on it; the middle one stays on the axis.
        drag_symmetric(&mut pts, &axis, 0, Point::new(300.0, 50.0));
        assert!(axis.lateral(pts[0]).abs() < 1e-3);
        drag_symmetric(&mut pts, &axis, 2, Point::new(130.0, 10.0));
        assert!(
            axis.lateral(pts[2]).abs() < 1e-3 && close(axis.height(pts[2]), axis.height(Point::new(130.0, 10.0)), 1e-3)
        );
        assert!(is_symmetric(&pts, &axis, 1e-3));
        assert_eq!(partner(5, 0), 4);
        assert_eq!(partner(0, 0), 0);
    }
}
