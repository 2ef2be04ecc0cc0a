//! UMAP (McInnes, Healy & Melville 2018) for maps of more samples than t-SNE draws in a
//! minute: its layout moves each neighbour pair a few hundred times in all, where t-SNE
//! sums the forces on every sample a thousand times, so 100,000 samples take seconds.
//! Written here for the reason `tsne.rs` is: the map must not move when nothing changed.
//! umap-learn's defaults: 15 neighbours, `min_dist` 0.1 (a = 1.577, b = 0.895), 200 epochs
//! above 10,000 samples (500 below), learning rate 1 falling to 0, 5 negative samples per
//! positive one; started from the principal components scaled to [0, 10] (umap-learn's
//! `init="pca"`). The layout runs on one thread from a seeded generator, in edge order:
//! the same map every time.
//!
//! Neighbours come from the kNN baseline's exact search, or NN-descent's above 200,000
//! samples, as t-SNE's do (`tsne::others_nearest`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::progress::Progress;

const NEIGHBOURS: usize = 15;
const A: f32 = 1.576_943_5;
const B: f32 = 0.895_060_6;
const NEGATIVE_RATE: usize = 5;
const LEARNING_RATE: f32 = 1.0;

/// The 2-D UMAP of `rows` (`n` rows of `d`), started from `start` (the first two principal
/// components). `progress` hears the neighbours found, then the epochs.
pub fn embed(rows: &[f32], d: usize, start: &[(f64, f64)], seed: u64, progress: &dyn Progress) -> Vec<(f64, f64)> {
    let n = start.len();
    if n < 4 {
        return start.to_vec();
    }
    let edges = fuzzy_graph(rows, d, n, progress);
    let epochs = if n > 10_000 { 200 } else { 500 };
    progress.stage("UMAP epochs", Some(epochs as u64));
    let mut y = scaled(start);
    layout(&mut y, &edges, epochs, seed, progress);
    y.into_iter().map(|(a, b)| (a as f64, b as f64)).collect()
}

/// The start scaled to [0, 10] on each axis.
fn scaled(start: &[(f64, f64)]) -> Vec<(f32, f32)> {
    let range = |f: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = start.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
        (lo, (hi - lo).max(1e-12))
    };
    let ((x0, xs), (y0, ys)) = (range(|p| p.0), range(|p| p.1));
    start.iter().map(|p| ((10.0 * (p.0 - x0) / xs) as f32, (10.0 * (p.1 - y0) / ys) as f32)).collect()
}

/// One edge of the fuzzy neighbour graph: both ends and its membership strength.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    i: u32,
    j: u32,
    weight: f32,
}

/// The symmetric fuzzy graph of each sample's 15 nearest neighbours: a neighbour at
/// distance `d` has strength exp(−(d − ρ) / σ), ρ the distance to the nearest and σ such
/// that the strengths sum to log₂ 15; two directions combine as a + b − ab. Each pair once
/// in each direction, as umap-learn's layout goes through them.
fn fuzzy_graph(rows: &[f32], d: usize, n: usize, progress: &dyn Progress) -> Vec<Edge> {
    let k = NEIGHBOURS.min(n - 1);
    let strengths: Vec<Vec<(u32, f32)>> = super::tsne::others_nearest(rows, d, n, k, progress)
        .into_par_iter()
        .map(|near| {
            let near: Vec<(u32, f64)> = near.into_iter().map(|(sq, j)| (j, f64::from(sq).max(0.0).sqrt())).collect();
            let distances: Vec<f64> = near.iter().map(|e| e.1).collect();
            let (rho, sigma) = smooth_distances(&distances, (k as f64).log2());
            near.iter().map(|&(j, dist)| (j, (-((dist - rho).max(0.0)) / sigma).exp() as f32)).collect()
        })
        .collect();
    let mut pairs: std::collections::HashMap<(u32, u32), (f32, f32)> = std::collections::HashMap::new();
    for (i, row) in strengths.iter().enumerate() {
        for &(j, w) in row {
            let (a, b) = if (i as u32) < j { (i as u32, j) } else { (j, i as u32) };
            let entry = pairs.entry((a, b)).or_insert((0.0, 0.0));
            if a == i as u32 { entry.0 = w } else { entry.1 = w }
        }
    }
    let mut edges: Vec<Edge> = pairs
        .into_iter()
        .map(|((i, j), (a, b))| Edge { i, j, weight: a + b - a * b })
        .filter(|e| e.weight > 0.0)
        .collect();
    edges.sort_by_key(|e| (e.i, e.j));
    edges.into_iter().flat_map(|e| [e, Edge { i: e.j, j: e.i, ..e }]).collect()
}

/// ρ (the nearest distance) and σ for one sample's neighbour `distances` (ascending), σ by
/// bisection so that Σ exp(−(d − ρ)/σ) = `target`; at least a thousandth of the mean
/// distance, as umap-learn keeps it.
fn smooth_distances(distances: &[f64], target: f64) -> (f64, f64) {
    let rho = distances.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
    let (mut lo, mut hi, mut sigma) = (0.0, f64::INFINITY, 1.0);
    for _ in 0..64 {
        let sum: f64 = distances.iter().map(|&d| (-((d - rho).max(0.0)) / sigma).exp()).sum();
        if (sum - target).abs() < 1e-5 {
            break;
        }
        if sum > target {
            hi = sigma;
            sigma = (lo + hi) / 2.0;
        } else {
            lo = sigma;
            sigma = if hi.is_finite() { (lo + hi) / 2.0 } else { sigma * 2.0 };
        }
    }
    let mean = distances.iter().sum::<f64>() / distances.len().max(1) as f64;
    (rho, sigma.max(1e-3 * mean).max(f64::MIN_POSITIVE))
}

/// umap-learn's stochastic layout: each edge pulls its ends together as often as its
/// strength says (the strongest every epoch), each pull followed by pushes away from
/// random samples; steps clipped to ±4, the learning rate falling linearly to 0.
fn layout(y: &mut [(f32, f32)], edges: &[Edge], epochs: usize, seed: u64, progress: &dyn Progress) {
    let n = y.len();
    let strongest = edges.iter().map(|e| e.weight).fold(0.0f32, f32::max);
    // Edges too weak to be sampled once in all the epochs are left out, as umap-learn does.
    let edges: Vec<&Edge> = edges.iter().filter(|e| e.weight >= strongest / epochs as f32).collect();
    let every: Vec<f32> = edges.iter().map(|e| strongest / e.weight).collect();
    let every_negative: Vec<f32> = every.iter().map(|e| e / NEGATIVE_RATE as f32).collect();
    let mut next = every.clone();
    let mut next_negative = every_negative.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let clip = |v: f32| v.clamp(-4.0, 4.0);
    for epoch in 0..epochs {
        let alpha = LEARNING_RATE * (1.0 - epoch as f32 / epochs as f32);
        let now = epoch as f32;
        for (e, edge) in edges.iter().enumerate() {
            if next[e] > now {
                continue;
            }
            let (i, j) = (edge.i as usize, edge.j as usize);
            let (dx, dy) = (y[i].0 - y[j].0, y[i].1 - y[j].1);
            let d2 = dx * dx + dy * dy;
            if d2 > 0.0 {
                let power = d2.powf(B);
                let coeff = -2.0 * A * B * (power / d2) / (A * power + 1.0);
                let (gx, gy) = (clip(coeff * dx) * alpha, clip(coeff * dy) * alpha);
                y[i] = (y[i].0 + gx, y[i].1 + gy);
                y[j] = (y[j].0 - gx, y[j].1 - gy);
            }
            next[e] += every[e];
            let negatives = ((now - next_negative[e]) / every_negative[e]).max(0.0) as usize;
            for _ in 0..negatives {
                let k = rng.random_range(0..n);
                if k == i {
                    continue;
                }
                let (dx, dy) = (y[i].0 - y[k].0, y[i].1 - y[k].1);
                let d2 = dx * dx + dy * dy;
                let (gx, gy) = if d2 > 0.0 {
                    let coeff = 2.0 * B / ((0.001 + d2) * (A * d2.powf(B) + 1.0));
                    (clip(coeff * dx), clip(coeff * dy))
                } else {
                    (4.0, 4.0)
                };
                y[i] = (y[i].0 + gx * alpha, y[i].1 + gy * alpha);
            }
            next_negative[e] += negatives as f32 * every_negative[e];
        }
        if epoch % 10 == 9 {
            progress.advance(epoch as u64 + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;
    use crate::models::knn::Knn;
    use crate::models::test_data::blobs;

    fn map_of(k: usize, n: usize, seed: u64) -> (Vec<(f64, f64)>, Vec<usize>, Vec<f32>) {
        let (x, y) = blobs(k, n, 10, 4.0, seed);
        let rows = x.dense_values().unwrap().to_vec();
        let start: Vec<(f64, f64)> = rows.chunks(10).map(|r| (r[0] as f64, r[1] as f64)).collect();
        (embed(&rows, 10, &start, 7, &crate::progress::Silent), y, rows)
    }

    #[test]
    fn blobs_stay_together_and_neighbours_stay_near() {
        let (map, y, rows) = map_of(4, 150, 3);
        // Each sample's nearest on the map mostly shares its blob.
        let flat: Vec<f32> = map.iter().flat_map(|p| [p.0 as f32, p.1 as f32]).collect();
        let m = Matrix::dense(map.len(), 2, flat);
        let near = Knn::fit(&m, &y, 4).neighbours(&m, 6);
        let same: usize =
            near.iter().enumerate().map(|(i, nn)| nn.iter().filter(|e| y[e.1 as usize] == y[i]).count()).sum();
        assert!(same as f64 / (6 * map.len()) as f64 > 0.95, "{same}");
        let kept = super::super::tsne::trustworthiness_of_neighbours(&rows, 10, &map, 10);
        assert!(kept > 0.2, "kept@10 {kept}");
    }

    #[test]
    fn the_same_input_gives_the_same_map() {
        assert_eq!(map_of(3, 60, 1).0, map_of(3, 60, 1).0);
    }

    #[test]
    fn the_neighbour_strengths_sum_to_log2_k() {
        let distances = [0.5, 0.7, 1.0, 1.1, 2.0, 2.5];
        let (rho, sigma) = smooth_distances(&distances, (6f64).log2());
        assert_eq!(rho, 0.5);
        let sum: f64 = distances.iter().map(|d| (-(d - rho) / sigma).exp()).sum();
        assert!((sum - 6f64.log2()).abs() < 1e-4, "{sum}");
    }

    #[test]
    fn pairs_come_once_each_way_with_combined_strengths() {
        let rows: Vec<f32> = (0..40).map(|i| (i % 20) as f32 + (i / 20) as f32 * 100.0).collect();
        let edges = fuzzy_graph(&rows, 1, 40, &crate::progress::Silent);
        for e in &edges {
            assert!(e.weight > 0.0 && e.weight <= 1.0, "{e:?}");
            assert!(edges.iter().any(|f| f.i == e.j && f.j == e.i && f.weight == e.weight), "{e:?} one way only");
        }
        assert!(edges.iter().all(|e| (e.i < 20) == (e.j < 20)), "the two far groups are not linked");
    }
}
