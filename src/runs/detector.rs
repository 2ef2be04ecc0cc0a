//! `kindling train --model detector` and the boxes a detector run finds: the project's
//! boxed images split seeded into training and held-out ones, the encoder's feature maps
//! of each image, the head fitted (crate::detect), the held-out images scored as
//! `kindling evaluate` scores (mAP, per class, confusion, TIDE's errors). The run folder
//! holds run.json, metrics.json (that evaluation), found.json (the held-out images' boxes),
//! split.json (which images trained and which were held out) and detector.bin.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use super::record::{DatasetVersion, RunRecord, Versions};
use super::{active, artifacts, clock};
use crate::detect::grid::{self, Cells, Frame};
use crate::detect::train::{Example, FitSettings, fit};
use crate::detect::{Detection, Detector};
use crate::encoders::timm::ImageEncoder;
use crate::encoders::{self, Network, catalog};
use crate::error::{Error, Result};
use crate::eval::confusion::Confusion;
use crate::eval::detection::{Evaluation, Found, Truth, evaluate};
use crate::progress::{Counter, Progress};
use crate::project::Project;

pub const DETECTOR_FILE: &str = "detector.bin";
pub const FOUND_FILE: &str = "found.json";
/// The images trained on and held out, by id.
pub const SPLIT_FILE: &str = "split.json";
pub const MODEL_NAME: &str = "detector";
/// The encoder a detector uses when none is named.
pub const DEFAULT_ENCODER: &str = "tf_efficientnet_lite0";
/// Found boxes kept for scoring: mAP needs the unsure ones too.
const SCORED_FROM: f32 = 0.01;

#[derive(Debug, Clone)]
pub struct DetectorOptions {
    /// A known encoder or a snapshot folder; `[features] encoder`, else the default.
    pub encoder: Option<String>,
    pub seed: u64,
    pub test_share: f64,
    /// Train on the project's `[augment]` copies too (boxes carried with the picture).
    pub augment: bool,
}

impl Default for DetectorOptions {
    fn default() -> DetectorOptions {
        DetectorOptions { encoder: None, seed: 0, test_share: 0.2, augment: true }
    }
}

pub struct DetectorRun {
    pub run: String,
    pub dir: PathBuf,
    pub evaluation: Evaluation,
    pub train_images: usize,
    /// Augmented copies trained on beside the images.
    pub copies: usize,
    pub test_images: usize,
    pub encode_seconds: f64,
    pub fit_seconds: f64,
}

/// One image's boxes as `predict` writes them and `evaluate` reads them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundBox {
    pub image: String,
    pub class: String,
    pub bbox: [f64; 4],
    pub score: f64,
}

fn image_encoder(network: &Network) -> Result<&ImageEncoder> {
    match network {
        Network::Image(e) => Ok(e),
        Network::Text(_) => {
            Err(Error::user("a detector needs an image encoder (tf_efficientnet_lite0 …), not a text one"))
        }
    }
}

/// The cells of the image at `path`, and its size.
fn cells_of(encoder: &ImageEncoder, path: &Path, side: usize) -> Result<(Cells, u32, u32)> {
    let img = crate::features::image::open(path)?.to_rgb8();
    let (w, h) = img.dimensions();
    Ok((grid::cells(&encoder.feature_maps(&img, side)), w, h))
}

/// The training examples of one image: the image itself, then each augmented copy with
/// its boxes carried (those left under the visibility floor dropped).
fn examples_of(
    encoder: &ImageEncoder,
    path: &Path,
    boxes: &[(String, crate::labels::store::Rect)],
    classes: &[String],
    side: usize,
    augment: Option<(&crate::augment::Plan, u64, u64)>,
) -> Result<Vec<Example>> {
    let img = crate::features::image::open(path)?.to_rgb8();
    let mut versions = vec![(img.clone(), boxes.to_vec())];
    if let Some((plan, seed, number)) = augment {
        for copy in 0..plan.copies {
            let mut rng = crate::augment::rng_for(seed, number, copy as u64);
            let carried =
                crate::augment::boxes::carry(&img, boxes, &plan.steps, &mut rng, crate::augment::boxes::VISIBLE_FLOOR);
            versions.push((carried.image, carried.boxes));
        }
    }
    Ok(versions
        .into_iter()
        .map(|(img, boxes)| {
            let cells = grid::cells(&encoder.feature_maps(&img, side));
            let frame = Frame::new(img.width(), img.height(), cells.grid);
            let list: Vec<_> =
                boxes.iter().filter_map(|(class, r)| Some((classes.iter().position(|c| c == class)?, *r))).collect();
            let targets = grid::targets(&frame, &list, classes.len());
            Example { cells, targets }
        })
        .collect())
}

pub fn train(project: &Project, options: &DetectorOptions, progress: &dyn Progress) -> Result<DetectorRun> {
    if !project.config.is_detect() {
        return Err(Error::user(
            "--model detector finds boxes; this project labels a class per sample (`kindling init --task detect` makes a detection project)",
        ));
    }
    if !(0.0..1.0).contains(&options.test_share) || options.test_share == 0.0 {
        return Err(Error::user("the test share must be between 0 and 1"));
    }
    let settings = &project.config.detector;
    settings.validate()?;
    let side = settings.side;
    let fit_settings = FitSettings {
        hidden: settings.hidden,
        epochs: settings.epochs,
        batch: settings.batch,
        learning_rate: settings.learning_rate,
        seed: options.seed,
    };
    let store = project.labels()?;
    let mut images: Vec<String> = store.labelled_images()?.into_iter().collect();
    let mut boxes = store.all_boxes()?;
    let label_events = store.box_event_count()?;
    drop(store);
    if images.len() < 2 {
        return Err(Error::user(format!(
            "{} image(s) boxed or marked done: a detector needs at least 2 (one to learn from, one to score on); box more in the Label pane",
            images.len()
        )));
    }
    let classes = project.config.class_names();
    images.sort();
    images.shuffle(&mut ChaCha8Rng::seed_from_u64(options.seed));
    let held = ((images.len() as f64 * options.test_share).round() as usize).clamp(1, images.len() - 1);
    let (test, train) = images.split_at(held);

    let spec = options
        .encoder
        .clone()
        .or_else(|| project.config.features.encoder.clone())
        .unwrap_or_else(|| DEFAULT_ENCODER.to_string());
    let encoder_dir = catalog::locate(&spec, true, progress)?;
    let network = encoders::load(&encoder_dir)?;
    let encoder = image_encoder(&network)?;
    let content = encoders::content_hash(&encoder_dir)?;
    let source = project.source()?;
    let location = source.location().to_path_buf();
    let plan = Some(project.config.augment.plan(crate::augment::Modality::Boxes)?)
        .filter(|p| options.augment && !p.is_empty());

    let copies = plan.as_ref().map_or(0, |p| p.copies);
    let cells = (side / 16) * (side / 16);
    let need = (train.len() * (1 + copies) * cells * grid::width(encoder.map_channels()) * 4) as u64;
    if let Some(free) = super::train::available_memory()
        && need > free / 10 * 8
    {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(Error::user(format!(
            "{} training images{} at side {side} need {:.1} GiB for their features and {:.1} GiB is free: \
             lower [detector] side (a quarter of the memory at half the side) or [augment] copies",
            train.len(),
            if copies > 0 { format!(" and {} augmented copies each", copies) } else { String::new() },
            gib(need),
            gib(free)
        )));
    }
    let started = clock::now();
    let (run, dir) = super::train::new_run_dir(project, MODEL_NAME, started)?;
    let mut record = RunRecord {
        id: run.clone(),
        status: "running".into(),
        pid: Some(std::process::id()),
        error: None,
        model: MODEL_NAME.into(),
        features: format!(
            "encoder {}",
            Path::new(&spec).file_name().map_or(spec.clone(), |n| n.to_string_lossy().into_owned())
        ),
        seed: options.seed,
        folds: None,
        device: Some("cpu".into()),
        augment: plan.as_ref().and_then(|p| serde_json::to_value(p).ok()),
        started: clock::iso(started),
        ended: None,
        seconds: None,
        timing: None,
        classes: classes.clone(),
        sweep: None,
        encoder: Some(format!("{spec} {content}")),
        dataset: DatasetVersion {
            fingerprint: source.fingerprint()?,
            label_events,
            samples: source.count()?,
            labelled: images.len(),
            split: "seeded".into(),
            test_share: options.test_share,
            train: train.len(),
            evaluated: test.len(),
            evaluated_split: "test".into(),
        },
        config: project.config.clone(),
        versions: Versions::current(),
        notes: vec![format!("images resized to {0}×{0} for the encoder", side)],
    };
    active::begin(&record, &dir)?;
    // The events a run's followers read (the Train pane, `kindling runs --follow`).
    let log = super::events::EventLog::create(&dir.join(super::events::EVENTS_FILE))?;
    let both = super::events::Both(&log, progress);
    let progress: &dyn Progress = &both;
    let outcome = (|| -> Result<DetectorRun> {
        let t0 = std::time::Instant::now();
        let counter = Counter::start(progress, "encoding the training images", train.len());
        let examples: Vec<Example> = train
            .par_iter()
            .enumerate()
            .map(|(i, id)| {
                let list: Vec<_> = boxes.get(id).into_iter().flatten().map(|b| (b.class.clone(), b.rect)).collect();
                let augment = plan.as_ref().map(|p| (p, options.seed, i as u64));
                let made = examples_of(encoder, &location.join(id), &list, &classes, side, augment)?;
                counter.tick();
                Ok(made)
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        counter.finish();
        let copies = examples.len() - train.len();
        let encode_seconds = t0.elapsed().as_secs_f64();
        let t1 = std::time::Instant::now();
        let fitted = fit(examples, classes.len(), &fit_settings, progress);
        let fit_seconds = t1.elapsed().as_secs_f64();
        let detector = Detector { classes: classes.clone(), side, standardize: fitted.standardize, head: fitted.head };
        let counter = Counter::start(progress, "finding boxes in the held-out images", test.len());
        let found: Vec<FoundBox> = test
            .par_iter()
            .map(|id| {
                let found = find(&detector, encoder, &location.join(id), SCORED_FROM)?;
                counter.tick();
                Ok(found_boxes(id, &found, &classes))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        counter.finish();
        let truths: Vec<Truth> = test
            .iter()
            .flat_map(|id| boxes.remove(id).unwrap_or_default())
            .map(|b| Truth { image: b.sample_id, class: b.class, rect: b.rect })
            .collect();
        let scored: Vec<Found> = found
            .iter()
            .map(|f| Found {
                image: f.image.clone(),
                class: f.class.clone(),
                rect: crate::labels::store::Rect { x: f.bbox[0], y: f.bbox[1], w: f.bbox[2], h: f.bbox[3] },
                score: f.score,
            })
            .collect();
        // In the images' own order, as `kindling evaluate` (and pycocotools) take them: ties
        // in score are broken by it.
        let mut images = test.to_vec();
        images.sort();
        let evaluation = evaluate(&truths, &scored, &classes, &images, 0.25);
        artifacts::save(&detector, &dir.join(DETECTOR_FILE))?;
        artifacts::save_json(&serde_json::json!({ "train": train, "test": test }), &dir.join(SPLIT_FILE))?;
        artifacts::save_json(&found, &dir.join(FOUND_FILE))?;
        let square = square_confusion(&evaluation);
        square.write_csv(&dir.join(super::train::CONFUSION_FILE))?;
        let metrics = serde_json::json!({
            "map50": evaluation.map50,
            "map": evaluation.map,
            "per_class": per_class(&square),
            "train_images": train.len(),
            "augmented_copies": copies,
            "test_images": test.len(),
            "losses": fitted.losses,
            "evaluation": evaluation,
        });
        artifacts::save_json(&metrics, &dir.join(super::train::METRICS_FILE))?;
        record.timing = Some(super::record::Timing { fit_seconds, predict_seconds_per_1000: 0.0 });
        Ok(DetectorRun {
            run: run.clone(),
            dir: dir.clone(),
            evaluation,
            train_images: train.len(),
            copies,
            test_images: test.len(),
            encode_seconds,
            fit_seconds,
        })
    })();
    let ended = clock::now();
    record.ended = Some(clock::iso(ended));
    record.seconds = Some(((ended - started) * 1000.0).round() / 1000.0);
    record.pid = None;
    match &outcome {
        Ok(done) => {
            record.status = "finished".into();
            log.write("finished", serde_json::json!({ "map50": done.evaluation.map50, "map": done.evaluation.map }));
        }
        Err(e) => {
            record.status = "failed".into();
            record.error = Some(e.message().to_string());
            log.write("failed", serde_json::json!({ "error": e.message() }));
        }
    }
    active::end(&record, &dir)?;
    outcome
}

fn find(detector: &Detector, encoder: &ImageEncoder, path: &Path, min_score: f32) -> Result<Vec<Detection>> {
    let (cells, w, h) = cells_of(encoder, path, detector.side)?;
    Ok(detector.detect(&cells, w, h, min_score))
}

fn found_boxes(image: &str, found: &[Detection], classes: &[String]) -> Vec<FoundBox> {
    let round = |v: f64| (v * 100.0).round() / 100.0;
    found
        .iter()
        .map(|d| FoundBox {
            image: image.to_string(),
            class: classes[d.class].clone(),
            bbox: [round(d.rect.x), round(d.rect.y), round(d.rect.w), round(d.rect.h)],
            score: (f64::from(d.score) * 1e6).round() / 1e6,
        })
        .collect()
}

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

/// The name of the row and column of boxes on one side only: found where nothing is
/// labelled (the row), labelled where nothing was found (the column).
pub fn background_name(classes: &[String]) -> String {
    if classes.iter().any(|c| c == "background") { "(background)".into() } else { "background".into() }
}

/// The box confusion as a square matrix over the classes and background (rows labelled,
/// columns found), the Results pane's shape.
pub fn square_confusion(e: &Evaluation) -> Confusion {
    let mut classes = e.confusion.classes.clone();
    classes.push(background_name(&e.confusion.classes));
    let k = classes.len();
    let mut counts = vec![vec![0u64; k]; k];
    for cell in &e.confusion.cells {
        counts[cell.row][cell.col] += cell.pairs.len() as u64;
    }
    Confusion { classes, counts }
}

/// Precision, recall, F1 and support (labelled boxes) of each class at IoU 0.5, from the
/// square matrix, as the Results pane lists classes.
pub fn per_class(m: &Confusion) -> serde_json::Value {
    let k = m.classes.len() - 1;
    let mut out = serde_json::Map::new();
    for c in 0..k {
        let hit = m.counts[c][c] as f64;
        let labelled: u64 = m.counts[c].iter().sum();
        let found: u64 = m.counts.iter().map(|row| row[c]).sum();
        let ratio = |a: f64, b: u64| (b > 0).then(|| a / b as f64);
        let (p, r) = (ratio(hit, found), ratio(hit, labelled));
        let f1 = p.zip(r).map(|(p, r)| if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 });
        out.insert(
            m.classes[c].clone(),
            serde_json::json!({ "precision": p, "recall": r, "f1": f1, "support": labelled }),
        );
    }
    serde_json::Value::Object(out)
}

/// The latest finished detector run of the project at `root`, loaded once per run.
pub fn latest(root: &Path) -> Result<Option<(String, Arc<Loaded>)>> {
    static LOADED: std::sync::Mutex<Option<(String, Arc<Loaded>)>> = std::sync::Mutex::new(None);
    let mut ids = super::ids(root)?;
    ids.reverse();
    let Some(id) = ids.into_iter().find(|id| {
        let dir = super::dir(root, id);
        super::is_finished(&dir) && RunRecord::read(&dir).is_ok_and(|r| r.model == MODEL_NAME)
    }) else {
        return Ok(None);
    };
    let mut cached = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((run, loaded)) = cached.as_ref()
        && *run == id
    {
        return Ok(Some((id, loaded.clone())));
    }
    let loaded = Arc::new(load(&super::dir(root, &id))?);
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
