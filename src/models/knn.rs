//! k nearest neighbours as scikit-learn's default: k = 5, Euclidean distance, each
//! neighbour one vote; the probabilities are the shares of the votes. The search is
//! scikit-learn's `algorithm="auto"` choice: a k-d tree for dense rows of at most 15
//! columns; above that every training row is compared (`knn_tiles`), the training rows
//! against themselves once per pair when the model predicts its own training rows; sparse
//! rows are compared one by one.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use super::kd_tree::KdTree;
use super::knn_tiles::{self, Queries, Tiles};
use super::nearest::Nearest;
use crate::features::{Matrix, Row};
use crate::progress::{Counter, Progress};

const K: usize = 5;
/// Dense rows up to this wide are searched with a k-d tree.
const KD_TREE_COLUMNS: usize = 15;
/// The stage the search of the training rows among themselves reports.
pub const NEIGHBOURS_STAGE: &str = "nearest neighbours";
/// Steps that search reports through the k-d tree.
const PROGRESS_STEPS: usize = 100;

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
        self.votes(&self.nearest(x, neighbours), neighbours)
    }

    /// `predict_proba` of `x`, whose rows `fitted[i]` are training row `i`: those are
    /// searched against the other training rows once per pair.
    pub fn predict_proba_fitted(&self, x: &Matrix, fitted: &[usize]) -> Probabilities {
        let neighbours = K.min(self.x.rows());
        let fits = fitted.len() <= self.x.rows() && fitted.iter().all(|&r| r < x.rows());
        let Some(found) = fits.then(|| self.searched_themselves(neighbours, &crate::progress::Silent)).flatten() else {
            return self.predict_proba(x);
        };
        let mut found: Vec<Option<Nearest>> = found.into_iter().map(Some).collect();
        let mut of_row: Vec<Option<usize>> = vec![None; x.rows()];
        for (i, &row) in fitted.iter().enumerate() {
            of_row[row] = Some(i);
        }
        let others: Vec<usize> = (0..x.rows()).filter(|&r| of_row[r].is_none()).collect();
        let mut other_found = self.nearest(&x.select(&others), neighbours).into_iter();
        let nearest: Vec<Nearest> = of_row
            .iter()
            .map(|i| match i {
                Some(i) => found[*i].take().expect("each training row is one row of x"),
                None => other_found.next().expect("one search a row not fitted"),
            })
            .collect();
        self.votes(&nearest, neighbours)
    }

    fn votes(&self, nearest: &[Nearest], neighbours: usize) -> Probabilities {
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

    /// Each training row's `k` nearest training rows (itself among them), nearest first.
    /// `progress` hears the stage "nearest neighbours" (a map of 2,000,000 samples spends
    /// minutes in it).
    pub fn neighbours_of_training(&self, k: usize, progress: &dyn Progress) -> Vec<Vec<(f32, u32)>> {
        let k = k.min(self.x.rows());
        let found = match (self.searched_themselves(k, progress), self.x.dense_values()) {
            (Some(found), _) => found,
            (None, Some(train)) => {
                let n = self.x.rows();
                let blocks = n.div_ceil(n.div_ceil(PROGRESS_STEPS).max(1));
                let counter = Counter::start(progress, NEIGHBOURS_STAGE, blocks);
                let found = kd_search(train, self.x.cols(), train, k, Some(&counter));
                counter.finish();
                found
            }
            (None, None) => self.nearest(&self.x, k),
        };
        found.into_iter().map(Nearest::into_sorted).collect()
    }

    /// Each training row's `k` nearest training rows, the rows compared once a pair; `None`
    /// where they are searched otherwise (sparse, or narrow enough for the k-d tree).
    fn searched_themselves(&self, k: usize, progress: &dyn Progress) -> Option<Vec<Nearest>> {
        let train = self.x.dense_values().filter(|_| self.x.cols() > KD_TREE_COLUMNS)?;
        let d = self.x.cols();
        let (tiles, queries) = (Tiles::new(train, d, &self.sq_norms), Queries::new(train, d));
        Some(knn_tiles::search_themselves(&tiles, &queries, k, &|done, of| {
            if done == 0 {
                progress.stage(NEIGHBOURS_STAGE, Some(of as u64));
            }
            progress.advance(done as u64);
        }))
    }

    fn nearest(&self, x: &Matrix, neighbours: usize) -> Vec<Nearest> {
        match (self.x.dense_values(), x.dense_values()) {
            (Some(train), Some(queries)) if self.x.cols() <= KD_TREE_COLUMNS => {
                kd_search(train, self.x.cols(), queries, neighbours, None)
            }
            (Some(train), Some(queries)) => {
                let tiles = Tiles::new(train, self.x.cols(), &self.sq_norms);
                knn_tiles::search(&tiles, &Queries::new(queries, self.x.cols()), neighbours)
            }
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
}

/// The `k` nearest `train` rows of each query (both `d` columns) through a k-d tree, in
/// `PROGRESS_STEPS` blocks of queries, each finished block a tick of `counter`.
fn kd_search(train: &[f32], d: usize, queries: &[f32], k: usize, counter: Option<&Counter>) -> Vec<Nearest> {
    let d = d.max(1);
    let tree = KdTree::new(train, d);
    let block = (queries.len() / d).div_ceil(PROGRESS_STEPS).max(1) * d;
    queries
        .par_chunks(block)
        .flat_map_iter(|block| {
            let found: Vec<Nearest> = block
                .chunks(d)
                .map(|q| {
                    let mut nearest = Nearest::new(k);
                    tree.search(q, &mut nearest);
                    nearest
                })
                .collect();
            if let Some(counter) = counter {
                counter.tick();
            }
            found
        })
        .collect()
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
