//! The live model's files in `.kindling/live/`: its probabilities for every sample
//! (`predictions.parquet`, as a run's), its latest refit (`state.json`) and every refit's
//! score (`history.jsonl`, the learning curve). Each file is written whole to a temporary
//! name and renamed into place.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::dir;
use crate::error::{Error, Result};
use crate::eval::predictions::{PREDICTIONS_FILE, Predictions};

const STATE_FILE: &str = "state.json";
const HISTORY_FILE: &str = "history.jsonl";

/// One refit: when, on how many labels, and how well it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refit {
    pub at: String,
    /// Labelled samples it was fitted on (of the training split, when the project has one).
    pub labels: usize,
    /// Labelled samples of the held-out split (valid and test): never fitted on.
    #[serde(default)]
    pub held_out_labels: usize,
    /// How many held-out labels `accuracy` was measured on; `None` when it is
    /// cross-validated on the fitted labels (no split, or fewer than `MIN_HELD_OUT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out_scored: Option<usize>,
    /// Label events in the store when the labels were read.
    pub label_events: u64,
    /// The data it was fitted on.
    pub fingerprint: String,
    /// Accuracy on the held-out labels, or cross-validated on the fitted ones; `None` while
    /// a class has one label.
    pub accuracy: Option<f64>,
    pub seconds: f64,
    pub model: String,
    pub features: String,
    /// Samples left out because the featurizer cannot read them (`id: why`), named by the
    /// refit that found them only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Feature columns that alone give the label of the fitted rows (a leak?).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaks: Vec<String>,
}

impl Refit {
    /// Its score in words: `0.81 on 120 labels · held-out 446`; `0.74 on 120 labels` when
    /// cross-validated, with why where the project has held-out labels; `—` for no score.
    pub fn said(&self) -> String {
        let score = self.accuracy.map_or("—".to_string(), |a| format!("{a:.2}"));
        let labels = format!("{score} on {} label{}", self.labels, if self.labels == 1 { "" } else { "s" });
        match (self.held_out_scored, self.held_out_labels) {
            (Some(n), _) => format!("{labels} · held-out {n}"),
            (None, 0) => labels,
            (None, n) => format!("{labels} · cross-validated (held-out {n} < {})", super::MIN_HELD_OUT),
        }
    }
}

/// What a reader finds of the live model.
pub struct LiveState {
    pub refit: Refit,
    pub predictions: Predictions,
    /// The learning curve: labels and cross-validated accuracy of every scored refit.
    pub curve: Vec<(usize, f64)>,
}

pub(super) fn write(root: &Path, ids: &[String], predictions: &Predictions, refit: &Refit) -> Result<()> {
    // The newest labels win: a refit overtaken by one fitted on later labels is dropped.
    if latest(root).is_some_and(|l| l.fingerprint == refit.fingerprint && l.label_events > refit.label_events) {
        return Ok(());
    }
    let dir = dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| Error::file(&dir, e))?;
    let tmp = dir.join(format!("predictions.{}.tmp.parquet", std::process::id()));
    predictions.write(ids, &tmp)?;
    let path = dir.join(PREDICTIONS_FILE);
    std::fs::rename(&tmp, &path).map_err(|e| Error::file(&path, e))?;
    let json = serde_json::to_string(refit).map_err(|e| Error::internal(e.to_string()))?;
    // The state goes last: a reader that finds it finds the predictions it describes.
    crate::atomic::write_whole(&dir.join(STATE_FILE), json.as_bytes())?;
    let history = dir.join(HISTORY_FILE);
    let mut file =
        std::fs::OpenOptions::new().create(true).append(true).open(&history).map_err(|e| Error::file(&history, e))?;
    writeln!(file, "{json}").map_err(|e| Error::file(&history, e))
}

/// The latest refit, if there is one; a damaged state is no state.
pub fn latest(root: &Path) -> Option<Refit> {
    let text = std::fs::read_to_string(dir(root).join(STATE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The latest refit and its predictions.
pub fn read(root: &Path) -> Result<Option<LiveState>> {
    let Some(refit) = latest(root) else { return Ok(None) };
    let predictions = Predictions::read(&dir(root).join(PREDICTIONS_FILE))?;
    let curve = history(root).into_iter().filter_map(|r| Some((r.labels, r.accuracy?))).collect();
    Ok(Some(LiveState { refit, predictions, curve }))
}

/// Every refit so far, oldest first (lines that do not parse are passed over).
pub fn history(root: &Path) -> Vec<Refit> {
    let text = std::fs::read_to_string(dir(root).join(HISTORY_FILE)).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Forgets the latest refit and its predictions (their classes changed): the live model
/// suggests nothing until it is refitted. The history stays.
pub fn forget(root: &Path) {
    let _ = std::fs::remove_file(dir(root).join(STATE_FILE));
    let _ = std::fs::remove_file(dir(root).join(PREDICTIONS_FILE));
}
