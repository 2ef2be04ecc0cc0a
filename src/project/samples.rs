//! A window of samples with their current labels: rows of a table (only the window is read),
//! or files of a folder.

use std::collections::HashMap;

use polars::prelude::{
    Column, DataFrame, DataType, IdxSize, IntoLazy, JoinArgs, JoinType, LazyFrame, MaintainOrderJoin, col, len, lit,
};
use serde::Serialize;

use super::Project;
use crate::data::query::{LabelFilter, Query};
use crate::data::row_index::RowIndex;
use crate::data::{Source, TableSource};
use crate::error::{Error, Result};
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

/// A column of the rows read from a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableColumn {
    pub name: String,
    /// Floating-point numbers: shown rounded, kept whole.
    pub float: bool,
}

impl TableColumn {
    /// The value as shown in a grid or a card.
    pub fn shown(&self, value: &str) -> String {
        if self.float { crate::data::display::float(value) } else { value.to_string() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleRow {
    pub id: String,
    pub label: Option<String>,
    /// One value per column, as text; `None` is a missing value.
    pub values: Vec<Option<String>>,
}

/// Samples `offset .. offset + limit` of those `query` selects, and how many it selects.
pub fn window(project: &Project, query: &Query, offset: usize, limit: usize) -> Result<SampleWindow> {
    let source = project.source()?;
    let store = project.labels()?;
    if let LabelFilter::Class(class) = &query.labels
        && !project.config.has_class(class)
    {
        let names = project.config.class_names().join(", ");
        return Err(Error::user(format!("no class \"{class}\"; the classes are {names}")));
    }
    if let Some(filter) = &query.filter {
        let columns = match &source {
            Source::Table(t) => t.table.column_names()?,
            Source::Folder(_) => return Err(Error::user("--filter applies to tables; folders have no columns")),
        };
        if let Some(missing) = filter.columns().into_iter().find(|c| !columns.iter().any(|k| k == c)) {
            return Err(Error::user(format!(
                "--filter: no column \"{missing}\"; the columns are {}",
                columns.join(", ")
            )));
        }
    }
    let total = if query.is_empty() { source.count()? } else { count(&source, &store, query, &|_| {})? };
    let (columns, rows) = rows(&source, &store, query, offset, limit)?;
    Ok(SampleWindow { total, offset, columns: columns.into_iter().map(|c| c.name).collect(), rows })
}

/// Name of the current label joined onto a table for label filters.
const LABEL: &str = "__kindling_label";
/// Name of the position column added while searching.
const POSITION: &str = "__kindling_position";

/// The samples a query selects, in its order: a lazy table, or the ids of folder files.
enum View {
    Table(Box<LazyFrame>),
    Files(Vec<String>),
}

fn view(source: &Source, store: &LabelStore, query: &Query) -> Result<View> {
    match source {
        Source::Table(t) => {
            let mut lf = t.scan_with_ids()?;
            if query.labels != LabelFilter::All {
                let current = store.current()?;
                let ids: Vec<&str> = current.iter().map(|(id, _)| id.as_str()).collect();
                let labels: Vec<&str> = current.iter().map(|(_, l)| l.as_str()).collect();
                let labels = DataFrame::new_infer_height(vec![
                    Column::new("id".into(), ids),
                    Column::new(LABEL.into(), labels),
                ])?;
                let mut args = JoinArgs::new(JoinType::Left);
                args.maintain_order = MaintainOrderJoin::Left;
                let keep = match &query.labels {
                    LabelFilter::All | LabelFilter::Labelled => col(LABEL).is_not_null(),
                    LabelFilter::Unlabelled => col(LABEL).is_null(),
                    LabelFilter::Class(c) => col(LABEL).eq(lit(c.clone())).fill_null(lit(false)),
                };
                lf = lf.join(labels.lazy(), [col("id")], [col("id")], args).filter(keep);
            }
            if let Some(split) = query.split {
                lf = match (&t.split_column, source.split_map()?) {
                    (Some(c), _) => {
                        let value = col(c.as_str()).cast(DataType::String).str().to_lowercase();
                        let any = split.spellings().iter().map(|s| value.clone().eq(lit(*s))).reduce(|a, b| a.or(b));
                        lf.filter(any.unwrap_or(lit(false)).fill_null(lit(false)))
                    }
                    (None, Some(map)) => {
                        let ids: Vec<&str> =
                            map.iter().filter(|(_, s)| **s == split).map(|(id, _)| id.as_str()).collect();
                        let keep = DataFrame::new_infer_height(vec![Column::new("id".into(), ids)])?;
                        let mut args = JoinArgs::new(JoinType::Inner);
                        args.maintain_order = MaintainOrderJoin::Left;
                        lf.join(keep.lazy(), [col("id")], [col("id")], args)
                    }
                    (None, None) => return Err(no_split()),
                };
            }
            Ok(View::Table(Box::new(query.apply(lf))))
        }
        Source::Folder(_) => {
            let mut ids = source.ids_in_order()?;
            if query.labels != LabelFilter::All {
                let current: HashMap<String, String> = store.current()?.into_iter().collect();
                ids.retain(|id| query.labels.keeps(current.get(id).map(String::as_str)));
            }
            if let Some(split) = query.split {
                let map = source.split_map()?.ok_or_else(no_split)?;
                ids.retain(|id| map.get(id) == Some(&split));
            }
            Ok(View::Files(ids))
        }
    }
}

fn no_split() -> crate::Error {
    crate::Error::user("this project has no fixed split (a split column, split file or split folders)")
}

/// Samples `offset .. offset + limit` of what the query selects, with their current labels,
/// and the columns their values belong to (tables only). Of a table, only those rows are
/// read: by seeking through the row index of a CSV file in source order, through polars
/// otherwise.
pub fn rows(
    source: &Source,
    store: &LabelStore,
    query: &Query,
    offset: usize,
    limit: usize,
) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    if let Source::Table(t) = source
        && let Some(index) = t.row_index.as_ref().filter(|_| query.is_empty())
    {
        let (columns, mut rows) = indexed_rows(t, index, offset, limit)?;
        for row in &mut rows {
            row.label = store.get(&row.id)?;
        }
        return Ok((columns, rows));
    }
    let (columns, mut rows) = match (source, view(source, store, query)?) {
        (Source::Table(t), View::Table(lf)) => table_rows(t, *lf, offset, limit)?,
        (_, View::Table(_)) => (Vec::new(), Vec::new()),
        (_, View::Files(ids)) => {
            let ids = ids.into_iter().skip(offset).take(limit);
            (Vec::new(), ids.map(|id| SampleRow { id, label: None, values: Vec::new() }).collect())
        }
    };
    for row in &mut rows {
        row.label = store.get(&row.id)?;
    }
    Ok((columns, rows))
}

/// The samples with these ids, in the order asked, with their values (tables) and current
/// labels; ids not in the source are left out. Of a table, one pass reads the matching rows.
pub fn rows_by_ids(source: &Source, store: &LabelStore, ids: &[String]) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    let (columns, found) = match source {
        // Ids that are row numbers are read through the row index.
        Source::Table(t)
            if let (Some(index), None) = (t.row_index.as_ref(), t.id_column.as_ref())
                && let Some(positions) = ids.iter().map(|id| id.parse::<usize>().ok()).collect::<Option<Vec<_>>>() =>
        {
            indexed_rows_at(t, index, &positions)?
        }
        Source::Table(t) => {
            let wanted = DataFrame::new_infer_height(vec![Column::new("id".into(), ids)])?;
            let mut args = JoinArgs::new(JoinType::Inner);
            args.maintain_order = MaintainOrderJoin::Left;
            let lf = t.scan_with_ids()?.join(wanted.lazy(), [col("id")], [col("id")], args);
            table_rows(t, lf, 0, ids.len())?
        }
        Source::Folder(_) => {
            let found = ids.iter().filter(|id| source.contains(id).unwrap_or(false));
            (Vec::new(), found.map(|id| SampleRow { id: id.clone(), label: None, values: Vec::new() }).collect())
        }
    };
    let mut by_id: HashMap<String, SampleRow> = found.into_iter().map(|r| (r.id.clone(), r)).collect();
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(mut row) = by_id.remove(id) {
            row.label = store.get(id)?;
            rows.push(row);
        }
    }
    Ok((columns, rows))
}

/// `rows_by_ids` of one sample whose row is likely the `hint`-th (its place among the
/// samples): read there through the row index when its id is found there, looked for by id
/// otherwise. The Map pane knows each point's place; finding a row by its id scans the
/// whole file (a second at 2,000,000 rows, at every move of the cursor).
pub fn row_by_id_near(
    source: &Source,
    store: &LabelStore,
    id: &str,
    hint: usize,
) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    if let Source::Table(t) = source
        && let Some(index) = t.row_index.as_ref()
    {
        let (columns, mut rows) = indexed_rows_at(t, index, &[hint])?;
        if rows.len() == 1 && rows[0].id == id {
            rows[0].label = store.get(id)?;
            return Ok((columns, rows));
        }
    }
    rows_by_ids(source, store, &[id.to_string()])
}

/// How many samples the query selects. All the rows of a CSV file are counted by building
/// its row index, which tells `progress` the rows found so far.
pub fn count(source: &Source, store: &LabelStore, query: &Query, progress: &dyn Fn(usize)) -> Result<usize> {
    if let Source::Table(t) = source
        && let Some(index) = t.row_index.as_ref().filter(|_| query.is_empty())
    {
        return index.ensure(progress);
    }
    if query.is_empty() {
        return source.count();
    }
    match (source, view(source, store, query)?) {
        (Source::Table(t), View::Table(lf)) => {
            let df = t.table.collect(lf.select([len().alias("n")]))?;
            let n = df.column("n").and_then(|c| c.cast(&DataType::UInt64))?;
            Ok(n.u64()?.get(0).unwrap_or(0) as usize)
        }
        (_, View::Files(ids)) => Ok(ids.len()),
        (_, View::Table(_)) => Ok(0),
    }
}

/// The position (in the query's order) of the next sample after `from` — or the previous
/// one before it — whose id, values or file path contain `text`, ignoring case.
pub fn find(
    source: &Source,
    store: &LabelStore,
    query: &Query,
    text: &str,
    from: usize,
    forward: bool,
) -> Result<Option<usize>> {
    let needle = text.to_lowercase();
    match (source, view(source, store, query)?) {
        (_, View::Files(ids)) => {
            let hit = |i: &usize| ids[*i].to_lowercase().contains(&needle);
            Ok(if forward { (from + 1..ids.len()).find(hit) } else { (0..from.min(ids.len())).rev().find(hit) })
        }
        (Source::Table(t), View::Table(lf)) => {
            let lf = (*lf).with_row_index(POSITION, None);
            let schema = t.table.collect(lf.clone().limit(0))?.schema().clone();
            let columns: Vec<String> =
                schema.iter_names().map(|c| c.to_string()).filter(|c| !c.starts_with("__kindling")).collect();
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
        (_, View::Table(_)) => Ok(None),
    }
}

/// The position (in the query's order) of the sample whose id is `id`, if the view has it.
pub fn locate(source: &Source, store: &LabelStore, query: &Query, id: &str) -> Result<Option<usize>> {
    match (source, view(source, store, query)?) {
        (_, View::Files(ids)) => Ok(ids.iter().position(|i| i == id)),
        (Source::Table(t), View::Table(lf)) => {
            let lf = (*lf).with_row_index(POSITION, None);
            let same = col("id").cast(DataType::String).eq(lit(id.to_string())).fill_null(lit(false));
            let df =
                t.table.collect(lf.filter(same).select([col(POSITION).cast(DataType::UInt64).min().alias("at")]))?;
            Ok(df.column("at")?.u64()?.get(0).map(|p| p as usize))
        }
        (_, View::Table(_)) => Ok(None),
    }
}

/// Reads only rows `offset .. offset + limit` of the view.
fn table_rows(
    t: &TableSource,
    lf: LazyFrame,
    offset: usize,
    limit: usize,
) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    let df = t.table.collect(lf.slice(offset as i64, limit as IdxSize))?;
    let columns: Vec<TableColumn> = df
        .columns()
        .iter()
        .filter(|c| c.name() != "id" && !c.name().starts_with("__kindling"))
        .map(|c| TableColumn { name: c.name().to_string(), float: c.dtype().is_float() })
        .collect();
    let ids = t.table.strings(df.clone().lazy(), "id")?;
    let mut rows: Vec<SampleRow> =
        ids.into_iter().map(|id| SampleRow { id: id.unwrap_or_default(), label: None, values: Vec::new() }).collect();
    for c in &columns {
        for (row, v) in rows.iter_mut().zip(t.table.strings(df.clone().lazy(), &c.name)?) {
            row.values.push(v);
        }
    }
    Ok((columns, rows))
}

/// Rows `offset .. offset + limit` of a CSV file in source order, read through its row index
/// with the columns and ids the polars scan would give (`scan_with_ids`): a column named
/// `id` is the sample id, never a value; an integer id column is read as a number.
fn indexed_rows(
    t: &TableSource,
    index: &RowIndex,
    offset: usize,
    limit: usize,
) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    let records = index.read(offset, limit)?;
    as_rows(t, records.into_iter().enumerate().map(|(k, r)| (offset + k, r)).collect())
}

/// Rows by row number through the row index (ids that are row numbers): a seek and at
/// most 63 rows parsed each, where a join would read the whole file.
fn indexed_rows_at(
    t: &TableSource,
    index: &RowIndex,
    positions: &[usize],
) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    let mut records = Vec::with_capacity(positions.len());
    for &at in positions {
        if let Some(record) = index.read(at, 1)?.into_iter().next() {
            records.push((at, record));
        }
    }
    as_rows(t, records)
}

/// Records of the CSV file (each with its row number) as sample rows, as polars types them.
fn as_rows(t: &TableSource, records: Vec<(usize, csv::ByteRecord)>) -> Result<(Vec<TableColumn>, Vec<SampleRow>)> {
    let schema = t.table.schema()?;
    let fields: Vec<(&str, &DataType)> = schema.iter().map(|(name, dtype)| (name.as_str(), dtype)).collect();
    let shown: Vec<usize> = (0..fields.len()).filter(|&i| fields[i].0 != "id").collect();
    let columns =
        shown.iter().map(|&i| TableColumn { name: fields[i].0.to_string(), float: fields[i].1.is_float() }).collect();
    let id_at = t.id_column.as_deref().and_then(|c| fields.iter().position(|(name, _)| *name == c));
    let integer_ids = id_at.is_some_and(|i| fields[i].1.is_integer());
    let field = |record: &csv::ByteRecord, i: usize| {
        record.get(i).filter(|f| !f.is_empty()).map(|f| String::from_utf8_lossy(f).into_owned())
    };
    let rows = records
        .iter()
        .map(|(at, record)| {
            let id = match id_at {
                None => at.to_string(),
                Some(i) => {
                    let raw = field(record, i).unwrap_or_default();
                    match raw.trim().parse::<i64>() {
                        Ok(n) if integer_ids => n.to_string(),
                        _ => raw,
                    }
                }
            };
            SampleRow { id, label: None, values: shown.iter().map(|&i| field(record, i)).collect() }
        })
        .collect();
    Ok((columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::query::parse_filter;
    use crate::data::{SourceConfig, SourceKind};

    fn table(dir: &std::path::Path) -> Source {
        std::fs::write(dir.join("t.csv"), "name,n\nApple,1\npear,2\napple pie,3\nplum,4\nAPPLES,5\n").unwrap();
        let config = SourceConfig::new(SourceKind::Table, "t.csv");
        Source::open(dir, &config, None).unwrap()
    }

    fn store(dir: &tempfile::TempDir) -> LabelStore {
        LabelStore::create(&dir.path().join("labels.db")).unwrap()
    }

    #[test]
    fn rows_by_ids_come_in_the_order_asked() {
        let dir = tempfile::tempdir().unwrap();
        let (s, mut st) = (table(dir.path()), store(&dir));
        st.set("3", Some("fruit"), crate::labels::store::Origin::Cli).unwrap();
        let ids = ["3".to_string(), "0".into(), "99".into()];
        let (columns, rows) = rows_by_ids(&s, &st, &ids).unwrap();
        assert_eq!(columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["name", "n"]);
        let got: Vec<_> = rows.iter().map(|r| (r.id.as_str(), r.label.as_deref(), r.values[0].as_deref())).collect();
        assert_eq!(got, [("3", Some("fruit"), Some("plum")), ("0", None, Some("Apple"))], "99 is not a row");
    }

    #[test]
    fn a_row_is_read_at_its_place_when_its_id_is_there_and_found_by_id_when_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "key,n\nk7,1\nk3,2\nk9,3\n").unwrap();
        let mut config = SourceConfig::new(SourceKind::Table, "t.csv");
        config.id_column = Some("key".into());
        let s = Source::open(dir.path(), &config, None).unwrap();
        let mut st = store(&dir);
        st.set("k9", Some("fruit"), crate::labels::store::Origin::Cli).unwrap();
        for hint in [2, 0, 99] {
            let (_, rows) = row_by_id_near(&s, &st, "k9", hint).unwrap();
            let got: Vec<_> =
                rows.iter().map(|r| (r.id.as_str(), r.label.as_deref(), r.values[1].as_deref())).collect();
            assert_eq!(got, [("k9", Some("fruit"), Some("3"))], "hint {hint}");
        }
        assert!(row_by_id_near(&s, &st, "k1", 0).unwrap().1.is_empty(), "no such id");
    }

    #[test]
    fn find_walks_both_ways_ignoring_case() {
        let dir = tempfile::tempdir().unwrap();
        let (s, st) = (table(dir.path()), store(&dir));
        let q = Query::default();
        assert_eq!(find(&s, &st, &q, "apple", 0, true).unwrap(), Some(2));
        assert_eq!(find(&s, &st, &q, "apple", 2, true).unwrap(), Some(4));
        assert_eq!(find(&s, &st, &q, "apple", 4, true).unwrap(), None);
        assert_eq!(find(&s, &st, &q, "APPLE", 4, false).unwrap(), Some(2));
        assert_eq!(find(&s, &st, &q, "4", 0, true).unwrap(), Some(3), "numbers are searched as text");
    }

    #[test]
    fn label_filters_join_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let (s, mut st) = (table(dir.path()), store(&dir));
        st.set("3", Some("fruit"), crate::labels::store::Origin::Cli).unwrap();
        st.set("1", Some("fruit"), crate::labels::store::Origin::Cli).unwrap();
        st.set("0", Some("other"), crate::labels::store::Origin::Cli).unwrap();
        let ids = |labels: LabelFilter| {
            let q = Query { labels, ..Query::default() };
            let (_, rows) = rows(&s, &st, &q, 0, 10).unwrap();
            (count(&s, &st, &q, &|_| {}).unwrap(), rows.into_iter().map(|r| r.id).collect::<Vec<_>>())
        };
        assert_eq!(ids(LabelFilter::Labelled), (3, vec!["0".to_string(), "1".into(), "3".into()]));
        assert_eq!(ids(LabelFilter::Unlabelled), (2, vec!["2".to_string(), "4".into()]));
        assert_eq!(ids(LabelFilter::Class("fruit".into())), (2, vec!["1".to_string(), "3".into()]));
    }

    #[test]
    fn split_filters_read_columns_files_and_folders() {
        use crate::data::split::Split;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "x,split\n1,train\n2,Test\n3,\n4,testing\n").unwrap();
        let config =
            SourceConfig { split_column: Some("split".into()), ..SourceConfig::new(SourceKind::Table, "t.csv") };
        let s = Source::open(dir.path(), &config, None).unwrap();
        let st = store(&dir);
        let test = Query { split: Some(Split::Test), ..Query::default() };
        assert_eq!(count(&s, &st, &test, &|_| {}).unwrap(), 2);

        std::fs::write(dir.path().join("split.csv"), "id,split\n0,valid\n2,valid\n").unwrap();
        let config =
            SourceConfig { split_file: Some("split.csv".into()), ..SourceConfig::new(SourceKind::Table, "t.csv") };
        let s = Source::open(dir.path(), &config, None).unwrap();
        let valid = Query { split: Some(Split::Valid), ..Query::default() };
        let (_, rows) = rows(&s, &st, &valid, 0, 10).unwrap();
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["0", "2"]);

        let plain = Source::open(dir.path(), &SourceConfig::new(SourceKind::Table, "t.csv"), None).unwrap();
        assert!(count(&plain, &st, &valid, &|_| {}).unwrap_err().message().contains("no fixed split"));
    }

    #[test]
    fn find_and_count_follow_the_query() {
        let dir = tempfile::tempdir().unwrap();
        let s = table(dir.path());
        let q =
            Query { filter: Some(parse_filter("n >= 2").unwrap()), sort: Some(("n".into(), true)), ..Query::default() };
        let store = store(&dir);
        assert_eq!(count(&s, &store, &q, &|_| {}).unwrap(), 4);
        // In this order the rows are APPLES(5), plum(4), apple pie(3), pear(2).
        assert_eq!(find(&s, &store, &q, "apple", 0, true).unwrap(), Some(2));
        let (_, rows) = rows(&s, &store, &q, 1, 2).unwrap();
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["3", "2"]);
    }

    #[test]
    fn locate_finds_an_id_in_the_view_s_order() {
        let dir = tempfile::tempdir().unwrap();
        let s = table(dir.path());
        let store = store(&dir);
        assert_eq!(locate(&s, &store, &Query::default(), "3").unwrap(), Some(3));
        assert_eq!(locate(&s, &store, &Query::default(), "7").unwrap(), None);
        let q = Query { sort: Some(("n".into(), true)), ..Query::default() };
        assert_eq!(locate(&s, &store, &q, "3").unwrap(), Some(1), "APPLES(5), plum(4), …");
        let q = Query { filter: Some(parse_filter("n >= 4").unwrap()), ..Query::default() };
        assert_eq!(locate(&s, &store, &q, "0").unwrap(), None, "filtered out");
    }

    /// Every awkward thing a CSV file can hold, for comparing the two ways of reading it.
    fn awkward_csv(dir: &std::path::Path, id_column: Option<&str>) -> Source {
        let mut text = String::from("\u{feff}id,f,n,s,id2\r\n");
        for i in 0..500 {
            let s = match i % 5 {
                0 => format!("\"line one\r\nline {i}\""),
                1 => format!("\"say \"\"{i}\"\", ok\""),
                2 => String::new(),
                _ => format!("plain {i}"),
            };
            let f = if i % 9 == 0 { String::new() } else { format!("{}", (i as f64) * -0.731 + 0.000123) };
            text.push_str(&format!("{},{f},{},{s},k{i}\r\n", i * 3, i % 4));
        }
        text.push_str("1500,2.5,1,last,k500"); // no newline at the end
        std::fs::write(dir.join("t.csv"), text).unwrap();
        let config =
            SourceConfig { id_column: id_column.map(str::to_string), ..SourceConfig::new(SourceKind::Table, "t.csv") };
        Source::open(dir, &config, None).unwrap()
    }

    #[test]
    fn windows_through_the_row_index_equal_the_polars_windows() {
        for id_column in [None, Some("id"), Some("id2")] {
            let dir = tempfile::tempdir().unwrap();
            let s = awkward_csv(dir.path(), id_column);
            let Source::Table(t) = &s else { panic!() };
            let store = store(&dir);
            assert_eq!(count(&s, &store, &Query::default(), &|_| {}).unwrap(), 501);
            assert_eq!(t.table.count_rows().unwrap(), 501, "polars counts the same rows");
            for (offset, len) in [(0, 50), (63, 70), (250, 300), (480, 40), (501, 5)] {
                let (columns, rows) = rows(&s, &store, &Query::default(), offset, len).unwrap();
                let (polars_columns, polars_rows) = table_rows(t, t.scan_with_ids().unwrap(), offset, len).unwrap();
                assert_eq!(columns, polars_columns, "{id_column:?}");
                assert_eq!(rows.len(), polars_rows.len(), "{id_column:?} at {offset}");
                for (row, expected) in rows.iter().zip(&polars_rows) {
                    assert_eq!(row.id, expected.id, "{id_column:?}");
                    for ((value, want), column) in row.values.iter().zip(&expected.values).zip(&columns) {
                        if column.float {
                            let parse = |v: &Option<String>| v.as_ref().map(|v| v.parse::<f64>().unwrap());
                            assert_eq!(parse(value), parse(want), "{} of {}", column.name, row.id);
                        } else {
                            assert_eq!(value, want, "{} of {}", column.name, row.id);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn rows_by_row_number_through_the_index_equal_the_joined_rows() {
        let dir = tempfile::tempdir().unwrap();
        let s = awkward_csv(dir.path(), None);
        let Source::Table(t) = &s else { panic!() };
        let mut store = store(&dir);
        store.set("250", Some("cat"), crate::labels::store::Origin::Cli).unwrap();
        let ids: Vec<String> = ["250", "0", "500", "63", "64", "9999", "x"].iter().map(|s| s.to_string()).collect();
        assert!(t.row_index.is_some());
        let (columns, rows) = rows_by_ids(&s, &store, &ids[..6]).unwrap();
        let wanted = DataFrame::new_infer_height(vec![Column::new("id".into(), &ids[..6])]).unwrap();
        let mut args = JoinArgs::new(JoinType::Inner);
        args.maintain_order = MaintainOrderJoin::Left;
        let lf = t.scan_with_ids().unwrap().join(wanted.lazy(), [col("id")], [col("id")], args);
        let (polars_columns, polars_rows) = table_rows(t, lf, 0, 6).unwrap();
        assert_eq!(columns, polars_columns);
        let got: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(got, ["250", "0", "500", "63", "64"], "in the order asked; 9999 is not a row");
        assert_eq!(rows[0].label.as_deref(), Some("cat"));
        assert_eq!(polars_rows.len(), rows.len());
        for row in &rows {
            let expected = polars_rows.iter().find(|r| r.id == row.id).unwrap();
            assert_eq!(row.values.len(), expected.values.len());
            assert_eq!(row.values[2], expected.values[2], "the text column of {}", row.id);
        }
        // An id that is not a row number goes the polars way (and finds nothing here).
        assert!(rows_by_ids(&s, &store, &ids[6..]).unwrap().1.is_empty());
    }
}
