//! What turns a project's samples into vectors: one of the built-in featurizers, or a
//! pre-trained TorchScript encoder (`--encoder PATH.pt`, feature `torch`).

use std::path::{Path, PathBuf};

use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::features::encoder::{self, Encoder};
use crate::features::{Featurizer, Inputs, Matrix, Method, Settings};
use crate::progress::Progress;

#[derive(Debug, Clone, PartialEq)]
pub enum Embedder {
    Features(Method),
    /// A TorchScript module over images or token ids; its vectors are standardized.
    Encoder(PathBuf),
}

impl Embedder {
    /// The embedder the command line asks for: `--encoder`, or `--features` (`auto` or a
    /// featurizer name) for data of `kind`.
    pub fn choose(features: &str, encoder: Option<&Path>, kind: SourceKind) -> Result<Embedder> {
        let Some(path) = encoder else { return Method::choose(features, kind).map(Embedder::Features) };
        if features != "auto" {
            return Err(Error::user("--encoder is the featurizer: leave out --features"));
        }
        if !matches!(kind, SourceKind::Images | SourceKind::Text) {
            return Err(Error::user(
                "--encoder takes image or text projects (a TorchScript module over images or token ids)",
            ));
        }
        Ok(Embedder::Encoder(path.to_path_buf()))
    }

    /// Its name in cache files and messages: the featurizer's, or `encoder`.
    pub fn name(&self) -> &'static str {
        match self {
            Embedder::Features(m) => m.name(),
            Embedder::Encoder(_) => Method::Encoder.name(),
        }
    }

    /// What, beside the data, its vectors depend on: the featurizer settings, and for an
    /// encoder the content of the module (and of a text encoder's vocabulary), wherever it
    /// lies.
    pub(super) fn identity(&self, settings: &Settings, kind: SourceKind, cache_file: &Path) -> Result<String> {
        let settings = serde_json::to_string(settings).unwrap_or_default();
        match self {
            Embedder::Features(m) => Ok(format!("{}\n{settings}", m.name())),
            Embedder::Encoder(path) => {
                let content = encoder::content_hash(path, kind == SourceKind::Text, Some(cache_file))?;
                Ok(format!("encoder {content}\n{settings}"))
            }
        }
    }

    /// The vectors of every sample of `inputs`.
    pub(super) fn fit_transform(
        &self,
        settings: &Settings,
        inputs: &Inputs,
        progress: &dyn Progress,
    ) -> Result<Matrix> {
        match self {
            Embedder::Features(method) => {
                Featurizer::fit(*method, settings, inputs, progress)?.transform(inputs, progress)
            }
            Embedder::Encoder(path) => {
                let every: Vec<usize> = (0..inputs.len()).collect();
                Ok(Encoder::fit_transform(path, inputs, &every, settings.max_tokens, progress)?.1)
            }
        }
    }

    /// The featurizer, for finding the files it cannot read; an encoder reads what the
    /// folder scan found readable.
    pub(super) fn method(&self) -> Option<Method> {
        match self {
            Embedder::Features(m) => Some(*m),
            Embedder::Encoder(_) => None,
        }
    }
}
