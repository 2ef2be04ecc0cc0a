//! The live model: a fast model refitted on the labels as they come, whose probabilities
//! for every sample feed the Label pane's suggestions and the active-learning queue. It is
//! not a run — it fills `.kindling/live/`, never `runs/` — and everything it writes is
//! written whole and renamed into place, so a reader (or a SIGKILL) never sees half a file.

pub mod folds;
pub mod state;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::data::split::Split;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::eval::predictions::{Prediction, Predictions};
use crate::models::{Device, Fit, Model, ModelKind, Probabilities};
use crate::progress::{Progress, Silent};
use crate::project::Project;
pub use crate::project::live_settings::LiveSettings;
use crate::runs::dataset::Dataset;
pub use state::{LiveState, Refit};

/// Where the live model keeps its files, inside the project.
pub fn dir(project_root: &Path) -> PathBuf {
    project_root.join(".kindling").join("live")
}

/// The live model's guess for one sample: its class, the probability, and the runner-up
/// when it is close (within `CLOSE`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    pub class: String,
    pub probability: f64,
    pub runner_up: Option<(String, f64)>,
}

/// A runner-up this near the top is worth showing.
const CLOSE: f64 = 0.2;

/// What the predictions say of sample `id`.
pub fn guess(predictions: &Predictions, id: &str) -> Option<Guess> {
    let p = predictions.by_id.get(id)?;
    let mut ranked: Vec<(&String, f64)> = predictions.classes.iter().zip(p.probs.iter().copied()).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (class, probability) = ranked.first().map(|(c, p)| ((*c).clone(), *p))?;
    let runner_up = ranked.get(1).filter(|(_, q)| probability - q <= CLOSE).map(|(c, q)| ((*c).clone(), *q));
    Some(Guess { class, probability, runner_up })
}

/// What the live model's predictions call a sample of the held-out split (valid or test).
pub const HELD_OUT: &str = "held-out";

/// Refits the live model on the current labels and writes its probabilities for every
/// sample, its score and a line of history.
pub fn refit(project: &Project, progress: &dyn Progress) -> Result<Refit> {
    let started = Instant::now();
    let settings = &project.config.live;
    settings.validate()?;
    let model_kind = ModelKind::parse(&settings.model)?;
    let embedder = Embedder::live(&project.config)?;
    let mut dataset = Dataset::load(project)?;
    let classes = project.config.class_names();
    enough_classes_in(&dataset, &dataset.labelled(), false)?;
    let rows = crate::embed::all_rows(project, &dataset, &embedder, progress)?;
    if rows.kept.len() < dataset.ids.len() {
        dataset.keep(&rows.kept)?;
    }
    let x = rows.x;
    // Held-out labels (valid and test of the project's fixed split) are never fitted on:
    // they score the model, and the queue never chooses them.
    let held_out = |i: usize| matches!(dataset.fixed_split[i], Some(Split::Valid | Split::Test));
    let labelled = dataset.labelled();
    let (scored, fitted): (Vec<usize>, Vec<usize>) = labelled.iter().partition(|&&i| held_out(i));
    enough_classes_in(&dataset, &fitted, !scored.is_empty())?;
    let y: Vec<usize> = fitted.iter().filter_map(|&i| dataset.given[i]).collect();
    let x_fitted = x.select(&fitted);
    let fit = Fit { seed: 0, device: Device::Cpu, ..Default::default() };
    let model = Model::fit(model_kind, &x_fitted, &y, classes.len(), &fit, &Silent)?;
    let leaks = crate::runs::train::leaky_columns(&dataset, &fitted)?.into_iter().map(|(c, _)| c).collect();
    // A labelled sample's probabilities come from the folds that did not fit on it.
    let mut probs = model.predict_proba_fitted(&x, &fitted)?;
    let oof = folds::out_of_fold(model_kind, &x_fitted, &y, classes.len(), &fit)?;
    if let Some(oof) = &oof {
        let blind: Vec<usize> = (0..fitted.len()).filter(|&k| oof.scored[k]).collect();
        let rows: Vec<usize> = blind.iter().map(|&k| fitted[k]).collect();
        probs.scatter(&rows, &oof.probs.select(&blind));
    }
    let (accuracy, held_out_scored) = if scored.len() >= MIN_HELD_OUT {
        let right = scored.iter().filter(|&&i| dataset.given[i] == Some(probs.predicted(i))).count();
        (Some(right as f64 / scored.len() as f64), Some(scored.len()))
    } else {
        (oof.and_then(|o| o.accuracy(&y)), None)
    };
    let predictions = predictions(&dataset, &classes, &probs, &held_out);
    let refit = Refit {
        at: crate::runs::clock::iso(crate::runs::clock::now()),
        labels: fitted.len(),
        held_out_labels: scored.len(),
        held_out_scored,
        label_events: dataset.label_events,
        fingerprint: dataset.fingerprint.clone(),
        accuracy,
        seconds: started.elapsed().as_secs_f64(),
        model: model_kind.name().into(),
        features: embedder.name().into(),
        skipped: rows.skipped,
        leaks,
    };
    state::write(project.root(), &dataset.ids, &predictions, &refit)?;
    Ok(refit)
}

/// Below this many held-out labels the live model is scored by cross-validation instead.
pub const MIN_HELD_OUT: usize = 30;

/// Whether `e` says the live model cannot be fitted yet for want of labels of two classes.
pub fn too_few_classes(e: &Error) -> bool {
    e.message().starts_with(TOO_FEW_CLASSES)
}

const TOO_FEW_CLASSES: &str = "label at least one sample of two classes";

/// The live model needs labels of two classes among the samples it fits on (`picks`: the
/// readable ones, of the training split when `split` says the project has one).
fn enough_classes_in(dataset: &Dataset, picks: &[usize], split: bool) -> Result<()> {
    let seen: BTreeSet<usize> = picks.iter().filter_map(|&i| dataset.given[i]).collect();
    if seen.len() >= 2 {
        return Ok(());
    }
    let of = if split { " of the training split" } else { "" };
    Err(Error::user(format!(
        "{TOO_FEW_CLASSES}{of} for the live model (now {} labelled, {} class{})",
        picks.len(),
        seen.len(),
        if seen.len() == 1 { "" } else { "es" }
    )))
}

/// Every sample's probabilities; its `split` says `held-out` for valid and test samples,
/// else whether it is labelled.
fn predictions(
    dataset: &Dataset,
    classes: &[String],
    probs: &Probabilities,
    held_out: &dyn Fn(usize) -> bool,
) -> Predictions {
    let by_id = dataset
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let given = dataset.given[i].map(|c| classes[c].clone());
            let prediction = Prediction {
                split: match (held_out(i), given.is_some()) {
                    (true, _) => HELD_OUT,
                    (false, true) => "labelled",
                    (false, false) => "unlabelled",
                }
                .into(),
                given,
                predicted: classes[probs.predicted(i)].clone(),
                probs: probs.row(i).to_vec(),
            };
            (id.clone(), prediction)
        })
        .collect();
    Predictions { classes: classes.to_vec(), by_id }
}

#[cfg(test)]
mod tests;
