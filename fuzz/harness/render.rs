//! The render checks, shared by the `render` fuzz target and smp-core's fuzz regression test.
//! An editing session on any small photo with any parameters: strokes with any points and radii
//! (NaN, infinite, huge), hairlines, every `RenderParams` field (non-finite too), live and still
//! frames, then the full-resolution export. Besides "no panic", it checks the core's invariants:
//! - pixels outside the area (mask 0) always equal the photo, in every frame and in the export;
//! - a frame changes no pixel outside the rectangle `render_live` returns;
//! - the first still frame after live frames equals a fresh render of the same edit.

use arbitrary::{Arbitrary, Unstructured};
use smp_core::region::rasterize_strokes;
use smp_core::{
    render_full_resolution, BrushMode, Hairline, HairlineSide, Point, Preview, RenderParams, RgbaImage, Shade, Stroke,
    TimeState, Treatment,
};

/// A number: mostly in a typical range, sometimes any bit pattern or a nasty special value.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Num {
    Typical(u16),
    Raw(f32),
    Special(u8),
}

impl Num {
    fn get(self, lo: f32, hi: f32) -> f32 {
        match self {
            Num::Typical(v) => lo + (hi - lo) * v as f32 / u16::MAX as f32,
            Num::Raw(f) => f,
            Num::Special(k) => [
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                0.0,
                -0.0,
                -1.0,
                1e30,
                -1e30,
                f32::MIN_POSITIVE,
                f32::MAX,
                f32::MIN,
                1e-30,
                0.5,
                1e6,
                -1e6,
            ][k as usize % 15],
        }
    }
}

/// Dot pattern seeds: a few (each new seed costs a ~20 ms Poisson-disk tile, cached per seed).
fn seed(k: u8) -> u64 {
    [RenderParams::default().seed, 0, 1, u64::MAX][k as usize % 4]
}

#[derive(Arbitrary, Debug)]
pub enum Photo {
    Flat([u8; 4]),
    /// Pixels cycled from these bytes (RGBA).
    Bytes(Vec<u8>),
    /// Skin with dark vertical strands every `period` px and a light band (a scar).
    Strands {
        skin: [u8; 3],
        hair: [u8; 3],
        period: u8,
    },
}

#[derive(Arbitrary, Debug)]
pub enum FullWidth {
    Same,
    Times(u8),
    Any(u32),
}

#[derive(Arbitrary, Debug)]
pub struct Params {
    treatment: u8,
    strength: Num,
    dot_diameter_mm: Num,
    density_per_cm2: Num,
    px_per_mm: Num,
    seed: u8,
    sessions: u8,
    fresh: bool,
    years: Num,
    too_deep: bool,
    follow_curve: bool,
}

impl Params {
    fn get(&self) -> RenderParams {
        RenderParams {
            treatment: Treatment::ALL[self.treatment as usize % 3],
            shade: Shade { strength: self.strength.get(0.2, 0.97) },
            dot_diameter_mm: self.dot_diameter_mm.get(0.15, 1.2),
            density_per_cm2: self.density_per_cm2.get(10.0, 150.0),
            px_per_mm: self.px_per_mm.get(0.2, 30.0),
            seed: seed(self.seed),
            time: TimeState {
                sessions: self.sessions,
                fresh: self.fresh,
                years: self.years.get(0.0, 5.0),
                too_deep: self.too_deep,
            },
            follow_curve: self.follow_curve,
        }
    }
}

/// Points in full-image px.
type Points = Vec<(Num, Num)>;

#[derive(Arbitrary, Debug)]
pub enum Step {
    NewStroke {
        erase: bool,
        radius: Num,
        x: Num,
        y: Num,
        reuse_id: Option<u8>,
    },
    Extend(Points),
    Undo,
    Params(Params),
    /// Handles, feather (mm), treated side left.
    Hairline(Option<(Points, Num, bool)>),
    Render {
        dragging: bool,
    },
}

#[derive(Arbitrary, Debug)]
pub struct Session {
    width: u8,
    height: u8,
    photo: Photo,
    full_width: FullWidth,
    preview_seed: u8,
    params: Params,
    steps: Vec<Step>,
}

fn make_photo(w: u32, h: u32, photo: &Photo) -> RgbaImage {
    match photo {
        Photo::Flat(c) => RgbaImage::from_fn(w, h, |_, _| *c),
        Photo::Bytes(b) if b.is_empty() => RgbaImage::from_fn(w, h, |_, _| [200, 160, 140, 255]),
        Photo::Bytes(b) => {
            let mut img = RgbaImage::new(w, h);
            for (i, v) in img.data.iter_mut().enumerate() {
                *v = b[i % b.len()];
            }
            img
        }
        Photo::Strands { skin, hair, period } => {
            let period = (*period as u32 % 16).max(2);
            RgbaImage::from_fn(w, h, |x, y| {
                let c = if x % period == 0 {
                    *hair
                } else if y * 3 / h.max(1) == 1 {
                    skin.map(|v| v.saturating_add(40))
                } else {
                    *skin
                };
                [c[0], c[1], c[2], 255]
            })
        }
    }
}

/// Pixels where the mask is 0 equal the photo.
fn assert_outside_untouched(photo: &RgbaImage, out: &RgbaImage, mask: &[u8], what: &str) {
    assert_eq!((out.width, out.height, out.data.len()), (photo.width, photo.height, photo.data.len()));
    for (k, (a, b)) in photo.data.chunks_exact(4).zip(out.data.chunks_exact(4)).enumerate() {
        if mask[k] == 0 {
            assert_eq!(a, b, "{what}: pixel {k} outside the area changed");
        }
    }
}

/// Run the session these bytes describe (as `arbitrary` reads them); panics if an invariant
/// breaks. Returns `false` when the bytes describe no session.
pub fn check(data: &[u8]) -> bool {
    match Session::arbitrary_take_rest(Unstructured::new(data)) {
        Ok(session) => {
            run(&session);
            true
        }
        Err(_) => false,
    }
}

pub fn run(s: &Session) {
    let (w, h) = (s.width as u32 % 65, s.height as u32 % 65);
    let photo = make_photo(w, h, &s.photo);
    let full_width = match s.full_width {
        FullWidth::Same => w,
        FullWidth::Times(k) => w * (1 + k as u32 % 8),
        FullWidth::Any(v) => v,
    };
    let inv_scale = full_width.max(1) as f32 / w.max(1) as f32; // full-image px per working px
    let (fw, fh) = (w as f32 * inv_scale, h as f32 * inv_scale);
    let preview_seed = seed(s.preview_seed);
    let mut pv = Preview::new(photo.clone(), full_width, preview_seed);
    let mut params = s.params.get();
    let mut strokes: Vec<Stroke> = Vec::new();
    let mut hairline: Option<Hairline> = None;
    let mut next_id = 0u64;
    let mut ids_reused = false;
    for step in s.steps.iter().take(16) {
        match step {
            Step::NewStroke { erase, radius, x, y, reuse_id } => {
                let id = match reuse_id {
                    Some(k) if next_id > 0 => {
                        ids_reused = true;
                        *k as u64 % next_id
                    }
                    _ => {
                        next_id += 1;
                        next_id
                    }
                };
                strokes.push(Stroke {
                    id,
                    mode: if *erase { BrushMode::Erase } else { BrushMode::Paint },
                    radius_px: radius.get(1.0, fw.max(fh)),
                    points: vec![Point::new(x.get(-10.0, fw + 10.0), y.get(-10.0, fh + 10.0))],
                });
            }
            Step::Extend(points) => {
                if let Some(s) = strokes.last_mut() {
                    s.points.extend(
                        points
                            .iter()
                            .take(8)
                            .map(|(x, y)| Point::new(x.get(-10.0, fw + 10.0), y.get(-10.0, fh + 10.0))),
                    );
                }
            }
            Step::Undo => {
                strokes.pop();
            }
            Step::Params(p) => params = p.get(),
            Step::Hairline(line) => {
                hairline = line.as_ref().map(|(points, feather, left)| Hairline {
                    points: points
                        .iter()
                        .take(8)
                        .map(|(x, y)| Point::new(x.get(-10.0, fw + 10.0), y.get(-10.0, fh + 10.0)))
                        .collect(),
                    feather_mm: feather.get(0.5, 10.0),
                    treated_side: if *left { HairlineSide::Left } else { HairlineSide::Right },
                    // The same number drives the breakup (keeps the input format of the corpus).
                    breakup: feather.get(-0.5, 1.5),
                })
            }
            Step::Render { dragging } => {
                let before = pv.output().clone();
                let dirty = pv.render_live(&strokes, hairline.as_ref(), &params, *dragging);
                let out = pv.output();
                assert_outside_untouched(&photo, out, &pv.mask().data, "live frame");
                for (k, (a, b)) in before.data.chunks_exact(4).zip(out.data.chunks_exact(4)).enumerate() {
                    if a != b {
                        let (x, y) = (k as u32 % w, k as u32 / w);
                        assert!(
                            x >= dirty.x0 && x < dirty.x1 && y >= dirty.y0 && y < dirty.y1,
                            "pixel ({x}, {y}) changed outside the returned rectangle {dirty:?}"
                        );
                    }
                }
            }
        }
    }
    // The still frame after the session equals a fresh render of the same edit.
    pv.render(&strokes, hairline.as_ref(), &params);
    assert_outside_untouched(&photo, pv.output(), &pv.mask().data, "still frame");
    if !ids_reused {
        let mut fresh = Preview::new(photo.clone(), full_width, preview_seed);
        fresh.render(&strokes, hairline.as_ref(), &params);
        assert!(fresh.mask() == pv.mask(), "the incrementally built mask differs from a rebuilt one");
        assert!(fresh.output() == pv.output(), "the still frame differs from a fresh render");
    }
    // Export: the same edit on this image as the full-resolution photo.
    let mut exported = photo.clone();
    render_full_resolution(&mut exported, &strokes, hairline.as_ref(), &params);
    let mask = rasterize_strokes(&strokes, w, h, 1.0);
    assert_outside_untouched(&photo, &exported, &mask.data, "export");
}
