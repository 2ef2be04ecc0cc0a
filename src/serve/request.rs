//! A `POST /predict` body turned into the featurizer's inputs: `{"rows": [{column: value}]}`
//! for a table run, `{"texts": [...]}` for a text run, `{"images": [base64, ...]}` or
//! `{"clips": [base64 WAV, ...]}` for image and audio runs (written to a folder of files for
//! the run's own featurizer, removed with the request). Whatever is wrong is named by its
//! field (`rows[3].weight_g`, `images[2]`), never a panic.

use base64::Engine;
use polars::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::data::SourceKind;
use crate::features::{Featurizer, Inputs};
use crate::runs::predict::Loaded;

/// Items one request may hold unless `--max-batch` says otherwise.
pub const MAX_BATCH: usize = 10_000;

/// What is wrong with a request, and in which field (empty: the body as a whole).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadRequest {
    pub field: String,
    pub error: String,
}

impl BadRequest {
    pub fn new(field: &str, error: impl Into<String>) -> BadRequest {
        BadRequest { field: field.to_string(), error: error.into() }
    }
}

/// A request's inputs, the items as posted (rows and texts, for the served log), and the
/// folder holding its posted files while they are read.
pub struct Posted {
    pub inputs: Inputs,
    pub items: Vec<Value>,
    _files: Option<tempfile::TempDir>,
}

fn json_body(body: &[u8], example: &str) -> Result<Value, BadRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BadRequest::new("", format!("the body is empty; post JSON such as {example}")));
    }
    serde_json::from_slice(body).map_err(|e| BadRequest::new("", format!("the body is not JSON ({e})")))
}

/// A detector's request: `{"images": [base64, ...]}`.
pub fn images(body: &[u8], most: usize) -> Result<Posted, BadRequest> {
    files(&json_body(body, "{\"images\": [\"base64 of the file\"]}")?, "images", Check::Image, most)
}

pub fn inputs(loaded: &Loaded, body: &[u8], most: usize) -> Result<Posted, BadRequest> {
    let value = json_body(body, "{\"rows\": [...]}")?;
    let kind = loaded.record.config.source.kind;
    match (&loaded.featurizer, kind) {
        (Featurizer::Table(t), _) => {
            let inputs = rows(&value, &t.schema(), most)?;
            Ok(Posted { inputs, items: value["rows"].as_array().cloned().unwrap_or_default(), _files: None })
        }
        (_, SourceKind::Text) => {
            let inputs = texts(&value, most)?;
            Ok(Posted { inputs, items: value["texts"].as_array().cloned().unwrap_or_default(), _files: None })
        }
        (_, SourceKind::Images) => files(&value, "images", Check::Image, most),
        (_, SourceKind::Audio) => files(&value, "clips", Check::Wav, most),
        (_, SourceKind::Table) => Err(BadRequest::new("", "this table run has no table featurizer")),
    }
}

#[derive(Clone, Copy)]
enum Check {
    Image,
    Wav,
}

/// Base64 files (a `data:...;base64,` prefix allowed), each decoded once here so that one
/// that is not an image (or WAV) is named, then written as files for the featurizer.
fn files(value: &Value, key: &str, check: Check, most: usize) -> Result<Posted, BadRequest> {
    let list = items(value, key, "\"base64 of the file\"", most)?;
    let folder = tempfile::Builder::new()
        .prefix("kindling-serve-")
        .tempdir()
        .map_err(|e| BadRequest::new("", format!("cannot make a folder for the posted files: {e}")))?;
    let mut paths = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = format!("{key}[{i}]");
        let text = item.as_str().ok_or_else(|| BadRequest::new(&field, "must be a base64 string of the file"))?;
        let text = text.split_once(";base64,").map_or(text, |(_, data)| data);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| BadRequest::new(&field, format!("is not base64 ({e})")))?;
        let extension = match check {
            Check::Image => {
                let format = image::guess_format(&bytes)
                    .map_err(|_| BadRequest::new(&field, "cannot be read as an image (PNG, JPEG, WebP, GIF, BMP)"))?;
                image::load_from_memory_with_format(&bytes, format)
                    .map_err(|e| BadRequest::new(&field, format!("cannot be read as an image: {e}")))?;
                format.extensions_str().first().copied().unwrap_or("img")
            }
            Check::Wav => {
                let bad = |e: hound::Error| BadRequest::new(&field, format!("cannot be read as a WAV file: {e}"));
                let mut reader = hound::WavReader::new(std::io::Cursor::new(&bytes)).map_err(bad)?;
                match reader.spec().sample_format {
                    hound::SampleFormat::Float => reader.samples::<f32>().try_for_each(|s| s.map(drop)),
                    hound::SampleFormat::Int => reader.samples::<i32>().try_for_each(|s| s.map(drop)),
                }
                .map_err(bad)?;
                "wav"
            }
        };
        let path = folder.path().join(format!("{i}.{extension}"));
        std::fs::write(&path, &bytes).map_err(|e| BadRequest::new("", format!("cannot write a posted file: {e}")))?;
        paths.push(path);
    }
    Ok(Posted { inputs: Inputs::Files(paths), items: Vec::new(), _files: Some(folder) })
}

/// The array under `key`, of 1 to `most` items.
fn items<'a>(value: &'a Value, key: &str, example: &str, most: usize) -> Result<&'a [Value], BadRequest> {
    let list = value
        .get(key)
        .ok_or_else(|| BadRequest::new(key, format!("missing; post {{\"{key}\": [{example}]}}")))?
        .as_array()
        .ok_or_else(|| BadRequest::new(key, format!("must be an array, as [{example}]")))?;
    if list.is_empty() {
        return Err(BadRequest::new(key, "is empty; send at least one"));
    }
    if list.len() > most {
        let why = format!("holds {} items; at most {most} a request (--max-batch)", list.len());
        return Err(BadRequest::new(key, why));
    }
    Ok(list)
}

fn texts(value: &Value, most: usize) -> Result<Inputs, BadRequest> {
    let list = items(value, "texts", "\"a text\"", most)?;
    let texts = list
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().map(str::to_string).ok_or_else(|| BadRequest::new(&format!("texts[{i}]"), "must be a string"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Inputs::Texts(texts))
}

/// A table of the run's columns: a number column takes numbers (or null, a gap), a category
/// column strings or numbers (read as their text); a column absent from a row is a gap
/// there, a column absent from every row an error.
fn rows(value: &Value, schema: &[(String, &'static str)], most: usize) -> Result<Inputs, BadRequest> {
    let list = items(value, "rows", "{\"column\": value}", most)?;
    for (i, row) in list.iter().enumerate() {
        if !row.is_object() {
            return Err(BadRequest::new(&format!("rows[{i}]"), "must be an object of column: value"));
        }
    }
    let mut columns = Vec::with_capacity(schema.len());
    for (name, what) in schema {
        if list.iter().all(|r| r.get(name).is_none()) {
            let all: Vec<&str> = schema.iter().map(|(n, _)| n.as_str()).collect();
            return Err(BadRequest::new(name, format!("missing; the run reads columns {}", all.join(", "))));
        }
        let field = |i: usize| format!("rows[{i}].{name}");
        let cells = list.iter().map(|r| r.get(name).unwrap_or(&Value::Null));
        let column = if *what == "number" {
            let values = cells
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null => Ok(None),
                    Value::Number(n) => Ok(n.as_f64()),
                    Value::Bool(b) => Ok(Some(f64::from(u8::from(*b)))),
                    _ => Err(BadRequest::new(&field(i), "must be a number (or null for a gap)")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Column::new(name.as_str().into(), values)
        } else {
            let values = cells
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null => Ok(None),
                    Value::String(s) => Ok(Some(s.clone())),
                    Value::Number(n) => Ok(Some(n.to_string())),
                    Value::Bool(b) => Ok(Some(b.to_string())),
                    _ => Err(BadRequest::new(&field(i), "must be a string (or null for a gap)")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Column::new(name.as_str().into(), values)
        };
        columns.push(column);
    }
    let df = DataFrame::new_infer_height(columns).map_err(|e| BadRequest::new("rows", e.to_string()))?;
    Ok(Inputs::Table(df))
}
