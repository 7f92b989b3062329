//! Zoom and pan of the photo stage, pure (unit-tested natively).
//!
//! The stage shows the photo fitted to it (`zoom` 1) or magnified about `centre`, the
//! full-image point at the middle of the stage. Positions on the stage are given as fractions
//! of its box (0..=1 across and down), so nothing here depends on its size in CSS px: the box
//! has the photo's aspect ratio, and at zoom 1 it shows the whole photo. What the stage's size
//! and the screen's pixel ratio decide, the zoom at which one full-resolution pixel covers one
//! device pixel ("100 %"), is measured by the page and kept here as `one_to_one`.

use smp_core::Point;

/// Magnification relative to fitting the photo in the stage, at least this much may always be
/// asked for (on a small photo, 1:1 is already reached when fitted).
pub const MIN_MAX_ZOOM: f32 = 2.0;

/// One key press (+ / -) zooms by this factor.
pub const KEY_ZOOM_STEP: f32 = std::f32::consts::SQRT_2;

/// One arrow key press pans by this share of the stage.
pub const KEY_PAN_STEP: f32 = 0.1;

/// How the stage shows the photo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewZoom {
    /// Magnification relative to the photo fitted to the stage (1 = fit, the whole photo).
    pub zoom: f32,
    /// The full-image point (px) at the middle of the stage.
    pub centre: Point,
    /// The zoom at which one full-image px spans one device px, as last measured on the page
    /// (full width / (stage width in CSS px × device pixel ratio)).
    pub one_to_one: f32,
}

/// A change of the view, from the wheel, a pinch, a drag, the keyboard or a button.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ZoomAction {
    /// Magnify by `factor`, keeping the photo point under `at` (stage fractions) where it is.
    By { factor: f32, at: (f32, f32) },
    /// Go to `zoom`, keeping the photo point under `at` where it is.
    To { zoom: f32, at: (f32, f32) },
    /// Move the photo with the pointer by `(dx, dy)` stage fractions (a drag to the right
    /// shows more of the left of the photo).
    Pan { dx: f32, dy: f32 },
    /// The whole photo.
    Fit,
    /// The page measured the stage: the zoom of 1:1.
    Measured { one_to_one: f32 },
}

impl ViewZoom {
    /// The whole photo of `full_width` × `full_height` px.
    pub fn fit(full_width: u32, full_height: u32) -> ViewZoom {
        ViewZoom { zoom: 1.0, centre: Point::new(full_width as f32 / 2.0, full_height as f32 / 2.0), one_to_one: 1.0 }
    }

    /// The largest zoom allowed: 1:1, or [`MIN_MAX_ZOOM`] when 1:1 is nearer than that.
    pub fn max_zoom(&self) -> f32 {
        self.one_to_one.max(MIN_MAX_ZOOM)
    }

    /// The zoom as the page shows it: 100 % is one full-image px per device px.
    pub fn percent(&self) -> f32 {
        100.0 * self.zoom / self.one_to_one
    }

    /// Device px per full-image px.
    pub fn device_px_per_image_px(&self) -> f32 {
        self.zoom / self.one_to_one
    }

    pub fn is_fit(&self) -> bool {
        self.zoom <= 1.0
    }

    /// The full-image point under the stage fractions `(u, v)`.
    pub fn image_at(&self, (u, v): (f32, f32), full_width: u32, full_height: u32) -> Point {
        Point::new(
            self.centre.x + (u - 0.5) * full_width as f32 / self.zoom,
            self.centre.y + (v - 0.5) * full_height as f32 / self.zoom,
        )
    }

    /// Where the full-image point `p` is on the stage, in stage fractions.
    pub fn stage_at(&self, p: Point, full_width: u32, full_height: u32) -> (f32, f32) {
        (
            0.5 + (p.x - self.centre.x) * self.zoom / full_width.max(1) as f32,
            0.5 + (p.y - self.centre.y) * self.zoom / full_height.max(1) as f32,
        )
    }

    /// The part of the photo on the stage, in full-image px: (x0, y0, x1, y1).
    pub fn visible(&self, full_width: u32, full_height: u32) -> (f32, f32, f32, f32) {
        let (half_w, half_h) = (full_width as f32 / self.zoom / 2.0, full_height as f32 / self.zoom / 2.0);
        (self.centre.x - half_w, self.centre.y - half_h, self.centre.x + half_w, self.centre.y + half_h)
    }

    /// The CSS transform of the layer holding the photo (the stage's size, origin top left):
    /// a translation in % of the stage and a scale.
    pub fn layer_transform(&self, full_width: u32, full_height: u32) -> String {
        let (u, v) = self.stage_at(Point::new(0.0, 0.0), full_width, full_height);
        format!("transform: translate({:.4}%, {:.4}%) scale({:.5});", u * 100.0, v * 100.0, self.zoom)
    }

    /// Zoom in the allowed range and the centre where the stage stays inside the photo.
    /// Non-finite values fall back to fitting the photo.
    pub fn clamped(self, full_width: u32, full_height: u32) -> ViewZoom {
        let one_to_one = if self.one_to_one.is_finite() && self.one_to_one > 0.0 { self.one_to_one } else { 1.0 };
        let mut v = ViewZoom { one_to_one, ..self };
        if !(v.zoom.is_finite() && v.centre.is_finite()) {
            return ViewZoom { one_to_one, ..ViewZoom::fit(full_width, full_height) };
        }
        v.zoom = v.zoom.clamp(1.0, v.max_zoom());
        let clamp_axis = |c: f32, full: u32| {
            let half = full as f32 / v.zoom / 2.0;
            c.clamp(half, (full as f32 - half).max(half))
        };
        v.centre = Point::new(clamp_axis(v.centre.x, full_width), clamp_axis(v.centre.y, full_height));
        v
    }

    /// The view after `action` on a photo of `full_width` × `full_height` px.
    pub fn apply(self, action: ZoomAction, full_width: u32, full_height: u32) -> ViewZoom {
        let finite_at = |(u, v): (f32, f32)| (u.is_finite() && v.is_finite()).then_some((u, v));
        let next = match action {
            ZoomAction::By { factor, at } => match finite_at(at) {
                Some(at) if factor.is_finite() && factor > 0.0 => {
                    return self.apply(ZoomAction::To { zoom: self.zoom * factor, at }, full_width, full_height);
                }
                _ => self,
            },
            ZoomAction::To { zoom, at } => match finite_at(at) {
                Some(at) if zoom.is_finite() => {
                    // The point under `at` stays there: centre' = p - (at - ½) · full / zoom'.
                    let zoom = zoom.clamp(1.0, self.max_zoom());
                    let p = self.image_at(at, full_width, full_height);
                    let centre = Point::new(
                        p.x - (at.0 - 0.5) * full_width as f32 / zoom,
                        p.y - (at.1 - 0.5) * full_height as f32 / zoom,
                    );
                    ViewZoom { zoom, centre, ..self }
                }
                _ => self,
            },
            ZoomAction::Pan { dx, dy } if dx.is_finite() && dy.is_finite() => ViewZoom {
                centre: Point::new(
                    self.centre.x - dx * full_width as f32 / self.zoom,
                    self.centre.y - dy * full_height as f32 / self.zoom,
                ),
                ..self
            },
            ZoomAction::Pan { .. } => self,
            ZoomAction::Fit => ViewZoom { one_to_one: self.one_to_one, ..ViewZoom::fit(full_width, full_height) },
            ZoomAction::Measured { one_to_one } if one_to_one.is_finite() && one_to_one > 0.0 => {
                ViewZoom { one_to_one, ..self }
            }
            ZoomAction::Measured { .. } => self,
        };
        next.clamped(full_width, full_height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u32 = 4000;
    const H: u32 = 3000;

    fn fitted() -> ViewZoom {
        // A 4000 px wide photo on a 1000 CSS px stage at a pixel ratio of 1: 1:1 is zoom 4.
        ViewZoom::fit(W, H).apply(ZoomAction::Measured { one_to_one: 4.0 }, W, H)
    }

    fn close(a: Point, b: Point) -> bool {
        a.distance(b) < 1e-2
    }

    #[test]
    fn fit_shows_the_whole_photo() {
        let v = fitted();
        assert_eq!(v.visible(W, H), (0.0, 0.0, 4000.0, 3000.0));
        assert_eq!(v.image_at((0.0, 0.0), W, H), Point::new(0.0, 0.0));
        assert_eq!(v.image_at((1.0, 1.0), W, H), Point::new(4000.0, 3000.0));
        assert_eq!(v.percent(), 25.0);
        assert!(v.is_fit());
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let v = fitted();
        for at in [(0.25, 0.75), (0.9, 0.1), (0.5, 0.5), (0.0, 1.0)] {
            let before = v.image_at(at, W, H);
            let z = v.apply(ZoomAction::By { factor: 2.0, at }, W, H);
            assert_eq!(z.zoom, 2.0);
            assert!(close(z.image_at(at, W, H), before), "{at:?}: {:?} vs {before:?}", z.image_at(at, W, H));
            // And again from the zoomed view.
            let zz = z.apply(ZoomAction::By { factor: 1.5, at }, W, H);
            assert!(close(zz.image_at(at, W, H), before));
        }
    }

    #[test]
    fn zoom_stops_at_one_to_one_and_at_fit() {
        let v = fitted().apply(ZoomAction::By { factor: 100.0, at: (0.5, 0.5) }, W, H);
        assert_eq!(v.zoom, 4.0);
        assert_eq!(v.percent(), 100.0);
        assert_eq!(v.device_px_per_image_px(), 1.0);
        let out = v.apply(ZoomAction::By { factor: 0.001, at: (0.1, 0.1) }, W, H);
        assert_eq!(out, fitted());
        // A small photo (1:1 already nearer than fit): still 2x allowed.
        let small = ViewZoom::fit(640, 480).apply(ZoomAction::Measured { one_to_one: 0.7 }, 640, 480);
        assert_eq!(small.apply(ZoomAction::By { factor: 9.0, at: (0.5, 0.5) }, 640, 480).zoom, MIN_MAX_ZOOM);
    }

    #[test]
    fn the_stage_never_shows_past_the_photo() {
        // Zoom in at the top left corner: the corner stays the corner.
        let v = fitted().apply(ZoomAction::By { factor: 4.0, at: (0.0, 0.0) }, W, H);
        assert_eq!(v.visible(W, H), (0.0, 0.0, 1000.0, 750.0));
        // Panning past the edge stops there.
        let p = v.apply(ZoomAction::Pan { dx: 0.5, dy: 0.5 }, W, H);
        assert_eq!(p.visible(W, H), (0.0, 0.0, 1000.0, 750.0));
        let p = v.apply(ZoomAction::Pan { dx: -0.5, dy: -0.25 }, W, H);
        // Half the stage to the left = 500 photo px at zoom 4.
        assert_eq!(p.visible(W, H), (500.0, 187.5, 1500.0, 937.5));
        let far = v.apply(ZoomAction::Pan { dx: -100.0, dy: -100.0 }, W, H);
        assert_eq!(far.visible(W, H), (3000.0, 2250.0, 4000.0, 3000.0));
        // At fit no pan moves anything.
        assert_eq!(fitted().apply(ZoomAction::Pan { dx: 0.3, dy: 0.0 }, W, H), fitted());
    }

    #[test]
    fn a_drag_moves_the_photo_with_the_pointer() {
        let v = fitted().apply(ZoomAction::To { zoom: 2.0, at: (0.5, 0.5) }, W, H);
        let grabbed = v.image_at((0.4, 0.5), W, H);
        let moved = v.apply(ZoomAction::Pan { dx: 0.2, dy: 0.0 }, W, H);
        assert!(close(moved.image_at((0.6, 0.5), W, H), grabbed));
    }

    #[test]
    fn stage_and_image_positions_are_inverse_and_the_layer_follows() {
        let v = fitted().apply(ZoomAction::By { factor: 3.0, at: (0.3, 0.6) }, W, H);
        let p = Point::new(1234.0, 2100.0);
        let s = v.stage_at(p, W, H);
        assert!(close(v.image_at(s, W, H), p));
        // The layer puts the photo's top left corner where stage_at says, scaled by the zoom.
        let (u, vv) = v.stage_at(Point::new(0.0, 0.0), W, H);
        assert_eq!(
            v.layer_transform(W, H),
            format!("transform: translate({:.4}%, {:.4}%) scale(3.00000);", u * 100.0, vv * 100.0)
        );
        assert_eq!(fitted().layer_transform(W, H), "transform: translate(0.0000%, 0.0000%) scale(1.00000);");
    }

    #[test]
    fn non_finite_input_changes_nothing_or_fits() {
        let v = fitted().apply(ZoomAction::To { zoom: 2.0, at: (0.5, 0.5) }, W, H);
        assert_eq!(v.apply(ZoomAction::By { factor: f32::NAN, at: (0.5, 0.5) }, W, H), v);
        assert_eq!(v.apply(ZoomAction::By { factor: 2.0, at: (f32::INFINITY, 0.5) }, W, H), v);
        assert_eq!(v.apply(ZoomAction::By { factor: -1.0, at: (0.5, 0.5) }, W, H), v);
        assert_eq!(v.apply(ZoomAction::Pan { dx: f32::NAN, dy: 0.0 }, W, H), v);
        assert_eq!(v.apply(ZoomAction::Measured { one_to_one: 0.0 }, W, H), v);
        let broken = ViewZoom { zoom: f32::NAN, ..v }.clamped(W, H);
        assert_eq!(broken, fitted());
        assert_eq!(v.apply(ZoomAction::Fit, W, H), fitted());
    }
}
