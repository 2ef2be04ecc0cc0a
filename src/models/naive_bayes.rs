//! Naive Bayes as scikit-learn's defaults: Gaussian for dense features (variances smoothed
//! by 1e-9 of the largest), multinomial with Laplace smoothing (alpha = 1) for counts and
//! TF-IDF weights.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::features::Matrix;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gaussian {
    log_prior: Vec<f64>,
    /// Per class, per feature.
    mean: Vec<Vec<f64>>,
    var: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Multinomial {
    log_prior: Vec<f64>,
    /// Per class, per feature: log P(feature | class).
    log_prob: Vec<Vec<f64>>,
}

fn log_priors(y: &[usize], k: usize) -> Vec<f64> {
    let mut counts = vec![0.0; k];
    y.iter().for_each(|c| counts[*c] += 1.0);
    counts.iter().map(|c| (c / y.len() as f64).ln()).collect()
}

impl Gaussian {
    /// Fits on `x`, whose columns were divided by `scales` when given: the smoothing is then
    /// 1e-9 of the largest *unscaled* variance, in each column's own units, which gives the
    /// probabilities a fit on the unscaled columns would.
    pub fn fit(x: &Matrix, y: &[usize], k: usize, scales: Option<&[f64]>) -> Gaussian {
        let d = x.cols();
        let (mut sum, mut sq) = (vec![vec![0.0; d]; k], vec![vec![0.0; d]; k]);
        let mut count = vec![0.0; k];
        let (mut all_sum, mut all_sq) = (vec![0.0; d], vec![0.0; d]);
        for (i, &c) in y.iter().enumerate() {
            count[c] += 1.0;
            x.row(i).for_each(|j, v| {
                let v = v as f64;
                sum[c][j] += v;
                sq[c][j] += v * v;
                all_sum[j] += v;
                all_sq[j] += v * v;
            });
        }
        let n = y.len() as f64;
        let scale = |j: usize| scales.and_then(|s| s.get(j)).copied().unwrap_or(1.0);
        let unscaled_var = |j: usize| (all_sq[j] / n - (all_sum[j] / n).powi(2)) * scale(j).powi(2);
        let largest_var = (0..d).map(unscaled_var).fold(0.0, f64::max);
        let epsilon: Vec<f64> = (0..d).map(|j| 1e-9 * largest_var.max(f64::MIN_POSITIVE) / scale(j).powi(2)).collect();
        let mean: Vec<Vec<f64>> = (0..k).map(|c| sum[c].iter().map(|s| s / count[c]).collect()).collect();
        let var = (0..k)
            .map(|c| (0..d).map(|j| (sq[c][j] / count[c] - mean[c][j].powi(2)).max(0.0) + epsilon[j]).collect())
            .collect();
        Gaussian { log_prior: log_priors(y, k), mean, var }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let k = self.log_prior.len();
        let constant: Vec<f64> = (0..k)
            .map(|c| {
                self.log_prior[c] - 0.5 * self.var[c].iter().map(|v| (std::f64::consts::TAU * v).ln()).sum::<f64>()
            })
            .collect();
        let scores = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                let mut dense = vec![0.0; x.cols()];
                row.for_each(|j, v| dense[j] = v as f64);
                let constant = &constant;
                (0..k).map(move |c| {
                    let distance: f64 =
                        (0..dense.len()).map(|j| (dense[j] - self.mean[c][j]).powi(2) / self.var[c][j]).sum();
                    constant[c] - 0.5 * distance
                })
            })
            .collect();
        Probabilities::softmax(k, scores)
    }
}

impl Multinomial {
    pub fn fit(x: &Matrix, y: &[usize], k: usize) -> Multinomial {
        const ALPHA: f64 = 1.0;
        let d = x.cols();
        let mut counts = vec![vec![ALPHA; d]; k];
        for (i, &c) in y.iter().enumerate() {
            x.row(i).for_each(|j, v| counts[c][j] += v as f64);
        }
        let log_prob = counts
            .iter()
            .map(|row| {
                let total: f64 = row.iter().sum();
                row.iter().map(|v| (v / total).ln()).collect()
            })
            .collect();
        Multinomial { log_prior: log_priors(y, k), log_prob }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let k = self.log_prior.len();
        let scores = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let row = x.row(i);
                (0..k).map(move |c| self.log_prior[c] + row.dot(&self.log_prob[c]))
            })
            .collect();
        Probabilities::softmax(k, scores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs, documents};

    #[test]
    fn gaussian_matches_the_hand_computed_posterior() {
        // Class 0 at {0, 2} (mean 1, var 1), class 1 at {4, 6} (mean 5, var 1): at x = 2 the
        // log-odds are -(2-1)²/2 + (2-5)²/2 = 4, so P(class 0) = 1 / (1 + e^-4).
        let x = Matrix::dense(4, 1, vec![0.0, 2.0, 4.0, 6.0]);
        let m = Gaussian::fit(&x, &[0, 0, 1, 1], 2, None);
        let p = m.predict_proba(&Matrix::dense(1, 1, vec![2.0]));
        assert!((p.row(0)[0] - 1.0 / (1.0 + (-4.0f64).exp())).abs() < 1e-6, "{:?}", p.row(0));
        let (x, y) = blobs(3, 40, 4, 4.0, 8);
        assert!(accuracy(&Gaussian::fit(&x, &y, 3, None).predict_proba(&x), &y) > 0.95);
    }

    #[test]
    fn standardized_columns_with_their_scales_give_the_unscaled_fit() {
        // Column 0 spans thousands; column 1 barely moves, so the smoothing (1e-9 of the
        // largest variance, column 0's) dominates its variance only in unscaled units.
        let rows: Vec<[f32; 2]> = (0..40)
            .map(|i| [(i * 97 % 40) as f32 * 100.0, if i % 2 == 0 { 1e-4 * (i % 3) as f32 } else { 0.0 }])
            .collect();
        let y: Vec<usize> = (0..40).map(|i| i % 2).collect();
        let unscaled = Matrix::dense(40, 2, rows.iter().flatten().copied().collect());
        let mut data: Vec<f32> = rows.iter().flatten().copied().collect();
        let scaler = crate::features::Scaler::fit(&data, 2);
        scaler.apply(&mut data);
        let scaled = Matrix::dense(40, 2, data);
        let reference = Gaussian::fit(&unscaled, &y, 2, None).predict_proba(&unscaled);
        let with_scales = Gaussian::fit(&scaled, &y, 2, Some(scaler.scales())).predict_proba(&scaled);
        let without = Gaussian::fit(&scaled, &y, 2, None).predict_proba(&scaled);
        let gap = |a: &Probabilities, b: &Probabilities| {
            (0..40).map(|i| (a.row(i)[0] - b.row(i)[0]).abs()).fold(0.0, f64::max)
        };
        assert!(gap(&reference, &with_scales) < 1e-4, "{}", gap(&reference, &with_scales));
        assert!(gap(&reference, &without) > 0.05, "the scales matter here: {}", gap(&reference, &without));
    }

    #[test]
    fn multinomial_matches_the_hand_computed_posterior() {
        // Two words; class 0 saw word 0 three times, class 1 saw word 1 three times. With
        // alpha = 1: P(w0|c0) = 4/5, P(w0|c1) = 1/5, equal priors → P(c0 | one w0) = 0.8.
        let x = Matrix::sparse(2, vec![vec![(0, 3.0)], vec![(1, 3.0)]]);
        let m = Multinomial::fit(&x, &[0, 1], 2);
        let p = m.predict_proba(&Matrix::sparse(2, vec![vec![(0, 1.0)]]));
        assert!((p.row(0)[0] - 0.8).abs() < 1e-12, "{:?}", p.row(0));
        let (x, y) = documents(4, 50, 400, 9);
        assert!(accuracy(&Multinomial::fit(&x, &y, 4).predict_proba(&x), &y) > 0.95);
    }
}
