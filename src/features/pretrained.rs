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

    /// The name as a person reads it: a known encoder's, or a snapshot folder's last part.
    pub fn short_name(&self) -> String {
        std::path::Path::new(&self.name).file_name().map_or(self.name.clone(), |n| n.to_string_lossy().into_owned())
    }

    /// Standardized vectors, as the model was trained on. New inputs (`predict`, `serve`)
    /// are looked up in the vector cache but not added to it: served traffic would grow it
    /// without end.
    pub fn transform(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Matrix> {
        let mut values = self.encode(inputs, false, progress)?.values;
        self.scaler.apply(&mut values);
        Ok(Matrix::dense(inputs.len(), self.width, values))
    }

    /// Standardized vectors of images in memory (augmented copies), not cached.
    pub fn features_of(&self, images: &[::image::RgbImage]) -> Result<Vec<Vec<f32>>> {
        let network = self.network()?;
        let Network::Image(encoder) = network.as_ref() else {
            return Err(Error::internal("a text encoder got images"));
        };
        let mut rows = encoder.encode(images);
        rows.iter_mut().for_each(|r| self.scaler.apply(r));
        Ok(rows)
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

    /// The encoder's own vectors of every sample, from the vector cache where it has them;
    /// the others are encoded and kept there.
    pub fn raw(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Encoded> {
        self.encode(inputs, true, progress)
    }

    fn encode(&self, inputs: &Inputs, keep: bool, progress: &dyn Progress) -> Result<Encoded> {
        let network = self.network()?;
        let keys = match (inputs, self.input) {
            (Inputs::Texts(texts), Input::Texts) => texts.iter().map(|t| vector_cache::key_of_text(t)).collect(),
            (Inputs::Files(files), Input::Images) => {
                files.iter().map(|f| vector_cache::key_of_file(f)).collect::<Result<Vec<_>>>()?
            }
            _ => return Err(Error::user(format!("encoder {} encodes {} only", self.name, self.input.name()))),
        };
        let cache = shared_cache(&self.content, self.width);
        let lock = || cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<Option<Vec<f32>>> = {
            let c = lock();
            keys.iter().map(|k| c.get(k).map(<[f32]>::to_vec)).collect()
        };
        let todo: Vec<usize> = (0..inputs.len()).filter(|&i| found[i].is_none()).collect();
        let what = format!("encoding {} with {}", self.input.name(), self.short_name());
        let mut cut = 0;
        let max_tokens = match network.as_ref() {
            Network::Text(t) => t.max_tokens,
            Network::Image(_) => 0,
        };
        let cached = inputs.len() - todo.len();
        if cached > 0 && !todo.is_empty() {
            // An earlier pass that stopped part-way (Ctrl-C) is resumed, not redone.
            progress.note(&format!(
                "{cached} of {} {} already encoded (the vector cache); encoding the other {}",
                inputs.len(),
                self.input.name(),
                todo.len()
            ));
        }
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
                if keep {
                    let entries: Vec<_> = batch.iter().map(|&i| keys[i]).zip(vectors.iter().cloned()).collect();
                    lock().append(&entries)?;
                }
                batch.iter().zip(vectors).for_each(|(&i, v)| found[i] = Some(v));
                progress.advance(((done * BATCH) + batch.len()) as u64);
            }
            progress.finish();
        }
        if cut > 0 {
            // Said once: texts read from the cache are not counted again.
            progress.note(&format!(
                "{cut} text(s) longer than {max_tokens} tokens: their first {max_tokens} were encoded (the encoder's \
                 limit)"
            ));
        }
        let data: Vec<f32> = found.into_iter().flatten().flatten().collect();
        if data.len() != inputs.len() * self.width {
            return Err(Error::internal("the encoder gave vectors of another width"));
        }
        Ok(Encoded { values: data, cut, max_tokens })
    }
}

/// The vector cache of the encoder with content hash `content`, read once per process and
/// read again only when another process wrote to it (a `serve` answering requests does not
/// read the whole file for each).
fn shared_cache(content: &str, width: usize) -> std::sync::Arc<std::sync::Mutex<VectorCache>> {
    use std::sync::{Arc, Mutex};
    static OPEN: Mutex<Vec<(String, Arc<Mutex<VectorCache>>)>> = Mutex::new(Vec::new());
    let dir = catalog::cache_root().join("vectors");
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = |c: &Arc<Mutex<VectorCache>>| !c.lock().unwrap_or_else(|e| e.into_inner()).stale();
    if let Some((_, c)) = open.iter().find(|(k, c)| k == content && fresh(c)) {
        return c.clone();
    }
    open.retain(|(k, _)| k != content);
    let cache = Arc::new(Mutex::new(VectorCache::open(&dir, content, width)));
    open.push((content.to_string(), cache.clone()));
    cache
}

/// Whether `spec` names a TorchScript module (a file) rather than a snapshot or known name.
pub fn is_torchscript(spec: &std::path::Path) -> bool {
    spec.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoders::tiny;
    use crate::progress::Silent;

    #[test]
    fn raw_vectors_are_the_encoders_own_cached_per_sample_and_a_changed_snapshot_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("mini");
        tiny::write_sentence_bert(&snapshot, 11, 16).unwrap();
        let spec = snapshot.to_string_lossy().into_owned();
        let texts = Inputs::Texts(vec!["the cat sat".into(), "a dog".into(), "the mat".into(), "c b a".into()]);
        let p = Pretrained::open(&spec, true, &Silent).unwrap();
        let raw = p.raw(&texts, &Silent).unwrap().values;
        let network = encoders::load(&snapshot).unwrap();
        let Network::Text(t) = network.as_ref() else { panic!("a text encoder") };
        let direct: Vec<f32> = t.encode(&["the cat sat", "a dog", "the mat", "c b a"]).0.concat();
        assert_eq!(raw, direct, "embed gives the encoder's own vectors");
        let norms: Vec<f32> = raw.chunks(p.width()).map(|r| r.iter().map(|v| v * v).sum::<f32>().sqrt()).collect();
        assert!(norms.iter().all(|n| (n - 1.0).abs() < 1e-5), "normalized as modules.json says: {norms:?}");
        let cache = VectorCache::open(&catalog::cache_root().join("vectors"), &p.content, p.width());
        assert!(cache.get(&vector_cache::key_of_text("a dog")).is_some(), "kept per sample");

        let (fitted, x) = Pretrained::fit_transform(&spec, &texts, &[0, 1, 2], &Silent).unwrap();
        let column: Vec<f32> = (0..3).map(|i| x.row(i).get(0)).collect();
        assert!(column.iter().sum::<f32>().abs() < 1e-4, "standardized on the training rows: {column:?}");
        let saved: Pretrained = postcard::from_bytes(&postcard::to_allocvec(&fitted).unwrap()).unwrap();
        assert_eq!(saved.transform(&texts, &Silent).unwrap(), x, "a saved run gives the same rows");
        saved.transform(&Inputs::Texts(vec!["a cat on the mat".into()]), &Silent).unwrap();
        let cache = VectorCache::open(&catalog::cache_root().join("vectors"), &p.content, p.width());
        assert!(cache.get(&vector_cache::key_of_text("a cat on the mat")).is_none(), "new inputs are not kept");

        std::thread::sleep(std::time::Duration::from_millis(20));
        tiny::write_sentence_bert(&snapshot, 12, 16).unwrap();
        let e = saved.transform(&texts, &Silent).unwrap_err().to_string();
        assert!(e.contains("mini") && e.contains("train again"), "{e}");
        let images = Inputs::Files(vec![dir.path().join("x.png")]);
        let e = Pretrained::fit_transform(&spec, &images, &[0], &Silent).unwrap_err().to_string();
        assert!(e.contains("encodes texts") && e.contains("images"), "{e}");
    }
}
