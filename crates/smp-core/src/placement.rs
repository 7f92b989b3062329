//! Dot placement: seeded blue noise in millimetres on the scalp.
//!
//! One periodic Poisson-disk tile (Bridson's algorithm on a torus, minimum distance 1 in tile
//! units) is made per seed and repeated over the plane. Scaling the tile sets the density
//! exactly (`points / side²` per tile unit² ↦ the asked dots per mm²), so the pattern is:
//! - resolution-independent (the same dots at 640 px and at 12 MP),
//! - stable while the user paints, changes shade or drags the density slider (it scales
//!   smoothly instead of reshuffling),
//! - cheap: no regeneration on any slider move.
//!
//! With ~4000 points per tile the tile is ~7 cm wide at SMP densities, so repetition is far
//! below what an eye can find among sub-millimetre dots that vary in size and darkness.

use std::sync::Mutex;

use crate::rng::{hash3, unit_from_hash, SplitMix64};

/// A periodic blue-noise point set in `[0, side)²`, minimum toroidal distance 1.
#[derive(Clone, Debug)]
pub struct DotTile {
    pub seed: u64,
    pub side: f32,
    /// Positions in tile units.
    pub points: Vec<[f32; 2]>,
}

/// Points per tile the generator aims at (Bridson packs ~0.68 points per unit² at distance 1).
const TILE_TARGET_POINTS: f32 = 4096.0;
const BRIDSON_CANDIDATES: usize = 30;
/// Most dots `dots_in` returns (~36 MB of them): a box of 0.7 m² at the highest density.
const MAX_DOTS_IN_BOX: f64 = (1 << 20) as f64;

/// The tiles of the last few seeds: making one takes ~20 ms, and every photo opened, every
/// export (and every fuzz run) asks again for the same seed.
static RECENT_TILES: Mutex<Vec<DotTile>> = Mutex::new(Vec::new());
const RECENT_TILES_KEPT: usize = 4;

impl DotTile {
    /// The tile of `seed` (made once, then copied from the last few seeds' tiles).
    pub fn new(seed: u64) -> Self {
        if let Some(tile) = RECENT_TILES.lock().ok().and_then(|r| r.iter().find(|t| t.seed == seed).cloned()) {
            return tile;
        }
        let tile = Self::generate(seed);
        if let Ok(mut recent) = RECENT_TILES.lock() {
            if recent.len() >= RECENT_TILES_KEPT {
                recent.remove(0);
            }
            recent.push(tile.clone());
        }
        tile
    }

    fn generate(seed: u64) -> Self {
        let side = (TILE_TARGET_POINTS / 0.68).sqrt();
        let points = poisson_torus(seed, side, BRIDSON_CANDIDATES);
        Self { seed, side, points }
    }

    /// Points per tile unit².
    pub fn unit_density(&self) -> f32 {
        self.points.len() as f32 / (self.side * self.side)
    }

    /// Millimetres per tile unit that give `dots_per_mm2`.
    pub fn mm_per_unit(&self, dots_per_mm2: f32) -> f32 {
        (self.unit_density() / dots_per_mm2.max(1e-6)).sqrt()
    }

    /// The dots whose centres lie in the millimetre box `[x0, x1) × [y0, y1)`, at the given
    /// density, each with its stable per-dot random attributes.
    pub fn dots_in(&self, dots_per_mm2: f32, x0: f32, y0: f32, x1: f32, y1: f32) -> Vec<Dot> {
        let mut out = Vec::new();
        if !(x1 > x0 && y1 > y0 && dots_per_mm2.is_finite() && dots_per_mm2 > 0.0) {
            return out;
        }
        let unit = self.mm_per_unit(dots_per_mm2);
        let tile_mm = self.side * unit;
        // Bound the work and the memory for absurd inputs (a huge box at a tiny scale): no dots
        // rather than millions of them. A whole head at the highest density is ~150 000 dots.
        let tiles_x = ((x1 / tile_mm).floor() - (x0 / tile_mm).floor() + 1.0).max(0.0);
        let tiles_y = ((y1 / tile_mm).floor() - (y0 / tile_mm).floor() + 1.0).max(0.0);
        let expected_dots = (x1 - x0) as f64 * (y1 - y0) as f64 * dots_per_mm2 as f64;
        if tiles_x * tiles_y > 4096.0 || expected_dots > MAX_DOTS_IN_BOX {
            return out;
        }
        let (tx0, tx1) = ((x0 / tile_mm).floor() as i64, (x1 / tile_mm).floor() as i64);
        let (ty0, ty1) = ((y0 / tile_mm).floor() as i64, (y1 / tile_mm).floor() as i64);
        for ty in ty0..=ty1 {
            for tx in tx0..=tx1 {
                let (ox, oy) = (tx as f32 * tile_mm, ty as f32 * tile_mm);
                for (i, p) in self.points.iter().enumerate() {
                    // A small jitter (up to 0.2 of the Poisson radius) breaks the too-even look
                    // of pure blue noise without making clumps.
                    let j = hash3(self.seed ^ 0x7177, (tx as u64) << 32 ^ ty as u64, i as u64);
                    let (a, r) = (unit_from_hash(j) * std::f32::consts::TAU, 0.2 * unit_from_hash(j >> 24));
                    let (x, y) = (ox + (p[0] + r * a.cos()) * unit, oy + (p[1] + r * a.sin()) * unit);
                    if x >= x0 && x < x1 && y >= y0 && y < y1 {
                        out.push(Dot::new(self.seed, tx, ty, i, x, y));
                    }
                }
            }
        }
        out
    }
}

/// One dot on the scalp with its stable random attributes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub x_mm: f32,
    pub y_mm: f32,
    /// Uniform in `[0, 1)`: thinning by a probability keeps the dots whose rank is below it.
    pub rank: f32,
    /// Second independent uniform: which session laid the dot.
    pub rank2: f32,
    /// Third independent uniform: thinning where hair is already dense.
    pub rank3: f32,
    /// Multiplier of the nominal diameter (about 0.8..1.25, log-normal-ish).
    pub size: f32,
    /// Share of the shade's full darkness this dot reaches (0.8..0.95; sessions scale it).
    pub opacity: f32,
    /// Minor / major axis of the slightly elliptic impression (0.75..1).
    pub aspect: f32,
    /// Orientation of the major axis, radians.
    pub angle: f32,
}

impl Dot {
    fn new(seed: u64, tx: i64, ty: i64, index: usize, x_mm: f32, y_mm: f32) -> Self {
        let cell = (tx as u64).wrapping_mul(0x1_0000_0001) ^ (ty as u64).rotate_left(32);
        let h = |k: u64| unit_from_hash(hash3(seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407), cell, index as u64));
        // Sum of two uniforms: a soft bell without tails that would make giant dots.
        let size = 0.8 + 0.45 * 0.5 * (h(1) + h(2));
        Self {
            x_mm,
            y_mm,
            rank: h(3),
            rank2: h(4),
            rank3: h(8),
            size,
            opacity: 0.8 + 0.15 * h(5),
            aspect: 0.75 + 0.25 * h(6),
            angle: h(7) * std::f32::consts::PI,
        }
    }
}

/// Bridson's Poisson-disk sampling on the torus `[0, side)²` with minimum distance 1.
fn poisson_torus(seed: u64, side: f32, candidates: usize) -> Vec<[f32; 2]> {
    let mut rng = SplitMix64::new(seed ^ 0xD07_5EED);
    let n = (side / std::f32::consts::FRAC_1_SQRT_2).ceil() as usize; // cells per side
    let cell = side / n as f32; // <= 1/sqrt(2): at most one point per cell
    let mut grid: Vec<u32> = vec![u32::MAX; n * n];
    let mut points: Vec<[f32; 2]> = Vec::with_capacity(8192);
    let mut active: Vec<u32> = Vec::new();
    let wrap = |v: f32| v.rem_euclid(side);
    let cell_of =
        |p: [f32; 2]| -> (usize, usize) { (((p[0] / cell) as usize).min(n - 1), ((p[1] / cell) as usize).min(n - 1)) };
    let torus_d2 = |a: [f32; 2], b: [f32; 2]| {
        let mut dx = (a[0] - b[0]).abs();
        let mut dy = (a[1] - b[1]).abs();
        if dx > side * 0.5 {
            dx = side - dx;
        }
        if dy > side * 0.5 {
            dy = side - dy;
        }
        dx * dx + dy * dy
    };
    let first = [rng.range(0.0, side), rng.range(0.0, side)];
    let (cx, cy) = cell_of(first);
    grid[cy * n + cx] = 0;
    points.push(first);
    active.push(0);
    while !active.is_empty() {
        let slot = (rng.next_u64() % active.len() as u64) as usize;
        let base = points[active[slot] as usize];
        let mut placed = false;
        for _ in 0..candidates {
            // Uniform in the annulus [1, 2] by area.
            let r = (1.0 + 3.0 * rng.next_f32()).sqrt();
            let a = rng.next_f32() * std::f32::consts::TAU;
            let cand = [wrap(base[0] + r * a.cos()), wrap(base[1] + r * a.sin())];
            let (cx, cy) = cell_of(cand);
            let mut ok = true;
            'search: for dy in -2i64..=2 {
                for dx in -2i64..=2 {
                    let gx = (cx as i64 + dx).rem_euclid(n as i64) as usize;
                    let gy = (cy as i64 + dy).rem_euclid(n as i64) as usize;
                    let g = grid[gy * n + gx];
                    if g != u32::MAX && torus_d2(points[g as usize], cand) < 1.0 {
                        ok = false;
                        break 'search;
                    }
                }
            }
            if ok {
                grid[cy * n + cx] = points.len() as u32;
                active.push(points.len() as u32);
                points.push(cand);
                placed = true;
                break;
            }
        }
        if !placed {
            active.swap_remove(slot);
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nearest_neighbour_mm(dots: &[Dot]) -> Vec<f32> {
        dots.iter()
            .map(|a| {
                dots.iter()
                    .filter(|b| !std::ptr::eq(*b, a))
                    .map(|b| ((a.x_mm - b.x_mm).powi(2) + (a.y_mm - b.y_mm).powi(2)).sqrt())
                    .fold(f32::INFINITY, f32::min)
            })
            .collect()
    }

    #[test]
    fn tile_is_deterministic_per_seed() {
        let a = DotTile::new(42);
        let b = DotTile::new(42);
        let c = DotTile::new(43);
        assert_eq!(a.points, b.points);
        assert_ne!(a.points, c.points);
        // A tile copied from the recent ones is the one generated from scratch.
        for seed in [42, 43, 44, 45, 46, 42] {
            let t = DotTile::new(seed);
            assert_eq!(
                (t.seed, t.side, &t.points),
                (seed, DotTile::generate(seed).side, &DotTile::generate(seed).points)
            );
        }
        assert!(a.points.len() > 3000, "{} points", a.points.len());
    }

    #[test]
    fn a_box_larger_than_any_head_gets_no_dots_instead_of_millions() {
        // Found by fuzzing (render, a tiny working-copy scale): 2.4 m square at 0.8 dots/mm²
        // asked for ~4.6 million dots (over 150 MB). A whole head (30 cm) at the highest
        // density still gets every dot.
        let tile = DotTile::new(1);
        assert!(tile.dots_in(0.8, -1200.0, -1200.0, 1200.0, 1200.0).is_empty());
        let n = tile.dots_in(1.5, 0.0, 0.0, 300.0, 300.0).len() as f32;
        assert!((n / (300.0 * 300.0 * 1.5) - 1.0).abs() < 0.02, "{n} dots");
    }

    #[test]
    fn density_is_exact_over_large_areas() {
        let tile = DotTile::new(1);
        for per_cm2 in [30.0f32, 50.0, 80.0, 120.0] {
            let d = per_cm2 / 100.0;
            // A 200 mm box: many tiles, partial ones at the edges.
            let n = tile.dots_in(d, 3.0, 7.0, 203.0, 207.0).len() as f32;
            let measured = n / (200.0 * 200.0) * 100.0;
            assert!((measured / per_cm2 - 1.0).abs() < 0.02, "asked {per_cm2}/cm², got {measured}");
        }
    }

    #[test]
    fn blue_noise_no_clumps_and_no_holes() {
        let tile = DotTile::new(9);
        let d = 0.6; // 60 dots/cm²
        let dots = tile.dots_in(d, 0.0, 0.0, 40.0, 40.0);
        let nn = nearest_neighbour_mm(&dots);
        let r_min = tile.mm_per_unit(d); // the Poisson radius in mm
        let min = nn.iter().cloned().fold(f32::INFINITY, f32::min);
        // The jitter moves each dot by at most 0.2 radius: no two come closer than 0.6 radius.
        assert!(min >= r_min * 0.6 * 0.999, "clump: nearest neighbour {min} < 0.6 × {r_min}");
        // No big holes either: every 3 mm box holds dots (a white-noise pattern fails this).
        let mut empty = 0;
        for by in 0..13 {
            for bx in 0..13 {
                let (x0, y0) = (bx as f32 * 3.0, by as f32 * 3.0);
                if !dots.iter().any(|p| p.x_mm >= x0 && p.x_mm < x0 + 3.0 && p.y_mm >= y0 && p.y_mm < y0 + 3.0) {
                    empty += 1;
                }
            }
        }
        assert_eq!(empty, 0, "empty 3 mm boxes");
    }

    #[test]
    fn same_dots_whatever_box_asks_for_them() {
        let tile = DotTile::new(5);
        let all = tile.dots_in(0.5, 0.0, 0.0, 100.0, 100.0);
        let part = tile.dots_in(0.5, 20.0, 30.0, 60.0, 70.0);
        for p in &part {
            assert!(all.contains(p));
        }
        assert!(!part.is_empty());
    }

    #[test]
    fn attributes_stay_in_range() {
        let tile = DotTile::new(3);
        for d in tile.dots_in(0.8, -50.0, -50.0, 50.0, 50.0) {
            assert!((0.8..=1.25).contains(&d.size));
            assert!((0.8..=0.95).contains(&d.opacity));
            assert!((0.75..=1.0).contains(&d.aspect));
            assert!((0.0..1.0).contains(&d.rank));
        }
    }

    #[test]
    fn absurd_requests_return_nothing_instead_of_hanging() {
        let tile = DotTile::new(3);
        assert!(tile.dots_in(0.5, 0.0, 0.0, 1e9, 1e9).is_empty());
        assert!(tile.dots_in(f32::NAN, 0.0, 0.0, 10.0, 10.0).is_empty());
        assert!(tile.dots_in(0.0, 0.0, 0.0, 10.0, 10.0).is_empty());
    }
}
