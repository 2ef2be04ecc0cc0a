//! Similar samples: the nearest neighbours of a sample by cosine similarity of its vector,
//! searched exactly — every vector compared (tens of thousands take milliseconds), or, for
//! the project's wide dense vectors, only those an index's bounds leave in the running.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::similar_index::{self, Index, IndexView};
use super::{CachedRows, DenseBytes, Embedder, Vectors};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::project::Project;

/// A neighbour and how similar it is (cosine, 1 the same direction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbour {
    pub id: String,
    pub similarity: f64,
}

/// The `k` samples most like sample `id` (itself left out), most similar first; `None` when
/// `id` has no vector.
pub fn nearest(vectors: &Vectors, id: &str, k: usize) -> Option<Vec<Neighbour>> {
    Some(nearest_to_row(vectors, vectors.row_of(id)?, k))
}

/// `nearest` of the sample at row `at`.
fn nearest_to_row(vectors: &Vectors, at: usize, k: usize) -> Vec<Neighbour> {
    let scored = similarities(&vectors.x, at);
    best(scored, at, k).map(|(similarity, i)| Neighbour { id: vectors.ids[i].clone(), similarity }).collect()
}

/// The `k` best of `scored` but row `at` itself, best first (ties by sample order, for the
/// same answer every time).
fn best(mut scored: Vec<(f64, usize)>, at: usize, k: usize) -> impl Iterator<Item = (f64, usize)> {
    scored.swap_remove(at);
    let k = k.min(scored.len());
    // The k best first, then only they are sorted.
    let better = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k > 0 {
        scored.select_nth_unstable_by(k - 1, better);
    }
    scored.truncate(k);
    scored.sort_by(better);
    scored.into_iter()
}

/// `nearest` among the project's vectors by `embedder` (computed first when missing or
/// stale), for each of `queries` in turn: the data is looked at and the vectors mapped once
/// for them all (that look is most of a single query on a folder of files). Wide dense
/// vectors are searched through their index (built once and cached), so a query reads few
/// of them; the answer is the same. `None` for a query without a vector.
pub fn in_project(
    project: &Project,
    embedder: &Embedder,
    queries: &[&str],
    k: usize,
    progress: &dyn Progress,
) -> Result<Vec<Option<Vec<Neighbour>>>> {
    super::with_cached_bytes(project, embedder, progress, |key, ids, rows| {
        // One query scans the ids; more look them up (a map of 100,000 ids costs more than a
        // scan).
        let rows_of: Option<HashMap<&str, usize>> =
            (queries.len() > 1).then(|| ids.iter().enumerate().map(|(row, id)| (*id, row)).collect());
        let row_of = |id: &str| match &rows_of {
            Some(rows) => rows.get(id).copied(),
            None => ids.iter().position(|i| *i == id),
        };
        let dense = match rows {
            CachedRows::Dense(dense) if dense.cols > similar_index::WIDE => dense,
            CachedRows::Sparse(sparse) => {
                let search = |at: usize| {
                    let scored = sparse_similarities(sparse.cols, sparse.rows, |i| sparse.row(i), at);
                    best(scored, at, k)
                        .map(|(similarity, i)| Neighbour { id: ids[i].to_string(), similarity })
                        .collect()
                };
                return Ok(queries.par_iter().map(|id| row_of(id).map(search)).collect());
            }
            narrow_or_decoded => {
                let vectors =
                    Vectors::new(ids.iter().map(|i| i.to_string()).collect(), narrow_or_decoded.into_matrix());
                return Ok(queries.par_iter().map(|id| row_of(id).map(|at| nearest_to_row(&vectors, at, k))).collect());
            }
        };
        with_index(project, embedder, key, &dense, |index| {
            let search = |at: usize| {
                let me: Vec<f32> = dense.row(at).collect();
                let me_norm = me.iter().map(|v| *v as f64 * *v as f64).sum();
                let found = index.nearest(at, k, |i| cosine_with(&me, me_norm, dense.row(i)));
                found.into_iter().map(|(similarity, i)| Neighbour { id: ids[i].to_string(), similarity }).collect()
            };
            queries.par_iter().map(|id| row_of(id).map(search)).collect()
        })
    })
}

/// Calls `search` on the index of the vectors made under cache `key`, mapped from
/// `.kindling/cache/` or built and kept there.
fn with_index<T>(
    project: &Project,
    embedder: &Embedder,
    key: &str,
    dense: &DenseBytes,
    search: impl FnOnce(&IndexView) -> T,
) -> Result<T> {
    #[derive(serde::Serialize)]
    struct Kept<'a> {
        key: &'a str,
        index: &'a Index,
    }
    #[derive(serde::Deserialize)]
    struct KeptView<'a> {
        key: &'a str,
        #[serde(borrow)]
        index: IndexView<'a>,
    }
    let fits = |kept: &KeptView| kept.key == key && kept.index.rows() == Some(dense.rows);
    // `-2`: the index's floats are kept as raw bytes since; the file of before is let go.
    let cache = project.root().join(".kindling/cache");
    let _ = std::fs::remove_file(cache.join(format!("similar-{}.bin", embedder.name())));
    let path = cache.join(format!("similar-{}-2.bin", embedder.name()));
    if let Some(map) = super::map_cache(&path)
        && let Ok(kept) = postcard::from_bytes::<KeptView>(&map)
        && fits(&kept)
    {
        return Ok(search(&kept.index));
    }
    let index = Index::build(&dense.values(), dense.cols);
    let bytes = postcard::to_allocvec(&Kept { key, index: &index }).map_err(|e| Error::internal(e.to_string()))?;
    // An index that cannot be kept is only built again next time.
    let _ = crate::atomic::write_whole(&path, &bytes);
    let kept = postcard::from_bytes::<KeptView>(&bytes).map_err(|e| Error::internal(e.to_string()))?;
    Ok(search(&kept.index))
}

/// The cosine of a row and the sample's own `me` (squared norm `me_norm`), summed in f64.
fn cosine_with(me: &[f32], me_norm: f64, row: impl Iterator<Item = f32>) -> f64 {
    let (mut dot, mut norm) = (0.0f64, 0.0f64);
    for (a, b) in me.iter().zip(row) {
        dot += *a as f64 * b as f64;
        norm += b as f64 * b as f64;
    }
    let norms = (me_norm * norm).sqrt();
    if norms > 0.0 { dot / norms } else { 0.0 }
}

/// `(cosine of rows at and i, i)` for every row `i`, `at` itself included.
fn similarities(x: &crate::features::Matrix, at: usize) -> Vec<(f64, usize)> {
    if let Some((indptr, indices, values)) = x.sparse_parts() {
        let row = |i: usize| {
            let (a, b) = (indptr[i], indptr[i + 1]);
            indices[a..b].iter().copied().zip(values[a..b].iter().copied())
        };
        return sparse_similarities(x.cols(), x.rows(), row, at);
    }
    let Some(values) = x.dense_values().filter(|_| x.cols() > 0) else {
        return (0..x.rows()).map(|i| (0.0, i)).collect();
    };
    // Dense rows in one pass each, the sample's own norm taken once: as `Row::cosine`.
    let d = x.cols();
    let me = &values[at * d..(at + 1) * d];
    let me_norm: f64 = me.iter().map(|v| *v as f64 * *v as f64).sum();
    values.chunks_exact(d).enumerate().map(|(i, row)| (cosine_with(me, me_norm, row.iter().copied()), i)).collect()
}

/// `similarities` of sparse rows: the sample's row spread out into a dense one, so that each
/// row's dot product is a pass over its own values (walking two sorted rows side by side
/// took 28 ms a query at 100,000 passages). The sums run in the order `Row::cosine` takes.
fn sparse_similarities<I: Iterator<Item = (u32, f32)>>(
    cols: usize,
    rows: usize,
    row: impl Fn(usize) -> I + Sync,
    at: usize,
) -> Vec<(f64, usize)> {
    let mut me = vec![0.0f64; cols];
    let mut me_norm = 0.0f64;
    for (j, v) in row(at) {
        if let Some(m) = me.get_mut(j as usize) {
            *m = f64::from(v);
        }
        me_norm += f64::from(v) * f64::from(v);
    }
    (0..rows)
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let (mut dot, mut norm) = (0.0f64, 0.0f64);
            for (j, v) in row(i) {
                let v = f64::from(v);
                // A column past the width (a damaged cache) counts as zero.
                dot += v * me.get(j as usize).copied().unwrap_or(0.0);
                norm += v * v;
            }
            let norms = (me_norm * norm).sqrt();
            (if norms > 0.0 { dot / norms } else { 0.0 }, i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;

    fn vectors(rows: &[[f32; 2]]) -> Vectors {
        let ids: Vec<String> = (0..rows.len()).map(|i| format!("s{i}")).collect();
        let x = Matrix::dense(rows.len(), 2, rows.iter().flatten().copied().collect());
        Vectors::new(ids, x)
    }

    #[test]
    fn the_nearest_by_angle_come_first_and_the_sample_itself_is_left_out() {
        let v = vectors(&[[1.0, 0.0], [0.0, 1.0], [2.0, 0.1], [1.0, 1.0], [-1.0, 0.0]]);
        let got = nearest(&v, "s0", 3).unwrap();
        let ids: Vec<&str> = got.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["s2", "s3", "s1"], "length does not count, only direction");
        assert!((got[1].similarity - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(nearest(&v, "s0", 99).unwrap().len(), 4, "at most every other sample");
        assert_eq!(nearest(&v, "s0", 99).unwrap()[3].id, "s4", "the opposite one last");
        assert_eq!(nearest(&v, "nope", 3), None);
    }

    #[test]
    fn sparse_rows_score_as_row_by_row_cosines_do() {
        // Rows sharing some columns, one with none set, one with negative values.
        let rows: Vec<Vec<(u32, f32)>> = (0..300u32)
            .map(|i| match i % 5 {
                0 => Vec::new(),
                r => (0..8).map(|t| ((i * 7 + t * r) % 50, if r == 4 { -0.5 } else { 0.1 + t as f32 })).collect(),
            })
            .map(|mut row: Vec<(u32, f32)>| {
                row.sort_by_key(|e| e.0);
                row.dedup_by_key(|e| e.0);
                row
            })
            .collect();
        let x = Matrix::sparse(50, rows);
        for at in [0, 1, 4, 299] {
            let me = x.row(at);
            let expected: Vec<(f64, usize)> = (0..x.rows()).map(|i| (me.cosine(x.row(i)), i)).collect();
            assert_eq!(similarities(&x, at), expected, "row {at}");
        }
    }
}
