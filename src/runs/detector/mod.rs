//! `kindling train --model detector` and the boxes a detector run finds: the project's
//! boxed images split seeded into training and held-out ones, the encoder's feature maps
//! of each image, the head fitted (crate::detect), the held-out images scored as
//! `kindling evaluate` scores (mAP, per class, confusion, TIDE's errors). The run folder
//! holds run.json, metrics.json (that evaluation), found.json (the held-out images' boxes),
//! split.json (which images trained and which were held out) and detector.bin.

mod confusion;
mod images;
mod loaded;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

pub use confusion::{background_name, per_class, square_confusion};
use images::{examples_of, find, found_boxes, image_encoder};
pub use loaded::{Loaded, PROPOSE_FROM, Proposed, Skipped, latest, load, propose};

use super::record::{DatasetVersion, RunRecord, Versions};
use super::{active, artifacts, clock};
use crate::augment::Plan;
use crate::detect::Detector;
use crate::detect::train::{Example, FitSettings, fit};
use crate::encoders::timm::ImageEncoder;
use crate::encoders::{self, catalog};
use crate::error::{Error, Result};
use crate::eval::detection::{Evaluation, Found, Truth, evaluate};
use crate::labels::store::LabelBox;
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

pub fn train(project: &Project, options: &DetectorOptions, progress: &dyn Progress) -> Result<DetectorRun> {
    refuse_unfit(project, options)?;
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
    let images: Vec<String> = store.labelled_images()?.into_iter().collect();
    let mut boxes = store.all_boxes()?;
    let label_events = store.box_event_count()?;
    drop(store);
    let (test, train) = split(images, options)?;
    let classes = project.config.class_names();

    let spec = options
        .encoder
        .clone()
        .or_else(|| project.config.features.encoder.clone())
        .unwrap_or_else(|| DEFAULT_ENCODER.to_string());
    let encoder_dir = catalog::locate(&spec, true, progress)?;
    let network = encoders::load(&encoder_dir)?;
    let encoder = image_encoder(&network)?;
    let content = encoders::content_hash(&encoder_dir)?;
    // Opened once: a folder source lists its files when opened.
    let source = project.source()?;
    let location = source.location().to_path_buf();
    let plan = Some(project.config.augment.plan(crate::augment::Modality::Boxes)?)
        .filter(|p| options.augment && !p.is_empty());
    refuse_beyond_memory(train.len(), plan.as_ref().map_or(0, |p| p.copies), side, encoder)?;

    let started = clock::now();
    let (run, dir) = super::train::new_run_dir(project, MODEL_NAME, started)?;
    let used = Used {
        source: &source,
        spec: &spec,
        content: &content,
        plan: plan.as_ref(),
        label_events,
        train: &train,
        test: &test,
    };
    let mut record = new_record(project, &run, options, &used, started)?;
    active::begin(&record, &dir)?;
    // The events a run's followers read (the Train pane, `kindling runs --follow`).
    let log = super::events::EventLog::create(&dir.join(super::events::EVENTS_FILE))?;
    let both = super::events::Both(&log, progress);
    let progress: &dyn Progress = &both;
    let outcome = (|| -> Result<DetectorRun> {
        let t0 = std::time::Instant::now();
        let examples =
            encode_training(encoder, &location, &train, &boxes, &classes, side, plan.as_ref(), options.seed, progress)?;
        let copies = examples.len() - train.len();
        let encode_seconds = t0.elapsed().as_secs_f64();
        let t1 = std::time::Instant::now();
        let fitted = fit(examples, classes.len(), &fit_settings, progress);
        let fit_seconds = t1.elapsed().as_secs_f64();
        let detector = Detector { classes: classes.clone(), side, standardize: fitted.standardize, head: fitted.head };
        let found = find_held_out(&detector, encoder, &location, &test, progress)?;
        let evaluation = score(&found, &test, &mut boxes, &classes);
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

/// A detection project and a test share that leaves images on both sides, or why not.
fn refuse_unfit(project: &Project, options: &DetectorOptions) -> Result<()> {
    if !project.config.is_detect() {
        return Err(Error::user(
            "--model detector finds boxes; this project labels a class per sample (`kindling init --task detect` makes a detection project)",
        ));
    }
    if !(0.0..1.0).contains(&options.test_share) || options.test_share == 0.0 {
        return Err(Error::user("the test share must be between 0 and 1"));
    }
    Ok(())
}

/// The labelled images split seeded: (held out, trained on), each side at least one.
fn split(mut images: Vec<String>, options: &DetectorOptions) -> Result<(Vec<String>, Vec<String>)> {
    if images.len() < 2 {
        return Err(Error::user(format!(
            "{} image(s) boxed or marked done: a detector needs at least 2 (one to learn from, one to score on); box more in the Label pane",
            images.len()
        )));
    }
    images.sort();
    images.shuffle(&mut ChaCha8Rng::seed_from_u64(options.seed));
    let held = ((images.len() as f64 * options.test_share).round() as usize).clamp(1, images.len() - 1);
    let train = images.split_off(held);
    Ok((images, train))
}

/// Refuses, before any work, a run whose training features would not fit in free memory.
fn refuse_beyond_memory(train: usize, copies: usize, side: usize, encoder: &ImageEncoder) -> Result<()> {
    let cells = (side / 16) * (side / 16);
    let need = (train * (1 + copies) * cells * crate::detect::grid::width(encoder.map_channels()) * 4) as u64;
    if let Some(free) = super::train::available_memory()
        && need > free / 10 * 8
    {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(Error::user(format!(
            "{train} training images{} at side {side} need {:.1} GiB for their features and {:.1} GiB is free: \
             lower [detector] side (a quarter of the memory at half the side) or [augment] copies",
            if copies > 0 { format!(" and {copies} augmented copies each") } else { String::new() },
            gib(need),
            gib(free)
        )));
    }
    Ok(())
}

/// What a run was made from, for its record.
struct Used<'a> {
    source: &'a crate::data::Source,
    spec: &'a str,
    content: &'a str,
    plan: Option<&'a Plan>,
    label_events: u64,
    train: &'a [String],
    test: &'a [String],
}

fn new_record(project: &Project, run: &str, options: &DetectorOptions, used: &Used, started: f64) -> Result<RunRecord> {
    let source = used.source;
    let spec = used.spec;
    Ok(RunRecord {
        id: run.to_string(),
        status: "running".into(),
        pid: Some(std::process::id()),
        error: None,
        model: MODEL_NAME.into(),
        features: format!(
            "encoder {}",
            Path::new(spec).file_name().map_or(spec.to_string(), |n| n.to_string_lossy().into_owned())
        ),
        seed: options.seed,
        folds: None,
        device: Some("cpu".into()),
        augment: used.plan.and_then(|p| serde_json::to_value(p).ok()),
        started: clock::iso(started),
        ended: None,
        seconds: None,
        timing: None,
        classes: project.config.class_names(),
        sweep: None,
        encoder: Some(format!("{spec} {}", used.content)),
        dataset: DatasetVersion {
            fingerprint: source.fingerprint()?,
            label_events: used.label_events,
            samples: source.count()?,
            labelled: used.train.len() + used.test.len(),
            split: "seeded".into(),
            test_share: options.test_share,
            train: used.train.len(),
            evaluated: used.test.len(),
            evaluated_split: "test".into(),
        },
        config: project.config.clone(),
        versions: Versions::current(),
        notes: vec![format!("images resized to {0}×{0} for the encoder", project.config.detector.side)],
    })
}

/// The training examples of every training image (and its augmented copies), encoded on
/// every core.
#[allow(clippy::too_many_arguments)]
fn encode_training(
    encoder: &ImageEncoder,
    location: &Path,
    train: &[String],
    boxes: &BTreeMap<String, Vec<LabelBox>>,
    classes: &[String],
    side: usize,
    plan: Option<&Plan>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<Example>> {
    let counter = Counter::start(progress, "encoding the training images", train.len());
    let examples = train
        .par_iter()
        .enumerate()
        .map(|(i, id)| {
            let list: Vec<_> = boxes.get(id).into_iter().flatten().map(|b| (b.class.clone(), b.rect)).collect();
            let augment = plan.map(|p| (p, seed, i as u64));
            let made = examples_of(encoder, &location.join(id), &list, classes, side, augment)?;
            counter.tick();
            Ok(made)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    counter.finish();
    Ok(examples)
}

/// The boxes `detector` finds in the held-out images, unsure ones too (mAP needs them).
fn find_held_out(
    detector: &Detector,
    encoder: &ImageEncoder,
    location: &Path,
    test: &[String],
    progress: &dyn Progress,
) -> Result<Vec<FoundBox>> {
    let counter = Counter::start(progress, "finding boxes in the held-out images", test.len());
    let found = test
        .par_iter()
        .map(|id| {
            let found = find(detector, encoder, &location.join(id), SCORED_FROM)?;
            counter.tick();
            Ok(found_boxes(id, &found, &detector.classes))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    counter.finish();
    Ok(found)
}

/// The held-out images scored exactly as `kindling evaluate` scores them (their labelled
/// boxes taken out of `boxes`).
fn score(
    found: &[FoundBox],
    test: &[String],
    boxes: &mut BTreeMap<String, Vec<LabelBox>>,
    classes: &[String],
) -> Evaluation {
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
    evaluate(&truths, &scored, classes, &images, 0.25)
}
