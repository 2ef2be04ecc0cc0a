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
use crate::error::Result;
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
}
