//! A pre-trained network as the featurizer (`kindling train --encoder PATH.pt`, feature
//! `torch`): a TorchScript module mapping a batch of samples to vectors `[N, D]`.
//! - Images go in as `[N, 3, S, S]` floats: RGB scaled to 0..1, then normalized with
//!   ImageNet's mean and deviation, as torchvision's models expect.
//! - Texts go in as token ids `[N, L]` (int64, padded with the vocabulary's `[PAD]` id), cut
//!   into WordPiece tokens with the vocabulary found beside the module.
//!
//! The vectors are standardized on the training samples. The module's bytes (and the
//! vocabulary) are kept in the run, so the run still works if the files move.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::scaler::Scaler;
use super::wordpiece::{Tokenizer, Vocabulary};
use super::{Inputs, Matrix, image};
use crate::error::{Error, Result};
use crate::progress::{Counter, Progress};

/// Images are resized to this many pixels a side for the encoder.
pub const SIZE: u32 = 224;
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];
const BATCH: usize = 32;

#[derive(Clone, Serialize, Deserialize)]
pub struct Encoder {
    /// Where it came from (for the record).
    pub source: PathBuf,
    /// A text encoder's vocabulary; `None` for an image encoder.
    vocabulary: Option<Vocabulary>,
    /// A text's token ids are cut to this many.
    max_tokens: usize,
    width: usize,
    pub(super) scaler: Scaler,
    module: Vec<u8>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder({}, {} values, {} bytes)", self.source.display(), self.width, self.module.len())
    }
}

/// A batch as the module takes it (without the `torch` feature nothing reads it).
#[cfg_attr(not(feature = "torch"), allow(dead_code))]
enum Batch {
    /// Prepared images, `3 × SIZE × SIZE` values each.
    Pixels(Vec<Vec<f32>>),
    /// Token ids, row after row, and the row length.
    Tokens(Vec<i64>, usize),
}

/// One image as the encoder's input: RGB, `SIZE` a side, normalized, channels first.
fn pixels(img: &::image::RgbImage) -> Vec<f32> {
    let small = ::image::imageops::resize(img, SIZE, SIZE, ::image::imageops::FilterType::Triangle);
    let plane = (SIZE * SIZE) as usize;
    let mut out = vec![0.0f32; 3 * plane];
    for (i, p) in small.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = (f32::from(p.0[c]) / 255.0 - MEAN[c]) / STD[c];
        }
    }
    out
}

/// The vocabulary of a text encoder: `NAME.vocab.txt` or `vocab.txt` beside `NAME.pt`.
fn vocabulary_beside(module: &Path) -> Result<Vocabulary> {
    Vocabulary::read(&vocabulary_path(module)?)
}

fn vocabulary_path(module: &Path) -> Result<PathBuf> {
    let dir = module.parent().unwrap_or(Path::new("."));
    let stem = module.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let own = dir.join(format!("{stem}.vocab.txt"));
    let shared = dir.join("vocab.txt");
    match [&own, &shared].into_iter().find(|p| p.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(Error::file(
            module,
            format!(
                "a text encoder needs its WordPiece vocabulary beside it, as {} or {} (one token per line, as the \
                 tokenizer's save_vocabulary writes it)",
                own.display(),
                shared.display()
            ),
        )),
    }
}

/// A hash of the module at `path` and, for a text encoder, of its vocabulary: what the
/// vectors it makes depend on, wherever the files lie. Each file's hash is remembered in
/// the file cache `cache_file` by its size and modification time: a module of hundreds of
/// megabytes is read once, not at every `similar`.
pub fn content_hash(path: &Path, texts: bool, cache_file: Option<&Path>) -> Result<String> {
    let module = crate::data::file_cache::content_hash(cache_file, "encoder", path)?;
    if !texts {
        return Ok(module);
    }
    let vocabulary = crate::data::file_cache::content_hash(cache_file, "vocabulary", &vocabulary_path(path)?)?;
    Ok(format!("{module} {vocabulary}"))
}

impl Encoder {
    /// Loads the module at `path`, encodes every sample of `inputs` (image files or texts)
    /// once, and fits the standardization on the rows of `train`: the encoder and the
    /// standardized rows of all samples.
    pub fn fit_transform(
        path: &Path,
        inputs: &Inputs,
        train: &[usize],
        max_tokens: usize,
        progress: &dyn Progress,
    ) -> Result<(Encoder, Matrix)> {
        let module = std::fs::read(path).map_err(|e| Error::file(path, e))?;
        let vocabulary = match inputs {
            Inputs::Texts(_) => Some(vocabulary_beside(path)?),
            Inputs::Files(_) => None,
            Inputs::Table(_) => return Err(Error::user("--encoder takes image or text projects")),
        };
        let scaler = Scaler::fit(&[], 0);
        let mut e = Encoder { source: path.to_path_buf(), vocabulary, max_tokens, width: 0, scaler, module };
        let rows = e.raw(inputs, progress)?;
        e.width = rows.first().map_or(0, Vec::len);
        if e.width == 0 {
            let takes = if e.vocabulary.is_some() { "token ids [N, L]" } else { "images [N, 3, H, W]" };
            return Err(Error::file(path, format!("gives no values for a sample; it must map {takes} to [N, D]")));
        }
        let training: Vec<f32> = train.iter().flat_map(|&i| rows[i].iter().copied()).collect();
        e.scaler = Scaler::fit(&training, e.width);
        let mut data = rows.concat();
        e.scaler.apply(&mut data);
        let x = Matrix::dense(inputs.len(), e.width, data);
        Ok((e, x))
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn transform(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Matrix> {
        let mut data = self.raw(inputs, progress)?.concat();
        self.scaler.apply(&mut data);
        Ok(Matrix::dense(inputs.len(), self.width, data))
    }

    /// Unstandardized vectors of image files or texts, a batch at a time.
    fn raw(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Vec<Vec<f32>>> {
        let session = self.session()?;
        let mut out = Vec::with_capacity(inputs.len());
        match (inputs, &self.vocabulary) {
            (Inputs::Files(files), None) => {
                let counter = Counter::start(progress, "encoding images", files.len());
                for batch in files.chunks(BATCH) {
                    let images = batch.iter().map(|f| Ok(pixels(&image::open(f)?.to_rgb8())));
                    out.extend(session.run(Batch::Pixels(images.collect::<Result<_>>()?))?);
                    batch.iter().for_each(|_| counter.tick());
                }
                counter.finish();
            }
            (Inputs::Texts(texts), Some(vocabulary)) => {
                let tokenizer = Tokenizer::new(vocabulary);
                let counter = Counter::start(progress, "encoding texts", texts.len());
                for batch in texts.chunks(BATCH) {
                    let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
                    let (ids, len) = tokenizer.batch(&refs, self.max_tokens);
                    out.extend(session.run(Batch::Tokens(ids, len))?);
                    batch.iter().for_each(|_| counter.tick());
                }
                counter.finish();
            }
            _ => {
                let was = if self.vocabulary.is_some() { "texts" } else { "images" };
                return Err(Error::user(format!("{} encodes {was} only", self.source.display())));
            }
        }
        if let Some(bad) = out.iter().find(|r| r.len() != out[0].len()) {
            return Err(Error::file(
                &self.source,
                format!("gave vectors of {} and {} values", out[0].len(), bad.len()),
            ));
        }
        Ok(out)
    }

    /// The module, loaded once for a pass over many samples (it can be used from several
    /// threads at once).
    #[cfg(feature = "torch")]
    pub fn session(&self) -> Result<Session<'_>> {
        let device = tch::Device::cuda_if_available();
        let mut module = tch::CModule::load_data_on_device(&mut std::io::Cursor::new(&self.module), device)
            .map_err(|e| self.unusable(e))?;
        module.set_eval();
        Ok(Session { encoder: self, module, device })
    }

    #[cfg(not(feature = "torch"))]
    pub fn session(&self) -> Result<Session<'_>> {
        Err(Error::user(
            "a TorchScript encoder needs kindling built with `--features torch` (docs/commands.md, \"GPU models\")",
        ))
    }

    #[cfg(feature = "torch")]
    fn unusable(&self, e: impl std::fmt::Display) -> Error {
        let what = if self.vocabulary.is_some() { "text" } else { "image" };
        Error::file(&self.source, format!("cannot run as a TorchScript {what} encoder: {e}"))
    }
}

/// The module loaded for a pass over many samples (its device and module only with the
/// `torch` feature; without it no session is made).
pub struct Session<'a> {
    encoder: &'a Encoder,
    #[cfg(feature = "torch")]
    module: tch::CModule,
    #[cfg(feature = "torch")]
    device: tch::Device,
}

impl Session<'_> {
    /// Standardized vectors of images in memory (augmented copies).
    pub fn features_of(&self, images: &[::image::RgbImage]) -> Result<Vec<Vec<f32>>> {
        let mut rows = self.run(Batch::Pixels(images.iter().map(pixels).collect()))?;
        rows.iter_mut().for_each(|r| self.encoder.scaler.apply(r));
        Ok(rows)
    }

    /// The module's vectors for a batch.
    #[cfg(feature = "torch")]
    fn run(&self, batch: Batch) -> Result<Vec<Vec<f32>>> {
        use tch::{Device, Kind, Tensor};
        let bad = |e: tch::TchError| self.encoder.unusable(e);
        let _no_grad = tch::no_grad_guard();
        let x = match batch {
            Batch::Pixels(images) => {
                let side = i64::from(SIZE);
                Tensor::from_slice(&images.concat()).view([images.len() as i64, 3, side, side])
            }
            Batch::Tokens(ids, len) => Tensor::from_slice(&ids).view([-1, len as i64]),
        };
        let y = self.module.forward_ts(&[x.to_device(self.device)]).map_err(bad)?;
        let y = y.to_kind(Kind::Float).flatten(1, -1).to_device(Device::Cpu);
        let width = y.size().get(1).copied().unwrap_or(0) as usize;
        let flat: Vec<f32> = Vec::<f32>::try_from(y.flatten(0, -1)).map_err(bad)?;
        Ok(flat.chunks(width.max(1)).map(<[f32]>::to_vec).collect())
    }

    #[cfg(not(feature = "torch"))]
    fn run(&self, _batch: Batch) -> Result<Vec<Vec<f32>>> {
        Err(Error::internal("no encoder session without the torch feature"))
    }
}

#[cfg(all(test, feature = "torch"))]
mod tests {
    use super::*;
    use crate::progress::Silent;

    /// Saves `forward` as a TorchScript module at `path`, traced on `example`.
    fn save_traced(path: &Path, example: tch::Tensor, forward: impl Fn(&tch::Tensor) -> tch::Tensor) {
        let module =
            tch::CModule::create_by_tracing("Traced", "forward", &[example], &mut |x| vec![forward(&x[0])]).unwrap();
        module.save(path).unwrap();
    }

    /// A module giving each image's mean red, green and blue.
    fn colour_means(path: &Path) {
        let example = tch::Tensor::zeros([1, 3, 4, 4], (tch::Kind::Float, tch::Device::Cpu));
        save_traced(path, example, |x| x.mean_dim([2i64, 3].as_slice(), false, tch::Kind::Float));
    }

    #[test]
    fn an_encoder_turns_images_into_its_vectors_standardized() {
        let dir = tempfile::tempdir().unwrap();
        let pt = dir.path().join("means.pt");
        colour_means(&pt);
        let mut files = Vec::new();
        for (i, colour) in [[250u8, 0, 0], [0, 0, 250], [200, 20, 20], [10, 10, 240]].iter().enumerate() {
            let path = dir.path().join(format!("{i}.png"));
            ::image::RgbImage::from_pixel(8, 8, ::image::Rgb(*colour)).save(&path).unwrap();
            files.push(path);
        }
        let images = Inputs::Files(files.clone());
        let (e, x) = Encoder::fit_transform(&pt, &images, &[0, 1, 2, 3], 128, &Silent).unwrap();
        assert_eq!(e.width(), 3);
        assert_eq!(e.transform(&images, &Silent).unwrap(), x, "encoding again gives the same rows");
        // Red images have a high first value, blue ones a low one.
        assert!(x.row(0).get(0) > 0.0 && x.row(1).get(0) < 0.0 && x.row(2).get(0) > 0.0 && x.row(3).get(0) < 0.0);
        let (_, part) = Encoder::fit_transform(&pt, &images, &[0, 1], 128, &Silent).unwrap();
        assert!((part.row(0).get(0) + part.row(1).get(0)).abs() < 1e-4, "standardized on the training rows only");
        assert!(part.row(2).get(0) != x.row(2).get(0));
        let bytes = postcard::to_allocvec(&e).unwrap();
        let back: Encoder = postcard::from_bytes(&bytes).unwrap();
        std::fs::remove_file(&pt).unwrap();
        assert_eq!(back.transform(&images, &Silent).unwrap(), x, "the run keeps the module's bytes");
        let junk = dir.path().join("junk.pt");
        std::fs::write(&junk, b"not a module").unwrap();
        let err = Encoder::fit_transform(&junk, &images, &[0], 128, &Silent).unwrap_err().to_string();
        assert!(err.contains("junk.pt") && err.contains("TorchScript"), "{err}");
    }

    /// A module counting, per text, the tokens of ids 4 and 5 and the real (unpadded) ones.
    fn token_counts(path: &Path) {
        let example = tch::Tensor::from_slice(&[2i64, 4, 3, 0]).view([1, 4]);
        save_traced(path, example, |x| {
            let count = |t: tch::Tensor| t.to_kind(tch::Kind::Float).sum_dim_intlist(1, true, tch::Kind::Float);
            tch::Tensor::cat(&[count(x.eq(4)), count(x.eq(5)), count(x.ne(0))], 1)
        });
    }

    #[test]
    fn a_text_encoder_gets_wordpiece_ids_from_the_vocabulary_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let pt = dir.path().join("counts.pt");
        token_counts(&pt);
        let texts = Inputs::Texts(vec!["good good".into(), "bad".into(), "Good, bad bad".into(), "".into()]);
        let all = [0, 1, 2, 3];
        let err = Encoder::fit_transform(&pt, &texts, &all, 128, &Silent).unwrap_err().to_string();
        assert!(err.contains("counts.vocab.txt") && err.contains("vocab.txt"), "{err}");
        std::fs::write(dir.path().join("counts.vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\ngood\nbad\n,\n").unwrap();
        let (e, x) = Encoder::fit_transform(&pt, &texts, &all, 128, &Silent).unwrap();
        assert_eq!(e.width(), 3);
        // Standardized counts: the first text has the most "good", the third the most
        // "bad" and the most tokens ([CLS] good , bad bad [SEP]), the empty one the fewest.
        let column = |j: usize| (0..4).map(|i| x.row(i).get(j)).collect::<Vec<f32>>();
        let top = |v: Vec<f32>| (0..4).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        assert_eq!(top(column(0)), 0);
        assert_eq!(top(column(1)), 2);
        assert_eq!(top(column(2)), 2);
        assert!(column(2)[3] < column(2)[1], "the empty text has only [CLS] [SEP]");
        let (short, _) = Encoder::fit_transform(&pt, &texts, &all, 3, &Silent).unwrap();
        let raw = short.raw(&texts, &Silent).unwrap();
        assert_eq!(raw[2], vec![1.0, 0.0, 3.0], "cut to 3 ids: [CLS] good [SEP]");
        let images = Inputs::Files(vec![dir.path().join("a.png")]);
        let err = e.transform(&images, &Silent).unwrap_err().to_string();
        assert!(err.contains("encodes texts only"), "{err}");
    }
}
