//! `kindling predict`: apply a finished run to new data of the same kind, with the very
//! featurizer and model the run fitted.

use std::path::Path;

use polars::prelude::*;

use super::artifacts::{self, FEATURIZER_FILE, MODEL_FILE};
use super::record::RunRecord;
use crate::data::file_cache::FileCache;
use crate::data::folder;
use crate::data::table::{Table, TableFormat, column_texts};
use crate::data::{SourceConfig, SourceKind};
use crate::drift::{self, DriftReport, Profile};
use crate::error::{Error, Result};
use crate::eval::predictions::PROB_PREFIX;
use crate::features::{Featurizer, Inputs};
use crate::models::{Model, Probabilities};
use crate::progress::Progress;

pub struct Applied {
    pub ids: Vec<String>,
    pub classes: Vec<String>,
    pub probs: Probabilities,
    /// Files of an input folder that could not be decoded (left out, as `init` does).
    pub skipped: Vec<folder::Unreadable>,
    /// The inputs against the run's training profile (none for a run without one).
    pub drift: Option<DriftReport>,
}

/// A finished run's featurizer and model, loaded once (by `predict` and `serve`).
pub struct Loaded {
    pub record: RunRecord,
    pub featurizer: Featurizer,
    model: Model,
    pub profile: Option<Profile>,
}

impl Loaded {
    pub fn open(run_dir: &Path) -> Result<Loaded> {
        let record = RunRecord::read(run_dir)?;
        if record.status != "finished" {
            return Err(Error::user(format!(
                "run {} is {}, not finished; pick a finished run",
                record.id, record.status
            )));
        }
        let featurizer: Featurizer = artifacts::load(&run_dir.join(FEATURIZER_FILE))?;
        let model: Model = artifacts::load(&run_dir.join(MODEL_FILE))?;
        let profile = Profile::load(run_dir)?;
        Ok(Loaded { record, featurizer, model, profile })
    }

    /// The class probabilities of `inputs`, featurized as the run's training samples were.
    pub fn probabilities(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Probabilities> {
        let x = self.featurizer.transform(inputs, progress)?;
        progress.stage("predicting", None);
        let probs = self.model.predict_proba(&x)?;
        progress.finish();
        Ok(probs)
    }
}

/// Applies the run in `run_dir` to `input`: a table file, a folder of files, or one file.
pub fn apply(run_dir: &Path, input: &Path, progress: &dyn Progress) -> Result<Applied> {
    let loaded = Loaded::open(run_dir)?;
    let (ids, inputs, skipped) = read_input(&loaded.record.config.source, input, progress)?;
    if ids.is_empty() {
        let kind = loaded.record.config.source.kind;
        let what = match kind {
            SourceKind::Table => "rows".to_string(),
            _ => format!("readable {} files ({})", kind.name(), folder::extensions(kind).join(", ")),
        };
        return Err(Error::file(input, format!("holds no {what}")));
    }
    let probs = loaded.probabilities(&inputs, progress).map_err(|e| e.context(input.display()))?;
    let drift = loaded.profile.as_ref().map(|p| p.check(&p.observe(&inputs), &drift::confidence(&probs).1));
    Ok(Applied { ids, classes: loaded.record.classes, probs, skipped, drift })
}

type Input = (Vec<String>, Inputs, Vec<folder::Unreadable>);

/// Sample ids and featurizer inputs of `input`, read as the run's source was, and the files
/// of a folder that cannot be decoded.
fn read_input(source: &SourceConfig, input: &Path, progress: &dyn Progress) -> Result<Input> {
    let kind = source.kind;
    if input.is_dir() {
        if kind == SourceKind::Table {
            return Err(Error::file(input, "is a folder; this run was trained on a table, give a table file"));
        }
        let (entries, mut skipped) = folder::list(input, kind)?;
        let (usable, bad) = folder::check(entries, kind, &mut FileCache::in_memory(), progress);
        skipped.extend(bad);
        let ids = usable.iter().map(|c| c.entry.id.clone()).collect();
        let paths: Vec<_> = usable.into_iter().map(|c| c.entry.path).collect();
        return Ok((ids, Inputs::from_files(kind, paths)?, skipped));
    }
    if !input.exists() {
        return Err(Error::file(input, "does not exist"));
    }
    if kind != SourceKind::Table && folder::has_extension(input, kind) {
        let id = input.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        return Ok((vec![id], Inputs::from_files(kind, vec![input.to_path_buf()])?, Vec::new()));
    }
    if TableFormat::from_path(input).is_none() {
        return Err(Error::file(input, format!("is neither a table file nor {} samples", kind.name())));
    }
    let table = Table::open(input)?;
    let df = table.collect(table.scan()?)?;
    let ids: Vec<String> = match &source.id_column {
        Some(c) if df.column(c).is_ok() => column_texts(df.column(c)?)?,
        _ => (0..df.height()).map(|i| i.to_string()).collect(),
    };
    let inputs = match (kind, &source.text_column) {
        (SourceKind::Text, Some(text)) => {
            let column =
                df.column(text).map_err(|_| Error::file(input, format!("has no column '{text}' (the texts)")))?;
            Inputs::Texts(column_texts(column)?)
        }
        (SourceKind::Table, _) => Inputs::Table(df),
        _ => return Err(Error::file(input, format!("is a table; this run was trained on {}", kind.name()))),
    };
    Ok((ids, inputs, Vec::new()))
}

impl Applied {
    /// `id`, `predicted`, and one probability column per class.
    pub fn frame(&self) -> Result<DataFrame> {
        let predicted: Vec<&str> =
            (0..self.probs.rows()).map(|i| self.classes[self.probs.predicted(i)].as_str()).collect();
        let mut columns = vec![Column::new("id".into(), &self.ids), Column::new("predicted".into(), predicted)];
        for (c, class) in self.classes.iter().enumerate() {
            let values: Vec<f64> = (0..self.probs.rows()).map(|i| self.probs.row(i)[c]).collect();
            columns.push(Column::new(format!("{PROB_PREFIX}{class}").into(), values));
        }
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// Writes CSV or Parquet by the extension of `path`; CSV to `out` without a path.
    pub fn write(&self, path: Option<&Path>, out: &mut dyn std::io::Write) -> Result<()> {
        let mut df = self.frame()?;
        let Some(path) = path else {
            return CsvWriter::new(out).finish(&mut df).map_err(|e| Error::internal(e.to_string()));
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let file = std::fs::File::create(path).map_err(|e| Error::file(path, e))?;
        match ext.as_str() {
            "parquet" | "pq" => ParquetWriter::new(file).finish(&mut df).map(|_| ()),
            "csv" => CsvWriter::new(file).finish(&mut df),
            _ => return Err(Error::file(path, "must end in .csv or .parquet")),
        }
        .map_err(|e| Error::file(path, e))
    }
}
