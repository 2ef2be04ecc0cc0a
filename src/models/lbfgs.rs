//! Limited-memory BFGS with a backtracking (Armijo) line search: enough for the smooth,
//! convex objective of multinomial logistic regression.

use std::collections::VecDeque;

pub struct Options {
    pub max_iter: usize,
    /// Stop when the largest gradient component is at most this.
    pub tol: f64,
    pub memory: usize,
}

/// Minimizes `f`, which returns the objective at `x` and writes its gradient; `on_iteration`
/// hears each iteration's number and objective.
pub fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    mut x: Vec<f64>,
    options: &Options,
    mut on_iteration: impl FnMut(usize, f64),
) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut history: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let (mut x_new, mut g_new) = (vec![0.0; n], vec![0.0; n]);
    for iter in 0..options.max_iter {
        if max_abs(&g) <= options.tol {
            break;
        }
        let d = direction(&g, &history);
        let slope = dot(&g, &d);
        let d = if slope < 0.0 { d } else { g.iter().map(|v| -v).collect() };
        let slope = dot(&g, &d);
        let mut step = if history.is_empty() { 1.0 / max_abs(&g).max(1.0) } else { 1.0 };
        let mut accepted = false;
        for _ in 0..40 {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            let f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                let sy = dot(&s, &y);
                if sy > 1e-12 {
                    if history.len() == options.memory {
                        history.pop_front();
                    }
                    history.push_back((s, y, 1.0 / sy));
                }
                std::mem::swap(&mut x, &mut x_new);
                std::mem::swap(&mut g, &mut g_new);
                let improvement = fx - f_new;
                fx = f_new;
                accepted = improvement > f64::EPSILON * fx.abs().max(1.0);
                break;
            }
            step *= 0.5;
        }
        on_iteration(iter + 1, fx);
        if !accepted {
            break;
        }
    }
    x
}

/// The two-loop recursion: `-H·g` from the stored curvature pairs.
fn direction(g: &[f64], history: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let a = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(q, y)| *q -= a * y);
        alphas.push(a);
    }
    if let Some((s, y, _)) = history.back() {
        let gamma = dot(s, y) / dot(y, y);
        q.iter_mut().for_each(|q| *q *= gamma);
    }
    for ((s, y, rho), a) in history.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        q.iter_mut().zip(s).for_each(|(q, s)| *q += (a - b) * s);
    }
    q.iter_mut().for_each(|q| *q = -*q);
    q
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_an_ill_conditioned_quadratic() {
        let scales = [1.0, 10.0, 100.0, 1000.0];
        let f = |x: &[f64], g: &mut [f64]| {
            let mut v = 0.0;
            for i in 0..4 {
                let r = x[i] - i as f64;
                v += 0.5 * scales[i] * r * r;
                g[i] = scales[i] * r;
            }
            v
        };
        let opts = Options { max_iter: 200, tol: 1e-8, memory: 10 };
        let x = minimize(f, vec![5.0; 4], &opts, |_, _| {});
        for (i, v) in x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-6, "x[{i}] = {v}");
        }
    }
}
