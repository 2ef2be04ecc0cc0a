//! The data readiness report: can this data be learnt from? Checks grouped in three bands —
//! C accessible, B faithful, A appropriate for the task — each finding with a severity, a
//! count, the first few sample ids and a suggestion. The band reached is the highest whose
//! checks (and those of the bands below) have no finding of severity `error`.

mod boxes;
mod files;
mod markdown;
mod table;
mod task;

use std::collections::HashMap;

use serde::Serialize;

use crate::data::Source;
use crate::data::split::Split;
use crate::error::Result;
use crate::progress::Progress;
use crate::project::Project;
pub use markdown::to_markdown;

/// How many sample ids a finding lists.
pub const EXAMPLES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Band {
    C,
    B,
    A,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Unreadable,
    MissingValues,
    ConstantColumn,
    TypeMixup,
    Outliers,
    Duplicates,
    NearDuplicates,
    LabelCoverage,
    ClassImbalance,
    SplitLeakage,
    ConflictingLabels,
    TooFewSamples,
    LeakageSuspect,
    BoxesOutside,
    BoxesOnBorder,
    TinyBoxes,
    DuplicateBoxes,
}

impl Check {
    pub fn band(self) -> Band {
        match self {
            Check::Unreadable => Band::C,
            Check::MissingValues
            | Check::ConstantColumn
            | Check::TypeMixup
            | Check::Outliers
            | Check::Duplicates
            | Check::NearDuplicates
            | Check::BoxesOutside
            | Check::TinyBoxes
            | Check::DuplicateBoxes => Band::B,
            _ => Band::A,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Check::Unreadable => "unreadable",
            Check::MissingValues => "missing_values",
            Check::ConstantColumn => "constant_column",
            Check::TypeMixup => "type_mixup",
            Check::Outliers => "outliers",
            Check::Duplicates => "duplicates",
            Check::NearDuplicates => "near_duplicates",
            Check::LabelCoverage => "label_coverage",
            Check::ClassImbalance => "class_imbalance",
            Check::SplitLeakage => "split_leakage",
            Check::ConflictingLabels => "conflicting_labels",
            Check::TooFewSamples => "too_few_samples",
            Check::LeakageSuspect => "leakage_suspect",
            Check::BoxesOutside => "boxes_outside",
            Check::BoxesOnBorder => "boxes_on_border",
            Check::TinyBoxes => "tiny_boxes",
            Check::DuplicateBoxes => "duplicate_boxes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub check: Check,
    pub band: Band,
    pub severity: Severity,
    /// How many samples (or values) the finding is about.
    pub count: u64,
    /// The first few sample ids concerned.
    pub examples: Vec<String>,
    /// The table column concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What was found, in a sentence.
    pub message: String,
    pub suggestion: String,
}

impl Finding {
    pub fn new(check: Check, severity: Severity, count: u64, message: impl Into<String>) -> Finding {
        Finding {
            check,
            band: check.band(),
            severity,
            count,
            examples: Vec::new(),
            column: None,
            message: message.into(),
            suggestion: String::new(),
        }
    }

    /// Groups of copies (`duplicates`, a warning) or near copies (`near_duplicates`, info):
    /// the count is the samples beyond the first of each group; `what` says how they match.
    pub fn copies(check: Check, groups: &Groups, what: &str) -> Finding {
        let copies: u64 = groups.iter().map(|g| g.len() as u64 - 1).sum();
        let (severity, suggestion) = match check {
            Check::Duplicates => (Severity::Warning, "drop the copies, or keep each group in one split with one label"),
            _ => (Severity::Info, "look at them side by side; keep one, or keep each group in one split"),
        };
        let members: usize = groups.iter().map(|g| g.len()).sum();
        let groups_said = if groups.len() == 1 { "1 group".to_string() } else { format!("{} groups", groups.len()) };
        Finding::new(check, severity, copies, format!("{members} samples in {groups_said}: {what}"))
            .examples(groups.iter().flat_map(|g| g.iter().cloned()))
            .suggest(suggestion)
    }

    /// An error about whole groups of duplicates (every member counts).
    pub fn groups(check: Check, groups: &[&Vec<String>], what: &str, suggestion: &str) -> Finding {
        let count = groups.iter().map(|g| g.len() as u64).sum();
        Finding::new(check, Severity::Error, count, format!("{} groups of duplicate samples {what}", groups.len()))
            .examples(groups.iter().flat_map(|g| g.iter().cloned()))
            .suggest(suggestion)
    }

    pub fn examples(mut self, ids: impl IntoIterator<Item = String>) -> Finding {
        self.examples = ids.into_iter().take(EXAMPLES).collect();
        self
    }

    pub fn column(mut self, column: &str) -> Finding {
        self.column = Some(column.to_string());
        self
    }

    pub fn suggest(mut self, suggestion: impl Into<String>) -> Finding {
        self.suggestion = suggestion.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `none`, `C`, `B` or `A`.
    pub band: String,
    pub findings: Vec<Finding>,
    /// What the data looks like (counts, sizes, lengths, rates), for people.
    pub profile: Vec<(String, String)>,
}

/// Samples that are the same (or nearly): the first id of each group came first.
pub type Groups = Vec<Vec<String>>;

/// What the kind-specific checks hand to the task checks.
pub struct Scanned {
    pub findings: Vec<Finding>,
    pub profile: Vec<(String, String)>,
    /// Every usable sample id, in source order.
    pub ids: Vec<String>,
    pub exact: Groups,
    pub near: Groups,
    /// Feature columns that predict the label almost alone (tables only).
    pub leakage: Vec<Finding>,
}

pub fn report(project: &Project, qa: &crate::qa::QaReport, progress: &dyn Progress) -> Result<Report> {
    let source = project.source()?;
    let store = project.labels()?;
    progress.stage("reading labels", None);
    let labels: HashMap<String, String> = store.current()?.into_iter().collect();
    let scanned = match &source {
        Source::Table(t) => table::scan(t, &labels, progress)?,
        Source::Folder(f) => files::scan(f, progress)?,
    };
    let splits = fixed_splits(&source, &scanned.ids)?;
    let mut findings = scanned.findings;
    let classes = project.config.class_names();
    if project.config.is_detect() {
        let boxes = store.all_boxes()?;
        let root = source.location();
        let sizes = boxes.keys().map(|id| (id.clone(), image::image_dimensions(root.join(id)).ok())).collect();
        findings.extend(boxes::check(&classes, &scanned.ids, &boxes, &store.done_images()?, &sizes));
    } else {
        findings.extend(task::check(&classes, &scanned.ids, &labels, &splits, &scanned.exact, &scanned.near));
    }
    findings.extend(scanned.leakage);
    // Accessibility first, then faithfulness, then the task; worst first within a band.
    findings.sort_by(|a, b| a.band.cmp(&b.band).then(b.severity.cmp(&a.severity)));
    let mut profile = scanned.profile;
    profile.extend(label_qa(qa));
    progress.finish();
    Ok(Report { band: band(&findings), findings, profile })
}

/// What label QA says of the labeller, once echoes or gold samples were answered.
fn label_qa(qa: &crate::qa::QaReport) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let a = &qa.self_agreement;
    if let Some(k) = a.kappa.as_ref().filter(|_| a.pairs > 0) {
        out.push((
            "self-agreement".to_string(),
            format!("{:.2} on {} echoes, κ {:.2} ({:.2}–{:.2})", a.percent, a.pairs, k.value, k.low, k.high),
        ));
    }
    if let Some(g) = &qa.gold {
        out.push((
            "gold accuracy".to_string(),
            format!("{:.2} on {} ({:.2}–{:.2})", g.accuracy.value, g.answered, g.accuracy.low, g.accuracy.high),
        ));
    }
    if let Some(d) = &qa.drop {
        out.push((
            "agreement dropped".to_string(),
            format!("{} from label {} (`kindling qa`)", d.rates_said(), d.after_labels),
        ));
    }
    out
}

/// The fixed split of each sample, when the source has one; `ids` are the sample ids the
/// scan read, in source order (none when the source could not be read).
fn fixed_splits(source: &Source, ids: &[String]) -> Result<HashMap<String, Split>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    if let Some(map) = source.split_map()? {
        return Ok(map);
    }
    match source {
        Source::Table(t) => match t.split_values()? {
            Some(values) => Ok(ids.iter().zip(values).filter_map(|(id, s)| s.map(|s| (id.clone(), s))).collect()),
            None => Ok(HashMap::new()),
        },
        Source::Folder(_) => Ok(HashMap::new()),
    }
}

fn band(findings: &[Finding]) -> String {
    let fails = |b: Band| findings.iter().any(|f| f.band == b && f.severity == Severity::Error);
    if fails(Band::C) {
        "none"
    } else if fails(Band::B) {
        "C"
    } else if fails(Band::A) {
        "B"
    } else {
        "A"
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_is_the_highest_without_errors_below_it() {
        let f = |check, severity| Finding::new(check, severity, 1, "");
        assert_eq!(band(&[]), "A");
        assert_eq!(band(&[f(Check::Duplicates, Severity::Warning)]), "A");
        assert_eq!(band(&[f(Check::SplitLeakage, Severity::Error)]), "B");
        assert_eq!(band(&[f(Check::MissingValues, Severity::Error), f(Check::SplitLeakage, Severity::Error)]), "C");
        assert_eq!(band(&[f(Check::Unreadable, Severity::Error)]), "none");
    }

    #[test]
    fn copies_count_the_samples_of_their_groups() {
        let pair = vec![vec!["a".to_string(), "b".to_string()]];
        let finding = Finding::copies(Check::NearDuplicates, &pair, "alike");
        assert_eq!((finding.count, finding.message.as_str()), (1, "2 samples in 1 group: alike"));
        let three = vec![pair[0].clone(), vec!["c".into(), "d".into(), "e".into()]];
        assert!(Finding::copies(Check::Duplicates, &three, "same").message.starts_with("5 samples in 2 groups"));
    }
}
