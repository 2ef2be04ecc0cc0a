//! `run.json`: everything needed to reproduce a run and to list it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::project::config::Config;

pub const RECORD_FILE: &str = "run.json";
/// Bumped when what a run directory holds changes shape.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    /// running | finished | failed | cancelled
    pub status: String,
    /// The training process, while the run is running (to follow and cancel it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub model: String,
    pub features: String,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folds: Option<usize>,
    /// Where a libtorch model trained (`cpu`, `cuda:0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The augmentations applied to the training split (copies, transforms, parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augment: Option<serde_json::Value>,
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// How long the final model took to fit and to predict (not in metrics.json, which a
    /// seed reproduces byte for byte).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    pub classes: Vec<String>,
    /// The sweep the run is part of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<String>,
    /// The pre-trained encoder the features came from: its name and content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<String>,
    pub dataset: DatasetVersion,
    /// The project's kindling.toml when the run started.
    pub config: Config,
    pub versions: Versions,
    /// Things worth knowing about this run (columns left out, labels not used, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The model's fit (featurizing left out).
    pub fit_seconds: f64,
    /// The model's predictions, per 1,000 rows.
    pub predict_seconds_per_1000: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetVersion {
    /// Content hash of the source.
    pub fingerprint: String,
    /// Label events in the store when the labels were read.
    pub label_events: u64,
    pub samples: usize,
    pub labelled: usize,
    /// `fixed` (from the source) or `stratified` (seeded, `test_share` held out).
    pub split: String,
    pub test_share: f64,
    pub train: usize,
    /// Samples the metrics are computed on, and which split they are.
    pub evaluated: usize,
    pub evaluated_split: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    pub kindling: String,
    pub format: u32,
}

impl Versions {
    pub fn current() -> Versions {
        Versions { kindling: env!("CARGO_PKG_VERSION").to_string(), format: FORMAT }
    }
}

impl RunRecord {
    /// The features as a person reads them: the featurizer, or the encoder by name (a
    /// snapshot folder by its last part).
    pub fn features_said(&self) -> String {
        let Some(encoder) = &self.encoder else { return self.features.clone() };
        let name = encoder.rsplit_once(' ').map_or(encoder.as_str(), |(name, _)| name);
        let short = std::path::Path::new(name).file_name().map_or(name.into(), |n| n.to_string_lossy());
        format!("encoder {short}")
    }

    pub fn read(run_dir: &Path) -> Result<RunRecord> {
        let path = run_dir.join(RECORD_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
        serde_json::from_str(&text).map_err(|e| Error::file(&path, format!("is not a run record: {e}")))
    }

    /// Writes through a temporary file, so a reader never sees half a record.
    pub fn write(&self, run_dir: &Path) -> Result<()> {
        let path = run_dir.join(RECORD_FILE);
        let tmp = run_dir.join(format!("{RECORD_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(&tmp, text + "\n").map_err(|e| Error::file(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::file(&path, e))
    }
}
