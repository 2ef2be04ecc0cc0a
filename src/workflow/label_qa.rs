//! `kindling qa`'s measures with the live model's view of every own label beside the
//! re-asks: its predictions for labelled samples come from the folds that never saw their
//! label, and weigh in where care dropped.

use crate::error::Result;
use crate::progress::Progress;
use crate::project::Project;
use crate::qa::QaReport;

/// The measures, with the live model's predictions as it was last refitted (see `refresh`).
pub fn report(project: &Project) -> Result<QaReport> {
    let store = project.labels()?;
    let live = crate::live::state::read(project.root()).ok().flatten();
    Ok(crate::qa::report::report(
        &crate::qa::answers(&store)?,
        live.as_ref().map(|l| &l.predictions),
        crate::qa::now_ms(),
    ))
}

/// Refits the live model when labels changed since, so that `report` weighs the model's view
/// of every label; a model that cannot be fitted (too few classes, no features) leaves the
/// report to the re-asks — why, when it is more than too few labels yet.
pub fn refresh(project: &Project, progress: &dyn Progress) -> Option<String> {
    let stale = super::next::stale(project).unwrap_or(true);
    match stale.then(|| crate::live::refit(project, progress)) {
        Some(Err(e)) if !crate::live::too_few_classes(&e) => Some(e.message().to_string()),
        _ => None,
    }
}
