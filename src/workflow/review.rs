//! The review queue (`kindling queue --order review`): the evidence of label QA (echoes
//! answered differently, gold answered wrong) with the suspected label errors of the latest
//! finished run that has out-of-fold predictions.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::project::Project;
use crate::qa::review::{self, ReviewItem};

/// What the review holds, most evidence first, and whether a run's suspicions are in it.
pub struct Review {
    pub items: Vec<ReviewItem>,
    /// The run whose suspected label errors are in it, if any.
    pub run: Option<String>,
}

pub fn review(project: &Project) -> Result<Review> {
    let store = project.labels()?;
    let answers = crate::qa::answers(&store)?;
    let current: BTreeMap<String, String> = store.current()?.into_iter().collect();
    let mut issues = Vec::new();
    let mut run_ms = 0;
    let mut run = None;
    if let Some(id) = crate::runs::latest_finished(project.root())? {
        // A run that cannot be read leaves the model's view out, not the review.
        if let Ok(detail) = crate::runs::detail(project.root(), &id)
            && let Some(found) = detail.issues
        {
            let record = crate::runs::dir(project.root(), &id).join("run.json");
            run_ms = std::fs::metadata(&record)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as i64);
            issues = found;
            run = Some(id);
        }
    }
    Ok(Review { items: review::items(&answers, &issues, run_ms, &current), run })
}
