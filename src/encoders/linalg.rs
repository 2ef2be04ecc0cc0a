//! The few numeric kernels the encoders need, on row-major `f32` slices: a dense layer
//! (matrixmultiply's SGEMM, split by rows over the cores), layer normalization, GELU and a
//! row-wise softmax.

use rayon::prelude::*;

/// The fewest rows a piece of split work gets (layer norms, and products too short to split).
const ROWS_PER_TASK: usize = 32;

/// `y = x · wᵀ + b` with `w` given `[out, in]` as PyTorch's `nn.Linear` keeps it.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out, in]`, row-major.
    pub weight: Vec<f32>,
    pub bias: Option<Vec<f32>>,
    pub inputs: usize,
    pub outputs: usize,
    /// `wᵀ` (`[in, out]`), made at the first product: SGEMM packs a row-major right-hand
    /// side with unit strides, where packing `[out, in]` read across rows took a quarter
    /// of a text encoder's time.
    transposed: std::sync::OnceLock<Vec<f32>>,
}

impl Linear {
    pub fn new(weight: Vec<f32>, bias: Option<Vec<f32>>, inputs: usize, outputs: usize) -> Linear {
        Linear { weight, bias, inputs, outputs, transposed: std::sync::OnceLock::new() }
    }

    /// `rows` inputs of `self.inputs` values each → `rows × self.outputs`.
    pub fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = vec![0.0f32; rows * self.outputs];
        if let Some(b) = &self.bias {
            y.chunks_mut(self.outputs).for_each(|row| row.copy_from_slice(b));
        }
        let beta = if self.bias.is_some() { 1.0 } else { 0.0 };
        let (k, n) = (self.inputs, self.outputs);
        let wt = self.transposed.get_or_init(|| {
            let mut t = vec![0.0f32; k * n];
            for o in 0..n {
                for i in 0..k {
                    t[i * n + o] = self.weight[o * k + i];
                }
            }
            t
        });
        matmul(x, wt, &mut y, rows, k, n, beta);
        y
    }
}

/// `c = a · b + beta · c` for row-major `a` `[m, k]`, `b` `[k, n]`, `c` `[m, n]`, split by
/// rows of `a` over the cores.
pub fn matmul(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, beta: f32) {
    debug_assert!(a.len() >= m * k && b.len() >= n * k && c.len() >= m * n);
    let run = |a: &[f32], c: &mut [f32], rows: usize| {
        // SAFETY: the slices hold `rows × k`, `k × n` and `rows × n` values, checked above,
        // and the strides describe exactly those row-major layouts.
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
                n as isize,
                1,
                beta,
                c.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    };
    split_rows(a, c, m, k, n, run);
}

/// Runs `run` on pieces of `a`'s and `c`'s rows, one piece per core when the product is
/// big enough to share.
fn split_rows(a: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, run: impl Fn(&[f32], &mut [f32], usize) + Sync) {
    let threads = rayon::current_num_threads();
    if m * k * n < 1 << 18 || m < 2 * ROWS_PER_TASK || threads == 1 {
        run(a, c, m);
        return;
    }
    // One piece per core: each piece packs the whole right-hand side once, so more pieces
    // would pack it more often for the same rows.
    let rows = m.div_ceil(threads).max(ROWS_PER_TASK);
    a.par_chunks(rows * k).zip(c.par_chunks_mut(rows * n)).for_each(|(a, c)| run(a, c, a.len() / k));
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
            *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
        }
    });
}

/// erf in f32 as a rational function of x² on [-4, 4] (beyond, erf is 1 to f32's
/// precision): no branch and no call, so the GELU loop vectorizes. A libm call per value
/// took as long as the dense layers around it. The minimax coefficients are the ones
/// vectorized math libraries (Eigen, XLA) use for float erf.
#[inline]
pub fn erf(x: f32) -> f32 {
    // Plain products and sums, not mul_add: without FMA in the build's target that is a
    // call per value.
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = p * x2 - 2.101_024e-6;
    p = p * x2 - 5.692_506_4e-5;
    p = p * x2 - 7.349_906_3e-4;
    p = p * x2 - 2.954_600_2e-3;
    p = p * x2 - 1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 - 2.133_740_6e-4;
    q = q * x2 - 1.682_827e-3;
    q = q * x2 - 7.373_329_2e-3;
    q = q * x2 - 1.426_474e-2;
    x * p / q
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
            let layer = Linear::new(w.clone(), Some(bias.clone()), k, n);
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
    fn the_fast_erf_is_within_a_few_ulp_of_libm() {
        let worst = (-60_000..=60_000)
            .map(|i| i as f32 / 10_000.0)
            .map(|x| (erf(x) - libm::erff(x)).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 5e-7, "{worst}");
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
