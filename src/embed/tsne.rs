//! t-SNE (van der Maaten 2014, Barnes–Hut), written here because the crates at hand do not
//! fit: linfa-tsne (over `bhtsne`) draws its start at random, so a map moves run to run
//! under one seed, and a map must not move when nothing changed. This one starts from the
//! principal components (as scikit-learn's `init="pca"` does) and has no randomness at all;
//! its settings are scikit-learn's defaults: perplexity 30, 1,000 iterations, early
//! exaggeration 12 for the first 250, learning rate max(n / 48, 50), θ = 0.5.
//!
//! Affinities come from each sample's 3 × perplexity nearest neighbours (the kNN baseline's
//! exact search; NN-descent's above 200,000 samples); the repulsion from a quadtree over
//! the map, rebuilt each iteration, and parallel over samples (each sample's forces summed
//! alone, then in order: deterministic).

mod quadtree;

use rayon::prelude::*;

use crate::features::Matrix;
use crate::models::knn::Knn;
use crate::progress::Progress;
use quadtree::QuadTree;

const PERPLEXITY: f64 = 30.0;
const ITERATIONS: usize = 1000;
const EARLY: usize = 250;
const EXAGGERATION: f64 = 12.0;
const THETA: f64 = 0.5;
const MIN_GAIN: f64 = 0.01;

/// The 2-D t-SNE of `rows` (`n` rows of `d`), started from `start` (the first two principal
/// components). `progress` hears the neighbours found, then the iterations.
pub fn embed(rows: &[f32], d: usize, start: &[(f64, f64)], progress: &dyn Progress) -> Vec<(f64, f64)> {
    let n = start.len();
    if n < 4 {
        return start.to_vec();
    }
    let p = affinities(rows, d, n, progress);
    progress.stage("t-SNE iterations", Some(ITERATIONS as u64));
    // The start scaled so that its first coordinate has standard deviation 1e-4.
    let mean = start.iter().map(|s| s.0).sum::<f64>() / n as f64;
    let std = (start.iter().map(|s| (s.0 - mean).powi(2)).sum::<f64>() / n as f64).sqrt().max(1e-12);
    let mut y: Vec<(f64, f64)> = start.iter().map(|s| (s.0 / std * 1e-4, s.1 / std * 1e-4)).collect();
    let rate = (n as f64 / EXAGGERATION / 4.0).max(50.0);
    let mut update = vec![(0.0, 0.0); n];
    let mut gains = vec![(1.0, 1.0); n];
    for it in 0..ITERATIONS {
        let (exaggeration, momentum) = if it < EARLY { (EXAGGERATION, 0.5) } else { (1.0, 0.8) };
        let grad = gradient(&p, &y, exaggeration);
        for i in 0..n {
            let step = |g: f64, u: &mut f64, gain: &mut f64, at: &mut f64| {
                *gain = if *u * g < 0.0 { *gain + 0.2 } else { *gain * 0.8 }.max(MIN_GAIN);
                *u = momentum * *u - rate * *gain * g;
                *at += *u;
            };
            step(grad[i].0, &mut update[i].0, &mut gains[i].0, &mut y[i].0);
            step(grad[i].1, &mut update[i].1, &mut gains[i].1, &mut y[i].1);
        }
        if it % 50 == 49 {
            progress.advance(it as u64 + 1);
        }
    }
    y
}

/// Sparse symmetric affinities, row by row: `(j, p_ij)` summing to 1 over all pairs.
fn affinities(rows: &[f32], d: usize, n: usize, progress: &dyn Progress) -> Vec<Vec<(u32, f64)>> {
    let perplexity = PERPLEXITY.min((n - 1) as f64 / 3.0);
    let k = ((3.0 * perplexity) as usize + 1).min(n - 1);
    let conditional: Vec<Vec<(u32, f64)>> = others_nearest(rows, d, n, k, progress)
        .into_par_iter()
        .map(|near| {
            let distances: Vec<f64> = near.iter().map(|&(dist, _)| f64::from(dist)).collect();
            let p = conditional_row(&distances, perplexity.ln());
            near.iter().zip(p).map(|(&(_, j), p)| (j, p)).collect()
        })
        .collect();
    // P = (P + Pᵀ) / Σ: each pair once in each of its rows.
    let mut joint: Vec<Vec<(u32, f64)>> = conditional.clone();
    for (i, row) in conditional.iter().enumerate() {
        for &(j, p) in row {
            joint[j as usize].push((i as u32, p));
        }
    }
    let mut total = 0.0;
    for row in &mut joint {
        row.sort_by_key(|e| e.0);
        row.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        total += row.iter().map(|e| e.1).sum::<f64>();
    }
    for row in &mut joint {
        row.iter_mut().for_each(|e| e.1 /= total);
    }
    joint
}

/// Each of the `n` rows' `k` nearest other rows, nearest first: (squared distance, row).
/// The kNN baseline's exact search, or above `APPROXIMATE_ABOVE` rows NN-descent's.
pub(super) fn others_nearest(
    rows: &[f32],
    d: usize,
    n: usize,
    k: usize,
    progress: &dyn Progress,
) -> Vec<Vec<(f32, u32)>> {
    if n > super::nn_descent::APPROXIMATE_ABOVE {
        return super::nn_descent::others_nearest(rows, d, k, 0, progress);
    }
    let x = Matrix::dense(n, d, rows.to_vec());
    let found = Knn::fit(&x, &vec![0; n], 1).neighbours_of_training(k + 1, progress);
    found
        .into_iter()
        .enumerate()
        .map(|(i, near)| near.into_iter().filter(|&(_, j)| j as usize != i).take(k).collect())
        .collect()
}

/// p_j|i over the neighbours at squared `distances`, the Gaussian's precision found by
/// bisection so that the entropy is `target` (ln perplexity).
fn conditional_row(distances: &[f64], target: f64) -> Vec<f64> {
    let (mut lo, mut hi, mut beta) = (f64::NEG_INFINITY, f64::INFINITY, 1.0);
    let least = distances.iter().copied().fold(f64::INFINITY, f64::min);
    let mut p = vec![0.0; distances.len()];
    for _ in 0..100 {
        let mut sum = 0.0;
        for (pj, d) in p.iter_mut().zip(distances) {
            *pj = (-(d - least) * beta).exp();
            sum += *pj;
        }
        let sum = sum.max(f64::MIN_POSITIVE);
        let mean_d = p.iter().zip(distances).map(|(pj, d)| pj * (d - least)).sum::<f64>() / sum;
        let entropy = sum.ln() + beta * mean_d;
        p.iter_mut().for_each(|pj| *pj /= sum);
        let gap = entropy - target;
        if gap.abs() < 1e-5 {
            break;
        }
        if gap > 0.0 {
            lo = beta;
            beta = if hi.is_finite() { (beta + hi) / 2.0 } else { beta * 2.0 };
        } else {
            hi = beta;
            beta = if lo.is_finite() { (beta + lo) / 2.0 } else { beta / 2.0 };
        }
    }
    p
}

/// ∂KL/∂y for every sample: attraction along the affinities, repulsion from the quadtree.
fn gradient(p: &[Vec<(u32, f64)>], y: &[(f64, f64)], exaggeration: f64) -> Vec<(f64, f64)> {
    let tree = QuadTree::new(y);
    let repulsion: Vec<((f64, f64), f64)> = (0..y.len()).into_par_iter().map(|i| tree.repulsion(i, THETA)).collect();
    let z: f64 = repulsion.iter().map(|r| r.1).sum::<f64>().max(f64::MIN_POSITIVE);
    (0..y.len())
        .into_par_iter()
        .map(|i| {
            let (yi, mut attract) = (y[i], (0.0, 0.0));
            for &(j, pij) in &p[i] {
                let yj = y[j as usize];
                let (dx, dy) = (yi.0 - yj.0, yi.1 - yj.1);
                let q = 1.0 / (1.0 + dx * dx + dy * dy);
                attract.0 += exaggeration * pij * q * dx;
                attract.1 += exaggeration * pij * q * dy;
            }
            let ((rx, ry), _) = repulsion[i];
            (4.0 * (attract.0 - rx / z), 4.0 * (attract.1 - ry / z))
        })
        .collect()
}

/// How well the map keeps neighbourhoods: the share of each sample's `k` nearest in `rows`
/// that are among its `k` nearest on the map, averaged.
pub fn trustworthiness_of_neighbours(rows: &[f32], d: usize, map: &[(f64, f64)], k: usize) -> f64 {
    let n = map.len();
    let x = Matrix::dense(n, d, rows.to_vec());
    let high = Knn::fit(&x, &vec![0; n], 1).neighbours_of_training(k + 1, &crate::progress::Silent);
    let flat: Vec<f32> = map.iter().flat_map(|p| [p.0 as f32, p.1 as f32]).collect();
    let m = Matrix::dense(n, 2, flat);
    let low = Knn::fit(&m, &vec![0; n], 1).neighbours(&m, k + 1);
    let kept: usize = (0..n)
        .map(|i| {
            let a: std::collections::HashSet<u32> = high[i].iter().map(|e| e.1).filter(|&j| j as usize != i).collect();
            low[i].iter().filter(|e| e.1 as usize != i && a.contains(&e.1)).count()
        })
        .sum();
    kept as f64 / (n * k) as f64
}

#[cfg(test)]
mod tests;
