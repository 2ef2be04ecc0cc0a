//! What turns a project's samples into vectors: one of the built-in featurizers, a
//! pre-trained encoder from a Hugging Face snapshot (`--encoder NAME|DIR`, every build), or a
//! TorchScript module (`--encoder PATH.pt`, feature `torch`).

use std::path::{Path, PathBuf};

use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::features::encoder::{self, Encoder};
use crate::features::pretrained::Pretrained;
use crate::features::{Featurizer, Inputs, Matrix, Method, Settings};
use crate::progress::Progress;

#[derive(Debug, Clone, PartialEq)]
pub enum Embedder {
    Features(Method),
    /// A TorchScript module over images or token ids; its vectors are standardized.
    Encoder(PathBuf),
    /// A known encoder's name or a snapshot folder; its own vectors, as the snapshot gives them.
    Pretrained(String),
}

impl Embedder {
    /// The embedder the command line asks for: `--encoder`, or `--features` (`auto` or a
    /// featurizer name) for data of `kind`. `auto` is the project's encoder (`[features]
    /// encoder`) when it names one.
    pub fn choose(features: &str, encoder: Option<&Path>, kind: SourceKind, settings: &Settings) -> Result<Embedder> {
        let project_encoder = settings.encoder.as_deref().filter(|_| features == "auto");
        let spec = match (encoder, project_encoder) {
            (Some(path), _) => path.to_path_buf(),
            (None, Some(name)) => PathBuf::from(name),
            (None, None) => return Method::choose(features, kind).map(Embedder::Features),
        };
        if features != "auto" {
            return Err(Error::user("--encoder is the featurizer: leave out --features"));
        }
        if !matches!(kind, SourceKind::Images | SourceKind::Text) {
            return Err(Error::user("--encoder takes image or text projects"));
        }
        if crate::features::pretrained::is_torchscript(&spec) {
            return Ok(Embedder::Encoder(spec));
        }
        Ok(Embedder::Pretrained(spec.to_string_lossy().into_owned()))
    }

    /// What `[live] features` means for the live model, the queue, the Map pane and similar
    /// samples: the featurizer it names, or for `auto` the project's encoder when it has one.
    pub fn live(config: &crate::project::config::Config) -> Result<Embedder> {
        Embedder::choose(&config.live.features, None, config.source.kind, &config.features)
    }

    /// Its name in cache files and messages: the featurizer's, or `encoder`.
    pub fn name(&self) -> &'static str {
        match self {
            Embedder::Features(m) => m.name(),
            Embedder::Encoder(_) | Embedder::Pretrained(_) => Method::Encoder.name(),
        }
    }

    /// What, beside the data, its vectors depend on: the featurizer settings, and for an
    /// encoder the content of the module (and of a text encoder's vocabulary), wherever it
    /// lies.
    /// A known encoder not on disk yet is fetched here, first, with `progress`.
    pub(super) fn identity(
        &self,
        settings: &Settings,
        kind: SourceKind,
        cache_file: &Path,
        progress: &dyn Progress,
    ) -> Result<String> {
        let settings = serde_json::to_string(settings).unwrap_or_default();
        match self {
            Embedder::Features(m) => Ok(format!("{}\n{settings}", m.name())),
            Embedder::Encoder(path) => {
                let content = encoder::content_hash(path, kind == SourceKind::Text, Some(cache_file))?;
                Ok(format!("encoder {content}\n{settings}"))
            }
            Embedder::Pretrained(spec) => {
                let dir = crate::encoders::catalog::locate(spec, true, progress)?;
                Ok(format!("pretrained {}", crate::encoders::content_hash(&dir)?))
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
            Embedder::Pretrained(spec) => {
                let encoder = Pretrained::open(spec, matches!(inputs, Inputs::Texts(_)), progress)?;
                let encoded = encoder.raw(inputs, progress)?;
                Ok(Matrix::dense(inputs.len(), encoder.width(), encoded.values))
            }
        }
    }

    /// The featurizer whose reading of files finds the ones it cannot read (an image
    /// encoder reads images as the pixel features do); a TorchScript encoder reads what the
    /// folder scan found readable.
    pub(super) fn reader(&self) -> Option<Method> {
        match self {
            Embedder::Features(m) => Some(*m),
            Embedder::Pretrained(_) => Some(Method::Pixels),
            Embedder::Encoder(_) => None,
        }
    }
}
