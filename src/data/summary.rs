//! A summary of one table column over the rows a query selects: type, missing values,
//! distinct values, range and mean, and the most frequent values.

use polars::prelude::*;
use serde::Serialize;

use super::TableSource;
use super::query::Query;
use crate::error::Result;

/// How many of the most frequent values a summary lists.
const TOP: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    pub column: String,
    pub dtype: String,
    /// Floating-point numbers: min, max and top values are shown rounded.
    pub float: bool,
    pub rows: usize,
    pub nulls: usize,
    pub distinct: usize,
    pub min: Option<String>,
    pub max: Option<String>,
    /// For numeric columns.
    pub mean: Option<f64>,
    /// The most frequent values (nulls left out) and how often they occur.
    pub top: Vec<(String, usize)>,
}

pub fn summarize(t: &TableSource, query: &Query, column: &str) -> Result<ColumnSummary> {
    let lf = query.apply(t.scan_with_ids()?);
    let schema = t.table.collect(lf.clone().select([col(column)]).limit(0))?.schema().clone();
    let dtype = schema.get(column).cloned().unwrap_or(DataType::Null);
    let numeric = dtype.is_primitive_numeric();
    let c = || col(column);
    let mut stats = vec![
        len().cast(DataType::UInt64).alias("rows"),
        c().null_count().cast(DataType::UInt64).alias("nulls"),
        c().n_unique().cast(DataType::UInt64).alias("distinct"),
        c().min().cast(DataType::String).alias("min"),
        c().max().cast(DataType::String).alias("max"),
    ];
    if numeric {
        stats.push(c().cast(DataType::Float64).mean().alias("mean"));
    }
    let df = t.table.collect(lf.clone().select(stats))?;
    let number = |name: &str| -> Result<usize> { Ok(df.column(name)?.u64()?.get(0).unwrap_or(0) as usize) };
    let text = |name: &str| -> Result<Option<String>> { Ok(df.column(name)?.str()?.get(0).map(str::to_string)) };
    let mean = if numeric { df.column("mean")?.f64()?.get(0) } else { None };

    let counts = lf
        .filter(c().is_not_null())
        .group_by([c().cast(DataType::String).alias("value")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort(["n", "value"], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .limit(TOP as IdxSize);
    let counts = t.table.collect(counts)?;
    let values = counts.column("value")?.str()?.clone();
    let ns = counts.column("n")?.u64()?.clone();
    let top = values
        .iter()
        .zip(ns.iter())
        .map(|(v, n)| (v.unwrap_or_default().to_string(), n.unwrap_or(0) as usize))
        .collect();
    let nulls = number("nulls")?;
    Ok(ColumnSummary {
        column: column.to_string(),
        dtype: dtype.to_string(),
        float: dtype.is_float(),
        rows: number("rows")?,
        nulls,
        // Polars counts null as one of the distinct values; people do not.
        distinct: number("distinct")?.saturating_sub(usize::from(nulls > 0)),
        min: text("min")?,
        max: text("max")?,
        mean,
        top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Source;
    use crate::data::{SourceConfig, SourceKind};

    #[test]
    fn summarizes_numbers_and_strings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "h,c\n1,red\n3,blue\n,red\n5,\n3,red\n").unwrap();
        let config = SourceConfig::new(SourceKind::Table, "t.csv");
        let Source::Table(t) = Source::open(dir.path(), &config, None).unwrap() else { panic!("a table") };
        let h = summarize(&t, &Query::default(), "h").unwrap();
        assert_eq!((h.rows, h.nulls, h.distinct), (5, 1, 3));
        assert_eq!((h.min.as_deref(), h.max.as_deref(), h.mean), (Some("1"), Some("5"), Some(3.0)));
        assert_eq!(h.top[0], ("3".to_string(), 2));
        let c = summarize(&t, &Query::default(), "c").unwrap();
        assert_eq!((c.nulls, c.distinct, c.mean), (1, 2, None));
        assert_eq!(c.top, [("red".to_string(), 3), ("blue".to_string(), 1)]);
        let filtered =
            Query { filter: Some(crate::data::query::parse_filter("c == red").unwrap()), ..Query::default() };
        assert_eq!(summarize(&t, &filtered, "h").unwrap().rows, 3);
    }
}
