//! Columns that give the label away: a table column whose value alone (a number by its bin
//! of 32 over the column's range, a category by its value) names the label of nearly every
//! labelled row. Trained on, such a column makes a model look perfect and learn nothing
//! (a species column beside the species label).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use polars::prelude::{DataFrame, DataType};

use crate::error::Result;

/// A column predicting the label this well on its own is a leakage suspect.
pub const LEAKAGE_ACCURACY: f64 = 0.98;
/// Fewer labelled rows than this say too little to suspect anything.
const MIN_ROWS: usize = 20;
/// Numbers are binned this finely.
const BINS: f64 = 32.0;

/// The columns of `df` that alone give the label (`y`, a class per row) of at least
/// `LEAKAGE_ACCURACY` of `rows`, with that share, most telling first. Nothing when the
/// largest class alone is over 90% of the rows (any column looks telling then).
pub fn suspects(df: &DataFrame, y: &[usize], rows: &[usize]) -> Result<Vec<(String, f64)>> {
    if rows.len() < MIN_ROWS {
        return Ok(Vec::new());
    }
    let mut sizes = HashMap::<usize, usize>::new();
    rows.iter().for_each(|&r| *sizes.entry(y[r]).or_default() += 1);
    if sizes.values().max().copied().unwrap_or(0) as f64 > 0.9 * rows.len() as f64 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for column in df.columns() {
        let Some(keys) = keys(column, rows)? else { continue };
        let mut counts = HashMap::<(u64, usize), usize>::new();
        for (&r, key) in rows.iter().zip(&keys) {
            *counts.entry((*key, y[r])).or_default() += 1;
        }
        let mut best = HashMap::<u64, usize>::new();
        for ((key, _), n) in counts {
            let b = best.entry(key).or_default();
            *b = (*b).max(n);
        }
        let share = best.values().sum::<usize>() as f64 / rows.len() as f64;
        if share >= LEAKAGE_ACCURACY {
            out.push((column.name().to_string(), share));
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// Each row's key in `column`: its number's bin, or its category; `None` for a column of
/// too many distinct values to say anything (more than a tenth of the rows).
fn keys(column: &polars::prelude::Column, rows: &[usize]) -> Result<Option<Vec<u64>>> {
    let dtype = column.dtype();
    if dtype.is_primitive_numeric() && !dtype.is_bool() {
        let values = column.cast(&DataType::Float64)?;
        let values = values.f64()?;
        let at: Vec<Option<f64>> = rows.iter().map(|&r| values.get(r)).collect();
        let (lo, hi) = at.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        let bin = |v: f64| (((v - lo) / span * BINS) as u64).min(BINS as u64 - 1);
        return Ok(Some(at.into_iter().map(|v| v.map_or(u64::MAX, bin)).collect()));
    }
    let values = column.cast(&DataType::String)?;
    let values = values.str()?;
    let keys: Vec<u64> = rows
        .iter()
        .map(|&r| {
            let mut h = DefaultHasher::new();
            values.get(r).hash(&mut h);
            h.finish()
        })
        .collect();
    let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
    Ok((distinct as f64 <= rows.len() as f64 / 10.0).then_some(keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column, NamedFrom, Series};

    fn frame() -> (DataFrame, Vec<usize>) {
        let n = 60;
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let species: Vec<&str> = y.iter().map(|&c| ["adelie", "gentoo", "chinstrap"][c]).collect();
        // A number that follows the class exactly, and noise that does not.
        let mass: Vec<f64> = y.iter().map(|&c| 3000.0 + 1000.0 * c as f64).collect();
        let noise: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64).collect();
        let island: Vec<&str> = (0..n).map(|i| ["biscoe", "dream"][(i / 7) % 2]).collect();
        let df = DataFrame::new_infer_height(vec![
            Column::from(Series::new("species".into(), species)),
            Column::from(Series::new("mass".into(), mass)),
            Column::from(Series::new("noise".into(), noise)),
            Column::from(Series::new("island".into(), island)),
        ])
        .unwrap();
        (df, y)
    }

    #[test]
    fn a_column_that_names_the_label_is_suspected_and_others_are_not() {
        let (df, y) = frame();
        let rows: Vec<usize> = (0..60).collect();
        let found = suspects(&df, &y, &rows).unwrap();
        let names: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["mass", "species"], "{found:?}");
        assert!(found.iter().all(|(_, share)| *share == 1.0));
    }

    #[test]
    fn too_few_rows_or_one_class_suspect_nothing() {
        let (df, y) = frame();
        assert!(suspects(&df, &y, &(0..10).collect::<Vec<_>>()).unwrap().is_empty());
        let one = vec![0; 60];
        assert!(suspects(&df, &one, &(0..60).collect::<Vec<_>>()).unwrap().is_empty());
    }
}
