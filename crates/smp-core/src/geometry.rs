//! Small geometry helpers shared by regions and rendering.

use serde::{Deserialize, Serialize};

/// A point in image pixels (x to the right, y down). Pixel centres sit at `i + 0.5`.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    pub fn scaled(self, s: f32) -> Self {
        Self { x: self.x * s, y: self.y * s }
    }

    pub fn distance(self, other: Point) -> f32 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }

    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// Distance from `p` to the segment `a..b`, and the parameter `t` in 0..=1 of the closest point.
pub fn distance_to_segment(p: Point, a: Point, b: Point) -> (f32, f32) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (cx, cy) = (a.x + t * dx, a.y + t * dy);
    (((p.x - cx).powi(2) + (p.y - cy).powi(2)).sqrt(), t)
}

/// An axis-aligned pixel rectangle, `x0..x1` × `y0..y1` (exclusive ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    pub fn is_empty(&self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }

    /// The pixels touched by a float box, clipped to `width` × `height`.
    pub fn covering(min_x: f32, min_y: f32, max_x: f32, max_y: f32, width: u32, height: u32) -> Self {
        let clip = |v: f32, hi: u32| -> u32 {
            if v.is_nan() {
                0
            } else {
                v.clamp(0.0, hi as f32) as u32
            }
        };
        Self {
            x0: clip(min_x.floor(), width),
            y0: clip(min_y.floor(), height),
            x1: clip(max_x.ceil() + 1.0, width),
            y1: clip(max_y.ceil() + 1.0, height),
        }
    }

    pub fn union(self, o: PixelRect) -> PixelRect {
        if self.is_empty() {
            return o;
        }
        if o.is_empty() {
            return self;
        }
        PixelRect { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }

    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }

    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_distance_is_perpendicular_inside_and_endpoint_outside() {
        let a = Point::new(0.0, 0.0);
        let b = Point::new(10.0, 0.0);
        assert_eq!(distance_to_segment(Point::new(5.0, 3.0), a, b), (3.0, 0.5));
        assert_eq!(distance_to_segment(Point::new(13.0, 4.0), a, b).0, 5.0);
        assert_eq!(distance_to_segment(Point::new(1.0, 1.0), a, a).0, 2f32.sqrt());
    }

    #[test]
    fn covering_rect_clips_to_image() {
        let r = PixelRect::covering(-5.0, 2.2, 3.5, 100.0, 10, 20);
        assert_eq!(r, PixelRect { x0: 0, y0: 2, x1: 5, y1: 20 });
        assert!(PixelRect::covering(f32::NAN, f32::NAN, -1.0, -1.0, 10, 10).is_empty());
    }
}
