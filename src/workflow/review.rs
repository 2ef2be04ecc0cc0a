//! The review queue (`kindling queue --order review`): the evidence of label QA (echoes
//! answered differently, gold answered wrong) with the suspected label errors of the latest
//! finished run that has out-of-fold predictions, or else of the live model (whose view of a
//! labelled sample comes from the folds that did not fit on it).

use std::collections::BTreeMap;

use crate::error::Result;
use crate::project::Project;
use crate::qa::review::{self, ReviewItem};

/// What the review holds, most evidence first, and whether a run's suspicions are in it.
pub struct Review {
    pub items: Vec<ReviewItem>,
    /// The run whose suspected label errors are in it, if any; `live` for the live model's.
    pub run: Option<String>,
}

/// What `Review::run` says when the live model's suspicions are in it.
pub const LIVE: &str = "live";

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
            run_ms = modified_ms(&crate::runs::dir(project.root(), &id).join("run.json"));
            issues = found;
            run = Some(id);
        }
    }
    if run.is_none()
        && let Ok(Some(live)) = crate::live::state::read(project.root())
    {
        issues = crate::eval::label_issues::find(&live.predictions);
        run_ms = modified_ms(&crate::live::dir(project.root()).join(crate::eval::predictions::PREDICTIONS_FILE));
        run = Some(LIVE.to_string());
    }
    Ok(Review { items: review::items(&answers, &issues, run_ms, &current), run })
}

/// When `path` was last written, in milliseconds since the epoch; 0 when unknown.
fn modified_ms(path: &std::path::Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as i64)
}
