//! The vectors as the map and the clusters take them: a dense matrix of unit-length rows, so
//! that both follow direction, as the cosine of `similar` does. Rows wider than `WIDE` are
//! brought down to their `PROJECTED` strongest directions first, by a truncated SVD (`svd`).

use ndarray::Array2;
use rayon::prelude::*;

use super::Vectors;

/// Rows wider than this are brought down to `PROJECTED` columns.
const WIDE: usize = 128;
const PROJECTED: usize = 100;

/// Names how wide rows are reduced, in the cache keys of maps and clusters: a map or fit made
/// by another reduction is made again.
pub(super) const REDUCTION: &str = "wide rows by truncated SVD";

/// The rows as a dense matrix of unit-length rows, reduced first when wide.
pub(super) fn dense(vectors: &Vectors, seed: u64) -> Array2<f64> {
    let (n, d) = (vectors.len(), vectors.width());
    if d > WIDE {
        return unit_rows(super::svd::reduce(&vectors.x, PROJECTED, seed));
    }
    let mut values = vec![0.0f64; n * d];
    values.par_chunks_mut(d.max(1)).enumerate().for_each(|(i, out)| {
        vectors.x.row(i).for_each(|j, v| out[j] = f64::from(v));
    });
    unit_rows(Array2::from_shape_vec((n, d), values).expect("n rows of d values"))
}

/// Each row scaled to length 1 (a row of zeros stays zeros).
fn unit_rows(mut x: Array2<f64>) -> Array2<f64> {
    x.axis_iter_mut(ndarray::Axis(0)).for_each(|mut row| {
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|v| v / norm);
        }
    });
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;

    /// Three directions, `n` samples each, a little spread.
    fn three_groups(n: usize, width: usize) -> Vec<Vec<f32>> {
        (0..3 * n)
            .map(|i| {
                let g = i % 3;
                (0..width).map(|j| if j % 3 == g { 1.0 + (i % 7) as f32 * 0.01 } else { 0.02 }).collect()
            })
            .collect()
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    fn groups_kept(a: &Array2<f64>) {
        assert!(a.rows().into_iter().all(|r| (r.dot(&r) - 1.0).abs() < 1e-9), "rows of unit length");
        assert!((a.row(0).dot(&a.row(3)) - 1.0).abs() < 1e-3, "a group stays together");
        assert!(a.row(0).dot(&a.row(1)) < 0.9, "groups stay apart");
    }

    #[test]
    fn wide_rows_keep_their_angles_stored_dense_or_sparse() {
        let rows = three_groups(4, 300);
        let dense_x = Matrix::dense(12, 300, rows.iter().flatten().copied().collect());
        let from_dense = dense(&Vectors::new(ids(12), dense_x), 3);
        let sparse_rows = rows.iter().map(|r| r.iter().enumerate().map(|(j, v)| (j as u32, *v)).collect()).collect();
        let from_sparse = dense(&Vectors::new(ids(12), Matrix::sparse(300, sparse_rows)), 3);
        assert!(from_dense.ncols() <= 12, "twelve rows span at most twelve directions");
        for reduced in [&from_dense, &from_sparse] {
            groups_kept(reduced);
            // All those directions are kept: every cosine is as it was.
            let norm = |r: &Vec<f32>| r.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>().sqrt();
            for (i, a) in rows.iter().enumerate() {
                for (j, b) in rows.iter().enumerate() {
                    let cosine =
                        a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum::<f64>() / norm(a) / norm(b);
                    assert!((reduced.row(i).dot(&reduced.row(j)) - cosine).abs() < 1e-5, "rows {i}, {j}");
                }
            }
        }
    }

    #[test]
    fn narrow_rows_are_only_scaled() {
        let x = Matrix::sparse(3, vec![vec![(0, 3.0), (2, 4.0)], vec![(1, 2.0)], Vec::new()]);
        let got = dense(&Vectors::new(ids(3), x), 0);
        assert_eq!(got, ndarray::array![[0.6, 0.0, 0.8], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]);
    }
}
