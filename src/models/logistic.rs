//! Multinomial logistic regression with an L2 penalty, as scikit-learn's default
//! (C = 1, intercept unpenalized), fitted by L-BFGS on the mean log loss.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use super::lbfgs::{self, Options};
use super::probabilities::softmax_in_place;
use crate::features::Matrix;
use crate::progress::Progress;

const C: f64 = 1.0;
/// scikit-learn's default.
const MAX_ITER: usize = 100;
/// The gradient is summed over this many fixed row ranges (bounded memory, fixed order).
const CHUNKS: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Logistic {
    k: usize,
    d: usize,
    /// Class-major: class `c` has weights `w[c*(d+1) .. c*(d+1)+d]` and then its intercept.
    w: Vec<f64>,
}

impl Logistic {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, progress: &dyn Progress) -> Logistic {
        let d = x.cols();
        let n = x.rows() as f64;
        let penalty = 1.0 / (C * n);
        progress.stage("fitting logistic regression (L-BFGS)", Some(MAX_ITER as u64));
        // Fixed ranges summed in order: the same data and seed give the same weights
        // however the threads are scheduled.
        let size = x.rows().div_ceil(CHUNKS).max(1);
        let chunks: Vec<std::ops::Range<usize>> =
            (0..x.rows()).step_by(size).map(|a| a..(a + size).min(x.rows())).collect();
        let objective = |w: &[f64], grad: &mut [f64]| {
            let parts: Vec<(f64, Vec<f64>)> = chunks
                .par_iter()
                .map(|range| {
                    let (mut loss, mut g) = (0.0, vec![0.0; w.len()]);
                    for i in range.clone() {
                        let row = x.row(i);
                        let mut z: Vec<f64> = (0..k).map(|c| row.dot(&w[c * (d + 1)..]) + w[c * (d + 1) + d]).collect();
                        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        loss += max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln() - z[y[i]];
                        softmax_in_place(&mut z);
                        z[y[i]] -= 1.0;
                        for (c, r) in z.iter().enumerate() {
                            row.add_to(&mut g[c * (d + 1)..c * (d + 1) + d], *r);
                            g[c * (d + 1) + d] += r;
                        }
                    }
                    (loss, g)
                })
                .collect();
            let mut loss = 0.0;
            let mut g = vec![0.0; w.len()];
            for (l, part) in parts {
                loss += l;
                g.iter_mut().zip(part).for_each(|(a, b)| *a += b);
            }
            let mut value = loss / n;
            for (j, (gj, wj)) in grad.iter_mut().zip(w).enumerate() {
                *gj = g[j] / n;
                if j % (d + 1) != d {
                    *gj += penalty * wj;
                    value += 0.5 * penalty * wj * wj;
                }
            }
            value
        };
        let options = Options { max_iter: MAX_ITER, tol: 1e-4, memory: 10 };
        let w = lbfgs::minimize(objective, vec![0.0; k * (d + 1)], &options, |i, loss| {
            progress.advance(i as u64);
            progress.loss(i as u64, loss);
        });
        progress.finish();
        Logistic { k, d, w }
    }

    pub fn scores(&self, x: &Matrix) -> Vec<f64> {
        let (k, d) = (self.k, self.d);
        (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                (0..k).map(move |c| row.dot(&self.w[c * (d + 1)..]) + self.w[c * (d + 1) + d])
            })
            .collect()
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        Probabilities::softmax(self.k, self.scores(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs, documents};
    use crate::progress::Silent;

    #[test]
    fn separates_blobs_and_documents() {
        let (x, y) = blobs(3, 60, 4, 4.0, 1);
        let m = Logistic::fit(&x, &y, 3, &Silent);
        assert!(accuracy(&m.predict_proba(&x), &y) > 0.95);
        let (x, y) = documents(3, 60, 300, 2);
        let m = Logistic::fit(&x, &y, 3, &Silent);
        assert!(accuracy(&m.predict_proba(&x), &y) > 0.95);
    }

    #[test]
    fn the_fit_is_a_minimum_of_the_penalized_loss() {
        // At the optimum the gradient vanishes: for the intercepts that means the mean
        // predicted probability of each class equals its share of the labels.
        let (x, y) = blobs(2, 40, 2, 1.0, 3);
        let m = Logistic::fit(&x, &y, 2, &Silent);
        let p = m.predict_proba(&x);
        let mean_p1: f64 = (0..x.rows()).map(|i| p.row(i)[1]).sum::<f64>() / x.rows() as f64;
        assert!((mean_p1 - 0.5).abs() < 1e-3, "mean probability of class 1 = {mean_p1}");
    }
}
