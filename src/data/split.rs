//! Fixed splits: a split column, a split file, or train/valid/test top folders.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Valid,
    Test,
}

impl Split {
    /// Accepts the usual spellings (`validation`, `val`, `dev`, `testing`, any case).
    pub fn parse(s: &str) -> Option<Split> {
        let s = s.trim();
        [Split::Train, Split::Valid, Split::Test]
            .into_iter()
            .find(|split| split.spellings().iter().any(|spelling| spelling.eq_ignore_ascii_case(s)))
    }

    /// Every spelling `parse` accepts for this split, in lower case.
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            Split::Train => &["train", "training"],
            Split::Valid => &["valid", "validation", "val", "dev"],
            Split::Test => &["test", "testing"],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }
}

/// How many samples each split holds; `unassigned` counts samples with no split value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SplitCounts {
    pub train: usize,
    pub valid: usize,
    pub test: usize,
    pub unassigned: usize,
}

impl SplitCounts {
    pub fn add(&mut self, split: Option<Split>) {
        match split {
            Some(Split::Train) => self.train += 1,
            Some(Split::Valid) => self.valid += 1,
            Some(Split::Test) => self.test += 1,
            None => self.unassigned += 1,
        }
    }
}

/// Parses split values, failing on the first value that is not a split, with where it was.
pub fn parse_values<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    where_: impl Fn(usize) -> String,
) -> Result<Vec<Option<Split>>> {
    values
        .enumerate()
        .map(|(i, v)| match v {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => Split::parse(s)
                .map(Some)
                .ok_or_else(|| Error::user(format!("{}: split \"{s}\" is not train, valid or test", where_(i)))),
        })
        .collect()
}

/// Reads a CSV of `id,split` (header required). Ids are checked by `known`.
pub fn read_split_file(path: &Path, known: impl Fn(&str) -> bool) -> Result<HashMap<String, Split>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot read it ({e})")))?;
    let headers = reader.headers().map_err(|e| Error::file(path, e))?.clone();
    let id_at = headers.iter().position(|h| h == "id");
    let split_at = headers.iter().position(|h| h == "split");
    let (Some(id_at), Some(split_at)) = (id_at, split_at) else {
        return Err(Error::file(path, "needs a header line with columns `id` and `split`"));
    };
    let mut out = HashMap::new();
    let mut unknown = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::file(path, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let (id, value) = (record.get(id_at).unwrap_or(""), record.get(split_at).unwrap_or(""));
        let split = Split::parse(value)
            .ok_or_else(|| Error::file(path, format!("line {line}: split \"{value}\" is not train, valid or test")))?;
        if !known(id) {
            unknown.push(format!("line {line}: \"{id}\""));
            continue;
        }
        out.insert(id.to_string(), split);
    }
    if !unknown.is_empty() {
        return Err(Error::file(
            path,
            format!("unknown sample ids ({}): {}", unknown.len(), crate::text::first_few(&unknown, 5)),
        ));
    }
    Ok(out)
}

pub fn counts(splits: impl Iterator<Item = Option<Split>>) -> SplitCounts {
    let mut c = SplitCounts::default();
    splits.for_each(|s| c.add(s));
    c
}

pub fn counts_by_name(c: &SplitCounts) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([("train", c.train), ("valid", c.valid), ("test", c.test), ("unassigned", c.unassigned)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spellings() {
        assert_eq!(Split::parse("Validation"), Some(Split::Valid));
        assert_eq!(Split::parse(" test "), Some(Split::Test));
        assert_eq!(Split::parse("holdout"), None);
    }

    #[test]
    fn split_file_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.csv");
        std::fs::write(&p, "id,split\na,train\nb,test\nzz,test\n").unwrap();
        let e = read_split_file(&p, |id| id != "zz").unwrap_err();
        assert!(e.message().contains("line 4: \"zz\""), "{}", e.message());
        std::fs::write(&p, "id,split\na,train\nb,later\n").unwrap();
        let e = read_split_file(&p, |_| true).unwrap_err();
        assert!(e.message().contains("line 3: split \"later\""), "{}", e.message());
        std::fs::write(&p, "id,split\na,train\nb,valid\n").unwrap();
        let m = read_split_file(&p, |_| true).unwrap();
        assert_eq!(m["b"], Split::Valid);
    }
}
