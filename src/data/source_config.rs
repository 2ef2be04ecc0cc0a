//! `[source]` in kindling.toml: what kind of samples a project holds and where they are.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Table,
    Images,
    Text,
    Audio,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Table => "table",
            SourceKind::Images => "images",
            SourceKind::Text => "text",
            SourceKind::Audio => "audio",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    /// A file (table, or a table holding texts) or a folder (images, texts, audio); relative
    /// paths are relative to the project directory.
    pub path: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_column: Option<String>,
    /// CSV of `id,split`, relative to the project directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_file: Option<PathBuf>,
    /// Class sub-folders hold the labels (the folder right above each file).
    #[serde(default, skip_serializing_if = "is_false")]
    pub labels_from_folders: bool,
    /// A top folder named train / valid / test fixes each file's split.
    #[serde(default, skip_serializing_if = "is_false")]
    pub split_from_folders: bool,
}

impl SourceConfig {
    /// A source of `kind` at `path` with no optional columns or files.
    pub fn new(kind: SourceKind, path: impl Into<PathBuf>) -> SourceConfig {
        SourceConfig {
            kind,
            path: path.into(),
            id_column: None,
            label_column: None,
            text_column: None,
            split_column: None,
            split_file: None,
            labels_from_folders: false,
            split_from_folders: false,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
