//! Histogram gradient-boosted trees with the softmax (multinomial) loss, after scikit-learn's
//! `HistGradientBoostingClassifier` defaults: learning rate 0.1, up to 255 bins a feature,
//! trees grown best leaf first up to 31 leaves with at least 20 samples a leaf, no L2, up to
//! 100 iterations, and early stopping on a 10% validation share for more than 10,000 rows
//! (10 iterations without the validation loss improving by 1e-7). One tree per class per
//! iteration. Histograms are built over the features in parallel, and a child's is the
//! parent's minus its sibling's. Dense features only: on TF-IDF's sparse thousands of
//! columns the binned copy would be larger than the data, and linear models do better.
//!
//! Our own: the pure-Rust crates looked at (perpetual, forust-ml) fit binary or regression
//! losses, or need nightly; a C++ engine would break the README's two commands on a machine
//! with only the Rust toolchain.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::error::{Error, Result};
use crate::features::{Matrix, Row};
use crate::progress::Progress;

const RATE: f64 = 0.1;
const MAX_ITERATIONS: usize = 100;
const MAX_BINS: usize = 255;
const MAX_LEAVES: usize = 31;
const MIN_LEAF: usize = 20;
const MIN_HESSIAN: f64 = 1e-3;
const EARLY_STOP_ABOVE: usize = 10_000;
const VALIDATION_SHARE: f64 = 0.1;
const PATIENCE: usize = 10;
const TOLERANCE: f64 = 1e-7;
/// Rows × features below which a histogram is counted on one thread, and bins below which
/// a leaf's best split is looked for on one.
const PARALLEL_WORK: usize = 1 << 18;
const PARALLEL_BINS: usize = 1 << 14;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Boosting {
    k: usize,
    /// The prior's log-odds each row starts from.
    base: Vec<f64>,
    /// Per iteration, one tree per class.
    trees: Vec<Vec<Tree>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Node {
    Leaf(f64),
    /// Rows with `x[feature] <= threshold` go to `left`.
    Split {
        feature: u32,
        threshold: f32,
        left: u32,
        right: u32,
    },
}

/// Gradient, hessian and count of the rows in one bin.
#[derive(Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    n: u32,
}

impl Boosting {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, seed: u64, progress: &dyn Progress) -> Result<Boosting> {
        if x.is_sparse() {
            return Err(Error::user(
                "gradient_boosting is for dense features (tables, pixels, HOG, log-mel); for texts use logistic or naive_bayes",
            ));
        }
        let (n, d) = (x.rows(), x.cols());
        let mut rows: Vec<usize> = (0..n).collect();
        let mut validation = Vec::new();
        if n > EARLY_STOP_ABOVE {
            rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
            validation = rows.split_off(n - (n as f64 * VALIDATION_SHARE) as usize);
            rows.sort_unstable();
        }
        let thresholds: Vec<Vec<f32>> = (0..d).into_par_iter().map(|j| thresholds_of(x, &rows, j)).collect();
        let binned = Binned::new(x, &thresholds);
        let mut counts = vec![0usize; k];
        rows.iter().for_each(|&i| counts[y[i]] += 1);
        let base: Vec<f64> = counts.iter().map(|&c| ((c.max(1)) as f64 / rows.len() as f64).ln()).collect();
        let mut raw: Vec<Vec<f64>> = vec![base.clone(); n];
        let mut model = Boosting { k, base, trees: Vec::new() };
        let (mut best, mut since_best) = (f64::INFINITY, 0);
        let mut pool = Pool::default();
        for iteration in 0..MAX_ITERATIONS {
            let probs: Vec<Vec<f64>> = raw.iter().map(|r| softmax(r)).collect();
            let grown: Vec<Tree> = (0..k)
                .map(|c| {
                    let g: Vec<f64> = (0..n).map(|i| probs[i][c] - f64::from(u8::from(y[i] == c))).collect();
                    let h: Vec<f64> = (0..n).map(|i| (probs[i][c] * (1.0 - probs[i][c])).max(1e-16)).collect();
                    grow(&binned, &thresholds, &rows, &g, &h, &mut pool)
                })
                .collect();
            for (i, r) in raw.iter_mut().enumerate() {
                for (c, tree) in grown.iter().enumerate() {
                    r[c] += tree.value(x.row(i));
                }
            }
            model.trees.push(grown);
            let train_loss = mean_log_loss(&raw, y, &rows);
            progress.loss(iteration as u64, train_loss);
            if !validation.is_empty() {
                let loss = mean_log_loss(&raw, y, &validation);
                if loss < best - TOLERANCE {
                    (best, since_best) = (loss, 0);
                } else {
                    since_best += 1;
                    if since_best >= PATIENCE {
                        break;
                    }
                }
            }
        }
        Ok(model)
    }

    #[cfg(test)]
    fn iterations(&self) -> usize {
        self.trees.len()
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let data: Vec<f64> = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                let mut raw = self.base.clone();
                for trees in &self.trees {
                    for (c, tree) in trees.iter().enumerate() {
                        raw[c] += tree.value(row);
                    }
                }
                softmax(&raw)
            })
            .collect();
        Probabilities::new(self.k, data)
    }
}

impl Tree {
    fn value(&self, row: Row) -> f64 {
        let mut at = 0;
        loop {
            match self.nodes[at] {
                Node::Leaf(v) => return v,
                Node::Split { feature, threshold, left, right } => {
                    // A missing value was binned first, so it goes left, as in training.
                    let v = row.get(feature as usize);
                    at = if v.is_nan() || v <= threshold { left } else { right } as usize;
                }
            }
        }
    }
}

/// Up to `MAX_BINS - 1` thresholds between the feature's values among `rows`: midpoints
/// between distinct values, at quantiles when there are more.
fn thresholds_of(x: &Matrix, rows: &[usize], j: usize) -> Vec<f32> {
    let mut values: Vec<f32> = rows.iter().map(|&i| x.row(i).get(j)).filter(|v| !v.is_nan()).collect();
    values.sort_by(f32::total_cmp);
    values.dedup();
    if values.len() <= MAX_BINS {
        return values.windows(2).map(|w| w[0] + (w[1] - w[0]) / 2.0).collect();
    }
    let mut cuts: Vec<f32> = (1..MAX_BINS).map(|q| values[q * values.len() / MAX_BINS]).collect();
    cuts.dedup();
    cuts
}

/// Every feature's bins, column by column.
struct Binned {
    columns: Vec<Vec<u8>>,
    /// Bins of each feature: its thresholds and one.
    bins: Vec<usize>,
}

impl Binned {
    fn new(x: &Matrix, thresholds: &[Vec<f32>]) -> Binned {
        let n = x.rows();
        let columns = thresholds
            .par_iter()
            .enumerate()
            .map(|(j, t)| (0..n).map(|i| t.partition_point(|edge| *edge < x.row(i).get(j)) as u8).collect())
            .collect();
        Binned { columns, bins: thresholds.iter().map(|t| t.len() + 1).collect() }
    }
}

/// A leaf being grown: its rows, its histograms, and its best split if it has one.
struct Leaf {
    rows: Vec<usize>,
    histograms: Vec<Vec<Bin>>,
    g: f64,
    h: f64,
    best: Option<(f64, usize, usize)>,
}

/// Histogram sets no leaf holds any more, kept for the next ones: allocating a fresh set
/// for every leaf made the kernel zero gigabytes of pages.
#[derive(Default)]
struct Pool {
    spare: Vec<Vec<Vec<Bin>>>,
}

impl Pool {
    fn take(&mut self, binned: &Binned) -> Vec<Vec<Bin>> {
        match self.spare.pop() {
            Some(mut set) => {
                set.iter_mut().for_each(|h| h.fill(Bin::default()));
                set
            }
            None => binned.bins.iter().map(|&b| vec![Bin::default(); b]).collect(),
        }
    }

    fn give(&mut self, set: Vec<Vec<Bin>>) {
        if !set.is_empty() {
            self.spare.push(set);
        }
    }
}

fn histograms(binned: &Binned, rows: &[usize], g: &[f64], h: &[f64], pool: &mut Pool) -> Vec<Vec<Bin>> {
    let mut set = pool.take(binned);
    let fill = |(hist, column): (&mut Vec<Bin>, &Vec<u8>)| {
        for &i in rows {
            let b = &mut hist[column[i] as usize];
            b.g += g[i];
            b.h += h[i];
            b.n += 1;
        }
    };
    // Threads pay off only for enough work: small leaves cost more to schedule than to count.
    if rows.len() * binned.columns.len() >= PARALLEL_WORK {
        set.par_iter_mut().zip(&binned.columns).for_each(fill);
    } else {
        set.iter_mut().zip(&binned.columns).for_each(fill);
    }
    set
}

fn score(g: f64, h: f64) -> f64 {
    g * g / h
}

/// The best (gain, feature, bin) of a leaf: rows with bin ≤ `bin` go left.
fn best_split(leaf: &Leaf, thresholds: &[Vec<f32>]) -> Option<(f64, usize, usize)> {
    let parent = score(leaf.g, leaf.h);
    let of_feature = |(j, hist): (usize, &Vec<Bin>)| {
        let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
        let mut best: Option<(f64, usize, usize)> = None;
        for (b, bin) in hist.iter().enumerate().take(thresholds[j].len()) {
            (gl, hl, nl) = (gl + bin.g, hl + bin.h, nl + bin.n as usize);
            let (gr, hr, nr) = (leaf.g - gl, leaf.h - hl, leaf.rows.len() - nl);
            if nl < MIN_LEAF || nr < MIN_LEAF || hl < MIN_HESSIAN || hr < MIN_HESSIAN {
                continue;
            }
            let gain = score(gl, hl) + score(gr, hr) - parent;
            if gain > 1e-12 && best.is_none_or(|(g, _, _)| gain > g) {
                best = Some((gain, j, b));
            }
        }
        best
    };
    let better = |a: &(f64, usize, usize), b: &(f64, usize, usize)| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1));
    let bins: usize = leaf.histograms.iter().map(Vec::len).sum();
    if bins >= PARALLEL_BINS {
        leaf.histograms.par_iter().enumerate().filter_map(of_feature).max_by(better)
    } else {
        leaf.histograms.iter().enumerate().filter_map(of_feature).max_by(better)
    }
}

/// One tree, best leaf first, on the gradients `g` and hessians `h` of `rows`.
fn grow(binned: &Binned, thresholds: &[Vec<f32>], rows: &[usize], g: &[f64], h: &[f64], pool: &mut Pool) -> Tree {
    let new_leaf = |rows: Vec<usize>, histograms: Vec<Vec<Bin>>, pool: &mut Pool| {
        let (gs, hs) = rows.iter().fold((0.0, 0.0), |(a, b), &i| (a + g[i], b + h[i]));
        let mut leaf = Leaf { rows, histograms, g: gs, h: hs, best: None };
        leaf.best = best_split(&leaf, thresholds);
        // A leaf that cannot split never needs its histograms again.
        if leaf.best.is_none() {
            pool.give(std::mem::take(&mut leaf.histograms));
        }
        leaf
    };
    let root_h = histograms(binned, rows, g, h, pool);
    let root = new_leaf(rows.to_vec(), root_h, pool);
    // Nodes of the tree; `open[i]` is the leaf grown at node `slots[i]`.
    let mut nodes = vec![Node::Leaf(0.0)];
    let (mut open, mut slots) = (vec![root], vec![0usize]);
    let mut leaves = 1;
    while leaves < MAX_LEAVES {
        let Some(at) = (0..open.len())
            .filter(|&i| open[i].best.is_some())
            .max_by(|&a, &b| open[a].best.unwrap().0.total_cmp(&open[b].best.unwrap().0).then(b.cmp(&a)))
        else {
            break;
        };
        let leaf = open.swap_remove(at);
        let slot = slots.swap_remove(at);
        let (_, feature, bin) = leaf.best.expect("chosen for its split");
        let column = &binned.columns[feature];
        let (left, right): (Vec<usize>, Vec<usize>) = leaf.rows.iter().partition(|&&i| column[i] as usize <= bin);
        // The smaller child's histograms are built; the larger's are the parent's minus them,
        // in the parent's own buffers.
        let left_is_small = left.len() <= right.len();
        let small_h = histograms(binned, if left_is_small { &left } else { &right }, g, h, pool);
        let mut large_h = leaf.histograms;
        large_h.par_iter_mut().zip(&small_h).for_each(|(p, s)| {
            for (p, s) in p.iter_mut().zip(s) {
                (p.g, p.h, p.n) = (p.g - s.g, p.h - s.h, p.n - s.n);
            }
        });
        let (left_h, right_h) = if left_is_small { (small_h, large_h) } else { (large_h, small_h) };
        let (l, r) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[slot] = Node::Split {
            feature: feature as u32,
            threshold: thresholds[feature][bin],
            left: l as u32,
            right: r as u32,
        };
        open.push(new_leaf(left, left_h, pool));
        slots.push(l);
        open.push(new_leaf(right, right_h, pool));
        slots.push(r);
        leaves += 1;
    }
    for (leaf, slot) in open.into_iter().zip(&slots) {
        nodes[*slot] = Node::Leaf(-RATE * leaf.g / leaf.h.max(MIN_HESSIAN));
        pool.give(leaf.histograms);
    }
    Tree { nodes }
}

fn softmax(raw: &[f64]) -> Vec<f64> {
    let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = raw.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

fn mean_log_loss(raw: &[Vec<f64>], y: &[usize], rows: &[usize]) -> f64 {
    let total: f64 = rows.iter().map(|&i| -softmax(&raw[i])[y[i]].max(1e-15).ln()).sum();
    total / rows.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn dense(rows: &[Vec<f32>]) -> Matrix {
        Matrix::dense(rows.len(), rows[0].len(), rows.iter().flatten().copied().collect())
    }

    #[test]
    fn a_stump_separates_separable_data_and_probabilities_sum_to_one() {
        // Class 1 exactly where x0 > 5; x1 is noise.
        let rows: Vec<Vec<f32>> = (0..200).map(|i| vec![(i % 10) as f32, ((i * 7) % 13) as f32]).collect();
        let y: Vec<usize> = rows.iter().map(|r| usize::from(r[0] > 5.0)).collect();
        let m = Boosting::fit(&dense(&rows), &y, 2, 0, &Silent).unwrap();
        let p = m.predict_proba(&dense(&rows));
        for (i, &class) in y.iter().enumerate() {
            assert_eq!(p.predicted(i), class, "row {i}");
            assert!((p.row(i).iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        match &m.trees[0][0].nodes[0] {
            Node::Split { feature, threshold, .. } => assert_eq!((*feature, *threshold), (0, 5.5), "the first split"),
            Node::Leaf(_) => panic!("the first tree splits"),
        }
    }

    #[test]
    fn three_classes_repeat_under_a_seed_and_survive_a_save() {
        let rows: Vec<Vec<f32>> =
            (0..300).map(|i| vec![(i % 3) as f32 * 2.0 + (i % 7) as f32 * 0.1, (i % 5) as f32]).collect();
        let y: Vec<usize> = (0..300).map(|i| i % 3).collect();
        let x = dense(&rows);
        let a = Boosting::fit(&x, &y, 3, 1, &Silent).unwrap();
        let b = Boosting::fit(&x, &y, 3, 1, &Silent).unwrap();
        let (pa, pb) = (a.predict_proba(&x), b.predict_proba(&x));
        assert_eq!(
            (0..300).map(|i| pa.row(i).to_vec()).collect::<Vec<_>>(),
            (0..300).map(|i| pb.row(i).to_vec()).collect::<Vec<_>>()
        );
        assert!((0..300).all(|i| pa.predicted(i) == y[i]));
        let saved: Boosting = postcard::from_bytes(&postcard::to_allocvec(&a).unwrap()).unwrap();
        assert_eq!(saved.predict_proba(&x).row(7), pa.row(7));
        assert_eq!(a.iterations(), MAX_ITERATIONS, "no early stopping at 300 rows");
    }

    #[test]
    fn early_stopping_stops_on_noise() {
        // Labels that no feature explains: the validation loss stops improving at once.
        let n = 12_000;
        let rows: Vec<Vec<f32>> = (0..n).map(|i| vec![((i * 7919) % 1000) as f32]).collect();
        let y: Vec<usize> = (0..n).map(|i| ((i * 104_729) >> 3) % 2).collect();
        let m = Boosting::fit(&dense(&rows), &y, 2, 0, &Silent).unwrap();
        assert!(m.iterations() < MAX_ITERATIONS, "stopped after {}", m.iterations());
    }

    #[test]
    fn sparse_features_are_refused_with_what_to_use() {
        let x = Matrix::sparse(3, vec![vec![(0, 1.0)], vec![(2, 1.0)]]);
        let e = Boosting::fit(&x, &[0, 1], 2, 0, &Silent).unwrap_err();
        assert!(e.message().contains("for texts use logistic"), "{}", e.message());
    }
}
