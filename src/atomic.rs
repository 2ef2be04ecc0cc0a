//! Files written whole: to a temporary name of this process's own beside the file, then
//! renamed over it, so that a reader — or a crash, or SIGKILL — never sees half a file, and
//! two processes writing at once do not write into one temporary file.

use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` (making its folder) through a temporary file and a rename.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::file(parent, e))?;
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::file(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::file(path, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/state.json");
        super::write_whole(&path, b"one").unwrap();
        super::write_whole(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
