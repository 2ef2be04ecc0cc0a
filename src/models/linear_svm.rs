//! A linear SVM as scikit-learn's `LinearSVC`: squared hinge loss, L2 penalty, C = 1, one
//! class against the rest, the intercept learned as a weight on a constant feature. Like
//! liblinear under scikit-learn's `dual="auto"`: with more samples than features, Newton's
//! method on the primal (conjugate gradients for each step); otherwise dual coordinate
//! descent (Hsieh et al., 2008). Probabilities are the softmax of the decision scores.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::features::Matrix;
use crate::progress::{Counter, Progress};

const C: f64 = 1.0;
const TOL: f64 = 1e-4;
const MAX_EPOCHS: usize = 1000;
const MAX_NEWTON: usize = 1000;

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
        let counter = Counter::start(progress, "fitting linear SVM (one class against the rest)", problems.len());
        let sq_norms: Vec<f64> = (0..x.rows()).map(|i| x.row(i).squared_norm() + 1.0).collect();
        let w = problems
            .par_iter()
            .map(|&c| {
                let signs: Vec<f64> = y.iter().map(|&yi| if yi == c { 1.0 } else { -1.0 }).collect();
                let w = if x.rows() > x.cols() {
                    primal(x, &signs)
                } else {
                    binary(x, &signs, &sq_norms, seed.wrapping_add(c as u64))
                };
                counter.tick();
                w
            })
            .collect();
        counter.finish();
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

/// Newton's method on the primal objective ½‖w‖² + C Σ max(0, 1 − yᵢ w·xᵢ)² (the
/// intercept a weight on a constant 1), stopping when the gradient has shrunk as much as
/// liblinear asks. Returns the weights, intercept last.
fn primal(x: &Matrix, signs: &[f64]) -> Vec<f64> {
    let (n, d) = (x.rows(), x.cols());
    let score = |w: &[f64], i: usize| x.row(i).dot(w) + w[d];
    let objective = |w: &[f64]| {
        let loss: f64 = (0..n).map(|i| (1.0 - signs[i] * score(w, i)).max(0.0).powi(2)).sum();
        0.5 * w.iter().map(|v| v * v).sum::<f64>() + C * loss
    };
    let positives = signs.iter().filter(|s| **s > 0.0).count();
    let tol = TOL * (positives.min(n - positives).max(1) as f64) / n as f64;
    let mut w = vec![0.0; d + 1];
    let mut first_norm = None;
    for _ in 0..MAX_NEWTON {
        // Samples inside the margin carry the loss; the gradient and Hessian sum over them.
        let active: Vec<(usize, f64)> = (0..n)
            .filter_map(|i| {
                let slack = 1.0 - signs[i] * score(&w, i);
                (slack > 0.0).then_some((i, slack))
            })
            .collect();
        let mut g = w.clone();
        for &(i, slack) in &active {
            let scale = -2.0 * C * signs[i] * slack;
            x.row(i).add_to(&mut g[..d], scale);
            g[d] += scale;
        }
        let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        let first = *first_norm.get_or_insert(norm);
        if norm <= tol * first || norm == 0.0 {
            break;
        }
        let hessian_times = |v: &[f64]| {
            let mut out = v.to_vec();
            for &(i, _) in &active {
                let u = 2.0 * C * score(v, i);
                x.row(i).add_to(&mut out[..d], u);
                out[d] += u;
            }
            out
        };
        let step = conjugate_gradient(hessian_times, &g);
        let slope: f64 = g.iter().zip(&step).map(|(a, b)| a * b).sum();
        let f0 = objective(&w);
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..30 {
            let trial: Vec<f64> = w.iter().zip(&step).map(|(w, s)| w + t * s).collect();
            if objective(&trial) <= f0 + 1e-4 * t * slope {
                w = trial;
                moved = true;
                break;
            }
            t *= 0.5;
        }
        if !moved {
            break;
        }
    }
    w
}

/// Solves H s = −g approximately (to a tenth of ‖g‖), H given as a product.
fn conjugate_gradient(h: impl Fn(&[f64]) -> Vec<f64>, g: &[f64]) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
    let mut s = vec![0.0; g.len()];
    let mut r: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut p = r.clone();
    let mut rr = dot(&r, &r);
    let stop = 0.01 * rr;
    for _ in 0..g.len().max(1) * 2 {
        if rr <= stop {
            break;
        }
        let hp = h(&p);
        let alpha = rr / dot(&p, &hp);
        s.iter_mut().zip(&p).for_each(|(s, p)| *s += alpha * p);
        r.iter_mut().zip(&hp).for_each(|(r, hp)| *r -= alpha * hp);
        let rr_new = dot(&r, &r);
        let beta = rr_new / rr;
        rr = rr_new;
        p.iter_mut().zip(&r).for_each(|(p, r)| *p = r + beta * *p);
    }
    s
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
    fn primal_and_dual_find_the_same_weights() {
        let (x, y) = blobs(2, 60, 3, 1.5, 6);
        let signs: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
        let norms: Vec<f64> = (0..x.rows()).map(|i| x.row(i).squared_norm() + 1.0).collect();
        let (p, d) = (primal(&x, &signs), binary(&x, &signs, &norms, 0));
        for (a, b) in p.iter().zip(&d) {
            assert!((a - b).abs() < 1e-2 * a.abs().max(1.0), "primal {p:?} dual {d:?}");
        }
    }

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
        let w = primal(&x, &[-1.0, 1.0]);
        assert!((w[0] - 0.8).abs() < 1e-6 && w[1].abs() < 1e-6, "primal w = {w:?}");
    }
}
