//! The exact similar-sample search of wide dense vectors (pixels: thousands of columns)
//! without reading every vector: each row x is split into its part in a subspace that holds
//! most of the rows' energy and the rest, x = Pc + r (P orthonormal, `DIMENSIONS` columns,
//! found by subspace iteration). Then q·x = c_q·c_x + r_q·r_x ≤ c_q·c_x + |r_q||r_x|, so the
//! cosine of every row has an upper bound from the small coordinates alone; rows are
//! compared in full in the order of their bounds, until the k-th best found beats every
//! bound left. The answer is the full search's, and only the few rows that could be in it
//! are read.

use ndarray::{Array2, ArrayView2, linalg::general_mat_mul};
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_bytes::Bytes;

use super::packed::{dot_le, f32s};

/// Vectors wider than this are searched through an index.
pub const WIDE: usize = 128;
/// Columns of the subspace.
pub const DIMENSIONS: usize = 100;
/// Rounds of subspace iteration (each one product with the rows and one with their
/// transpose).
const ROUNDS: usize = 2;
/// Slack on each bound for the rounding of the f32 coordinates: a row is compared in full
/// unless its bound is below the k-th best by more than this.
const SLACK: f64 = 1e-4;
/// Rows a block when the residuals are computed.
const RESIDUAL_BLOCK: usize = 1024;

/// The coordinates of every row in the subspace, their lengths and their residuals' lengths:
/// made and written; searched as an `IndexView` of the written bytes.
#[derive(Serialize)]
pub struct Index {
    dimensions: usize,
    #[serde(serialize_with = "super::packed::f32_bytes")]
    coordinates: Vec<f32>,
    #[serde(serialize_with = "super::packed::f64_bytes")]
    norms: Vec<f64>,
    #[serde(serialize_with = "super::packed::f64_bytes")]
    residuals: Vec<f64>,
}

/// An index as it lies in the bytes an `Index` was written to, searched where it lies: read
/// into memory first, the 8 MB of 20,000 images took a sixth of a `kindling similar` call.
#[derive(Deserialize)]
pub struct IndexView<'a> {
    dimensions: usize,
    #[serde(borrow)]
    coordinates: &'a Bytes,
    #[serde(borrow)]
    norms: &'a Bytes,
    #[serde(borrow)]
    residuals: &'a Bytes,
}

impl Index {
    /// The index of the `d`-column row-major `values` (rows as `similar` compares them).
    pub fn build(values: &[f32], d: usize) -> Index {
        let n = values.len() / d.max(1);
        let m = DIMENSIONS.min(d).min(n.max(1));
        let x = ArrayView2::from_shape((n, d), values).expect("n × d values");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut basis = Array2::<f32>::from_shape_fn((d, m), |_| rng.random_range(-1.0f32..1.0));
        orthonormalize(&mut basis);
        let mut z = Array2::<f32>::zeros((n, m));
        for _ in 0..ROUNDS {
            general_mat_mul(1.0, &x, &basis, 0.0, &mut z);
            general_mat_mul(1.0, &x.t(), &z, 0.0, &mut basis);
            orthonormalize(&mut basis);
        }
        general_mat_mul(1.0, &x, &basis, 0.0, &mut z);
        // The residuals x − Pc themselves, a block of rows at a time, not |x|² − |c|²: that
        // difference loses the small residuals to rounding, and a bound too low is wrong.
        let mut residuals = Vec::with_capacity(n);
        for start in (0..n).step_by(RESIDUAL_BLOCK) {
            let end = (start + RESIDUAL_BLOCK).min(n);
            let mut rest = x.slice(ndarray::s![start..end, ..]).to_owned();
            general_mat_mul(-1.0, &z.slice(ndarray::s![start..end, ..]), &basis.t(), 1.0, &mut rest);
            residuals
                .extend(rest.rows().into_iter().map(|r| r.iter().map(|v| *v as f64 * *v as f64).sum::<f64>().sqrt()));
        }
        let norms = values
            .chunks_exact(d.max(1))
            .map(|r| r.iter().map(|v| *v as f64 * *v as f64).sum::<f64>().sqrt())
            .collect();
        Index { dimensions: m, coordinates: z.iter().copied().collect(), norms, residuals }
    }
}

impl IndexView<'_> {
    /// How many rows it indexes; `None` when its parts do not fit together.
    pub fn rows(&self) -> Option<usize> {
        let rows = self.norms.len() / 8;
        let fits = self.norms.len().is_multiple_of(8)
            && self.residuals.len() == self.norms.len()
            && rows.checked_mul(self.dimensions).and_then(|v| v.checked_mul(4)) == Some(self.coordinates.len());
        fits.then_some(rows)
    }

    fn norm(&self, i: usize) -> f64 {
        f64s_at(self.norms, i)
    }

    fn residual(&self, i: usize) -> f64 {
        f64s_at(self.residuals, i)
    }

    /// The `k` rows most like row `at` (itself left out) as (cosine, row), most similar first,
    /// ties to the lower row; `cosine(i)` is the exact cosine of rows `at` and `i`, asked of
    /// only the rows whose bound could put them among the `k`.
    pub fn nearest(&self, at: usize, k: usize, cosine: impl Fn(usize) -> f64) -> Vec<(f64, usize)> {
        if k == 0 {
            return Vec::new();
        }
        let m = self.dimensions;
        let row = |i: usize| &self.coordinates[i * m * 4..(i + 1) * m * 4];
        let me: Vec<f32> = f32s(row(at)).collect();
        let mut bounds: Vec<(f64, usize)> = (0..self.rows().unwrap_or(0))
            .filter(|&i| i != at)
            .map(|i| {
                let norms = self.norm(at) * self.norm(i);
                if norms == 0.0 {
                    return (0.0, i);
                }
                let dot = dot_le(&me, row(i));
                ((dot as f64 + self.residual(at) * self.residual(i)) / norms, i)
            })
            .collect();
        let better = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
        // The bounds in order, best first, a growing batch at a time: the search stops after
        // a few hundred, and sorting all 20,000 took a sixth of a query.
        let mut start = 0;
        while start < bounds.len() {
            let rest = &mut bounds[start..];
            let batch = rest.len().min((2 * start).max(4 * k).max(256));
            if batch < rest.len() {
                rest.select_nth_unstable_by(batch - 1, better);
            }
            rest[..batch].sort_unstable_by(better);
            for &(bound, i) in &rest[..batch] {
                if best.len() == k && best[k - 1].0 > bound + SLACK {
                    return best;
                }
                let found = (cosine(i), i);
                let at = best.partition_point(|b| better(b, &found).is_lt());
                if at < k {
                    best.insert(at, found);
                    best.truncate(k);
                }
            }
            start += batch;
        }
        best
    }
}

/// The `i`-th little-endian f64 of `bytes`.
fn f64s_at(bytes: &[u8], i: usize) -> f64 {
    f64::from_le_bytes(bytes[i * 8..(i + 1) * 8].try_into().expect("8 bytes"))
}

/// Makes the columns of `a` orthonormal (modified Gram–Schmidt, twice for precision; sums
/// in f64). A column that vanishes is left zero.
fn orthonormalize(a: &mut Array2<f32>) {
    for _ in 0..2 {
        for j in 0..a.ncols() {
            for p in 0..j {
                let dot: f64 = a.column(j).iter().zip(a.column(p)).map(|(x, y)| *x as f64 * *y as f64).sum();
                let prev = a.column(p).to_owned();
                a.column_mut(j).zip_mut_with(&prev, |x, y| *x -= (dot * *y as f64) as f32);
            }
            let norm = a.column(j).iter().map(|x| *x as f64 * *x as f64).sum::<f64>().sqrt();
            let scale = if norm > 1e-12 { (1.0 / norm) as f32 } else { 0.0 };
            a.column_mut(j).mapv_inplace(|x| x * scale);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(values: &[f32], d: usize, a: usize, b: usize) -> f64 {
        let (x, y) = (&values[a * d..(a + 1) * d], &values[b * d..(b + 1) * d]);
        let dot: f64 = x.iter().zip(y).map(|(p, q)| *p as f64 * *q as f64).sum();
        let n = |r: &[f32]| r.iter().map(|v| *v as f64 * *v as f64).sum::<f64>();
        let norms = (n(x) * n(y)).sqrt();
        if norms > 0.0 { dot / norms } else { 0.0 }
    }

    fn brute(values: &[f32], d: usize, at: usize, k: usize) -> Vec<(f64, usize)> {
        let mut all: Vec<(f64, usize)> =
            (0..values.len() / d).filter(|&i| i != at).map(|i| (cosine(values, d, at, i), i)).collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all.truncate(k);
        all
    }

    /// Rows near a few centres in a low-dimensional subspace of `d` columns, plus noise.
    fn rows(n: usize, d: usize) -> Vec<f32> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let directions: Vec<Vec<f32>> =
            (0..8).map(|_| (0..d).map(|_| rng.random_range(-1.0f32..1.0)).collect()).collect();
        (0..n)
            .flat_map(|i| {
                let w: Vec<f32> =
                    (0..8).map(|c| if c == i % 4 { 3.0 } else { rng.random_range(-0.5f32..0.5) }).collect();
                let noise: Vec<f32> = (0..d).map(|_| rng.random_range(-0.3f32..0.3)).collect();
                (0..d).map(|j| (0..8).map(|c| w[c] * directions[c][j]).sum::<f32>() + noise[j]).collect::<Vec<f32>>()
            })
            .collect()
    }

    #[test]
    fn finds_what_comparing_every_row_finds() {
        let (n, d) = (600, 300);
        let values = rows(n, d);
        let bytes = postcard::to_allocvec(&Index::build(&values, d)).unwrap();
        let index: IndexView = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(index.rows(), Some(n));
        for at in [0, 17, 599] {
            let compared = std::cell::Cell::new(0);
            let got = index.nearest(at, 10, |i| {
                compared.set(compared.get() + 1);
                cosine(&values, d, at, i)
            });
            assert_eq!(got, brute(&values, d, at, 10), "row {at}");
            assert!(compared.get() < n / 2, "row {at}: {} of {n} rows read in full", compared.get());
        }
    }

    #[test]
    fn rows_of_noise_whose_bounds_say_little_are_searched_through_every_batch() {
        let (n, d) = (1500, 300);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let values: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let bytes = postcard::to_allocvec(&Index::build(&values, d)).unwrap();
        let index: IndexView = postcard::from_bytes(&bytes).unwrap();
        for (at, k) in [(3, 10), (700, 100), (1499, 1600)] {
            let compared = std::cell::Cell::new(0);
            let got = index.nearest(at, k, |i| {
                compared.set(compared.get() + 1);
                cosine(&values, d, at, i)
            });
            assert_eq!(got, brute(&values, d, at, k), "row {at}, k {k}");
            assert!(compared.get() > 256, "row {at}: only {} compared, the first batch", compared.get());
        }
    }

    #[test]
    fn a_zero_row_and_more_neighbours_than_rows_are_answered() {
        let d = 5;
        let mut values = rows(20, d);
        values[..d].fill(0.0);
        let bytes = postcard::to_allocvec(&Index::build(&values, d)).unwrap();
        let index: IndexView = postcard::from_bytes(&bytes).unwrap();
        let got = index.nearest(0, 50, |i| cosine(&values, d, 0, i));
        assert_eq!(got.len(), 19);
        assert!(got.iter().all(|g| g.0 == 0.0), "a zero row is like nothing");
        assert_eq!(index.nearest(3, 4, |i| cosine(&values, d, 3, i)), brute(&values, d, 3, 4));
    }

    #[test]
    fn the_subspace_is_orthonormal() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut a = Array2::<f32>::from_shape_fn((50, 10), |_| rng.random_range(-1.0f32..1.0));
        orthonormalize(&mut a);
        let gram = a.t().dot(&a);
        for ((i, j), v) in gram.indexed_iter() {
            let expected = if i == j { 1.0 } else { 0.0 };
            assert!((v - expected).abs() < 1e-5, "({i}, {j}) = {v}");
        }
    }
}
