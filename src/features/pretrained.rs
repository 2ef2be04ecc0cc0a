//! A pre-trained encoder from a Hugging Face snapshot as the featurizer (`--encoder NAME`
//! or `--encoder DIR`, `[features] encoder`): runs in every build (`crate::encoders`).
//! The run records the encoder's name, folder and content hash, not its weights; `predict`
//! and `serve` load the same snapshot and refuse one whose content changed.
//!
//! Raw vectors are what the snapshot gives (pooled and normalized as it says): `embed`
//! writes them. Models get them standardized on the training samples.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::scaler::Scaler;
use super::{Inputs, Matrix, image};
use crate::encoders::vector_cache::{self, VectorCache};
use crate::encoders::{self, Input, Network, catalog};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Texts and images per batch: the vector cache grows a batch at a time, so a pass stopped
/// half way keeps what it did.
const BATCH: usize = 64;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pretrained {
    /// As the user named it: a known encoder or a folder.
    pub name: String,
    pub dir: PathBuf,
    /// The snapshot's content hash when the run was trained.
    pub content: String,
    pub input: Input,
    width: usize,
    pub(super) scaler: Scaler,
}

/// What a pass over samples made: the vectors, and how many texts were cut to the
/// encoder's longest input.
pub struct Encoded {
    /// Row after row, `width` values each.
    pub values: Vec<f32>,
    pub cut: usize,
    pub max_tokens: usize,
}

impl Pretrained {
    /// The encoder `spec` names (fetched when it is a known one not yet on disk), checked
    /// against the kind of samples.
    pub fn open(spec: &str, texts: bool, progress: &dyn Progress) -> Result<Pretrained> {
        let dir = catalog::locate(spec, true, progress)?;
        let network = encoders::load(&dir)?;
        let want = if texts { Input::Texts } else { Input::Images };
        if network.input() != want {
            return Err(Error::user(format!(
                "encoder {spec} encodes {}, and this project holds {}",
                network.input().name(),
                want.name()
            )));
        }
        Ok(Pretrained {
            name: spec.to_string(),
            content: encoders::content_hash(&dir)?,
            dir,
            input: network.input(),
            width: network.width(),
            scaler: Scaler::fit(&[], 0),
        })
    }

    /// Opens the encoder, encodes every sample once and standardizes on the `train` rows.
    pub fn fit_transform(
        spec: &str,
        inputs: &Inputs,
        train: &[usize],
        progress: &dyn Progress,
    ) -> Result<(Pretrained, Matrix)> {
        let mut p = Pretrained::open(spec, matches!(inputs, Inputs::Texts(_)), progress)?;
        let mut values = p.raw(inputs, progress)?.values;
        let w = p.width;
        let training: Vec<f32> = train.iter().flat_map(|&i| values[i * w..(i + 1) * w].iter().copied()).collect();
        p.scaler = Scaler::fit(&training, w);
        p.scaler.apply(&mut values);
        Ok((p, Matrix::dense(inputs.len(), w, values)))
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Standardized vectors, as the model was trained on.
    pub fn transform(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Matrix> {
        let mut values = self.raw(inputs, progress)?.values;
        self.scaler.apply(&mut values);
        Ok(Matrix::dense(inputs.len(), self.width, values))
    }

    /// The snapshot, refused when its content is no longer what the run was trained with.
    fn network(&self) -> Result<std::sync::Arc<Network>> {
        let now = encoders::content_hash(&self.dir)?;
        if now != self.content {
            return Err(Error::file(
                &self.dir,
                format!(
                    "holds encoder {} with content {now}, but this was made with content {}: put that snapshot back, \
                     or train again",
                    self.name, self.content
                ),
            ));
        }
        encoders::load(&self.dir)
    }

    /// The encoder's own vectors of every sample, from the vector cache where it has them.
    pub fn raw(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Encoded> {
        let network = self.network()?;
        let keys = match (inputs, self.input) {
            (Inputs::Texts(texts), Input::Texts) => texts.iter().map(|t| vector_cache::key_of_text(t)).collect(),
            (Inputs::Files(files), Input::Images) => {
                files.iter().map(|f| vector_cache::key_of_file(f)).collect::<Result<Vec<_>>>()?
            }
            _ => return Err(Error::user(format!("encoder {} encodes {} only", self.name, self.input.name()))),
        };
        let mut cache = VectorCache::open(&catalog::cache_root().join("vectors"), &self.content, self.width);
        let todo: Vec<usize> = (0..inputs.len()).filter(|&i| cache.get(&keys[i]).is_none()).collect();
        let what = format!("encoding {} with {}", self.input.name(), self.name);
        let mut cut = 0;
        let max_tokens = match network.as_ref() {
            Network::Text(t) => t.max_tokens,
            Network::Image(_) => 0,
        };
        if !todo.is_empty() {
            progress.stage(&what, Some(todo.len() as u64));
            for (done, batch) in todo.chunks(BATCH).enumerate() {
                let vectors = match (inputs, network.as_ref()) {
                    (Inputs::Texts(texts), Network::Text(t)) => {
                        let refs: Vec<&str> = batch.iter().map(|&i| texts[i].as_str()).collect();
                        let (v, c) = t.encode(&refs);
                        cut += c;
                        v
                    }
                    (Inputs::Files(files), Network::Image(encoder)) => {
                        use rayon::prelude::*;
                        let images = batch
                            .par_iter()
                            .map(|&i| image::open(&files[i]).map(|img| img.to_rgb8()))
                            .collect::<Result<Vec<_>>>()?;
                        encoder.encode(&images)
                    }
                    _ => return Err(Error::internal("encoder and samples of different kinds")),
                };
                let entries: Vec<_> = batch.iter().map(|&i| keys[i]).zip(vectors).collect();
                cache.append(&entries)?;
                progress.advance(((done * BATCH) + batch.len()) as u64);
            }
            progress.finish();
        }
        let mut data = Vec::with_capacity(inputs.len() * self.width);
        for key in &keys {
            data.extend_from_slice(
                cache.get(key).ok_or_else(|| Error::internal("a vector went missing from the cache"))?,
            );
        }
        Ok(Encoded { values: data, cut, max_tokens })
    }
}

/// Whether `spec` names a TorchScript module (a file) rather than a snapshot or known name.
pub fn is_torchscript(spec: &std::path::Path) -> bool {
    spec.is_file()
}
