//! A project directory: `kindling.toml`, `labels.db`, `runs/`, `.kindling/` caches.

pub mod class_history;
pub mod config;
pub mod config_edit;
pub mod info;
pub mod init;
pub mod keys;
pub mod labelling;
pub mod live_settings;
pub mod samples;

use std::path::{Path, PathBuf};

use crate::data::Source;
use crate::error::{Error, Result};
use crate::labels::store::{LABELS_FILE, LabelStore};
use config::Config;

pub struct Project {
    root: PathBuf,
    pub config: Config,
}

impl Project {
    pub fn open(dir: &Path) -> Result<Project> {
        let config = Config::load(dir)?;
        Ok(Project { root: dir.to_path_buf(), config })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".kindling").join("cache")
    }

    pub fn labels_path(&self) -> PathBuf {
        self.root.join(LABELS_FILE)
    }

    pub fn source(&self) -> Result<Source> {
        Source::open(&self.root, &self.config.source, Some(&self.cache_dir()))
    }

    pub fn labels(&self) -> Result<LabelStore> {
        LabelStore::open(&self.labels_path())
    }

    pub fn split_file(&self) -> Option<PathBuf> {
        self.config.source.split_file.as_ref().map(|f| self.root.join(f))
    }

    /// The content fingerprint of everything that defines the samples: the source, and the
    /// split file when there is one. With the label events it is the data version.
    pub fn data_fingerprint(&self, source: &Source) -> Result<String> {
        let mut h = blake3::Hasher::new();
        h.update(source.fingerprint()?.as_bytes());
        if let Some(path) = self.split_file() {
            let bytes = std::fs::read(&path).map_err(|e| Error::file(&path, format!("cannot read it ({e})")))?;
            h.update(&bytes);
        }
        Ok(h.finalize().to_hex().to_string())
    }
}

/// The data version as every command and pane shows it: `4aabebef459ee3d5-74`, the data
/// fingerprint's first 16 hex digits and the label events.
pub fn data_version(fingerprint: &str, label_events: u64) -> String {
    format!("{}-{label_events}", fingerprint.get(..16).unwrap_or(fingerprint))
}
