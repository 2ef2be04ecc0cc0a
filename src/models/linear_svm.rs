//! A linear SVM as scikit-learn's `LinearSVC`: squared hinge loss, L2 penalty, C = 1, one
//! class against the rest, the intercept learned as a weight on a constant feature. Fitted
//! by dual coordinate descent (Hsieh et al., 2008), the method liblinear uses; probabilities
//! are the softmax of the decision scores.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

use super::Probabilities;
use crate::features::Matrix;
use crate::progress::Progress;

const C: f64 = 1.0;
const TOL: f64 = 1e-4;
const MAX_EPOCHS: usize = 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearSvm {
    /// One weight vector per class (its last entry is the intercept); a single one for two
    /// classes, scoring class 1 against class 0.
    w: Vec<Vec<f64>>,
    k: usize,
}

impl LinearSvm {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, seed: u64, progress: &dyn Progress) -> LinearSvm {
        let problems: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        progress.stage("fitting linear SVM (one class against the rest)", Some(problems.len() as u64));
        let done = AtomicU64::new(0);
        let sq_norms: Vec<f64> = (0..x.rows()).map(|i| x.row(i).squared_norm() + 1.0).collect();
        let w = problems
            .par_iter()
            .map(|&c| {
                let signs: Vec<f64> = y.iter().map(|&yi| if yi == c { 1.0 } else { -1.0 }).collect();
                let w = binary(x, &signs, &sq_norms, seed.wrapping_add(c as u64));
                progress.advance(done.fetch_add(1, Ordering::Relaxed) + 1);
                w
            })
            .collect();
        progress.finish();
        LinearSvm { w, k }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let d = x.cols();
        let scores: Vec<f64> = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                let s: Vec<f64> = self.w.iter().map(|w| row.dot(w) + w[d]).collect();
                if self.k == 2 { vec![-s[0] / 2.0, s[0] / 2.0] } else { s }
            })
            .collect();
        Probabilities::softmax(self.k, scores)
    }
}

/// Dual coordinate descent for one ±1 problem, with liblinear's shrinking: a sample whose
/// dual variable sits at zero with a gradient pointing outward is set aside until the rest
/// has converged, then everything is checked again. Returns the weights, intercept last.
fn binary(x: &Matrix, signs: &[f64], sq_norms: &[f64], seed: u64) -> Vec<f64> {
    let (n, d) = (x.rows(), x.cols());
    let diag = 0.5 / C;
    let mut w = vec![0.0; d + 1];
    let mut alpha = vec![0.0; n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut active_len = n;
    let mut pg_max_old = f64::INFINITY;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut epoch = 0;
    while epoch < MAX_EPOCHS {
        active[..active_len].shuffle(&mut rng);
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut s = 0;
        while s < active_len {
            let i = active[s];
            let row = x.row(i);
            let g = signs[i] * (row.dot(&w) + w[d]) - 1.0 + diag * alpha[i];
            let pg = if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active_len -= 1;
                    active.swap(s, active_len);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / (sq_norms[i] + diag)).max(0.0);
                let delta = (alpha[i] - old) * signs[i];
                row.add_to(&mut w[..d], delta);
                w[d] += delta;
            }
            s += 1;
        }
        epoch += 1;
        if pg_max - pg_min <= TOL {
            if active_len == n {
                break;
            }
            active_len = n;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs, documents};
    use crate::progress::Silent;

    #[test]
    fn separates_blobs_and_documents() {
        let (x, y) = blobs(4, 50, 5, 4.0, 4);
        let m = LinearSvm::fit(&x, &y, 4, 0, &Silent);
        assert!(accuracy(&m.predict_proba(&x), &y) > 0.95);
        let (x, y) = documents(2, 80, 200, 5);
        let m = LinearSvm::fit(&x, &y, 2, 0, &Silent);
        assert!(accuracy(&m.predict_proba(&x), &y) > 0.95);
    }

    #[test]
    fn the_margin_of_a_separable_pair_is_the_known_one() {
        // Two points at ±1 on one axis: the squared-hinge SVM with C = 1 and the intercept as
        // a constant feature minimizes w²/2 + 2(1 − w)²: w = 0.8, and by symmetry b = 0.
        let x = Matrix::dense(2, 1, vec![-1.0, 1.0]);
        let w = binary(&x, &[-1.0, 1.0], &[2.0, 2.0], 0);
        assert!((w[0] - 0.8).abs() < 1e-3, "w = {w:?}");
        assert!(w[1].abs() < 1e-3);
    }
}
