//! Drift and skew: every run keeps a compact profile of its training inputs
//! (`profile.json`), and `predict` and `serve` compare what comes in with it — PSI and
//! Kolmogorov–Smirnov per number, new categories and their share, gaps, a text's
//! out-of-vocabulary share and length, an image's size and brightness, a clip's duration and
//! loudness, missing columns — and the model's confidence against the training one.

mod compare;
mod observe;
mod profile;
mod window;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{Featurizer, Inputs};
use crate::models::Probabilities;
pub use compare::{FeatureDrift, MIN_VALUES, PSI_MAJOR, compare};
pub use observe::{CONFIDENCE, Cells, Observed, confidence};
pub use profile::{FeatureProfile, Shape};
pub use window::Window;

/// The profile's file in a run directory.
pub const PROFILE_FILE: &str = "profile.json";
/// Training rows of a table profiled at most (evenly spaced): a decile's or a category's
/// share from 5,000 rows is within about half a percent of the whole split's, and the
/// reference sample keeps 1,000 values anyway. (20,000 took a fifth of a 20,000-row run.)
const MAX_PROFILED_ROWS: usize = 5_000;
/// Training texts profiled at most: their commonest words are the vocabulary.
const MAX_PROFILED_TEXTS: usize = 20_000;
/// Image and audio files are decoded to be profiled; fewer of them.
const MAX_PROFILED_FILES: usize = 2_000;
/// Words kept as the training vocabulary (most documents first).
const VOCABULARY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Training samples profiled.
    pub samples: usize,
    pub features: Vec<FeatureProfile>,
    /// The model's highest probability on the evaluated split.
    pub confidence: FeatureProfile,
    /// The training texts' commonest words (text runs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vocabulary: Vec<String>,
    /// Table columns read as numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<String>,
}

/// New inputs against the profile: every feature, the drifted ones named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    pub samples: usize,
    pub drifted: Vec<String>,
    /// Columns the training had and the inputs lack.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_columns: Vec<String>,
    pub features: Vec<FeatureDrift>,
    pub confidence: FeatureDrift,
}

impl Profile {
    /// The profile of the training inputs (`train` rows of `inputs`) and of the model's
    /// confidence on the evaluated rows.
    pub fn fit(
        inputs: &Inputs,
        train: &[usize],
        featurizer: &Featurizer,
        evaluated: &Probabilities,
    ) -> Result<Profile> {
        let most = match inputs {
            Inputs::Files(_) => MAX_PROFILED_FILES,
            Inputs::Texts(_) => MAX_PROFILED_TEXTS,
            Inputs::Table(_) => MAX_PROFILED_ROWS,
        };
        let picks = evenly(train, most);
        let sample = inputs.select(&picks)?;
        let vocabulary = match &sample {
            Inputs::Texts(texts) => commonest_words(texts),
            _ => Vec::new(),
        };
        let numbers = match featurizer {
            Featurizer::Table(t) => t.schema().into_iter().filter(|c| c.1 == "number").map(|c| c.0).collect(),
            _ => Vec::new(),
        };
        let known: HashSet<String> = vocabulary.iter().cloned().collect();
        let mut observed = observe::observe(&sample, &known, &numbers);
        if let (Inputs::Texts(texts), Some(oov)) =
            (&sample, observed.iter_mut().find(|f| f.0 == observe::OUT_OF_VOCABULARY))
        {
            oov.1 = held_out_unknown_shares(texts);
        }
        let features = observed
            .par_iter()
            .filter(|(name, _)| match featurizer {
                Featurizer::Table(t) => t.columns().contains(name),
                _ => true,
            })
            .map(|(name, cells)| FeatureProfile::fit(name, cells))
            .collect();
        let (_, top) = confidence(evaluated);
        Ok(Profile {
            samples: picks.len(),
            features,
            confidence: FeatureProfile::fit(CONFIDENCE, &top),
            vocabulary,
            numbers,
        })
    }

    /// The features of `inputs` this profile compares.
    pub fn observe(&self, inputs: &Inputs) -> Observed {
        let known: HashSet<String> = self.vocabulary.iter().cloned().collect();
        observe::observe(inputs, &known, &self.numbers)
    }

    /// `observed` (and the model's confidence on it) against the training profile.
    pub fn check(&self, observed: &Observed, confidence: &Cells) -> DriftReport {
        let by_name: HashMap<&str, &Cells> = observed.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let mut missing_columns = Vec::new();
        let features: Vec<FeatureDrift> = self
            .features
            .iter()
            .filter_map(|f| match by_name.get(f.name.as_str()) {
                Some(cells) => Some(compare(f, cells)),
                None => {
                    missing_columns.push(f.name.clone());
                    None
                }
            })
            .collect();
        let mut drifted: Vec<String> = features.iter().filter(|f| f.drifted).map(|f| f.name.clone()).collect();
        drifted.extend(missing_columns.iter().cloned());
        DriftReport {
            samples: confidence.len(),
            drifted,
            missing_columns,
            features,
            confidence: compare(&self.confidence, confidence),
        }
    }

    pub fn save(&self, run_dir: &Path) -> Result<()> {
        let text = serde_json::to_string(self).map_err(|e| Error::internal(e.to_string()))?;
        crate::atomic::write_whole(&run_dir.join(PROFILE_FILE), text.as_bytes())
    }

    /// The run's profile; `None` for a run from before profiles were kept.
    pub fn load(run_dir: &Path) -> Result<Option<Profile>> {
        let path = run_dir.join(PROFILE_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
        serde_json::from_str(&text).map(Some).map_err(|e| Error::file(&path, format!("is not a drift profile: {e}")))
    }
}

impl DriftReport {
    /// One line naming the drifted features (and a confidence change), or `None` when
    /// nothing drifted.
    pub fn warning(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .features
            .iter()
            .filter(|f| f.drifted)
            .map(|f| format!("{} ({})", f.name, f.reasons.join(", ")))
            .collect();
        parts.extend(self.missing_columns.iter().map(|c| format!("{c} (missing)")));
        if parts.is_empty() {
            return None;
        }
        let mut line = format!("drift against the training data: {}", parts.join("; "));
        if let Some((before, now)) = self.confidence.mean {
            line += &format!("; mean confidence {before:.2} in training, {now:.2} here");
        }
        Some(line)
    }
}

/// At most `most` of `rows`, evenly spaced.
fn evenly(rows: &[usize], most: usize) -> Vec<usize> {
    if rows.len() <= most {
        return rows.to_vec();
    }
    let step = rows.len() as f64 / most as f64;
    (0..most).map(|i| rows[(i as f64 * step) as usize]).collect()
}

/// Each text's out-of-vocabulary share against the words of the *other* half of the texts:
/// new texts have words the training never saw, and measured against a vocabulary holding
/// the text's own words the training share would be 0 and any new text look drifted.
fn held_out_unknown_shares(texts: &[String]) -> Cells {
    let half = |parity: usize| -> HashSet<String> {
        let part: Vec<String> = texts.iter().skip(parity).step_by(2).cloned().collect();
        commonest_words(&part).into_iter().collect()
    };
    let vocabularies = [half(1), half(0)];
    Cells::Numbers(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| observe::unknown_share(&crate::features::tfidf::words(t), &vocabularies[i % 2]))
            .collect(),
    )
}

fn commonest_words(texts: &[String]) -> Vec<String> {
    let mut documents: HashMap<String, usize> = HashMap::new();
    for t in texts {
        let words: HashSet<String> = crate::features::tfidf::words(t).into_iter().collect();
        words.into_iter().for_each(|w| *documents.entry(w).or_default() += 1);
    }
    let mut sorted: Vec<(String, usize)> = documents.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut words: Vec<String> = sorted.into_iter().take(VOCABULARY).map(|w| w.0).collect();
    words.sort();
    words
}

#[cfg(test)]
mod tests;
