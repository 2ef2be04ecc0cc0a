//! A pre-trained network as the featurizer (`kindling train --encoder PATH.pt`, feature
//! `torch`): a TorchScript module mapping a batch of images `[N, 3, S, S]` (RGB scaled to
//! 0..1, then normalized with ImageNet's mean and deviation, as torchvision's models expect)
//! to vectors `[N, D]`. The vectors are standardized on the training images. The module's
//! bytes are kept in the run, so the run still works if the file moves.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::scaler::Scaler;
use super::{Matrix, image};
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
    width: usize,
    scaler: Scaler,
    module: Vec<u8>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder({}, {} values, {} bytes)", self.source.display(), self.width, self.module.len())
    }
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

impl Encoder {
    /// Loads the module at `path` and fits the standardization on the training images.
    pub fn fit(path: &Path, files: &[PathBuf], progress: &dyn Progress) -> Result<Encoder> {
        let module = std::fs::read(path).map_err(|e| Error::file(path, e))?;
        let mut e = Encoder { source: path.to_path_buf(), width: 0, scaler: Scaler::fit(&[], 0), module };
        let rows = e.raw(files, progress)?;
        e.width = rows.first().map_or(0, Vec::len);
        if e.width == 0 {
            return Err(Error::file(path, "gives no values for an image; it must map [N, 3, H, W] to [N, D]"));
        }
        e.scaler = Scaler::fit(&rows.concat(), e.width);
        Ok(e)
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn transform(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Matrix> {
        let mut data = self.raw(files, progress)?.concat();
        self.scaler.apply(&mut data);
        Ok(Matrix::dense(files.len(), self.width, data))
    }

    /// Standardized vectors of images in memory (augmented copies).
    pub fn features_of(&self, images: &[::image::RgbImage]) -> Result<Vec<Vec<f32>>> {
        let inputs: Vec<Vec<f32>> = images.iter().map(pixels).collect();
        let mut rows = self.session()?.run(&inputs)?;
        rows.iter_mut().for_each(|r| self.scaler.apply(r));
        Ok(rows)
    }

    /// Unstandardized vectors of image files, a batch at a time.
    fn raw(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Vec<Vec<f32>>> {
        let session = self.session()?;
        let counter = Counter::start(progress, "encoding images", files.len());
        let mut out = Vec::with_capacity(files.len());
        for batch in files.chunks(BATCH) {
            let inputs: Vec<Vec<f32>> =
                batch.iter().map(|f| Ok(pixels(&image::open(f)?.to_rgb8()))).collect::<Result<_>>()?;
            out.extend(session.run(&inputs)?);
            batch.iter().for_each(|_| counter.tick());
        }
        counter.finish();
        if let Some(bad) = out.iter().find(|r| r.len() != out[0].len()) {
            return Err(Error::file(
                &self.source,
                format!("gave vectors of {} and {} values", out[0].len(), bad.len()),
            ));
        }
        Ok(out)
    }

    /// The module, loaded once for a pass over many images.
    #[cfg(feature = "torch")]
    fn session(&self) -> Result<Session<'_>> {
        let device = tch::Device::cuda_if_available();
        let mut module = tch::CModule::load_data_on_device(&mut std::io::Cursor::new(&self.module), device)
            .map_err(|e| self.unusable(e))?;
        module.set_eval();
        Ok(Session { encoder: self, module, device })
    }

    #[cfg(not(feature = "torch"))]
    fn session(&self) -> Result<Session<'_>> {
        Err(Error::user(
            "a TorchScript encoder needs kindling built with `--features torch` (the README's \"GPU models\" section)",
        ))
    }

    #[cfg(feature = "torch")]
    fn unusable(&self, e: impl std::fmt::Display) -> Error {
        Error::file(&self.source, format!("cannot run as a TorchScript image encoder: {e}"))
    }
}

#[cfg(feature = "torch")]
struct Session<'a> {
    encoder: &'a Encoder,
    module: tch::CModule,
    device: tch::Device,
}

#[cfg(not(feature = "torch"))]
struct Session<'a>(std::marker::PhantomData<&'a ()>);

impl Session<'_> {
    /// The module's vectors for a batch of prepared images.
    #[cfg(feature = "torch")]
    fn run(&self, inputs: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        use tch::{Device, Kind, Tensor};
        let bad = |e: tch::TchError| self.encoder.unusable(e);
        let _no_grad = tch::no_grad_guard();
        let side = i64::from(SIZE);
        let x = Tensor::from_slice(&inputs.concat()).view([inputs.len() as i64, 3, side, side]).to_device(self.device);
        let y = self.module.forward_ts(&[x]).map_err(bad)?.to_kind(Kind::Float).flatten(1, -1).to_device(Device::Cpu);
        let width = y.size().get(1).copied().unwrap_or(0) as usize;
        let flat: Vec<f32> = Vec::<f32>::try_from(y.flatten(0, -1)).map_err(bad)?;
        Ok(flat.chunks(width.max(1)).map(<[f32]>::to_vec).collect())
    }

    #[cfg(not(feature = "torch"))]
    fn run(&self, _inputs: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        Err(Error::internal("no encoder session without the torch feature"))
    }
}

#[cfg(all(test, feature = "torch"))]
mod tests {
    use super::*;
    use crate::progress::Silent;

    /// A module giving each image's mean red, green and blue: saved by tracing.
    pub fn colour_means(path: &Path) {
        let example = tch::Tensor::zeros([1, 3, 4, 4], (tch::Kind::Float, tch::Device::Cpu));
        let module = tch::CModule::create_by_tracing("ColourMeans", "forward", &[example], &mut |x| {
            vec![x[0].mean_dim([2i64, 3].as_slice(), false, tch::Kind::Float)]
        })
        .unwrap();
        module.save(path).unwrap();
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
        let e = Encoder::fit(&pt, &files, &Silent).unwrap();
        assert_eq!(e.width(), 3);
        let x = e.transform(&files, &Silent).unwrap();
        // Red images have a high first value, blue ones a low one.
        assert!(x.row(0).get(0) > 0.0 && x.row(1).get(0) < 0.0 && x.row(2).get(0) > 0.0 && x.row(3).get(0) < 0.0);
        let bytes = postcard::to_allocvec(&e).unwrap();
        let back: Encoder = postcard::from_bytes(&bytes).unwrap();
        std::fs::remove_file(&pt).unwrap();
        assert_eq!(back.transform(&files, &Silent).unwrap(), x, "the run keeps the module's bytes");
        let junk = dir.path().join("junk.pt");
        std::fs::write(&junk, b"not a module").unwrap();
        let err = Encoder::fit(&junk, &files, &Silent).unwrap_err().to_string();
        assert!(err.contains("junk.pt") && err.contains("TorchScript"), "{err}");
    }
}
