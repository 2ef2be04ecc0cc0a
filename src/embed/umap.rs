//! UMAP (McInnes, Healy & Melville 2018) for maps of more samples than t-SNE draws in a
//! minute: its layout moves each neighbour pair a few hundred times in all, where t-SNE
//! sums the forces on every sample a thousand times, so 100,000 samples take seconds.
//! Written here for the reason `tsne.rs` is: the map must not move when nothing changed.
//! umap-learn's defaults: 15 neighbours, `min_dist` 0.1 (a = 1.577, b = 0.895), 200 epochs
//! above 10,000 samples (500 below), learning rate 1 falling to 0, 5 negative samples per
//! positive one; started from the principal components scaled to [0, 10] (umap-learn's
//! `init="pca"`). The layout moves every point at once on every core, its random choices
//! hashed from the seed: the same map every time.
//!
//! Neighbours come from the kNN baseline's exact search, or NN-descent's above 200,000
//! samples, as t-SNE's do (`tsne::others_nearest`).

use rayon::prelude::*;

use super::hashed::{below, mix};
use crate::progress::Progress;

const NEIGHBOURS: usize = 15;
const A: f32 = 1.576_943_5;
const B: f32 = 0.895_060_6;
const NEGATIVE_RATE: usize = 5;
const LEARNING_RATE: f32 = 1.0;

/// Part of a kept map's cache key: maps kept by an earlier layout are made again.
pub const LAYOUT_VERSION: &str = "parallel epochs";

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
    let edges: Vec<Edge> = pairs
        .into_iter()
        .map(|((i, j), (a, b))| Edge { i, j, weight: a + b - a * b })
        .filter(|e| e.weight > 0.0)
        .collect();
    let mut both: Vec<Edge> = edges.into_iter().flat_map(|e| [e, Edge { i: e.j, j: e.i, ..e }]).collect();
    both.sort_unstable_by_key(|e| (e.i, e.j));
    both
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

/// Points a parallel task moves in one round.
const BLOCK: usize = 4_096;
/// An edge's pull on its head, in umap-learn's steps.
const PULL: f32 = 2.0;
/// Rounds an epoch, each taking its share of every point's edges.
const ROUNDS: usize = 8;

/// umap-learn's stochastic layout: each edge pulls its ends together as often as its
/// strength says (the strongest every epoch), each pull followed by pushes away from
/// random samples; steps clipped to ±4, the learning rate falling linearly to 0.
///
/// Unlike umap-learn's, the points move at once, on every core, in eight rounds an epoch:
/// in each round every point follows an eighth of its own edges against where the others
/// stood when the round began (each pair is an edge both ways, and a pull moves the head
/// by the two pulls umap-learn's both directions give it), and the random samples are
/// hashes of the seed, the epoch and the edge. So the map is the same every time whatever
/// the number of threads. In one round an epoch the clusters came out looser (10-nearest
/// label agreement on the 100,000-row growth table 0.713, against 0.766 for the
/// one-thread layout this replaced and 0.781 for umap-learn's); in eight, 0.780.
fn layout(y: &mut [(f32, f32)], edges: &[Edge], epochs: usize, seed: u64, progress: &dyn Progress) {
    let n = y.len();
    let strongest = edges.iter().map(|e| e.weight).fold(0.0f32, f32::max);
    // Edges too weak to be sampled once in all the epochs are left out, as umap-learn does.
    // Each point's edges lie together (`edges` comes sorted by head), their other ends in
    // one array: reached through pointers, a sorted edge's far end was a cache miss.
    let edges: Vec<&Edge> = edges.iter().filter(|e| e.weight >= strongest / epochs as f32).collect();
    let targets: Vec<u32> = edges.iter().map(|e| e.j).collect();
    let mut starts = vec![0usize; n + 1];
    for e in &edges {
        starts[e.i as usize + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let every: Vec<f32> = edges.iter().map(|e| strongest / e.weight).collect();
    // When each edge is next pulled, and when its next pushes are due.
    let mut next: Vec<(f32, f32)> = every.iter().map(|&e| (e, e / NEGATIVE_RATE as f32)).collect();
    let mut before = y.to_vec();
    for epoch in 0..epochs {
        let alpha = LEARNING_RATE * (1.0 - epoch as f32 / epochs as f32);
        let epoch_seed = mix(seed, epoch as u64);
        for round in 0..ROUNDS {
            before.copy_from_slice(y);
            let blocks = blocks(y, &mut next, &starts);
            let step = Step {
                before: &before,
                targets: &targets,
                every: &every,
                starts: &starts,
                alpha,
                now: epoch as f32,
                epoch_seed,
            };
            blocks.into_par_iter().for_each(|block| step.move_block(block, round));
        }
        if epoch % 10 == 9 {
            progress.advance(epoch as u64 + 1);
        }
    }
}

/// The points a parallel task moves, from `first` on, and their edges' schedules.
struct Block<'a> {
    first: usize,
    points: &'a mut [(f32, f32)],
    due: &'a mut [(f32, f32)],
}

/// `points` and `schedule` (indexed by edge; point i's edges `starts[i]..starts[i + 1]`)
/// cut into blocks of `BLOCK` points.
fn blocks<'a>(
    mut points: &'a mut [(f32, f32)],
    mut schedule: &'a mut [(f32, f32)],
    starts: &[usize],
) -> Vec<Block<'a>> {
    let (n, mut out) = (points.len(), Vec::new());
    for first in (0..n).step_by(BLOCK) {
        let last = (first + BLOCK).min(n);
        let (here, rest) = std::mem::take(&mut points).split_at_mut(last - first);
        let (due, later) = std::mem::take(&mut schedule).split_at_mut(starts[last] - starts[first]);
        out.push(Block { first, points: here, due });
        (points, schedule) = (rest, later);
    }
    out
}

/// One round's moves, shared by the parallel tasks.
struct Step<'a> {
    before: &'a [(f32, f32)],
    targets: &'a [u32],
    every: &'a [f32],
    starts: &'a [usize],
    alpha: f32,
    now: f32,
    epoch_seed: u64,
}

impl Step<'_> {
    /// Moves the block's points along their edges of this `round`.
    fn move_block(&self, block: Block, round: usize) {
        let Block { first, points, due } = block;
        let clip = |v: f32| v.clamp(-4.0, 4.0);
        let (n, offset) = (self.before.len(), self.starts[first]);
        for (i, p) in (first..).zip(points.iter_mut()) {
            for e in (self.starts[i] + round..self.starts[i + 1]).step_by(ROUNDS) {
                let (next, next_negative) = &mut due[e - offset];
                if *next > self.now {
                    continue;
                }
                let j = self.targets[e] as usize;
                let (dx, dy) = (p.0 - self.before[j].0, p.1 - self.before[j].1);
                let d2 = dx * dx + dy * dy;
                if d2 > 0.0 {
                    let power = d2.powf(B);
                    let coeff = -2.0 * A * B * (power / d2) / (A * power + 1.0);
                    *p = (p.0 + PULL * clip(coeff * dx) * self.alpha, p.1 + PULL * clip(coeff * dy) * self.alpha);
                }
                *next += self.every[e];
                let every_negative = self.every[e] / NEGATIVE_RATE as f32;
                let negatives = ((self.now - *next_negative) / every_negative).max(0.0) as usize;
                let edge_seed = mix(self.epoch_seed, e as u64);
                for s in 0..negatives {
                    let k = below(mix(edge_seed, s as u64), n);
                    if k == i {
                        continue;
                    }
                    let (dx, dy) = (p.0 - self.before[k].0, p.1 - self.before[k].1);
                    let d2 = dx * dx + dy * dy;
                    let (gx, gy) = if d2 > 0.0 {
                        let coeff = 2.0 * B / ((0.001 + d2) * (A * d2.powf(B) + 1.0));
                        (clip(coeff * dx), clip(coeff * dy))
                    } else {
                        (4.0, 4.0)
                    };
                    *p = (p.0 + gx * self.alpha, p.1 + gy * self.alpha);
                }
                *next_negative += negatives as f32 * every_negative;
            }
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
    fn the_layout_is_the_same_on_any_number_of_threads() {
        // A ring of points, each linked to the next two each way, over several blocks.
        let n = 3 * BLOCK + 100;
        let mut edges = Vec::new();
        for i in 0..n {
            for (step, weight) in [(1, 1.0), (2, 0.5), (n - 1, 1.0), (n - 2, 0.5)] {
                edges.push(Edge { i: i as u32, j: ((i + step) % n) as u32, weight });
            }
        }
        edges.sort_unstable_by_key(|e| (e.i, e.j));
        let start: Vec<(f32, f32)> =
            (0..n as u64).map(|i| ((mix(1, i) % 1000) as f32 / 100.0, (mix(2, i) % 1000) as f32 / 100.0)).collect();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut y = start.clone();
            pool.install(|| layout(&mut y, &edges, 20, 5, &crate::progress::Silent));
            y
        };
        let one = on(1);
        assert_eq!(one, on(3));
        assert!(one.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
        // Linked points end nearer each other than they started.
        let gap = |y: &[(f32, f32)]| {
            (0..n)
                .map(|i| {
                    let (a, b) = (y[i], y[(i + 1) % n]);
                    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
                })
                .sum::<f32>()
                / n as f32
        };
        assert!(gap(&one) < 0.5 * gap(&start), "{} then {}", gap(&start), gap(&one));
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
