//! Vectors per sample: the feature rows of every sample, cached in `.kindling/cache/` one
//! file per featurizer (`kindling embed`, the live model, similar samples, the diverse
//! order). The featurizer is fitted on all samples (it needs no labels), so the rows stay
//! valid while labels change and a refit costs the fit alone. A cache is keyed by the data's
//! fingerprint, the featurizer and its settings; a change of any of them makes it stale.

pub mod clusters;
mod embedder;
mod hashed;
pub mod map;
pub mod map_frame;
pub mod map_png;
pub mod nn_descent;
mod packed;
mod reduce;
pub mod similar;
mod similar_index;
mod svd;
pub mod tsne;
pub mod umap;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use embedder::Embedder;

use crate::error::Result;
use crate::features::{Inputs, Matrix};
use crate::progress::Progress;
use crate::project::Project;
use crate::runs::dataset::Dataset;

/// Where the vectors of `embedder` are kept.
pub fn cache_path(project_root: &Path, embedder: &Embedder) -> PathBuf {
    project_root.join(".kindling").join("cache").join(format!("vectors-{}.bin", embedder.name()))
}

#[derive(Serialize, Deserialize)]
struct Cached {
    key: String,
    /// Every sample of the data, in its order.
    ids: Vec<String>,
    /// The samples the rows are of: every one but those the featurizer could not read.
    kept: Vec<usize>,
    #[serde(with = "packed")]
    rows: Matrix,
}

/// The feature rows of the samples the featurizer could read.
pub struct Rows {
    /// Rows of `kept`, in that order.
    pub x: Matrix,
    /// Indices into the dataset of the samples the rows are of.
    pub kept: Vec<usize>,
    /// The samples left out and why; only when they were found this time, so that a sample
    /// the featurizer cannot read is named once, not at every refit.
    pub skipped: Vec<String>,
}

fn key(project: &Project, dataset: &Dataset, embedder: &Embedder, progress: &dyn Progress) -> Result<String> {
    key_of(project, &dataset.fingerprint, embedder, progress)
}

/// The cache key of the vectors of data `fingerprint` by `embedder` at the project's
/// settings (a known encoder not on disk is fetched first, with `progress`).
fn key_of(project: &Project, fingerprint: &str, embedder: &Embedder, progress: &dyn Progress) -> Result<String> {
    let cache_file = project.cache_dir().join(crate::data::CACHE_FILE);
    let identity = embedder.identity(&project.config.features, project.config.source.kind, &cache_file, progress)?;
    let text = format!("{fingerprint}\n{identity}");
    Ok(blake3::hash(text.as_bytes()).to_hex().to_string())
}

/// The feature rows of every sample of `dataset` the featurizer can read.
pub fn all_rows(project: &Project, dataset: &Dataset, embedder: &Embedder, progress: &dyn Progress) -> Result<Rows> {
    let key = key(project, dataset, embedder, progress)?;
    let path = cache_path(project.root(), embedder);
    // Where the live model kept its rows before they were shared.
    let _ = std::fs::remove_file(project.root().join(".kindling/live/features.bin"));
    if let Some(cached) = read_cached(&path)
        && cached.key == key
        && cached.ids == dataset.ids
    {
        return Ok(Rows { x: cached.rows, kept: cached.kept, skipped: Vec::new() });
    }
    let (x, kept, skipped) = featurize(project, dataset, embedder, progress)?;
    let cached = Cached { key, ids: dataset.ids.clone(), kept, rows: x };
    if let Ok(bytes) = postcard::to_allocvec(&cached) {
        // A cache that cannot be written only costs the next refit its featurizing.
        let _ = crate::atomic::write_whole(&path, &bytes);
    }
    Ok(Rows { x: cached.rows, kept: cached.kept, skipped })
}

/// The vectors cached at `path`, if it holds any: mapped, not read into memory first (a
/// third of a `kindling similar` call at 100,000 samples went to reading 13 MB).
fn read_cached(path: &Path) -> Option<Cached> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: Kindling replaces a cache file by renaming a new one over it
    // (`atomic::write_whole`), never by writing into it, so the mapped bytes stay as they are.
    // Populated at once: faulting the pages in one by one took a third of a `similar` call
    // on 20,000 images (370 → 270 ms).
    let bytes = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
    postcard::from_bytes(&bytes).ok()
}

/// Fits the featurizer on every sample and transforms them; when a file cannot be read, the
/// files it cannot read are found and left out.
fn featurize(
    project: &Project,
    dataset: &Dataset,
    embedder: &Embedder,
    progress: &dyn Progress,
) -> Result<(Matrix, Vec<usize>, Vec<String>)> {
    let settings = &project.config.features;
    let every: Vec<usize> = (0..dataset.ids.len()).collect();
    let failure = match embedder.fit_transform(settings, &dataset.inputs, progress) {
        Ok(x) => return Ok((x, every, Vec::new())),
        Err(e) => e,
    };
    let (Inputs::Files(files), Some(method)) = (&dataset.inputs, embedder.reader()) else { return Err(failure) };
    let bad = crate::features::unreadable(method, files);
    if bad.is_empty() {
        return Err(failure);
    }
    let kept: Vec<usize> = every.into_iter().filter(|i| !bad.iter().any(|(b, _)| b == i)).collect();
    let inputs = dataset.inputs.select(&kept)?;
    let x = embedder.fit_transform(settings, &inputs, progress)?;
    let skipped = bad.iter().map(|(i, e)| format!("{}: {}", dataset.ids[*i], why(e, &files[*i]))).collect();
    Ok((x, kept, skipped))
}

/// The error without the path it starts with (the sample id says which).
fn why(e: &crate::error::Error, path: &std::path::Path) -> String {
    let text = e.to_string();
    text.strip_prefix(&format!("{}: ", path.display())).map(str::to_string).unwrap_or(text)
}

/// The cached rows by sample id, for comparing samples (the diverse order, similar samples).
pub struct Vectors {
    /// Row by id, made at the first `cosine` (`row_of` alone scans `ids`: `similar` looks
    /// up one id, and a map of 100,000 ids cost more than its search).
    rows: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    ids: Vec<String>,
    x: Matrix,
    /// The cache key they were made under (the data's fingerprint, the featurizer and its
    /// settings), when they come from the project: what a map of them is cached under.
    key: Option<String>,
}

impl Vectors {
    /// The rows of `x`, one per id, in order.
    pub fn new(ids: Vec<String>, x: Matrix) -> Vectors {
        Vectors { rows: std::sync::OnceLock::new(), ids, x, key: None }
    }

    /// The row of sample `id`, when it has one.
    pub fn row_of(&self, id: &str) -> Option<usize> {
        match self.rows.get() {
            Some(rows) => rows.get(id).copied(),
            None => self.ids.iter().position(|i| i == id),
        }
    }

    fn rows(&self) -> &std::collections::HashMap<String, usize> {
        self.rows.get_or_init(|| self.ids.iter().enumerate().map(|(row, id)| (id.clone(), row)).collect())
    }

    /// The cache key of the vectors, when they are the project's.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Columns of the rows.
    pub fn width(&self) -> usize {
        self.x.cols()
    }

    /// Writes the vectors to `path` as CSV for tools outside Kindling. Dense rows are wide —
    /// `id` and one column a dimension (`v0`, `v1`, …), a row a sample. Sparse rows (TF-IDF:
    /// hundreds of thousands of dimensions, a few hundred used by each text; wide, 100,000
    /// texts made 60 GB) are long — `id,dimension,value`, a line a non-zero value, a sample
    /// with none written once as `0,0` so that every sample appears.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let fail = |e: csv::Error| crate::error::Error::file(path, e);
        let mut w = csv::Writer::from_path(path).map_err(fail)?;
        if self.x.is_sparse() {
            w.write_record(["id", "dimension", "value"]).map_err(fail)?;
            for (i, id) in self.ids.iter().enumerate() {
                let mut any = false;
                for (j, v) in self.x.row(i).iter().filter(|(_, v)| *v != 0.0) {
                    w.write_record([id.as_str(), &j.to_string(), &v.to_string()]).map_err(fail)?;
                    any = true;
                }
                if !any {
                    w.write_record([id.as_str(), "0", "0"]).map_err(fail)?;
                }
            }
        } else {
            let header = std::iter::once("id".to_string()).chain((0..self.width()).map(|j| format!("v{j}")));
            w.write_record(header).map_err(fail)?;
            for (i, id) in self.ids.iter().enumerate() {
                let values = self.x.row(i).iter().map(|(_, v)| v.to_string());
                w.write_record(std::iter::once(id.clone()).chain(values)).map_err(fail)?;
            }
        }
        w.flush().map_err(|e| crate::error::Error::file(path, e))
    }

    /// Whether [`Vectors::write_csv`] writes them long (`id,dimension,value`).
    pub fn writes_long(&self) -> bool {
        self.x.is_sparse()
    }

    /// The cosine similarity of two samples' rows, when both have one.
    pub fn cosine(&self, a: &str, b: &str) -> Option<f64> {
        let (i, j) = (self.rows().get(a)?, self.rows().get(b)?);
        Some(self.x.row(*i).cosine(self.x.row(*j)))
    }
}

/// The cached vectors as they lie in the file: the ids and the matrix's bytes borrowed, not
/// decoded (a `similar` on wide vectors reads a few rows of them).
#[derive(Deserialize)]
struct CachedView<'a> {
    key: &'a str,
    #[serde(borrow)]
    ids: Vec<&'a str>,
    kept: Vec<usize>,
    #[serde(borrow)]
    rows: packed::Packed<&'a serde_bytes::Bytes>,
}

/// A dense matrix's bytes as they lie in the cache: `rows` × `cols` little-endian f32.
pub(crate) struct DenseBytes<'a> {
    pub rows: usize,
    pub cols: usize,
    pub values: &'a [u8],
}

impl DenseBytes<'_> {
    pub fn row(&self, i: usize) -> impl Iterator<Item = f32> + '_ {
        let width = self.cols * 4;
        packed::f32s(&self.values[i * width..(i + 1) * width])
    }

    /// Every value, decoded.
    pub fn values(&self) -> Vec<f32> {
        packed::f32s(self.values).collect()
    }
}

/// A sparse matrix's compressed rows as they lie in the cache: `indptr` little-endian u64
/// (`rows` + 1, ascending from 0 to the number of values), `indices` u32 and `values` f32.
/// Read where they lie: decoding 100,000 passages' TF-IDF into memory was most of a
/// `similar` call.
pub(crate) struct SparseBytes<'a> {
    pub rows: usize,
    pub cols: usize,
    indptr: &'a [u8],
    indices: &'a [u8],
    values: &'a [u8],
}

impl<'a> SparseBytes<'a> {
    /// `None` unless the parts fit together (an index past `cols` is only skipped when read).
    fn new(cols: usize, indptr: &'a [u8], indices: &'a [u8], values: &'a [u8]) -> Option<SparseBytes<'a>> {
        let rows = (indptr.len() / 8).checked_sub(1)?;
        let nnz = values.len() / 4;
        let bytes = SparseBytes { rows, cols, indptr, indices, values };
        let ascending = (0..rows).all(|i| bytes.offset(i) <= bytes.offset(i + 1));
        let fits = indptr.len().is_multiple_of(8) && values.len().is_multiple_of(4) && indices.len() == values.len();
        (fits && ascending && bytes.offset(0) == 0 && bytes.offset(rows) == nnz).then_some(bytes)
    }

    fn offset(&self, i: usize) -> usize {
        u64::from_le_bytes(self.indptr[8 * i..8 * i + 8].try_into().expect("8 bytes")) as usize
    }

    /// Row `i`'s `(column, value)` pairs, in column order.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let (a, b) = (self.offset(i), self.offset(i + 1));
        let indices = self.indices[4 * a..4 * b].chunks_exact(4);
        let columns = indices.map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")));
        columns.zip(packed::f32s(&self.values[4 * a..4 * b]))
    }
}

/// Cache files up to this size are mapped populated.
const POPULATE_UP_TO: u64 = 64 << 20;

/// The cached matrix: its bytes as they lie in the file, or the matrix in memory (where
/// the cache cannot be written and read back).
pub(crate) enum CachedRows<'a> {
    Dense(DenseBytes<'a>),
    Sparse(SparseBytes<'a>),
    Decoded(Matrix),
}

impl CachedRows<'_> {
    pub fn into_matrix(self) -> Matrix {
        match self {
            CachedRows::Dense(d) => Matrix::dense(d.rows, d.cols, d.values()),
            CachedRows::Sparse(s) => {
                let cols = s.cols;
                Matrix::sparse(
                    cols,
                    (0..s.rows).map(|i| s.row(i).filter(|(j, _)| (*j as usize) < cols).collect()).collect(),
                )
            }
            CachedRows::Decoded(m) => m,
        }
    }
}

/// Calls `with` on the project's vectors of `embedder` (computed first when missing or
/// stale): the cache key, the ids and the matrix as it lies in the file, which is mapped,
/// not read, so that only the pages used are loaded.
pub(crate) fn with_cached_bytes<T>(
    project: &Project,
    embedder: &Embedder,
    progress: &dyn Progress,
    with: impl FnOnce(&str, &[&str], CachedRows) -> Result<T>,
) -> Result<T> {
    let fingerprint = project.data_fingerprint(&project.source()?)?;
    let key = key_of(project, &fingerprint, embedder, progress)?;
    let path = cache_path(project.root(), embedder);
    if let Some(map) = map_cache(&path)
        && let Some((ids, rows)) = view_of(&map, &key)
    {
        return with(&key, &ids, rows);
    }
    // Missing, stale or unreadable: computed, and written, the usual way — then read as
    // written, unless it could not be (a read-only project, a full disk).
    let (Vectors { ids, x, .. }, _) = vectors(project, embedder, progress)?;
    if let Some(map) = map_cache(&path)
        && let Some((ids, rows)) = view_of(&map, &key)
    {
        return with(&key, &ids, rows);
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    with(&key, &ids, CachedRows::Decoded(x))
}

/// The cache file mapped: a small one populated at once (narrow vectors are all read, as in
/// `read_cached`), a large one faulted in where it is read.
fn map_cache(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    let mut options = memmap2::MmapOptions::new();
    if file.metadata().is_ok_and(|m| m.len() <= POPULATE_UP_TO) {
        options.populate();
    }
    // SAFETY: as in `read_cached` — cache files are replaced by a rename, never written into.
    unsafe { options.map(&file) }.ok()
}

/// The ids and matrix of the mapped cache `map`, when it holds vectors made under `key`
/// and they fit their shape.
fn view_of<'a>(map: &'a [u8], key: &str) -> Option<(Vec<&'a str>, CachedRows<'a>)> {
    let view = postcard::from_bytes::<CachedView>(map).ok().filter(|v| v.key == key)?;
    let ids = view.kept.iter().map(|&i| view.ids.get(i).copied()).collect::<Option<Vec<&str>>>()?;
    let rows = match view.rows {
        packed::Packed::Dense { rows, cols, values }
            if rows == ids.len() && rows.checked_mul(cols).and_then(|v| v.checked_mul(4)) == Some(values.len()) =>
        {
            CachedRows::Dense(DenseBytes { rows, cols, values })
        }
        packed::Packed::Dense { .. } => return None,
        packed::Packed::Sparse { cols, indptr, indices, values } => {
            CachedRows::Sparse(SparseBytes::new(cols, indptr, indices, values).filter(|s| s.rows == ids.len())?)
        }
    };
    Some((ids, rows))
}

/// The vectors of `embedder` as last cached, if any (they may be stale).
pub fn cached(project_root: &Path, embedder: &Embedder) -> Option<Vectors> {
    let cached = read_cached(&cache_path(project_root, embedder))?;
    let ids: Vec<String> = cached.kept.iter().map(|&i| cached.ids[i].clone()).collect();
    Some(Vectors { key: Some(cached.key), ..Vectors::new(ids, cached.rows) })
}

/// The vectors of every sample the featurizer can read, computed when missing or stale.
pub fn vectors(project: &Project, embedder: &Embedder, progress: &dyn Progress) -> Result<(Vectors, Vec<String>)> {
    // Fresh in the cache: the data's fingerprint says so without reading every sample.
    let fingerprint = project.data_fingerprint(&project.source()?)?;
    let wanted = key_of(project, &fingerprint, embedder, progress)?;
    if let Some(mut cached) = read_cached(&cache_path(project.root(), embedder)).filter(|c| c.key == wanted) {
        let ids: Vec<String> = cached.kept.iter().map(|&i| std::mem::take(&mut cached.ids[i])).collect();
        let vectors = Vectors { key: Some(cached.key), ..Vectors::new(ids, cached.rows) };
        return Ok((vectors, Vec::new()));
    }
    let dataset = Dataset::load(project)?;
    let rows = all_rows(project, &dataset, embedder, progress)?;
    let ids: Vec<String> = rows.kept.iter().map(|&i| dataset.ids[i].clone()).collect();
    let vectors = Vectors { key: Some(key(project, &dataset, embedder, progress)?), ..Vectors::new(ids, rows.x) };
    Ok((vectors, rows.skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_vectors_are_written_long_and_a_sample_without_any_value_still_appears() {
        let x = Matrix::sparse(5, vec![vec![(1, 0.5), (4, 2.0)], vec![], vec![(0, -1.0)]]);
        let vectors = Vectors::new(vec!["a".into(), "b".into(), "c,d".into()], x);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.csv");
        vectors.write_csv(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "id,dimension,value\na,1,0.5\na,4,2\nb,0,0\n\"c,d\",0,-1\n");
    }

    #[test]
    fn sparse_rows_are_read_where_they_lie_and_parts_that_do_not_fit_are_refused() {
        let le = |v: &[u64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let indices: Vec<u8> = [1u32, 4, 0].iter().flat_map(|x| x.to_le_bytes()).collect();
        let values: Vec<u8> = [0.5f32, 2.0, -1.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        let indptr = le(&[0, 2, 2, 3]);
        let rows = SparseBytes::new(5, &indptr, &indices, &values).unwrap();
        assert_eq!(rows.rows, 3);
        assert_eq!(rows.row(0).collect::<Vec<_>>(), [(1, 0.5), (4, 2.0)]);
        assert_eq!(rows.row(1).count(), 0);
        let expected = Matrix::sparse(5, vec![vec![(1, 0.5), (4, 2.0)], vec![], vec![(0, -1.0)]]);
        assert_eq!(CachedRows::Sparse(rows).into_matrix(), expected);
        for bad in [le(&[0, 2, 1, 3]), le(&[0, 2, 2, 4]), le(&[1, 2, 2, 3]), Vec::new(), vec![0; 7]] {
            assert!(SparseBytes::new(5, &bad, &indices, &values).is_none(), "{bad:?}");
        }
        assert!(SparseBytes::new(5, &indptr, &indices[..8], &values).is_none());
    }

    #[test]
    fn dense_vectors_are_written_wide() {
        let vectors = Vectors::new(vec!["a".into(), "b".into()], Matrix::dense(2, 2, vec![0.0, 1.5, -2.0, 0.25]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.csv");
        vectors.write_csv(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,v0,v1\na,0,1.5\nb,-2,0.25\n");
    }
}
