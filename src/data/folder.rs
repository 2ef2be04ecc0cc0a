//! Folder sources: images, `.txt` texts or `.wav` clips, found recursively. A sample's id is
//! its path relative to the folder, with `/` separators. Files that fail to decode are
//! listed and skipped, never fatal.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::decode;
use super::file_cache::{FileCache, Outcome, Stamp};
use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::progress::{Counter, Progress};

/// The folder of a folder source that `served --import` copies served inputs into; never
/// read as a class.
pub const IMPORT_FOLDER: &str = "served";

#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub id: String,
    pub path: PathBuf,
}

/// A file that was found but cannot be used, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unreadable {
    pub id: String,
    pub reason: String,
}

/// A usable file and the hash of its content.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub entry: FileEntry,
    pub hash: String,
}

pub fn extensions(kind: SourceKind) -> &'static [&'static str] {
    match kind {
        SourceKind::Images => &["png", "jpg", "jpeg", "webp", "gif", "bmp"],
        SourceKind::Text => &["txt"],
        SourceKind::Audio => &["wav", "wave"],
        SourceKind::Table => &[],
    }
}

pub fn has_extension(path: &Path, kind: SourceKind) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    ext.is_some_and(|e| extensions(kind).contains(&e.as_str()))
}

/// Every file of the kind below `root`, in natural order of id; hidden files and folders
/// (name starting with `.`) are left out. Names that are not UTF-8 are reported.
pub fn list(root: &Path, kind: SourceKind) -> Result<(Vec<FileEntry>, Vec<Unreadable>)> {
    let meta = std::fs::metadata(root).map_err(|e| Error::file(root, format!("cannot read it ({e})")))?;
    if !meta.is_dir() {
        return Err(Error::file(root, format!("is not a folder; {} sources are folders", kind.name())));
    }
    let mut entries = Vec::new();
    let mut unreadable = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for item in walker {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let id = e.path().and_then(|p| p.strip_prefix(root).ok()).map(|p| p.display().to_string());
                unreadable.push(Unreadable { id: id.unwrap_or_default(), reason: e.to_string() });
                continue;
            }
        };
        if !item.file_type().is_file() || !has_extension(item.path(), kind) {
            continue;
        }
        let rel = item.path().strip_prefix(root).unwrap_or(item.path());
        match id_of(rel) {
            Some(id) => entries.push(FileEntry { id, path: item.path().to_path_buf() }),
            None => unreadable.push(Unreadable {
                id: rel.to_string_lossy().into_owned(),
                reason: "its name is not valid UTF-8; rename it".into(),
            }),
        }
    }
    entries.sort_by(|a, b| crate::natural::compare(&a.id, &b.id));
    Ok((entries, unreadable))
}

/// A hash of the name, size and modification time of every file of the kind below `root`,
/// in the order the folders list them (unsorted): it changes whenever a file is added,
/// removed, renamed, resized or touched. `None` where a symbolic link or an entry that cannot
/// be read makes this quick look unsure; the full scan (`list`, `check`) handles those.
pub fn listing_stamp(root: &Path, kind: SourceKind) -> Option<String> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).ok()? {
            let entry = entry.ok()?;
            if entry.file_name().as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let kind_of = entry.file_type().ok()?;
            if kind_of.is_symlink() {
                return None;
            } else if kind_of.is_dir() {
                folders.push(entry.path());
            } else if kind_of.is_file() && has_extension(Path::new(&entry.file_name()), kind) {
                files.push(entry);
            }
        }
    }
    // Each file's stamp is read relative to its open folder (no walk down the whole path
    // for each), on every core: this is most of the look.
    let stamps: Vec<Option<Stamp>> = files.par_iter().map(|e| e.metadata().ok().map(|m| Stamp::of(&m))).collect();
    let mut h = blake3::Hasher::new();
    h.update(kind.name().as_bytes());
    for (entry, stamp) in files.iter().zip(stamps) {
        h.update(b"\n");
        h.update(entry.path().strip_prefix(root).ok()?.as_os_str().as_encoded_bytes());
        h.update(b"\0");
        h.update(&stamp?.to_bytes());
    }
    Some(h.finalize().to_hex().to_string())
}

fn id_of(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Decodes (or recalls from the cache) every file; returns the usable ones with their
/// hashes, and the ones that failed with the reason.
pub fn check(
    entries: Vec<FileEntry>,
    kind: SourceKind,
    cache: &mut FileCache,
    progress: &dyn Progress,
) -> (Vec<CheckedFile>, Vec<Unreadable>) {
    let counter = Counter::start(progress, "checking files", entries.len());
    let outcomes: Vec<(FileEntry, Option<Stamp>, Outcome, bool)> = entries
        .into_par_iter()
        .map(|entry| {
            let key = cache_key(kind, &entry.id);
            let stamp = std::fs::metadata(&entry.path).ok().map(|m| Stamp::of(&m));
            let cached = stamp.as_ref().and_then(|s| cache.get(&key, s)).cloned();
            let fresh = cached.is_none();
            let outcome = cached.unwrap_or_else(|| check_file(&entry.path, kind));
            counter.tick();
            (entry, stamp, outcome, fresh)
        })
        .collect();
    counter.finish();
    let mut ok = Vec::with_capacity(outcomes.len());
    let mut bad = Vec::new();
    for (entry, stamp, outcome, fresh) in outcomes {
        if fresh && let Some(stamp) = stamp {
            cache.put(cache_key(kind, &entry.id), stamp, outcome.clone());
        }
        match outcome {
            Ok(hash) => ok.push(CheckedFile { entry, hash }),
            Err(reason) => bad.push(Unreadable { id: entry.id, reason }),
        }
    }
    (ok, bad)
}

fn cache_key(kind: SourceKind, id: &str) -> String {
    format!("{}:{id}", kind.name())
}

fn check_file(path: &Path, kind: SourceKind) -> Outcome {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it ({e})"))?;
    decode::check(kind, &bytes)?;
    Ok(blake3::hash(&bytes).to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_stamp_follows_every_name_size_and_time_of_the_kind_in_every_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        for name in ["x.txt", "a/y.txt", "a/b/z.txt"] {
            std::fs::write(root.join(name), "text").unwrap();
        }
        let stamp = || listing_stamp(root, SourceKind::Text).unwrap();
        let first = stamp();
        assert_eq!(stamp(), first, "the same folder, the same stamp");
        std::fs::write(root.join("a/b/notes.md"), "not a text sample").unwrap();
        std::fs::create_dir(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/w.txt"), "hidden").unwrap();
        assert_eq!(stamp(), first, "other kinds and hidden folders do not count");
        let deep = std::fs::File::options().write(true).open(root.join("a/b/z.txt")).unwrap();
        deep.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000)).unwrap();
        let touched = stamp();
        assert_ne!(touched, first, "a file two folders down touched, its size the same");
        std::fs::rename(root.join("a/y.txt"), root.join("a/v.txt")).unwrap();
        let renamed = stamp();
        assert_ne!(renamed, touched, "a file renamed");
        std::fs::write(root.join("a/v.txt"), "longer text").unwrap();
        assert_ne!(stamp(), renamed, "a file resized");
        assert_ne!(listing_stamp(root, SourceKind::Images), None, "a folder without images has a stamp too");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("x.txt"), root.join("a/link.txt")).unwrap();
            assert_eq!(listing_stamp(root, SourceKind::Text), None, "a link leaves it to the full scan");
        }
    }
}
