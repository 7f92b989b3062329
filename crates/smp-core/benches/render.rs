use criterion::{criterion_group, criterion_main, Criterion};
use smp_core::geometry::Point;
use smp_core::{BrushMode, Preview, RenderParams, RgbaImage, Shade, Stroke, SHADE_PRESETS};

fn photo(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| [180 + (x % 13) as u8, 140 + (y % 11) as u8, 120, 255])
}

fn bench(c: &mut Criterion) {
    // A 2 MP working image with a large painted area (about half the image).
    let (w, h) = (1632, 1224);
    let mut pv = Preview::new(photo(w, h), 4896, 1);
    let strokes =
        vec![Stroke { id: 1, mode: BrushMode::Paint, radius_px: 1400.0, points: vec![Point::new(2448.0, 1836.0)] }];
    let params = RenderParams { px_per_mm: 16.0, ..RenderParams::default() };
    pv.render(&strokes, None, &params);
    let mut flip = false;
    c.bench_function("rerender_2mp_after_shade_change", |b| {
        b.iter(|| {
            flip = !flip;
            let shade = if flip { SHADE_PRESETS[0].shade } else { Shade::new(0.7) };
            pv.render(&strokes, None, &RenderParams { shade, ..params });
        })
    });
    // A density or dot-size change moves dots: the coverage is recomputed, then composited.
    c.bench_function("rerender_2mp_after_density_change", |b| {
        b.iter(|| {
            flip = !flip;
            let density_per_cm2 = if flip { 50.0 } else { 70.0 };
            pv.render(&strokes, None, &RenderParams { density_per_cm2, ..params });
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
