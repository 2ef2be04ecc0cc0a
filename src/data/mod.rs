//! Where samples come from: a table file, or a folder of images, texts or clips.

pub mod decode;
pub mod display;
pub mod file_cache;
pub mod folder;
mod parsed_copy;
pub mod preview;
pub mod query;
pub mod row_index;
mod source_config;
pub mod split;
pub mod summary;
pub mod table;
pub mod thumbnail;

pub use source_config::{SourceConfig, SourceKind};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::progress::{Progress, Silent};
use file_cache::FileCache;
use folder::{CheckedFile, Unreadable};
use row_index::RowIndex;
use split::{Split, SplitCounts};
use table::Table;

pub enum Source {
    Table(TableSource),
    Folder(FolderSource),
}

pub struct TableSource {
    pub table: Table,
    pub kind: SourceKind,
    pub id_column: Option<String>,
    pub label_column: Option<String>,
    pub text_column: Option<String>,
    pub split_column: Option<String>,
    /// A CSV of `id,split` that fixes the split of every sample.
    pub split_file: Option<PathBuf>,
    cache_file: Option<PathBuf>,
    /// Where each row of a CSV / TSV file starts, for reading windows by seeking.
    pub row_index: Option<RowIndex>,
}

pub struct FolderSource {
    pub root: PathBuf,
    pub kind: SourceKind,
    pub labels_from_folders: bool,
    pub split_from_folders: bool,
    pub split_file: Option<PathBuf>,
    /// Where the file cache lives; `None` keeps it in memory.
    cache_file: Option<PathBuf>,
    /// Loaded at the first scan: a fingerprint recalled whole needs none of it.
    cache: OnceLock<Mutex<FileCache>>,
    scanned: OnceLock<Scan>,
}

/// The usable files of a folder source and the ones that failed to decode.
pub struct Scan {
    pub files: Vec<CheckedFile>,
    pub unreadable: Vec<Unreadable>,
}

/// The set of valid sample ids, without listing row numbers one by one.
pub enum SampleIds {
    /// Ids are row indices `0 .. n`.
    Rows(usize),
    Listed(HashSet<String>),
}

impl SampleIds {
    pub fn contains(&self, id: &str) -> bool {
        match self {
            SampleIds::Rows(n) => is_canonical_index(id).is_some_and(|i| i < *n),
            SampleIds::Listed(set) => set.contains(id),
        }
    }
}

fn is_canonical_index(id: &str) -> Option<usize> {
    let i: usize = id.parse().ok()?;
    (i.to_string() == id).then_some(i)
}

/// The file cache's name in a project's cache folder.
pub const CACHE_FILE: &str = "files.tsv";
/// Beside it: a folder's content fingerprint and the look at the folder it was made at.
const FINGERPRINT_FILE: &str = "folder-fingerprint.txt";

/// Name of the row-index column added to tables without an id column.
const ROW_ID: &str = "__kindling_row";

impl Source {
    /// `cache_dir` holds what can be recomputed (file hashes); `None` keeps it in memory.
    pub fn open(project_root: &Path, config: &SourceConfig, cache_dir: Option<&Path>) -> Result<Source> {
        let path = project_root.join(&config.path);
        let cache_file = cache_dir.map(|d| d.join(CACHE_FILE));
        match config.kind {
            SourceKind::Table | SourceKind::Text if !path.is_dir() => {
                let table = Table::open(&path)?.with_schema_cache(cache_file.clone());
                let row_index = table.format().is_delimited().then(|| {
                    let name = blake3::hash(path.to_string_lossy().as_bytes()).to_hex();
                    let cache = cache_dir.map(|d| d.join(format!("rows-{}.idx", &name[..16])));
                    RowIndex::new(&path, table.separator(), cache)
                });
                let source = TableSource {
                    table,
                    kind: config.kind,
                    id_column: config.id_column.clone(),
                    label_column: config.label_column.clone(),
                    text_column: config.text_column.clone(),
                    split_column: config.split_column.clone(),
                    split_file: config.split_file.as_ref().map(|f| project_root.join(f)),
                    cache_file,
                    row_index,
                };
                source.check_columns()?;
                Ok(Source::Table(source))
            }
            SourceKind::Table => {
                Err(Error::file(&path, "is a folder; a table source is one CSV, TSV, Parquet or NDJSON file"))
            }
            kind => {
                if !path.is_dir() {
                    let what = if path.exists() { "is not a folder" } else { "does not exist" };
                    return Err(Error::file(&path, format!("{what}; {} sources are folders", kind.name())));
                }
                Ok(Source::Folder(FolderSource {
                    root: path,
                    kind,
                    labels_from_folders: config.labels_from_folders,
                    split_from_folders: config.split_from_folders,
                    split_file: config.split_file.as_ref().map(|f| project_root.join(f)),
                    cache_file,
                    cache: OnceLock::new(),
                    scanned: OnceLock::new(),
                }))
            }
        }
    }

    pub fn kind(&self) -> SourceKind {
        match self {
            Source::Table(t) => t.kind,
            Source::Folder(f) => f.kind,
        }
    }

    pub fn location(&self) -> &Path {
        match self {
            Source::Table(t) => t.table.path(),
            Source::Folder(f) => &f.root,
        }
    }

    /// Checks every file of a folder source now, reporting progress; tables need no scan.
    pub fn scan(&self, progress: &dyn Progress) -> Result<()> {
        if let Source::Folder(f) = self {
            f.scan(progress)?;
        }
        Ok(())
    }

    pub fn count(&self) -> Result<usize> {
        match self {
            Source::Table(t) => t.table.count_rows(),
            Source::Folder(f) => Ok(f.scan(&Silent)?.files.len()),
        }
    }

    /// Writes what was learnt about the files into `cache_dir` (used by init, which scans
    /// before the project exists).
    pub fn save_cache(&self, cache_dir: &Path) {
        if let Source::Folder(f) = self {
            f.file_cache().save_to(&cache_dir.join(CACHE_FILE));
        }
    }

    /// Files that were found but failed to decode; always empty for tables.
    pub fn unreadable(&self) -> Result<Vec<Unreadable>> {
        match self {
            Source::Table(_) => Ok(Vec::new()),
            Source::Folder(f) => Ok(f.scan(&Silent)?.unreadable.clone()),
        }
    }

    pub fn ids(&self) -> Result<SampleIds> {
        match self {
            Source::Table(t) => match &t.id_column {
                None => Ok(SampleIds::Rows(t.table.count_rows()?)),
                Some(c) => {
                    let ids = t.table.strings(t.table.scan()?, c)?;
                    Ok(SampleIds::Listed(ids.into_iter().flatten().collect()))
                }
            },
            Source::Folder(f) => {
                Ok(SampleIds::Listed(f.scan(&Silent)?.files.iter().map(|c| c.entry.id.clone()).collect()))
            }
        }
    }

    /// Every sample id in source order (row order, or natural order of file paths).
    pub fn ids_in_order(&self) -> Result<Vec<String>> {
        match self {
            Source::Table(t) => {
                let ids = t.table.strings(t.scan_with_ids()?, "id")?;
                Ok(ids.into_iter().map(Option::unwrap_or_default).collect())
            }
            Source::Folder(f) => Ok(f.scan(&Silent)?.files.iter().map(|c| c.entry.id.clone()).collect()),
        }
    }

    /// Whether one sample exists, without listing them all: a file's presence, a row number
    /// in range, or a streaming search of the id column.
    pub fn contains(&self, id: &str) -> Result<bool> {
        match self {
            Source::Folder(f) => {
                let inside = !id.split('/').any(|p| p.is_empty() || p == "." || p == "..");
                let path = f.root.join(id);
                Ok(inside && path.is_file() && folder::has_extension(&path, f.kind))
            }
            Source::Table(t) => match &t.id_column {
                None => Ok(SampleIds::Rows(t.table.count_rows()?).contains(id)),
                Some(c) => {
                    let hits = t
                        .table
                        .scan()?
                        .filter(col(c.as_str()).cast(DataType::String).eq(lit(id)))
                        .select([len().alias("n")]);
                    let df = t.table.collect(hits)?;
                    let n = df.column("n").and_then(|c| c.cast(&DataType::UInt64))?;
                    Ok(n.u64()?.get(0).unwrap_or(0) > 0)
                }
            },
        }
    }

    /// Labels the source itself gives: a table's label column or class folders.
    pub fn given_labels(&self) -> Result<Vec<(String, String)>> {
        match self {
            Source::Table(t) => t.given_labels(),
            Source::Folder(f) => Ok(f
                .scan(&Silent)?
                .files
                .iter()
                .filter_map(|c| f.folder_class(&c.entry.id).map(|class| (c.entry.id.clone(), class.to_string())))
                .collect()),
        }
    }

    /// Split counts when the source fixes the split (a split column or split folders).
    pub fn split_counts(&self) -> Result<Option<SplitCounts>> {
        match self {
            Source::Table(t) => Ok(t.split_values()?.map(|v| split::counts(v.into_iter()))),
            Source::Folder(f) if f.split_from_folders => {
                let scan = f.scan(&Silent)?;
                Ok(Some(split::counts(scan.files.iter().map(|c| folder_split(&c.entry.id)))))
            }
            Source::Folder(_) => Ok(None),
        }
    }

    /// The fixed split of every sample that has one, from the split file or split folders;
    /// `None` when neither fixes it (tables with a split column answer through polars).
    pub fn split_map(&self) -> Result<Option<HashMap<String, Split>>> {
        let file = match self {
            Source::Table(t) => &t.split_file,
            Source::Folder(f) => &f.split_file,
        };
        if let Some(path) = file {
            return split::read_split_file(path, |_| true).map(Some);
        }
        match self {
            Source::Folder(f) if f.split_from_folders => Ok(Some(
                f.scan(&Silent)?
                    .files
                    .iter()
                    .filter_map(|c| folder_split(&c.entry.id).map(|s| (c.entry.id.clone(), s)))
                    .collect(),
            )),
            _ => Ok(None),
        }
    }

    /// The samples the project's fixed split holds out (valid and test), from its split
    /// column, split file or split folders; empty without a fixed split.
    pub fn held_out_ids(&self) -> Result<HashSet<String>> {
        let held_out = |s: &Split| matches!(s, Split::Valid | Split::Test);
        let mut ids: HashSet<String> = match self {
            Source::Table(t) => match t.split_values()? {
                Some(splits) => self
                    .ids_in_order()?
                    .into_iter()
                    .zip(splits)
                    .filter_map(|(id, s)| s.as_ref().is_some_and(held_out).then_some(id))
                    .collect(),
                None => HashSet::new(),
            },
            Source::Folder(_) => HashSet::new(),
        };
        // A split file (or split folders) decides for the samples it names.
        for (id, split) in self.split_map()?.unwrap_or_default() {
            if held_out(&split) {
                ids.insert(id);
            } else {
                ids.remove(&id);
            }
        }
        Ok(ids)
    }

    /// A hash of the content of every sample: changes whenever the data does.
    pub fn fingerprint(&self) -> Result<String> {
        match self {
            Source::Table(t) => t.content_hash(),
            Source::Folder(f) => f.fingerprint(),
        }
    }
}

impl TableSource {
    fn check_columns(&self) -> Result<()> {
        let columns = [
            (&self.id_column, "id_column"),
            (&self.label_column, "label_column"),
            (&self.text_column, "text_column"),
            (&self.split_column, "split_column"),
        ];
        for (column, what) in columns {
            if let Some(c) = column {
                self.table.require_column(c, what)?;
            }
        }
        if self.kind == SourceKind::Text && self.text_column.is_none() {
            return Err(Error::file(self.table.path(), "a text source in a table needs text_column"));
        }
        Ok(())
    }

    /// Columns that are never features: the sample id, label, split and text columns, and
    /// the `id` / row-index columns the scan adds.
    pub fn reserved_columns(&self) -> Vec<String> {
        let mut reserved = vec!["id".to_string(), ROW_ID.to_string()];
        for c in [&self.id_column, &self.label_column, &self.split_column, &self.text_column] {
            reserved.extend(c.clone());
        }
        reserved
    }

    /// The scan with the sample id as a string column named `id`.
    pub fn scan_with_ids(&self) -> Result<LazyFrame> {
        let lf = self.table.scan()?;
        Ok(match &self.id_column {
            Some(c) => lf.with_column(col(c.as_str()).cast(DataType::String).alias("id")),
            None => lf.with_row_index(ROW_ID, None).with_column(col(ROW_ID).cast(DataType::String).alias("id")),
        })
    }

    /// The whole source, and each row's sample id. Row-number ids are numbered after
    /// reading: a row index in the scan makes polars count every line first, a second pass
    /// over the file.
    pub fn read_with_ids(&self) -> Result<(DataFrame, Vec<String>)> {
        let df = self.table.read_all()?;
        let ids = match &self.id_column {
            Some(c) => table::column_texts(&df.column(c)?.cast(&DataType::String)?)?,
            None => (0..df.height()).map(|i| i.to_string()).collect(),
        };
        Ok((df, ids))
    }

    /// Fails unless every row has an id and no id repeats.
    pub fn check_ids_unique(&self) -> Result<()> {
        let Some(c) = &self.id_column else { return Ok(()) };
        let ids = self.table.strings(self.table.scan()?, c)?;
        let mut seen = HashSet::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            let Some(id) = id else {
                return Err(Error::file(
                    self.table.path(),
                    format!("{}: id column \"{c}\" is empty", self.table.place(row)),
                ));
            };
            if !seen.insert(id.as_str()) {
                return Err(Error::file(
                    self.table.path(),
                    format!(
                        "{}: id \"{id}\" appears twice; ids must be unique (or leave out --id-column to use row numbers)",
                        self.table.place(row)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn given_labels(&self) -> Result<Vec<(String, String)>> {
        let Some(label) = &self.label_column else { return Ok(Vec::new()) };
        let lf = self.scan_with_ids()?;
        let df =
            self.table.collect(lf.select([col("id"), col(label.as_str()).cast(DataType::String).alias("label")]))?;
        let ids = df.column("id").and_then(|c| c.str().cloned())?;
        let labels = df.column("label").and_then(|c| c.str().cloned())?;
        Ok(ids
            .iter()
            .zip(labels.iter())
            .filter_map(|(id, label)| {
                let label = label?.trim();
                (!label.is_empty()).then(|| (id.unwrap_or_default().to_string(), label.to_string()))
            })
            .collect())
    }

    /// The split of every row, in row order, when the table has a split column.
    /// Refuses the first of `names` the table has no column for, naming the columns it has;
    /// `what` says where the name came from (`--exclude beak`, `[features] exclude`).
    pub fn require_columns(&self, names: &[String], what: impl Fn(&str) -> String) -> Result<()> {
        let columns = self.table.column_names()?;
        match names.iter().find(|n| !columns.contains(n)) {
            None => Ok(()),
            Some(gone) => Err(Error::user(format!(
                "{}: {} has no column \"{gone}\"; its columns are {}",
                what(gone),
                self.table.path().display(),
                columns.join(", ")
            ))),
        }
    }

    pub fn split_values(&self) -> Result<Option<Vec<Option<Split>>>> {
        let Some(c) = &self.split_column else { return Ok(None) };
        let values = self.table.strings(self.table.scan()?, c)?;
        self.parse_splits(values.iter().map(|v| v.as_deref())).map(Some)
    }

    /// The split column's values in `df`, a frame of the whole source already read (so the
    /// source is not read again for them).
    pub fn split_values_in(&self, df: &DataFrame) -> Result<Option<Vec<Option<Split>>>> {
        let Some(c) = &self.split_column else { return Ok(None) };
        let values = df.column(c)?.cast(&DataType::String)?;
        self.parse_splits(values.str()?.iter()).map(Some)
    }

    fn parse_splits<'a>(&self, values: impl Iterator<Item = Option<&'a str>>) -> Result<Vec<Option<Split>>> {
        let parsed =
            split::parse_values(values, |row| format!("{}: {}", self.table.path().display(), self.table.place(row)))?;
        Ok(parsed)
    }

    fn content_hash(&self) -> Result<String> {
        file_cache::content_hash(self.cache_file.as_deref(), "table", self.table.path())
    }
}

impl FolderSource {
    pub fn scan(&self, progress: &dyn Progress) -> Result<&Scan> {
        if let Some(scan) = self.scanned.get() {
            return Ok(scan);
        }
        let (entries, mut unreadable) = folder::list(&self.root, self.kind)?;
        let mut cache = self.file_cache();
        let (files, bad) = folder::check(entries, self.kind, &mut cache, progress);
        cache.save();
        unreadable.extend(bad);
        Ok(self.scanned.get_or_init(|| Scan { files, unreadable }))
    }

    fn file_cache(&self) -> std::sync::MutexGuard<'_, FileCache> {
        let cache = self
            .cache
            .get_or_init(|| Mutex::new(self.cache_file.as_deref().map_or_else(FileCache::in_memory, FileCache::load)));
        cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A hash of the content of every file. Recalled, with no file read, while a look at
    /// the folder (`folder::listing_stamp`) finds every name, size and modification time as
    /// when it was last worked out: at 20,000 images the scan behind it took most of a
    /// `kindling similar` call.
    pub fn fingerprint(&self) -> Result<String> {
        let listing = self.cache_file.as_ref().and_then(|f| {
            let stamp = folder::listing_stamp(&self.root, self.kind)?;
            Some((f.with_file_name(FINGERPRINT_FILE), stamp))
        });
        if let Some((file, stamp)) = &listing
            && let Ok(text) = std::fs::read_to_string(file)
            && let Some((was, fingerprint)) = text.trim_end().split_once(' ')
            && was == stamp
        {
            return Ok(fingerprint.to_string());
        }
        let mut h = blake3::Hasher::new();
        for c in &self.scan(&Silent)?.files {
            h.update(c.entry.id.as_bytes());
            h.update(b"\0");
            h.update(c.hash.as_bytes());
            h.update(b"\n");
        }
        let fingerprint = h.finalize().to_hex().to_string();
        if let Some((file, stamp)) = listing {
            // Not remembered, the fingerprint is only worked out again next time.
            let _ = crate::atomic::write_whole(&file, format!("{stamp} {fingerprint}\n").as_bytes());
        }
        Ok(fingerprint)
    }

    /// The class a file's folder names: the folder right above the file, unless that
    /// folder is a split folder.
    pub fn folder_class<'a>(&self, id: &'a str) -> Option<&'a str> {
        if !self.labels_from_folders {
            return None;
        }
        let dirs: Vec<&str> = id.split('/').collect();
        let dirs = &dirs[..dirs.len() - 1];
        let skip = usize::from(self.split_from_folders);
        // Served inputs imported for labelling wait in `served/`: no class of their own.
        dirs.get(skip..).and_then(|d| d.last()).copied().filter(|d| *d != folder::IMPORT_FOLDER)
    }
}

/// A file's split when its top folder is named train / valid / test.
pub fn folder_split(id: &str) -> Option<Split> {
    let (top, _) = id.split_once('/')?;
    Split::parse(top)
}

/// True when every top folder holding files is a split name (train/, test/, ...).
pub fn looks_split_by_folders(ids: &[&str]) -> bool {
    let mut tops = ids.iter().filter_map(|id| id.split_once('/').map(|(top, _)| top)).peekable();
    tops.peek().is_some() && tops.all(|t| Split::parse(t).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ids_must_be_canonical() {
        let ids = SampleIds::Rows(10);
        assert!(ids.contains("0") && ids.contains("9"));
        assert!(!ids.contains("10") && !ids.contains("01") && !ids.contains("-1") && !ids.contains("x"));
    }

    #[test]
    fn split_folders_are_detected() {
        assert!(looks_split_by_folders(&["train/cat/1.png", "test/dog/2.png"]));
        assert!(!looks_split_by_folders(&["train/1.png", "bus/2.png"]));
        assert!(!looks_split_by_folders(&["1.png"]));
        assert_eq!(folder_split("valid/cat/1.png"), Some(Split::Valid));
        assert_eq!(folder_split("1.png"), None);
    }

    #[test]
    fn folder_class_is_the_parent_folder() {
        let mut f = FolderSource {
            root: PathBuf::new(),
            kind: SourceKind::Images,
            labels_from_folders: true,
            split_from_folders: false,
            split_file: None,
            cache_file: None,
            cache: OnceLock::new(),
            scanned: OnceLock::new(),
        };
        assert_eq!(f.folder_class("cat/1.png"), Some("cat"));
        assert_eq!(f.folder_class("a/b/1.png"), Some("b"));
        assert_eq!(f.folder_class("1.png"), None);
        f.split_from_folders = true;
        assert_eq!(f.folder_class("train/cat/1.png"), Some("cat"));
        assert_eq!(f.folder_class("train/1.png"), None);
        assert_eq!(f.folder_class("train/served/1.png"), None, "imported served inputs wait unlabelled");
    }
}
