//! The vectors as the map and the clusters take them: a dense matrix of unit-length rows, so
//! that both follow direction, as the cosine of `similar` does. Rows wider than `WIDE` are
//! brought down to their `PROJECTED` strongest directions first, by a truncated SVD (`svd`),
//! and those are kept in `.kindling/cache/reduced.bin` for the project's vectors: the Map pane
//! asks for a map and its clusters, and each made the SVD again (3 s at 100,000 texts).

use std::path::Path;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Vectors;

/// Rows wider than this are brought down to `PROJECTED` columns.
const WIDE: usize = 128;
const PROJECTED: usize = 100;
/// The SVD's random start: one for every map and clustering, so that they share it.
const SEED: u64 = 0;

/// Names how wide rows are reduced, in the cache keys of maps and clusters: a map or fit made
/// by another reduction is made again.
pub(super) const REDUCTION: &str = "wide rows by truncated SVD, seed 0, kept as f32";

/// The rows as a dense matrix of unit-length rows, reduced first when wide.
pub(super) fn dense(vectors: &Vectors) -> Array2<f64> {
    let (n, d) = (vectors.len(), vectors.width());
    if d > WIDE {
        // Rounded to what `reduced.bin` keeps, so that made and kept are the same rows.
        return unit_rows(super::svd::reduce(&vectors.x, PROJECTED, SEED)).mapv(|v| f64::from(v as f32));
    }
    let mut values = vec![0.0f64; n * d];
    values.par_chunks_mut(d.max(1)).enumerate().for_each(|(i, out)| {
        vectors.x.row(i).for_each(|j, v| out[j] = f64::from(v));
    });
    unit_rows(Array2::from_shape_vec((n, d), values).expect("n rows of d values"))
}

/// What `reduced.bin` holds: the vectors' key and the reduced rows, row-major.
#[derive(Serialize, Deserialize)]
struct Kept {
    key: String,
    rows: usize,
    cols: usize,
    values: Vec<f32>,
}

/// `dense`, the reduction of the project's wide vectors kept under their cache key (one
/// file, replaced when they change).
pub(super) fn kept_dense(project_root: &Path, vectors: &Vectors) -> Array2<f64> {
    let Some(key) = vectors.key().filter(|_| vectors.width() > WIDE) else { return dense(vectors) };
    let key = format!("{key} {REDUCTION}");
    let path = project_root.join(".kindling").join("cache").join("reduced.bin");
    let kept = std::fs::read(&path).ok().and_then(|b| postcard::from_bytes::<Kept>(&b).ok());
    if let Some(kept) = kept.filter(|k| k.key == key && k.rows == vectors.len())
        && let Ok(x) = Array2::from_shape_vec((kept.rows, kept.cols), kept.values)
    {
        return x.mapv(f64::from);
    }
    let x = dense(vectors);
    let (rows, cols) = x.dim();
    let kept = Kept { key, rows, cols, values: x.iter().map(|v| *v as f32).collect() };
    // Rows that cannot be kept are only reduced again next time.
    if let Ok(bytes) = postcard::to_allocvec(&kept) {
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(project_root));
        let _ = crate::atomic::write_whole(&path, &bytes);
    }
    x
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
        assert!(a.rows().into_iter().all(|r| (r.dot(&r) - 1.0).abs() < 1e-6), "rows of unit length");
        assert!((a.row(0).dot(&a.row(3)) - 1.0).abs() < 1e-3, "a group stays together");
        assert!(a.row(0).dot(&a.row(1)) < 0.9, "groups stay apart");
    }

    #[test]
    fn wide_rows_keep_their_angles_stored_dense_or_sparse() {
        let rows = three_groups(4, 300);
        let dense_x = Matrix::dense(12, 300, rows.iter().flatten().copied().collect());
        let from_dense = dense(&Vectors::new(ids(12), dense_x));
        let sparse_rows = rows.iter().map(|r| r.iter().enumerate().map(|(j, v)| (j as u32, *v)).collect()).collect();
        let from_sparse = dense(&Vectors::new(ids(12), Matrix::sparse(300, sparse_rows)));
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
    fn the_reduction_of_the_projects_wide_vectors_is_kept_under_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let rows = three_groups(4, 300);
        let x = Matrix::dense(12, 300, rows.iter().flatten().copied().collect());
        let v = Vectors { key: Some("data-and-featurizer".into()), ..Vectors::new(ids(12), x) };
        let made = dense(&v);
        assert_eq!(kept_dense(dir.path(), &v), made);
        let path = dir.path().join(".kindling/cache/reduced.bin");
        // What is kept is what is used, while the key and the number of rows fit.
        let keep = |key: &str, rows: usize| {
            let kept = Kept { key: format!("{key} {REDUCTION}"), rows, cols: 1, values: vec![0.5; rows] };
            std::fs::write(&path, postcard::to_allocvec(&kept).unwrap()).unwrap();
        };
        keep("data-and-featurizer", 12);
        assert_eq!(kept_dense(dir.path(), &v), Array2::from_elem((12, 1), 0.5));
        for (key, rows) in [("data-since-changed", 12), ("data-and-featurizer", 11)] {
            keep(key, rows);
            assert_eq!(kept_dense(dir.path(), &v), made, "{key}, {rows} rows: reduced again");
        }
        std::fs::write(&path, b"not rows").unwrap();
        assert_eq!(kept_dense(dir.path(), &v), made);
        assert_eq!(kept_dense(dir.path(), &v), made, "and kept again");
        // Narrow rows and vectors not of the project are never kept.
        std::fs::remove_file(&path).unwrap();
        let _ = kept_dense(dir.path(), &Vectors::new(ids(12), v.x.clone()));
        assert!(!path.exists());
    }

    #[test]
    fn narrow_rows_are_only_scaled() {
        let x = Matrix::sparse(3, vec![vec![(0, 3.0), (2, 4.0)], vec![(1, 2.0)], Vec::new()]);
        let got = dense(&Vectors::new(ids(3), x));
        assert_eq!(got, ndarray::array![[0.6, 0.0, 0.8], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]);
    }
}
