//! Rendering: dots -> per-pixel pigment coverage -> linear-light compositing.
//!
//! Invariants (tested):
//! - pixels whose mask is 0 are never written: they equal the photo exactly;
//! - every dot darkens by area coverage: the coverage it deposits sums to its true area
//!   (π r², in pixels), so a dot smaller than a pixel darkens that pixel by the right amount and
//!   the mean darkening of an area matches `dot area × density` at every resolution;
//! - pigment multiplies the skin's linear-light transmittance (never an opaque colour), so the
//!   photo's lighting, highlights and texture stay under the dots.

use serde::{Deserialize, Serialize};

use crate::color::{linear_to_srgb_u8, luminance, srgb_to_linear_table};
use crate::geometry::{PixelRect, Point};
use crate::photo_stats::{measure_look, PhotoLook};
use crate::pigment::Shade;
use crate::placement::{Dot, DotTile};
use crate::region::{rasterize_area, rasterize_stroke, AreaMask, Hairline, Mask, Stroke};
use crate::RgbaImage;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Treatment {
    /// Dots over the whole area: the buzz-cut illusion.
    #[default]
    ShavedLook,
    /// Dots between thinning hairs, none on top of hair strands.
    Density,
    /// The scar is toned toward the surrounding skin, then dotted.
    ScarCamouflage,
}

impl Treatment {
    pub const ALL: [Treatment; 3] = [Treatment::ShavedLook, Treatment::Density, Treatment::ScarCamouflage];

    pub fn label(&self) -> &'static str {
        match self {
            Treatment::ShavedLook => "Shaved look",
            Treatment::Density => "Density",
            Treatment::ScarCamouflage => "Scar camouflage",
        }
    }

    /// Whether a hairline bounds this treatment's front edge.
    pub fn uses_hairline(&self) -> bool {
        !matches!(self, Treatment::ScarCamouflage)
    }
}

/// Where in time the preview shows the treatment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeState {
    /// Sessions done, 1..=3. Each adds density (layering); the final density is reached at 3.
    pub sessions: u8,
    /// Just done: dots slightly larger and darker, the scalp faintly red.
    pub fresh: bool,
    /// Years since the last session, 0..=5: lighter, slightly spread dots.
    pub years: f32,
    /// Pigment placed too deep: a blue cast that grows with the years.
    pub too_deep: bool,
}

impl Default for TimeState {
    fn default() -> Self {
        Self { sessions: 3, fresh: false, years: 0.0, too_deep: false }
    }
}

/// Share of the final dots present after sessions 1, 2 and 3.
pub const SESSION_SHARE: [f32; 3] = [0.55, 0.85, 1.0];
/// Darkness of the dots laid in each session: the base layer lighter, refinements darker.
/// Weighted by the sessions' shares of the dots the mean is 1, so the final coverage is exact.
const SESSION_OPACITY: [f32; 3] = [0.94, 1.06, 1.12];

impl TimeState {
    pub const MAX_YEARS: f32 = 5.0;

    fn sanitized(&self) -> Self {
        Self {
            sessions: self.sessions.clamp(1, 3),
            fresh: self.fresh,
            years: if self.years.is_finite() { self.years.clamp(0.0, Self::MAX_YEARS) } else { 0.0 },
            too_deep: self.too_deep,
        }
    }

    /// The dot's (diameter, opacity) multipliers at this time, `None` if not laid yet.
    fn dot_factors(&self, dot: &Dot) -> Option<(f32, f32)> {
        let session = SESSION_SHARE.iter().position(|&share| dot.rank2 < share).unwrap_or(2);
        if session >= self.sessions as usize {
            return None;
        }
        let (mut size, mut opacity) = (1.0, SESSION_OPACITY[session]);
        if self.fresh {
            size *= 1.25;
            opacity *= 1.15;
        }
        // Healed pigment fades and spreads a little every year.
        size *= 1.0 + 0.05 * self.years;
        opacity *= 1.0 - 0.09 * self.years;
        Some((size, opacity))
    }

    /// Extra blur of the pigment under the skin, in mm.
    fn spread_mm(&self) -> f32 {
        0.03 * self.years
    }

    /// How far the pigment has shifted to blue (0 = none, 1 = strong).
    fn blue_shift(&self) -> f32 {
        if self.too_deep {
            (0.6 + 0.08 * self.years).min(1.0)
        } else {
            0.0
        }
    }
}

/// Everything but the area that decides how the treatment looks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderParams {
    pub treatment: Treatment,
    pub shade: Shade,
    /// Healed dot diameter on the scalp, mm.
    pub dot_diameter_mm: f32,
    /// Dots per cm² of scalp.
    pub density_per_cm2: f32,
    /// Scale of the full-resolution photo: its pixels per millimetre on the scalp.
    pub px_per_mm: f32,
    /// Seed of the dot pattern.
    pub seed: u64,
    pub time: TimeState,
    /// Follow the head's curve: the area is taken as a dome seen from above (top and side
    /// views), so dots crowd and flatten toward its rim as on a real head.
    pub follow_curve: bool,
}

impl RenderParams {
    pub const DOT_DIAMETER_MM: (f32, f32) = (0.15, 1.2);
    pub const DENSITY_PER_CM2: (f32, f32) = (10.0, 150.0);
    pub const PX_PER_MM: (f32, f32) = (0.2, 200.0);

    /// The same parameters with every number finite and inside its range.
    pub fn sanitized(&self) -> Self {
        let clamp = |v: f32, (lo, hi): (f32, f32), default: f32| if v.is_finite() { v.clamp(lo, hi) } else { default };
        Self {
            treatment: self.treatment,
            shade: Shade::new(self.shade.strength),
            dot_diameter_mm: clamp(self.dot_diameter_mm, Self::DOT_DIAMETER_MM, 0.6),
            density_per_cm2: clamp(self.density_per_cm2, Self::DENSITY_PER_CM2, 80.0),
            px_per_mm: clamp(self.px_per_mm, Self::PX_PER_MM, 4.0),
            seed: self.seed,
            time: self.time.sanitized(),
            follow_curve: self.follow_curve,
        }
    }
}

impl Default for RenderParams {
    fn default() -> Self {
        Self {
            treatment: Treatment::ShavedLook,
            shade: Shade::default(),
            // Healed impressions of 0.18-0.30 mm needles, "microdots about 1 mm apart".
            dot_diameter_mm: 0.6,
            density_per_cm2: 80.0,
            px_per_mm: 4.0,
            seed: 0x5EED_0001,
            time: TimeState::default(),
            follow_curve: false,
        }
    }
}

/// A sensible scale before the user measures anything: the shorter side of a head photo spans
/// about 20 cm of head.
pub fn default_px_per_mm(width: u32, height: u32) -> f32 {
    (width.min(height) as f32 / 200.0).clamp(RenderParams::PX_PER_MM.0, RenderParams::PX_PER_MM.1)
}

/// What one render needs besides the pixels.
struct Job<'a> {
    mask: &'a Mask,
    /// The mask's bounding rectangle.
    rect: PixelRect,
    /// Raster px per full-image px.
    scale: f32,
    hairline: Option<&'a Hairline>,
    params: &'a RenderParams,
    tile: &'a DotTile,
    /// The photo's blur and grain on this raster.
    look: PhotoLook,
    /// Only this part of the raster is wanted (the area-wide statistics still come from the
    /// whole area); `None`: all of it.
    part: Option<PixelRect>,
}

/// The pigment a treatment deposits, before any shade is chosen: everything a shade change
/// does not alter, so a shade change only re-composites.
#[derive(Debug, Default)]
struct Coverage {
    /// The frame `covered` is laid out in (the whole image for the preview).
    frame: PixelRect,
    /// Where `covered` may be non-zero.
    rect: PixelRect,
    /// Per-pixel share of the skin covered by pigment (0 = none), blurred to the photo's own
    /// sharpness, over `frame`.
    covered: Vec<f32>,
    /// Per-channel gain applied to the skin inside the area (fresh redness).
    tone_gain: [f32; 3],
    /// Scar camouflage: per pixel of `rect`, the linear colour of the unpainted skin nearby,
    /// toward which lighter pixels inside the area (the scar) are pulled. Empty otherwise.
    scar_target: Vec<[f32; 3]>,
    /// The rectangle `scar_target` covers.
    scar_frame: PixelRect,
    /// Absorption multipliers per channel (the blue cast of pigment placed too deep).
    absorb_shift: [f32; 3],
    /// The photo's grain (linear light at the skin's brightness); added with the pigment as a
    /// relative variation.
    grain: f32,
    /// The area's typical skin: linear luminance and blue/red ratio (to find highlights), and
    /// the luminance under which a pixel is a hair strand (density treatment).
    skin_luma: f32,
    skin_blue_ratio: f32,
    hair_threshold: f32,
    /// The head's dome when following its curve.
    dome: Option<Dome>,
}

/// The area taken as the silhouette of a dome (a sphere's cap seen from above, stretched to the
/// ellipse fitted to the area). Dots are laid out in flat, unrolled coordinates (azimuthal
/// equidistant: distance from the top is kept along the surface) and projected: at angle φ
/// from the top a dot lands at sin φ of the way to the rim, compressed radially by cos φ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dome {
    pub centre: Point,
    /// Semi-axes in px (the rim), and the direction of the first one.
    pub axes: (f32, f32),
    pub cos: f32,
    pub sin: f32,
}

impl Dome {
    /// Fit to the mask's second moments (a uniform ellipse of the same moments).
    pub fn fit(mask: &Mask, rect: PixelRect) -> Option<Dome> {
        let (mut n, mut sx, mut sy) = (0f64, 0f64, 0f64);
        let (mut sxx, mut syy, mut sxy) = (0f64, 0f64, 0f64);
        for y in rect.y0..rect.y1 {
            for x in rect.x0..rect.x1 {
                let m = mask.get(x, y) as f64 / 255.0;
                if m > 0.0 {
                    let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
                    n += m;
                    sx += m * fx;
                    sy += m * fy;
                    sxx += m * fx * fx;
                    syy += m * fy * fy;
                    sxy += m * fx * fy;
                }
            }
        }
        if n < 16.0 {
            return None;
        }
        let (cx, cy) = (sx / n, sy / n);
        let (vxx, vyy, vxy) = (sxx / n - cx * cx, syy / n - cy * cy, sxy / n - cx * cy);
        let angle = 0.5 * (2.0 * vxy).atan2(vxx - vyy);
        let (sin, cos) = angle.sin_cos();
        let var1 = vxx * cos * cos + 2.0 * vxy * sin * cos + vyy * sin * sin;
        let var2 = vxx * sin * sin - 2.0 * vxy * sin * cos + vyy * cos * cos;
        // A uniform ellipse with semi-axis a has variance a²/4 along it.
        let (a, b) = ((4.0 * var1.max(1.0)).sqrt() as f32, (4.0 * var2.max(1.0)).sqrt() as f32);
        Some(Dome { centre: Point::new(cx as f32, cy as f32), axes: (a, b), cos: cos as f32, sin: sin as f32 })
    }

    /// Image px -> normalised disc coordinates (the rim at radius 1).
    fn disc_from_image(&self, p: Point) -> (f32, f32) {
        let (dx, dy) = (p.x - self.centre.x, p.y - self.centre.y);
        ((dx * self.cos + dy * self.sin) / self.axes.0, (-dx * self.sin + dy * self.cos) / self.axes.1)
    }

    fn image_from_disc(&self, u: f32, v: f32) -> Point {
        let (du, dv) = (u * self.axes.0, v * self.axes.1);
        Point::new(self.centre.x + du * self.cos - dv * self.sin, self.centre.y + du * self.sin + dv * self.cos)
    }

    /// Flat (unrolled) px -> image px, with cos φ there; `None` beyond the rim.
    pub fn project(&self, flat: Point) -> Option<(Point, f32)> {
        let (u, v) = self.disc_from_image(flat);
        let phi = (u * u + v * v).sqrt();
        if phi >= std::f32::consts::FRAC_PI_2 * 0.985 {
            return None;
        }
        let k = if phi > 1e-6 { phi.sin() / phi } else { 1.0 };
        Some((self.image_from_disc(u * k, v * k), phi.cos()))
    }

    /// Image px -> flat px (points outside the rim go to the rim's flat radius).
    pub fn unproject(&self, image: Point) -> Point {
        let (u, v) = self.disc_from_image(image);
        let r = (u * u + v * v).sqrt();
        let k = if r > 1e-6 { r.min(1.0).asin() / r } else { 1.0 };
        self.image_from_disc(u * k, v * k)
    }

    /// The direction (unit, image px) from the dome's centre through `p`.
    fn radial(&self, p: Point) -> (f32, f32) {
        let (dx, dy) = (p.x - self.centre.x, p.y - self.centre.y);
        let len = (dx * dx + dy * dy).sqrt().max(1e-6);
        (dx / len, dy / len)
    }
}

impl Coverage {
    #[inline]
    fn at(&self, x: u32, y: u32) -> f32 {
        let f = self.frame;
        self.covered[(y - f.y0) as usize * f.width() as usize + (x - f.x0) as usize]
    }
}

/// Grow a rectangle by `by` pixels on every side, within `width` × `height`.
fn expand(r: PixelRect, by: u32, width: u32, height: u32) -> PixelRect {
    if r.is_empty() {
        return r;
    }
    PixelRect {
        x0: r.x0.saturating_sub(by),
        y0: r.y0.saturating_sub(by),
        x1: (r.x1 + by).min(width),
        y1: (r.y1 + by).min(height),
    }
}

fn intersect(a: PixelRect, b: PixelRect) -> PixelRect {
    let r = PixelRect { x0: a.x0.max(b.x0), y0: a.y0.max(b.y0), x1: a.x1.min(b.x1), y1: a.y1.min(b.y1) };
    if r.is_empty() {
        PixelRect::default()
    } else {
        r
    }
}

/// How far (px) a change of the mask at a pixel can change the coverage, and the blur used.
struct Reach {
    sigma: f32,
    /// Blur padding.
    pad: u32,
    /// Radius of the density ramp inside the area's edge.
    edge_radius: usize,
    /// A dot's centre to the farthest pixel it darkens.
    dot_reach: u32,
}

impl Reach {
    fn new(p: &RenderParams, px_per_mm: f32, look: PhotoLook) -> Self {
        // Dots are never crisper than the photo: blur the pigment by the photo's own blur (less
        // the ~0.55 px that pixel sampling already gives), plus the years' spread under the skin.
        let photo_sigma = (look.blur_sigma_px.powi(2) - 0.55f32.powi(2)).max(0.09).sqrt();
        let sigma = (photo_sigma.powi(2) + (p.time.spread_mm() * px_per_mm).powi(2)).sqrt();
        let max_r_px = 0.5 * p.dot_diameter_mm * 1.25 * 1.25 * 1.25 * px_per_mm;
        Self {
            sigma,
            pad: (3.0 * sigma).ceil() as u32 + 1,
            edge_radius: (4.0 * px_per_mm).max(1.0) as usize,
            dot_reach: (max_r_px + 0.35 * max_r_px.max(0.6) + 3.0).ceil() as u32,
        }
    }

    /// Pixels farther than this from a mask change keep their coverage.
    fn of_mask_change(&self) -> u32 {
        self.edge_radius as u32 + self.dot_reach + self.pad
    }

    /// Pixels farther than this inside the edge of the rectangle a coverage is computed over are
    /// exactly as in a computation over everything: a dot near the edge is cut (and normalised)
    /// there, its placement reads the mask and hair around it, and the blur reads its neighbours.
    fn of_part_edge(&self) -> u32 {
        self.edge_radius as u32 + 2 * self.dot_reach + 2 * self.pad + 2
    }
}

/// Place the dots and deposit their coverage. `img` holds the untouched photo. With `only`,
/// recompute just that region (after the mask changed inside it, all else equal), keeping the
/// area-wide statistics of the last full computation; otherwise recompute everything.
fn compute_coverage(img: &RgbaImage, job: &Job, out: &mut Coverage, only: Option<PixelRect>) {
    let Job { mask, rect, scale, hairline, params, tile, look, part } = *job;
    debug_assert_eq!((img.width, img.height), (mask.width, mask.height));
    let p = params.sanitized();
    let time = p.time;
    let px_per_mm = p.px_per_mm * scale; // raster px per mm
    let reach = Reach::new(&p, px_per_mm, look);
    let (w, h) = (img.width, img.height);
    let (inner, work) = match only {
        Some(region) => {
            let inner = intersect(region, PixelRect { x0: 0, y0: 0, x1: w, y1: h });
            (inner, expand(inner, reach.of_mask_change(), w, h))
        }
        None => {
            // Everything: the area's statistics, then every pixel the pigment can reach.
            let full = expand(rect, reach.pad, w, h);
            for y in out.rect.y0..out.rect.y1 {
                for x in out.rect.x0..out.rect.x1 {
                    let f = out.frame;
                    out.covered[(y - f.y0) as usize * f.width() as usize + (x - f.x0) as usize] = 0.0;
                }
            }
            out.rect = PixelRect::default();
            out.tone_gain = [1.0; 3];
            let b = time.blue_shift();
            out.absorb_shift = [1.0, 1.0 - 0.08 * b, 1.0 - 0.4 * b];
            out.grain = look.noise_linear;
            if full.is_empty() {
                return;
            }
            (out.skin_luma, out.skin_blue_ratio) = typical_skin(img, mask, full);
            out.hair_threshold = match p.treatment {
                Treatment::Density => hair_strand_threshold(img, mask, full),
                _ => 0.0,
            };
            // A part: the same pixels there as over everything, from a margin around it.
            let (inner, work) = match part {
                None => (full, full),
                Some(part) => {
                    let inner = intersect(part, full);
                    (inner, intersect(expand(inner, reach.of_part_edge(), w, h), full))
                }
            };
            out.scar_target = match p.treatment {
                Treatment::ScarCamouflage if !inner.is_empty() => surrounding_tone(img, mask, work, full, px_per_mm),
                _ => Vec::new(),
            };
            out.scar_frame = work;
            out.dome = if p.follow_curve { Dome::fit(mask, rect) } else { None };
            if time.fresh {
                // Freshly worked skin is faintly red for a few days.
                out.tone_gain = [1.0, 0.93, 0.92];
            }
            (inner, work)
        }
    };
    if inner.is_empty() {
        return;
    }
    let (rw, rh) = (work.width() as usize, work.height() as usize);
    let mut transmit = vec![1.0f32; rw * rh];
    // Density: where hair strands are, and how much of the skin they cover around each point.
    let hair = match p.treatment {
        Treatment::Density => Some(HairMap::new(img, work, out.hair_threshold, (1.5 * px_per_mm).max(1.0) as usize)),
        _ => None,
    };
    let field = hairline.filter(|_| p.treatment.uses_hairline()).and_then(|h| h.field(scale, p.px_per_mm, p.seed));
    // The brush edge is not a hard line of dots: density ramps up over ~4 mm inside it.
    let edge = MaskSums::new(mask, work);
    let dome = out.dome;
    // With a dome, the dots are laid out on the unrolled surface: ask for the flat box that
    // projects onto `work`.
    let flat_box = match dome {
        Some(d) => {
            let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            let (x0, y0, x1, y1) = (work.x0 as f32, work.y0 as f32, work.x1 as f32, work.y1 as f32);
            for i in 0..=16 {
                let t = i as f32 / 16.0;
                for q in [
                    (x0 + t * (x1 - x0), y0),
                    (x0 + t * (x1 - x0), y1),
                    (x0, y0 + t * (y1 - y0)),
                    (x1, y0 + t * (y1 - y0)),
                ] {
                    let f = d.unproject(Point::new(q.0, q.1));
                    b = (b.0.min(f.x), b.1.min(f.y), b.2.max(f.x), b.3.max(f.y));
                }
            }
            b
        }
        None => (work.x0 as f32, work.y0 as f32, work.x1 as f32, work.y1 as f32),
    };
    for dot in p.seed_tile_dots(tile, flat_box, px_per_mm, reach.dot_reach as f32) {
        let flat = Point::new(dot.x_mm * px_per_mm, dot.y_mm * px_per_mm);
        let (c, foreshortening) = match dome {
            Some(d) => match d.project(flat) {
                Some(projected) => projected,
                None => continue,
            },
            None => (flat, 1.0),
        };
        if mask.at(c) < 128 {
            continue;
        }
        let Some((size, opacity)) = time.dot_factors(&dot) else { continue };
        let inside = edge.mean_around(c, reach.edge_radius);
        if dot.rank3 > ((inside - 0.5) / 0.45).clamp(0.0, 1.0).sqrt() {
            continue;
        }
        // A broken hairline's front dots are finer (an artist's finer needle there).
        let mut front_scale = 1.0;
        if let Some(f) = &field {
            let d = f.density(c);
            if dot.rank >= d {
                continue;
            }
            front_scale = f.front_dot_scale(d);
        }
        if let Some(hair) = &hair {
            // None on a strand, and fewer where hair already covers the skin.
            if hair.on_strand(c) || dot.rank3 < hair.coverage_around(c) {
                continue;
            }
        }
        let r = 0.5 * p.dot_diameter_mm * dot.size * size * front_scale * px_per_mm;
        let mut dot = Dot { opacity: (dot.opacity * opacity).min(1.0), ..dot };
        let r = match dome {
            // Seen at an angle, the dot is flattened along the radius (its area times cos φ).
            Some(d) if foreshortening < dot.aspect => {
                let (rx, ry) = d.radial(c);
                dot.aspect = foreshortening.max(0.2);
                dot.angle = ry.atan2(rx) + std::f32::consts::FRAC_PI_2;
                r * dot.aspect.sqrt()
            }
            _ => r,
        };
        splat_dot(&mut transmit, work, c, r, &dot);
    }
    let covered: Vec<f32> = transmit.iter().map(|t| 1.0 - t).collect();
    let blurred = crate::photo_stats::box_blur_gaussian(&covered, rw, rh, reach.sigma);
    if out.frame.is_empty() || out.covered.len() != out.frame.width() as usize * out.frame.height() as usize {
        // Export: a frame just around the area. (The preview sets a whole-image frame.)
        out.frame = work;
        out.covered = vec![0.0; rw * rh];
    }
    let f = out.frame;
    for y in inner.y0..inner.y1 {
        for x in inner.x0..inner.x1 {
            out.covered[(y - f.y0) as usize * f.width() as usize + (x - f.x0) as usize] =
                blurred[(y - work.y0) as usize * rw + (x - work.x0) as usize];
        }
    }
    out.rect = out.rect.union(inner);
}

/// A summed-area table of the mask over a rectangle: mean coverage around any point in O(1).
struct MaskSums {
    rect: PixelRect,
    sums: Vec<u32>,
    image: (i64, i64),
}

impl MaskSums {
    fn new(mask: &Mask, rect: PixelRect) -> Self {
        let (rw, rh) = (rect.width() as usize, rect.height() as usize);
        let mut sums = vec![0u32; (rw + 1) * (rh + 1)];
        for y in 0..rh {
            let mut row = 0u32;
            for x in 0..rw {
                row += mask.get(rect.x0 + x as u32, rect.y0 + y as u32) as u32;
                sums[(y + 1) * (rw + 1) + x + 1] = sums[y * (rw + 1) + x + 1] + row;
            }
        }
        Self { rect, sums, image: (mask.width as i64, mask.height as i64) }
    }

    /// Mean mask coverage (0..=1) in the square of `radius` around `c`, over the part of the
    /// square inside the image (the photo's border is not the area's edge).
    fn mean_around(&self, c: Point, radius: usize) -> f32 {
        let (rw, rh) = (self.rect.width() as i64, self.rect.height() as i64);
        let (cx, cy) = (c.x as i64 - self.rect.x0 as i64, c.y as i64 - self.rect.y0 as i64);
        let r = radius as i64;
        let (x0, y0) = ((cx - r).clamp(0, rw), (cy - r).clamp(0, rh));
        let (x1, y1) = ((cx + r + 1).clamp(0, rw), (cy + r + 1).clamp(0, rh));
        let at = |x: i64, y: i64| self.sums[(y * (rw + 1) + x) as usize] as i64;
        let sum = at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0);
        let (gx, gy) = (c.x as i64, c.y as i64);
        let in_image = ((gx + r + 1).min(self.image.0) - (gx - r).max(0)).max(1)
            * ((gy + r + 1).min(self.image.1) - (gy - r).max(0)).max(1);
        sum as f32 / 255.0 / in_image as f32
    }
}

/// Median linear luminance and blue/red ratio of the area (sampled).
fn typical_skin(img: &RgbaImage, mask: &Mask, rect: PixelRect) -> (f32, f32) {
    let lut = srgb_to_linear_table();
    let step = ((rect.width() as u64 * rect.height() as u64 / 40_000) as f64).sqrt().max(1.0) as usize;
    let (mut lumas, mut ratios) = (Vec::new(), Vec::new());
    for y in (rect.y0..rect.y1).step_by(step) {
        for x in (rect.x0..rect.x1).step_by(step) {
            if mask.get(x, y) >= 128 {
                let q = img.pixel(x, y);
                let (r, g, b) = (lut[q[0] as usize], lut[q[1] as usize], lut[q[2] as usize]);
                lumas.push(luminance(r, g, b));
                if r > 0.01 {
                    ratios.push(b / r);
                }
            }
        }
    }
    let median = |mut v: Vec<f32>, fallback: f32| {
        if v.is_empty() {
            return fallback;
        }
        let k = v.len() / 2;
        *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
    };
    (median(lumas, 0.3), median(ratios, 0.6))
}

/// The white surface reflection in a pixel (linear light): pigment sits under the skin, so the
/// shine of a bald scalp stays on top of the dots. Only pixels clearly brighter than the area's
/// typical skin and whiter than its colour count as shine.
#[inline]
fn specular_part(lin: [f32; 3], skin_luma: f32, skin_blue_ratio: f32) -> f32 {
    let l = luminance(lin[0], lin[1], lin[2]);
    let t = ((l / skin_luma.max(1e-3) - 1.15) / 0.5).clamp(0.0, 1.0);
    if t <= 0.0 || skin_blue_ratio >= 0.95 {
        return 0.0;
    }
    let s = (lin[2] - skin_blue_ratio * lin[0]) / (1.0 - skin_blue_ratio);
    s.clamp(0.0, lin[0].min(lin[1]).min(lin[2])) * t * t * (3.0 - 2.0 * t)
}

/// Hair strands inside the area (for the density treatment): pixels well darker than the
/// area's typical skin, with a summed-area table for the local share of hair.
struct HairMap {
    rect: PixelRect,
    strand: Vec<bool>,
    /// Summed-area table of `strand`, (rw + 1) × (rh + 1).
    sums: Vec<u32>,
    radius: usize,
}

impl HairMap {
    fn new(img: &RgbaImage, rect: PixelRect, threshold: f32, radius: usize) -> Self {
        let lut = srgb_to_linear_table();
        let (rw, rh) = (rect.width() as usize, rect.height() as usize);
        let mut strand = vec![false; rw * rh];
        for y in 0..rh {
            for x in 0..rw {
                let px = img.pixel(rect.x0 + x as u32, rect.y0 + y as u32);
                strand[y * rw + x] =
                    luminance(lut[px[0] as usize], lut[px[1] as usize], lut[px[2] as usize]) < threshold;
            }
        }
        let mut sums = vec![0u32; (rw + 1) * (rh + 1)];
        for y in 0..rh {
            let mut row = 0;
            for x in 0..rw {
                row += strand[y * rw + x] as u32;
                sums[(y + 1) * (rw + 1) + x + 1] = sums[y * (rw + 1) + x + 1] + row;
            }
        }
        Self { rect, strand, sums, radius }
    }

    fn local(&self, c: Point) -> Option<(usize, usize)> {
        let (x, y) = (c.x as i64 - self.rect.x0 as i64, c.y as i64 - self.rect.y0 as i64);
        let (rw, rh) = (self.rect.width() as i64, self.rect.height() as i64);
        (x >= 0 && y >= 0 && x < rw && y < rh).then_some((x as usize, y as usize))
    }

    fn on_strand(&self, c: Point) -> bool {
        self.local(c).is_some_and(|(x, y)| self.strand[y * self.rect.width() as usize + x])
    }

    /// Share of hair pixels in the square of `radius` around `c`.
    fn coverage_around(&self, c: Point) -> f32 {
        let Some((x, y)) = self.local(c) else { return 0.0 };
        let (rw, rh) = (self.rect.width() as usize, self.rect.height() as usize);
        let (x0, y0) = (x.saturating_sub(self.radius), y.saturating_sub(self.radius));
        let (x1, y1) = ((x + self.radius + 1).min(rw), (y + self.radius + 1).min(rh));
        let s = |x: usize, y: usize| self.sums[y * (rw + 1) + x] as i64;
        let n = (s(x1, y1) - s(x0, y1) - s(x1, y0) + s(x0, y0)) as f32;
        n / ((x1 - x0) * (y1 - y0)) as f32
    }
}

/// Composite the pigment in linear light, in place, inside the mask. `img` holds the untouched
/// photo wherever the mask is non-zero. Pixels without pigment or toning are left as they are.
fn composite(img: &mut RgbaImage, mask: &Mask, coverage: &Coverage, region: PixelRect, shade: Shade, seed: u64) {
    composite_at(img, (0, 0), mask, coverage, region, shade, seed)
}

/// [`composite`] into `img` holding only a part of the raster, the one whose top left pixel is
/// at `origin` (mask, coverage and `region` stay in the whole raster's coordinates).
fn composite_at(
    img: &mut RgbaImage,
    origin: (u32, u32),
    mask: &Mask,
    coverage: &Coverage,
    region: PixelRect,
    shade: Shade,
    seed: u64,
) {
    let (ox, oy) = origin;
    let held = PixelRect { x0: ox, y0: oy, x1: ox.saturating_add(img.width), y1: oy.saturating_add(img.height) };
    let rect = intersect(intersect(region, coverage.rect), held);
    if rect.is_empty() || coverage.covered.is_empty() {
        return;
    }
    let (ox, oy) = (ox as usize, oy as usize);
    let lut = srgb_to_linear_table();
    let base = Shade::new(shade.strength).absorption_rgb();
    let absorb: [f32; 3] = std::array::from_fn(|c| (base[c] * coverage.absorb_shift[c]).clamp(0.0, 1.0));
    let tone = coverage.tone_gain;
    let toned = tone != [1.0; 3] || !coverage.scar_target.is_empty();
    let (mw, iw) = (mask.width as usize, img.width as usize);
    let scar_rect = coverage.scar_frame;
    for gy in rect.y0 as usize..rect.y1 as usize {
        let mask_row = &mask.data[gy * mw + rect.x0 as usize..gy * mw + rect.x1 as usize];
        for (gx, &m) in (rect.x0 as usize..).zip(mask_row) {
            let cov = coverage.at(gx as u32, gy as u32);
            // Coverage under 1/512 changes no pixel visibly: leave those pixels exactly as they are.
            if m == 0 || (cov < 1.0 / 512.0 && !toned) {
                continue;
            }
            let m = m as f32 / 255.0;
            let covered = cov.clamp(0.0, 1.0) * m;
            // The photo's grain, carried by the pigment too (a stable pattern per pixel).
            let grain = if coverage.grain > 0.0 {
                let h = crate::rng::mix64(seed ^ ((gy as u64) << 32 | gx as u64));
                let noise = (crate::rng::unit_from_hash(h) + crate::rng::unit_from_hash(h << 24) - 1.0) * 2.45;
                // Relative to the pixel (camera grain is closer to constant in sRGB than in linear).
                noise * (coverage.grain / coverage.skin_luma.max(0.02)).min(0.1) * covered
            } else {
                0.0
            };
            let i = ((gy - oy) * iw + gx - ox) * 4;
            let mut lin: [f32; 3] = std::array::from_fn(|c| lut[img.data[i + c] as usize]);
            let in_scar = (scar_rect.x0 as usize..scar_rect.x1 as usize).contains(&gx)
                && (scar_rect.y0 as usize..scar_rect.y1 as usize).contains(&gy);
            let scar = if in_scar {
                let k = (gy - scar_rect.y0 as usize) * scar_rect.width() as usize + (gx - scar_rect.x0 as usize);
                coverage.scar_target.get(k).filter(|t| t[0] >= 0.0)
            } else {
                None
            };
            if let Some(&target) = scar {
                // Pull what is lighter than the surrounding skin (the scar) toward its tone.
                let target_luma = luminance(target[0], target[1], target[2]);
                let l = luminance(lin[0], lin[1], lin[2]);
                let t = ((l / target_luma.max(1e-4) - 1.0) / 0.3).clamp(0.0, 1.0);
                let amount = 0.85 * m * t * t * (3.0 - 2.0 * t);
                for c in 0..3 {
                    lin[c] += amount * (target[c] - lin[c]);
                }
            }
            let shine = specular_part(lin, coverage.skin_luma, coverage.skin_blue_ratio);
            for c in 0..3 {
                let diffuse = (lin[c] - shine) * (1.0 + (tone[c] - 1.0) * m);
                img.data[i + c] = linear_to_srgb_u8((diffuse * (1.0 - covered * absorb[c]) + shine) * (1.0 + grain));
            }
        }
    }
}

impl RenderParams {
    /// The dots whose centres lie in the pixel box `(x0, y0, x1, y1)` grown by `pad_px`.
    fn seed_tile_dots(
        &self,
        tile: &DotTile,
        (x0, y0, x1, y1): (f32, f32, f32, f32),
        px_per_mm: f32,
        pad_px: f32,
    ) -> Vec<Dot> {
        let mm = |v: f32, pad: f32| (v + pad) / px_per_mm;
        tile.dots_in(self.density_per_cm2 / 100.0, mm(x0, -pad_px), mm(y0, -pad_px), mm(x1, pad_px), mm(y1, pad_px))
    }
}

/// Deposit one dot into the transmittance buffer by area coverage.
fn splat_dot(transmit: &mut [f32], rect: PixelRect, c: Point, r: f32, dot: &Dot) {
    if !(r > 0.0 && r.is_finite()) {
        return;
    }
    let (rw, rh) = (rect.width() as i64, rect.height() as i64);
    // The footprint never shrinks below ~1.2 px across, so sub-pixel dots spread their (exact)
    // area over the pixels they straddle instead of vanishing or aliasing.
    let r_eff = r.max(0.6);
    let sq = dot.aspect.sqrt();
    let (a, b) = (r_eff / sq, r_eff * sq); // same area as the circle
    let (sin, cos) = dot.angle.sin_cos();
    // A soft edge: healed pigment spreads a little under the skin.
    let edge = (0.35 * r_eff).max(1.0);
    let reach = a.max(b) + edge;
    let (x0, x1) =
        (((c.x - reach).floor() as i64).max(rect.x0 as i64), ((c.x + reach).ceil() as i64).min(rect.x1 as i64));
    let (y0, y1) =
        (((c.y - reach).floor() as i64).max(rect.y0 as i64), ((c.y + reach).ceil() as i64).min(rect.y1 as i64));
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let mut weights = [0f32; 64];
    let n = ((x1 - x0) * (y1 - y0)) as usize;
    let mut heap: Vec<f32>;
    let ws: &mut [f32] = if n <= weights.len() {
        &mut weights[..n]
    } else {
        heap = vec![0.0; n];
        &mut heap
    };
    let mut total = 0.0;
    let mut k = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f32 + 0.5 - c.x, y as f32 + 0.5 - c.y);
            let (u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
            let rho = ((u / a).powi(2) + (v / b).powi(2)).sqrt();
            let wgt = (((1.0 - rho) * r_eff) / edge + 0.5).clamp(0.0, 1.0);
            ws[k] = wgt;
            total += wgt;
            k += 1;
        }
    }
    if total <= 0.0 {
        return;
    }
    // Normalise so the coverage sums to the dot's true area.
    let norm = std::f32::consts::PI * r * r / total;
    let mut k = 0;
    for y in y0..y1 {
        let row = (y - rect.y0 as i64) * rw;
        for x in x0..x1 {
            let cov = (ws[k] * norm).min(1.0) * dot.opacity;
            k += 1;
            if cov > 0.0 {
                let idx = (row + x - rect.x0 as i64) as usize;
                debug_assert!(idx < (rw * rh) as usize);
                transmit[idx] *= 1.0 - cov;
            }
        }
    }
}

/// For every pixel of `rect`, the mean linear colour of the unpainted pixels within ~3 mm (a
/// normalised box filter over summed-area tables), growing the window where none are that near.
/// Scars are lighter and shinier than the skin around them; the camouflage tones them toward it,
/// locally, so a long scar through changing surroundings matches each part of them.
/// `rect` is a part of `whole` (the rectangle rendered): the windows stop where they would for
/// `whole`, so a part gets the values the whole has there.
fn surrounding_tone(img: &RgbaImage, mask: &Mask, rect: PixelRect, whole: PixelRect, px_per_mm: f32) -> Vec<[f32; 3]> {
    let lut = srgb_to_linear_table();
    let radius = (3.0 * px_per_mm).clamp(2.0, 150.0) as u32;
    let reach = radius * 4;
    let outer = intersect(expand(rect, reach, img.width, img.height), expand(whole, reach, img.width, img.height));
    let (ow, oh) = (outer.width() as usize, outer.height() as usize);
    // Summed-area tables of colour and count of unpainted pixels, (ow + 1) × (oh + 1).
    let mut sums = vec![[0f32; 4]; (ow + 1) * (oh + 1)];
    for y in 0..oh {
        let mut row = [0f32; 4];
        for x in 0..ow {
            let (gx, gy) = (outer.x0 + x as u32, outer.y0 + y as u32);
            if mask.get(gx, gy) == 0 {
                let q = img.pixel(gx, gy);
                for c in 0..3 {
                    row[c] += lut[q[c] as usize];
                }
                row[3] += 1.0;
            }
            let above = sums[y * (ow + 1) + x + 1];
            sums[(y + 1) * (ow + 1) + x + 1] = std::array::from_fn(|c| above[c] + row[c]);
        }
    }
    let window = |cx: usize, cy: usize, r: usize| -> [f32; 4] {
        let (x0, y0) = (cx.saturating_sub(r), cy.saturating_sub(r));
        let (x1, y1) = ((cx + r + 1).min(ow), (cy + r + 1).min(oh));
        let at = |x: usize, y: usize| sums[y * (ow + 1) + x];
        let (a, b, c, d) = (at(x1, y1), at(x0, y1), at(x1, y0), at(x0, y0));
        std::array::from_fn(|k| a[k] - b[k] - c[k] + d[k])
    };
    let mut out = Vec::with_capacity(rect.width() as usize * rect.height() as usize);
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            let (cx, cy) = ((x - outer.x0) as usize, (y - outer.y0) as usize);
            let mut r = radius as usize;
            let mut w = window(cx, cy, r);
            // Enough skin around? Otherwise look further (a wide stroke's middle).
            while w[3] < (r * r) as f32 * 0.5 && r < reach as usize {
                r *= 2;
                w = window(cx, cy, r);
            }
            out.push(if w[3] >= 1.0 { [w[0] / w[3], w[1] / w[3], w[2] / w[3]] } else { [-1.0; 3] });
        }
    }
    out
}

/// Linear luminance below which a pixel inside the area is taken as hair: well under the
/// area's typical (median) skin luminance.
fn hair_strand_threshold(img: &RgbaImage, mask: &Mask, rect: PixelRect) -> f32 {
    let lut = srgb_to_linear_table();
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            if mask.get(x, y) >= 128 {
                let p = img.pixel(x, y);
                let l = luminance(lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]);
                hist[(l.sqrt() * 255.0) as usize] += 1;
                n += 1;
            }
        }
    }
    // The 75th percentile: thinning areas show more skin than hair.
    let mut seen = 0;
    for (i, &h) in hist.iter().enumerate() {
        seen += h;
        if seen * 4 >= n * 3 {
            let skin = (i as f32 / 255.0).powi(2);
            return skin * 0.45;
        }
    }
    0.0
}

/// The live preview on the working copy, with everything cached that a drag does not change.
pub struct Preview {
    original: RgbaImage,
    output: RgbaImage,
    /// Working-copy px per full-image px.
    scale: f32,
    mask: Mask,
    /// (stroke id, points applied) for each stroke already in `mask`.
    applied: Vec<(u64, usize)>,
    tile: DotTile,
    /// The mask's bounding rectangle, per mask generation.
    mask_rect: (u64, PixelRect),
    coverage: Coverage,
    /// What `coverage` was computed for.
    coverage_key: Option<CoverageKey>,
    /// Where the output may differ from the original.
    changed: PixelRect,
    /// The shade of the last composite (with `coverage_key`, the whole frame's inputs).
    last_shade: Option<Shade>,
    /// Increases whenever the mask changes (lets views redraw an outline only when needed).
    mask_generation: u64,
    /// The working copy's blur and grain.
    look: PhotoLook,
    /// Coverage was last updated locally during a drag (area-wide statistics not refreshed).
    coverage_stale: bool,
    /// The area under the strokes (e.g. the detected scalp), and whether the mask must be
    /// rebuilt because it changed.
    base: Option<AreaMask>,
    base_changed: bool,
}

/// What an update of the mask did.
enum MaskChange {
    None,
    /// A stroke grew: only these pixels changed.
    Grew(PixelRect),
    Rebuilt,
}

/// Everything the dot coverage depends on (all but the shade).
#[derive(Clone, Debug, PartialEq)]
struct CoverageKey {
    mask_generation: u64,
    hairline: Option<Hairline>,
    params: RenderParams,
}

impl Preview {
    /// `working` is the downscaled photo; `full_width` its full-resolution width.
    pub fn new(working: RgbaImage, full_width: u32, seed: u64) -> Self {
        let scale = working.width as f32 / full_width.max(1) as f32;
        let mask = Mask::new(working.width, working.height);
        let coverage = Coverage {
            frame: PixelRect { x0: 0, y0: 0, x1: working.width, y1: working.height },
            covered: vec![0.0; working.pixel_count()],
            ..Coverage::default()
        };
        let look = measure_look(&working, PixelRect::default());
        Self {
            look,
            output: working.clone(),
            original: working,
            scale,
            mask,
            applied: Vec::new(),
            tile: DotTile::new(seed),
            mask_rect: (0, PixelRect::default()),
            coverage,
            coverage_key: None,
            changed: PixelRect::default(),
            last_shade: None,
            mask_generation: 0,
            coverage_stale: false,
            base: None,
            base_changed: false,
        }
    }

    /// Set the area the strokes paint and erase on (`None`: strokes only). The next render
    /// rebuilds the mask when it differs from the current one.
    pub fn set_base(&mut self, base: Option<&AreaMask>) {
        if self.base.as_ref() != base {
            self.base = base.cloned();
            self.base_changed = true;
        }
    }

    /// The working copy's measured blur and grain.
    pub fn look(&self) -> PhotoLook {
        self.look
    }

    pub fn mask_generation(&self) -> u64 {
        self.mask_generation
    }

    pub fn original(&self) -> &RgbaImage {
        &self.original
    }

    pub fn output(&self) -> &RgbaImage {
        &self.output
    }

    pub fn mask(&self) -> &Mask {
        &self.mask
    }

    /// Working-copy px per full-image px.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Bring the mask up to date: only the new part of a growing stroke is rasterised while the
    /// user drags; anything else (undo, redo, clear) rebuilds it.
    fn update_mask<S: AsRef<Stroke>>(&mut self, strokes: &[S]) -> MaskChange {
        let extends = strokes.len() >= self.applied.len()
            && self.applied.iter().enumerate().all(|(i, &(id, n))| {
                let s = strokes[i].as_ref();
                s.id == id && (s.points.len() == n || (i + 1 == self.applied.len() && s.points.len() > n))
            });
        let extends = extends && !self.base_changed;
        let unchanged = extends
            && strokes.len() == self.applied.len()
            && self.applied.last().is_none_or(|&(_, n)| strokes.last().is_some_and(|s| s.as_ref().points.len() == n));
        if unchanged {
            return MaskChange::None;
        }
        let change = if extends {
            let first = self.applied.len().saturating_sub(1);
            let mut touched = PixelRect::default();
            for (i, s) in strokes.iter().enumerate().skip(first) {
                let s = s.as_ref();
                let from = self.applied.get(i).map_or(0, |&(_, n)| n);
                touched = touched.union(rasterize_stroke(&mut self.mask, s, self.scale, from));
            }
            MaskChange::Grew(touched)
        } else {
            self.mask =
                rasterize_area(self.base.as_ref(), strokes, self.original.width, self.original.height, self.scale);
            self.base_changed = false;
            MaskChange::Rebuilt
        };
        self.applied = strokes.iter().map(|s| (s.as_ref().id, s.as_ref().points.len())).collect();
        self.mask_generation += 1;
        // Keep the area's bounding box without rescanning the mask while a stroke grows.
        self.mask_rect = match change {
            MaskChange::Grew(t) if self.mask_rect.0 + 1 == self.mask_generation => {
                (self.mask_generation, self.mask_rect.1.union(t))
            }
            _ => (self.mask_generation, self.mask.bounding_rect()),
        };
        change
    }

    /// Render the treatment for this area and these parameters, exactly. Returns the rectangle
    /// of the output that may differ from the previous frame (empty when nothing changed); the
    /// result is in [`Preview::output`]. Only what changed is recomputed: a shade change
    /// re-composites the cached dot coverage, an identical frame is skipped.
    pub fn render<S: AsRef<Stroke>>(
        &mut self,
        strokes: &[S],
        hairline: Option<&Hairline>,
        params: &RenderParams,
    ) -> PixelRect {
        self.render_live(strokes, hairline, params, false)
    }

    /// Like [`Preview::render`], for frames drawn while the user drags: when only a stroke grew,
    /// only the pixels it can affect are recomputed (the area-wide statistics - typical skin,
    /// hair threshold - keep their values until the drag ends). The first frame with
    /// `dragging == false` brings everything exactly up to date.
    pub fn render_live<S: AsRef<Stroke>>(
        &mut self,
        strokes: &[S],
        hairline: Option<&Hairline>,
        params: &RenderParams,
        dragging: bool,
    ) -> PixelRect {
        let change = self.update_mask(strokes);
        let rect = self.mask_rect.1;
        // The shade does not change where the pigment goes: keep it out of the coverage key.
        let key = CoverageKey {
            mask_generation: self.mask_generation,
            hairline: hairline.cloned(),
            params: RenderParams { shade: Shade::default(), ..*params },
        };
        // After a drag, the first still frame refreshes what live frames left stale.
        let coverage_fresh = (dragging || !self.coverage_stale) && self.coverage_key.as_ref() == Some(&key);
        if coverage_fresh && self.last_shade == Some(params.shade) {
            return PixelRect::default();
        }
        if params.seed != self.tile.seed {
            self.tile = DotTile::new(params.seed);
        }
        let job = Job {
            mask: &self.mask,
            rect,
            scale: self.scale,
            hairline,
            params,
            tile: &self.tile,
            look: self.look,
            part: None,
        };
        let only_mask_changed = self.coverage_key.as_ref().is_some_and(|k| {
            k.hairline == key.hairline && k.params == key.params && self.last_shade == Some(params.shade)
        });
        if let (true, true, MaskChange::Grew(touched)) = (dragging, only_mask_changed, &change) {
            if params.treatment != Treatment::ScarCamouflage && !touched.is_empty() {
                let p = params.sanitized();
                let px_per_mm = p.px_per_mm * self.scale;
                let reach = Reach::new(&p, px_per_mm, self.look).of_mask_change();
                let (w, h) = (self.original.width, self.original.height);
                let region = expand(*touched, reach, w, h);
                compute_coverage(&self.original, &job, &mut self.coverage, Some(region));
                self.coverage_key = Some(key);
                self.coverage_stale = true;
                copy_rect(&self.original, &mut self.output, region);
                composite(&mut self.output, &self.mask, &self.coverage, region, params.shade, params.seed);
                self.changed = self.changed.union(region);
                return region;
            }
        }
        if !coverage_fresh {
            // The area-wide statistics sample the area's rectangle: use the exact one. After a
            // drag `mask_rect` is the union of what the strokes touched, which can be larger, and
            // the still frame would then differ (by a level or two) from a fresh render.
            let exact = self.mask.bounding_rect();
            self.mask_rect.1 = exact;
            let job = Job { rect: exact, ..job };
            compute_coverage(&self.original, &job, &mut self.coverage, None);
            self.coverage_key = Some(key);
            self.coverage_stale = false;
        }
        // Put the original back wherever the last frame drew, then draw this frame.
        let rect = self.coverage.rect;
        let dirty = self.changed.union(rect);
        copy_rect(&self.original, &mut self.output, self.changed);
        copy_rect(&self.original, &mut self.output, rect);
        composite(&mut self.output, &self.mask, &self.coverage, rect, params.shade, params.seed);
        self.changed = rect;
        self.last_shade = Some(params.shade);
        dirty
    }
}

fn copy_rect(src: &RgbaImage, dst: &mut RgbaImage, r: PixelRect) {
    let w = src.width as usize;
    for y in r.y0..r.y1 {
        let a = (y as usize * w + r.x0 as usize) * 4;
        let b = (y as usize * w + r.x1 as usize) * 4;
        dst.data[a..b].copy_from_slice(&src.data[a..b]);
    }
}

/// Render the treatment on the full-resolution photo (for export), in place.
pub fn render_full_resolution<S: AsRef<Stroke>>(
    photo: &mut RgbaImage,
    strokes: &[S],
    hairline: Option<&Hairline>,
    params: &RenderParams,
) {
    render_full_resolution_over(photo, None, strokes, hairline, params)
}

/// [`render_full_resolution`] for strokes painted over a base area (see [`Preview::set_base`]).
pub fn render_full_resolution_over<S: AsRef<Stroke>>(
    photo: &mut RgbaImage,
    base: Option<&AreaMask>,
    strokes: &[S],
    hairline: Option<&Hairline>,
    params: &RenderParams,
) {
    let mask = rasterize_area(base, strokes, photo.width, photo.height, 1.0);
    let rect = mask.bounding_rect();
    let tile = DotTile::new(params.seed);
    let look = measure_look(photo, rect);
    let job = Job { mask: &mask, rect, scale: 1.0, hairline, params, tile: &tile, look, part: None };
    let mut coverage = Coverage::default();
    compute_coverage(photo, &job, &mut coverage, None);
    let region = coverage.rect;
    composite(photo, &mask, &coverage, region, params.shade, params.seed);
}

/// The base and the (stroke id, points) of each stroke a mask was rasterised from.
type MaskKey = (Option<AreaMask>, Vec<(u64, usize)>);

/// The full-resolution photo, kept to render any part of the treatment on it (the preview
/// zoomed in to 1:1): [`FullResolution::render_part`] gives there the same pixels as
/// [`render_full_resolution_over`] gives on the whole photo, the area-wide statistics (the
/// photo's look, typical skin, hair threshold, the head's dome) coming from the whole area.
/// The full-resolution mask and the look are kept between calls.
pub struct FullResolution {
    photo: RgbaImage,
    mask: Mask,
    /// What `mask` was rasterised from.
    mask_key: Option<MaskKey>,
    /// The mask's bounding rectangle.
    rect: PixelRect,
    /// The photo's look measured around `rect`.
    look: Option<(PixelRect, PhotoLook)>,
    tile: DotTile,
}

impl FullResolution {
    pub fn new(photo: RgbaImage) -> Self {
        Self {
            mask: Mask::new(photo.width, photo.height),
            photo,
            mask_key: None,
            rect: PixelRect::default(),
            look: None,
            tile: DotTile::new(RenderParams::default().seed),
        }
    }

    /// The untouched photo.
    pub fn photo(&self) -> &RgbaImage {
        &self.photo
    }

    /// The untouched photo's pixels in `part` (full-image px; clipped to the photo).
    pub fn original_part(&self, part: PixelRect) -> RgbaImage {
        let part = intersect(part, PixelRect { x0: 0, y0: 0, x1: self.photo.width, y1: self.photo.height });
        let mut out = RgbaImage::new(part.width(), part.height());
        let (w, pw) = (part.width() as usize * 4, self.photo.width as usize);
        for (row, y) in (part.y0..part.y1).enumerate() {
            let from = (y as usize * pw + part.x0 as usize) * 4;
            out.data[row * w..(row + 1) * w].copy_from_slice(&self.photo.data[from..from + w]);
        }
        out
    }

    /// Bring the full-resolution mask up to date: a stroke that grew or new strokes are added
    /// to it, anything else (undo, erase history, a new base) rebuilds it.
    fn update_mask<S: AsRef<Stroke>>(&mut self, base: Option<&AreaMask>, strokes: &[S]) {
        let applied: Vec<(u64, usize)> = strokes.iter().map(|s| (s.as_ref().id, s.as_ref().points.len())).collect();
        let grows = match &self.mask_key {
            Some((b, old)) if b.as_ref() == base && old.len() <= applied.len() => old
                .iter()
                .zip(&applied)
                .enumerate()
                .all(|(i, (o, n))| o == n || (i + 1 == old.len() && o.0 == n.0 && o.1 < n.1)),
            _ => false,
        };
        if grows {
            let old = &self.mask_key.as_ref().expect("checked").1;
            if old.as_slice() == applied.as_slice() {
                return;
            }
            let first = old.len().saturating_sub(1);
            for (i, s) in strokes.iter().enumerate().skip(first) {
                let from = old.get(i).map_or(0, |&(_, n)| n);
                rasterize_stroke(&mut self.mask, s.as_ref(), 1.0, from);
            }
        } else {
            self.mask = rasterize_area(base, strokes, self.photo.width, self.photo.height, 1.0);
        }
        self.mask_key = Some((base.cloned(), applied));
        self.rect = self.mask.bounding_rect();
    }

    /// The treatment rendered on the full-resolution photo, only in `part` (full-image px,
    /// clipped to the photo): an image of the clipped part's size whose pixels are those of
    /// [`render_full_resolution_over`] there. Outside the area they are the photo's own.
    pub fn render_part<S: AsRef<Stroke>>(
        &mut self,
        base: Option<&AreaMask>,
        strokes: &[S],
        hairline: Option<&Hairline>,
        params: &RenderParams,
        part: PixelRect,
    ) -> RgbaImage {
        let part = intersect(part, PixelRect { x0: 0, y0: 0, x1: self.photo.width, y1: self.photo.height });
        let mut out = self.original_part(part);
        if part.is_empty() {
            return out;
        }
        self.update_mask(base, strokes);
        let rect = self.rect;
        let look = match self.look {
            Some((r, look)) if r == rect => look,
            _ => {
                let look = measure_look(&self.photo, rect);
                self.look = Some((rect, look));
                look
            }
        };
        if self.tile.seed != params.seed {
            self.tile = DotTile::new(params.seed);
        }
        let job =
            Job { mask: &self.mask, rect, scale: 1.0, hairline, params, tile: &self.tile, look, part: Some(part) };
        let mut coverage = Coverage::default();
        compute_coverage(&self.photo, &job, &mut coverage, None);
        composite_at(&mut out, (part.x0, part.y0), &self.mask, &coverage, part, params.shade, params.seed);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::{BrushMode, HairlineSide};

    /// A flat, lightly textured skin patch.
    pub(crate) fn skin(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let n = (crate::rng::hash3(1, x as u64, y as u64) % 7) as u8;
            [200 + n, 160 + n, 140 + n, 255]
        })
    }

    fn dab(id: u64, x: f32, y: f32, r: f32) -> Stroke {
        Stroke { id, mode: BrushMode::Paint, radius_px: r, points: vec![Point::new(x, y)] }
    }

    fn params(px_per_mm: f32) -> RenderParams {
        RenderParams { px_per_mm, ..RenderParams::default() }
    }

    /// Skin with hair strands and a light scar band: texture for every treatment.
    fn detailed(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let n = (crate::rng::hash3(3, x as u64, y as u64) % 23) as u8;
            if (x * 7 + y * 3) % 41 < 3 {
                [60 + n, 45 + n, 40 + n, 255] // a strand
            } else if (150..175).contains(&y) {
                [225 + n / 2, 200 + n, 190 + n, 255] // a scar
            } else {
                [185 + n, 140 + n, 120 + n, 255]
            }
        })
    }

    fn crop(img: &RgbaImage, r: PixelRect) -> RgbaImage {
        RgbaImage::from_fn(r.width(), r.height(), |x, y| img.pixel(r.x0 + x, r.y0 + y))
    }

    /// The largest difference of any channel, and the pixels that differ at all.
    fn max_diff(a: &RgbaImage, b: &RgbaImage) -> (u8, usize) {
        assert_eq!((a.width, a.height), (b.width, b.height));
        let diffs = a.data.iter().zip(&b.data).map(|(x, y)| x.abs_diff(*y));
        (diffs.clone().max().unwrap_or(0), diffs.filter(|d| *d > 0).count())
    }

    #[test]
    fn a_part_rendered_at_full_resolution_equals_that_part_of_the_whole_render() {
        let (w, h) = (520, 380);
        let photo = detailed(w, h);
        let mut base = AreaMask::empty(26, 19, w, h);
        for y in 3..10 {
            for x in 4..14 {
                base.data[y * 26 + x] = 255;
            }
        }
        let strokes = vec![
            Stroke {
                id: 1,
                mode: BrushMode::Paint,
                radius_px: 45.0,
                points: vec![Point::new(250.0, 160.0), Point::new(420.0, 200.0), Point::new(440.0, 300.0)],
            },
            Stroke { id: 2, mode: BrushMode::Erase, radius_px: 20.0, points: vec![Point::new(150.0, 120.0)] },
        ];
        let hairline = Hairline {
            points: vec![Point::new(0.0, 90.0), Point::new(260.0, 70.0), Point::new(520.0, 110.0)],
            feather_mm: 4.0,
            treated_side: HairlineSide::Right,
            // A broken line: its stray dots ahead must land the same in the part as in the whole.
            breakup: 0.6,
        };
        let parts = [
            PixelRect { x0: 0, y0: 0, x1: w, y1: h },
            PixelRect { x0: 100, y0: 60, x1: 260, y1: 190 }, // across the area's edge and the hairline
            PixelRect { x0: 390, y0: 250, x1: 470, y1: 330 }, // inside, near the stroke's end
            PixelRect { x0: 430, y0: 300, x1: 900, y1: 900 }, // past the photo's corner: clipped
            PixelRect { x0: 0, y0: 0, x1: 12, y1: 7 },       // outside the area
        ];
        let cases = [
            RenderParams { px_per_mm: 5.0, ..RenderParams::default() },
            RenderParams { px_per_mm: 5.0, follow_curve: true, ..RenderParams::default() },
            RenderParams { px_per_mm: 4.0, treatment: Treatment::Density, ..RenderParams::default() },
            RenderParams { px_per_mm: 4.0, treatment: Treatment::ScarCamouflage, ..RenderParams::default() },
            RenderParams {
                px_per_mm: 6.0,
                dot_diameter_mm: 1.0,
                time: TimeState { sessions: 1, fresh: true, years: 3.0, too_deep: true },
                ..RenderParams::default()
            },
        ];
        let mut full_res = FullResolution::new(photo.clone());
        for params in &cases {
            let mut whole = photo.clone();
            render_full_resolution_over(&mut whole, Some(&base), &strokes, Some(&hairline), params);
            assert_ne!(whole, photo, "{params:?}: the case draws something");
            for part in parts {
                let got = full_res.render_part(Some(&base), &strokes, Some(&hairline), params, part);
                let clipped = intersect(part, PixelRect { x0: 0, y0: 0, x1: w, y1: h });
                let (max, n) = max_diff(&got, &crop(&whole, clipped));
                // Float sums taken in another order may round a channel the other way.
                assert!(max <= 1 && n * 200 <= got.data.len(), "{params:?} {part:?}: max {max}, {n} differ");
            }
        }
        // Outside the area the pixels are the photo's own, exactly.
        let corner = PixelRect { x0: 0, y0: 0, x1: 12, y1: 7 };
        assert_eq!(full_res.render_part(Some(&base), &strokes, None, &cases[0], corner), crop(&photo, corner));
    }

    #[test]
    fn the_full_resolution_part_follows_a_growing_stroke_and_undo() {
        let photo = detailed(300, 220);
        let params = RenderParams { px_per_mm: 5.0, ..RenderParams::default() };
        let part = PixelRect { x0: 60, y0: 40, x1: 260, y1: 200 };
        let mut full_res = FullResolution::new(photo.clone());
        let mut stroke =
            Stroke { id: 7, mode: BrushMode::Paint, radius_px: 30.0, points: vec![Point::new(100.0, 100.0)] };
        let check = |full_res: &mut FullResolution, strokes: &[Stroke]| {
            let mut whole = photo.clone();
            render_full_resolution_over(&mut whole, None, strokes, None, &params);
            let (max, _) = max_diff(&full_res.render_part(None, strokes, None, &params, part), &crop(&whole, part));
            assert!(max <= 1, "{} strokes: max {max}", strokes.len());
        };
        check(&mut full_res, std::slice::from_ref(&stroke));
        stroke.points.push(Point::new(200.0, 120.0));
        check(&mut full_res, std::slice::from_ref(&stroke));
        let erase = Stroke { id: 8, mode: BrushMode::Erase, radius_px: 15.0, points: vec![Point::new(150.0, 110.0)] };
        check(&mut full_res, &[stroke.clone(), erase]);
        // Undo: the erase goes, the mask is rebuilt.
        check(&mut full_res, std::slice::from_ref(&stroke));
        // Nothing: the photo.
        assert_eq!(full_res.render_part(None, &[] as &[Stroke], None, &params, part), crop(&photo, part));
    }

    #[test]
    fn pixels_outside_the_area_are_untouched_and_inside_change() {
        let photo = skin(300, 200);
        let mut pv = Preview::new(photo.clone(), 300, 1);
        let strokes = [dab(1, 150.0, 100.0, 50.0)];
        for t in Treatment::ALL {
            pv.render(&strokes, None, &RenderParams { treatment: t, ..params(6.0) });
            let out = pv.output().clone();
            let mask = pv.mask();
            let mut changed_inside = 0;
            for i in 0..photo.pixel_count() {
                if mask.data[i] == 0 {
                    assert_eq!(out.data[i * 4..i * 4 + 4], photo.data[i * 4..i * 4 + 4], "{t:?} pixel {i}");
                } else if out.data[i * 4..i * 4 + 3] != photo.data[i * 4..i * 4 + 3] {
                    changed_inside += 1;
                }
            }
            assert!(changed_inside > 1000, "{t:?}: only {changed_inside} changed");
        }
    }

    #[test]
    fn only_what_changed_is_redrawn() {
        let photo = skin(200, 150);
        let mut pv = Preview::new(photo, 200, 1);
        let strokes = [dab(1, 100.0, 75.0, 30.0)];
        let first = pv.render(&strokes, None, &params(5.0));
        // The dab's box, padded by the blur that matches the photo's sharpness.
        assert!(first.x0 <= 70 && first.y0 <= 45 && first.x1 >= 130 && first.y1 >= 105, "{first:?}");
        assert!(first.x0 >= 60 && first.y0 >= 35 && first.x1 <= 140 && first.y1 <= 115, "{first:?}");
        assert!(pv.render(&strokes, None, &params(5.0)).is_empty(), "identical frame skipped");
        // A shade change keeps every dot where it was: the same pixels change, only darker.
        let light = pv.output().clone();
        pv.render(&strokes, None, &RenderParams { shade: crate::SHADE_PRESETS[0].shade, ..params(5.0) });
        let dark = pv.output();
        for (a, b) in light.data.chunks(4).zip(dark.data.chunks(4)) {
            assert!(b[0] <= a[0]);
        }
        assert!(light.data.chunks(4).zip(dark.data.chunks(4)).any(|(a, b)| b[0] < a[0]));
    }

    #[test]
    fn live_frames_during_a_drag_update_locally_and_settle_exactly() {
        let photo = skin(400, 300);
        for t in [Treatment::ShavedLook, Treatment::Density] {
            let p = RenderParams { treatment: t, ..params(5.0) };
            let mut live = Preview::new(photo.clone(), 400, 2);
            let mut stroke =
                Stroke { id: 7, mode: BrushMode::Paint, radius_px: 30.0, points: vec![Point::new(60.0, 150.0)] };
            live.render_live(std::slice::from_ref(&stroke), None, &p, true);
            for i in 1..=30 {
                stroke.points.push(Point::new(60.0 + i as f32 * 9.0, 150.0 + (i as f32 * 0.3).sin() * 40.0));
                let dirty = live.render_live(std::slice::from_ref(&stroke), None, &p, true);
                // A live frame redraws a small region around the new segment, not the whole area.
                assert!(dirty.width() < 200, "{t:?}: frame {i} redrew {dirty:?}");
                let mask = live.mask();
                for (k, (a, b)) in photo.data.chunks(4).zip(live.output().data.chunks(4)).enumerate() {
                    if mask.data[k] == 0 {
                        assert_eq!(a, b, "{t:?}: pixel {k} outside the area changed");
                    }
                }
            }
            // The drag ends: the next frame is exact.
            assert!(!live.render_live(std::slice::from_ref(&stroke), None, &p, false).is_empty());
            let mut fresh = Preview::new(photo.clone(), 400, 2);
            fresh.render(std::slice::from_ref(&stroke), None, &p);
            assert_eq!(live.output(), fresh.output(), "{t:?}: settled frame differs from a fresh render");
        }
    }

    #[test]
    fn following_the_curve_crowds_and_flattens_dots_toward_the_rim() {
        let dome = Dome { centre: Point::new(100.0, 100.0), axes: (80.0, 80.0), cos: 1.0, sin: 0.0 };
        // Projection and its inverse agree, the top stays put, the rim is the fitted ellipse.
        let (top, c) = dome.project(Point::new(100.0, 100.0)).unwrap();
        assert!(top.distance(Point::new(100.0, 100.0)) < 1e-3 && (c - 1.0).abs() < 1e-6);
        let (p, cos) = dome.project(Point::new(100.0 + 80.0, 100.0)).unwrap(); // 1 rad along the surface
        assert!((p.x - (100.0 + 80.0 * 1f32.sin())).abs() < 1e-3 && (cos - 1f32.cos()).abs() < 1e-6);
        assert!(dome.unproject(p).distance(Point::new(180.0, 100.0)) < 1e-2);
        assert!(dome.project(Point::new(100.0 + 80.0 * 1.6, 100.0)).is_none(), "beyond the rim");
        // A round area rendered with and without the curve: near the rim the curved one has more
        // (crowded) dots; the fitted dome matches the area.
        let photo = RgbaImage::from_fn(200, 200, |_, _| [200, 160, 140, 255]);
        let strokes = [dab(1, 100.0, 100.0, 80.0)];
        let fitted = Dome::fit(
            &crate::region::rasterize_strokes(&strokes, 200, 200, 1.0),
            PixelRect { x0: 0, y0: 0, x1: 200, y1: 200 },
        )
        .unwrap();
        assert!((fitted.axes.0 - 80.0).abs() < 2.0 && (fitted.axes.1 - 80.0).abs() < 2.0, "{fitted:?}");
        let darkening_in_ring = |follow_curve: bool, r0: f32, r1: f32| {
            let mut pv = Preview::new(photo.clone(), 200, 5);
            pv.render(&strokes, None, &RenderParams { follow_curve, dot_diameter_mm: 0.4, ..params(6.0) });
            let out = pv.output();
            let mut sum = 0.0;
            for y in 0..200 {
                for x in 0..200 {
                    let d = Point::new(x as f32 + 0.5, y as f32 + 0.5).distance(Point::new(100.0, 100.0));
                    if d >= r0 && d < r1 {
                        sum += (photo.pixel(x, y)[1] - out.pixel(x, y)[1]) as f64;
                    }
                }
            }
            sum
        };
        let (flat_centre, curved_centre) = (darkening_in_ring(false, 0.0, 30.0), darkening_in_ring(true, 0.0, 30.0));
        assert!(
            (curved_centre / flat_centre - 1.0).abs() < 0.25,
            "the top looks alike: {flat_centre} vs {curved_centre}"
        );
        let (flat_rim, curved_rim) = (darkening_in_ring(false, 55.0, 70.0), darkening_in_ring(true, 55.0, 70.0));
        assert!(curved_rim > flat_rim * 1.15, "denser toward the rim: {flat_rim} vs {curved_rim}");
    }

    #[test]
    fn undo_restores_the_photo_exactly() {
        let photo = skin(120, 90);
        let mut pv = Preview::new(photo.clone(), 120, 1);
        pv.render(&[dab(1, 60.0, 45.0, 30.0)], None, &params(5.0));
        assert_ne!(pv.output(), &photo);
        let none: [Stroke; 0] = [];
        pv.render(&none, None, &params(5.0));
        assert_eq!(pv.output(), &photo);
    }

    #[test]
    fn the_pattern_is_stable_while_the_area_grows() {
        let photo = skin(260, 200);
        let mut pv = Preview::new(photo.clone(), 260, 3);
        pv.render(&[dab(1, 100.0, 100.0, 60.0)], None, &params(5.0));
        let small = pv.output().clone();
        let mut grown =
            Stroke { points: vec![Point::new(100.0, 100.0), Point::new(140.0, 100.0)], ..dab(1, 0.0, 0.0, 60.0) };
        pv.render(std::slice::from_ref(&grown), None, &params(5.0));
        let big = pv.output().clone();
        // Deep inside the first dab (farther from its edge than the 4 mm edge ramp) nothing moved.
        for y in 85..115 {
            for x in 85..115 {
                assert_eq!(small.pixel(x, y), big.pixel(x, y));
            }
        }
        // And the incrementally grown result equals a fresh render.
        grown.id = 1;
        let mut fresh = Preview::new(photo, 260, 3);
        fresh.render(&[grown], None, &params(5.0));
        assert_eq!(fresh.output(), &big);
    }

    /// Mean darkening over an area matches coverage (dot area × density) at any resolution.
    #[test]
    fn mean_darkening_matches_coverage_at_every_resolution() {
        for px_per_mm in [1.5f32, 4.0, 12.0] {
            let size = (60.0 * px_per_mm) as u32; // 60 mm square
            let flat = RgbaImage::from_fn(size, size, |_, _| [190, 190, 190, 255]);
            let mut pv = Preview::new(flat.clone(), size, 11);
            let s = Stroke {
                id: 1,
                mode: BrushMode::Paint,
                radius_px: size as f32,
                points: vec![Point::new(size as f32 / 2.0, size as f32 / 2.0)],
            };
            let p = RenderParams { dot_diameter_mm: 0.5, density_per_cm2: 60.0, ..params(px_per_mm) };
            pv.render(&[s], None, &p);
            let out = pv.output();
            let lut = srgb_to_linear_table();
            let (mut sum_in, mut sum_out) = (0f64, 0f64);
            for (a, b) in flat.data.chunks(4).zip(out.data.chunks(4)) {
                sum_in += lut[a[0] as usize] as f64;
                sum_out += lut[b[0] as usize] as f64;
            }
            let darkening = 1.0 - sum_out / sum_in;
            // Expected: coverage × mean opacity × absorption (overlaps are rare at this density).
            let r = 0.25f64;
            // E[size²] for size = 0.8 + 0.45·(U1+U2)/2
            let e_size2 = {
                let (m, var) = (0.8 + 0.45 * 0.5, 0.45f64.powi(2) * 2.0 / 12.0 / 4.0);
                m * m + var
            };
            let coverage = std::f64::consts::PI * r * r * e_size2 * 0.6; // 0.6 dots/mm²
            let expected = coverage * 0.875 * p.shade.absorption_rgb()[0] as f64;
            assert!(
                (darkening / expected - 1.0).abs() < 0.06,
                "{px_per_mm} px/mm: darkening {darkening:.4}, expected {expected:.4}"
            );
        }
    }

    #[test]
    fn shade_changes_darkness_and_dots_stay_ash_not_blue() {
        let photo = skin(200, 200);
        let strokes = [dab(1, 100.0, 100.0, 90.0)];
        let mut pv = Preview::new(photo.clone(), 200, 1);
        let mean_dark = |pv: &mut Preview, shade: Shade| {
            pv.render(&strokes, None, &RenderParams { shade, dot_diameter_mm: 0.8, ..params(8.0) });
            pv.output().data.chunks(4).map(|p| p[0] as u64 + p[1] as u64 + p[2] as u64).sum::<u64>()
        };
        let dark = mean_dark(&mut pv, crate::SHADE_PRESETS[0].shade);
        let light = mean_dark(&mut pv, crate::SHADE_PRESETS[4].shade);
        assert!(dark < light);
        // The darkest pixel of a dot is a neutral-to-warm dark grey: blue never dominates red much.
        pv.render(
            &strokes,
            None,
            &RenderParams { shade: crate::SHADE_PRESETS[0].shade, dot_diameter_mm: 0.8, ..params(8.0) },
        );
        let out = pv.output();
        let darkest = out.data.chunks(4).min_by_key(|p| p[0] as u32 + p[1] as u32 + p[2] as u32).unwrap();
        assert!(darkest[0] < 120, "dots too faint: {darkest:?}");
        assert!(darkest[2] as i32 - darkest[0] as i32 <= 6, "blue dot: {darkest:?}");
    }

    #[test]
    fn hairline_keeps_dots_behind_it() {
        let photo = skin(300, 300);
        let mut pv = Preview::new(photo.clone(), 300, 1);
        let strokes = [dab(1, 150.0, 150.0, 200.0)];
        let line = Hairline {
            points: vec![Point::new(0.0, 150.0), Point::new(300.0, 150.0)],
            feather_mm: 1.0,
            treated_side: HairlineSide::Left,
            breakup: 0.0,
        };
        pv.render(&strokes, Some(&line), &params(6.0));
        let out = pv.output().clone();
        let changed = |y0: u32, y1: u32| {
            (y0..y1)
                .flat_map(|y| (0..300).map(move |x| (x, y)))
                .filter(|&(x, y)| out.pixel(x, y) != photo.pixel(x, y))
                .count()
        };
        assert!(changed(0, 130) > 1000);
        assert_eq!(changed(170, 300), 0);
    }

    #[test]
    fn a_broken_hairline_scatters_finer_dots_ahead_and_nothing_far_ahead() {
        // 6 px/mm, a line across y = 300 treating the side above, a 7 mm ramp.
        let photo = skin(600, 600);
        let strokes = [dab(1, 300.0, 300.0, 400.0)];
        let line = |breakup: f32| Hairline {
            points: vec![Point::new(0.0, 300.0), Point::new(600.0, 300.0)],
            feather_mm: 7.0,
            treated_side: HairlineSide::Left,
            breakup,
        };
        let render = |breakup: f32| {
            let mut pv = Preview::new(photo.clone(), 600, 1);
            pv.render(&strokes, Some(&line(breakup)), &params(6.0));
            pv.output().clone()
        };
        let (soft, broken) = (render(0.0), render(1.0));
        // Darkening (sum of the drop in green) over rows y0..y1.
        let dark = |img: &RgbaImage, y0: u32, y1: u32| -> u64 {
            (y0..y1)
                .flat_map(|y| (0..600).map(move |x| (x, y)))
                .map(|(x, y)| (photo.pixel(x, y)[1] as i64 - img.pixel(x, y)[1] as i64).max(0) as u64)
                .sum()
        };
        // 6.5-14 mm ahead of the line: the soft ramp is over, the broken one has strays.
        let ahead = (300 + 39, 300 + 84);
        assert_eq!(dark(&soft, ahead.0, ahead.1), 0);
        assert!(dark(&broken, ahead.0, ahead.1) > 0, "strays ahead of a broken line");
        // Over 21 mm ahead: nothing for either.
        assert_eq!(dark(&broken, 300 + 130, 600), 0);
        // Well behind the line both are full and equal.
        assert_eq!(dark(&soft, 0, 200), dark(&broken, 0, 200));
        // The strays are fewer and finer than the dots behind: less darkening per row.
        let per_row = |y0: u32, y1: u32| dark(&broken, y0, y1) as f64 / (y1 - y0) as f64;
        assert!(per_row(ahead.0, ahead.1) < 0.2 * per_row(0, 200));
    }

    #[test]
    fn scar_camouflage_tones_the_scar_toward_the_skin_around() {
        // Light scar band across darker skin.
        let photo = RgbaImage::from_fn(200, 120, |_, y| {
            if (50..70).contains(&y) {
                [235, 215, 205, 255]
            } else {
                [170, 125, 105, 255]
            }
        });
        let strokes = [Stroke {
            id: 1,
            mode: BrushMode::Paint,
            radius_px: 10.0,
            points: vec![Point::new(20.0, 60.0), Point::new(180.0, 60.0)],
        }];
        let mut pv = Preview::new(photo.clone(), 200, 1);
        let p = RenderParams {
            treatment: Treatment::ScarCamouflage,
            density_per_cm2: 10.0,
            dot_diameter_mm: 0.2,
            ..params(4.0)
        };
        pv.render(&strokes, None, &p);
        let out = pv.output();
        let before = photo.pixel(100, 55);
        let after = out.pixel(100, 55);
        let skin = photo.pixel(100, 20);
        let dist = |a: [u8; 4], b: [u8; 4]| (0..3).map(|c| (a[c] as i32 - b[c] as i32).abs()).sum::<i32>();
        assert!(dist(after, skin) < dist(before, skin) / 3, "before {before:?} after {after:?} skin {skin:?}");
    }

    #[test]
    fn density_treatment_puts_no_dots_on_hair_strands() {
        // Skin with dark vertical hair strands every 10 px.
        let photo =
            RgbaImage::from_fn(200, 200, |x, _| if x % 10 < 2 { [40, 30, 25, 255] } else { [205, 165, 145, 255] });
        let mut pv = Preview::new(photo.clone(), 200, 1);
        let p =
            RenderParams { treatment: Treatment::Density, dot_diameter_mm: 0.3, density_per_cm2: 100.0, ..params(5.0) };
        pv.render(&[dab(1, 100.0, 100.0, 95.0)], None, &p);
        let out = pv.output().clone();
        let mut on_skin = 0;
        for y in 10..190 {
            for x in 10..190 {
                if x % 10 >= 4 && x % 10 <= 7 && out.pixel(x, y) != photo.pixel(x, y) {
                    on_skin += 1;
                }
            }
        }
        assert!(on_skin > 100, "dots between the hairs: {on_skin}");
    }

    #[test]
    fn full_resolution_matches_the_preview_statistically() {
        let full = skin(800, 600);
        let work = crate::resize::downscale_area(&full, 400, 300);
        let strokes = [dab(1, 400.0, 300.0, 200.0)];
        let p = params(8.0);
        // A broken hairline across the middle (its strays and finer front dots) too.
        let broken = Hairline {
            points: vec![Point::new(0.0, 300.0), Point::new(800.0, 300.0)],
            feather_mm: 7.0,
            treated_side: HairlineSide::Left,
            breakup: 1.0,
        };
        for hairline in [None, Some(&broken)] {
            let mut pv = Preview::new(work.clone(), 800, 1);
            pv.render(&strokes, hairline, &p);
            let prev = pv.output().clone();
            let mut exported = full.clone();
            render_full_resolution(&mut exported, &strokes, hairline, &p);
            // Coverage is conserved in linear light: compare the linear mean darkening of each raster.
            let lut = srgb_to_linear_table();
            let mean = |img: &RgbaImage| {
                img.data.chunks(4).map(|p| lut[p[1] as usize] as f64).sum::<f64>() / img.pixel_count() as f64
            };
            let d_preview = 1.0 - mean(&prev) / mean(&crate::resize::downscale_area(&full, 400, 300));
            let d_export = 1.0 - mean(&exported) / mean(&full);
            assert!(d_preview > 0.01, "visible darkening: {d_preview}");
            assert!(
                (d_preview / d_export - 1.0).abs() < 0.05,
                "hairline {}: preview {d_preview:.4} vs export {d_export:.4}",
                hairline.is_some()
            );
        }
    }

    fn mean_rgb(img: &RgbaImage) -> [f64; 3] {
        let n = img.pixel_count() as f64;
        let mut m = [0.0; 3];
        for p in img.data.chunks(4) {
            for c in 0..3 {
                m[c] += p[c] as f64 / n;
            }
        }
        m
    }

    #[test]
    fn time_states_layer_heal_and_fade() {
        let photo = skin(240, 240);
        let strokes = [dab(1, 120.0, 120.0, 200.0)];
        let mut pv = Preview::new(photo, 240, 1);
        let mut at = |time: TimeState| {
            pv.render(&strokes, None, &RenderParams { time, dot_diameter_mm: 0.5, ..params(8.0) });
            mean_rgb(pv.output())
        };
        let healed = |sessions| TimeState { sessions, ..TimeState::default() };
        let (s1, s2, s3) = (at(healed(1)), at(healed(2)), at(healed(3)));
        assert!(s1[1] > s2[1] && s2[1] > s3[1], "each session adds density: {s1:?} {s2:?} {s3:?}");
        let fresh = at(TimeState { fresh: true, ..TimeState::default() });
        assert!(fresh[1] < s3[1], "fresh dots are darker");
        assert!(fresh[0] - fresh[1] > s3[0] - s3[1], "fresh skin is redder");
        let (y1, y5) = (
            at(TimeState { years: 1.0, ..TimeState::default() }),
            at(TimeState { years: 5.0, ..TimeState::default() }),
        );
        assert!(s3[1] < y1[1] && y1[1] < y5[1], "fading lightens: {s3:?} {y1:?} {y5:?}");
        let deep = at(TimeState { too_deep: true, years: 3.0, ..TimeState::default() });
        let normal = at(TimeState { years: 3.0, ..TimeState::default() });
        assert!(deep[2] - deep[0] > normal[2] - normal[0] + 0.5, "too deep looks bluer: {deep:?} vs {normal:?}");
    }

    #[test]
    fn the_shine_of_a_bald_scalp_stays_on_top_of_the_dots() {
        // Skin with a white highlight disc in the middle.
        let photo = RgbaImage::from_fn(200, 200, |x, y| {
            let d = ((x as f32 - 100.0).powi(2) + (y as f32 - 100.0).powi(2)).sqrt();
            if d < 20.0 {
                [250, 245, 242, 255]
            } else {
                [200, 150, 130, 255]
            }
        });
        let mut pv = Preview::new(photo.clone(), 200, 1);
        let p = RenderParams { shade: crate::SHADE_PRESETS[0].shade, dot_diameter_mm: 0.8, ..params(6.0) };
        pv.render(&[dab(1, 100.0, 100.0, 95.0)], None, &p);
        let out = pv.output();
        let darkening = |x0: u32, x1: u32| {
            let mut sum = 0i64;
            for y in 85..115 {
                for x in x0..x1 {
                    sum += photo.pixel(x, y)[1] as i64 - out.pixel(x, y)[1] as i64;
                }
            }
            sum
        };
        let (in_shine, on_skin) = (darkening(90, 110), darkening(140, 160));
        assert!(in_shine * 3 < on_skin, "dots inside the highlight darken less: {in_shine} vs {on_skin}");
    }

    /// Render on a flat patch at a known scale, find the dots, and measure them.
    #[test]
    fn measured_dots_match_the_asked_diameter_and_density() {
        let px_per_mm = 20.0f32;
        let size = 1200u32; // 60 mm
        let flat = RgbaImage::from_fn(size, size, |_, _| [200, 170, 150, 255]);
        let s =
            Stroke { id: 1, mode: BrushMode::Paint, radius_px: 2.0 * size as f32, points: vec![Point::new(0.0, 0.0)] };
        let (diameter_mm, per_cm2) = (0.5f32, 50.0f32);
        let p = RenderParams {
            dot_diameter_mm: diameter_mm,
            density_per_cm2: per_cm2,
            shade: crate::SHADE_PRESETS[0].shade,
            ..params(px_per_mm)
        };
        // A crisp photo (no blur to match) so the dots' own edges are measured.
        let mut pv = Preview::new(flat.clone(), size, 4);
        pv.look = PhotoLook { blur_sigma_px: 0.55, noise_linear: 0.0 };
        pv.render(&[s], None, &p);
        let out = pv.output();
        let lut = srgb_to_linear_table();
        let dark: Vec<f32> =
            out.data.chunks(4).map(|q| 1.0 - lut[q[1] as usize] / lut[flat.data[1] as usize]).collect();
        // Connected blobs of darkened pixels (4-neighbours).
        let (w, h) = (size as usize, size as usize);
        let mut label = vec![0u32; w * h];
        let mut diameters = Vec::new();
        let mut next = 0;
        for start in 0..w * h {
            if dark[start] < 0.02 || label[start] != 0 {
                continue;
            }
            next += 1;
            let mut stack = vec![start];
            let mut pixels = Vec::new();
            label[start] = next;
            while let Some(i) = stack.pop() {
                pixels.push(i);
                let (x, y) = (i % w, i / w);
                for (nx, ny) in [(x.wrapping_sub(1), y), (x + 1, y), (x, y.wrapping_sub(1)), (x, y + 1)] {
                    if nx < w && ny < h && dark[ny * w + nx] >= 0.02 && label[ny * w + nx] == 0 {
                        label[ny * w + nx] = next;
                        stack.push(ny * w + nx);
                    }
                }
            }
            // Skip blobs cut by the image border.
            if pixels.iter().any(|&i| i % w == 0 || i / w == 0 || i % w == w - 1 || i / w == h - 1) {
                continue;
            }
            // Diameter from the pixels darker than half the blob's peak (the dot's own edge).
            let peak = pixels.iter().map(|&i| dark[i]).fold(0.0, f32::max);
            let area = pixels.iter().filter(|&&i| dark[i] >= 0.5 * peak).count() as f32;
            diameters.push(2.0 * (area / std::f32::consts::PI).sqrt() / px_per_mm);
        }
        let mean_d = diameters.iter().sum::<f32>() / diameters.len() as f32;
        // Mean size factor of the dots is 0.8 + 0.45/2 = 1.025.
        assert!((mean_d / (diameter_mm * 1.025) - 1.0).abs() < 0.10, "mean diameter {mean_d} mm");
        let inner_area_cm2 = ((size - 2) as f32 / px_per_mm / 10.0).powi(2);
        let measured = next as f32 / inner_area_cm2;
        assert!((measured / per_cm2 - 1.0).abs() < 0.05, "density {measured}/cm² for {per_cm2}");
    }

    /// Random sequences of growing strokes, undos, drags and parameter changes, at odd sizes:
    /// no panic, and pixels outside the area always equal the photo.
    #[test]
    fn random_editing_sessions_never_panic_or_touch_outside_pixels() {
        let mut rng = crate::rng::SplitMix64::new(99);
        for session in 0..12 {
            let (w, h) = (40 + (rng.next_u64() % 260) as u32, 40 + (rng.next_u64() % 200) as u32);
            let photo = skin(w, h);
            let mut pv = Preview::new(photo.clone(), w * 2, session);
            let mut strokes: Vec<Stroke> = Vec::new();
            let mut p = params(rng.range(1.0, 12.0));
            for step in 0..40 {
                let roll = rng.next_f32();
                let dragging = roll < 0.6;
                if roll < 0.45 && !strokes.is_empty() {
                    let s = strokes.last_mut().unwrap();
                    s.points.push(Point::new(
                        rng.range(-20.0, 2.0 * w as f32 + 20.0),
                        rng.range(-20.0, 2.0 * h as f32 + 20.0),
                    ));
                } else if roll < 0.6 {
                    let mode = if rng.next_f32() < 0.75 { BrushMode::Paint } else { BrushMode::Erase };
                    let at = Point::new(rng.range(0.0, 2.0 * w as f32), rng.range(0.0, 2.0 * h as f32));
                    strokes.push(Stroke {
                        id: 1000 * session + step,
                        mode,
                        radius_px: rng.range(1.0, 60.0),
                        points: vec![at],
                    });
                } else if roll < 0.7 {
                    strokes.pop();
                } else if roll < 0.8 {
                    p.treatment = Treatment::ALL[(rng.next_u64() % 3) as usize];
                } else if roll < 0.9 {
                    p.density_per_cm2 = rng.range(10.0, 150.0);
                    p.follow_curve = rng.next_f32() < 0.5;
                } else {
                    p.shade = Shade::new(rng.range(0.2, 1.0));
                    p.time.sessions = 1 + (rng.next_u64() % 3) as u8;
                }
                pv.render_live(&strokes, None, &p, dragging);
                let mask = pv.mask();
                for (k, (a, b)) in photo.data.chunks(4).zip(pv.output().data.chunks(4)).enumerate() {
                    if mask.data[k] == 0 {
                        assert_eq!(a, b, "session {session} step {step}: pixel {k} outside the area changed");
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_parameters_never_panic() {
        let photo = skin(64, 64);
        let mut pv = Preview::new(photo, 64, 1);
        let strokes = [dab(1, 32.0, 32.0, 20.0)];
        for v in [f32::NAN, f32::INFINITY, -1.0, 0.0, 1e30] {
            let p = RenderParams {
                dot_diameter_mm: v,
                density_per_cm2: v,
                px_per_mm: v,
                shade: Shade { strength: v },
                time: TimeState { sessions: 200, years: v, fresh: true, too_deep: true },
                ..RenderParams::default()
            };
            pv.render(&strokes, None, &p);
        }
    }
}
