//! Label QA for one labeller: labelled samples asked again blind (echoes), samples with known
//! answers (gold), and what their answers say — self-agreement, gold accuracy, the classes
//! answered differently the second time, a drop in agreement, the pace of labelling.

pub mod answers;
pub mod drop;
pub mod measures;
pub mod report;
pub mod review;
pub mod schedule;

use std::collections::{BTreeMap, HashSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::labels::store::{Ask, LabelStore};
use crate::project::Project;

pub use report::QaReport;

/// What the label log says for QA, with the gold samples' known answers.
pub fn answers(store: &LabelStore) -> Result<answers::Answers> {
    Ok(answers::read(&store.events()?, &store.gold()?))
}

/// Whether the project asks anything again (`[qa]` echo or gold above 0).
pub fn asks_on(project: &Project) -> bool {
    project.config.qa.echo > 0.0 || project.config.qa.gold > 0.0
}

/// `queue` with the re-asks due among its first `limit` places (`[qa]`), those new to the
/// labeller noted as shown, so that the answer given to one is recorded as its answer.
/// `answers` is the store's log as `answers` reads it (the caller reads it once).
pub fn with_asks(
    project: &Project,
    store: &mut LabelStore,
    answers: &answers::Answers,
    queue: &[String],
    limit: usize,
) -> Result<Vec<(String, Option<Ask>)>> {
    let settings = &project.config.qa;
    if !asks_on(project) {
        return Ok(queue.iter().take(limit).map(|id| (id.clone(), None)).collect());
    }
    let gold: HashSet<String> = store.gold()?.into_keys().collect();
    let pending = store.asks()?;
    let cx = schedule::Context {
        settings,
        answers,
        gold: &gold,
        pending: &pending,
        now_ms: now_ms(),
        seed: project.config.label.seed,
    };
    let placed = schedule::interleave(&cx, queue, limit);
    let shown: Vec<(String, Ask)> = placed.iter().filter_map(|(id, ask)| ask.map(|a| (id.clone(), a))).collect();
    store.ask(&shown)?;
    Ok(placed)
}

/// Sets aside `rows` (sample, known answer) as gold after checking their ids and classes.
pub fn set_gold(project: &Project, rows: &[(String, String)]) -> Result<usize> {
    let source = project.source()?;
    for (id, label) in rows {
        if !project.config.is_valid_label(label) {
            return Err(Error::user(format!(
                "gold sample \"{id}\": no class \"{label}\"; the classes are {}",
                project.config.class_names().join(", ")
            )));
        }
        if !source.contains(id)? {
            return Err(Error::user(format!("gold sample \"{id}\" is not in {}", source.location().display())));
        }
    }
    project.labels()?.set_gold(rows)
}

/// Takes `n` of the current labels, at random (`[label] seed`), as gold: each is asked
/// again blind once and its answer scored against the label it has now.
pub fn gold_from_labels(project: &Project, n: usize) -> Result<Vec<(String, String)>> {
    let mut store = project.labels()?;
    let already: HashSet<String> = store.gold()?.into_keys().collect();
    let mut labelled: Vec<(String, String)> =
        store.current()?.into_iter().filter(|(id, _)| !already.contains(id)).collect();
    if labelled.len() < n {
        return Err(Error::user(format!(
            "--from-labels {n}: only {} labelled samples are not gold yet",
            labelled.len()
        )));
    }
    labelled.shuffle(&mut ChaCha8Rng::seed_from_u64(project.config.label.seed));
    labelled.truncate(n);
    labelled.sort();
    store.set_gold(&labelled)?;
    Ok(labelled)
}

/// The gold samples and their known answers.
pub fn gold(project: &Project) -> Result<BTreeMap<String, String>> {
    project.labels()?.gold()
}

/// Milliseconds since the epoch: when QA's "the last N minutes" ends.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
