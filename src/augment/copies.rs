//! Augmented copies of training samples, as feature rows for the model: images and clips
//! are decoded once and transformed in memory, texts transformed and then vectorized, table
//! rows augmented after encoding. Copy `c` of sample `i` draws from `rng_for(seed, i, c)`,
//! so a run is the same whatever the number of threads.

use std::collections::HashMap;

use rayon::prelude::*;

use super::random::index;
use super::settings::Plan;
use super::text::Synonyms;
use super::{audio, image, rng_for, table};
use crate::error::Result;
use crate::features::{Featurizer, Inputs, Matrix};
use crate::progress::{Counter, Progress};

/// What training needs to make copies.
pub struct Augmenter<'a> {
    pub plan: &'a Plan,
    pub seed: u64,
    pub synonyms: &'a Synonyms,
}

impl<'a> Augmenter<'a> {
    /// Feature rows of augmented copies of the training samples `train` (indexes into
    /// `inputs`, classes `y`), and their classes. `x_train` is the training rows already
    /// encoded (tables are augmented there).
    pub fn rows(
        &self,
        featurizer: &Featurizer,
        inputs: &Inputs,
        train: &[usize],
        y: &[usize],
        x_train: &Matrix,
        progress: &dyn Progress,
    ) -> Result<(Matrix, Vec<usize>)> {
        let copies = self.plan.copies;
        let jobs: Vec<(usize, usize)> = (0..train.len()).flat_map(|k| (0..copies).map(move |c| (k, c))).collect();
        let rng = |k: usize, c: usize| rng_for(self.seed, train[k] as u64, c as u64);
        let classes: Vec<usize> = jobs.iter().map(|&(k, _)| y[k]).collect();
        // Every copy of training sample `k` (file `i`), decoded once.
        let image_copies = |files: &[std::path::PathBuf], k: usize, i: usize| -> Result<Vec<::image::RgbImage>> {
            let original = crate::features::image::open(&files[i])?.to_rgb8();
            Ok((0..copies).map(|c| image::augment(&original, &self.plan.steps, &mut rng(k, c))).collect())
        };
        match (featurizer, inputs) {
            (Featurizer::Image(f), Inputs::Files(files)) => {
                let rows = each_sample("augmenting images", train, progress, |k, i| {
                    let copies = image_copies(files, k, i)?;
                    Ok(copies.into_iter().map(|c| f.features_of(&::image::DynamicImage::ImageRgb8(c))).collect())
                })?;
                Ok((Matrix::dense(jobs.len(), f.width(), rows), classes))
            }
            (Featurizer::Encoder(f), Inputs::Files(files)) => {
                let session = f.session()?;
                let rows = each_sample("augmenting images", train, progress, |k, i| {
                    session.features_of(&image_copies(files, k, i)?)
                })?;
                Ok((Matrix::dense(jobs.len(), f.width(), rows), classes))
            }
            (Featurizer::Pretrained(f), Inputs::Files(files)) => {
                let rows = each_sample("augmenting images", train, progress, |k, i| {
                    f.features_of(&image_copies(files, k, i)?)
                })?;
                Ok((Matrix::dense(jobs.len(), f.width(), rows), classes))
            }
            (Featurizer::Audio(f), Inputs::Files(files)) => {
                let rows = each_sample("augmenting clips", train, progress, |k, i| {
                    let (samples, rate) = crate::features::audio::read_mono(&files[i])?;
                    let copy = |c| audio::augment(&samples, &self.plan.steps, &mut rng(k, c));
                    Ok((0..copies).map(|c| f.features_of(&copy(c), rate)).collect())
                })?;
                Ok((Matrix::dense(jobs.len(), f.width(), rows), classes))
            }
            (Featurizer::Tfidf(_) | Featurizer::Encoder(_) | Featurizer::Pretrained(_), Inputs::Texts(texts)) => {
                progress.stage("augmenting texts", None);
                let mut by_class: HashMap<usize, Vec<usize>> = HashMap::new();
                (0..train.len()).for_each(|k| by_class.entry(y[k]).or_default().push(k));
                let texts: Vec<String> = jobs
                    .par_iter()
                    .map(|&(k, c)| {
                        let mut rng = rng(k, c);
                        let partner = partner(&by_class[&y[k]], k, &mut rng).map(|o| texts[train[o]].as_str());
                        super::text::augment(&texts[train[k]], &self.plan.steps, self.synonyms, partner, &mut rng)
                    })
                    .collect();
                progress.finish();
                Ok((featurizer.transform(&Inputs::Texts(texts), progress)?, classes))
            }
            (Featurizer::Table(f), Inputs::Table(_)) => {
                let dense: Vec<Vec<f32>> =
                    (0..x_train.rows()).map(|i| x_train.row(i).iter().map(|(_, v)| v).collect()).collect();
                let (rows, classes) =
                    table::augment(&dense, y, &f.numeric_mask(), self.plan, &mut rng_for(self.seed, u64::MAX, 0));
                Ok((Matrix::dense(rows.len(), x_train.cols(), rows.concat()), classes))
            }
            _ => Ok((Matrix::dense(0, x_train.cols(), Vec::new()), Vec::new())),
        }
    }

    /// For augmentation on the fly: epoch → one fresh augmented version of every training
    /// image (in `train`'s order), featurized. The originals are decoded once. `None` for
    /// data other than image pixels.
    pub fn per_epoch(
        &'a self,
        featurizer: &'a Featurizer,
        inputs: &Inputs,
        train: &'a [usize],
    ) -> Result<Option<Box<crate::models::PerEpoch<'a>>>> {
        let (Featurizer::Image(f), Inputs::Files(files)) = (featurizer, inputs) else { return Ok(None) };
        let originals: Vec<::image::RgbImage> =
            train.par_iter().map(|&i| Ok(crate::features::image::open(&files[i])?.to_rgb8())).collect::<Result<_>>()?;
        let make = move |epoch: usize| -> Result<Matrix> {
            let rows: Vec<Vec<f32>> = originals
                .par_iter()
                .zip(train)
                .map(|(img, &i)| {
                    let copy = image::augment(img, &self.plan.steps, &mut rng_for(self.seed, i as u64, epoch as u64));
                    f.features_of(&::image::DynamicImage::ImageRgb8(copy))
                })
                .collect();
            Ok(Matrix::dense(rows.len(), f.width(), rows.concat()))
        };
        Ok(Some(Box::new(make)))
    }
}

/// Another member of `class` (ascending) than `k`, at random (for cut-and-glue); `None`
/// when `k` is alone in its class.
pub fn partner(class: &[usize], k: usize, rng: &mut impl rand::Rng) -> Option<usize> {
    if class.len() < 2 {
        return None;
    }
    // Draw among the others: skip over `k`'s place.
    let at = index(rng, class.len() - 1);
    let own = class.binary_search(&k).unwrap_or(class.len());
    Some(class[if at >= own { at + 1 } else { at }])
}

/// `make(k, i)` (the feature rows of every copy of training sample `k`, row `i` of the
/// inputs) for all training samples in parallel, counted as stage `stage`; the rows in order.
fn each_sample(
    stage: &str,
    train: &[usize],
    progress: &dyn Progress,
    make: impl Fn(usize, usize) -> Result<Vec<Vec<f32>>> + Sync,
) -> Result<Vec<f32>> {
    let counter = Counter::start(progress, stage, train.len());
    let rows: Vec<Vec<Vec<f32>>> = train
        .par_iter()
        .enumerate()
        .map(|(k, &i)| {
            let out = make(k, i);
            counter.tick();
            out
        })
        .collect::<Result<_>>()?;
    counter.finish();
    Ok(rows.concat().concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_is_any_other_member_of_the_class_never_the_sample_itself() {
        let class = [2, 5, 9];
        let mut seen = std::collections::HashSet::new();
        for c in 0..200 {
            let p = partner(&class, 5, &mut rng_for(0, 5, c)).unwrap();
            assert_ne!(p, 5);
            seen.insert(p);
        }
        assert_eq!(seen, [2, 9].into_iter().collect());
        assert_eq!(partner(&[4], 4, &mut rng_for(0, 0, 0)), None);
    }
}
