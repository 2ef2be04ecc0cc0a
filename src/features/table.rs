//! Table features, as scikit-learn's usual column transformer: numbers imputed with the
//! median and standardized; categories imputed with the most frequent and one-hot encoded
//! (an unseen category is all zeros); a missing-indicator column for every column that had
//! gaps in training. Columns empty in training are left out.
//!
//! For models that split on values and take gaps themselves (gradient boosting), the
//! *native* encoding keeps one column per table column: numbers standardized with their
//! gaps left as NaN, categories as the index of their category (a gap or an unseen
//! category NaN).

use std::collections::HashMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::Matrix;
use crate::error::{Error, Result};

/// At most this many categories of one column get a one-hot column (the most frequent).
const MAX_CATEGORIES: usize = 1000;
/// At most this many categories of one column get a code in the native encoding (the most
/// frequent; the rest read as gaps): a histogram model bins each code, 255 bins a column.
const MAX_CODES: usize = 255;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableFeaturizer {
    columns: Vec<Encoded>,
    width: usize,
    /// Columns left out because training had no value in them.
    pub empty: Vec<String>,
}

/// The column names a table featurizer needs.
pub type TableColumns = Vec<String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Encoded {
    Number {
        name: String,
        median: f64,
        mean: f64,
        scale: f64,
        indicator: bool,
    },
    Category {
        name: String,
        categories: Vec<String>,
        most_frequent: String,
        indicator: bool,
    },
    /// Native: standardized, gaps NaN.
    Gappy {
        name: String,
        mean: f64,
        scale: f64,
    },
    /// Native: the category's index in `categories` (sorted), gaps and others NaN.
    Code {
        name: String,
        categories: Vec<String>,
    },
}

fn is_number(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric() || dtype.is_bool() || dtype.is_temporal()
}

/// A column's values as text, read in place (no string copied).
fn texts(column: &Column) -> Result<StringChunked> {
    Ok(column.cast(&DataType::String)?.str()?.clone())
}

fn numbers(column: &Column) -> Result<Vec<Option<f64>>> {
    let cast = column.cast(&DataType::Float64)?;
    Ok(cast.f64()?.iter().map(|v| v.filter(|v| v.is_finite())).collect())
}

impl TableFeaturizer {
    pub fn fit(df: &DataFrame) -> Result<TableFeaturizer> {
        TableFeaturizer::fit_encoding(df, false)
    }

    /// The native encoding (see the module's note).
    pub fn fit_native(df: &DataFrame) -> Result<TableFeaturizer> {
        TableFeaturizer::fit_encoding(df, true)
    }

    fn fit_encoding(df: &DataFrame, native: bool) -> Result<TableFeaturizer> {
        let (mut columns, mut empty) = (Vec::new(), Vec::new());
        for column in df.columns() {
            let name = column.name().to_string();
            let encoded = match (is_number(column.dtype()), native) {
                (true, false) => fit_number(name.clone(), &numbers(column)?),
                (false, false) => fit_category(name.clone(), &texts(column)?, MAX_CATEGORIES),
                (true, true) => fit_number(name.clone(), &numbers(column)?).map(Encoded::native),
                (false, true) => fit_category(name.clone(), &texts(column)?, MAX_CODES).map(Encoded::native),
            };
            match encoded {
                Some(e) => columns.push(e),
                None => empty.push(name),
            }
        }
        let width = columns.iter().map(Encoded::width).sum();
        Ok(TableFeaturizer { columns, width, empty })
    }

    pub fn transform(&self, df: &DataFrame) -> Result<Matrix> {
        let missing: Vec<String> = self.columns().into_iter().filter(|c| df.column(c).is_err()).collect();
        if !missing.is_empty() {
            return Err(Error::user(format!(
                "the input has no column {}; the run was trained on columns {}",
                missing.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "),
                self.columns().join(", ")
            )));
        }
        let rows = df.height();
        let mut data = vec![0.0f32; rows * self.width];
        let mut offset = 0;
        for encoded in &self.columns {
            let column = df.column(encoded.name())?;
            match encoded {
                Encoded::Number { median, mean, scale, indicator, .. } => {
                    for (i, v) in numbers(column)?.into_iter().enumerate() {
                        data[i * self.width + offset] = ((v.unwrap_or(*median) - mean) / scale) as f32;
                        if *indicator && v.is_none() {
                            data[i * self.width + offset + 1] = 1.0;
                        }
                    }
                }
                Encoded::Category { categories, most_frequent, indicator, .. } => {
                    let place: HashMap<&str, usize> =
                        categories.iter().enumerate().map(|(j, c)| (c.as_str(), j)).collect();
                    for (i, v) in texts(column)?.iter().enumerate() {
                        let value = v.unwrap_or(most_frequent);
                        if let Some(j) = place.get(value) {
                            data[i * self.width + offset + j] = 1.0;
                        }
                        if *indicator && v.is_none() {
                            data[i * self.width + offset + categories.len()] = 1.0;
                        }
                    }
                }
                Encoded::Gappy { mean, scale, .. } => {
                    for (i, v) in numbers(column)?.into_iter().enumerate() {
                        data[i * self.width + offset] = v.map_or(f32::NAN, |v| ((v - mean) / scale) as f32);
                    }
                }
                Encoded::Code { categories, .. } => {
                    let place: HashMap<&str, usize> =
                        categories.iter().enumerate().map(|(j, c)| (c.as_str(), j)).collect();
                    for (i, v) in texts(column)?.iter().enumerate() {
                        let code = v.and_then(|v| place.get(v));
                        data[i * self.width + offset] = code.map_or(f32::NAN, |&j| j as f32);
                    }
                }
            }
            offset += encoded.width();
        }
        Ok(Matrix::dense(rows, self.width, data))
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// An encoded row read back as column values (numbers un-standardized, each category
    /// the one with the largest weight): how an augmented row looks as a table row.
    pub fn decode(&self, row: &[f32]) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.columns.len());
        let mut offset = 0;
        for encoded in &self.columns {
            let value = match encoded {
                Encoded::Gappy { .. } | Encoded::Code { .. } if row[offset].is_nan() => String::new(),
                Encoded::Code { categories, .. } => {
                    categories.get(row[offset].round().max(0.0) as usize).cloned().unwrap_or_default()
                }
                Encoded::Number { mean, scale, .. } | Encoded::Gappy { mean, scale, .. } => {
                    // Six significant digits: the row went through f32, more would be noise.
                    let v = f64::from(row[offset]) * scale + mean;
                    let digits = 5 - v.abs().max(1e-12).log10().floor().clamp(-12.0, 5.0) as i32;
                    let factor = 10f64.powi(digits);
                    format!("{}", (v * factor).round() / factor)
                }
                Encoded::Category { categories, most_frequent, .. } => {
                    let weights = &row[offset..offset + categories.len()];
                    let best = weights.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).filter(|(_, w)| **w > 0.0);
                    best.map_or(most_frequent.clone(), |(j, _)| categories[j].clone())
                }
            };
            out.push((encoded.name().to_string(), value));
            offset += encoded.width();
        }
        out
    }

    /// What each feature column was divided by: a number's standard deviation, 1 for the
    /// one-hot and missing-flag columns.
    pub fn column_scales(&self) -> Vec<f64> {
        let mut scales = Vec::with_capacity(self.width);
        for encoded in &self.columns {
            match encoded {
                Encoded::Number { scale, .. } | Encoded::Gappy { scale, .. } => scales.push(*scale),
                Encoded::Category { .. } | Encoded::Code { .. } => scales.push(1.0),
            }
            scales.extend(std::iter::repeat_n(1.0, encoded.width() - 1));
        }
        scales
    }

    /// Which feature columns hold a standardized number (not a one-hot or missing flag).
    pub fn numeric_mask(&self) -> Vec<bool> {
        let mut mask = Vec::with_capacity(self.width);
        for encoded in &self.columns {
            mask.push(matches!(encoded, Encoded::Number { .. } | Encoded::Gappy { .. }));
            mask.extend(std::iter::repeat_n(false, encoded.width() - 1));
        }
        mask
    }

    /// Which feature columns hold a category's code (the native encoding).
    pub fn categorical_mask(&self) -> Vec<bool> {
        let mut mask = Vec::with_capacity(self.width);
        for encoded in &self.columns {
            mask.push(matches!(encoded, Encoded::Code { .. }));
            mask.extend(std::iter::repeat_n(false, encoded.width() - 1));
        }
        mask
    }

    /// Whether gaps and categories are left to the model (the native encoding).
    pub fn is_native(&self) -> bool {
        self.columns.iter().any(|c| matches!(c, Encoded::Gappy { .. } | Encoded::Code { .. }))
    }

    /// Each column read and what it takes: `number` or `category`.
    pub fn schema(&self) -> Vec<(String, &'static str)> {
        let kind = |e: &Encoded| match e {
            Encoded::Number { .. } | Encoded::Gappy { .. } => "number",
            Encoded::Category { .. } | Encoded::Code { .. } => "category",
        };
        self.columns.iter().map(|e| (e.name().to_string(), kind(e))).collect()
    }

    pub fn columns(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name().to_string()).collect()
    }
}

impl Encoded {
    fn name(&self) -> &str {
        match self {
            Encoded::Number { name, .. }
            | Encoded::Category { name, .. }
            | Encoded::Gappy { name, .. }
            | Encoded::Code { name, .. } => name,
        }
    }

    /// The native encoding of a fitted column: the same standardization and categories.
    fn native(self) -> Encoded {
        match self {
            Encoded::Number { name, mean, scale, .. } => Encoded::Gappy { name, mean, scale },
            Encoded::Category { name, categories, .. } => Encoded::Code { name, categories },
            native => native,
        }
    }

    fn width(&self) -> usize {
        match self {
            Encoded::Number { indicator, .. } => 1 + *indicator as usize,
            Encoded::Category { categories, indicator, .. } => categories.len() + *indicator as usize,
            Encoded::Gappy { .. } | Encoded::Code { .. } => 1,
        }
    }
}

fn fit_number(name: String, values: &[Option<f64>]) -> Option<Encoded> {
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return None;
    }
    // The median by selection, not a sort: the middle one, and for an even count the
    // largest of the lower half beside it.
    let m = present.len();
    let (lower, &mut upper, _) = present.select_nth_unstable_by(m / 2, f64::total_cmp);
    let median =
        if m % 2 == 1 { upper } else { (lower.iter().copied().fold(f64::NEG_INFINITY, f64::max) + upper) / 2.0 };
    let imputed: Vec<f64> = values.iter().map(|v| v.unwrap_or(median)).collect();
    let n = imputed.len() as f64;
    let mean = imputed.iter().sum::<f64>() / n;
    let sd = (imputed.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let scale = if sd < 1e-12 * mean.abs().max(1.0) { 1.0 } else { sd };
    Some(Encoded::Number { name, median, mean, scale, indicator: m < values.len() })
}

/// The `limit` most frequent categories.
fn fit_category(name: String, values: &StringChunked, limit: usize) -> Option<Encoded> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    values.iter().flatten().for_each(|v| *counts.entry(v).or_default() += 1);
    let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
    // Most frequent first; ties in alphabetical order (scikit-learn imputes the smallest).
    by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let most_frequent = by_count.first()?.0.to_string();
    let mut categories: Vec<String> = by_count.iter().take(limit).map(|(c, _)| c.to_string()).collect();
    categories.sort_unstable();
    let indicator = values.null_count() > 0;
    Some(Encoded::Category { name, categories, most_frequent, indicator })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!(
            "size" => [Some(1.0), None, Some(3.0), Some(5.0)],
            "colour" => [Some("red"), Some("blue"), None, Some("red")],
            "nothing" => [None::<f64>, None, None, None],
        )
        .unwrap()
    }

    #[test]
    fn imputes_standardizes_one_hot_encodes_and_marks_gaps() {
        let f = TableFeaturizer::fit(&frame()).unwrap();
        assert_eq!(f.empty, vec!["nothing"]);
        // size, size missing, blue, red, colour missing
        assert_eq!(f.width(), 5);
        let m = f.transform(&frame()).unwrap();
        // size imputed with the median 3 → [1, 3, 3, 5]: mean 3, sd √2.
        let sd = 2f32.sqrt();
        let row = |i: usize| m.row(i).iter().map(|(_, v)| v).collect::<Vec<f32>>();
        assert_eq!(row(0), vec![-2.0 / sd, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(row(1), vec![0.0, 1.0, 1.0, 0.0, 0.0]);
        assert_eq!(row(2), vec![0.0, 0.0, 0.0, 1.0, 1.0], "a missing colour is the most frequent one");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let values = [Some(20.0), Some(1.0), None, Some(10.0), Some(2.0)];
        match fit_number("x".into(), &values) {
            Some(Encoded::Number { median, indicator, .. }) => assert_eq!((median, indicator), (6.0, true)),
            other => panic!("a number: {other:?}"),
        }
    }

    #[test]
    fn the_native_encoding_keeps_gaps_and_codes_categories() {
        let f = TableFeaturizer::fit_native(&frame()).unwrap();
        assert!(f.is_native());
        assert_eq!(f.width(), 2, "one column per table column");
        assert_eq!(f.categorical_mask(), vec![false, true]);
        let m = f.transform(&df!("size" => [Some(3.0), None], "colour" => [Some("red"), Some("green")]).unwrap());
        let m = m.unwrap();
        let row = |i: usize| m.row(i).iter().map(|(_, v)| v).collect::<Vec<f32>>();
        // size: mean 3 over [1, 3, 5] and the gap's median 3; blue is code 0, red 1.
        assert_eq!(row(0), vec![0.0, 1.0]);
        assert!(row(1)[0].is_nan() && row(1)[1].is_nan(), "a gap and an unseen category: {:?}", row(1));
        assert_eq!(f.decode(&row(0)), vec![("size".into(), "3".into()), ("colour".into(), "red".into())]);
    }

    #[test]
    fn unseen_categories_are_zeros_and_missing_columns_are_named() {
        let f = TableFeaturizer::fit(&frame()).unwrap();
        let new = df!("size" => [2.0], "colour" => ["green"]).unwrap();
        let m = f.transform(&new).unwrap();
        assert_eq!(m.row(0).iter().skip(2).map(|(_, v)| v).collect::<Vec<f32>>(), vec![0.0, 0.0, 0.0]);
        let err = f.transform(&df!("size" => [2.0]).unwrap()).unwrap_err();
        assert!(err.message().contains("no column 'colour'"), "{}", err.message());
    }
}
