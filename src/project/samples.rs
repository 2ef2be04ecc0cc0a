//! A window of samples with their current labels: rows of a table (only the window is read),
//! or files of a folder.

use polars::prelude::{IdxSize, IntoLazy};
use serde::Serialize;

use super::Project;
use crate::data::{Source, TableSource};
use crate::error::Result;

#[derive(Debug, Serialize)]
pub struct SampleWindow {
    /// Total number of samples in the project.
    pub total: usize,
    pub offset: usize,
    /// Column names of `rows` (after `id` and `label`).
    pub columns: Vec<String>,
    pub rows: Vec<SampleRow>,
}

#[derive(Debug, Serialize)]
pub struct SampleRow {
    pub id: String,
    pub label: Option<String>,
    /// One value per column, as text; `None` is a missing value.
    pub values: Vec<Option<String>>,
}

pub fn window(project: &Project, offset: usize, limit: usize) -> Result<SampleWindow> {
    let source = project.source()?;
    let total = source.count()?;
    let (columns, mut rows) = match &source {
        Source::Table(t) => table_rows(t, offset, limit)?,
        Source::Folder(_) => {
            let ids = source.ids_in_order()?.into_iter().skip(offset).take(limit);
            (Vec::new(), ids.map(|id| SampleRow { id, label: None, values: Vec::new() }).collect())
        }
    };
    let store = project.labels()?;
    for row in &mut rows {
        row.label = store.get(&row.id)?;
    }
    Ok(SampleWindow { total, offset, columns, rows })
}

/// Reads only rows `offset .. offset + limit` of the table.
fn table_rows(t: &TableSource, offset: usize, limit: usize) -> Result<(Vec<String>, Vec<SampleRow>)> {
    let df = t.table.collect(t.scan_with_ids()?.slice(offset as i64, limit as IdxSize))?;
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
