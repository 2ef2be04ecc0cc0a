//! k nearest neighbours as scikit-learn's default: k = 5, Euclidean distance, each
//! neighbour one vote; the probabilities are the shares of the votes. The search is
//! scikit-learn's `algorithm="auto"` choice: a k-d tree for dense rows of at most 15
//! columns; above that every training row is compared, the distances of a block of queries
//! to a block of training rows coming from one matrix product (‖q‖² + ‖t‖² − 2 q·t);
//! sparse rows are compared one by one.

use ndarray::{Array2, ArrayView2, linalg::general_mat_mul, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use super::kd_tree::KdTree;
use super::nearest::Nearest;
use crate::features::{Matrix, Row};

const K: usize = 5;
/// Dense rows up to this wide are searched with a k-d tree.
const KD_TREE_COLUMNS: usize = 15;
/// Queries and training rows per matrix product.
const QUERY_BLOCK: usize = 256;
const TRAIN_BLOCK: usize = 2048;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Knn {
    x: Matrix,
    y: Vec<usize>,
    k: usize,
    sq_norms: Vec<f64>,
}

impl Knn {
    pub fn fit(x: &Matrix, y: &[usize], k: usize) -> Knn {
        let sq_norms = (0..x.rows()).map(|i| x.row(i).squared_norm()).collect();
        Knn { x: x.clone(), y: y.to_vec(), k, sq_norms }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let neighbours = K.min(self.x.rows());
        let nearest = self.nearest(x, neighbours);
        let data = nearest
            .iter()
            .flat_map(|n| {
                let mut votes = vec![0.0; self.k];
                n.rows().for_each(|t| votes[self.y[t as usize]] += 1.0 / neighbours as f64);
                votes
            })
            .collect();
        Probabilities::new(self.k, data)
    }

    /// Each row of `x`'s `k` nearest training rows, nearest first: (squared distance, row).
    pub fn neighbours(&self, x: &Matrix, k: usize) -> Vec<Vec<(f32, u32)>> {
        self.nearest(x, k.min(self.x.rows())).into_iter().map(Nearest::into_sorted).collect()
    }

    fn nearest(&self, x: &Matrix, neighbours: usize) -> Vec<Nearest> {
        match (self.x.dense_values(), x.dense_values()) {
            (Some(train), Some(queries)) if self.x.cols() <= KD_TREE_COLUMNS => {
                let tree = KdTree::new(train, self.x.cols());
                queries
                    .par_chunks(self.x.cols().max(1))
                    .map(|q| {
                        let mut nearest = Nearest::new(neighbours);
                        tree.search(q, &mut nearest);
                        nearest
                    })
                    .collect()
            }
            (Some(train), Some(queries)) => self.by_products(train, queries, x.rows(), neighbours),
            _ => (0..x.rows()).into_par_iter().map(|i| self.one_by_one(x.row(i), neighbours)).collect(),
        }
    }

    /// Every training row against a sparse query (or a dense one against sparse rows).
    fn one_by_one(&self, query: Row, neighbours: usize) -> Nearest {
        let dense = densify(query, self.x.cols());
        let q_norm = query.squared_norm();
        let mut nearest = Nearest::new(neighbours);
        for t in 0..self.x.rows() {
            nearest.offer((q_norm + self.sq_norms[t] - 2.0 * self.x.row(t).dot(&dense)) as f32, t as u32);
        }
        nearest
    }

    /// Dense queries against every dense training row, a block of each at a time. The
    /// training rows go in as `[-2t, ‖t‖²]` and the queries as `[q, 1]`, so that one product
    /// gives `‖t‖² − 2 q·t`, the squared distance less the query's own `‖q‖²`; most
    /// candidates lose to the k-th best in a comparison over a chunk at a time.
    fn by_products(&self, train: &[f32], queries: &[f32], rows: usize, neighbours: usize) -> Vec<Nearest> {
        let d = self.x.cols();
        let n = self.x.rows();
        let widened: Vec<f32> = train
            .chunks(d.max(1))
            .zip(&self.sq_norms)
            .flat_map(|(t, &norm)| t.iter().map(|v| -2.0 * v).chain(std::iter::once(norm as f32)))
            .collect();
        let blocks: Vec<usize> = (0..rows).step_by(QUERY_BLOCK).collect();
        blocks
            .into_par_iter()
            .flat_map_iter(|start| {
                let end = (start + QUERY_BLOCK).min(rows);
                let block = &queries[start * d..end * d];
                let q_norms: Vec<f32> = block.chunks(d.max(1)).map(|q| q.iter().map(|v| v * v).sum()).collect();
                let q_wide: Vec<f32> = block.chunks(d.max(1)).flat_map(|q| q.iter().copied().chain([1.0])).collect();
                let q = ArrayView2::from_shape((end - start, d + 1), &q_wide).expect("rows × cols");
                let mut nearest: Vec<Nearest> = (start..end).map(|_| Nearest::new(neighbours)).collect();
                let mut products = Array2::<f32>::zeros((end - start, TRAIN_BLOCK));
                for t0 in (0..n).step_by(TRAIN_BLOCK) {
                    let t1 = (t0 + TRAIN_BLOCK).min(n);
                    let t = ArrayView2::from_shape((t1 - t0, d + 1), &widened[t0 * (d + 1)..t1 * (d + 1)])
                        .expect("rows × cols");
                    let mut out = products.slice_mut(s![.., ..t1 - t0]);
                    general_mat_mul(1.0, &q, &t.t(), 0.0, &mut out);
                    for (r, row) in out.rows().into_iter().enumerate() {
                        let row = row.to_slice().expect("a row of a standard-layout array is contiguous");
                        offer_row(&mut nearest[r], q_norms[r], row, t0);
                    }
                }
                nearest
            })
            .collect()
    }
}

/// Offers the training rows from `first` on, whose `‖t‖² − 2 q·t` are `partial`.
fn offer_row(best: &mut Nearest, q_norm: f32, partial: &[f32], first: usize) {
    const CHUNK: usize = 16;
    let mut bound = best.worst() - q_norm;
    for (k, chunk) in partial.chunks(CHUNK).enumerate() {
        if chunk.iter().copied().fold(f32::INFINITY, f32::min) > bound {
            continue;
        }
        for (c, &v) in chunk.iter().enumerate() {
            if v <= bound {
                best.offer((q_norm + v).max(0.0), (first + k * CHUNK + c) as u32);
                bound = best.worst() - q_norm;
            }
        }
    }
}

/// ‖a − b‖², summed in eight lanes so that the compiler vectorizes it.
pub fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| (x - y) * (x - y)).sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += (x[l] - y[l]) * (x[l] - y[l]);
        }
    }
    (lanes.iter().sum::<f32>() + tail) as f64
}

fn densify(row: Row<'_>, cols: usize) -> Vec<f64> {
    let mut dense = vec![0.0; cols];
    row.for_each(|j, v| dense[j] = v as f64);
    dense
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs};

    #[test]
    fn votes_of_the_five_nearest() {
        // Five points of class 0 near the origin, three of class 1 far away.
        let pts = [0.0, 0.1, 0.2, 0.3, 0.4, 10.0, 10.1, 10.2];
        let x = Matrix::dense(8, 1, pts.to_vec());
        let m = Knn::fit(&x, &[0, 0, 0, 0, 0, 1, 1, 1], 2);
        let p = m.predict_proba(&Matrix::dense(2, 1, vec![0.05, 9.0]));
        assert_eq!(p.row(0), &[1.0, 0.0]);
        assert!((p.row(1)[1] - 0.6).abs() < 1e-12, "three of the five nearest are class 1: {:?}", p.row(1));
    }

    #[test]
    fn the_tree_and_the_products_find_the_brute_force_neighbours() {
        // 4 columns (the k-d tree) and 20 (the matrix products) against rows searched
        // one by one as sparse rows.
        for d in [4, 20] {
            let (x, y) = blobs(3, 150, d, 2.0, 11);
            let m = Knn::fit(&x, &y, 3);
            let rows: Vec<Vec<(u32, f32)>> = (0..x.rows()).map(|i| x.row(i).iter().collect()).collect();
            let as_sparse = Knn::fit(&Matrix::sparse(d, rows.clone()), &y, 3);
            let queries = Matrix::sparse(d, rows);
            let (fast, slow) = (m.predict_proba(&x), as_sparse.predict_proba(&queries));
            let differ = (0..x.rows()).filter(|&i| fast.row(i) != slow.row(i)).count();
            assert!(differ <= 2, "{d} columns: {differ} rows differ (rounding ties at most)");
        }
    }

    #[test]
    fn separates_blobs_and_sparse_rows_match_dense() {
        let (x, y) = blobs(3, 40, 3, 5.0, 7);
        let m = Knn::fit(&x, &y, 3);
        assert!(accuracy(&m.predict_proba(&x), &y) > 0.95);
        let rows: Vec<Vec<(u32, f32)>> =
            (0..x.rows()).map(|i| x.row(i).iter().filter(|(_, v)| *v != 0.0).collect()).collect();
        let sparse = Matrix::sparse(3, rows);
        assert_eq!(Knn::fit(&sparse, &y, 3).predict_proba(&sparse), m.predict_proba(&x));
    }
}
