//! A row index of a CSV / TSV file: the byte offset of every `STRIDE`-th row, found by one
//! pass over the file, so that any window of rows — the last one included — is read by
//! seeking to the nearest recorded row instead of parsing everything before it. The pass
//! runs in the background; until it ends, windows are read from the furthest row it has
//! reached. It is kept in `.kindling/cache/` against the file's size and modification time.
//!
//! Row boundaries follow the CSV rules the reader applies: a newline inside a quoted field
//! is part of the field, `""` inside quotes is a quote, a quote that does not open a field is
//! an ordinary character, blank lines are not rows, CRLF ends a line like LF, a UTF-8 byte
//! order mark is skipped, and a last line without a newline is a row.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::file_cache::Stamp;
use crate::error::{Error, Result};

/// Every this many rows one offset is kept: 2,000,000 rows take 250 KB, and reaching any
/// row parses at most this many rows before it.
const STRIDE: usize = 64;
/// Bytes read at a time by the indexing pass.
const CHUNK: usize = 1 << 20;
/// The pass shares what it found with readers every this many bytes.
const PUBLISH_EVERY: u64 = 16 << 20;
/// Version of the cache file's layout.
const VERSION: u32 = 1;

pub struct RowIndex {
    path: PathBuf,
    separator: u8,
    cache_file: Option<PathBuf>,
    found: RwLock<Found>,
    /// Held by the one pass that builds the index; others wait for it rather than repeat it.
    building: Mutex<()>,
}

/// What the pass has found so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Found {
    /// `offsets[k]` is where data row `k * STRIDE` starts (the header is not a row).
    offsets: Vec<u64>,
    /// Data rows found.
    rows: usize,
    /// The pass reached the end of the file.
    complete: bool,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    stamp: Stamp,
    separator: u8,
    stride: usize,
    found: Found,
}

impl RowIndex {
    /// An index of `path`, not read or built yet; `cache_file` keeps it between sessions.
    pub fn new(path: &Path, separator: u8, cache_file: Option<PathBuf>) -> RowIndex {
        RowIndex { path: path.to_path_buf(), separator, cache_file, found: RwLock::default(), building: Mutex::new(()) }
    }

    /// Rows found so far, and whether that is all of them.
    pub fn rows_known(&self) -> (usize, bool) {
        let found = self.found.read().unwrap_or_else(|e| e.into_inner());
        (found.rows, found.complete)
    }

    /// Loads the index from its cache or builds it, telling `progress` the rows found so far;
    /// returns the number of rows.
    pub fn ensure(&self, progress: &dyn Fn(usize)) -> Result<usize> {
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if let (rows, true) = self.rows_known() {
            return Ok(rows);
        }
        let stamp = Stamp::of(&std::fs::metadata(&self.path).map_err(|e| Error::file(&self.path, e))?);
        if let Some(found) = self.load(&stamp) {
            let rows = found.rows;
            *self.found.write().unwrap_or_else(|e| e.into_inner()) = found;
            return Ok(rows);
        }
        let found = self.scan(progress)?;
        self.save(&stamp, &found);
        Ok(found.rows)
    }

    fn load(&self, stamp: &Stamp) -> Option<Found> {
        let bytes = std::fs::read(self.cache_file.as_ref()?).ok()?;
        let saved: Saved = postcard::from_bytes(&bytes).ok()?;
        let valid = saved.version == VERSION
            && saved.stamp == *stamp
            && saved.separator == self.separator
            && saved.stride == STRIDE
            && saved.found.complete;
        valid.then_some(saved.found)
    }

    /// Writes the index next to the other caches; one that cannot be written is not an error.
    fn save(&self, stamp: &Stamp, found: &Found) {
        let Some(path) = &self.cache_file else { return };
        let saved = Saved {
            version: VERSION,
            stamp: stamp.clone(),
            separator: self.separator,
            stride: STRIDE,
            found: found.clone(),
        };
        let Ok(bytes) = postcard::to_allocvec(&saved) else { return };
        let tmp = path.with_extension("tmp");
        let _ = path.parent().map(std::fs::create_dir_all);
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }

    /// The one pass over the file. What it finds is shared with readers as it goes.
    fn scan(&self, progress: &dyn Fn(usize)) -> Result<Found> {
        let mut file = File::open(&self.path).map_err(|e| Error::file(&self.path, e))?;
        let mut splitter = RowSplitter::new(self.separator);
        let mut buffer = vec![0u8; CHUNK];
        let mut first = true;
        let mut published = 0;
        loop {
            let n = file.read(&mut buffer).map_err(|e| Error::file(&self.path, e))?;
            if n == 0 {
                break;
            }
            let mut chunk = &buffer[..n];
            if first && chunk.starts_with(b"\xEF\xBB\xBF") {
                splitter.skip(3);
                chunk = &chunk[3..];
            }
            first = false;
            splitter.feed(chunk);
            if splitter.position - published >= PUBLISH_EVERY {
                published = splitter.position;
                self.publish(splitter.found(false));
                progress(splitter.rows);
            }
        }
        let found = splitter.finish();
        self.publish(found.clone());
        progress(found.rows);
        Ok(found)
    }

    fn publish(&self, found: Found) {
        *self.found.write().unwrap_or_else(|e| e.into_inner()) = found;
    }

    /// Rows `offset .. offset + len` as records of fields (fewer at the end of the file).
    /// Never waits for the index: past what it has reached, the rows are parsed from there.
    pub fn read(&self, offset: usize, len: usize) -> Result<Vec<csv::ByteRecord>> {
        let (start, skip) = {
            let found = self.found.read().unwrap_or_else(|e| e.into_inner());
            match found.offsets.len() {
                0 => (None, offset),
                n => {
                    let k = (offset / STRIDE).min(n - 1);
                    (Some(found.offsets[k]), offset - k * STRIDE)
                }
            }
        };
        let mut file = File::open(&self.path).map_err(|e| Error::file(&self.path, e))?;
        file.seek(SeekFrom::Start(start.unwrap_or(0))).map_err(|e| Error::file(&self.path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.separator)
            .has_headers(start.is_none())
            .flexible(true)
            .from_reader(BufReader::with_capacity(256 << 10, file));
        let mut record = csv::ByteRecord::new();
        for _ in 0..skip {
            if !reader.read_byte_record(&mut record).map_err(|e| Error::file(&self.path, e))? {
                return Ok(Vec::new());
            }
        }
        let mut rows = Vec::with_capacity(len);
        while rows.len() < len && reader.read_byte_record(&mut record).map_err(|e| Error::file(&self.path, e))? {
            rows.push(record.clone());
        }
        Ok(rows)
    }
}

/// Where a byte stands in the CSV grammar.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field ends, unless another quote follows.
    QuoteInQuoted,
}

/// Finds row boundaries in bytes fed in chunks, jumping from quote to newline with memchr.
struct RowSplitter {
    separator: u8,
    state: State,
    /// Absolute position of the next byte fed.
    position: u64,
    row_start: u64,
    /// The byte before the next one fed.
    previous: u8,
    header_seen: bool,
    rows: usize,
    offsets: Vec<u64>,
}

impl RowSplitter {
    fn new(separator: u8) -> RowSplitter {
        RowSplitter {
            separator,
            state: State::Unquoted,
            position: 0,
            row_start: 0,
            previous: b'\n',
            header_seen: false,
            rows: 0,
            offsets: Vec::new(),
        }
    }

    /// Passes over bytes that are not part of any row (a byte order mark).
    fn skip(&mut self, n: u64) {
        self.position += n;
        self.row_start = self.position;
    }

    fn feed(&mut self, chunk: &[u8]) {
        let mut i = 0;
        while i < chunk.len() {
            match self.state {
                State::Unquoted => match memchr::memchr2(b'"', b'\n', &chunk[i..]) {
                    None => i = chunk.len(),
                    Some(j) => {
                        let at = i + j;
                        let before = if at == 0 { self.previous } else { chunk[at - 1] };
                        if chunk[at] == b'\n' {
                            self.end_row(self.position + at as u64, before);
                        } else if before == self.separator
                            || before == b'\n'
                            || self.position + at as u64 == self.row_start
                        {
                            self.state = State::Quoted;
                        }
                        i = at + 1;
                    }
                },
                State::Quoted => match memchr::memchr(b'"', &chunk[i..]) {
                    None => i = chunk.len(),
                    Some(j) => {
                        self.state = State::QuoteInQuoted;
                        i += j + 1;
                    }
                },
                State::QuoteInQuoted if chunk[i] == b'"' => {
                    self.state = State::Quoted;
                    i += 1;
                }
                State::QuoteInQuoted => self.state = State::Unquoted,
            }
        }
        if let Some(&last) = chunk.last() {
            self.previous = last;
        }
        self.position += chunk.len() as u64;
    }

    /// A newline outside quotes at `at`; `before` is the byte before it.
    fn end_row(&mut self, at: u64, before: u8) {
        let length = at - self.row_start;
        let blank = length == 0 || (length == 1 && before == b'\r');
        if !blank {
            self.row(self.row_start);
        }
        self.row_start = at + 1;
    }

    fn row(&mut self, start: u64) {
        if !self.header_seen {
            self.header_seen = true;
            return;
        }
        if self.rows.is_multiple_of(STRIDE) {
            self.offsets.push(start);
        }
        self.rows += 1;
    }

    fn found(&self, complete: bool) -> Found {
        Found { offsets: self.offsets.clone(), rows: self.rows, complete }
    }

    /// The end of the file: a last line without a newline is a row too.
    fn finish(mut self) -> Found {
        let length = self.position - self.row_start;
        if length > 1 || (length == 1 && self.previous != b'\r') {
            self.row(self.row_start);
        }
        self.found(true)
    }
}

#[cfg(test)]
mod tests;
