//! Label operations checked against the project: the sample must exist, the class must be
//! one of the project's classes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Project;
use crate::data::Source;
use crate::error::{Error, Result};
use crate::labels::files::{LabelFormat, LabelRow};
use crate::labels::store::{Ask, Origin};

/// What `set_label` recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Label,
    /// The sample was shown as a re-ask (an echo or a gold sample): the class is its answer,
    /// kept beside the label, which stays as it was.
    Answer(Ask),
}

/// Sets (or with `None` clears) a sample's label after checking the class and the id — or,
/// on a sample shown as a re-ask and not answered yet, records the class as its answer.
pub fn set_label(project: &Project, id: &str, class: Option<&str>, origin: Origin) -> Result<Recorded> {
    if let Some(class) = class {
        check_class(project, class)?;
    }
    let source = project.source()?;
    if !source.contains(id)? {
        return Err(Error::user(format!(
            "no sample \"{id}\" in {}; ids are {}",
            source.location().display(),
            id_hint(&source)
        )));
    }
    let mut store = project.labels()?;
    if let Some(class) = class
        && let Some(kind) = store.asked(id)?
    {
        store.answer(id, class, kind)?;
        return Ok(Recorded::Answer(kind));
    }
    store.set(id, class, origin)?;
    Ok(Recorded::Label)
}

fn id_hint(source: &Source) -> &'static str {
    match source {
        Source::Folder(_) => "file paths relative to the source folder, e.g. cat/0001.png",
        Source::Table(t) if t.id_column.is_some() => "the values of the id column",
        Source::Table(_) => "row numbers starting at 0",
    }
}

fn check_class(project: &Project, class: &str) -> Result<()> {
    if project.config.is_valid_label(class) {
        return Ok(());
    }
    Err(Error::user(format!(
        "no class \"{class}\"; the classes are {} (add one to kindling.toml)",
        project.config.class_names().join(", ")
    )))
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ImportReport {
    pub rows: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub blank: usize,
}

/// Applies a label file all-or-nothing: every unknown id or class is reported with its line
/// and nothing is written unless all rows are good.
pub fn import_labels(project: &Project, rows: &[LabelRow], origin: Origin) -> Result<ImportReport> {
    let source = project.source()?;
    let ids = source.ids()?;
    let mut problems = Vec::new();
    let mut blank = 0;
    for row in rows {
        match &row.label {
            None => blank += 1,
            Some(l) if !project.config.is_valid_label(l) => {
                problems.push(format!("line {}: unknown class \"{l}\"", row.line))
            }
            Some(_) => {}
        }
        if !ids.contains(&row.id) {
            problems.push(format!("line {}: unknown id \"{}\"", row.line, row.id));
        }
    }
    if !problems.is_empty() {
        return Err(Error::user(format!(
            "nothing imported: {} problem(s): {}; the classes are {}",
            problems.len(),
            crate::text::first_few(&problems, 8),
            project.config.class_names().join(", ")
        )));
    }
    let labelled = rows.iter().filter_map(|r| r.label.as_deref().map(|l| (r.id.as_str(), Some(l))));
    let changed = project.labels()?.set_many(labelled, origin)?;
    Ok(ImportReport { rows: rows.len(), changed, unchanged: rows.len() - blank - changed, blank })
}

/// The current labels, in the natural order of sample ids.
/// Writes the current labels to `path` (format from `format`, else its extension, else CSV),
/// whole or not at all; returns how many.
pub fn export(project: &Project, path: &std::path::Path, format: Option<LabelFormat>) -> Result<usize> {
    let format = format.or_else(|| LabelFormat::from_path(path)).unwrap_or(LabelFormat::Csv);
    let rows = current_labels(project)?;
    let tmp = path.with_extension("kindling-tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| Error::file(path, format!("cannot write it ({e})")))?;
    crate::labels::files::write(&rows, format, &mut file)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).map_err(|e| Error::file(path, e))?;
    Ok(rows.len())
}

pub fn current_labels(project: &Project) -> Result<Vec<LabelRow>> {
    let mut rows: Vec<LabelRow> = project
        .labels()?
        .current()?
        .into_iter()
        .map(|(id, label)| LabelRow { line: 0, id, label: Some(label) })
        .collect();
    rows.sort_by(|a, b| crate::natural::compare(&a.id, &b.id));
    Ok(rows)
}

#[derive(Debug, Serialize)]
pub struct LabelStats {
    pub samples: usize,
    pub labelled: u64,
    pub unlabelled: u64,
    pub per_class: BTreeMap<String, u64>,
    /// Labels held by samples under a class that kindling.toml no longer lists.
    pub unknown_classes: BTreeMap<String, u64>,
    pub events: u64,
    pub events_per_origin: BTreeMap<String, u64>,
    pub last_labelled_ms: Option<i64>,
}

pub fn label_stats(project: &Project) -> Result<LabelStats> {
    label_stats_of(project, &project.source()?)
}

/// The same, over a source the caller has already opened (and scanned).
pub fn label_stats_of(project: &Project, source: &Source) -> Result<LabelStats> {
    let samples = source.count()?;
    let store = project.labels()?;
    let counts = store.count_per_label()?;
    let mut per_class: BTreeMap<String, u64> = project.config.class_names().into_iter().map(|c| (c, 0)).collect();
    let mut unknown_classes = BTreeMap::new();
    for (label, n) in counts {
        match per_class.get_mut(&label) {
            Some(c) => *c = n,
            None => {
                unknown_classes.insert(label, n);
            }
        }
    }
    let labelled = store.labelled_count()?;
    Ok(LabelStats {
        samples,
        labelled,
        unlabelled: (samples as u64).saturating_sub(labelled),
        per_class,
        unknown_classes,
        events: store.event_count()?,
        events_per_origin: store.count_per_origin()?,
        last_labelled_ms: store.last_event_time_ms()?,
    })
}
