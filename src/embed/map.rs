//! The 2-D map of the vectors: their first two principal components (linfa-reduction), the
//! same every time for the same data. Rows are the unit-length (and, when wide, projected)
//! rows k-means uses. A neighbour-preserving projection (t-SNE, UMAP) is still to come:
//! linfa-tsne's maps differ run to run under one seed.

use linfa::prelude::*;
use linfa_reduction::Pca;
use serde::Serialize;

use super::Vectors;
use crate::error::{Error, Result};

/// How the vectors are brought down to two dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    Pca,
}

impl Projection {
    pub fn name(self) -> &'static str {
        match self {
            Projection::Pca => "pca",
        }
    }

    pub fn choose(name: &str) -> Result<Projection> {
        match name {
            "auto" | "pca" => Ok(Projection::Pca),
            "tsne" | "umap" => Err(Error::user(format!(
                "--method {name}: not yet; a neighbour-preserving map is still to come (pca for now)"
            ))),
            other => Err(Error::user(format!("--method {other}: choose pca"))),
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
pub fn project(vectors: &Vectors, projection: Projection, seed: u64) -> Result<Vec<Point>> {
    if vectors.len() < 3 {
        return Err(Error::user("a map needs at least 3 samples with a vector"));
    }
    let x = super::clusters::dense(vectors, seed);
    let xy = match projection {
        Projection::Pca => {
            let fitted = Pca::params(2.min(x.ncols()))
                .fit(&DatasetBase::from(x.clone()))
                .map_err(|e| Error::internal(format!("PCA: {e}")))?;
            fitted.predict(&x)
        }
    };
    Ok((0..vectors.len())
        .map(|i| Point { id: vectors.ids[i].clone(), x: xy[[i, 0]], y: if xy.ncols() > 1 { xy[[i, 1]] } else { 0.0 } })
        .collect())
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
        Vectors {
            rows: ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect(),
            ids,
            x: Matrix::dense(2 * n, 8, data),
        }
    }

    #[test]
    fn the_map_keeps_the_two_groups_apart_and_repeats() {
        let v = two_groups(40);
        let projection = Projection::Pca;
        let points = project(&v, projection, 3).unwrap();
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
        assert_eq!(project(&v, projection, 3).unwrap(), points, "{projection:?} repeats");
        assert_eq!(Projection::choose("auto").unwrap(), Projection::Pca);
        assert!(Projection::choose("tsne").unwrap_err().message().contains("not yet"));
    }
}
