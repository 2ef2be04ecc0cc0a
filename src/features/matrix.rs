//! Feature matrices: dense rows (pixels, table columns, audio statistics) or sparse rows
//! (TF-IDF over tens of thousands of n-grams). Models read rows through [`Row`], so each
//! model is written once for both.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    storage: Storage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Storage {
    /// Row-major, `rows × cols`.
    Dense(Vec<f32>),
    /// Compressed rows: row `i` holds `indices[indptr[i]..indptr[i + 1]]` (ascending).
    Sparse { indptr: Vec<usize>, indices: Vec<u32>, values: Vec<f32> },
}

/// One row of a [`Matrix`].
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Dense(&'a [f32]),
    Sparse(&'a [u32], &'a [f32]),
}

impl Matrix {
    pub fn dense(rows: usize, cols: usize, data: Vec<f32>) -> Matrix {
        assert_eq!(data.len(), rows * cols, "dense matrix data must be rows × cols");
        Matrix { rows, cols, storage: Storage::Dense(data) }
    }

    /// From sparse rows of `(column, value)` pairs in ascending column order.
    pub fn sparse(cols: usize, rows: Vec<Vec<(u32, f32)>>) -> Matrix {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let nnz = rows.iter().map(Vec::len).sum();
        let (mut indices, mut values) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
        indptr.push(0);
        for row in &rows {
            for &(j, v) in row {
                indices.push(j);
                values.push(v);
            }
            indptr.push(indices.len());
        }
        Matrix { rows: rows.len(), cols, storage: Storage::Sparse { indptr, indices, values } }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The row-major values of a dense matrix.
    pub fn dense_values(&self) -> Option<&[f32]> {
        match &self.storage {
            Storage::Dense(d) => Some(d),
            Storage::Sparse { .. } => None,
        }
    }

    /// A sparse matrix's compressed rows: `(indptr, indices, values)`.
    pub fn sparse_parts(&self) -> Option<(&[usize], &[u32], &[f32])> {
        match &self.storage {
            Storage::Dense(_) => None,
            Storage::Sparse { indptr, indices, values } => Some((indptr, indices, values)),
        }
    }

    /// A sparse matrix from compressed rows; `None` unless they are consistent (`indptr`
    /// ascending from 0 to the number of values, every index below `cols`).
    pub fn from_sparse_parts(cols: usize, indptr: Vec<usize>, indices: Vec<u32>, values: Vec<f32>) -> Option<Matrix> {
        let consistent = indptr.first() == Some(&0)
            && indptr.last() == Some(&values.len())
            && indices.len() == values.len()
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indices.iter().all(|&j| (j as usize) < cols);
        let rows = indptr.len().checked_sub(1)?;
        consistent.then_some(Matrix { rows, cols, storage: Storage::Sparse { indptr, indices, values } })
    }

    pub fn is_sparse(&self) -> bool {
        matches!(self.storage, Storage::Sparse { .. })
    }

    /// Whether every value is zero or more (multinomial naive Bayes needs counts-like input).
    pub fn is_non_negative(&self) -> bool {
        match &self.storage {
            Storage::Dense(d) => d.iter().all(|v| *v >= 0.0),
            Storage::Sparse { values, .. } => values.iter().all(|v| *v >= 0.0),
        }
    }

    pub fn row(&self, i: usize) -> Row<'_> {
        match &self.storage {
            Storage::Dense(d) => Row::Dense(&d[i * self.cols..(i + 1) * self.cols]),
            Storage::Sparse { indptr, indices, values } => {
                let (a, b) = (indptr[i], indptr[i + 1]);
                Row::Sparse(&indices[a..b], &values[a..b])
            }
        }
    }

    /// This matrix's rows, then `other`'s (of the same width and storage).
    pub fn stack(&self, other: &Matrix) -> Matrix {
        match (&self.storage, &other.storage) {
            (Storage::Dense(a), Storage::Dense(b)) => {
                Matrix::dense(self.rows + other.rows, self.cols, a.iter().chain(b).copied().collect())
            }
            _ => {
                let rows = (0..self.rows).map(|i| self.row(i)).chain((0..other.rows).map(|i| other.row(i)));
                let rows: Vec<Vec<(u32, f32)>> = rows.map(|r| r.iter().filter(|(_, v)| *v != 0.0).collect()).collect();
                if self.is_sparse() { Matrix::sparse(self.cols, rows) } else { Matrix::from_rows(self.cols, &rows) }
            }
        }
    }

    fn from_rows(cols: usize, rows: &[Vec<(u32, f32)>]) -> Matrix {
        let mut data = vec![0.0; rows.len() * cols];
        for (i, row) in rows.iter().enumerate() {
            row.iter().for_each(|&(j, v)| data[i * cols + j as usize] = v);
        }
        Matrix::dense(rows.len(), cols, data)
    }

    /// The rows at `picks`, in that order.
    pub fn select(&self, picks: &[usize]) -> Matrix {
        match &self.storage {
            Storage::Dense(d) => {
                let mut data = Vec::with_capacity(picks.len() * self.cols);
                for &i in picks {
                    data.extend_from_slice(&d[i * self.cols..(i + 1) * self.cols]);
                }
                Matrix::dense(picks.len(), self.cols, data)
            }
            Storage::Sparse { .. } => {
                let rows = picks.iter().map(|&i| self.row(i).iter().collect()).collect();
                Matrix::sparse(self.cols, rows)
            }
        }
    }
}

impl<'a> Row<'a> {
    /// `(column, value)` of every stored value (for dense rows, every column).
    pub fn iter(self) -> Box<dyn Iterator<Item = (u32, f32)> + 'a> {
        match self {
            Row::Dense(d) => Box::new(d.iter().enumerate().map(|(j, v)| (j as u32, *v))),
            Row::Sparse(idx, val) => Box::new(idx.iter().copied().zip(val.iter().copied())),
        }
    }

    /// Calls `f(column, value)` for every stored value, without boxing (for hot loops).
    #[inline]
    pub fn for_each(self, mut f: impl FnMut(usize, f32)) {
        match self {
            Row::Dense(d) => d.iter().enumerate().for_each(|(j, v)| f(j, *v)),
            Row::Sparse(idx, val) => idx.iter().zip(val).for_each(|(j, v)| f(*j as usize, *v)),
        }
    }

    /// The value in column `j` (a binary search for sparse rows).
    #[inline]
    pub fn get(self, j: usize) -> f32 {
        match self {
            Row::Dense(d) => d[j],
            Row::Sparse(idx, val) => idx.binary_search(&(j as u32)).map_or(0.0, |k| val[k]),
        }
    }

    pub fn dot(self, w: &[f64]) -> f64 {
        match self {
            Row::Dense(d) => d.iter().zip(w).map(|(x, w)| *x as f64 * w).sum(),
            Row::Sparse(idx, val) => idx.iter().zip(val).map(|(j, x)| *x as f64 * w[*j as usize]).sum(),
        }
    }

    /// `w += scale · row`.
    pub fn add_to(self, w: &mut [f64], scale: f64) {
        match self {
            Row::Dense(d) => w.iter_mut().zip(d).for_each(|(w, x)| *w += scale * *x as f64),
            Row::Sparse(idx, val) => idx.iter().zip(val).for_each(|(j, x)| w[*j as usize] += scale * *x as f64),
        }
    }

    /// The cosine of the angle between two rows of one matrix (0 when either is all zeros).
    pub fn cosine(self, other: Row) -> f64 {
        let dot = match (self, other) {
            (Row::Dense(a), Row::Dense(b)) => a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum(),
            (Row::Sparse(ia, va), Row::Sparse(ib, vb)) => {
                let (mut i, mut j, mut dot) = (0, 0, 0.0);
                while i < ia.len() && j < ib.len() {
                    match ia[i].cmp(&ib[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            dot += va[i] as f64 * vb[j] as f64;
                            i += 1;
                            j += 1;
                        }
                    }
                }
                dot
            }
            (a, b) => a.iter().map(|(j, x)| x as f64 * b.get(j as usize) as f64).sum(),
        };
        let norms = (self.squared_norm() * other.squared_norm()).sqrt();
        if norms > 0.0 { dot / norms } else { 0.0 }
    }

    pub fn squared_norm(self) -> f64 {
        let values = match self {
            Row::Dense(d) => d,
            Row::Sparse(_, v) => v,
        };
        values.iter().map(|v| (*v as f64) * (*v as f64)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_rows_agree() {
        let dense = Matrix::dense(2, 3, vec![1.0, 0.0, 2.0, 0.0, 3.0, 0.0]);
        let sparse = Matrix::sparse(3, vec![vec![(0, 1.0), (2, 2.0)], vec![(1, 3.0)]]);
        let w = [1.0, 10.0, 100.0];
        for i in 0..2 {
            assert_eq!(dense.row(i).dot(&w), sparse.row(i).dot(&w));
            assert_eq!(dense.row(i).squared_norm(), sparse.row(i).squared_norm());
            let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
            dense.row(i).add_to(&mut a, 2.0);
            sparse.row(i).add_to(&mut b, 2.0);
            assert_eq!(a, b);
        }
        assert_eq!(dense.row(0).dot(&w), 201.0);
        assert_eq!(sparse.select(&[1, 0]).row(0).iter().collect::<Vec<_>>(), vec![(1, 3.0)]);
        assert_eq!(dense.select(&[1]).row(0).iter().map(|(_, v)| v).collect::<Vec<_>>(), vec![0.0, 3.0, 0.0]);
    }
}
