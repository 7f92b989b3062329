//! Hairline design in the app: the presets, symmetry and the millimetre guide's state, and the
//! reducer steps for them (called from `State::apply`; pure, unit-tested natively).
//! Geometry is in full-image px; the face and the scale come from detection or a measurement.

use smp_core::detect::View;
use smp_core::hairline_design::{
    drag_symmetric, is_symmetric, mfp_above_brows_mm, partner, preset_fitted_to, preset_on_face, symmetrize,
    with_mfp_above_brows, FaceFrame, HairlineEdge, HairlineShape, Half, MidLine,
};
use smp_core::{Hairline, Point};

use crate::state::{default_hairline, State};

/// Handles closer than this (full-image px) to their mirrored place count as symmetric.
const SYMMETRY_TOLERANCE_PX: f32 = 0.5;

/// The hairline designer's settings (they hold across photos).
#[derive(Clone, Debug, PartialEq)]
pub struct HairlineDesign {
    /// The last shape preset applied.
    pub shape: Option<HairlineShape>,
    /// Handles mirror about the face's mid-line (or the vertical through the line's middle).
    pub symmetric: bool,
    /// Show the 70 / 80 / 100 mm levels above the brows while the Hairline tool is active.
    pub guide: bool,
    /// The half of the line the user last worked on: kept when symmetry is turned on.
    pub worked_half: Option<Half>,
}

impl Default for HairlineDesign {
    fn default() -> Self {
        Self { shape: None, symmetric: false, guide: true, worked_half: None }
    }
}

impl State {
    /// The face found on the current photo (front views with eyes).
    pub fn face(&self) -> Option<&FaceFrame> {
        self.detection.as_ref().and_then(|d| d.face.as_ref())
    }

    /// Whether the scale is more than the photo-size guess: detected or measured.
    pub fn scale_known(&self) -> bool {
        self.measure.is_some() || self.detection.as_ref().is_some_and(|d| d.scale_source.is_some())
    }

    /// The line handles mirror about: the face's mid-line, else the vertical through the
    /// middle of the hairline's ends.
    pub fn hairline_axis(&self) -> Option<MidLine> {
        if let Some(axis) = self.face().and_then(FaceFrame::mid_line) {
            return Some(axis);
        }
        let h = self.area.hairline.as_ref()?;
        let (first, last) = (h.points.first()?, h.points.last()?);
        let x = 0.5 * (first.x + last.x);
        x.is_finite().then(|| MidLine::vertical(x))
    }

    /// The current line's mid-frontal point above the brows, mm (a face is needed).
    pub fn mfp_above_brows_mm(&self) -> Option<f32> {
        mfp_above_brows_mm(self.area.hairline.as_ref()?, self.face()?, self.params.px_per_mm)
    }

    /// Whether the shape presets and symmetry apply: a front hairline (front and top views, or
    /// a view not known). A side view's line runs from the forehead down the temple to the
    /// sideburn and a back view's is the nape's: neither is symmetric about a middle, and the
    /// user shapes them with the handles.
    pub fn front_hairline_tools(&self) -> bool {
        !matches!(self.view, Some(View::Side | View::Back))
    }

    /// Whether handles move and go in mirrored pairs: symmetry asked for, on a front line (a flag
    /// set before the photo was called a side or back view does nothing there).
    fn symmetric_on(&self) -> bool {
        self.design.symmetric && self.front_hairline_tools()
    }

    /// Replace the hairline with a preset shape, keeping its edge: on the face in mm when one
    /// was found, else around the current line's middle. One undo step. Nothing on side and back
    /// views ([`State::front_hairline_tools`]).
    pub(crate) fn apply_hairline_preset(&mut self, shape: HairlineShape) {
        if !self.front_hairline_tools() {
            return;
        }
        let Some(photo) = &self.photo else { return };
        let current = self.area.hairline.clone().unwrap_or_else(|| default_hairline(photo));
        let edge = HairlineEdge::of(&current);
        let ppm = self.params.px_per_mm;
        let line = match self.face() {
            Some(face) => preset_on_face(shape, edge, face, ppm, shape.default_mfp_mm()),
            None => preset_fitted_to(shape, edge, &current, self.scale_known().then_some(ppm)),
        };
        let Some(mut line) = line else { return };
        // Without a face the preset is symmetric about its own middle; keep it about the axis
        // the symmetric mode uses.
        if self.symmetric_on() && self.face().is_none() {
            if let (Some(first), Some(last)) = (line.points.first(), line.points.last()) {
                let axis = MidLine::vertical(0.5 * (first.x + last.x));
                line.points = symmetrize(&line.points, &axis, self.design.worked_half.unwrap_or(Half::Left));
            }
        }
        self.push_undo();
        self.area.hairline = Some(line);
        self.design.shape = Some(shape);
    }

    /// Give the line a preset edge (its handles stay). One undo step.
    pub(crate) fn set_hairline_edge(&mut self, edge: HairlineEdge) {
        let Some(photo) = &self.photo else { return };
        let current = self.area.hairline.clone().unwrap_or_else(|| default_hairline(photo));
        let line = edge.applied_to(&current);
        if self.area.hairline.as_ref() != Some(&line) {
            self.push_undo();
            self.area.hairline = Some(line);
        }
    }

    /// Move the line along the face's mid-line so its mid-frontal point is `mm` above the brows
    /// (like the feather slider, a slider move is not an undo step of its own).
    pub(crate) fn set_mfp_above_brows(&mut self, mm: f32) {
        let (Some(face), Some(line)) = (self.face(), self.area.hairline.as_ref()) else { return };
        if let Some(moved) = with_mfp_above_brows(line, face, self.params.px_per_mm, mm) {
            self.area.hairline = Some(moved);
        }
    }

    /// Turn symmetry on (the line is mirrored from the half last worked on) or off. It stays off
    /// on side and back views ([`State::front_hairline_tools`]).
    pub(crate) fn set_hairline_symmetric(&mut self, on: bool) {
        self.design.symmetric = on && self.front_hairline_tools();
        if self.symmetric_on() {
            self.make_hairline_symmetric(self.design.worked_half.unwrap_or(Half::Left));
        }
    }

    /// Mirror the `keep` half of the line onto the other, if it is not symmetric yet (an undo step).
    fn make_hairline_symmetric(&mut self, keep: Half) {
        let Some(axis) = self.hairline_axis() else { return };
        let Some(line) = &self.area.hairline else { return };
        if is_symmetric(&line.points, &axis, SYMMETRY_TOLERANCE_PX) {
            return;
        }
        let points = symmetrize(&line.points, &axis, keep);
        if points.len() >= 2 && points != line.points {
            self.push_undo();
            self.area.hairline.as_mut().expect("checked").points = points;
        }
    }

    /// Pointer down with the Hairline tool: grab the nearest handle within `hit_px`, or insert
    /// one (with its mirror image when symmetric). Returns the handle to drag.
    pub(crate) fn hairline_pointer_down(&mut self, at: Point, hit_px: f32) -> Option<usize> {
        let axis = self.hairline_axis();
        let symmetric = self.symmetric_on();
        if let Some(axis) = &axis {
            self.design.worked_half = Some(Half::of(at, axis));
        }
        self.push_undo();
        let hairline = self.area.hairline.get_or_insert_with(|| Hairline {
            points: Vec::new(),
            feather_mm: crate::state::DEFAULT_FEATHER_MM,
            treated_side: smp_core::HairlineSide::Left,
            breakup: 0.0,
        });
        let nearest = |points: &[Point]| {
            points.iter().enumerate().map(|(i, p)| (i, p.distance(at))).min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let index = match nearest(&hairline.points) {
            Some((i, d)) if d <= hit_px => i,
            _ => crate::state::insert_handle(&mut hairline.points, at),
        };
        match (symmetric, axis) {
            (true, Some(axis)) if hairline.points.len() >= 2 => {
                if is_symmetric(&hairline.points, &axis, SYMMETRY_TOLERANCE_PX) {
                    return Some(index);
                }
                // A new handle (or a line that lost its symmetry, e.g. by undo): mirror the half
                // being worked on, then drag the handle nearest the pointer.
                hairline.points = symmetrize(&hairline.points, &axis, Half::of(at, &axis));
                nearest(&hairline.points).map(|(i, _)| i)
            }
            _ => Some(index),
        }
    }

    /// Move handle `i` to `at`; when symmetric its partner follows, mirrored.
    pub(crate) fn hairline_drag(&mut self, i: usize, at: Point) {
        let axis = self.hairline_axis();
        let symmetric = self.symmetric_on();
        let Some(h) = self.area.hairline.as_mut() else { return };
        match axis {
            Some(axis) if symmetric && is_symmetric(&h.points, &axis, SYMMETRY_TOLERANCE_PX) => {
                drag_symmetric(&mut h.points, &axis, i, at)
            }
            _ => {
                if let Some(p) = h.points.get_mut(i) {
                    *p = at;
                }
                if let Some(axis) = axis {
                    self.design.worked_half = Some(Half::of(at, &axis));
                }
            }
        }
    }

    /// Remove handle `i` (and, when symmetric, its partner), keeping at least two.
    pub(crate) fn remove_hairline_handle(&mut self, i: usize) {
        let axis = self.hairline_axis();
        let Some(h) = &self.area.hairline else { return };
        let n = h.points.len();
        if i >= n {
            return;
        }
        let symmetric = self.symmetric_on() && axis.is_some_and(|a| is_symmetric(&h.points, &a, SYMMETRY_TOLERANCE_PX));
        let j = partner(n, i);
        let pair = symmetric && j != i;
        if n - 1 - pair as usize >= 2 {
            self.push_undo();
            let points = &mut self.area.hairline.as_mut().expect("checked").points;
            if pair {
                points.remove(i.max(j));
                points.remove(i.min(j));
            } else {
                points.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use smp_core::detect::ScaleSource;
    use smp_core::hairline_design::GUIDE_LEVELS_MM;

    use super::*;
    use crate::state::{Action, Detected, PhotoMeta, Prefill, Tool};

    fn photo() -> State {
        State::default().apply(Action::PhotoOpened(PhotoMeta {
            id: 1,
            name: "front.jpg".into(),
            full_width: 1000,
            full_height: 1000,
            work_width: 1000,
            work_height: 1000,
            thumbnail: None,
        }))
    }

    /// A photo whose detection found an upright face: brows at (500, 700), 4 px/mm.
    fn with_face() -> State {
        photo().apply(Action::Prefill(Prefill {
            photo_id: 1,
            detected: Detected {
                area: None,
                hairline: None,
                face: Some(FaceFrame {
                    brow_mid: Point::new(500.0, 700.0),
                    up: Point::new(0.0, -1.0),
                    eye_distance_px: 252.0,
                }),
                px_per_mm: Some((4.0, ScaleSource::EyeDistance)),
                view: Some(View::Front),
                advice: vec![],
                summary: "front view, face found".into(),
                ms: 1.0,
                hair_rgb: None,
            },
        }))
    }

    fn drag(s: State, pts: &[(f32, f32)]) -> State {
        let mut s = s.apply(Action::PointerDown { at: Point::new(pts[0].0, pts[0].1), hit_px: 8.0 });
        for &(x, y) in &pts[1..] {
            s = s.apply(Action::PointerMove(Point::new(x, y)));
        }
        s.apply(Action::PointerUp)
    }

    fn points(s: &State) -> Vec<Point> {
        s.area.hairline.as_ref().unwrap().points.clone()
    }

    #[test]
    fn a_preset_on_a_face_puts_the_front_point_at_its_height_and_keeps_the_edge() {
        let s = with_face().apply(Action::SetHairlineEdge(HairlineEdge::Broken));
        let s = s.apply(Action::ApplyHairlinePreset(HairlineShape::Mature));
        let line = s.area.hairline.as_ref().unwrap();
        assert_eq!(HairlineEdge::of(line), HairlineEdge::Broken, "the edge stays");
        let mfp = s.mfp_above_brows_mm().unwrap();
        assert!((mfp - HairlineShape::Mature.default_mfp_mm()).abs() < 0.05, "{mfp}");
        assert_eq!(s.design.shape, Some(HairlineShape::Mature));
        // The height slider moves the whole line along the mid-line.
        let s = s.apply(Action::SetMfpAboveBrows(GUIDE_LEVELS_MM[2]));
        assert!((s.mfp_above_brows_mm().unwrap() - 100.0).abs() < 0.05);
        // The preset is one undo step; the edge another.
        let u = s.apply(Action::Undo);
        assert_eq!(HairlineEdge::of(u.area.hairline.as_ref().unwrap()), HairlineEdge::Broken);
        assert_eq!(
            u.area.hairline.as_ref().unwrap().points.len(),
            5,
            "the default line made broken, before the preset"
        );
        assert!(u.apply(Action::Undo).area.hairline.is_none());
    }

    #[test]
    fn without_a_face_presets_reshape_around_the_lines_middle_and_mm_heights_do_nothing() {
        let s = photo().apply(Action::SetTool(Tool::Hairline));
        let before = points(&s);
        let mid_x = 0.5 * (before[0].x + before[before.len() - 1].x);
        let s = s.apply(Action::ApplyHairlinePreset(HairlineShape::Juvenile));
        let after = points(&s);
        assert_eq!(after.len(), HairlineShape::Juvenile.handles_mm().len());
        assert!((after[3].x - mid_x).abs() < 0.01 && (after[3].y - before[2].y).abs() < 0.5);
        assert!(s.mfp_above_brows_mm().is_none());
        assert_eq!(s.apply(Action::SetMfpAboveBrows(90.0)), s);
        assert!(!s.scale_known() && s.face().is_none());
    }

    #[test]
    fn turning_symmetry_on_mirrors_the_half_worked_on() {
        let s = with_face().apply(Action::ApplyHairlinePreset(HairlineShape::Juvenile));
        let s = s.apply(Action::SetTool(Tool::Hairline));
        let axis = s.hairline_axis().unwrap();
        assert_eq!(axis.origin, Point::new(500.0, 700.0));
        // Drag the right temple corner (handle 5) up by 40 px: the line is now lopsided.
        let p5 = points(&s)[5];
        let s = drag(s, &[(p5.x, p5.y), (p5.x + 10.0, p5.y - 40.0)]);
        assert!(!is_symmetric(&points(&s), &axis, 0.5));
        assert_eq!(s.design.worked_half, Some(Half::Right));
        let on = s.apply(Action::SetHairlineSymmetric(true));
        let pts = points(&on);
        assert!(is_symmetric(&pts, &axis, 0.5));
        assert_eq!(pts[5], Point::new(p5.x + 10.0, p5.y - 40.0), "the worked half is kept");
        assert_eq!(pts[1], axis.mirror(pts[5]), "and mirrored onto the other");
        // One undo step takes the mirroring back, the mode stays on.
        let u = on.apply(Action::Undo);
        assert_eq!(points(&u), points(&s));
        assert!(u.design.symmetric);
        // Turning it off changes no handle.
        assert_eq!(points(&on.apply(Action::SetHairlineSymmetric(false))), pts);
    }

    #[test]
    fn with_symmetry_a_dragged_handle_moves_its_partner_mirrored() {
        let s = with_face().apply(Action::ApplyHairlinePreset(HairlineShape::Mature));
        let s = s.apply(Action::SetHairlineSymmetric(true)).apply(Action::SetTool(Tool::Hairline));
        let axis = s.hairline_axis().unwrap();
        let pts = points(&s);
        let n = pts.len();
        let p = pts[2];
        let s = drag(s, &[(p.x, p.y), (p.x - 20.0, p.y - 30.0)]);
        let after = points(&s);
        assert_eq!(after[2], Point::new(p.x - 20.0, p.y - 30.0));
        assert_eq!(after[n - 3], Point::new(1000.0 - (p.x - 20.0), p.y - 30.0));
        assert!(is_symmetric(&after, &axis, 0.01));
        // The middle handle stays on the mid-line.
        let m = after[n / 2];
        let s = drag(s, &[(m.x, m.y), (m.x + 50.0, m.y - 10.0)]);
        assert_eq!(points(&s)[n / 2], Point::new(500.0, m.y - 10.0));
        // A click on the line adds a handle and its mirror image; removing one removes both.
        let a = points(&s)[1];
        let b = points(&s)[2];
        let click = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let s = drag(s, &[click]);
        assert_eq!(points(&s).len(), n + 2);
        assert!(is_symmetric(&points(&s), &axis, 0.01));
        let s = s.apply(Action::RemoveHandle(2));
        assert_eq!(points(&s).len(), n);
        assert!(is_symmetric(&points(&s), &axis, 0.01));
        // Without symmetry a drag moves one handle only.
        let off = s.apply(Action::SetHairlineSymmetric(false));
        let q = points(&off)[1];
        let moved = drag(off.clone(), &[(q.x, q.y), (q.x, q.y - 25.0)]);
        assert_eq!(points(&moved)[n - 2], points(&off)[n - 2]);
    }

    #[test]
    fn without_a_face_symmetry_is_about_the_vertical_through_the_lines_middle() {
        let s = photo().apply(Action::SetTool(Tool::Hairline));
        let pts = points(&s);
        let p = pts[0];
        let s = drag(s, &[(p.x, p.y), (p.x - 30.0, p.y + 20.0)]);
        let s = s.apply(Action::SetHairlineSymmetric(true));
        let axis = s.hairline_axis().unwrap();
        assert_eq!(axis.up, Point::new(0.0, -1.0));
        assert!(is_symmetric(&points(&s), &axis, 0.01));
        // The worked (left) half was kept.
        assert_eq!(points(&s)[0], Point::new(p.x - 30.0, p.y + 20.0));
    }

    #[test]
    fn side_and_back_views_keep_their_line_from_presets_and_symmetry() {
        // A side view's suggested line: forehead, temple, sideburn (no face, scale known).
        let side_line = Hairline {
            points: vec![
                Point::new(300.0, 200.0),
                Point::new(420.0, 330.0),
                Point::new(470.0, 420.0),
                Point::new(470.0, 560.0),
            ],
            feather_mm: 6.0,
            treated_side: smp_core::HairlineSide::Left,
            breakup: 0.0,
        };
        let side = photo().apply(Action::Prefill(Prefill {
            photo_id: 1,
            detected: Detected {
                area: None,
                hairline: Some(side_line.clone()),
                face: None,
                px_per_mm: Some((3.0, ScaleSource::HeadWidth)),
                view: Some(View::Side),
                advice: vec![],
                summary: "side view".into(),
                ms: 1.0,
                hair_rgb: None,
            },
        }));
        assert!(!side.front_hairline_tools());
        assert_eq!(side.area.hairline.as_ref(), Some(&side_line));
        // A preset would replace it with a front line; symmetry would mirror it about its middle.
        assert_eq!(side.clone().apply(Action::ApplyHairlinePreset(HairlineShape::Mature)), side);
        let s = side.clone().apply(Action::SetHairlineSymmetric(true));
        assert!(!s.design.symmetric);
        assert_eq!(s.area.hairline.as_ref(), Some(&side_line));
        // Dragging a handle moves that handle only (symmetry was asked for before the photo was
        // called a side view: it does not apply).
        let mut symmetric_before = side.clone();
        symmetric_before.design.symmetric = true;
        let s = drag(symmetric_before.apply(Action::SetTool(Tool::Hairline)), &[(300.0, 200.0), (280.0, 190.0)]);
        assert_eq!(points(&s)[0], Point::new(280.0, 190.0));
        assert_eq!(&points(&s)[1..], &side_line.points[1..]);
        // Called a front view, the tools are back.
        let front = side.apply(Action::SetAngleView(Some(View::Front)));
        assert!(front.front_hairline_tools());
        assert_ne!(
            front.clone().apply(Action::ApplyHairlinePreset(HairlineShape::Mature)).area.hairline,
            Some(side_line)
        );
    }

    #[test]
    fn the_edge_buttons_set_feather_and_breakup_and_the_guide_toggles() {
        let s = with_face().apply(Action::SetHairlineEdge(HairlineEdge::Sharp));
        let line = s.area.hairline.clone().unwrap();
        assert_eq!((line.feather_mm, line.breakup), (1.0, 0.0));
        let s = s.apply(Action::SetHairlineEdge(HairlineEdge::Broken));
        assert_eq!(s.area.hairline.as_ref().unwrap().breakup, 1.0);
        assert_eq!(s.area.hairline.as_ref().unwrap().points, line.points);
        assert!(s.design.guide);
        assert!(!s.apply(Action::SetHairlineGuide(false)).design.guide);
        assert!(s.scale_known());
        // Nothing happens without a photo.
        let none = State::default();
        assert_eq!(none.apply(Action::ApplyHairlinePreset(HairlineShape::Mature)), none);
        assert_eq!(none.apply(Action::SetHairlineEdge(HairlineEdge::Soft)), none);
    }
}
