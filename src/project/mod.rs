//! A project directory: `kindling.toml`, `labels.db`, `runs/`, `.kindling/` caches.

pub mod boxes;
pub mod class_history;
pub mod config;
pub mod config_edit;
pub mod detector_settings;
pub mod info;
pub mod init;
pub mod keys;
pub mod labelling;
pub mod live_settings;
pub mod qa_settings;
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

    /// Leaves table column `column` out of the features (`[features] exclude`), saved to
    /// kindling.toml; a column the table does not have is refused with the ones it has.
    pub fn exclude_column(&mut self, column: &str) -> Result<()> {
        let Source::Table(t) = self.source()? else {
            return Err(Error::user("only table columns can be left out; this source is a folder"));
        };
        t.require_columns(&[column.to_string()], |gone| format!("exclude {gone}"))?;
        if !self.config.features.exclude.iter().any(|c| c == column) {
            self.config.features.exclude.push(column.to_string());
        }
        self.config.validate()?;
        self.config.save(&self.root)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    #[test]
    fn a_column_left_out_is_saved_and_a_wrong_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "code,length\nad,31\nge,40\n").unwrap();
        let opts = init::InitOptions {
            dir: dir.path().join("p"),
            source: dir.path().join("t.csv"),
            classes: Some(vec!["adelie".into(), "gentoo".into()]),
            ..Default::default()
        };
        let (mut project, _) = init::init(&opts, &Silent).unwrap();
        project.exclude_column("code").unwrap();
        project.exclude_column("code").unwrap();
        assert_eq!(Project::open(project.root()).unwrap().config.features.exclude, ["code"], "once, saved");
        let e = project.exclude_column("beak").unwrap_err();
        assert!(e.message().contains("no column \"beak\"") && e.message().contains("code, length"), "{}", e.message());
    }
}
