//! Histogram gradient-boosted trees with the softmax (multinomial) loss, after scikit-learn's
//! `HistGradientBoostingClassifier` defaults: learning rate 0.1, up to 255 bins a feature,
//! trees grown best leaf first up to 31 leaves with at least 20 samples a leaf, no L2, up to
//! 100 iterations, and early stopping on a 10% validation share for more than 10,000 rows
//! (10 iterations without the validation loss improving by 1e-7). One tree per class per
//! iteration (the classes' trees grown in parallel when their histograms fit in memory).
//! Gaps (NaN) are binned on their own and sent to the side of each split that gains most;
//! columns marked categorical split on sets of codes. Dense features only: on TF-IDF's
//! sparse thousands of columns the binned copy would be larger than the data, and linear
//! models do better.
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
use crate::features::Matrix;
use crate::progress::Progress;

mod bins;
mod grow;
mod tree;

use bins::Binned;
use grow::{Grown, Pool};
use tree::Tree;

const RATE: f64 = 0.1;
const MAX_ITERATIONS: usize = 100;
const MAX_LEAVES: usize = 31;
const MIN_LEAF: usize = 20;
const MIN_HESSIAN: f64 = 1e-3;
const EARLY_STOP_ABOVE: usize = 10_000;
const VALIDATION_SHARE: f64 = 0.1;
const PATIENCE: usize = 10;
const TOLERANCE: f64 = 1e-7;
/// The classes' trees grow in parallel while all their histograms take at most this.
const PARALLEL_CLASSES_BYTES: usize = 1 << 29;

/// Why boosting refuses sparse TF-IDF rather than densifying tens of thousands of columns.
pub const NOT_FOR_SPARSE: &str =
    "gradient_boosting is for dense features (tables, pixels, HOG, log-mel); for texts use logistic or naive_bayes";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Boosting {
    k: usize,
    /// The prior's log-odds each row starts from.
    base: Vec<f64>,
    /// Per iteration, one tree per class.
    trees: Vec<Vec<Tree>>,
}

impl Boosting {
    /// Fits on rows `x` with classes `y`; `categorical` marks the columns holding category
    /// codes (empty: none).
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        k: usize,
        categorical: &[bool],
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<Boosting> {
        if x.is_sparse() {
            return Err(Error::user(NOT_FOR_SPARSE));
        }
        let n = x.rows();
        let mut rows: Vec<u32> = (0..n as u32).collect();
        let mut validation = Vec::new();
        if n > EARLY_STOP_ABOVE {
            rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
            validation = rows.split_off(n - (n as f64 * VALIDATION_SHARE) as usize);
            rows.sort_unstable();
            validation.sort_unstable();
        }
        let binned = Binned::new(x, &rows, categorical);
        let mut counts = vec![0usize; k];
        rows.iter().for_each(|&i| counts[y[i as usize]] += 1);
        let base: Vec<f64> = counts.iter().map(|&c| ((c.max(1)) as f64 / rows.len() as f64).ln()).collect();
        let mut raw: Vec<f64> = base.iter().copied().cycle().take(n * k).collect();
        let mut probs = softmax_rows(&raw, k);
        let mut model = Boosting { k, base, trees: Vec::new() };
        let (mut best, mut since_best) = (f64::INFINITY, 0);
        let parallel = k * (MAX_LEAVES + 1) * grow::histogram_bytes(&binned) <= PARALLEL_CLASSES_BYTES;
        let mut pools: Vec<Pool> = (0..k).map(|_| Pool::default()).collect();
        for iteration in 0..MAX_ITERATIONS {
            let grow_class = |(c, pool): (usize, &mut Pool)| {
                let g: Vec<f64> = (0..n).map(|i| probs[i * k + c] - f64::from(u8::from(y[i] == c))).collect();
                let h: Vec<f64> = (0..n).map(|i| (probs[i * k + c] * (1.0 - probs[i * k + c])).max(1e-16)).collect();
                grow::grow(&binned, &rows, &g, &h, pool)
            };
            let grown: Vec<Grown> = if parallel {
                pools.par_iter_mut().enumerate().map(grow_class).collect()
            } else {
                pools.iter_mut().enumerate().map(grow_class).collect()
            };
            for (c, grown) in grown.iter().enumerate() {
                for (leaf_rows, value) in &grown.leaves {
                    leaf_rows.iter().for_each(|&i| raw[i as usize * k + c] += value);
                }
                validation.iter().for_each(|&i| raw[i as usize * k + c] += grown.tree.value(x.row(i as usize)));
            }
            model.trees.push(grown.into_iter().map(|g| g.tree).collect());
            probs = softmax_rows(&raw, k);
            progress.loss(iteration as u64, mean_log_loss(&probs, y, k, &rows));
            if !validation.is_empty() {
                let loss = mean_log_loss(&probs, y, k, &validation);
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
                softmax(&mut raw);
                raw
            })
            .collect();
        Probabilities::new(self.k, data)
    }
}

/// The softmax of `raw`, in place.
fn softmax(raw: &mut [f64]) {
    let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    raw.iter_mut().for_each(|v| *v = (*v - max).exp());
    let sum: f64 = raw.iter().sum();
    raw.iter_mut().for_each(|v| *v /= sum);
}

/// The softmax of every row of the row-major `raw` scores (`k` a row).
fn softmax_rows(raw: &[f64], k: usize) -> Vec<f64> {
    let mut probs = raw.to_vec();
    probs.par_chunks_mut(k.max(1)).for_each(softmax);
    probs
}

fn mean_log_loss(probs: &[f64], y: &[usize], k: usize, rows: &[u32]) -> f64 {
    let total: f64 = rows.iter().map(|&i| -probs[i as usize * k + y[i as usize]].max(1e-15).ln()).sum();
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
        let m = Boosting::fit(&dense(&rows), &y, 2, &[], 0, &Silent).unwrap();
        let p = m.predict_proba(&dense(&rows));
        for (i, &class) in y.iter().enumerate() {
            assert_eq!(p.predicted(i), class, "row {i}");
            assert!((p.row(i).iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        match &m.trees[0][0].nodes[0] {
            tree::Node::Split { feature, threshold, .. } => {
                assert_eq!((*feature, *threshold), (0, 5.5), "the first split")
            }
            other => panic!("the first tree splits on a number: {other:?}"),
        }
    }

    #[test]
    fn three_classes_repeat_under_a_seed_and_survive_a_save() {
        let rows: Vec<Vec<f32>> =
            (0..300).map(|i| vec![(i % 3) as f32 * 2.0 + (i % 7) as f32 * 0.1, (i % 5) as f32]).collect();
        let y: Vec<usize> = (0..300).map(|i| i % 3).collect();
        let x = dense(&rows);
        let a = Boosting::fit(&x, &y, 3, &[], 1, &Silent).unwrap();
        let b = Boosting::fit(&x, &y, 3, &[], 1, &Silent).unwrap();
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
    fn gaps_are_routed_to_the_class_they_go_with() {
        // x0 is a gap exactly for class 1's rows, and otherwise the same in both classes.
        let rows: Vec<Vec<f32>> =
            (0..200).map(|i| vec![if i % 2 == 1 { f32::NAN } else { (i % 7) as f32 }, (i % 5) as f32]).collect();
        let y: Vec<usize> = (0..200).map(|i| i % 2).collect();
        let m = Boosting::fit(&dense(&rows), &y, 2, &[], 0, &Silent).unwrap();
        let p = m.predict_proba(&dense(&[vec![f32::NAN, 1.0], vec![3.0, 1.0]]));
        assert!(p.row(0)[1] > 0.9 && p.row(1)[0] > 0.9, "{:?} {:?}", p.row(0), p.row(1));
    }

    #[test]
    fn categories_split_as_sets_of_codes() {
        // Eight category codes: the even ones are class 0. No threshold does it in one split.
        let rows: Vec<Vec<f32>> = (0..400).map(|i| vec![(i % 8) as f32]).collect();
        let y: Vec<usize> = (0..400).map(|i| i % 2).collect();
        let m = Boosting::fit(&dense(&rows), &y, 2, &[true], 0, &Silent).unwrap();
        match &m.trees[0][0].nodes[0] {
            tree::Node::Among { codes, .. } => assert!(codes == &[0, 2, 4, 6] || codes == &[1, 3, 5, 7], "{codes:?}"),
            other => panic!("a split on a set of codes: {other:?}"),
        }
        let p = m.predict_proba(&dense(&rows));
        assert!((0..400).all(|i| p.predicted(i) == y[i]));
        let unseen = m.predict_proba(&dense(&[vec![f32::NAN]]));
        assert!((unseen.row(0).iter().sum::<f64>() - 1.0).abs() < 1e-9, "a gap still gets probabilities");
    }

    #[test]
    fn early_stopping_stops_on_noise() {
        // Labels that no feature explains: the validation loss stops improving at once.
        let n = 12_000;
        let rows: Vec<Vec<f32>> = (0..n).map(|i| vec![((i * 7919) % 1000) as f32]).collect();
        let y: Vec<usize> = (0..n).map(|i| ((i * 104_729) >> 3) % 2).collect();
        let m = Boosting::fit(&dense(&rows), &y, 2, &[], 0, &Silent).unwrap();
        assert!(m.iterations() < MAX_ITERATIONS, "stopped after {}", m.iterations());
    }

    #[test]
    fn sparse_features_are_refused_with_what_to_use() {
        let x = Matrix::sparse(3, vec![vec![(0, 1.0)], vec![(2, 1.0)]]);
        let e = Boosting::fit(&x, &[0, 1], 2, &[], 0, &Silent).unwrap_err();
        assert!(e.message().contains("for texts use logistic"), "{}", e.message());
    }
}
