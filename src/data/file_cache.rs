//! Remembers, per file, the content hash and whether it decoded, keyed by size and
//! modification time, so that re-opening a large folder does not decode it all again.
//! It lives under `.kindling/cache/` and is always safe to delete.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};

const HEADER: &str = "kindling-file-cache 1";

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    size: u64,
    mtime_ns: u128,
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Stamp {
        let mtime_ns =
            meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        Stamp { size: meta.len(), mtime_ns }
    }

    /// The stamp as bytes, for hashing.
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut out = [0; 24];
        out[..8].copy_from_slice(&self.size.to_le_bytes());
        out[8..].copy_from_slice(&self.mtime_ns.to_le_bytes());
        out
    }
}

/// What checking a file found: its content hash, or why it cannot be used.
pub type Outcome = Result<String, String>;

#[derive(Default)]
pub struct FileCache {
    path: Option<PathBuf>,
    entries: HashMap<String, (Stamp, Outcome)>,
    dirty: bool,
}

impl FileCache {
    /// A cache that remembers nothing past this process.
    pub fn in_memory() -> FileCache {
        FileCache::default()
    }

    /// Loads the cache file; a missing or damaged one is simply an empty cache.
    pub fn load(path: &Path) -> FileCache {
        let mut cache = FileCache { path: Some(path.to_path_buf()), ..FileCache::default() };
        let Ok(text) = std::fs::read_to_string(path) else { return cache };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return cache;
        }
        for line in lines {
            let f: Vec<&str> = line.splitn(5, '\t').collect();
            let [key, size, mtime, hash, error] = f[..] else { continue };
            let (Ok(size), Ok(mtime_ns)) = (size.parse(), mtime.parse()) else { continue };
            let outcome = if error.is_empty() { Ok(hash.to_string()) } else { Err(error.to_string()) };
            cache.entries.insert(key.to_string(), (Stamp { size, mtime_ns }, outcome));
        }
        cache
    }

    pub fn get(&self, key: &str, stamp: &Stamp) -> Option<&Outcome> {
        self.entries.get(key).filter(|(s, _)| s == stamp).map(|(_, o)| o)
    }

    pub fn put(&mut self, key: String, stamp: Stamp, outcome: Outcome) {
        self.entries.insert(key, (stamp, outcome));
        self.dirty = true;
    }

    /// Writes the cache back if it changed. A cache that cannot be written is not an error.
    pub fn save(&mut self) {
        if let Some(path) = self.path.clone()
            && self.dirty
        {
            self.save_to(&path);
        }
    }

    /// Writes the cache to `path` from now on.
    pub fn save_to(&mut self, path: &Path) {
        self.path = Some(path.to_path_buf());
        let mut text = String::from(HEADER);
        text.push('\n');
        for (key, (stamp, outcome)) in &self.entries {
            let (hash, error) = match outcome {
                Ok(h) => (h.as_str(), String::new()),
                Err(e) => ("", e.replace(['\t', '\n', '\r'], " ")),
            };
            if key.contains(['\t', '\n']) {
                continue;
            }
            text.push_str(&format!("{key}\t{}\t{}\t{hash}\t{error}\n", stamp.size, stamp.mtime_ns));
        }
        let tmp = path.with_extension("tmp");
        let written = path.parent().map(std::fs::create_dir_all).transpose().is_ok()
            && std::fs::write(&tmp, text).is_ok()
            && std::fs::rename(&tmp, path).is_ok();
        if written {
            self.dirty = false;
        }
    }
}

/// The blake3 hash of the whole file at `path`, remembered in the cache file `cache_file`
/// under `kind:path` by the file's size and modification time, so that an unchanged file is
/// not read again (a source table, an encoder's module).
pub fn content_hash(cache_file: Option<&Path>, kind: &str, path: &Path) -> crate::error::Result<String> {
    use crate::error::Error;
    let meta = std::fs::metadata(path).map_err(|e| Error::file(path, e))?;
    let stamp = Stamp::of(&meta);
    let key = format!("{kind}:{}", path.display());
    let mut cache = cache_file.map_or_else(FileCache::in_memory, FileCache::load);
    if let Some(Ok(hash)) = cache.get(&key, &stamp) {
        return Ok(hash.clone());
    }
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    hasher.update_reader(file).map_err(|e| Error::file(path, e))?;
    let hash = hasher.finalize().to_hex().to_string();
    cache.put(key, stamp, Ok(hash.clone()));
    cache.save();
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_round_trip_and_ignores_stale_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/files.tsv");
        let mut c = FileCache::load(&path);
        let s = Stamp { size: 3, mtime_ns: 7 };
        c.put("images:a.png".into(), s.clone(), Ok("abc".into()));
        c.put("images:b.png".into(), s.clone(), Err("bad\theader".into()));
        c.save();
        let c = FileCache::load(&path);
        assert_eq!(c.get("images:a.png", &s), Some(&Ok("abc".to_string())));
        assert_eq!(c.get("images:b.png", &s), Some(&Err("bad header".to_string())));
        assert_eq!(c.get("images:a.png", &Stamp { size: 4, mtime_ns: 7 }), None);
    }

    #[test]
    fn damaged_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("files.tsv");
        std::fs::write(&path, "garbage\x00\nmore").unwrap();
        let c = FileCache::load(&path);
        assert!(c.entries.is_empty());
    }
}
