//! What drift is measured on: a few plain features of each input, by kind — a table's own
//! columns; a text's length and out-of-vocabulary share; an image's size, channels and
//! brightness; a clip's duration, rate and loudness — and the model's confidence.

use std::collections::HashSet;
use std::path::PathBuf;

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::table::column_strings;
use crate::features::Inputs;
use crate::models::Probabilities;

/// One feature's values over the observed inputs (`None`: a gap, or a file not readable).
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    Numbers(Vec<Option<f64>>),
    Categories(Vec<Option<String>>),
}

impl Cells {
    pub fn len(&self) -> usize {
        match self {
            Cells::Numbers(v) => v.len(),
            Cells::Categories(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The observed features, in the profile's order, by name.
pub type Observed = Vec<(String, Cells)>;

pub const OUT_OF_VOCABULARY: &str = "out_of_vocabulary";

/// The name of the feature holding each prediction's highest probability.
pub const CONFIDENCE: &str = "confidence";

/// The features of `inputs`; `vocabulary` is the training texts' (for the out-of-vocabulary
/// share) and `numbers` names the table columns read as numbers.
pub fn observe(inputs: &Inputs, vocabulary: &HashSet<String>, numbers: &[String]) -> Observed {
    match inputs {
        Inputs::Table(df) => table(df, numbers),
        Inputs::Texts(texts) => text(texts, vocabulary),
        Inputs::Files(files) => files_of(files),
    }
}

/// Each row's highest class probability.
pub fn confidence(probs: &Probabilities) -> (String, Cells) {
    let top = (0..probs.rows()).map(|i| Some(probs.row(i).iter().copied().fold(0.0, f64::max))).collect();
    (CONFIDENCE.to_string(), Cells::Numbers(top))
}

fn table(df: &DataFrame, numbers: &[String]) -> Observed {
    df.columns()
        .par_iter()
        .map(|c| {
            let name = c.name().to_string();
            let as_number = numbers.contains(&name) || (numbers.is_empty() && c.dtype().is_primitive_numeric());
            let numbers = as_number.then(|| c.cast(&DataType::Float64).ok()).flatten();
            let cells = match numbers {
                Some(f) => Cells::Numbers(f.f64().map(|ca| ca.iter().collect()).unwrap_or_default()),
                None => Cells::Categories(column_strings(c).unwrap_or_else(|_| vec![None; c.len()])),
            };
            (name, cells)
        })
        .collect()
}

fn text(texts: &[String], vocabulary: &HashSet<String>) -> Observed {
    let (lengths, unknown): (Vec<_>, Vec<_>) = texts
        .par_iter()
        .map(|t| {
            let words = crate::features::tfidf::words(t);
            (Some(words.len() as f64), unknown_share(&words, vocabulary))
        })
        .unzip();
    vec![("words".into(), Cells::Numbers(lengths)), (OUT_OF_VOCABULARY.into(), Cells::Numbers(unknown))]
}

/// The share of `words` not in `vocabulary` (none for a text without words).
pub fn unknown_share(words: &[String], vocabulary: &HashSet<String>) -> Option<f64> {
    let oov = words.iter().filter(|w| !vocabulary.contains(*w)).count();
    (!words.is_empty()).then(|| oov as f64 / words.len() as f64)
}

/// Images (size, channels, brightness) or clips (duration, rate, loudness), by extension.
fn files_of(files: &[PathBuf]) -> Observed {
    let is_audio = files.first().is_some_and(|f| crate::data::folder::has_extension(f, crate::data::SourceKind::Audio));
    if is_audio {
        let facts: Vec<Option<(f64, u32, f64)>> = files
            .par_iter()
            .map(|f| {
                let (samples, rate) = crate::features::audio::read_mono(f).ok()?;
                let rms =
                    (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len().max(1) as f64).sqrt();
                Some((samples.len() as f64 / f64::from(rate), rate, 20.0 * rms.max(1e-10).log10()))
            })
            .collect();
        return vec![
            ("duration_s".into(), Cells::Numbers(facts.iter().map(|f| f.map(|f| f.0)).collect())),
            ("sample_rate".into(), Cells::Categories(facts.iter().map(|f| f.map(|f| f.1.to_string())).collect())),
            ("loudness_db".into(), Cells::Numbers(facts.iter().map(|f| f.map(|f| f.2)).collect())),
        ];
    }
    let facts: Vec<Option<(String, u8, f64)>> = files
        .par_iter()
        .map(|f| {
            let img = crate::features::image::open(f).ok()?;
            let grey = img.to_luma8();
            let mean = grey.as_raw().iter().map(|v| f64::from(*v)).sum::<f64>() / grey.as_raw().len().max(1) as f64;
            Some((format!("{}x{}", img.width(), img.height()), img.color().channel_count(), mean / 255.0))
        })
        .collect();
    vec![
        ("size".into(), Cells::Categories(facts.iter().map(|f| f.as_ref().map(|f| f.0.clone())).collect())),
        ("channels".into(), Cells::Categories(facts.iter().map(|f| f.as_ref().map(|f| f.1.to_string())).collect())),
        ("brightness".into(), Cells::Numbers(facts.iter().map(|f| f.as_ref().map(|f| f.2)).collect())),
    ]
}
