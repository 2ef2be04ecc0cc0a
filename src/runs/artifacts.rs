//! The fitted featurizer and model of a run, stored as compact binary (postcard).

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub const FEATURIZER_FILE: &str = "featurizer.bin";
pub const MODEL_FILE: &str = "model.bin";

pub fn save<T: Serialize>(value: &T, path: &Path) -> Result<()> {
    let bytes = postcard::to_stdvec(value).map_err(|e| Error::internal(format!("{}: {e}", path.display())))?;
    std::fs::write(path, bytes).map_err(|e| Error::file(path, e))
}

/// A run file as pretty JSON, written whole (a reader never sees half of it).
pub fn save_json<T: Serialize>(value: &T, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))?;
    crate::atomic::write_whole(path, (text + "\n").as_bytes())
}

pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, e))?;
    postcard::from_bytes(&bytes).map_err(|e| {
        Error::file(path, format!("cannot be read ({e}); it was written by another Kindling version or is damaged"))
    })
}
