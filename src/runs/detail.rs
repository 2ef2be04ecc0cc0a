//! What the Results pane and `kindling show` read of a finished run: its record, metrics,
//! confusion matrix, the samples behind each cell, and the loss curve of its fit.

use std::path::Path;

use serde_json::Value;

use super::events::{self, EVENTS_FILE};
use super::{dir, record, train};
use crate::error::{Error, Result};
use crate::eval::confusion::Confusion;
use crate::eval::label_issues::LabelIssue;
use crate::eval::predictions::{PREDICTIONS_FILE, Predictions};

#[derive(Debug, Clone)]
pub struct RunDetail {
    pub record: record::RunRecord,
    pub metrics: Value,
    /// `confusion.csv`: the held-out split's matrix.
    pub confusion: Confusion,
    pub drill: Drill,
    /// Training loss per iteration of the run's model, for iterative models.
    pub loss: Vec<(f64, f64)>,
    /// Suspected label errors, for a run with K folds.
    pub issues: Option<Vec<LabelIssue>>,
    /// The run's classes the project no longer has, and what became of them (`→ new`,
    /// `(removed)`).
    pub since: std::collections::BTreeMap<String, String>,
}

/// The confusion matrix one can open cell by cell: the held-out split's, or for a run with
/// K folds the out-of-fold matrix over every labelled sample (the predictions label-issue
/// review judges by).
#[derive(Debug, Clone)]
pub struct Drill {
    /// What the matrix counts, in words.
    pub scope: String,
    pub matrix: Confusion,
    /// The per-class metrics that go with the matrix.
    pub metrics: Value,
    /// The samples behind the matrix, most confident first.
    pub samples: Vec<Scored>,
    /// Why the samples could not be read, when they could not.
    pub problem: Option<String>,
}

/// One sample behind a confusion cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: String,
    /// Class indexes into the matrix's classes.
    pub given: usize,
    pub predicted: usize,
    /// The probability of the predicted class.
    pub confidence: f64,
}

impl Drill {
    /// The samples of cell (given, predicted).
    pub fn cell(&self, given: usize, predicted: usize) -> Vec<&Scored> {
        self.samples.iter().filter(|s| s.given == given && s.predicted == predicted).collect()
    }
}

/// Reads a finished run's record, metrics, confusion matrix and predictions.
pub fn detail(project_root: &Path, id: &str) -> Result<RunDetail> {
    let run_dir = dir(project_root, id);
    let record = record::RunRecord::read(&run_dir)?;
    if record.status != "finished" {
        let why = record.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
        return Err(Error::user(format!("run {id} is {}{why}", record.status)));
    }
    let path = run_dir.join(train::METRICS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
    let metrics: Value = serde_json::from_str(&text).map_err(|e| Error::file(&path, e))?;
    let confusion = Confusion::read_csv(&run_dir.join(train::CONFUSION_FILE))?;
    if record.model == super::detector::MODEL_NAME {
        let drill = box_drill(&record, &metrics, &confusion);
        return Ok(RunDetail {
            record,
            metrics,
            confusion,
            drill,
            loss: Vec::new(),
            issues: None,
            since: Default::default(),
        });
    }
    let predictions = Predictions::read(&run_dir.join(PREDICTIONS_FILE));
    let issues = match &predictions {
        Ok(p) if record.folds.is_some() => Some(crate::eval::label_issues::find(p)),
        _ => None,
    };
    let drill = match predictions {
        Ok(p) => drill(&record, &metrics, &confusion.classes, &p),
        Err(e) => Drill {
            scope: held_out_scope(&record),
            matrix: confusion.clone(),
            metrics: metrics.clone(),
            samples: Vec::new(),
            problem: Some(e.to_string()),
        },
    };
    let loss = events::read(&run_dir.join(EVENTS_FILE))
        .map(|e| events::loss_curves(&e).into_iter().next().unwrap_or_default())
        .unwrap_or_default();
    // A project that cannot be read here only loses the note of renamed classes.
    let since = crate::project::Project::open(project_root)
        .and_then(|p| crate::project::class_history::since(&p, &confusion.classes))
        .unwrap_or_default();
    Ok(RunDetail { record, metrics, confusion, drill, loss, issues, since })
}

/// A detector run's cells: each pair of a labelled and a found box (or one of them alone)
/// is an entry, named by its image, surest found box first.
fn box_drill(record: &record::RunRecord, metrics: &Value, confusion: &Confusion) -> Drill {
    let cells = metrics.pointer("/evaluation/confusion/cells").and_then(Value::as_array);
    let mut samples: Vec<Scored> = cells
        .into_iter()
        .flatten()
        .flat_map(|cell| {
            let (row, col) = (cell["row"].as_u64().unwrap_or(0) as usize, cell["col"].as_u64().unwrap_or(0) as usize);
            cell["pairs"].as_array().into_iter().flatten().filter_map(move |pair| {
                Some(Scored {
                    id: pair["image"].as_str()?.to_string(),
                    given: row,
                    predicted: col,
                    confidence: pair["score"].as_f64().unwrap_or(0.0),
                })
            })
        })
        .filter(|s| s.given < confusion.classes.len() && s.predicted < confusion.classes.len())
        .collect();
    samples.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| crate::natural::compare(&a.id, &b.id)));
    Drill {
        scope: format!("{} held-out images, boxes at IoU 0.5", record.dataset.evaluated),
        matrix: confusion.clone(),
        metrics: metrics.clone(),
        samples,
        problem: cells.is_none().then(|| "the run's metrics.json holds no box confusion".to_string()),
    }
}

fn held_out_scope(record: &record::RunRecord) -> String {
    format!("{} split, {} samples", record.dataset.evaluated_split, record.dataset.evaluated)
}

fn drill(record: &record::RunRecord, metrics: &Value, classes: &[String], p: &Predictions) -> Drill {
    let out_of_fold = record.folds.is_some();
    let index = |name: &str| classes.iter().position(|c| c == name);
    let mut samples: Vec<Scored> = p
        .by_id
        .iter()
        .filter(|(_, x)| out_of_fold || x.split == record.dataset.evaluated_split)
        .filter_map(|(id, x)| {
            let (given, predicted) = (index(x.given.as_deref()?)?, index(&x.predicted)?);
            Some(Scored { id: id.clone(), given, predicted, confidence: x.confidence(&p.classes) })
        })
        .collect();
    samples.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| crate::natural::compare(&a.id, &b.id)));
    let given: Vec<usize> = samples.iter().map(|s| s.given).collect();
    let predicted: Vec<usize> = samples.iter().map(|s| s.predicted).collect();
    let (scope, metrics) = match (&record.folds, metrics.pointer("/cross_validation/out_of_fold")) {
        (Some(k), Some(m)) => (format!("out-of-fold ({k} folds), {} labelled samples", samples.len()), m.clone()),
        _ => (held_out_scope(record), metrics.clone()),
    };
    Drill { scope, matrix: Confusion::new(classes, &given, &predicted), metrics, samples, problem: None }
}
