//! A binary copy of a project's CSV / TSV source, kept in `.kindling/cache/` beside the file
//! cache: a run reads the table whole, and parsing the text of 20,000 rows took 16 ms where
//! reading the copy takes 2. The copy's name holds a hash of the file's path, size and
//! modification time and of the schema it was read with, so an edited file or a new schema
//! never meets an old copy. Always safe to delete.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::file_cache::Stamp;

/// Files larger than this are not copied: the copy would double their room on disk.
const MAX_COPIED: u64 = 512 * 1024 * 1024;
const PREFIX: &str = "parsed-";
const EXTENSION: &str = "parquet";

/// Where the copy of `table` read with `schema` lives in `cache_dir`; `None` when the file
/// is too large to copy or cannot be looked at.
pub fn path_for(cache_dir: &Path, table: &Path, schema: &Schema) -> Option<PathBuf> {
    let meta = std::fs::metadata(table).ok()?;
    if meta.len() > MAX_COPIED {
        return None;
    }
    let stamp = serde_json::to_string(&Stamp::of(&meta)).ok()?;
    let columns: Vec<String> = schema.iter().map(|(name, dtype)| format!("{name}\t{dtype:?}")).collect();
    let text = format!("{}\n{stamp}\n{}", table.display(), columns.join("\n"));
    let hash = blake3::hash(text.as_bytes()).to_hex();
    Some(cache_dir.join(format!("{PREFIX}{}.{EXTENSION}", &hash[..32])))
}

/// The copy at `path`, if there is one with exactly the columns of `schema`.
pub fn read(path: &Path, schema: &Schema) -> Option<DataFrame> {
    let file = std::fs::File::open(path).ok()?;
    let df = ParquetReader::new(file).set_rechunk(true).finish().ok()?;
    (df.schema().as_ref() == schema).then_some(df)
}

/// Keeps `df` as the copy at `path` and removes the copies of earlier versions. A copy that
/// cannot be written only costs the next run its parsing.
pub fn write(path: &Path, df: &mut DataFrame) {
    if let Some(Ok(entries)) = path.parent().map(std::fs::read_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(PREFIX) && name.ends_with(EXTENSION) && e.path() != path {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut bytes = Vec::new();
    let encoded = ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions::empty())
        .finish(df);
    if encoded.is_ok() {
        let _ = crate::atomic::write_whole(path, &bytes);
    }
}
