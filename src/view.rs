//! Pure conversions between what the user sees (CSS pixels of the displayed photo) and the
//! photo (full-image pixels). Kept apart from the browser so they are unit-tested natively.

use smp_core::Point;

/// The displayed photo's box on screen, in CSS px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// A pointer at `(client_x, client_y)` -> full-image px.
pub fn image_from_view(client_x: f64, client_y: f64, view: ViewBox, full_width: u32, full_height: u32) -> Point {
    if !(view.width > 0.0 && view.height > 0.0) {
        return Point::new(f32::NAN, f32::NAN);
    }
    Point::new(
        ((client_x - view.left) / view.width * full_width as f64) as f32,
        ((client_y - view.top) / view.height * full_height as f64) as f32,
    )
}

/// Full-image px per CSS px of the view (how many photo pixels one screen pixel spans).
pub fn image_px_per_view_px(view: ViewBox, full_width: u32) -> f32 {
    if view.width > 0.0 {
        (full_width as f64 / view.width) as f32
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_and_centre_map_onto_the_photo() {
        let v = ViewBox { left: 100.0, top: 50.0, width: 400.0, height: 300.0 };
        assert_eq!(image_from_view(100.0, 50.0, v, 4000, 3000), Point::new(0.0, 0.0));
        assert_eq!(image_from_view(500.0, 350.0, v, 4000, 3000), Point::new(4000.0, 3000.0));
        assert_eq!(image_from_view(300.0, 200.0, v, 4000, 3000), Point::new(2000.0, 1500.0));
        assert_eq!(image_px_per_view_px(v, 4000), 10.0);
    }

    #[test]
    fn a_collapsed_view_gives_no_point() {
        let v = ViewBox { left: 0.0, top: 0.0, width: 0.0, height: 10.0 };
        assert!(!image_from_view(1.0, 1.0, v, 10, 10).is_finite());
    }
}
