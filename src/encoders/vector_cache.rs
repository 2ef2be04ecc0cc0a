//! Vectors of one encoder, kept per sample under the encoder's content hash in the user
//! cache folder: a sample is keyed by a hash of its text or file bytes, so a second pass,
//! a sample moved or another project with the same files costs nothing. The file only
//! grows, a batch at a time, so a pass stopped half way keeps what it did; a torn last
//! record is ignored.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const MAGIC: &[u8; 16] = b"kindling-vec 1\n\0";
pub type Key = [u8; 16];

pub struct VectorCache {
    path: PathBuf,
    width: usize,
    /// The file's length when last read or written: another process that appended since
    /// makes it differ (`stale`).
    on_disk: u64,
    index: HashMap<Key, usize>,
    values: Vec<f32>,
}

pub fn key_of_text(text: &str) -> Key {
    let mut key = [0u8; 16];
    key.copy_from_slice(&blake3::hash(text.as_bytes()).as_bytes()[..16]);
    key
}

pub fn key_of_file(path: &Path) -> Result<Key> {
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    hasher.update_reader(file).map_err(|e| Error::file(path, e))?;
    let mut key = [0u8; 16];
    key.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    Ok(key)
}

impl VectorCache {
    /// The cache of the encoder with content hash `encoder` in `dir`; empty when there is
    /// none yet or it cannot be read (it is only a cache).
    pub fn open(dir: &Path, encoder: &str, width: usize) -> VectorCache {
        let path = dir.join(format!("{encoder}.bin"));
        let mut cache = VectorCache { path, width, on_disk: 0, index: HashMap::new(), values: Vec::new() };
        let Ok(bytes) = std::fs::read(&cache.path) else { return cache };
        cache.on_disk = bytes.len() as u64;
        let record = 16 + 4 * width;
        if bytes.len() < 24 || &bytes[..16] != MAGIC || bytes[16..24] != (width as u64).to_le_bytes() {
            return cache;
        }
        let records = bytes[24..].chunks_exact(record);
        if !records.remainder().is_empty() {
            // A pass stopped mid-write: cut the torn record so the next append lines up.
            let whole = (bytes.len() - records.remainder().len()) as u64;
            if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&cache.path) {
                f.set_len(whole).ok();
                cache.on_disk = whole;
            }
        }
        for chunk in records {
            let mut key = [0u8; 16];
            key.copy_from_slice(&chunk[..16]);
            if cache.index.contains_key(&key) {
                continue;
            }
            cache.index.insert(key, cache.index.len());
            cache.values.extend(chunk[16..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        }
        cache
    }

    /// Whether the file changed since this process last read or wrote it.
    pub fn stale(&self) -> bool {
        std::fs::metadata(&self.path).map_or(0, |m| m.len()) != self.on_disk
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn get(&self, key: &Key) -> Option<&[f32]> {
        self.index.get(key).map(|&row| &self.values[row * self.width..(row + 1) * self.width])
    }

    /// Adds vectors and appends them to the file in one write.
    pub fn append(&mut self, entries: &[(Key, Vec<f32>)]) -> Result<()> {
        let mut bytes = Vec::with_capacity(entries.len() * (16 + 4 * self.width) + 24);
        let fresh = !self.path.is_file();
        if fresh {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
            }
            bytes.extend(MAGIC);
            bytes.extend((self.width as u64).to_le_bytes());
        }
        for (key, v) in entries {
            if v.len() != self.width || self.index.contains_key(key) {
                continue;
            }
            bytes.extend(key);
            v.iter().for_each(|x| bytes.extend(x.to_le_bytes()));
            self.index.insert(*key, self.index.len());
            self.values.extend(v);
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| Error::file(&self.path, e))?;
        file.write_all(&bytes).map_err(|e| Error::file(&self.path, e))?;
        self.on_disk += bytes.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_come_back_by_content_and_a_torn_record_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = VectorCache::open(dir.path(), "abc", 2);
        assert!(c.is_empty());
        c.append(&[(key_of_text("a"), vec![1.0, 2.0]), (key_of_text("b"), vec![3.0, 4.0])]).unwrap();
        assert!(!c.stale(), "its own writes keep it fresh");
        let again = VectorCache::open(dir.path(), "abc", 2);
        assert_eq!(again.get(&key_of_text("b")), Some(&[3.0, 4.0][..]));
        let mut other_writer = VectorCache::open(dir.path(), "xyz", 2);
        other_writer.append(&[(key_of_text("d"), vec![0.0, 1.0])]).unwrap();
        let reader = VectorCache::open(dir.path(), "xyz", 2);
        other_writer.append(&[(key_of_text("e"), vec![1.0, 0.0])]).unwrap();
        assert!(reader.stale() && !other_writer.stale(), "another writer's append is seen");
        assert_eq!(again.get(&key_of_text("c")), None);
        assert!(VectorCache::open(dir.path(), "other", 2).is_empty(), "keyed by the encoder");
        assert!(VectorCache::open(dir.path(), "abc", 3).is_empty(), "a width that differs is not read");
        let path = dir.path().join("abc.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend([7u8; 10]);
        std::fs::write(&path, bytes).unwrap();
        let mut torn = VectorCache::open(dir.path(), "abc", 2);
        assert_eq!(torn.len(), 2);
        torn.append(&[(key_of_text("c"), vec![5.0, 6.0])]).unwrap();
        let after = VectorCache::open(dir.path(), "abc", 2);
        assert_eq!(after.get(&key_of_text("a")), Some(&[1.0, 2.0][..]));
        assert_eq!(after.get(&key_of_text("c")), Some(&[5.0, 6.0][..]), "appended after the cut, in line");
    }
}
