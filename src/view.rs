//! Pure conversions between what the user sees (CSS pixels of the stage showing the photo,
//! zoomed and panned) and the photo (full-image pixels). Kept apart from the browser so they
//! are unit-tested natively.

use smp_core::Point;

use crate::zoom::ViewZoom;

/// The stage's box on screen (the photo fitted to it at zoom 1), in CSS px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl ViewBox {
    /// A pointer at `(client_x, client_y)` as fractions of the box (0..=1 across and down).
    pub fn fractions(&self, client_x: f64, client_y: f64) -> (f32, f32) {
        if !(self.width > 0.0 && self.height > 0.0) {
            return (f32::NAN, f32::NAN);
        }
        (((client_x - self.left) / self.width) as f32, ((client_y - self.top) / self.height) as f32)
    }
}

/// A pointer at `(client_x, client_y)` on the stage showing `zoom` -> full-image px.
pub fn image_from_view(
    client_x: f64,
    client_y: f64,
    view: ViewBox,
    zoom: &ViewZoom,
    full_width: u32,
    full_height: u32,
) -> Point {
    let at = view.fractions(client_x, client_y);
    if !(at.0.is_finite() && at.1.is_finite()) {
        return Point::new(f32::NAN, f32::NAN);
    }
    zoom.image_at(at, full_width, full_height)
}

/// Full-image px per CSS px of the stage (how many photo pixels one screen pixel spans).
pub fn image_px_per_view_px(view: ViewBox, zoom: &ViewZoom, full_width: u32) -> f32 {
    if view.width > 0.0 && zoom.zoom > 0.0 {
        (full_width as f64 / view.width / zoom.zoom as f64) as f32
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoom::ZoomAction;

    const V: ViewBox = ViewBox { left: 100.0, top: 50.0, width: 400.0, height: 300.0 };

    #[test]
    fn corners_and_centre_map_onto_the_photo() {
        let fit = ViewZoom::fit(4000, 3000);
        assert_eq!(image_from_view(100.0, 50.0, V, &fit, 4000, 3000), Point::new(0.0, 0.0));
        assert_eq!(image_from_view(500.0, 350.0, V, &fit, 4000, 3000), Point::new(4000.0, 3000.0));
        assert_eq!(image_from_view(300.0, 200.0, V, &fit, 4000, 3000), Point::new(2000.0, 1500.0));
        assert_eq!(image_px_per_view_px(V, &fit, 4000), 10.0);
    }

    #[test]
    fn zoom_and_pan_are_taken_into_account() {
        // 1:1 at zoom 10 (4000 px on 400 CSS px at a pixel ratio of 1); zoom to 1:1 about the
        // point under (200, 125): that point stays under it, its neighbours are 1 px apart.
        let fit = ViewZoom::fit(4000, 3000).apply(ZoomAction::Measured { one_to_one: 10.0 }, 4000, 3000);
        let under = image_from_view(200.0, 125.0, V, &fit, 4000, 3000);
        assert_eq!(under, Point::new(1000.0, 750.0));
        let at = V.fractions(200.0, 125.0);
        let z = fit.apply(ZoomAction::By { factor: 10.0, at }, 4000, 3000);
        assert_eq!(z.percent(), 100.0);
        let p = image_from_view(200.0, 125.0, V, &z, 4000, 3000);
        assert!(p.distance(under) < 1e-3, "{p:?}");
        let right = image_from_view(201.0, 125.0, V, &z, 4000, 3000);
        assert!((right.x - p.x - 1.0).abs() < 1e-3 && right.y == p.y);
        assert!((image_px_per_view_px(V, &z, 4000) - 1.0).abs() < 1e-6);
        // Pan 40 CSS px to the left (a drag): the photo point under a fixed pointer moves right.
        let panned = z.apply(ZoomAction::Pan { dx: -40.0 / 400.0, dy: 0.0 }, 4000, 3000);
        let q = image_from_view(200.0, 125.0, V, &panned, 4000, 3000);
        assert!((q.x - p.x - 40.0).abs() < 1e-2 && (q.y - p.y).abs() < 1e-3, "{q:?}");
    }

    #[test]
    fn a_collapsed_view_gives_no_point() {
        let v = ViewBox { left: 0.0, top: 0.0, width: 0.0, height: 10.0 };
        assert!(!image_from_view(1.0, 1.0, v, &ViewZoom::fit(10, 10), 10, 10).is_finite());
    }
}
