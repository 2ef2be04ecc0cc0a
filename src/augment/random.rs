//! Draws the transforms need beyond what `rand` gives.

use rand::RngExt;

/// Uniform in [lo, hi] (lo when the range is empty).
pub fn uniform(rng: &mut impl rand::Rng, lo: f64, hi: f64) -> f64 {
    if hi > lo { lo + (hi - lo) * rng.random::<f64>() } else { lo }
}

/// Standard normal (Box–Muller).
pub fn normal(rng: &mut impl rand::Rng) -> f64 {
    let u1 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Whether a step with probability `p` happens.
pub fn happens(rng: &mut impl rand::Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniform index below `n` (n > 0).
pub fn index(rng: &mut impl rand::Rng, n: usize) -> usize {
    rng.random_range(0..n)
}
