//! Feature rows of every sample, cached for the live model: the featurizer is fitted on all
//! samples (it needs no labels), so the rows stay valid while labels change and a refit
//! costs the fit alone. The cache is keyed by the data's fingerprint, the featurizer and its
//! settings; a change of any of them makes it stale.

use serde::{Deserialize, Serialize};

use super::dir;
use crate::error::Result;
use crate::features::{Featurizer, Matrix, Method};
use crate::progress::Progress;
use crate::project::Project;
use crate::runs::dataset::Dataset;

const FILE: &str = "features.bin";

#[derive(Serialize, Deserialize)]
struct Cached {
    key: String,
    ids: Vec<String>,
    rows: Matrix,
}

fn key(project: &Project, dataset: &Dataset, method: Method) -> String {
    let settings = serde_json::to_string(&project.config.features).unwrap_or_default();
    let text = format!("{}\n{}\n{settings}", dataset.fingerprint, method.name());
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// The feature rows of every sample of `dataset`, in its order.
pub fn all_rows(project: &Project, dataset: &Dataset, method: Method, progress: &dyn Progress) -> Result<Matrix> {
    let key = key(project, dataset, method);
    let path = dir(project.root()).join(FILE);
    if let Some(cached) = std::fs::read(&path).ok().and_then(|b| postcard::from_bytes::<Cached>(&b).ok())
        && cached.key == key
        && cached.ids == dataset.ids
    {
        return Ok(cached.rows);
    }
    let featurizer = Featurizer::fit(method, &project.config.features, &dataset.inputs, progress)?;
    let rows = featurizer.transform(&dataset.inputs, progress)?;
    let cached = Cached { key, ids: dataset.ids.clone(), rows };
    if let Ok(bytes) = postcard::to_allocvec(&cached) {
        // A cache that cannot be written only costs the next refit its featurizing.
        let _ = super::state::write_whole(&path, &bytes);
    }
    Ok(cached.rows)
}

/// The cached rows by sample id, for comparing samples (the diverse order).
pub struct Vectors {
    rows: std::collections::HashMap<String, usize>,
    x: Matrix,
}

impl Vectors {
    /// The cosine similarity of two samples' rows, when both have one.
    pub fn cosine(&self, a: &str, b: &str) -> Option<f64> {
        let (i, j) = (self.rows.get(a)?, self.rows.get(b)?);
        Some(self.x.row(*i).cosine(self.x.row(*j)))
    }
}

/// The rows the live model last featurized, if any.
pub fn vectors(project_root: &std::path::Path) -> Option<Vectors> {
    let bytes = std::fs::read(dir(project_root).join(FILE)).ok()?;
    let cached: Cached = postcard::from_bytes(&bytes).ok()?;
    let rows = cached.ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
    Some(Vectors { rows, x: cached.rows })
}
