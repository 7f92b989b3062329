//! The working copy: an exact area-average downscale (every source pixel contributes by the
//! area it covers), which keeps fine texture statistics honest at preview size.

use crate::RgbaImage;

/// The size of the working copy for a photo of `width` × `height`: the largest size with the same
/// aspect ratio and at most `max_pixels` pixels (never upscaled).
pub fn working_size(width: u32, height: u32, max_pixels: u64) -> (u32, u32) {
    let pixels = width as u64 * height as u64;
    if pixels <= max_pixels || pixels == 0 {
        return (width, height);
    }
    let s = (max_pixels as f64 / pixels as f64).sqrt();
    let w = ((width as f64 * s).floor() as u32).max(1);
    let h = ((height as f64 * s).floor() as u32).max(1);
    (w, h)
}

/// For each output index, the source indices it averages and their weights (summing to 1).
fn area_weights(src: u32, dst: u32) -> Vec<Vec<(u32, f32)>> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|o| {
            let start = o as f64 * scale;
            let end = ((o + 1) as f64 * scale).min(src as f64);
            let mut taps = Vec::new();
            let mut i = start.floor() as u32;
            while (i as f64) < end && i < src {
                let lo = start.max(i as f64);
                let hi = end.min(i as f64 + 1.0);
                if hi > lo {
                    taps.push((i, ((hi - lo) / (end - start)) as f32));
                }
                i += 1;
            }
            taps
        })
        .collect()
}

/// Bilinear resampling to `dst_w` × `dst_h` (meant for enlarging; each at least 1): between
/// source px centres, clamped at the edges, rounded to the nearest value.
pub fn upscale_bilinear(src: &RgbaImage, dst_w: u32, dst_h: u32) -> RgbaImage {
    assert!(dst_w >= 1 && dst_h >= 1 && src.width >= 1 && src.height >= 1);
    let (kx, ky) = (src.width as f32 / dst_w as f32, src.height as f32 / dst_h as f32);
    let taps = |d: u32, k: f32, n: u32| {
        let s = ((d as f32 + 0.5) * k - 0.5).clamp(0.0, (n - 1) as f32);
        let a = s.floor() as u32;
        (a, (a + 1).min(n - 1), s - a as f32)
    };
    RgbaImage::from_fn(dst_w, dst_h, |x, y| {
        let (x0, x1, ax) = taps(x, kx, src.width);
        let (y0, y1, ay) = taps(y, ky, src.height);
        let (p, q, r, t) = (src.pixel(x0, y0), src.pixel(x1, y0), src.pixel(x0, y1), src.pixel(x1, y1));
        std::array::from_fn(|c| {
            let top = p[c] as f32 + (q[c] as f32 - p[c] as f32) * ax;
            let bottom = r[c] as f32 + (t[c] as f32 - r[c] as f32) * ax;
            (top + (bottom - top) * ay).round().clamp(0.0, 255.0) as u8
        })
    })
}

/// Area-average downscale to `dst_w` × `dst_h` (each at most the source size).
pub fn downscale_area(src: &RgbaImage, dst_w: u32, dst_h: u32) -> RgbaImage {
    assert!(dst_w >= 1 && dst_h >= 1 && dst_w <= src.width && dst_h <= src.height);
    if (dst_w, dst_h) == (src.width, src.height) {
        return src.clone();
    }
    let xw = area_weights(src.width, dst_w);
    let yw = area_weights(src.height, dst_h);
    // Horizontal pass for one source row at a time, accumulated into the output rows it feeds.
    let mut acc = vec![0f32; dst_w as usize * 4];
    let mut row = vec![0f32; dst_w as usize * 4];
    let mut out = RgbaImage::new(dst_w, dst_h);
    let sw = src.width as usize;
    for (oy, ytaps) in yw.iter().enumerate() {
        acc.iter_mut().for_each(|v| *v = 0.0);
        for &(sy, wy) in ytaps {
            let src_row = &src.data[sy as usize * sw * 4..(sy as usize + 1) * sw * 4];
            for (ox, xtaps) in xw.iter().enumerate() {
                let mut px = [0f32; 4];
                for &(sx, wx) in xtaps {
                    let s = &src_row[sx as usize * 4..sx as usize * 4 + 4];
                    for c in 0..4 {
                        px[c] += s[c] as f32 * wx;
                    }
                }
                row[ox * 4..ox * 4 + 4].copy_from_slice(&px);
            }
            for (a, r) in acc.iter_mut().zip(&row) {
                *a += r * wy;
            }
        }
        let dst_row = &mut out.data[oy * dst_w as usize * 4..(oy + 1) * dst_w as usize * 4];
        for (d, a) in dst_row.iter_mut().zip(&acc) {
            *d = (a + 0.5).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upscale_bilinear_interpolates_between_px_centres_and_clamps_at_the_edges() {
        let src = RgbaImage::from_fn(2, 1, |x, _| [(x * 100) as u8, 10, 200, 255]);
        let out = upscale_bilinear(&src, 4, 2);
        let reds: Vec<u8> = (0..4).map(|x| out.pixel(x, 1)[0]).collect();
        assert_eq!(reds, [0, 25, 75, 100]);
        assert_eq!(out.pixel(2, 0), [75, 10, 200, 255]);
        // The same size gives the same picture.
        assert_eq!(upscale_bilinear(&src, 2, 1), src);
    }

    #[test]
    fn working_size_keeps_aspect_and_budget() {
        assert_eq!(working_size(640, 640, 2_000_000), (640, 640));
        let (w, h) = working_size(4000, 3000, 2_000_000);
        assert!(w as u64 * h as u64 <= 2_000_000);
        assert!((w as f32 / h as f32 - 4.0 / 3.0).abs() < 0.01);
        assert!(w > 1600);
    }

    #[test]
    fn area_average_preserves_mean_and_halves_exactly() {
        let src = RgbaImage::from_fn(4, 2, |x, _| if x % 2 == 0 { [0, 100, 200, 255] } else { [100, 200, 0, 255] });
        let d = downscale_area(&src, 2, 1);
        assert_eq!(d.pixel(0, 0), [50, 150, 100, 255]);
        let src = RgbaImage::from_fn(301, 97, |x, y| [(x * 7 % 256) as u8, (y * 13 % 256) as u8, 128, 255]);
        let d = downscale_area(&src, 100, 31);
        let mean =
            |img: &RgbaImage, c: usize| img.data.chunks(4).map(|p| p[c] as f64).sum::<f64>() / img.pixel_count() as f64;
        for c in 0..3 {
            assert!((mean(&src, c) - mean(&d, c)).abs() < 1.5, "channel {c}");
        }
    }
}
