//! Label files with columns `id,label`: CSV, JSON lines and Parquet.

use std::io::{BufRead, Write};
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

/// One row of a label file; `line` is where it was read (1-based, header included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelRow {
    #[serde(skip)]
    pub line: usize,
    pub id: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFormat {
    Csv,
    Parquet,
    Jsonl,
}

impl LabelFormat {
    pub fn from_path(path: &Path) -> Option<LabelFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(LabelFormat::Csv),
            "parquet" | "pq" => Some(LabelFormat::Parquet),
            "jsonl" | "ndjson" => Some(LabelFormat::Jsonl),
            _ => None,
        }
    }
}

pub fn read(path: &Path) -> Result<Vec<LabelRow>> {
    let format = match LabelFormat::from_path(path) {
        Some(f) => f,
        None => sniff(path)?,
    };
    let rows = match format {
        LabelFormat::Csv => read_csv(path),
        LabelFormat::Jsonl => read_jsonl(path),
        LabelFormat::Parquet => read_parquet(path),
    }?;
    if rows.is_empty() {
        return Err(Error::file(path, "holds no labels"));
    }
    Ok(rows)
}

/// Files without a telling extension: JSON lines start with `{`, anything else is CSV.
fn sniff(path: &Path) -> Result<LabelFormat> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, format!("cannot read it ({e})")))?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    Ok(if first == Some(&b'{') { LabelFormat::Jsonl } else { LabelFormat::Csv })
}

fn read_csv(path: &Path) -> Result<Vec<LabelRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot read it ({e})")))?;
    let headers = reader.headers().map_err(|e| Error::file(path, e))?.clone();
    let at = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(id_at), Some(label_at)) = (at("id"), at("label")) else {
        return Err(Error::file(path, "needs a header line with columns `id` and `label`"));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::file(path, csv_problem(e)))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let id = record.get(id_at).unwrap_or_default();
        if id.is_empty() {
            return Err(Error::file(path, format!("line {line}: the id is empty")));
        }
        rows.push(LabelRow { line, id: id.to_string(), label: non_blank(record.get(label_at)) });
    }
    Ok(rows)
}

fn csv_problem(e: csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { pos: Some(p), .. } => format!("line {} is not valid UTF-8", p.line()),
        csv::ErrorKind::UnequalLengths { pos: Some(p), expected_len, len } => {
            format!("line {} has {len} fields but the header has {expected_len}", p.line())
        }
        _ => e.to_string(),
    }
}

fn read_jsonl(path: &Path) -> Result<Vec<LabelRow>> {
    let file = std::fs::File::open(path).map_err(|e| Error::file(path, format!("cannot read it ({e})")))?;
    let mut rows = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|_| Error::file(path, format!("line {n} is not valid UTF-8")))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| Error::file(path, format!("line {n} is not JSON ({e})")))?;
        let id = match value.get("id") {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(serde_json::Value::Number(x)) => x.to_string(),
            _ => return Err(Error::file(path, format!("line {n}: needs an \"id\" (a string or a number)"))),
        };
        let label = match value.get("label") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => non_blank(Some(s)),
            Some(serde_json::Value::Number(x)) => Some(x.to_string()),
            Some(_) => return Err(Error::file(path, format!("line {n}: \"label\" must be a string or null"))),
        };
        rows.push(LabelRow { line: n, id, label });
    }
    Ok(rows)
}

fn read_parquet(path: &Path) -> Result<Vec<LabelRow>> {
    let table = crate::data::table::Table::open(path)?;
    table.require_column("id", "label files have columns id and label")?;
    table.require_column("label", "label files have columns id and label")?;
    let ids = table.strings(table.scan()?, "id")?;
    let labels = table.strings(table.scan()?, "label")?;
    ids.into_iter()
        .zip(labels)
        .enumerate()
        .map(|(row, (id, label))| {
            let id =
                id.filter(|s| !s.is_empty()).ok_or_else(|| Error::file(path, format!("row {row}: the id is empty")))?;
            Ok(LabelRow { line: row + 1, id, label: non_blank(label.as_deref()) })
        })
        .collect()
}

fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Writes labelled rows with columns `id,label`.
pub fn write(rows: &[LabelRow], format: LabelFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        LabelFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["id", "label"]).map_err(csv_write)?;
            for r in rows {
                w.write_record([r.id.as_str(), r.label.as_deref().unwrap_or("")]).map_err(csv_write)?;
            }
            w.flush()?;
        }
        LabelFormat::Jsonl => {
            for r in rows {
                let line = serde_json::to_string(r).map_err(|e| Error::internal(e.to_string()))?;
                writeln!(out, "{line}")?;
            }
        }
        LabelFormat::Parquet => {
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            let labels: Vec<Option<&str>> = rows.iter().map(|r| r.label.as_deref()).collect();
            let mut df =
                DataFrame::new_infer_height(vec![Column::new("id".into(), ids), Column::new("label".into(), labels)])?;
            ParquetWriter::new(out).finish(&mut df).map_err(|e| Error::internal(e.to_string()))?;
        }
    }
    Ok(())
}

fn csv_write(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => Error::internal(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<LabelRow> {
        ["plain", "with,comma", "with \"quotes\"", "ünïcode/path.png", "new\nline"]
            .iter()
            .enumerate()
            .map(|(i, id)| LabelRow { line: 0, id: id.to_string(), label: Some(format!("class {i}")) })
            .collect()
    }

    #[test]
    fn every_format_round_trips_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for (format, name) in
            [(LabelFormat::Csv, "l.csv"), (LabelFormat::Jsonl, "l.jsonl"), (LabelFormat::Parquet, "l.parquet")]
        {
            let path = dir.path().join(name);
            let mut file = std::fs::File::create(&path).unwrap();
            write(&rows(), format, &mut file).unwrap();
            drop(file);
            let back: Vec<(String, Option<String>)> =
                read(&path).unwrap().into_iter().map(|r| (r.id, r.label)).collect();
            let want: Vec<(String, Option<String>)> = rows().into_iter().map(|r| (r.id, r.label)).collect();
            assert_eq!(back, want, "{name}");
        }
    }

    #[test]
    fn csv_lines_are_counted_from_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::write(&path, "label,id\ncat,a\n,b\n").unwrap();
        let r = read(&path).unwrap();
        assert_eq!(r[0], LabelRow { line: 2, id: "a".into(), label: Some("cat".into()) });
        assert_eq!(r[1], LabelRow { line: 3, id: "b".into(), label: None });
    }

    #[test]
    fn bad_jsonl_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.jsonl");
        std::fs::write(&path, "{\"id\":\"a\",\"label\":\"cat\"}\n{\"id\":\"b\",\"label\":\n").unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.message().contains("line 2 is not JSON"), "{}", e.message());
    }
}
