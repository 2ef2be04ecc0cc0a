//! A random forest as scikit-learn's default: 100 trees, each on a bootstrap sample and
//! looking at √features per split; the probabilities are the trees' mean. Trees grow in
//! parallel, each from its own seed, so the forest is the same however threads run.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use super::tree::{Params, Tree};
use crate::features::Matrix;
use crate::progress::{Counter, Progress};

const TREES: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forest {
    trees: Vec<Tree>,
    k: usize,
}

impl Forest {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, seed: u64, progress: &dyn Progress) -> Forest {
        let n = y.len();
        let max_features = ((x.cols() as f64).sqrt() as usize).max(1);
        let counter = Counter::start(progress, "growing the random forest", TREES);
        let trees = (0..TREES)
            .into_par_iter()
            .map(|t| {
                let tree_seed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(t as u64);
                let mut rng = ChaCha8Rng::seed_from_u64(tree_seed);
                let mut weights = vec![0u32; n];
                (0..n).for_each(|_| weights[rng.random_range(0..n)] += 1);
                let params = Params { max_features: Some(max_features), seed: tree_seed };
                let tree = Tree::fit_weighted(x, y, &weights, k, &params);
                counter.tick();
                tree
            })
            .collect();
        counter.finish();
        Forest { trees, k }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let data = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                let mut mean = vec![0.0; self.k];
                for tree in &self.trees {
                    tree.leaf(row).iter().zip(mean.iter_mut()).for_each(|(p, m)| *m += *p as f64);
                }
                mean.iter_mut().for_each(|m| *m /= self.trees.len() as f64);
                mean
            })
            .collect();
        Probabilities::new(self.k, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs};
    use crate::progress::Silent;

    #[test]
    fn generalizes_on_blobs_and_is_reproducible() {
        let (all_x, all_y) = blobs(3, 90, 6, 2.5, 12);
        let (train, test): (Vec<usize>, Vec<usize>) = (0..all_y.len()).partition(|&i| i < 180);
        let (x, y) = (all_x.select(&train), train.iter().map(|&i| all_y[i]).collect::<Vec<_>>());
        let (test_x, test_y) = (all_x.select(&test), test.iter().map(|&i| all_y[i]).collect::<Vec<_>>());
        let forest = Forest::fit(&x, &y, 3, 7, &Silent);
        assert!(accuracy(&forest.predict_proba(&test_x), &test_y) > 0.9);
        let again = Forest::fit(&x, &y, 3, 7, &Silent);
        assert_eq!(forest.predict_proba(&test_x), again.predict_proba(&test_x));
    }
}
