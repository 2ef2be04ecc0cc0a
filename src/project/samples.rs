//! A window of samples with their current labels: rows of a table (only the window is read),
//! or files of a folder.

use polars::prelude::{DataType, IdxSize, IntoLazy, col, len, lit};
use serde::Serialize;

use super::Project;
use crate::data::query::Query;
use crate::data::{Source, TableSource};
use crate::error::Result;
use crate::labels::store::LabelStore;

#[derive(Debug, Serialize)]
pub struct SampleWindow {
    /// Total number of samples in the project.
    pub total: usize,
    pub offset: usize,
    /// Column names of `rows` (after `id` and `label`).
    pub columns: Vec<String>,
    pub rows: Vec<SampleRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleRow {
    pub id: String,
    pub label: Option<String>,
    /// One value per column, as text; `None` is a missing value.
    pub values: Vec<Option<String>>,
}

pub fn window(project: &Project, offset: usize, limit: usize) -> Result<SampleWindow> {
    let source = project.source()?;
    let total = source.count()?;
    let (columns, rows) = rows(&source, &project.labels()?, &Query::default(), offset, limit)?;
    Ok(SampleWindow { total, offset, columns, rows })
}

/// Samples `offset .. offset + limit` of an open source, with their current labels, and the
/// names of the columns their values belong to (tables only). A table's rows are those the
/// query selects, in its order.
pub fn rows(
    source: &Source,
    store: &LabelStore,
    query: &Query,
    offset: usize,
    limit: usize,
) -> Result<(Vec<String>, Vec<SampleRow>)> {
    let (columns, mut rows) = match source {
        Source::Table(t) => table_rows(t, query, offset, limit)?,
        Source::Folder(_) => {
            let ids = source.ids_in_order()?.into_iter().skip(offset).take(limit);
            (Vec::new(), ids.map(|id| SampleRow { id, label: None, values: Vec::new() }).collect())
        }
    };
    for row in &mut rows {
        row.label = store.get(&row.id)?;
    }
    Ok((columns, rows))
}

/// How many samples the query selects (all of them for folder sources).
pub fn count(source: &Source, query: &Query) -> Result<usize> {
    match source {
        Source::Table(t) if !query.is_empty() => {
            let df = t.table.collect(query.apply(t.scan_with_ids()?).select([len().alias("n")]))?;
            let n = df.column("n").and_then(|c| c.cast(&DataType::UInt64))?;
            Ok(n.u64()?.get(0).unwrap_or(0) as usize)
        }
        _ => source.count(),
    }
}

/// Name of the position column added while searching.
const POSITION: &str = "__kindling_position";

/// The position (in the query's order) of the next sample after `from` — or the previous
/// one before it — whose id, label-free values or file path contain `text`, ignoring case.
pub fn find(source: &Source, query: &Query, text: &str, from: usize, forward: bool) -> Result<Option<usize>> {
    let needle = text.to_lowercase();
    match source {
        Source::Folder(_) => {
            let ids = source.ids_in_order()?;
            let hit = |i: &usize| ids[*i].to_lowercase().contains(&needle);
            Ok(if forward { (from + 1..ids.len()).find(hit) } else { (0..from.min(ids.len())).rev().find(hit) })
        }
        Source::Table(t) => {
            let lf = query.apply(t.scan_with_ids()?).with_row_index(POSITION, None);
            let schema = t.table.collect(lf.clone().limit(0))?.schema().clone();
            let columns: Vec<String> = schema
                .iter_names()
                .map(|c| c.to_string())
                .filter(|c| c != POSITION && !c.starts_with("__kindling"))
                .collect();
            let contains = |c: &String| {
                col(c.as_str()).cast(DataType::String).str().to_lowercase().str().contains_literal(lit(needle.clone()))
            };
            let Some(any) = columns.iter().map(contains).reduce(|a, b| a.or(b)) else { return Ok(None) };
            let position = col(POSITION).cast(DataType::UInt64);
            let side =
                if forward { position.clone().gt(lit(from as u64)) } else { position.clone().lt(lit(from as u64)) };
            let pick = if forward { position.min() } else { position.max() };
            let df = t.table.collect(lf.filter(side.and(any.fill_null(lit(false)))).select([pick.alias("hit")]))?;
            let hit = df.column("hit").and_then(|c| c.cast(&DataType::UInt64))?;
            Ok(hit.u64()?.get(0).map(|h| h as usize))
        }
    }
}

/// Reads only rows `offset .. offset + limit` of the table.
fn table_rows(t: &TableSource, query: &Query, offset: usize, limit: usize) -> Result<(Vec<String>, Vec<SampleRow>)> {
    let df = t.table.collect(query.apply(t.scan_with_ids()?).slice(offset as i64, limit as IdxSize))?;
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c != "id" && !c.starts_with("__kindling"))
        .collect();
    let ids = t.table.strings(df.clone().lazy(), "id")?;
    let mut rows: Vec<SampleRow> =
        ids.into_iter().map(|id| SampleRow { id: id.unwrap_or_default(), label: None, values: Vec::new() }).collect();
    for c in &columns {
        for (row, v) in rows.iter_mut().zip(t.table.strings(df.clone().lazy(), c)?) {
            row.values.push(v);
        }
    }
    Ok((columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::query::parse_filter;
    use crate::project::config::{SourceConfig, SourceKind};

    fn table(dir: &std::path::Path) -> Source {
        std::fs::write(dir.join("t.csv"), "name,n\nApple,1\npear,2\napple pie,3\nplum,4\nAPPLES,5\n").unwrap();
        let config = SourceConfig::new(SourceKind::Table, "t.csv");
        Source::open(dir, &config, None).unwrap()
    }

    #[test]
    fn find_walks_both_ways_ignoring_case() {
        let dir = tempfile::tempdir().unwrap();
        let s = table(dir.path());
        let q = Query::default();
        assert_eq!(find(&s, &q, "apple", 0, true).unwrap(), Some(2));
        assert_eq!(find(&s, &q, "apple", 2, true).unwrap(), Some(4));
        assert_eq!(find(&s, &q, "apple", 4, true).unwrap(), None);
        assert_eq!(find(&s, &q, "APPLE", 4, false).unwrap(), Some(2));
        assert_eq!(find(&s, &q, "4", 0, true).unwrap(), Some(3), "numbers are searched as text");
    }

    #[test]
    fn find_and_count_follow_the_query() {
        let dir = tempfile::tempdir().unwrap();
        let s = table(dir.path());
        let q = Query { filter: Some(parse_filter("n >= 2").unwrap()), sort: Some(("n".into(), true)) };
        assert_eq!(count(&s, &q).unwrap(), 4);
        // In this order the rows are APPLES(5), plum(4), apple pie(3), pear(2).
        assert_eq!(find(&s, &q, "apple", 0, true).unwrap(), Some(2));
        let dir2 = tempfile::tempdir().unwrap();
        let store = LabelStore::create(&dir2.path().join("labels.db")).unwrap();
        let (_, rows) = rows(&s, &store, &q, 1, 2).unwrap();
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["3", "2"]);
    }
}
