//! `kindling served DIR [--import]`: the served log summed up, and its inputs added to the
//! project as samples of the source's kind — rows appended to a CSV, TSV or Parquet source (ids
//! `served-TIME-LINE` when the source has an id column), files copied into the source folder's
//! `served/` (under `train/` when folders fix the split). Each log line is imported once.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Entry, FILES_DIR, IMPORT_FOLDER, IMPORTED_FILE, LOG_FILE, SERVED_DIR};
use crate::data::SourceKind;
use crate::data::table::TableFormat;
use crate::error::{Error, Result};
use crate::project::Project;

/// What the log holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub entries: usize,
    pub imported: usize,
    /// Lines that are not entries (a line cut short when the server was killed).
    pub unreadable: usize,
    pub runs: BTreeMap<String, usize>,
    pub predicted: BTreeMap<String, usize>,
    pub mean_confidence: Option<f64>,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Imported {
    pub added: usize,
    /// Where they went: the source table, or the folder.
    pub to: PathBuf,
    /// Entries whose file is gone from `served/files/`.
    pub missing_files: usize,
}

/// The log's entries with their line numbers, and how many lines are not entries.
fn read_log(root: &Path) -> Result<(Vec<(usize, Entry)>, usize)> {
    let path = root.join(SERVED_DIR).join(LOG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(Error::file(&path, e)),
    };
    let mut entries = Vec::new();
    let mut unreadable = 0;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<Entry>(line) {
            Ok(e) => entries.push((i + 1, e)),
            Err(_) => unreadable += 1,
        }
    }
    Ok((entries, unreadable))
}

/// Imported samples: (id, confidence, log line).
fn read_imported(root: &Path) -> Result<Vec<(String, f64, usize)>> {
    let path = root.join(SERVED_DIR).join(IMPORTED_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Vec::new()) };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let row = row.map_err(|e| Error::file(&path, format!("line {}: {e}", n + 2)))?;
        let (Some(id), Some(confidence), Some(line)) = (row.get(0), row.get(1), row.get(2)) else { continue };
        out.push((id.to_string(), confidence.parse().unwrap_or(f64::NAN), line.parse().unwrap_or(0)));
    }
    Ok(out)
}

/// The model's confidence on each imported sample, by sample id (for the `served` order).
pub fn confidences(root: &Path) -> Result<HashMap<String, f64>> {
    Ok(read_imported(root)?.into_iter().map(|(id, c, _)| (id, c)).collect())
}

pub fn summary(project: &Project) -> Result<Summary> {
    let (entries, unreadable) = read_log(project.root())?;
    let imported = read_imported(project.root())?.len();
    let mut s = Summary {
        entries: entries.len(),
        imported,
        unreadable,
        runs: BTreeMap::new(),
        predicted: BTreeMap::new(),
        mean_confidence: None,
        first: None,
        last: None,
    };
    for (_, e) in &entries {
        *s.runs.entry(e.run.clone()).or_default() += 1;
        *s.predicted.entry(e.predicted.clone()).or_default() += 1;
    }
    if !entries.is_empty() {
        s.mean_confidence = Some(entries.iter().map(|(_, e)| e.confidence).sum::<f64>() / entries.len() as f64);
        let (lo, hi) = entries.iter().fold((f64::MAX, f64::MIN), |(a, b), (_, e)| (a.min(e.at), b.max(e.at)));
        s.first = Some(crate::runs::clock::iso(lo));
        s.last = Some(crate::runs::clock::iso(hi));
    }
    Ok(s)
}

pub fn import(project: &Project) -> Result<Imported> {
    let root = project.root();
    let (entries, _) = read_log(root)?;
    let done = read_imported(root)?.iter().map(|r| r.2).max().unwrap_or(0);
    let new: Vec<(usize, Entry)> = entries.into_iter().filter(|(line, _)| *line > done).collect();
    let source = &project.config.source;
    let path = root.join(&source.path);
    let (ids, to, missing_files) = if path.is_dir() {
        copy_files(root, &path, source.kind, source.split_from_folders, &new)?
    } else {
        (append_rows(project, &path, &new)?, path, 0)
    };
    let file = root.join(SERVED_DIR).join(IMPORTED_FILE);
    let fresh = !file.exists();
    let mut out =
        std::fs::OpenOptions::new().create(true).append(true).open(&file).map_err(|e| Error::file(&file, e))?;
    // The same CSV writer every table here goes through (ids may hold commas or quotes).
    let mut text = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::internal(e.to_string());
    if fresh {
        text.write_record(["id", "confidence", "line"]).map_err(fail)?;
    }
    for (id, confidence, line) in &ids {
        text.write_record([id.clone(), confidence.to_string(), line.to_string()]).map_err(fail)?;
    }
    let text = text.into_inner().map_err(|e| Error::internal(e.to_string()))?;
    out.write_all(&text).and_then(|_| out.sync_all()).map_err(|e| Error::file(&file, e))?;
    Ok(Imported { added: ids.len(), to, missing_files })
}

type Added = Vec<(String, f64, usize)>;

/// Files (and texts) into the source folder's `served/`; their sample ids.
fn copy_files(
    root: &Path,
    folder: &Path,
    kind: SourceKind,
    split_folders: bool,
    entries: &[(usize, Entry)],
) -> Result<(Added, PathBuf, usize)> {
    let relative = if split_folders { format!("train/{IMPORT_FOLDER}") } else { IMPORT_FOLDER.to_string() };
    let to = folder.join(&relative);
    std::fs::create_dir_all(&to).map_err(|e| Error::file(&to, e))?;
    let (mut added, mut missing) = (Vec::new(), 0);
    for (line, e) in entries {
        let name = match (&e.input, kind) {
            (Value::String(text), SourceKind::Text) => {
                let name = format!("{}-{line}.txt", crate::runs::clock::compact(e.at));
                std::fs::write(to.join(&name), text).map_err(|err| Error::file(&to.join(&name), err))?;
                name
            }
            (Value::String(file), _) => {
                let from = root.join(SERVED_DIR).join(FILES_DIR).join(file);
                if !from.exists() {
                    missing += 1;
                    continue;
                }
                std::fs::copy(&from, to.join(file)).map_err(|err| Error::file(&to.join(file), err))?;
                file.clone()
            }
            _ => continue,
        };
        added.push((format!("{relative}/{name}"), e.confidence, *line));
    }
    Ok((added, to, missing))
}

/// Rows appended to a table source, in its columns: the posted values (a text source's text
/// in its text column), a new id (`served-TIME-LINE`), the label and split left empty. A CSV
/// or TSV source gets lines appended; a Parquet source is written again whole (atomically).
fn append_rows(project: &Project, path: &Path, entries: &[(usize, Entry)]) -> Result<Added> {
    let format = TableFormat::from_path(path);
    let header: Vec<String> = match format {
        Some(TableFormat::Csv | TableFormat::Tsv) => {
            let separator = if format == Some(TableFormat::Tsv) { b'\t' } else { b',' };
            let mut reader =
                csv::ReaderBuilder::new().delimiter(separator).from_path(path).map_err(|e| Error::file(path, e))?;
            reader.headers().map_err(|e| Error::file(path, e))?.iter().map(str::to_string).collect()
        }
        Some(TableFormat::Parquet) => {
            let table = crate::data::table::Table::open(path)?;
            table.collect(table.scan()?)?.get_column_names().iter().map(|c| c.to_string()).collect()
        }
        _ => {
            return Err(Error::file(
                path,
                "is not CSV, TSV or Parquet; served rows cannot be appended to it (convert the source)",
            ));
        }
    };
    let (rows, added) = served_rows(project, &header, entries)?;
    match format {
        Some(TableFormat::Parquet) => append_parquet(path, &header, &rows)?,
        _ => append_delimited(path, if format == Some(TableFormat::Tsv) { b'\t' } else { b',' }, &rows)?,
    }
    Ok(added)
}

/// Each entry as a row of `header`'s columns (`None`: empty), and the ids they get.
fn served_rows(
    project: &Project,
    header: &[String],
    entries: &[(usize, Entry)],
) -> Result<(Vec<Vec<Option<String>>>, Added)> {
    let source = &project.config.source;
    // Without an id column a row's id is its number: the new rows follow the last one.
    let mut next_row = match &source.id_column {
        Some(_) => 0,
        None => project.source()?.ids_in_order()?.len(),
    };
    let mut rows = Vec::with_capacity(entries.len());
    let mut added = Vec::with_capacity(entries.len());
    for (line, e) in entries {
        let id = match &source.id_column {
            Some(_) => format!("served-{}-{line}", crate::runs::clock::compact(e.at)),
            None => {
                next_row += 1;
                (next_row - 1).to_string()
            }
        };
        let cell = |column: &str| -> Option<String> {
            if source.id_column.as_deref() == Some(column) {
                return Some(id.clone());
            }
            if source.text_column.as_deref() == Some(column) {
                return e.input.as_str().map(str::to_string);
            }
            match e.input.get(column) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(v) => Some(v.to_string()),
            }
        };
        rows.push(header.iter().map(|c| cell(c)).collect());
        added.push((id, e.confidence, *line));
    }
    Ok((rows, added))
}

fn append_delimited(path: &Path, separator: u8, rows: &[Vec<Option<String>>]) -> Result<()> {
    let mut out = csv::WriterBuilder::new().delimiter(separator).from_writer(Vec::new());
    for row in rows {
        out.write_record(row.iter().map(|c| c.as_deref().unwrap_or(""))).map_err(|e| Error::internal(e.to_string()))?;
    }
    let bytes = out.into_inner().map_err(|e| Error::internal(e.to_string()))?;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| Error::file(path, e))?;
    if !ends_in_newline(path)? {
        file.write_all(b"\n").map_err(|e| Error::file(path, e))?;
    }
    file.write_all(&bytes).and_then(|_| file.sync_all()).map_err(|e| Error::file(path, e))
}

/// The Parquet file again with `rows` after its own, each value cast to its column's type
/// (one that does not read as that type is a gap).
fn append_parquet(path: &Path, header: &[String], rows: &[Vec<Option<String>>]) -> Result<()> {
    use polars::prelude::*;
    let table = crate::data::table::Table::open(path)?;
    let old = table.collect(table.scan()?)?;
    let mut columns = Vec::with_capacity(header.len());
    for (c, name) in header.iter().enumerate() {
        let values: Vec<Option<&str>> = rows.iter().map(|r| r[c].as_deref()).collect();
        let dtype = old.column(name).map_err(|e| Error::file(path, e))?.dtype().clone();
        let column = Column::new(name.as_str().into(), values).cast(&dtype).map_err(|e| Error::file(path, e))?;
        columns.push(column);
    }
    let new = DataFrame::new_infer_height(columns).map_err(|e| Error::file(path, e))?;
    let mut all = old.vstack(&new).map_err(|e| Error::file(path, e))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut all).map_err(|e| Error::file(path, e))?;
    crate::atomic::write_whole(path, &bytes)
}

fn ends_in_newline(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    let len = file.metadata().map_err(|e| Error::file(path, e))?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8];
    file.seek(SeekFrom::End(-1)).and_then(|_| file.read_exact(&mut last)).map_err(|e| Error::file(path, e))?;
    Ok(last[0] == b'\n')
}
