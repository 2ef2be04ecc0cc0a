//! Wide rows (TF-IDF: a column per word and word pair; pixels) brought down to their strongest
//! directions for the map and the clusters: a randomized truncated SVD (Halko, Martinsson &
//! Tropp 2011, as scikit-learn's `TruncatedSVD` runs it: ten directions of oversampling, power
//! iterations); of sparse rows, only the `COLUMNS` columns that hold most of their energy.
//!
//! A random ±1 projection to 100 dimensions, used before, keeps distances only on average: on
//! 1,982 manual pages, the share of a page's 10 nearest in its own section fell from 0.87 (all
//! 143,874 columns) to 0.52 through it, and is 0.84 through this SVD; on 20,000 generated
//! images of 3,072 pixels, 0.61 against 0.67 and 0.68. Keeping only the strongest 32,768
//! columns changed nothing on the pages (0.84, scikit-learn measured both) and bounds the
//! working matrices whatever the vocabulary. linfa-reduction's truncated SVD takes dense
//! input only (and failed on 2,000,000 rows, see `map`), so this one is written here.

use linfa_linalg::eigh::{EigSort, Eigh, EighInto};
use ndarray::{Array2, ArrayView2, Axis, s};
use rayon::prelude::*;

use crate::features::Matrix;

/// The columns of most energy (sum of squared values) that take part.
const COLUMNS: usize = 32_768;
/// Directions found beyond the `k` asked for, so that the `k` are found well.
const OVERSAMPLE: usize = 10;
/// Passes of `X Xᵀ` over the random start (scikit-learn's n_iter: on the manual pages 1, 2
/// and 3 scored the same; each pass is two of the four passes over the rows here).
const POWER_ITERATIONS: usize = 1;

/// Rows on either side of the products: sparse (and then transposed by copy), or dense
/// (transposed as a view).
enum Rows<'a> {
    Sparse(Matrix),
    Dense(ArrayView2<'a, f32>),
}

impl Rows<'_> {
    fn cols(&self) -> usize {
        match self {
            Rows::Sparse(m) => m.cols(),
            Rows::Dense(v) => v.ncols(),
        }
    }
}

/// Each row's coordinates along the `k` strongest right singular directions of `x` (fewer
/// when it has fewer rows, columns or non-zero directions; at least one column). The same
/// result on any number of threads: every sum runs in one fixed order.
pub(super) fn reduce(x: &Matrix, k: usize, seed: u64) -> Array2<f64> {
    let n = x.rows();
    let (x, xt) = match x.dense_values() {
        Some(values) => {
            let view = ArrayView2::from_shape((n, x.cols()), values).expect("n rows of d values");
            (Rows::Dense(view), Rows::Dense(view.reversed_axes()))
        }
        None => {
            let kept = strongest_columns(x, COLUMNS);
            let transposed = transpose(&kept);
            (Rows::Sparse(kept), Rows::Sparse(transposed))
        }
    };
    let l = (k + OVERSAMPLE).min(n).min(x.cols()).max(1);
    let mut q = Array2::from_shape_fn((x.cols(), l), |(j, c)| start(seed, j, c));
    for _ in 0..POWER_ITERATIONS {
        let y = orthonormal(&times(&x, &q));
        q = orthonormal(&times(&xt, &y));
    }
    // Twice: one pass leaves the columns orthogonal only to about the square of their
    // condition number times the rounding error.
    let y = orthonormal(&orthonormal(&times(&x, &q)));
    // B = Yᵀ X is the rows' matrix in the found subspace; B Bᵀ = Zᵀ Z with Z = Xᵀ Y.
    let z = times(&xt, &y);
    let gram = z.t().dot(&z);
    let Ok((values, vectors)) = gram.eigh_into() else { return Array2::zeros((n, 1)) };
    let (values, vectors) = (values, vectors).sort_eig_desc();
    let top = values.iter().take(k).take_while(|&&v| v > values[0] * 1e-12 && v > 0.0).count();
    if top == 0 {
        return Array2::zeros((n, 1));
    }
    // X V = Y Ũ Σ, where B = Ũ Σ Vᵀ.
    y.dot(&scaled_columns(&vectors, &values, top, f64::sqrt))
}

/// `x` with only its `most` columns of largest energy, renumbered in their order.
fn strongest_columns(x: &Matrix, most: usize) -> Matrix {
    let (indptr, indices, values) = x.sparse_parts().expect("sparse rows");
    let d = x.cols();
    if d <= most {
        return x.clone();
    }
    let mut energy = vec![0.0f64; d];
    for (&j, &v) in indices.iter().zip(values) {
        energy[j as usize] += f64::from(v) * f64::from(v);
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.select_nth_unstable_by(most - 1, |&a, &b| energy[b].total_cmp(&energy[a]).then(a.cmp(&b)));
    let mut kept = order[..most].to_vec();
    kept.sort_unstable();
    let mut renumbered = vec![u32::MAX; d];
    kept.iter().enumerate().for_each(|(new, &old)| renumbered[old] = new as u32);
    let rows: Vec<Vec<(u32, f32)>> = (0..x.rows())
        .into_par_iter()
        .map(|i| {
            let span = indptr[i]..indptr[i + 1];
            indices[span.clone()]
                .iter()
                .zip(&values[span])
                .filter_map(|(&j, &v)| Some((renumbered[j as usize], v)).filter(|(j, _)| *j != u32::MAX))
                .collect()
        })
        .collect();
    Matrix::sparse(most, rows)
}

/// The transpose of a sparse matrix, as sparse rows (one per column of `x`).
fn transpose(x: &Matrix) -> Matrix {
    let (indptr, indices, values) = x.sparse_parts().expect("sparse rows");
    let mut starts = vec![0usize; x.cols() + 1];
    indices.iter().for_each(|&j| starts[j as usize + 1] += 1);
    for j in 0..x.cols() {
        starts[j + 1] += starts[j];
    }
    let mut next = starts.clone();
    let (mut rows, mut entries) = (vec![0u32; values.len()], vec![0.0f32; values.len()]);
    for i in 0..x.rows() {
        for at in indptr[i]..indptr[i + 1] {
            let slot = &mut next[indices[at] as usize];
            rows[*slot] = i as u32;
            entries[*slot] = values[at];
            *slot += 1;
        }
    }
    Matrix::from_sparse_parts(x.rows(), starts, rows, entries).expect("a transpose is consistent")
}

/// `a` times the dense `b`, in f32.
fn times(a: &Rows, b: &Array2<f64>) -> Array2<f64> {
    match a {
        Rows::Sparse(a) => sparse_times(a, b),
        Rows::Dense(a) => dense_times(a, b),
    }
}

/// Rows of a dense product a task.
const BLOCK: usize = 4096;

/// A block of `a`'s rows a task, each block one matrix product (matrixmultiply): the
/// blocks are the same on any number of threads, and so is every sum.
fn dense_times(a: &ArrayView2<f32>, b: &Array2<f64>) -> Array2<f64> {
    let b = b.mapv(|v| v as f32);
    let n = a.nrows();
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    let blocks: Vec<Array2<f32>> =
        starts.into_par_iter().map(|at| a.slice(s![at..(at + BLOCK).min(n), ..]).dot(&b)).collect();
    let views: Vec<ArrayView2<f32>> = blocks.iter().map(Array2::view).collect();
    match ndarray::concatenate(Axis(0), &views) {
        Ok(product) => product.mapv(f64::from),
        Err(_) => Array2::zeros((n, b.ncols())),
    }
}

/// The sparse `a` times `b`, a row of `a` per task. `b` is read as f32: each stored value
/// of `a` reads a whole row of `b` from memory, and that traffic is the cost.
fn sparse_times(a: &Matrix, b: &Array2<f64>) -> Array2<f64> {
    let l = b.ncols();
    let b: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let mut out = vec![0.0f64; a.rows() * l];
    out.par_chunks_mut(l).enumerate().for_each(|(i, out)| {
        let mut sum = vec![0.0f32; l];
        a.row(i).for_each(|j, v| sum.iter_mut().zip(&b[j * l..(j + 1) * l]).for_each(|(o, b)| *o += v * b));
        out.iter_mut().zip(&sum).for_each(|(o, s)| *o = f64::from(*s));
    });
    Array2::from_shape_vec((a.rows(), l), out).expect("rows × l values")
}

/// Orthonormal columns spanning those of `y` (the near-null directions of `y` dropped), from
/// the eigen-decomposition of `yᵀ y`: `l × l`, where Householder QR would walk the tall `y`
/// column by column.
fn orthonormal(y: &Array2<f64>) -> Array2<f64> {
    let gram = y.t().dot(y);
    let Ok((values, vectors)) = gram.eigh() else { return y.clone() };
    let (values, vectors) = (values, vectors).sort_eig_desc();
    let kept = values.iter().take_while(|&&v| v > values[0].max(0.0) * 1e-12 && v > 0.0).count().max(1);
    y.dot(&scaled_columns(&vectors, &values, kept, |v| 1.0 / v.max(f64::MIN_POSITIVE).sqrt()))
}

/// The first `count` eigenvectors, each times `scale` of its eigenvalue.
fn scaled_columns(
    vectors: &Array2<f64>,
    values: &ndarray::Array1<f64>,
    count: usize,
    scale: impl Fn(f64) -> f64,
) -> Array2<f64> {
    let mut w = vectors.slice(s![.., ..count]).to_owned();
    for (mut column, value) in w.columns_mut().into_iter().zip(values.iter()) {
        let factor = scale(*value);
        column.mapv_inplace(|v| v * factor);
    }
    w
}

/// The random start's value for column `j`, direction `c`: uniform in [-1, 1), hashed, so
/// the same on every thread. (±1 signs cancelled on a pair of equal columns one time in
/// sixteen, hiding the direction they make.)
fn start(seed: u64, j: usize, c: usize) -> f64 {
    let bits = super::hashed::mix(seed, (j as u64) << 16 | c as u64) >> 11;
    bits as f64 / (1u64 << 52) as f64 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` sparse rows over `d` columns, each a mix of `rank` fixed sparse patterns.
    fn low_rank(n: usize, d: usize, rank: usize) -> Matrix {
        let rows = (0..n)
            .map(|i| {
                let mut row = vec![0.0f32; d];
                for p in 0..rank {
                    let weight = ((i * 7 + p * 3) % 5) as f32 + 0.5;
                    for j in (p..d).step_by(rank + 3) {
                        row[j] += weight * (1.0 + (j % 4) as f32);
                    }
                }
                row.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(j, v)| (j as u32, *v)).collect()
            })
            .collect();
        Matrix::sparse(d, rows)
    }

    fn dot(a: &Matrix, i: usize, j: usize) -> f64 {
        let mut dense = vec![0.0f64; a.cols()];
        a.row(j).for_each(|c, v| dense[c] = f64::from(v));
        a.row(i).dot(&dense)
    }

    #[test]
    fn rows_of_low_rank_keep_every_dot_product() {
        let x = low_rank(40, 300, 6);
        let reduced = reduce(&x, 20, 1);
        assert_eq!(reduced.nrows(), 40);
        assert!(reduced.ncols() <= 20);
        for i in 0..40 {
            for j in 0..40 {
                let (want, got) = (dot(&x, i, j), reduced.row(i).dot(&reduced.row(j)));
                assert!((want - got).abs() <= 1e-5 * want.abs().max(1.0), "rows {i}, {j}: {want} vs {got}");
            }
        }
    }

    #[test]
    fn the_strongest_directions_come_first() {
        // Two patterns, one ten times the other: the first coordinate follows the strong one.
        let rows =
            (0..30).map(|i| if i % 2 == 0 { vec![(0, 10.0), (1, 10.0)] } else { vec![(2, 1.0), (3, 1.0)] }).collect();
        let reduced = reduce(&Matrix::sparse(4, rows), 1, 0);
        assert_eq!(reduced.ncols(), 1);
        assert!((reduced[[0, 0]].abs() - 200f64.sqrt()).abs() < 1e-5, "{reduced:?}");
        assert!(reduced[[1, 0]].abs() < 1e-5, "the weak rows lie off the first direction");
    }

    #[test]
    fn only_the_strongest_columns_take_part() {
        let rows = vec![vec![(0, 5.0), (1, 0.1)], vec![(1, 0.1), (2, 4.0)], vec![(0, 3.0), (2, 1.0)]];
        let x = strongest_columns(&Matrix::sparse(3, rows), 2);
        assert_eq!(x.cols(), 2);
        let kept: Vec<Vec<(u32, f32)>> = (0..3).map(|i| x.row(i).iter().collect()).collect();
        assert_eq!(kept, [vec![(0, 5.0)], vec![(1, 4.0)], vec![(0, 3.0), (1, 1.0)]]);
    }

    /// `x`'s rows stored densely.
    fn densely(x: &Matrix) -> Matrix {
        let mut values = vec![0.0f32; x.rows() * x.cols()];
        for i in 0..x.rows() {
            x.row(i).for_each(|j, v| values[i * x.cols() + j] = v);
        }
        Matrix::dense(x.rows(), x.cols(), values)
    }

    #[test]
    fn the_result_is_the_same_on_any_number_of_threads() {
        // Dense rows over several blocks of the dense product.
        for x in [low_rank(500, 2_000, 30), densely(&low_rank(2 * BLOCK + 100, 150, 30))] {
            let on = |threads| {
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| reduce(&x, 12, 4))
            };
            assert_eq!(on(1), on(3));
        }
    }

    #[test]
    fn dense_rows_give_what_the_same_rows_sparse_give() {
        let x = low_rank(60, 300, 8);
        let (a, b) = (reduce(&x, 20, 2), reduce(&densely(&x), 20, 2));
        assert_eq!(a.dim(), b.dim());
        // Each direction's sign is the eigen-solver's to choose: compare the dot products.
        let (ga, gb) = (a.dot(&a.t()), b.dot(&b.t()));
        let scale = ga.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(ga.iter().zip(&gb).all(|(x, y)| (x - y).abs() < 1e-5 * scale), "one SVD, two storages");
    }

    #[test]
    fn rows_of_nothing_give_a_column_of_zeros() {
        let reduced = reduce(&Matrix::sparse(50, vec![Vec::new(); 4]), 10, 0);
        assert_eq!(reduced, Array2::<f64>::zeros((4, 1)));
    }
}
