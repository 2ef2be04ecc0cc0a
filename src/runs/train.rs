//! `kindling train`: split the labelled samples, fit the featurizer on the training split,
//! fit the model, score it, and leave everything in a new run directory.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::json;

use super::artifacts::{self, FEATURIZER_FILE, MODEL_FILE};
use super::dataset::Dataset;
use super::events::{Both, EVENTS_FILE, EventLog};
use super::record::{DatasetVersion, RunRecord, Timing, Versions};
use super::{RUNS_DIR, active, clock};
use crate::augment::Modality;
use crate::augment::copies::Augmenter;
use crate::augment::text::Synonyms;
use crate::data::SourceKind;
use crate::data::split::Split;
use crate::error::{Error, Result};
use crate::eval::confusion::Confusion;
use crate::eval::metrics::{self, Metrics};
use crate::eval::predictions::{self, PREDICTIONS_FILE};
use crate::eval::split;
use crate::features::encoder::Encoder;
use crate::features::pretrained::Pretrained;
use crate::features::{Featurizer, Inputs, Method, Settings};
use crate::models::{Device, Fit, Model, ModelKind, Probabilities, augments_per_epoch};
use crate::progress::Progress;
use crate::project::Project;

pub const METRICS_FILE: &str = "metrics.json";
pub const CONFUSION_FILE: &str = "confusion.csv";

#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub model: ModelKind,
    /// `auto` or a featurizer name.
    pub features: String,
    pub seed: u64,
    pub folds: Option<usize>,
    /// Share of each class held out for testing when the source fixes no split.
    pub test_share: f64,
    /// Apply the project's `[augment]` transforms to the training split.
    pub augment: bool,
    /// Where the libtorch models train.
    pub device: Device,
    /// A TorchScript image or text encoder to featurize with (feature `torch`).
    pub encoder: Option<PathBuf>,
    /// The sweep this run is part of (`kindling sweep`).
    pub sweep: Option<String>,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            model: ModelKind::Logistic,
            features: "auto".into(),
            seed: 0,
            folds: None,
            test_share: 0.2,
            augment: true,
            device: Device::Auto,
            encoder: None,
            sweep: None,
        }
    }
}

pub struct Trained {
    pub run: String,
    pub dir: PathBuf,
    pub metrics: Metrics,
    pub record: RunRecord,
}

/// Trains and records a run. A run that fails after its directory exists is recorded as
/// `failed` with the reason.
pub fn train(project: &Project, options: &TrainOptions, progress: &dyn Progress) -> Result<Trained> {
    let kind = project.config.source.kind;
    // The project's encoder is what `auto` features mean.
    let mut resolved = options.clone();
    if resolved.encoder.is_none()
        && resolved.features == "auto"
        && matches!(kind, SourceKind::Images | SourceKind::Text)
    {
        resolved.encoder = project.config.features.encoder.as_ref().map(PathBuf::from);
    }
    let options = &resolved;
    options.model.available()?;
    let method = match &options.encoder {
        Some(_) if !matches!(kind, SourceKind::Images | SourceKind::Text) => {
            return Err(Error::user("--encoder takes image or text projects"));
        }
        Some(_) if options.features != "auto" => {
            return Err(Error::user("--encoder is the featurizer: leave out --features"));
        }
        Some(_) => Method::Encoder,
        None => Method::choose(&options.features, kind)?,
    };
    if let Some(k) = options.folds
        && k < 2
    {
        return Err(Error::user("--folds must be at least 2"));
    }
    if !(0.0..1.0).contains(&options.test_share) || options.test_share == 0.0 {
        return Err(Error::user("the test share must be between 0 and 1"));
    }
    let plan = Some(project.config.augment.plan(Modality::of(kind))?).filter(|p| options.augment && !p.is_empty());
    let synonyms = match &plan {
        Some(p) if kind == SourceKind::Text => {
            Synonyms::load(p.synonyms.as_ref().map(|f| project.root().join(f)).as_deref())?
        }
        _ => Synonyms::default(),
    };
    // What cannot be trained is refused before a run exists: no run is left for it.
    progress.stage("reading samples and labels", None);
    let data = Dataset::load(project)?;
    progress.finish();
    if data.labelled().is_empty() {
        return Err(Error::user("no labelled samples; label some first (the Label pane, or `kindling labels`)"));
    }
    let split = assign(&data, options, &project.config.class_names())?;
    let started = clock::now();
    let (run, dir) = new_run_dir(project, options.model.name(), started)?;
    let log = EventLog::create(&dir.join(EVENTS_FILE))?;
    let mut record = RunRecord {
        id: run.clone(),
        status: "running".into(),
        pid: Some(std::process::id()),
        error: None,
        model: options.model.name().into(),
        features: method.name().into(),
        seed: options.seed,
        folds: options.folds,
        device: None,
        augment: plan.as_ref().and_then(|p| serde_json::to_value(p).ok()),
        started: clock::iso(started),
        ended: None,
        seconds: None,
        classes: project.config.class_names(),
        dataset: DatasetVersion::default(),
        config: project.config.clone(),
        versions: Versions::current(),
        notes: Vec::new(),
        sweep: options.sweep.clone(),
        encoder: None,
        timing: None,
    };
    active::begin(&record, &dir)?;
    let both = Both(&log, progress);
    let augmenter = plan.as_ref().map(|plan| Augmenter { plan, seed: options.seed, synonyms: &synonyms });
    let outcome = fit_and_score(project, &data, &split, options, method, augmenter.as_ref(), &mut record, &dir, &both);
    let ended = clock::now();
    record.ended = Some(clock::iso(ended));
    record.seconds = Some(((ended - started) * 1000.0).round() / 1000.0);
    record.pid = None;
    match outcome {
        Ok(metrics) => {
            record.status = "finished".into();
            log.write("finished", json!({ "accuracy": metrics.accuracy, "macro_f1": metrics.macro_f1 }));
            active::end(&record, &dir)?;
            Ok(Trained { run, dir, metrics, record })
        }
        Err(e) => {
            record.status = "failed".into();
            record.error = Some(e.message().to_string());
            log.write("failed", json!({ "error": e.message() }));
            active::end(&record, &dir)?;
            Err(e)
        }
    }
}

/// A new run folder named by the start time and the model.
pub(crate) fn new_run_dir(project: &Project, model: &str, at: f64) -> Result<(String, PathBuf)> {
    let runs = project.root().join(RUNS_DIR);
    std::fs::create_dir_all(&runs).map_err(|e| Error::file(&runs, e))?;
    let base = format!("{}-{}", clock::compact(at), model);
    for n in 1.. {
        let id = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        let dir = runs.join(&id);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok((id, dir)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::file(&dir, e)),
        }
    }
    unreachable!("some run id is free")
}

/// Which labelled samples train and which are scored.
struct Assignment {
    train: Vec<usize>,
    evaluated: Vec<usize>,
    /// The split name each sample gets in predictions.parquet.
    names: Vec<&'static str>,
    /// `fixed` (the source's split) or `stratified` (held out here, `test_share`).
    how: &'static str,
    test_share: Option<f64>,
    evaluated_split: &'static str,
}

fn assign(data: &Dataset, options: &TrainOptions, classes: &[String]) -> Result<Assignment> {
    let labelled = data.labelled();
    let mut names = vec!["unlabelled"; data.ids.len()];
    let fixed_eval =
        [Split::Test, Split::Valid].into_iter().find(|s| labelled.iter().any(|&i| data.fixed_split[i] == Some(*s)));
    let (train, evaluated) = match fixed_eval {
        Some(eval_split) => {
            for &i in &labelled {
                names[i] = data.fixed_split[i].unwrap_or(Split::Train).name();
            }
            let train = labelled.iter().copied().filter(|&i| matches!(data.fixed_split[i], None | Some(Split::Train)));
            let eval = labelled.iter().copied().filter(|&i| data.fixed_split[i] == Some(eval_split));
            (train.collect::<Vec<_>>(), eval.collect::<Vec<_>>())
        }
        None => {
            let y: Vec<usize> = labelled.iter().map(|&i| data.given[i].expect("labelled")).collect();
            let test = split::hold_out(&y, options.test_share, options.seed);
            let (mut train, mut eval) = (Vec::new(), Vec::new());
            for (k, &i) in labelled.iter().enumerate() {
                names[i] = if test[k] { "test" } else { "train" };
                if test[k] { eval.push(i) } else { train.push(i) }
            }
            (train, eval)
        }
    };
    if evaluated.is_empty() {
        let mut per_class = vec![0usize; classes.len()];
        labelled.iter().for_each(|&i| per_class[data.given[i].expect("labelled")] += 1);
        let counts: Vec<String> =
            classes.iter().zip(&per_class).filter(|(_, n)| **n > 0).map(|(c, n)| format!("{c} {n}")).collect();
        // A class of n labels gives round(n × share) of them, and never all, to the test split.
        let need = ((0.5 / options.test_share).ceil() as usize).max(2);
        return Err(Error::user(format!(
            "too few labelled samples to hold out a test split ({}): with a test share of {} a class \
             needs {need} labels to give one to the test split; label {need} samples of one class \
             (or give the project a split column or file with labelled test samples)",
            if counts.is_empty() { "none labelled".to_string() } else { counts.join(", ") },
            options.test_share
        )));
    }
    Ok(Assignment {
        train,
        evaluated,
        names,
        how: if fixed_eval.is_some() { "fixed" } else { "stratified" },
        test_share: fixed_eval.is_none().then_some(options.test_share),
        evaluated_split: fixed_eval.map_or("test", |s| s.name()),
    })
}

/// The feature columns that alone give the label of `rows` (labelled), with that share.
pub fn leaky_columns(data: &Dataset, rows: &[usize]) -> Result<Vec<(String, f64)>> {
    let Inputs::Table(df) = &data.inputs else { return Ok(Vec::new()) };
    let y: Vec<usize> = data.given.iter().map(|g| g.unwrap_or(usize::MAX)).collect();
    crate::eval::leakage::suspects(df, &y, rows)
}

#[allow(clippy::too_many_arguments)]
fn fit_and_score(
    project: &Project,
    data: &Dataset,
    split: &Assignment,
    options: &TrainOptions,
    method: Method,
    augmenter: Option<&Augmenter>,
    record: &mut RunRecord,
    dir: &std::path::Path,
    progress: &dyn Progress,
) -> Result<Metrics> {
    let classes = record.classes.clone();
    let labelled = data.labelled();
    record.dataset.fingerprint = data.fingerprint.clone();
    record.dataset.label_events = data.label_events;
    record.dataset.samples = data.ids.len();
    record.dataset.labelled = labelled.len();
    if data.unknown_labels > 0 {
        record.notes.push(format!("{} labels name no class in kindling.toml and were left out", data.unknown_labels));
    }
    for (column, share) in leaky_columns(data, &split.train)? {
        record.notes.push(format!(
            "column \"{column}\" alone gives the label of {:.1}% of the training rows: a leak? leave it out \
             with [features] exclude = [\"{column}\"] in kindling.toml",
            share * 100.0
        ));
    }
    record.dataset.split = split.how.into();
    if let Some(share) = split.test_share {
        record.dataset.test_share = share;
    }
    record.dataset.evaluated_split = split.evaluated_split.into();
    record.dataset.train = split.train.len();
    record.dataset.evaluated = split.evaluated.len();
    active::save(record, dir)?;

    let y: Vec<usize> = data.given.iter().map(|g| g.unwrap_or(0)).collect();
    let settings = FitSettings {
        method,
        features: &project.config.features,
        options,
        classes: classes.len(),
        augmenter,
        torch: &project.config.torch,
    };
    let Fitted { model, featurizer, probs, timing } = fit_once(&data.inputs, &y, &split.train, &settings, progress)?;
    if let Featurizer::Pretrained(p) = &featurizer {
        record.encoder = Some(format!("{} {}", p.name, p.content));
    }
    record.device = model.device();
    record.timing = Some(timing);
    if let Featurizer::Table(t) = &featurizer
        && !t.empty.is_empty()
    {
        record.notes.push(format!("columns empty in the training split, left out: {}", t.empty.join(", ")));
    }
    let given = |rows: &[usize]| rows.iter().map(|&i| data.given[i].expect("labelled")).collect::<Vec<_>>();
    let eval_probs = select_rows(&probs, &split.evaluated);
    let metrics = metrics::compute(&classes, &given(&split.evaluated), &eval_probs);
    let predicted: Vec<usize> = (0..eval_probs.rows()).map(|i| eval_probs.predicted(i)).collect();
    Confusion::new(&classes, &given(&split.evaluated), &predicted).write_csv(&dir.join(CONFUSION_FILE))?;

    let mut metrics_json = serde_json::to_value(&metrics).map_err(|e| Error::internal(e.to_string()))?;
    let mut shown = probs;
    if let Some(k) = options.folds {
        let (oof, cv) = cross_validate(data, &labelled, k, &settings, &classes, featurizer.width(), progress)?;
        shown.scatter(&labelled, &oof);
        metrics_json["cross_validation"] = cv;
        record.notes.push("predictions of labelled samples are out-of-fold".into());
    }
    artifacts::save_json(&metrics_json, &dir.join(METRICS_FILE))?;

    progress.stage("writing predictions, the model and the drift profile", None);
    let given = data.given.iter().map(|g| g.map(|c| classes[c].as_str())).collect::<Vec<_>>();
    let predicted = (0..data.ids.len()).map(|i| classes[shown.predicted(i)].as_str()).collect::<Vec<_>>();
    let columns = predictions::Columns { ids: &data.ids, split: &split.names, given: &given, predicted: &predicted };
    // The predictions are written while the model is saved and the inputs profiled: each
    // takes a good part of a short run.
    std::thread::scope(|s| -> Result<()> {
        let written = s.spawn(|| {
            predictions::write_columns(&dir.join(PREDICTIONS_FILE), &classes, &columns, |row, class| {
                shown.row(row)[class]
            })
        });
        let saved = (|| {
            artifacts::save(&featurizer, &dir.join(FEATURIZER_FILE))?;
            artifacts::save(&model, &dir.join(MODEL_FILE))?;
            crate::drift::Profile::fit(&data.inputs, &split.train, &featurizer, &eval_probs)?.save(dir)
        })();
        written.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?;
        saved
    })?;
    progress.finish();
    Ok(metrics)
}

/// Fits the featurizer and model on the `train` rows of `inputs` and predicts every row.
fn fit_once(
    inputs: &Inputs,
    y: &[usize],
    train: &[usize],
    settings: &FitSettings,
    progress: &dyn Progress,
) -> Result<Fitted> {
    // An encoder is costly to run: it encodes every sample once, not the training ones twice.
    let (featurizer, x) = match &settings.options.encoder {
        Some(spec) if !crate::features::pretrained::is_torchscript(spec) => {
            let spec = spec.to_string_lossy();
            let (encoder, x) = Pretrained::fit_transform(&spec, inputs, train, progress)?;
            (Featurizer::Pretrained(encoder), x)
        }
        Some(path) => {
            let max_tokens = settings.features.max_tokens;
            let (encoder, x) = Encoder::fit_transform(path, inputs, train, max_tokens, progress)?;
            (Featurizer::Encoder(encoder), x)
        }
        None => {
            let train_inputs = inputs.select(train)?;
            // Augmented table rows are made on imputed, one-hot rows; only without them do
            // gaps and categories go to a model that takes them as they are.
            let f = if settings.options.model.takes_gaps() && settings.augmenter.is_none() {
                Featurizer::fit_native(settings.method, settings.features, &train_inputs, progress)?
            } else {
                Featurizer::fit(settings.method, settings.features, &train_inputs, progress)?
            };
            let x = f.transform(inputs, progress)?;
            (f, x)
        }
    };
    let y: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    let fitting = std::time::Instant::now();
    let model = fit_model(&featurizer, inputs, train, y, &x, settings, progress)?;
    let fit_seconds = fitting.elapsed().as_secs_f64();
    progress.stage("predicting", None);
    let predicting = std::time::Instant::now();
    let probs = model.predict_proba_fitted(&x, train)?;
    let predict_seconds = predicting.elapsed().as_secs_f64();
    progress.finish();
    let timing = Timing { fit_seconds, predict_seconds_per_1000: predict_seconds * 1000.0 / x.rows().max(1) as f64 };
    Ok(Fitted { model, featurizer, probs, timing })
}

/// What one fit made, and how long the model took to fit and to predict.
struct Fitted {
    model: Model,
    featurizer: Featurizer,
    probs: Probabilities,
    timing: Timing,
}

/// Fits the model on the training rows of `x` (classes `y`), with the augmentations.
fn fit_model(
    featurizer: &Featurizer,
    inputs: &Inputs,
    train: &[usize],
    y: Vec<usize>,
    x: &crate::features::Matrix,
    settings: &FitSettings,
    progress: &dyn Progress,
) -> Result<Model> {
    let x_train = x.select(train);
    let options = settings.options;
    // A CNN sees a fresh augmented version of each training image every epoch; the other
    // models get the copies made up front.
    let per_epoch = match settings.augmenter {
        Some(augmenter) if augments_per_epoch(options.model) => augmenter.per_epoch(featurizer, inputs, train)?,
        _ => None,
    };
    let (x_fit, y_fit) = match settings.augmenter {
        Some(augmenter) if per_epoch.is_none() => {
            let (extra, extra_y) = augmenter.rows(featurizer, inputs, train, &y, &x_train, progress)?;
            (x_train.stack(&extra), [y, extra_y].concat())
        }
        _ => (x_train, y),
    };
    let scales = featurizer.column_scales();
    let categorical = featurizer.categorical_mask();
    let fit = Fit {
        seed: options.seed,
        device: options.device,
        torch: settings.torch.clone(),
        per_epoch: per_epoch.as_deref(),
        scales: scales.as_deref(),
        categorical: categorical.as_deref(),
    };
    Model::fit(options.model, &x_fit, &y_fit, settings.classes, &fit, progress)
}

struct FitSettings<'a> {
    method: Method,
    features: &'a Settings,
    options: &'a TrainOptions,
    classes: usize,
    augmenter: Option<&'a Augmenter<'a>>,
    torch: &'a crate::models::TorchSettings,
}

/// Stratified K-fold cross-validation over the labelled samples: out-of-fold probabilities
/// (rows in the order of `labelled`) and a summary for metrics.json.
fn cross_validate(
    data: &Dataset,
    labelled: &[usize],
    k: usize,
    settings: &FitSettings,
    class_names: &[String],
    width: usize,
    progress: &dyn Progress,
) -> Result<(Probabilities, serde_json::Value)> {
    let inputs = data.inputs.select(labelled)?;
    let y: Vec<usize> = labelled.iter().map(|&i| data.given[i].expect("labelled")).collect();
    let fold = split::folds(&y, k, settings.options.seed);
    let mut oof = Probabilities::new(class_names.len(), vec![0.0; labelled.len() * class_names.len()]);
    // The folds fit side by side (see `folds_at_once`), each in silence: their stages and
    // losses would garble the run's own.
    let counter = crate::progress::Counter::start(progress, &format!("cross-validation: {k} folds"), k);
    let fit_fold = |f: &usize| -> Result<Option<(Vec<usize>, Probabilities)>> {
        let (held, rest): (Vec<usize>, Vec<usize>) = (0..labelled.len()).partition(|&i| fold[i] == *f);
        if held.is_empty() {
            return Ok(None);
        }
        let fitted = fit_once(&inputs, &y, &rest, settings, &crate::progress::Silent)?;
        counter.tick();
        let held_probs = select_rows(&fitted.probs, &held);
        Ok(Some((held, held_probs)))
    };
    // A libtorch model has the device to itself: its folds take turns.
    let at_once = if settings.options.model.needs_torch() { 1 } else { folds_at_once(k, labelled.len(), width) };
    let all: Vec<usize> = (0..k).collect();
    let mut scored: Vec<Option<(Vec<usize>, Probabilities)>> = Vec::with_capacity(k);
    for group in all.chunks(at_once) {
        scored.extend(group.par_iter().map(fit_fold).collect::<Result<Vec<_>>>()?);
    }
    let scored: Vec<(Vec<usize>, Probabilities)> = scored.into_iter().flatten().collect();
    counter.finish();
    let (mut accuracies, mut f1s) = (Vec::with_capacity(k), Vec::with_capacity(k));
    for (held, held_probs) in &scored {
        let held_y: Vec<usize> = held.iter().map(|&i| y[i]).collect();
        let fold_metrics = metrics::compute(class_names, &held_y, held_probs);
        accuracies.push(fold_metrics.accuracy);
        f1s.push(fold_metrics.macro_f1);
        oof.scatter(held, held_probs);
    }
    let (mean, sd) = mean_and_std(&accuracies);
    let (f1_mean, f1_sd) = mean_and_std(&f1s);
    let summary = json!({
        "folds": k,
        "fold_accuracy": accuracies,
        "accuracy_mean": mean,
        "accuracy_std": sd,
        "fold_macro_f1": f1s,
        "macro_f1_mean": f1_mean,
        "macro_f1_std": f1_sd,
        "out_of_fold": metrics::compute(class_names, &y, &oof),
    });
    Ok((oof, summary))
}

/// How many of `k` folds fit at once: one a core, fewer when the free memory would not hold
/// that many folds' features (`rows` × `width` floats each, and as much again twice over for
/// the copies and the model).
fn folds_at_once(k: usize, rows: usize, width: usize) -> usize {
    let per_fold = (rows as u64).saturating_mul(width as u64).saturating_mul(4 * 3).max(1);
    let by_memory = available_memory().map_or(usize::MAX, |free| (free / per_fold).max(1) as usize);
    k.min(rayon::current_num_threads()).min(by_memory).max(1)
}

/// Bytes of memory the system can give without swapping (Linux's `MemAvailable`).
pub(crate) fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

fn mean_and_std(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    (mean, (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt())
}

fn select_rows(p: &Probabilities, rows: &[usize]) -> Probabilities {
    let data = rows.iter().flat_map(|&i| p.row(i).iter().copied()).collect();
    Probabilities::new(p.classes(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_fit_one_a_core_unless_memory_is_short() {
        let cores = rayon::current_num_threads();
        assert_eq!(folds_at_once(5, 100, 10), 5.min(cores), "small folds: as many as cores");
        assert_eq!(folds_at_once(1, 100, 10), 1);
        if available_memory().is_some() {
            // A fold of 10^12 floats fits nowhere: one at a time.
            assert_eq!(folds_at_once(5, 1_000_000, 1_000_000), 1);
        }
    }
}
