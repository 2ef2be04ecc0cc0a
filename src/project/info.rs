//! `kindling info`: what a project holds, and its dataset version.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Project;
use crate::data::folder::Unreadable;
use crate::data::split::SplitCounts;
use crate::error::Result;
use crate::progress::Progress;

#[derive(Debug, Serialize)]
pub struct ProjectInfo {
    pub name: String,
    pub kind: &'static str,
    pub source: String,
    pub samples: usize,
    pub unreadable: Vec<Unreadable>,
    pub labelled: u64,
    pub unlabelled: u64,
    pub classes: Vec<String>,
    pub per_class: BTreeMap<String, u64>,
    /// Fixed split counts, `None` when each run draws a stratified, seeded split.
    pub split: Option<SplitCounts>,
    /// Dataset version: `<fingerprint>-<label events>`.
    pub version: String,
    pub fingerprint: String,
    pub label_events: u64,
    /// A detection project's boxes in all; then `labelled` counts the images boxed or marked
    /// done, `per_class` the boxes, and `label_events` the box edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boxes: Option<u64>,
}

/// A detection project's images boxed or done, those to go, boxes per class, box edits.
fn box_stats(project: &Project, samples: usize) -> Result<(u64, u64, BTreeMap<String, u64>, u64)> {
    let store = project.labels()?;
    let mut per_class = BTreeMap::new();
    for b in store.all_boxes()?.values().flatten() {
        *per_class.entry(b.class.clone()).or_insert(0) += 1;
    }
    let boxed = store.boxed_image_count()?;
    Ok((boxed, (samples as u64).saturating_sub(boxed), per_class, store.box_event_count()?))
}

pub fn info(project: &Project, progress: &dyn Progress) -> Result<ProjectInfo> {
    let source = project.source()?;
    source.scan(progress)?;
    let samples = source.count()?;
    let stats = super::labelling::label_stats_of(project, &source)?;
    let split = match project.split_file() {
        Some(path) => {
            // Checked against the ids at init; samples removed since then are not counted.
            let ids = source.ids()?;
            let fixed = crate::data::split::read_split_file(&path, |_| true)?;
            let known = fixed.iter().filter(|(id, _)| ids.contains(id)).map(|(_, s)| Some(*s));
            let mut counts = crate::data::split::counts(known);
            counts.unassigned = samples.saturating_sub(counts.train + counts.valid + counts.test);
            Some(counts)
        }
        None => source.split_counts()?,
    };
    let fingerprint = project.data_fingerprint(&source)?;
    let (labelled, unlabelled, per_class, label_events, boxes) = if project.config.is_detect() {
        let (boxed, rest, per_class, edits) = box_stats(project, samples)?;
        let boxes = per_class.values().sum();
        (boxed, rest, per_class, edits, Some(boxes))
    } else {
        (stats.labelled, stats.unlabelled, stats.per_class, stats.events, None)
    };
    Ok(ProjectInfo {
        name: project.config.project.name.clone(),
        kind: source.kind().name(),
        source: source.location().display().to_string(),
        samples,
        unreadable: source.unreadable()?,
        labelled,
        unlabelled,
        classes: project.config.class_names(),
        per_class,
        split,
        version: super::data_version(&fingerprint, label_events),
        fingerprint,
        label_events,
        boxes,
    })
}
