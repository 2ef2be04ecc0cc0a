//! The few numeric kernels the encoders need, on row-major `f32` slices: a dense layer
//! (matrixmultiply's SGEMM, split by rows over the cores), layer normalization, GELU and a
//! row-wise softmax.

use rayon::prelude::*;

/// Rows per piece of work when a product is split over the cores: big enough that each
/// piece packs its operands once, small enough that two cores share a short text batch.
const ROWS_PER_TASK: usize = 32;

/// `y = x · wᵀ + b` with `w` stored `[out, in]` as PyTorch's `nn.Linear` keeps it.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out, in]`, row-major.
    pub weight: Vec<f32>,
    pub bias: Option<Vec<f32>>,
    pub inputs: usize,
    pub outputs: usize,
}

impl Linear {
    /// `rows` inputs of `self.inputs` values each → `rows × self.outputs`.
    pub fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = vec![0.0f32; rows * self.outputs];
        if let Some(b) = &self.bias {
            y.chunks_mut(self.outputs).for_each(|row| row.copy_from_slice(b));
        }
        let beta = if self.bias.is_some() { 1.0 } else { 0.0 };
        matmul_transposed(x, &self.weight, &mut y, rows, self.inputs, self.outputs, beta);
        y
    }
}

/// `c = a · bᵀ + beta · c` for `a` `[m, k]`, `b` `[n, k]`, `c` `[m, n]`, split by rows of `a`.
pub fn matmul_transposed(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, beta: f32) {
    debug_assert!(a.len() >= m * k && b.len() >= n * k && c.len() >= m * n);
    let run = |a: &[f32], c: &mut [f32], rows: usize| {
        // SAFETY: the slices hold `rows × k`, `n × k` and `rows × n` values, checked above,
        // and the strides describe exactly those row-major layouts (b read transposed).
        unsafe {
            matrixmultiply::sgemm(
                rows,
                k,
                n,
                1.0,
                a.as_ptr(),
                k as isize,
                1,
                b.as_ptr(),
                1,
                k as isize,
                beta,
                c.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    };
    if m * k * n < 1 << 18 || m < 2 * ROWS_PER_TASK {
        run(a, c, m);
        return;
    }
    a.par_chunks(ROWS_PER_TASK * k).zip(c.par_chunks_mut(ROWS_PER_TASK * n)).for_each(|(a, c)| run(a, c, a.len() / k));
}

/// A matrix view inside a slice: where row `i`, column `j` is `at + i·row + j·col`.
#[derive(Debug, Clone, Copy)]
pub struct Strided {
    pub at: usize,
    pub row: usize,
    pub col: usize,
}

impl Strided {
    /// The last index the view reaches for `rows × cols`, plus one.
    fn end(self, rows: usize, cols: usize) -> usize {
        if rows == 0 || cols == 0 { self.at } else { self.at + (rows - 1) * self.row + (cols - 1) * self.col + 1 }
    }
}

/// `c = alpha · a · b` over strided views (attention's per-head products, read in place):
/// `a` is `m × k`, `b` `k × n`, `c` `m × n` (one thread).
#[allow(clippy::too_many_arguments)]
pub fn matmul_strided(
    alpha: f32,
    a: &[f32],
    av: Strided,
    b: &[f32],
    bv: Strided,
    c: &mut [f32],
    cv: Strided,
    (m, k, n): (usize, usize, usize),
) {
    assert!(av.end(m, k) <= a.len() && bv.end(k, n) <= b.len() && cv.end(m, n) <= c.len());
    // SAFETY: every element each view reaches lies inside its slice (asserted above).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.as_ptr().add(av.at),
            av.row as isize,
            av.col as isize,
            b.as_ptr().add(bv.at),
            bv.row as isize,
            bv.col as isize,
            0.0,
            c.as_mut_ptr().add(cv.at),
            cv.row as isize,
            cv.col as isize,
        );
    }
}

/// Normalizes each row of `x` (`width` values) to mean 0 and variance 1, then scales and
/// shifts it, as `nn.LayerNorm` does.
pub fn layer_norm(x: &mut [f32], width: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    x.par_chunks_mut(width * ROWS_PER_TASK).for_each(|block| {
        for row in block.chunks_mut(width) {
            let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / width as f64;
            let var = row.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / width as f64;
            let scale = 1.0 / (var + f64::from(eps)).sqrt();
            for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
                *v = ((f64::from(*v) - mean) * scale) as f32 * g + b;
            }
        }
    });
}

/// The exact GELU, `x · Φ(x)`, as BERT's `hidden_act = "gelu"` means.
pub fn gelu(x: &mut [f32]) {
    x.par_chunks_mut(4096).for_each(|part| {
        for v in part {
            *v = 0.5 * *v * (1.0 + libm::erff(*v * std::f32::consts::FRAC_1_SQRT_2));
        }
    });
}

/// GELU's tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
pub fn gelu_tanh(x: &mut [f32]) {
    const C: f32 = 0.797_884_6; // √(2/π)
    x.par_chunks_mut(4096).for_each(|part| {
        for v in part {
            *v = 0.5 * *v * (1.0 + (C * (*v + 0.044715 * *v * *v * *v)).tanh());
        }
    });
}

/// Softmax over each row of `width` values.
pub fn softmax_rows(x: &mut [f32], width: usize) {
    for row in x.chunks_mut(width) {
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0f32;
        for v in row.iter_mut() {
            *v = (*v - top).exp();
            sum += *v;
        }
        row.iter_mut().for_each(|v| *v /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|t| a[i * k + t] * b[j * k + t]).sum();
            }
        }
        c
    }

    #[test]
    fn a_dense_layer_equals_the_textbook_product_split_or_not() {
        for (m, k, n) in [(3, 5, 4), (300, 70, 90)] {
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0).collect();
            let w: Vec<f32> = (0..n * k).map(|i| ((i * 5 % 11) as f32 - 5.0) / 7.0).collect();
            let bias: Vec<f32> = (0..n).map(|j| j as f32).collect();
            let layer = Linear { weight: w.clone(), bias: Some(bias.clone()), inputs: k, outputs: n };
            let got = layer.forward(&a, m);
            let want = naive(&a, &w, m, k, n);
            for i in 0..m {
                for j in 0..n {
                    let d = got[i * n + j] - want[i * n + j] - bias[j];
                    assert!(d.abs() < 1e-3, "({m},{k},{n}) at {i},{j}: {d}");
                }
            }
        }
    }

    #[test]
    fn layer_norm_gelu_and_softmax_follow_their_definitions() {
        let mut x = vec![1.0, 2.0, 3.0, 4.0];
        layer_norm(&mut x, 4, &[1.0; 4], &[0.5; 4], 0.0);
        let mean: f32 = x.iter().sum::<f32>() / 4.0;
        assert!((mean - 0.5).abs() < 1e-6 && (x[3] - 0.5 - 1.341_640_8).abs() < 1e-5, "{x:?}");
        let mut g = vec![-3.0, 0.0, 1.0];
        gelu(&mut g);
        assert!((g[0] + 0.004_049_7).abs() < 1e-6 && g[1] == 0.0 && (g[2] - 0.841_344_7).abs() < 1e-6, "{g:?}");
        let mut t = vec![1.0];
        gelu_tanh(&mut t);
        assert!((t[0] - 0.841_192).abs() < 1e-5);
        let mut s = vec![0.0, (2.0f32).ln(), 1000.0, 1000.0];
        softmax_rows(&mut s, 2);
        assert!((s[0] - 1.0 / 3.0).abs() < 1e-6 && (s[2] - 0.5).abs() < 1e-6, "{s:?}");
    }
}
