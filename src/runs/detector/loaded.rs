//! A finished detector run loaded with its encoder: `predict`, `serve` and the box
//! labeller's proposals from the latest one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::images::{find, found_boxes, image_encoder};
use super::{DEFAULT_ENCODER, DETECTOR_FILE, FoundBox, MODEL_NAME};
use crate::detect::Detector;
use crate::encoders::{self, Network, catalog};
use crate::error::{Error, Result};
use crate::progress::{Counter, Progress};
use crate::runs::artifacts;
use crate::runs::record::RunRecord;

/// An image that could not be read: its name and why.
pub type Skipped = (String, String);

/// A finished detector run, loaded with its encoder (refused when the snapshot changed).
pub struct Loaded {
    pub detector: Detector,
    /// The images labelled when the run was trained.
    pub trained_on: usize,
    network: Arc<Network>,
}

pub fn load(run_dir: &Path) -> Result<Loaded> {
    let record = RunRecord::read(run_dir)?;
    if record.model != MODEL_NAME {
        return Err(Error::user(format!("run {} is a {} run, not a detector", record.id, record.model)));
    }
    let encoder = record.encoder.as_deref().unwrap_or(DEFAULT_ENCODER);
    let (spec, content) = encoder.rsplit_once(' ').unwrap_or((encoder, ""));
    let dir = catalog::locate(spec, false, &crate::progress::Silent)?;
    if encoders::content_hash(&dir)? != content {
        return Err(Error::file(
            &dir,
            format!(
                "is not the snapshot run {} was trained with (its content changed): put that snapshot back, or train again",
                record.id
            ),
        ));
    }
    let detector = artifacts::load(&run_dir.join(DETECTOR_FILE))?;
    Ok(Loaded { detector, trained_on: record.dataset.labelled, network: encoders::load(&dir)? })
}

impl Loaded {
    /// The boxes found in each image file that can be read, and the files that cannot
    /// (name, why): a damaged file among many does not stop the rest.
    pub fn predict_readable(
        &self,
        files: &[(String, PathBuf)],
        min_score: f32,
        progress: &dyn Progress,
    ) -> Result<(Vec<FoundBox>, Vec<Skipped>)> {
        let encoder = image_encoder(&self.network)?;
        let counter = Counter::start(progress, "finding boxes", files.len());
        let results: Vec<std::result::Result<Vec<FoundBox>, Skipped>> = files
            .par_iter()
            .map(|(name, path)| {
                let found = find(&self.detector, encoder, path, min_score)
                    .map(|found| found_boxes(name, &found, &self.detector.classes))
                    .map_err(|e| (name.clone(), e.message().to_string()));
                counter.tick();
                found
            })
            .collect();
        counter.finish();
        let mut found = Vec::new();
        let mut skipped = Vec::new();
        for r in results {
            match r {
                Ok(boxes) => found.extend(boxes),
                Err(why) => skipped.push(why),
            }
        }
        Ok((found, skipped))
    }

    /// The boxes found in each image file (named as given), scored at least `min_score`;
    /// an image that cannot be read is an error naming it.
    pub fn predict(
        &self,
        files: &[(String, PathBuf)],
        min_score: f32,
        progress: &dyn Progress,
    ) -> Result<Vec<FoundBox>> {
        let (found, skipped) = self.predict_readable(files, min_score, progress)?;
        match skipped.into_iter().next() {
            Some((name, why)) => Err(Error::user(format!("{name}: {why}"))),
            None => Ok(found),
        }
    }
}

/// The latest finished detector run of the project at `root`, loaded once per run.
pub fn latest(root: &Path) -> Result<Option<(String, Arc<Loaded>)>> {
    static LOADED: std::sync::Mutex<Option<(String, Arc<Loaded>)>> = std::sync::Mutex::new(None);
    let mut ids = crate::runs::ids(root)?;
    ids.reverse();
    let Some(id) = ids.into_iter().find(|id| {
        let dir = crate::runs::dir(root, id);
        crate::runs::is_finished(&dir) && RunRecord::read(&dir).is_ok_and(|r| r.model == MODEL_NAME)
    }) else {
        return Ok(None);
    };
    let mut cached = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((run, loaded)) = cached.as_ref()
        && *run == id
    {
        return Ok(Some((id, loaded.clone())));
    }
    let loaded = Arc::new(load(&crate::runs::dir(root, &id))?);
    *cached = Some((id.clone(), loaded.clone()));
    Ok(Some((id, loaded)))
}

/// Boxes scored this sure or more are proposed while labelling.
pub const PROPOSE_FROM: f32 = 0.3;

/// What the latest detector run proposes for one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposed {
    pub run: String,
    /// The images labelled when the run was trained.
    pub trained_on: usize,
    pub boxes: Vec<FoundBox>,
}

/// What the latest detector run finds in image `path` (named `id`), or nothing when no
/// detector was trained yet.
pub fn propose(root: &Path, id: &str, path: &Path) -> Result<Option<Proposed>> {
    let Some((run, loaded)) = latest(root)? else { return Ok(None) };
    let boxes = loaded.predict(&[(id.to_string(), path.to_path_buf())], PROPOSE_FROM, &crate::progress::Silent)?;
    Ok(Some(Proposed { run, trained_on: loaded.trained_on, boxes }))
}
