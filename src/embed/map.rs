//! The 2-D map of the vectors: t-SNE or UMAP started from their first two principal
//! components (`tsne.rs`, `umap.rs`; neighbours stay neighbours), or the principal
//! components alone (fast at any size); the same every time for the same
//! data. Rows are the unit-length (and, when wide, projected) rows k-means uses.

use linfa_linalg::eigh::{EigSort, Eigh};
use ndarray::{Array2, Axis, s};
use serde::Serialize;

use super::Vectors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// How the vectors are brought down to two dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    Pca,
    Tsne,
    Umap,
}

/// `auto` is t-SNE up to this many samples, UMAP above (t-SNE's thousand iterations take
/// minutes at 100,000 on two cores, UMAP's layout seconds).
pub const AUTO_TSNE_UP_TO: usize = 50_000;

impl Projection {
    pub fn name(self) -> &'static str {
        match self {
            Projection::Pca => "pca",
            Projection::Tsne => "tsne",
            Projection::Umap => "umap",
        }
    }

    /// `auto`, `pca`, `tsne` or `umap`; `auto` by the number of samples.
    pub fn choose(name: &str, samples: usize) -> Result<Projection> {
        match name {
            "auto" if samples <= AUTO_TSNE_UP_TO => Ok(Projection::Tsne),
            "auto" | "umap" => Ok(Projection::Umap),
            "pca" => Ok(Projection::Pca),
            "tsne" => Ok(Projection::Tsne),
            other => Err(Error::user(format!("--method {other}: choose auto, tsne, umap or pca"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub id: String,
    pub x: f64,
    pub y: f64,
}

/// Every sample's place on the map.
/// `progress` hears the stages of t-SNE or UMAP: the nearest neighbours, then the iterations
/// or epochs.
pub fn project(vectors: &Vectors, projection: Projection, seed: u64, progress: &dyn Progress) -> Result<Vec<Point>> {
    project_rows(vectors, || super::reduce::dense(vectors), projection, seed, progress)
}

/// `project` of the rows `reduced` gives (made only when there are enough samples): the
/// vectors as `reduce` makes them, or as it kept them.
fn project_rows(
    vectors: &Vectors,
    reduced: impl FnOnce() -> Array2<f64>,
    projection: Projection,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<Point>> {
    if vectors.len() < 3 {
        return Err(Error::user("a map needs at least 3 samples with a vector"));
    }
    let x = &reduced();
    let first = x.row(0);
    if x.rows().into_iter().all(|r| r.iter().zip(first.iter()).all(|(a, b)| (a - b).abs() < 1e-12)) {
        return Err(Error::user(format!(
            "all {} samples have the same vector: nothing to map (try other --features)",
            vectors.len()
        )));
    }
    let pca = principal_components(x, 2)?;
    let mut xy: Vec<(f64, f64)> =
        (0..vectors.len()).map(|i| (pca[[i, 0]], if pca.ncols() > 1 { pca[[i, 1]] } else { 0.0 })).collect();
    let rows = || -> Vec<f32> { x.iter().map(|v| *v as f32).collect() };
    match projection {
        Projection::Pca => {}
        Projection::Tsne => xy = super::tsne::embed(&rows(), x.ncols(), &xy, progress),
        Projection::Umap => xy = super::umap::embed(&rows(), x.ncols(), &xy, seed, progress),
    }
    Ok(vectors.ids.iter().zip(xy).map(|(id, (x, y))| Point { id: id.clone(), x, y }).collect())
}

/// Rows of the covariance sums a block.
const COVARIANCE_BLOCK: usize = 65_536;

/// The rows' coordinates along their first `k` principal components (fewer when the rows
/// have fewer columns): the eigenvectors of their covariance, a `d` × `d` matrix, each
/// turned so that its largest entry is positive (the same map every time). linfa-reduction's
/// PCA, a truncated SVD by LOBPCG, failed on 2,000,000 rows of 20 columns (NaN values in its
/// iteration); the covariance of `d` ≤ 128 columns is exact and quick to decompose.
fn principal_components(x: &Array2<f64>, k: usize) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    let mean = x.mean_axis(Axis(0)).ok_or_else(|| Error::internal("PCA of no rows"))?;
    let mut covariance = Array2::<f64>::zeros((d, d));
    for start in (0..n).step_by(COVARIANCE_BLOCK) {
        let block = &x.slice(s![start..(start + COVARIANCE_BLOCK).min(n), ..]) - &mean;
        covariance += &block.t().dot(&block);
    }
    let (_, vectors) = covariance.eigh().map_err(|e| Error::internal(format!("PCA: {e}")))?.sort_eig_desc();
    let mut w = vectors.slice(s![.., ..k.min(d)]).to_owned();
    for mut column in w.columns_mut() {
        let largest = column.iter().copied().fold(0.0f64, |a, v| if v.abs() > a.abs() { v } else { a });
        if largest < 0.0 {
            column.mapv_inplace(|v| -v);
        }
    }
    Ok(x.dot(&w) - mean.dot(&w))
}

/// `project`, kept in `.kindling/cache/` under a hash of the vectors and the projection:
/// opening the map again costs nothing until the data, the featurizer or a setting changes.
pub fn cached_project(
    project_root: &std::path::Path,
    vectors: &Vectors,
    projection: Projection,
    progress: &dyn Progress,
) -> Result<Vec<Point>> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(projection.name().as_bytes());
    hasher.update(super::reduce::REDUCTION.as_bytes());
    if projection == Projection::Umap {
        hasher.update(super::umap::LAYOUT_VERSION.as_bytes());
    }
    match vectors.key() {
        // The project's vectors: their own cache key says what they are (hashing 20,000
        // rows of pixels again would cost a second).
        Some(key) => {
            hasher.update(key.as_bytes());
        }
        None => {
            for (i, id) in vectors.ids.iter().enumerate() {
                hasher.update(id.as_bytes());
                hasher.update(&[0]);
                vectors.x.row(i).for_each(|j, v| {
                    hasher.update(&j.to_le_bytes());
                    hasher.update(&v.to_le_bytes());
                });
            }
        }
    }
    let key = hasher.finalize().to_hex();
    let path = project_root.join(".kindling").join("cache").join(format!("map-{}.bin", &key[..16]));
    if let Some(xy) = std::fs::read(&path).ok().and_then(|b| postcard::from_bytes::<Vec<(f64, f64)>>(&b).ok())
        && xy.len() == vectors.len()
    {
        return Ok(vectors.ids.iter().zip(xy).map(|(id, (x, y))| Point { id: id.clone(), x, y }).collect());
    }
    let reduced = || super::reduce::kept_dense(project_root, vectors);
    let points = project_rows(vectors, reduced, projection, 0, progress)?;
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
    // A cache that cannot be written only costs the next opening its time.
    if let Ok(bytes) = postcard::to_allocvec(&xy) {
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(project_root));
        let _ = crate::atomic::write_whole(&path, &bytes);
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;

    /// Two groups far apart in 8 dimensions.
    fn two_groups(n: usize) -> Vectors {
        let ids: Vec<String> = (0..2 * n).map(|i| format!("s{i}")).collect();
        let data = (0..2 * n)
            .flat_map(|i| {
                (0..8).map(move |j| if (j < 4) == (i < n) { 1.0 + ((i * 3 + j) % 5) as f32 * 0.05 } else { 0.0 })
            })
            .collect();
        Vectors::new(ids, Matrix::dense(2 * n, 8, data))
    }

    #[test]
    fn the_map_keeps_the_two_groups_apart_and_repeats() {
        let v = two_groups(40);
        for projection in [Projection::Pca, Projection::Tsne, Projection::Umap] {
            let points = project(&v, projection, 3, &crate::progress::Silent).unwrap();
            let centre = |r: std::ops::Range<usize>| {
                let k = r.len() as f64;
                let (sx, sy) = r.map(|i| (points[i].x, points[i].y)).fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
                (sx / k, sy / k)
            };
            let spread = |r: std::ops::Range<usize>, c: (f64, f64)| {
                r.map(|i| ((points[i].x - c.0).powi(2) + (points[i].y - c.1).powi(2)).sqrt()).fold(0.0, f64::max)
            };
            let (a, b) = (centre(0..40), centre(40..80));
            let apart = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            assert!(apart > spread(0..40, a) && apart > spread(40..80, b), "{projection:?}: {apart}");
            assert_eq!(project(&v, projection, 3, &crate::progress::Silent).unwrap(), points, "{projection:?} repeats");
        }
        assert_eq!(Projection::choose("auto", 1000).unwrap(), Projection::Tsne);
        assert_eq!(Projection::choose("auto", AUTO_TSNE_UP_TO + 1).unwrap(), Projection::Umap);
        assert_eq!(Projection::choose("pca", 10).unwrap(), Projection::Pca);
        assert!(Projection::choose("mds", 10).is_err());
    }

    #[test]
    fn principal_components_follow_the_widest_spread_first() {
        // Spread 10 along (1, 1, 0)/√2, 1 along (0, 0, 1), none across.
        let rows: Vec<f64> = (0..200)
            .flat_map(|i| {
                let (t, u) = ((i % 20) as f64 - 9.5, (i / 20) as f64 / 9.0 - 0.5);
                let a = t * std::f64::consts::FRAC_1_SQRT_2;
                [a + 3.0, a - 1.0, 2.0 * u]
            })
            .collect();
        let x = Array2::from_shape_vec((200, 3), rows).unwrap();
        let pc = principal_components(&x, 2).unwrap();
        assert_eq!(pc.dim(), (200, 2));
        for (i, row) in pc.rows().into_iter().enumerate() {
            let (t, u) = ((i % 20) as f64 - 9.5, (i / 20) as f64 / 9.0 - 0.5);
            assert!((row[0].abs() - t.abs()).abs() < 1e-9, "row {i}: {row}");
            assert!((row[1].abs() - 2.0 * u.abs()).abs() < 1e-9, "row {i}: {row}");
        }
        assert_eq!(principal_components(&x, 2).unwrap(), pc, "the same every time");
        assert_eq!(principal_components(&x.slice(s![.., ..1]).to_owned(), 2).unwrap().ncols(), 1);
    }

    #[test]
    fn identical_vectors_or_too_few_are_said_so() {
        let ids: Vec<String> = (0..5).map(|i| format!("s{i}")).collect();
        let same = Vectors::new(ids.clone(), Matrix::dense(5, 2, vec![1.0; 10]));
        let e = project(&same, Projection::Tsne, 0, &crate::progress::Silent).unwrap_err();
        assert!(e.message().contains("same vector"), "{}", e.message());
        let two = Vectors::new(ids[..2].to_vec(), Matrix::dense(2, 2, vec![1.0, 0.0, 0.0, 1.0]));
        assert!(
            project(&two, Projection::Pca, 0, &crate::progress::Silent).unwrap_err().message().contains("at least 3")
        );
    }
}
