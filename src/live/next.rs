//! What to label next, for scripts (`kindling queue`): the unlabelled samples in a queue
//! order, each with the live model's suggestion. The live model is refitted first when
//! labels changed since its last refit, so a script that labels and asks again gets a
//! queue that learnt from what it labelled.

use serde::Serialize;

use super::{refit, state};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::project::Project;
use crate::project::queue::{self, Order};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    /// The live model's class for the sample and its probability.
    pub suggested: Option<String>,
    pub confidence: Option<f64>,
    /// The second most likely class, when it is close (within 0.2).
    pub runner_up: Option<(String, f64)>,
}

/// The live model is stale when labels or data changed since it was fitted.
pub fn stale(project: &Project) -> Result<bool> {
    let Some(last) = state::latest(project.root()) else { return Ok(true) };
    let events = project.labels()?.event_count()?;
    Ok(last.label_events != events || last.fingerprint != project.source()?.fingerprint()?)
}

/// The next `limit` unlabelled samples in `order`, with suggestions when a live model can be
/// fitted (the active-learning orders need one).
pub fn next(project: &Project, order: Order, limit: usize, progress: &dyn Progress) -> Result<Vec<Suggestion>> {
    if stale(project)? {
        match refit(project, progress) {
            Ok(_) => {}
            Err(e) if !order.needs_predictions() && e.exit_code() == 2 => {}
            Err(e) => return Err(e),
        }
    }
    let source = project.source()?;
    let store = project.labels()?;
    let classes = project.config.class_names();
    let built = queue::build(project.root(), &source, &store, &classes, order, None, project.config.label.seed)?;
    if order.needs_predictions() && built.run.is_none() {
        return Err(Error::user("no live model yet: label at least one sample of two classes"));
    }
    let live = state::read(project.root())?;
    let suggestions = built
        .ids
        .into_iter()
        .filter(|id| !built.labels.contains_key(id))
        .take(limit)
        .map(|id| {
            let prediction = live.as_ref().and_then(|l| l.predictions.by_id.get(&id));
            let mut ranked: Vec<(String, f64)> =
                prediction.map(|p| classes.iter().cloned().zip(p.probs.iter().copied()).collect()).unwrap_or_default();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let top = ranked.first().cloned();
            let runner_up = ranked.get(1).cloned().filter(|(_, p)| top.as_ref().is_some_and(|t| t.1 - p <= 0.2));
            Suggestion { id, suggested: top.as_ref().map(|t| t.0.clone()), confidence: top.map(|t| t.1), runner_up }
        })
        .collect();
    Ok(suggestions)
}
