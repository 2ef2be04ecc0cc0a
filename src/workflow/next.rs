//! What to label next, for scripts (`kindling queue`): the unlabelled samples in a queue
//! order, each with the live model's suggestion. The live model is refitted first when
//! labels changed since its last refit, so a script that labels and asks again gets a
//! queue that learnt from what it labelled.

use serde::Serialize;

use super::queue::{self, Order};
use crate::error::{Error, Result};
use crate::live::{Guess, guess, refit, state};
use crate::progress::Progress;
use crate::project::Project;

/// A sample to label and what the live model guesses it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    #[serde(flatten)]
    pub guess: Option<Guess>,
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
    // The queue read the live model's predictions already.
    let live = built.live;
    let suggestions = built
        .ids
        .into_iter()
        .filter(|id| !built.labels.contains_key(id))
        .take(limit)
        .map(|id| {
            let guess = live.as_ref().and_then(|l| guess(&l.predictions, &id));
            Suggestion { id, guess }
        })
        .collect();
    Ok(suggestions)
}
