//! Featurizers: turn samples into rows of numbers. Each is fitted on the training split
//! only, saved with the run, and applied unchanged to new data by `kindling predict`.

pub mod audio;
pub mod encoder;
pub mod image;
mod matrix;
pub mod pretrained;
mod scaler;
mod settings;
pub mod table;
pub mod tfidf;
pub use crate::encoders::wordpiece;

use std::path::PathBuf;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::progress::Progress;
pub use matrix::{Matrix, Row};
pub use scaler::Scaler;
pub use settings::{Colour, Settings};
pub use table::TableColumns;

/// What `--features` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Table columns: standardized numbers, one-hot categories, imputed gaps.
    Table,
    /// Word unigrams and bigrams, TF-IDF weighted.
    Tfidf,
    /// Resized pixels (grey or RGB).
    Pixels,
    /// Histograms of oriented gradients.
    Hog,
    /// Log-mel spectrogram statistics.
    Logmel,
    /// MFCC statistics.
    Mfcc,
    /// A pre-trained TorchScript network's vectors (`--encoder PATH.pt`).
    Encoder,
}

impl Method {
    pub const ALL: [Method; 6] =
        [Method::Table, Method::Tfidf, Method::Pixels, Method::Hog, Method::Logmel, Method::Mfcc];

    pub fn name(self) -> &'static str {
        match self {
            Method::Table => "table",
            Method::Tfidf => "tfidf",
            Method::Pixels => "pixels",
            Method::Hog => "hog",
            Method::Logmel => "logmel",
            Method::Mfcc => "mfcc",
            Method::Encoder => "encoder",
        }
    }

    /// The method `auto` picks for a kind of data.
    pub fn auto(kind: SourceKind) -> Method {
        match kind {
            SourceKind::Table => Method::Table,
            SourceKind::Text => Method::Tfidf,
            SourceKind::Images => Method::Pixels,
            SourceKind::Audio => Method::Logmel,
        }
    }

    fn kind(self) -> SourceKind {
        match self {
            Method::Table => SourceKind::Table,
            Method::Tfidf => SourceKind::Text,
            Method::Pixels | Method::Hog => SourceKind::Images,
            // Chosen by --encoder, for images or texts, never by name.
            Method::Encoder => SourceKind::Images,
            Method::Logmel | Method::Mfcc => SourceKind::Audio,
        }
    }

    /// `auto` or a method name, checked against the kind of data.
    pub fn choose(name: &str, kind: SourceKind) -> Result<Method> {
        if name == "auto" {
            return Ok(Method::auto(kind));
        }
        if name == "encoder" {
            return Err(Error::user("the encoder features come with --encoder PATH.pt (a TorchScript module)"));
        }
        let fitting: Vec<&str> = Method::ALL.iter().filter(|m| m.kind() == kind).map(|m| m.name()).collect();
        let method = Method::ALL.into_iter().find(|m| m.name() == name);
        match method {
            Some(m) if m.kind() == kind => Ok(m),
            _ => Err(Error::user(format!(
                "features '{name}' do not fit {} data; choose auto or {}",
                kind.name(),
                fitting.join(", ")
            ))),
        }
    }
}

/// The samples to featurize, of one kind.
#[derive(Debug, Clone)]
pub enum Inputs {
    /// The feature columns of a table.
    Table(DataFrame),
    Texts(Vec<String>),
    /// Image or audio files.
    Files(Vec<PathBuf>),
}

impl Inputs {
    pub fn len(&self) -> usize {
        match self {
            Inputs::Table(df) => df.height(),
            Inputs::Texts(t) => t.len(),
            Inputs::Files(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Files of a folder source: texts read (lossily, as UTF-8), images and clips by path.
    pub fn from_files(kind: SourceKind, paths: Vec<PathBuf>) -> Result<Inputs> {
        if kind != SourceKind::Text {
            return Ok(Inputs::Files(paths));
        }
        let read = |p: &PathBuf| std::fs::read(p).map_err(|e| Error::file(p, e));
        let texts = paths.iter().map(|p| Ok(String::from_utf8_lossy(&read(p)?).into_owned()));
        Ok(Inputs::Texts(texts.collect::<Result<_>>()?))
    }

    /// The samples at `picks`, in that order.
    pub fn select(&self, picks: &[usize]) -> Result<Inputs> {
        Ok(match self {
            Inputs::Table(df) => {
                let idx = polars::prelude::IdxCa::from_vec("".into(), picks.iter().map(|&i| i as _).collect());
                Inputs::Table(df.take(&idx)?)
            }
            Inputs::Texts(t) => Inputs::Texts(picks.iter().map(|&i| t[i].clone()).collect()),
            Inputs::Files(f) => Inputs::Files(picks.iter().map(|&i| f[i].clone()).collect()),
        })
    }
}

/// The samples among `files` that `method` cannot read, each with why (a damaged image, a
/// clip that is not WAV): the live model leaves them out rather than failing on them.
pub fn unreadable(method: Method, files: &[std::path::PathBuf]) -> Vec<(usize, Error)> {
    use rayon::prelude::*;
    let check = |path: &std::path::PathBuf| match method {
        Method::Pixels | Method::Hog => self::image::open(path).err(),
        Method::Logmel | Method::Mfcc => self::audio::read_mono(path).err(),
        _ => None,
    };
    files.par_iter().enumerate().filter_map(|(i, path)| check(path).map(|e| (i, e))).collect()
}

/// A fitted featurizer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Featurizer {
    Table(table::TableFeaturizer),
    Tfidf(tfidf::Tfidf),
    Image(image::ImageFeaturizer),
    Audio(audio::AudioFeaturizer),
    Encoder(encoder::Encoder),
    /// Kept last: runs saved before it still read.
    Pretrained(pretrained::Pretrained),
}

impl Featurizer {
    /// Fits `method` on the training samples.
    pub fn fit(method: Method, settings: &Settings, train: &Inputs, progress: &dyn Progress) -> Result<Featurizer> {
        Ok(match (method, train) {
            (Method::Table, Inputs::Table(df)) => Featurizer::Table(table::TableFeaturizer::fit(df)?),
            (Method::Tfidf, Inputs::Texts(texts)) => Featurizer::Tfidf(tfidf::Tfidf::fit(texts, settings.min_df)),
            (Method::Pixels | Method::Hog, Inputs::Files(files)) => {
                Featurizer::Image(image::ImageFeaturizer::fit(method == Method::Hog, settings, files, progress)?)
            }
            (Method::Logmel | Method::Mfcc, Inputs::Files(files)) => {
                Featurizer::Audio(audio::AudioFeaturizer::fit(method == Method::Mfcc, settings, files, progress)?)
            }
            _ => return Err(Error::internal(format!("features {} got the wrong kind of input", method.name()))),
        })
    }

    /// Fits `method` with tables in their native encoding (gaps as NaN, categories as codes)
    /// for a model that takes them so.
    pub fn fit_native(
        method: Method,
        settings: &Settings,
        train: &Inputs,
        progress: &dyn Progress,
    ) -> Result<Featurizer> {
        match (method, train) {
            (Method::Table, Inputs::Table(df)) => Ok(Featurizer::Table(table::TableFeaturizer::fit_native(df)?)),
            _ => Featurizer::fit(method, settings, train, progress),
        }
    }

    /// The columns holding category codes (the native table encoding); `None` when none.
    pub fn categorical_mask(&self) -> Option<Vec<bool>> {
        match self {
            Featurizer::Table(f) if f.is_native() => Some(f.categorical_mask()),
            _ => None,
        }
    }

    pub fn transform(&self, inputs: &Inputs, progress: &dyn Progress) -> Result<Matrix> {
        match (self, inputs) {
            (Featurizer::Table(f), Inputs::Table(df)) => f.transform(df),
            (Featurizer::Tfidf(f), Inputs::Texts(texts)) => Ok(f.transform(texts)),
            (Featurizer::Image(f), Inputs::Files(files)) => f.transform(files, progress),
            (Featurizer::Audio(f), Inputs::Files(files)) => f.transform(files, progress),
            (Featurizer::Encoder(f), inputs) => f.transform(inputs, progress),
            (Featurizer::Pretrained(f), inputs) => f.transform(inputs, progress),
            _ => Err(Error::internal("a featurizer got the wrong kind of input")),
        }
    }

    /// How many columns the rows have.
    pub fn width(&self) -> usize {
        match self {
            Featurizer::Table(f) => f.width(),
            Featurizer::Tfidf(f) => f.width(),
            Featurizer::Image(f) => f.width(),
            Featurizer::Audio(f) => f.width(),
            Featurizer::Encoder(f) => f.width(),
            Featurizer::Pretrained(f) => f.width(),
        }
    }

    /// What each column was divided by when standardized (1 for one-hot and flag columns);
    /// `None` for TF-IDF, which is not. Gaussian naive Bayes smooths variances relative to
    /// the largest unscaled one.
    pub fn column_scales(&self) -> Option<Vec<f64>> {
        match self {
            Featurizer::Table(f) => Some(f.column_scales()),
            Featurizer::Tfidf(_) => None,
            Featurizer::Image(f) => Some(f.scaler.scales().to_vec()),
            Featurizer::Audio(f) => Some(f.scaler.scales().to_vec()),
            Featurizer::Encoder(f) => Some(f.scaler.scales().to_vec()),
            Featurizer::Pretrained(f) => Some(f.scaler.scales().to_vec()),
        }
    }

    /// Table columns the featurizer reads (empty for other kinds).
    pub fn table_columns(&self) -> Vec<String> {
        match self {
            Featurizer::Table(f) => f.columns(),
            _ => Vec::new(),
        }
    }
}
