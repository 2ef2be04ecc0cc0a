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
    let label_events = stats.events;
    Ok(ProjectInfo {
        name: project.config.project.name.clone(),
        kind: source.kind().name(),
        source: source.location().display().to_string(),
        samples,
        unreadable: source.unreadable()?,
        labelled: stats.labelled,
        unlabelled: stats.unlabelled,
        classes: project.config.class_names(),
        per_class: stats.per_class,
        split,
        version: super::data_version(&fingerprint, label_events),
        fingerprint,
        label_events,
    })
}
