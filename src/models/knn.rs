//! k nearest neighbours as scikit-learn's default: k = 5, Euclidean distance, each
//! neighbour one vote; the probabilities are the shares of the votes.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::features::{Matrix, Row};

const K: usize = 5;

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
        let data: Vec<f64> = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                let query = x.row(i);
                let mut nearest: Vec<(f64, usize)> = match query {
                    Row::Dense(q) if !self.x.is_sparse() => (0..self.x.rows())
                        .map(|t| match self.x.row(t) {
                            Row::Dense(r) => (squared_distance(q, r), t),
                            Row::Sparse(..) => unreachable!("a dense matrix has dense rows"),
                        })
                        .collect(),
                    _ => {
                        let dense = densify(query, self.x.cols());
                        let q_norm = query.squared_norm();
                        (0..self.x.rows())
                            .map(|t| (q_norm + self.sq_norms[t] - 2.0 * self.x.row(t).dot(&dense), t))
                            .collect()
                    }
                };
                nearest.select_nth_unstable_by(neighbours - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut votes = vec![0.0; self.k];
                nearest[..neighbours].iter().for_each(|(_, t)| votes[self.y[*t]] += 1.0 / neighbours as f64);
                votes
            })
            .collect();
        Probabilities::new(self.k, data)
    }
}

/// ‖a − b‖², summed in eight lanes so that the compiler vectorizes it.
fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
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
