//! Small generated datasets the model tests share.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::features::Matrix;

/// `k` Gaussian blobs in `d` dimensions, `n` rows each, centres `spread` apart per axis.
pub fn blobs(k: usize, n: usize, d: usize, spread: f32, seed: u64) -> (Matrix, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..k).map(|_| (0..d).map(|_| rng.random_range(-spread..spread)).collect()).collect();
    let (mut data, mut y) = (Vec::new(), Vec::new());
    for i in 0..k * n {
        let c = i % k;
        y.push(c);
        for centre in &centres[c] {
            data.push(centre + normal(&mut rng));
        }
    }
    (Matrix::dense(k * n, d, data), y)
}

/// Sparse "documents": class `c` draws most words from its own block of the vocabulary.
pub fn documents(k: usize, n: usize, vocabulary: usize, seed: u64) -> (Matrix, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let block = vocabulary / k;
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for i in 0..k * n {
        let c = i % k;
        let mut words: Vec<u32> = (0..12)
            .map(|_| {
                if rng.random_bool(0.7) {
                    (c * block + rng.random_range(0..block)) as u32
                } else {
                    rng.random_range(0..vocabulary) as u32
                }
            })
            .collect();
        words.sort_unstable();
        let mut row: Vec<(u32, f32)> = Vec::new();
        for w in words {
            match row.last_mut() {
                Some((last, v)) if *last == w => *v += 1.0,
                _ => row.push((w, 1.0)),
            }
        }
        rows.push(row);
        y.push(c);
    }
    (Matrix::sparse(vocabulary, rows), y)
}

pub fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let (u, v): (f32, f32) = (rng.random_range(f32::EPSILON..1.0), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
}

/// Fraction of rows whose most probable class is `y`.
pub fn accuracy(p: &super::Probabilities, y: &[usize]) -> f64 {
    (0..y.len()).filter(|&i| p.predicted(i) == y[i]).count() as f64 / y.len() as f64
}
