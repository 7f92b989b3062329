//! What the photo itself says about how dots should look in it: its blur (so dots are never
//! crisper than the skin they sit in), its grain, and a shade to suggest.

use crate::color::{luminance, srgb_to_linear_table};
use crate::geometry::PixelRect;
use crate::pigment::SHADE_PRESETS;
use crate::region::Mask;
use crate::RgbaImage;

/// Blur and noise of a photo, in pixels of the raster they were measured on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhotoLook {
    /// Gaussian sigma (px) that best explains how soft the photo's edges are.
    pub blur_sigma_px: f32,
    /// Standard deviation of the fine grain, in linear light.
    pub noise_linear: f32,
}

impl Default for PhotoLook {
    fn default() -> Self {
        Self { blur_sigma_px: 0.5, noise_linear: 0.0 }
    }
}

/// Luminance (sqrt of linear, roughly perceptual) of a centred crop of at most ~1 MP.
fn luma_crop(img: &RgbaImage, around: PixelRect) -> (Vec<f32>, usize, usize) {
    let lut = srgb_to_linear_table();
    let side = 1024u32;
    let (cx, cy) = if around.is_empty() {
        (img.width / 2, img.height / 2)
    } else {
        ((around.x0 + around.x1) / 2, (around.y0 + around.y1) / 2)
    };
    let (w, h) = (img.width.min(side), img.height.min(side));
    let x0 = cx.saturating_sub(w / 2).min(img.width - w);
    let y0 = cy.saturating_sub(h / 2).min(img.height - h);
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let p = img.pixel(x, y);
            out.push(luminance(lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]).sqrt());
        }
    }
    (out, w as usize, h as usize)
}

/// Separable Gaussian blur of a single-channel image (edges clamped).
pub fn gaussian_blur(src: &[f32], w: usize, h: usize, sigma: f32) -> Vec<f32> {
    if sigma.is_nan() || sigma <= 0.05 || w == 0 || h == 0 {
        return src.to_vec();
    }
    let radius = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f32> = (-radius..=radius).map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / sum).collect();
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let mut acc = 0.0;
            for (k, &kv) in kernel.iter().enumerate() {
                let sx = (x as i64 + k as i64 - radius).clamp(0, w as i64 - 1) as usize;
                acc += row[sx] * kv;
            }
            tmp[y * w + x] = acc;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (k, &kv) in kernel.iter().enumerate() {
                let sy = (y as i64 + k as i64 - radius).clamp(0, h as i64 - 1) as usize;
                acc += tmp[sy * w + x] * kv;
            }
            out[y * w + x] = acc;
        }
    }
    out
}

/// A fast approximation of a Gaussian blur: three box blurs whose widths give the same variance
/// (O(1) per pixel whatever sigma is). Values beyond the edges count as 0, so the sum over a
/// buffer whose borders are 0 is preserved.
pub fn box_blur_gaussian(src: &[f32], w: usize, h: usize, sigma: f32) -> Vec<f32> {
    if sigma.is_nan() || sigma <= 0.05 || w == 0 || h == 0 {
        return src.to_vec();
    }
    // Radii r1 <= r2 <= r3 of three boxes whose variances ((2r+1)² - 1) / 12 add up to sigma².
    let ideal = ((12.0 * sigma * sigma / 3.0 + 1.0).sqrt() - 1.0) / 2.0;
    let lo = ideal.floor().max(0.0) as usize;
    let var = |r: usize| ((2 * r + 1) * (2 * r + 1) - 1) as f32 / 12.0;
    let target = sigma * sigma;
    let n_hi = (((target - 3.0 * var(lo)) / (var(lo + 1) - var(lo))).round().clamp(0.0, 3.0)) as usize;
    let radii: Vec<usize> = (0..3).map(|i| if i < n_hi { lo + 1 } else { lo }).collect();
    let mut a = src.to_vec();
    let mut b = vec![0f32; w * h];
    for &r in &radii {
        if r == 0 {
            continue;
        }
        box_pass(&a, &mut b, w, h, r, true);
        box_pass(&b, &mut a, w, h, r, false);
    }
    a
}

/// One box pass of radius `r`, along rows (`horizontal`) or columns, with a running sum.
fn box_pass(src: &[f32], dst: &mut [f32], w: usize, h: usize, r: usize, horizontal: bool) {
    let (lines, len, step_line, step_item) = if horizontal { (h, w, w, 1) } else { (w, h, 1, w) };
    let norm = 1.0 / (2 * r + 1) as f32;
    for line in 0..lines {
        let base = line * step_line;
        let at = |i: usize| src[base + i * step_item];
        let mut sum: f32 = (0..=r.min(len - 1)).map(at).sum();
        for i in 0..len {
            dst[base + i * step_item] = sum * norm;
            if i + r + 1 < len {
                sum += at(i + r + 1);
            }
            if i >= r {
                sum -= at(i - r);
            }
        }
    }
}

/// Gradient magnitudes (central differences) of the interior pixels.
fn gradients(l: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut g = Vec::with_capacity(w * h);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let gx = 0.5 * (l[y * w + x + 1] - l[y * w + x - 1]);
            let gy = 0.5 * (l[(y + 1) * w + x] - l[(y - 1) * w + x]);
            g.push((gx * gx + gy * gy).sqrt());
        }
    }
    g
}

fn percentile(mut v: Vec<f32>, q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() - 1) as f32 * q) as usize;
    *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
}

/// Estimate the photo's blur and grain near `around` (the treatment area) or at its centre.
///
/// Blur: at edges, the gradient peak of a Gaussian-blurred step falls as 1/σ. Blurring once
/// more by a known σ₁ = 1 px gives the ratio r = σ / √(σ² + σ₁²) of the strong (90th percentile)
/// gradients, so σ = r / √(1 − r²). Grain: the spread (MAD) of the residual after that blur,
/// over the flattest half of the pixels.
pub fn measure_look(img: &RgbaImage, around: PixelRect) -> PhotoLook {
    if img.width < 8 || img.height < 8 {
        return PhotoLook::default();
    }
    let (l, w, h) = luma_crop(img, around);
    let blurred = gaussian_blur(&l, w, h, 1.0);
    let g0 = gradients(&l, w, h);
    let g1 = gradients(&blurred, w, h);
    let (p0, p1) = (percentile(g0.clone(), 0.9), percentile(g1, 0.9));
    let blur_sigma_px = if p0 > 1e-4 {
        let r = (p1 / p0).clamp(0.05, 0.97);
        (r / (1.0 - r * r).sqrt()).clamp(0.3, 4.0)
    } else {
        PhotoLook::default().blur_sigma_px
    };
    // Grain over the flattest half of the image (below the median gradient).
    let median_g = percentile(g0.clone(), 0.5);
    let mut residuals = Vec::new();
    let mut k = 0;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            if g0[k] <= median_g {
                let i = y * w + x;
                // Back to linear light: d(lin) = 2·luma·d(luma).
                residuals.push((2.0 * l[i] * (l[i] - blurred[i])).abs());
            }
            k += 1;
        }
    }
    let noise_linear = (percentile(residuals, 0.5) * 1.4826 * 1.25).min(0.05);
    PhotoLook { blur_sigma_px, noise_linear }
}

/// A shade suggested from the photo, with the reason in words.
#[derive(Clone, Debug, PartialEq)]
pub struct ShadeSuggestion {
    /// Index into [`SHADE_PRESETS`].
    pub preset: usize,
    pub reason: String,
    /// Dots per cm² at which the area's mean tone matches the stubble around it, when stubble
    /// (not skin or background) surrounds the area.
    pub stubble_density_per_cm2: Option<f32>,
}

/// The colour of the hair detection found on the photo, as an artist names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HairTone {
    Black,
    DarkBrown,
    Brown,
    /// Blonde, light brown or red: light and warm.
    Light,
    /// Grey or white: light and without colour. At a photo's resolution sparse dark stubble over
    /// light skin mixes to the same grey, so the words say so.
    Grey,
}

impl HairTone {
    /// Classify a mean hair colour (sRGB) by its CIE L*a*b*: lightness first, then chroma.
    pub fn of(rgb: [u8; 3]) -> HairTone {
        let lut = srgb_to_linear_table();
        let [l, a, b] =
            crate::detect::lab_from_linear(lut[rgb[0] as usize], lut[rgb[1] as usize], lut[rgb[2] as usize]);
        let chroma = (a * a + b * b).sqrt();
        if l < 14.0 || (l < 22.0 && chroma < 7.0) {
            HairTone::Black
        } else if chroma < 9.0 && l > 45.0 {
            HairTone::Grey
        } else if l > 52.0 || (l > 45.0 && b > 18.0) {
            HairTone::Light
        } else if l < 33.0 {
            HairTone::DarkBrown
        } else {
            HairTone::Brown
        }
    }

    /// Steps from the skin's preset toward lighter presets: pigment follows the hair's tone
    /// (black hair takes a darker dilution, grey, blonde or light brown a lighter one).
    fn shade_steps(self) -> i32 {
        match self {
            HairTone::Black => -1,
            HairTone::DarkBrown => 0,
            HairTone::Brown | HairTone::Light | HairTone::Grey => 1,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            HairTone::Black => "black hair",
            HairTone::DarkBrown => "dark brown hair",
            HairTone::Brown => "brown hair",
            HairTone::Light => "blonde or light hair",
            HairTone::Grey => "greyish hair (grey, white, or sparse stubble)",
        }
    }
}

/// Suggest a dilution from the skin inside the area and the hair: dark skin or dark hair ->
/// darker; light skin and grey, blonde or white hair -> lighter. `detected_hair` is the mean
/// colour of the hair detection labelled on the whole photo; when it is known it decides the
/// hair's part. Without it, the hair is read from a ring of `ring_px` around the area (there a
/// dark background touching the ring reads as dark hair: keep the ring narrow, ~5 mm). The ring
/// always gives the stubble's tone for the density that matches it.
pub fn suggest_shade(
    img: &RgbaImage,
    mask: &Mask,
    ring_px: u32,
    dot_diameter_mm: f32,
    detected_hair: Option<[u8; 3]>,
) -> Option<ShadeSuggestion> {
    let rect = mask.bounding_rect();
    if rect.is_empty() {
        return None;
    }
    let lut = srgb_to_linear_table();
    let lin = |x: u32, y: u32| {
        let p = img.pixel(x, y);
        [lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]]
    };
    // Skin: a high-median luminance inside the area (stubble and pores pull it down).
    let mut inside = Vec::new();
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            if mask.get(x, y) >= 128 {
                let c = lin(x, y);
                inside.push(luminance(c[0], c[1], c[2]));
            }
        }
    }
    if inside.len() < 16 {
        return None;
    }
    let skin = percentile(inside, 0.6);
    // Hair: unpainted pixels within `ring_px` of the area that differ clearly from that skin.
    let ring = ring_px.max(2);
    let outer = PixelRect {
        x0: rect.x0.saturating_sub(ring),
        y0: rect.y0.saturating_sub(ring),
        x1: (rect.x1 + ring).min(img.width),
        y1: (rect.y1 + ring).min(img.height),
    };
    let near_area = |x: u32, y: u32| {
        // Sparse probe of the square around the pixel: 8 directions at the ring's distance and half.
        [(1i64, 0i64), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)].iter().any(|&(dx, dy)| {
            [ring as i64, ring as i64 / 2].iter().any(|&d| {
                let (px, py) = (x as i64 + dx * d, y as i64 + dy * d);
                px >= 0
                    && py >= 0
                    && (px as u32) < img.width
                    && (py as u32) < img.height
                    && mask.get(px as u32, py as u32) >= 128
            })
        })
    };
    let (mut n, mut dark, mut grey) = (0u32, 0u32, 0u32);
    let mut ring_luma = Vec::new();
    for y in (outer.y0..outer.y1).step_by(2) {
        for x in (outer.x0..outer.x1).step_by(2) {
            if mask.get(x, y) > 0 || !near_area(x, y) {
                continue;
            }
            let c = lin(x, y);
            let l = luminance(c[0], c[1], c[2]);
            let (max, min) = (c[0].max(c[1]).max(c[2]), c[0].min(c[1]).min(c[2]));
            let saturation = if max > 1e-4 { (max - min) / max } else { 0.0 };
            n += 1;
            ring_luma.push(l);
            if l < skin * 0.35 {
                dark += 1;
            } else if l > skin * 1.15 && saturation < 0.12 {
                grey += 1;
            }
        }
    }
    let share = |k: u32| if n > 0 { k as f32 / n as f32 } else { 0.0 };
    let (tone, mut preset) = if skin < 0.10 {
        ("dark skin", 0i32)
    } else if skin < 0.30 {
        ("medium skin", 1)
    } else {
        ("light skin", 2)
    };
    let mut reason = tone.to_string();
    if let Some(hair) = detected_hair.map(HairTone::of) {
        preset += hair.shade_steps();
        reason.push_str(", ");
        reason.push_str(hair.words());
        reason.push_str(" on the photo");
    } else if share(dark) > 0.25 {
        preset -= 1;
        reason.push_str(", dark hair around the area");
    } else if share(grey) > 0.25 {
        preset += 1;
        reason.push_str(", grey or light hair around the area");
    }
    let preset = preset.clamp(0, SHADE_PRESETS.len() as i32 - 1) as usize;
    // Stubble: a ring that is darker than the skin, but not as dark as a background or long hair.
    let ratio = if ring_luma.is_empty() { 1.0 } else { percentile(ring_luma, 0.5) / skin.max(1e-4) };
    // Mean darkening = dot area x E[size²] x density x mean opacity x absorption; only offered
    // when SMP densities (20-150 per cm²) can reach it with this dot size.
    let absorb = SHADE_PRESETS[preset].shade.absorption_rgb()[1];
    let dot_area_mm2 = std::f32::consts::PI * (0.5 * dot_diameter_mm.max(0.1)).powi(2) * 1.056;
    let per_cm2 = 100.0 * (1.0 - ratio) / (0.875 * absorb * dot_area_mm2);
    let stubble_density_per_cm2 = ((0.4..0.92).contains(&ratio) && per_cm2 <= 150.0).then(|| per_cm2.max(20.0).round());
    if let Some(d) = stubble_density_per_cm2 {
        reason.push_str(&format!("; {d:.0} dots/cm² match the stubble around"));
    }
    Some(ShadeSuggestion { preset, reason, stubble_density_per_cm2 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stubble_match_gives_the_area_the_stubble_tone() {
        // A bald area ringed by uniform "stubble" 20 % darker than the skin (in linear light).
        let (skin, stubble) = ([200u8, 160, 140, 255], [180u8, 145, 126, 255]);
        let img =
            RgbaImage::from_fn(
                300,
                300,
                |x, y| {
                    if (60..240).contains(&x) && (60..240).contains(&y) {
                        skin
                    } else {
                        stubble
                    }
                },
            );
        let mut mask = Mask::new(300, 300);
        for y in 60..240 {
            for x in 60..240 {
                mask.data[y * 300 + x] = 255;
            }
        }
        let s = suggest_shade(&img, &mask, 20, 0.6, None).unwrap();
        let density = s.stubble_density_per_cm2.expect("stubble around");
        // Render at that density and compare the area's mean tone with the stubble's.
        let mut pv = crate::Preview::new(img.clone(), 300, 1);
        let stroke = crate::Stroke {
            id: 1,
            mode: crate::BrushMode::Paint,
            radius_px: 1.0,
            points: (60..240)
                .step_by(1)
                .flat_map(|y| [crate::Point::new(60.5, y as f32 + 0.5), crate::Point::new(239.5, y as f32 + 0.5)])
                .collect(),
        };
        let params = crate::RenderParams {
            density_per_cm2: density,
            shade: SHADE_PRESETS[s.preset].shade,
            px_per_mm: 10.0,
            ..crate::RenderParams::default()
        };
        pv.render(&[stroke], None, &params);
        let lut = srgb_to_linear_table();
        let mean = |x0: u32, x1: u32, y0: u32, y1: u32, im: &RgbaImage| {
            let mut t = 0.0;
            for y in y0..y1 {
                for x in x0..x1 {
                    t += lut[im.pixel(x, y)[1] as usize] as f64;
                }
            }
            t / ((x1 - x0) * (y1 - y0)) as f64
        };
        let (area, ring) = (mean(100, 200, 100, 200, pv.output()), mean(10, 50, 10, 290, &img));
        assert!((area / ring - 1.0).abs() < 0.1, "area {area:.4} vs stubble {ring:.4} at {density}/cm²");
    }

    fn squares(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(
            w,
            h,
            |x, y| if (x / 16 + y / 16) % 2 == 0 { [210, 170, 150, 255] } else { [60, 40, 30, 255] },
        )
    }

    fn blur_rgba(img: &RgbaImage, sigma: f32) -> RgbaImage {
        let (w, h) = (img.width as usize, img.height as usize);
        let mut out = img.clone();
        for c in 0..3 {
            let ch: Vec<f32> = img.data.chunks(4).map(|p| p[c] as f32).collect();
            let b = gaussian_blur(&ch, w, h, sigma);
            for (i, v) in b.iter().enumerate() {
                out.data[i * 4 + c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
        out
    }

    #[test]
    fn box_blur_matches_a_gaussian_and_keeps_the_sum() {
        let (w, h) = (61, 61);
        let mut impulse = vec![0f32; w * h];
        impulse[30 * w + 30] = 1.0;
        for sigma in [0.8f32, 1.5, 3.0] {
            let b = box_blur_gaussian(&impulse, w, h, sigma);
            let sum: f32 = b.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "sum {sum}");
            let var: f32 = (0..w).map(|x| (x as f32 - 30.0).powi(2) * (0..h).map(|y| b[y * w + x]).sum::<f32>()).sum();
            assert!((var.sqrt() / sigma - 1.0).abs() < 0.12, "sigma {sigma}: measured {}", var.sqrt());
        }
    }

    #[test]
    fn blur_estimate_tracks_the_true_blur() {
        let sharp = squares(256, 256);
        for sigma in [1.0f32, 2.0, 3.0] {
            let look = measure_look(&blur_rgba(&sharp, sigma), PixelRect::default());
            assert!((look.blur_sigma_px / sigma - 1.0).abs() < 0.3, "true {sigma}, estimated {}", look.blur_sigma_px);
        }
        let crisp = measure_look(&sharp, PixelRect::default());
        assert!(crisp.blur_sigma_px < 1.0, "{crisp:?}");
    }

    #[test]
    fn grain_estimate_grows_with_noise() {
        let flat = RgbaImage::from_fn(200, 200, |_, _| [150, 120, 100, 255]);
        let noisy = RgbaImage::from_fn(200, 200, |x, y| {
            let n = (crate::rng::hash3(5, x as u64, y as u64) % 21) as i32 - 10;
            [(150 + n) as u8, (120 + n) as u8, (100 + n) as u8, 255]
        });
        let (a, b) = (measure_look(&flat, PixelRect::default()), measure_look(&noisy, PixelRect::default()));
        assert!(a.noise_linear < 0.002, "{a:?}");
        assert!(b.noise_linear > 0.005, "{b:?}");
    }

    #[test]
    fn shade_suggestion_follows_skin_and_hair() {
        let mut mask = Mask::new(120, 120);
        for y in 30..90 {
            for x in 30..90 {
                mask.data[y * 120 + x] = 255;
            }
        }
        let photo = |skin: [u8; 4], hair: [u8; 4]| {
            RgbaImage::from_fn(120, 120, |x, y| {
                let inside = (30..90).contains(&x) && (30..90).contains(&y);
                if inside || (x + y) % 3 != 0 {
                    skin
                } else {
                    hair
                }
            })
        };
        let light_grey =
            suggest_shade(&photo([235, 205, 190, 255], [250, 250, 250, 255]), &mask, 10, 0.6, None).unwrap();
        let dark_dark = suggest_shade(&photo([110, 75, 55, 255], [15, 12, 10, 255]), &mask, 10, 0.6, None).unwrap();
        assert!(light_grey.preset > dark_dark.preset, "{light_grey:?} vs {dark_dark:?}");
        assert_eq!(dark_dark.preset, 0);
        assert!(light_grey.reason.contains("grey"));
        // Pure black hair around is not stubble; no density is suggested from it.
        assert_eq!(dark_dark.stubble_density_per_cm2, None);
        assert!(suggest_shade(&photo([1, 1, 1, 255], [1, 1, 1, 255]), &Mask::new(120, 120), 10, 0.6, None).is_none());
    }

    #[test]
    fn hair_tones_are_named_as_an_artist_would() {
        assert_eq!(HairTone::of([12, 10, 10]), HairTone::Black);
        assert_eq!(HairTone::of([45, 42, 40]), HairTone::Black);
        assert_eq!(HairTone::of([60, 42, 30]), HairTone::DarkBrown);
        assert_eq!(HairTone::of([105, 75, 50]), HairTone::Brown);
        assert_eq!(HairTone::of([200, 170, 110]), HairTone::Light);
        assert_eq!(HairTone::of([190, 188, 186]), HairTone::Grey);
        assert_eq!(HairTone::of([240, 240, 240]), HairTone::Grey);
    }

    #[test]
    fn detected_hair_decides_over_a_dark_background_in_the_ring() {
        // Light skin in the area; around it a black background (as in a studio photo of a bald
        // top). The ring alone reads it as dark hair; detection says the hair is grey.
        let mut mask = Mask::new(120, 120);
        for y in 30..90 {
            for x in 30..90 {
                mask.data[y * 120 + x] = 255;
            }
        }
        let img = RgbaImage::from_fn(120, 120, |x, y| {
            if (30..90).contains(&x) && (30..90).contains(&y) {
                [225, 190, 170, 255]
            } else {
                [8, 8, 8, 255]
            }
        });
        let ring_only = suggest_shade(&img, &mask, 10, 0.6, None).unwrap();
        let grey = suggest_shade(&img, &mask, 10, 0.6, Some([185, 183, 180])).unwrap();
        let black = suggest_shade(&img, &mask, 10, 0.6, Some([14, 12, 12])).unwrap();
        assert!(ring_only.reason.contains("dark hair around"), "{ring_only:?}");
        assert!(grey.preset > ring_only.preset, "{grey:?} vs {ring_only:?}");
        assert!(grey.reason.contains("greyish hair (grey, white, or sparse stubble) on the photo"), "{grey:?}");
        assert!(black.preset < grey.preset);
        assert!(black.reason.contains("black hair"), "{black:?}");
    }
}
