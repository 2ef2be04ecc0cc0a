//! Tables (CSV, TSV, Parquet, NDJSON) through polars lazy scans: counting rows or reading a
//! window of them never loads the whole file where the format allows otherwise.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use polars::prelude::*;

use crate::data::file_cache::{FileCache, Stamp};
use crate::data::parsed_copy;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Tsv,
    Parquet,
    Ndjson,
}

impl TableFormat {
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(TableFormat::Csv),
            "tsv" | "tab" => Some(TableFormat::Tsv),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "ndjson" | "jsonl" => Some(TableFormat::Ndjson),
            _ => None,
        }
    }

    pub fn is_delimited(self) -> bool {
        matches!(self, TableFormat::Csv | TableFormat::Tsv)
    }
}

/// Rows scanned to guess CSV column types; wide enough to see past leading blanks.
const INFER_SCHEMA_ROWS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Table {
    path: PathBuf,
    format: TableFormat,
    /// Field separator of CSV / TSV files.
    separator: u8,
    /// The schema inferred from a CSV / TSV / NDJSON file the first time it is scanned;
    /// later scans reuse it instead of reading and guessing again (shared by clones).
    inferred: Arc<OnceLock<SchemaRef>>,
    /// Where the inferred schema is remembered between processes, by the file's size and
    /// modification time (`with_schema_cache`).
    schema_cache: Option<PathBuf>,
}

impl Table {
    pub fn open(path: &Path) -> Result<Table> {
        let format = TableFormat::from_path(path).ok_or_else(|| {
            Error::file(path, "not a table Kindling reads; use .csv, .tsv, .parquet, .ndjson or .jsonl")
        })?;
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(Error::file(path, "is a folder, not a table file")),
            Err(e) => return Err(Error::file(path, format!("cannot read it ({e})"))),
        }
        let separator = match format {
            TableFormat::Tsv => b'\t',
            TableFormat::Csv => sniff_separator(path),
            _ => b',',
        };
        Ok(Table { path: path.to_path_buf(), format, separator, inferred: Arc::default(), schema_cache: None })
    }

    /// Remembers the inferred schema in the file cache `cache_file` (guessing the types of
    /// 10,000 rows took longer than reading 20,000).
    pub fn with_schema_cache(mut self, cache_file: Option<PathBuf>) -> Table {
        self.schema_cache = cache_file;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> TableFormat {
        self.format
    }

    /// The field separator of a CSV / TSV file.
    pub fn separator(&self) -> u8 {
        self.separator
    }

    /// A lazy scan of the whole table; nothing is read until it is collected.
    pub fn scan(&self) -> Result<LazyFrame> {
        self.scan_with(self.known_schema()?)
    }

    /// The schema of a CSV / TSV / NDJSON file, inferred (or remembered) once; `None` for
    /// Parquet, which carries its own.
    fn known_schema(&self) -> Result<Option<SchemaRef>> {
        if self.format != TableFormat::Parquet && self.inferred.get().is_none() {
            let schema = match self.remembered_schema() {
                Some(schema) => schema,
                None => {
                    let schema = self.scan_with(None)?.collect_schema().map_err(|e| self.error(e))?;
                    self.remember_schema(&schema);
                    schema
                }
            };
            let _ = self.inferred.set(schema);
        }
        Ok(self.inferred.get().cloned())
    }

    fn schema_key(&self) -> String {
        format!("schema:{}", self.path.display())
    }

    fn remembered_schema(&self) -> Option<SchemaRef> {
        let cache = FileCache::load(self.schema_cache.as_deref()?);
        let stamp = Stamp::of(&std::fs::metadata(&self.path).ok()?);
        let Some(Ok(text)) = cache.get(&self.schema_key(), &stamp) else { return None };
        schema_from_text(text)
    }

    /// Keeps `schema` in the cache when every column has a type `schema_text` writes.
    fn remember_schema(&self, schema: &Schema) {
        let (Some(file), Some(text)) = (&self.schema_cache, schema_text(schema)) else { return };
        let Ok(meta) = std::fs::metadata(&self.path) else { return };
        let mut cache = FileCache::load(file);
        cache.put(self.schema_key(), Stamp::of(&meta), Ok(text));
        cache.save();
    }

    /// A scan with the schema `known`, or one that infers it. The scan that inferred the
    /// schema is not the one collected: with polars 0.55 it read a 20,000-row CSV in 53 ms
    /// after inferring, where a new scan given the schema read it in 20.
    fn scan_with(&self, known: Option<SchemaRef>) -> Result<LazyFrame> {
        let path = PlRefPath::try_from_path(&self.path).map_err(|e| self.error(e))?;
        let lf = match self.format {
            TableFormat::Csv | TableFormat::Tsv => LazyCsvReader::new(path)
                .with_separator(self.separator)
                .with_has_header(true)
                .with_infer_schema_length(Some(INFER_SCHEMA_ROWS))
                .with_schema(known)
                .finish(),
            TableFormat::Parquet => {
                return LazyFrame::scan_parquet(path, ScanArgsParquet::default()).map_err(|e| self.error(e));
            }
            TableFormat::Ndjson => LazyJsonLineReader::new(path)
                .with_infer_schema_length(std::num::NonZeroUsize::new(INFER_SCHEMA_ROWS))
                .with_schema(known)
                .finish(),
        };
        lf.map_err(|e| self.error(e))
    }

    pub fn schema(&self) -> Result<SchemaRef> {
        self.scan()?.collect_schema().map_err(|e| self.error(e))
    }

    pub fn column_names(&self) -> Result<Vec<String>> {
        Ok(self.schema()?.iter_names().map(|n| n.to_string()).collect())
    }

    /// A CSV or TSV file's header as written, read without inferring the column types
    /// (which reads the first rows); `None` for other formats or a header not read.
    fn header_names(&self) -> Option<Vec<String>> {
        if !self.format.is_delimited() {
            return None;
        }
        let mut reader = csv::ReaderBuilder::new().delimiter(self.separator).from_path(&self.path).ok()?;
        Some(reader.headers().ok()?.iter().map(str::to_string).collect())
    }

    /// Fails with the list of columns when `name` is not one of them.
    pub fn require_column(&self, name: &str, flag: &str) -> Result<()> {
        if self.header_names().is_some_and(|names| names.iter().any(|n| n == name)) {
            return Ok(());
        }
        let names = self.column_names()?;
        if names.iter().any(|n| n == name) {
            return Ok(());
        }
        Err(Error::file(
            &self.path,
            format!("has no column \"{name}\" ({flag}); its columns are: {}", names.join(", ")),
        ))
    }

    pub fn count_rows(&self) -> Result<usize> {
        let df = self.collect(self.scan()?.select([len().alias("n")]))?;
        let n = df.column("n").and_then(|c| c.cast(&DataType::UInt64)).map_err(|e| self.error(e))?;
        let n = n.u64().map_err(|e| self.error(e))?.get(0).unwrap_or(0);
        Ok(n as usize)
    }

    /// Rows `offset .. offset + len`; only what is needed is read.
    pub fn rows(&self, offset: usize, len: usize) -> Result<DataFrame> {
        self.collect(self.scan()?.slice(offset as i64, len as IdxSize))
    }

    /// The whole table. A CSV or TSV is read by polars' eager reader with the schema known:
    /// half the time of collecting a scan (polars 0.55: 11 against 20–28 ms for 20,000 rows).
    pub fn read_all(&self) -> Result<DataFrame> {
        if !self.format.is_delimited() {
            return self.collect(self.scan()?);
        }
        let schema = self.known_schema()?;
        let copy = self
            .schema_cache
            .as_deref()
            .and_then(Path::parent)
            .zip(schema.as_deref())
            .and_then(|(cache_dir, schema)| parsed_copy::path_for(cache_dir, &self.path, schema));
        if let (Some(copy), Some(schema)) = (&copy, &schema)
            && let Some(df) = parsed_copy::read(copy, schema)
        {
            return Ok(df);
        }
        // One chunk a column, as a collected scan gives (the reader's default is a chunk per
        // part read in parallel): gradient boosting fitted 100,000 rows in 2.6 s, not 2.9.
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .with_rechunk(true)
            .with_schema(schema)
            .map_parse_options(|o| o.with_separator(self.separator))
            .try_into_reader_with_file_path(Some(self.path.clone()))
            .and_then(|r| r.finish())
            .map_err(|e| self.error(e))?;
        if let Some(copy) = &copy {
            parsed_copy::write(copy, &mut df);
        }
        Ok(df)
    }

    /// Runs a query, turning a parse failure into a message that names the file and line.
    pub fn collect(&self, lf: LazyFrame) -> Result<DataFrame> {
        lf.collect().map_err(|e| self.error(e))
    }

    /// Reads one column as strings (nulls kept), in row order.
    pub fn strings(&self, lf: LazyFrame, column: &str) -> Result<Vec<Option<String>>> {
        let df = self.collect(lf.select([col(column)]))?;
        column_strings(df.column(column).map_err(|e| self.error(e))?)
    }

    /// Checks a CSV/TSV line by line: every row has the header's number of fields and the
    /// file is UTF-8. Polars' own errors do not say which line is wrong; this does.
    pub fn validate_text(&self) -> Result<()> {
        if !self.format.is_delimited() {
            return Ok(());
        }
        if let Some(problem) = first_malformed_line(&self.path, self.separator)? {
            return Err(Error::file(&self.path, problem));
        }
        Ok(())
    }

    /// Where row `i` (0-based, header excluded) is, in the words a person would look for.
    pub fn place(&self, row: usize) -> String {
        match self.format {
            TableFormat::Csv | TableFormat::Tsv => format!("line {} (row {row})", row + 2),
            TableFormat::Ndjson => format!("line {} (row {row})", row + 1),
            TableFormat::Parquet => format!("row {row}"),
        }
    }

    fn error(&self, e: impl std::fmt::Display) -> Error {
        if self.format.is_delimited()
            && let Ok(Some(problem)) = first_malformed_line(&self.path, self.separator)
        {
            return Error::file(&self.path, problem);
        }
        let hint = match self.format {
            TableFormat::Parquet => "; is it really a Parquet file?",
            TableFormat::Ndjson => "; every line must be one JSON object",
            _ => "",
        };
        Error::file(&self.path, format!("cannot read it: {e}{hint}"))
    }
}

/// The separator of a `.csv` file: whichever of `,` `;` tab `|` the header line uses most
/// (outside quotes). Many CSV files from spreadsheets in Europe use `;`.
/// The types CSV inference gives, as the schema cache writes them.
fn remembered_types() -> [(DataType, &'static str); 4] {
    [(DataType::Boolean, "bool"), (DataType::Int64, "i64"), (DataType::Float64, "f64"), (DataType::String, "str")]
}

/// The schema as JSON `[[name, type], …]` when every type is one of `remembered_types`;
/// `None` otherwise, so that nothing is remembered wrong.
fn schema_text(schema: &Schema) -> Option<String> {
    let types = remembered_types();
    let columns: Option<Vec<(&str, &str)>> =
        schema.iter().map(|(name, dtype)| Some((name.as_str(), types.iter().find(|(t, _)| t == dtype)?.1))).collect();
    serde_json::to_string(&columns?).ok()
}

fn schema_from_text(text: &str) -> Option<SchemaRef> {
    let columns: Vec<(String, String)> = serde_json::from_str(text).ok()?;
    let types = remembered_types();
    let fields: Option<Vec<Field>> = columns
        .into_iter()
        .map(|(name, t)| Some(Field::new(name.into(), types.iter().find(|(_, n)| *n == t)?.0.clone())))
        .collect();
    Some(Arc::new(Schema::from_iter(fields?)))
}

fn sniff_separator(path: &Path) -> u8 {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return b',';
    }
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(s, _)| *s == b) {
            c.1 += 1;
        }
    }
    // Ties go to the comma, the first candidate.
    counts.iter().fold((b',', 0), |best, &(s, n)| if n > best.1 { (s, n) } else { best }).0
}

/// The first line that breaks the table (wrong field count, not UTF-8), described.
fn first_malformed_line(path: &Path, separator: u8) -> Result<Option<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .has_headers(false)
        .from_path(path)
        .map_err(|e| Error::file(path, e))?;
    let mut expected = None;
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Ok(Some(format!("cannot parse it: {e}"))),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if let Err(e) = std::str::from_utf8(record.as_slice()) {
            let _ = e;
            return Ok(Some(format!(
                "line {line} is not valid UTF-8; convert the file, e.g. `iconv -f latin1 -t utf-8`"
            )));
        }
        // A blank last line is not a row.
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        match expected {
            None => expected = Some(record.len()),
            Some(n) if n != record.len() => {
                let fields = if record.len() == 1 { "1 field".into() } else { format!("{} fields", record.len()) };
                return Ok(Some(format!("line {line} has {fields} but the header has {n}; fix or remove that row")));
            }
            Some(_) => {}
        }
    }
    if expected.is_none() {
        return Ok(Some("is empty; it needs a header line and at least one row".into()));
    }
    Ok(None)
}

/// The values of a column as strings (nulls kept).
pub fn column_strings(column: &Column) -> crate::error::Result<Vec<Option<String>>> {
    let cast = column.cast(&DataType::String)?;
    Ok(cast.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// The values of a column as strings, nulls as empty strings.
pub fn column_texts(column: &Column) -> crate::error::Result<Vec<String>> {
    Ok(column_strings(column)?.into_iter().map(Option::unwrap_or_default).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn the_whole_table_read_at_once_equals_its_scan() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"n;name;x\n1;\"a;b\";0.5\n;plain;\n3;\"say \"\"hi\"\"\";2\n";
        let t = Table::open(&write(dir.path(), "semi.csv", text)).unwrap();
        let read = t.read_all().unwrap();
        assert_eq!(read, t.collect(t.scan().unwrap()).unwrap());
        assert_eq!(read.height(), 3);
        assert_eq!(read.column("name").unwrap().str().unwrap().get(0), Some("a;b"));
        assert_eq!(read.column("n").unwrap().i64().unwrap().get(1), None, "an empty number is a gap");
    }

    #[test]
    fn the_inferred_schema_is_remembered_until_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("files.tsv");
        let path = write(dir.path(), "t.csv", b"a,b,c\n1,x,true\n2,y,false\n");
        let open = || Table::open(&path).unwrap().with_schema_cache(Some(cache.clone()));
        let first = open().schema().unwrap();
        assert_eq!(first.get("a"), Some(&DataType::Int64));
        assert!(std::fs::read_to_string(&cache).unwrap().contains("schema:"), "kept in the cache file");
        assert_eq!(open().remembered_schema().as_deref(), Some(first.as_ref()), "the next process finds it");
        // Another size: the stamp no longer matches, so the types are guessed again.
        std::fs::write(&path, b"a,b,c\n1.5,x,true\n2,y,false\n").unwrap();
        assert_eq!(open().remembered_schema(), None);
        assert_eq!(open().schema().unwrap().get("a"), Some(&DataType::Float64));
    }

    #[test]
    fn a_read_table_is_read_again_from_its_parsed_copy_until_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache/files.tsv");
        let path = write(dir.path(), "t.csv", b"a,b,c\n1,x,true\n,\"y,z\",false\n");
        let open = || Table::open(&path).unwrap().with_schema_cache(Some(cache.clone()));
        let copies = || -> Vec<PathBuf> {
            let entries = std::fs::read_dir(dir.path().join("cache")).unwrap();
            entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "parquet")).collect()
        };
        let parsed = open().read_all().unwrap();
        assert_eq!(parsed, open().collect(open().scan().unwrap()).unwrap());
        let kept = copies();
        assert_eq!(kept.len(), 1, "one copy is kept");
        // The copy is what is read now: a copy changed behind Kindling's back shows.
        let mut changed = parsed.clone();
        changed.with_column(Column::new("a".into(), [Some(7i64), Some(8)])).unwrap();
        parsed_copy::write(&kept[0], &mut changed);
        assert_eq!(open().read_all().unwrap(), changed);
        // A damaged copy is parsed again from the file.
        std::fs::write(&kept[0], b"not parquet").unwrap();
        assert_eq!(open().read_all().unwrap(), parsed);
        // An edited file gets a copy of its own, and the old one goes.
        std::fs::write(&path, b"a,b,c\n1,x,true\n2,y,false\n3,w,true\n").unwrap();
        let edited = open().read_all().unwrap();
        assert_eq!(edited.height(), 3);
        assert_eq!(edited, open().collect(open().scan().unwrap()).unwrap());
        assert_eq!(copies().len(), 1);
        assert_ne!(copies(), kept);
    }

    #[test]
    fn only_the_types_csv_inference_gives_are_written_and_read_back() {
        let schema = Schema::from_iter([
            Field::new("tab\tname".into(), DataType::String),
            Field::new("n".into(), DataType::Int64),
            Field::new("x".into(), DataType::Float64),
            Field::new("b".into(), DataType::Boolean),
        ]);
        let text = schema_text(&schema).unwrap();
        assert!(!text.contains('\t') && !text.contains('\n'), "one field of the cache's TSV: {text}");
        assert_eq!(schema_from_text(&text).as_deref(), Some(&schema));
        assert_eq!(schema_text(&Schema::from_iter([Field::new("d".into(), DataType::Date)])), None);
        assert_eq!(schema_from_text("[[\"a\",\"u8\"]]"), None);
        assert_eq!(schema_from_text("not json"), None);
    }

    #[test]
    fn counts_and_slices_csv() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("x,y\n");
        for i in 0..2000 {
            text.push_str(&format!("{i},{}\n", i * 2));
        }
        let t = Table::open(&write(dir.path(), "t.csv", text.as_bytes())).unwrap();
        assert_eq!(t.count_rows().unwrap(), 2000);
        let rows = t.rows(1000, 51).unwrap();
        assert_eq!(rows.height(), 51);
        let first = rows.column("y").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(first.i64().unwrap().get(0), Some(2000));
    }

    #[test]
    fn semicolon_csv_with_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{feff}\"fixed acidity\";\"quality\"\n7,4;5\n7,8;6\n";
        let t = Table::open(&write(dir.path(), "wine.csv", text.as_bytes())).unwrap();
        assert_eq!(t.column_names().unwrap(), ["fixed acidity", "quality"]);
        assert_eq!(t.count_rows().unwrap(), 2);
        t.validate_text().unwrap();
        assert_eq!(t.strings(t.scan().unwrap(), "quality").unwrap(), [Some("5".into()), Some("6".into())]);
    }

    #[test]
    fn ragged_csv_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let t = Table::open(&write(dir.path(), "r.csv", b"a,b\n1,2\n3,4,5\n6,7\n")).unwrap();
        let e = t.validate_text().unwrap_err();
        assert!(e.message().contains("line 3 has 3 fields but the header has 2"), "{}", e.message());
    }

    #[test]
    fn non_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let t = Table::open(&write(dir.path(), "l.csv", b"a,b\n1,caf\xe9\n")).unwrap();
        let e = t.validate_text().unwrap_err();
        assert!(e.message().contains("line 2 is not valid UTF-8"), "{}", e.message());
    }

    #[test]
    fn corrupt_parquet_is_a_user_error() {
        let dir = tempfile::tempdir().unwrap();
        let t = Table::open(&write(dir.path(), "bad.parquet", b"definitely not parquet")).unwrap();
        let e = t.count_rows().unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message().contains("bad.parquet"), "{}", e.message());
    }

    #[test]
    fn unknown_extension_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = Table::open(&write(dir.path(), "x.xlsx", b"")).unwrap_err();
        assert!(e.message().contains("use .csv"), "{}", e.message());
    }
}
