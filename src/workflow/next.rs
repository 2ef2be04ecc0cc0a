//! What to label next, for scripts (`kindling queue`): the unlabelled samples in a queue
//! order, each with the live model's suggestion. The live model is refitted first when
//! labels changed since its last refit, so a script that labels and asks again gets a
//! queue that learnt from what it labelled.

use std::collections::HashMap;

use serde::Serialize;

use super::queue::{self, Order, cold_start};
use crate::embed::Embedder;
use crate::error::Result;
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
    Ok(last.label_events != events || last.fingerprint != project.data_fingerprint(&project.source()?)?)
}

/// What to label next: the samples, and whether they are a cold start.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub suggestions: Vec<Suggestion>,
    /// Fewer than two classes are labelled (in the training split), so no model can rank
    /// the samples: they are spread over the data instead (k-means++ seeds of its vectors).
    pub cold_start: bool,
}

/// The next `limit` samples to label in `order`, with suggestions when a live model can be
/// fitted, and among them the re-asks due (`[qa]`: labelled samples asked again and gold
/// samples, shown as any other sample). An active order before the live model can be
/// fitted is a cold start.
pub fn next(project: &Project, order: Order, limit: usize, progress: &dyn Progress) -> Result<Next> {
    let found = unlabelled(project, order, limit, progress)?;
    let ids: Vec<String> = found.suggestions.iter().map(|s| s.id.clone()).collect();
    if !crate::qa::asks_on(project) {
        return Ok(found);
    }
    let mut store = project.labels()?;
    let answers = crate::qa::answers(&store)?;
    let placed = crate::qa::with_asks(project, &mut store, &answers, &ids, limit)?;
    if placed.iter().all(|(_, ask)| ask.is_none()) && placed.len() == ids.len() {
        return Ok(found);
    }
    let live = state::read(project.root()).ok().flatten();
    let mut by_id: HashMap<String, Suggestion> = found.suggestions.into_iter().map(|s| (s.id.clone(), s)).collect();
    let suggestions = placed
        .into_iter()
        .map(|(id, _)| {
            by_id.remove(&id).unwrap_or_else(|| {
                let guess = live.as_ref().and_then(|l| guess(&l.predictions, &id));
                Suggestion { id, guess }
            })
        })
        .collect();
    Ok(Next { suggestions, cold_start: found.cold_start })
}

/// The next `limit` unlabelled samples in `order`.
fn unlabelled(project: &Project, order: Order, limit: usize, progress: &dyn Progress) -> Result<Next> {
    if stale(project)? {
        match refit(project, progress) {
            Ok(_) => {}
            Err(e) if e.exit_code() == 2 && crate::live::too_few_classes(&e) => {
                if order.needs_predictions() {
                    return cold_start(project, limit, progress);
                }
            }
            Err(e) if !order.needs_predictions() && e.exit_code() == 2 => {}
            Err(e) => return Err(e),
        }
    }
    let source = project.source()?;
    let store = project.labels()?;
    let classes = project.config.class_names();
    let built = queue::build(project.root(), &source, &store, &classes, order, None, project.config.label.seed)?;
    if order.needs_predictions() && built.run.is_none() {
        return cold_start(project, limit, progress);
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
    Ok(Next { suggestions, cold_start: false })
}

/// The first `limit` samples to label before any model: unlabelled samples of the training
/// split spread over the data (the featurizer of `[live]`).
fn cold_start(project: &Project, limit: usize, progress: &dyn Progress) -> Result<Next> {
    let (vectors, _) = crate::embed::vectors(project, &Embedder::live(&project.config)?, progress)?;
    let source = project.source()?;
    let held_out = source.held_out_ids()?;
    let labels: HashMap<String, String> = project.labels()?.current()?.into_iter().collect();
    let candidates: Vec<String> =
        source.ids_in_order()?.into_iter().filter(|id| !labels.contains_key(id) && !held_out.contains(id)).collect();
    let distance = |a: &str, b: &str| vectors.cosine(a, b).map(|c| (1.0 - c) / 2.0);
    let picks = cold_start::spread(&candidates, limit, project.config.label.seed, distance);
    Ok(Next { suggestions: picks.into_iter().map(|id| Suggestion { id, guess: None }).collect(), cold_start: true })
}
