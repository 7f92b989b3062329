//! Deterministic, seedable randomness (no dependency): SplitMix64 and integer hashing.
//! Dot patterns must be identical for the same seed on every platform and resolution.

#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }
}

/// A strong 64-bit finaliser (SplitMix64's).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of several integers, for per-cell / per-dot random values.
pub fn hash3(a: u64, b: u64, c: u64) -> u64 {
    mix64(mix64(mix64(a ^ 0x5151_5151) ^ b.wrapping_mul(0x9E37_79B9)) ^ c.wrapping_mul(0x85EB_CA6B))
}

/// Uniform `[0, 1)` from a hash.
pub fn unit_from_hash(h: u64) -> f32 {
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise in `[0, 1)` over the plane, one lattice cell per unit.
pub fn value_noise(seed: u64, x: f32, y: f32) -> f32 {
    let (xf, yf) = (x.floor(), y.floor());
    let (ix, iy) = (xf as i64, yf as i64);
    let (fx, fy) = (x - xf, y - yf);
    let s = |t: f32| t * t * (3.0 - 2.0 * t);
    let v = |dx: i64, dy: i64| unit_from_hash(hash3(seed, (ix + dx) as u64, (iy + dy) as u64));
    let top = v(0, 0) + (v(1, 0) - v(0, 0)) * s(fx);
    let bottom = v(0, 1) + (v(1, 1) - v(0, 1)) * s(fx);
    top + (bottom - top) * s(fy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_uniform_mean() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let xs: Vec<f32> = (0..10_000).map(|_| a.next_f32()).collect();
        let ys: Vec<f32> = (0..10_000).map(|_| b.next_f32()).collect();
        assert_eq!(xs, ys);
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
        assert!(xs.iter().all(|v| (0.0..1.0).contains(v)));
    }

    #[test]
    fn value_noise_is_continuous_and_bounded() {
        let a = value_noise(3, 1.2345, 6.789);
        let b = value_noise(3, 1.2346, 6.789);
        assert!((a - b).abs() < 0.01);
        for i in 0..1000 {
            let v = value_noise(9, i as f32 * 0.37, i as f32 * 0.11);
            assert!((0.0..1.0).contains(&v));
        }
    }
}
