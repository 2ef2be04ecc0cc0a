//! `predictions.parquet`: one row per sample a run predicted — `id`, `split` (train, valid,
//! test, or unlabelled), `given` (the label at training time, null when unlabelled),
//! `predicted`, and one `prob_<class>` column per class.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::data::table::Table;
use crate::error::{Error, Result};

pub const PREDICTIONS_FILE: &str = "predictions.parquet";
/// Prefix of the probability columns.
pub const PROB_PREFIX: &str = "prob_";

#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub split: String,
    pub given: Option<String>,
    pub predicted: String,
    /// One probability per class, in the order of `Predictions::classes`.
    pub probs: Vec<f64>,
}

impl Prediction {
    /// The probability of the predicted class.
    pub fn confidence(&self, classes: &[String]) -> f64 {
        classes.iter().position(|c| *c == self.predicted).map_or(0.0, |i| self.probs[i])
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Predictions {
    pub classes: Vec<String>,
    pub by_id: HashMap<String, Prediction>,
}

impl Predictions {
    pub fn read(path: &Path) -> Result<Predictions> {
        let table = Table::open(path)?;
        let what = "a run's predictions have columns id, split, given, predicted and prob_<class>";
        for c in ["id", "split", "given", "predicted"] {
            table.require_column(c, what)?;
        }
        let schema = table.schema()?;
        let classes: Vec<String> =
            schema.iter_names().filter_map(|n| n.strip_prefix(PROB_PREFIX)).map(str::to_string).collect();
        if classes.is_empty() {
            return Err(Error::file(path, format!("has no {PROB_PREFIX}<class> columns; {what}")));
        }
        let text = |c: &str| table.strings(table.scan()?, c);
        let (ids, splits, given, predicted) = (text("id")?, text("split")?, text("given")?, text("predicted")?);
        let probs: Vec<Float64Chunked> = classes
            .iter()
            .map(|c| {
                let df =
                    table.collect(table.scan()?.select([col(format!("{PROB_PREFIX}{c}")).cast(DataType::Float64)]))?;
                Ok(df.columns()[0].f64()?.clone())
            })
            .collect::<Result<_>>()?;
        let mut by_id = HashMap::with_capacity(ids.len());
        for (row, id) in ids.into_iter().enumerate() {
            let id = id.ok_or_else(|| Error::file(path, format!("row {row}: the id is missing")))?;
            let prediction = Prediction {
                split: splits[row].clone().unwrap_or_default(),
                given: given[row].clone(),
                predicted: predicted[row].clone().unwrap_or_default(),
                probs: probs.iter().map(|p| p.get(row).unwrap_or(f64::NAN)).collect(),
            };
            by_id.insert(id, prediction);
        }
        Ok(Predictions { classes, by_id })
    }

    /// Writes the rows in the order of `ids`.
    pub fn write(&self, ids: &[String], path: &Path) -> Result<()> {
        let rows: Vec<&Prediction> = ids
            .iter()
            .map(|id| self.by_id.get(id).ok_or_else(|| Error::internal(format!("no prediction for {id}"))))
            .collect::<Result<_>>()?;
        let columns = Columns {
            ids,
            split: &rows.iter().map(|r| r.split.as_str()).collect::<Vec<_>>(),
            given: &rows.iter().map(|r| r.given.as_deref()).collect::<Vec<_>>(),
            predicted: &rows.iter().map(|r| r.predicted.as_str()).collect::<Vec<_>>(),
        };
        write_columns(path, &self.classes, &columns, |row, class| rows[row].probs[class])
    }
}

/// The text columns of predictions.parquet, a value a row.
pub struct Columns<'a> {
    pub ids: &'a [String],
    pub split: &'a [&'a str],
    pub given: &'a [Option<&'a str>],
    pub predicted: &'a [&'a str],
}

/// Writes predictions.parquet from its columns and `prob(row, class)`: a run writes what it
/// predicted straight from its arrays, without a map of every row first.
pub fn write_columns(path: &Path, classes: &[String], c: &Columns, prob: impl Fn(usize, usize) -> f64) -> Result<()> {
    let mut columns = vec![
        Column::new("id".into(), c.ids),
        Column::new("split".into(), c.split),
        Column::new("given".into(), c.given),
        Column::new("predicted".into(), c.predicted),
    ];
    for (i, class) in classes.iter().enumerate() {
        let values: Vec<f64> = (0..c.ids.len()).map(|row| prob(row, i)).collect();
        columns.push(Column::new(format!("{PROB_PREFIX}{class}").into(), values));
    }
    let mut df = DataFrame::new_infer_height(columns)?;
    let file = std::fs::File::create(path).map_err(|e| Error::file(path, e))?;
    // LZ4: a third of the time zstd took for the predictions of 20,000 rows, at a size
    // that does not matter beside the run's other files.
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Lz4Raw)
        .finish(&mut df)
        .map_err(|e| Error::file(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PREDICTIONS_FILE);
        let row = |split: &str, given: Option<&str>, predicted: &str, probs: [f64; 2]| Prediction {
            split: split.into(),
            given: given.map(str::to_string),
            predicted: predicted.into(),
            probs: probs.to_vec(),
        };
        let p = Predictions {
            classes: vec!["cat".into(), "dog".into()],
            by_id: [
                ("a.png".to_string(), row("test", Some("cat"), "dog", [0.3, 0.7])),
                ("b.png".to_string(), row("unlabelled", None, "cat", [0.9, 0.1])),
            ]
            .into_iter()
            .collect(),
        };
        p.write(&["b.png".into(), "a.png".into()], &path).unwrap();
        let back = Predictions::read(&path).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.by_id["a.png"].confidence(&back.classes), 0.7);
    }

    #[test]
    fn a_file_without_probabilities_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PREDICTIONS_FILE);
        let p = Predictions { classes: Vec::new(), by_id: HashMap::new() };
        p.write(&[], &path).unwrap();
        let e = Predictions::read(&path).unwrap_err().to_string();
        assert!(e.contains(PREDICTIONS_FILE) && e.contains("prob_<class>"), "{e}");
    }
}
