//! The detector's head: a small perceptron over each cell's features (one hidden ReLU
//! layer), giving a heat logit per class and the four numbers of a box's shape. Trained
//! with CenterNet's losses — a focal loss on the heats, an L1 loss on the shapes at the
//! centre cells — by Adam.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::encoders::linalg::{Strided, matmul, matmul_strided};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Head {
    pub inputs: usize,
    pub hidden: usize,
    pub classes: usize,
    /// `[inputs, hidden]`.
    w1: Vec<f32>,
    b1: Vec<f32>,
    /// `[hidden, classes + 4]`.
    w2: Vec<f32>,
    b2: Vec<f32>,
}

/// What one forward pass keeps for the backward one.
pub struct Pass {
    pub hidden: Vec<f32>,
    /// `rows × (classes + 4)`: heat logits, then the shape.
    pub out: Vec<f32>,
}

impl Head {
    /// Weights drawn by He's rule; the heat biases start where every cell says "nothing
    /// here" with 1 % confidence (CenterNet's prior), so the first steps are not spent
    /// learning that most cells are empty.
    pub fn new(inputs: usize, hidden: usize, classes: usize, rng: &mut impl RngExt) -> Head {
        let outputs = classes + 4;
        let mut draw = |n: usize, fan_in: usize| -> Vec<f32> {
            let scale = (2.0 / fan_in as f32).sqrt();
            (0..n).map(|_| (rng.random::<f32>() * 2.0 - 1.0) * scale * 3f32.sqrt() / 2f32.sqrt()).collect()
        };
        let w1 = draw(inputs * hidden, inputs);
        let w2 = draw(hidden * outputs, hidden).into_iter().map(|v| v * 0.1).collect();
        let mut b2 = vec![0.0f32; outputs];
        b2[..classes].fill(-(0.99f32 / 0.01).ln());
        Head { inputs, hidden, classes, w1, b1: vec![0.0; hidden], w2, b2 }
    }

    pub fn outputs(&self) -> usize {
        self.classes + 4
    }

    pub fn forward(&self, x: &[f32], rows: usize) -> Pass {
        let mut hidden = vec![0.0f32; rows * self.hidden];
        hidden.chunks_mut(self.hidden).for_each(|r| r.copy_from_slice(&self.b1));
        matmul(x, &self.w1, &mut hidden, rows, self.inputs, self.hidden, 1.0);
        hidden.iter_mut().for_each(|v| *v = v.max(0.0));
        let o = self.outputs();
        let mut out = vec![0.0f32; rows * o];
        out.chunks_mut(o).for_each(|r| r.copy_from_slice(&self.b2));
        matmul(&hidden, &self.w2, &mut out, rows, self.hidden, o, 1.0);
        Pass { hidden, out }
    }

    /// The gradients of every weight, in the order `params_mut` gives them, from the
    /// gradient of the loss by the outputs.
    pub fn backward(&self, x: &[f32], pass: &Pass, d_out: &[f32], rows: usize) -> Vec<Vec<f32>> {
        let (d, h, o) = (self.inputs, self.hidden, self.outputs());
        let transposed = |cols: usize| Strided { at: 0, row: 1, col: cols };
        let plain = |cols: usize| Strided { at: 0, row: cols, col: 1 };
        let mut d_w2 = vec![0.0f32; h * o];
        matmul_strided(1.0, &pass.hidden, transposed(h), d_out, plain(o), &mut d_w2, plain(o), (h, rows, o));
        let d_b2 = column_sums(d_out, o);
        let mut d_hidden = vec![0.0f32; rows * h];
        matmul_strided(1.0, d_out, plain(o), &self.w2, transposed(o), &mut d_hidden, plain(h), (rows, o, h));
        d_hidden.iter_mut().zip(&pass.hidden).for_each(|(g, a)| {
            if *a <= 0.0 {
                *g = 0.0;
            }
        });
        let mut d_w1 = vec![0.0f32; d * h];
        matmul_strided(1.0, x, transposed(d), &d_hidden, plain(h), &mut d_w1, plain(h), (d, rows, h));
        let d_b1 = column_sums(&d_hidden, h);
        vec![d_w1, d_b1, d_w2, d_b2]
    }

    fn params_mut(&mut self) -> [&mut Vec<f32>; 4] {
        [&mut self.w1, &mut self.b1, &mut self.w2, &mut self.b2]
    }
}

fn column_sums(m: &[f32], cols: usize) -> Vec<f32> {
    let mut s = vec![0.0f32; cols];
    m.chunks(cols).for_each(|r| s.iter_mut().zip(r).for_each(|(a, v)| *a += v));
    s
}

/// Adam with decoupled weight decay on the weight matrices.
pub struct Adam {
    lr: f32,
    decay: f32,
    step: i32,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

impl Adam {
    pub fn new(head: &mut Head, lr: f32, decay: f32) -> Adam {
        let zeros: Vec<Vec<f32>> = head.params_mut().iter().map(|p| vec![0.0; p.len()]).collect();
        Adam { lr, decay, step: 0, m: zeros.clone(), v: zeros }
    }

    pub fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }

    pub fn update(&mut self, head: &mut Head, grads: &[Vec<f32>]) {
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        self.step += 1;
        let c1 = 1.0 - b1.powi(self.step);
        let c2 = 1.0 - b2.powi(self.step);
        for (i, p) in head.params_mut().into_iter().enumerate() {
            let decay = if i % 2 == 0 { self.decay } else { 0.0 };
            for (((w, g), m), v) in p.iter_mut().zip(&grads[i]).zip(&mut self.m[i]).zip(&mut self.v[i]) {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                *w -= self.lr * ((*m / c1) / ((*v / c2).sqrt() + eps) + decay * *w);
            }
        }
    }
}

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f32) -> f32 {
    if x > 20.0 { x } else { x.exp().ln_1p() }
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// CenterNet's penalty-reduced focal loss of one heat logit `z` against target `t`, and its
/// gradient by `z` (α = 2, β = 4).
pub fn focal(z: f32, t: f32) -> (f32, f32) {
    let p = sigmoid(z);
    if t >= 1.0 {
        let log_p = -softplus(-z);
        let q = 1.0 - p;
        (-q * q * log_p, q * q * (2.0 * p * log_p - q))
    } else {
        let log_q = -softplus(z);
        let w = (1.0 - t).powi(4);
        (-w * p * p * log_q, w * p * p * (p - 2.0 * (1.0 - p) * log_q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn focal_gradient_matches_finite_differences() {
        for &(z, t) in &[(-3.0f32, 1.0f32), (0.5, 1.0), (2.0, 0.0), (-1.0, 0.3), (0.2, 0.9)] {
            let h = 1e-2;
            let numeric = (focal(z + h, t).0 - focal(z - h, t).0) / (2.0 * h);
            let (_, grad) = focal(z, t);
            assert!((numeric - grad).abs() < 1e-3, "z {z} t {t}: {numeric} vs {grad}");
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut head = Head::new(5, 4, 2, &mut rng);
        let rows = 3;
        let x: Vec<f32> = (0..rows * 5).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect();
        // Loss: the sum of outputs times fixed weights.
        let weights: Vec<f32> = (0..rows * 6).map(|i| (i as f32 - 8.0) / 10.0).collect();
        let loss = |head: &Head| -> f32 { head.forward(&x, rows).out.iter().zip(&weights).map(|(a, b)| a * b).sum() };
        let pass = head.forward(&x, rows);
        let grads = head.backward(&x, &pass, &weights, rows);
        for (p, grad) in grads.iter().enumerate() {
            for (i, analytic) in grad.iter().enumerate() {
                let h = 1e-3;
                head.params_mut()[p][i] += h;
                let up = loss(&head);
                head.params_mut()[p][i] -= 2.0 * h;
                let down = loss(&head);
                head.params_mut()[p][i] += h;
                let numeric = (up - down) / (2.0 * h);
                assert!((numeric - analytic).abs() < 2e-2, "param {p}[{i}]: {numeric} vs {analytic}");
            }
        }
    }
}
