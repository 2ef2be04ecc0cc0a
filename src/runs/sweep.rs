//! `kindling sweep`: every applicable CPU baseline × featurizer, each a normal run with
//! stratified K-fold cross-validation on the labelled samples, cheapest first, tagged with
//! the sweep's id; and the leaderboard of a sweep (best mean accuracy first).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::train::{self, TrainOptions};
use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::features::Method;
use crate::models::ModelKind;
use crate::progress::Progress;
use crate::project::Project;

/// The CPU baselines, cheapest to fit first.
const BY_COST: [ModelKind; 8] = [
    ModelKind::Majority,
    ModelKind::NaiveBayes,
    ModelKind::Logistic,
    ModelKind::LinearSvm,
    ModelKind::DecisionTree,
    ModelKind::Knn,
    ModelKind::RandomForest,
    ModelKind::GradientBoosting,
];

pub struct SweepOptions {
    /// `all` or model names.
    pub models: Vec<String>,
    /// `all` or featurizer names (`auto` the kind's default).
    pub features: Vec<String>,
    pub folds: usize,
    pub seed: u64,
    /// No run starts once this much time has passed.
    pub budget: Option<Duration>,
    /// A pre-trained encoder for the `encoder` features (else the project's `[features]
    /// encoder`); given alone, the sweep is over the encoder's vectors.
    pub encoder: Option<String>,
}

/// One row of the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub run: String,
    pub model: String,
    pub features: String,
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub macro_f1_mean: f64,
    pub macro_f1_std: f64,
    /// The whole run: every fold's fit and the final fit.
    pub seconds: f64,
    /// The final model's fit (featurizing left out).
    pub fit_seconds: f64,
    /// The final model's predictions, per 1,000 samples.
    pub predict_seconds_per_1000: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    pub id: String,
    /// Best first.
    pub entries: Vec<Entry>,
    /// Combinations that failed, with why (`model on features: reason`).
    pub failed: Vec<String>,
    /// Combinations not started because the budget ran out.
    pub skipped: usize,
}

/// The (model, featurizer) pairs a sweep trains.
pub type Pairs = Vec<(ModelKind, Method)>;

/// The pairs a sweep trains, cheapest model first, and those left out as `model on
/// features`. Nothing to train but pairs left out is an error saying why.
pub fn plan(project: &Project, options: &SweepOptions) -> Result<(Pairs, Vec<String>)> {
    let kind = project.config.source.kind;
    let all = |v: &[String]| v.is_empty() || v.iter().any(|s| s == "all");
    let models: Vec<ModelKind> = if all(&options.models) {
        BY_COST.to_vec()
    } else {
        let mut chosen = Vec::new();
        for name in &options.models {
            let model = ModelKind::parse(name)?;
            if model.needs_torch() {
                return Err(Error::user(format!(
                    "{name}: a sweep trains the CPU baselines; train it with `kindling train`"
                )));
            }
            chosen.push(model);
        }
        chosen.sort_by_key(|m| BY_COST.iter().position(|c| c == m).unwrap_or(BY_COST.len()));
        chosen
    };
    let encoder = sweep_encoder(project, options);
    let only_encoder = options.encoder.is_some() && options.features.iter().all(|f| f == "auto");
    let mut methods: Vec<Method> = if only_encoder {
        Vec::new()
    } else if all(&options.features) {
        Method::ALL.into_iter().filter(|m| Method::choose(m.name(), kind).is_ok()).collect()
    } else {
        options.features.iter().filter(|f| *f != "encoder").map(|f| Method::choose(f, kind)).collect::<Result<_>>()?
    };
    let wants_encoder = only_encoder || options.features.iter().any(|f| f == "encoder") || all(&options.features);
    match (&encoder, wants_encoder) {
        (Some(_), true) if matches!(kind, SourceKind::Text | SourceKind::Images) => methods.push(Method::Encoder),
        (None, true) if options.features.iter().any(|f| f == "encoder") => {
            return Err(Error::user(
                "--features encoder: this project names no encoder; give --encoder NAME or set [features] encoder",
            ));
        }
        _ => {}
    }
    let (mut pairs, mut left_out) = (Vec::new(), Vec::new());
    for &model in &models {
        for &method in &methods {
            // Boosting takes dense features only.
            if model == ModelKind::GradientBoosting && method == Method::Tfidf {
                left_out.push(format!("{} on {}", model.name(), method.name()));
            } else if !pairs.contains(&(model, method)) {
                pairs.push((model, method));
            }
        }
    }
    if pairs.is_empty() && !left_out.is_empty() {
        return Err(Error::user(crate::models::boosting::NOT_FOR_SPARSE));
    }
    Ok((pairs, left_out))
}

/// The encoder a sweep's `encoder` features use: the one given, else the project's.
fn sweep_encoder(project: &Project, options: &SweepOptions) -> Option<String> {
    options.encoder.clone().or_else(|| project.config.features.encoder.clone())
}

/// Runs sweep `id` (from [`new_id`]); `said` hears of each run as it starts, with the time
/// gone and an estimate of the time left.
pub fn run(
    project: &Project,
    options: &SweepOptions,
    id: &str,
    progress: &dyn Progress,
    said: &dyn Fn(&str),
) -> Result<Sweep> {
    if options.folds < 2 {
        return Err(Error::user("--folds: a sweep needs at least 2"));
    }
    let (pairs, left_out) = plan(project, options)?;
    for pair in &left_out {
        said(&format!("{pair} left out: boosting is for dense features, not sparse TF-IDF"));
    }
    let id = id.to_string();
    let started = Instant::now();
    let (mut entries, mut failed, mut skipped) = (Vec::new(), Vec::new(), 0);
    for (i, (model, method)) in pairs.iter().enumerate() {
        if options.budget.is_some_and(|b| started.elapsed() >= b) {
            skipped = pairs.len() - i;
            break;
        }
        said(&format!(
            "[{}/{}] {} on {} … ({})",
            i + 1,
            pairs.len(),
            model.name(),
            method.name(),
            eta(started.elapsed(), i, pairs.len())
        ));
        let encoder = (*method == Method::Encoder).then(|| sweep_encoder(project, options)).flatten();
        let train_options = TrainOptions {
            model: *model,
            features: if encoder.is_some() { "auto".into() } else { method.name().into() },
            encoder: encoder.map(std::path::PathBuf::from),
            seed: options.seed,
            folds: Some(options.folds),
            augment: false,
            sweep: Some(id.clone()),
            ..TrainOptions::default()
        };
        match train::train(project, &train_options, progress) {
            Ok(trained) => match entry(project, &trained.run)? {
                Some(e) => entries.push(e),
                None => failed.push(format!("{} on {}: no cross-validation scores", model.name(), method.name())),
            },
            Err(e) => failed.push(format!("{} on {}: {e}", model.name(), method.name())),
        }
    }
    rank(&mut entries);
    Ok(Sweep { id, entries, failed, skipped })
}

/// `12 s gone, about 40 s left` after `done` of `total` runs: the runs left at the mean time
/// of those done (the costly models come last, so it errs short).
fn eta(gone: Duration, done: usize, total: usize) -> String {
    let gone_s = gone.as_secs_f64();
    if done == 0 {
        return format!("{} runs", total);
    }
    let left = gone_s / done as f64 * (total - done) as f64;
    format!("{:.0} s gone, at least {:.0} s left", gone_s, left)
}

/// `sweep-<time>`, with `-2`, `-3`… when a sweep of that second exists.
pub fn new_id(project: &Project) -> Result<String> {
    let base = format!("sweep-{}", super::clock::compact(super::clock::now()));
    let taken: std::collections::HashSet<String> = super::list(project.root())?
        .iter()
        .filter_map(|r| super::record::RunRecord::read(&super::dir(project.root(), &r.id)).ok()?.sweep)
        .collect();
    Ok((1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !taken.contains(id))
        .unwrap_or(base))
}

/// The leaderboard row of a finished run, from its record and metrics.
fn entry(project: &Project, run: &str) -> Result<Option<Entry>> {
    let dir = super::dir(project.root(), run);
    let record = super::record::RunRecord::read(&dir)?;
    let path = dir.join(train::METRICS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
    let metrics: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::file(&path, e))?;
    let cv = &metrics["cross_validation"];
    let number = |k: &str| cv[k].as_f64();
    Ok(number("accuracy_mean").map(|accuracy_mean| Entry {
        run: run.to_string(),
        model: record.model.clone(),
        features: record.features.clone(),
        accuracy_mean,
        accuracy_std: number("accuracy_std").unwrap_or(0.0),
        macro_f1_mean: number("macro_f1_mean").unwrap_or(0.0),
        macro_f1_std: number("macro_f1_std").unwrap_or(0.0),
        seconds: record.seconds.unwrap_or(0.0),
        fit_seconds: record.timing.map_or(0.0, |t| t.fit_seconds),
        predict_seconds_per_1000: record.timing.map_or(0.0, |t| t.predict_seconds_per_1000),
    }))
}

/// Best mean accuracy first; ties by macro F1, then the cheaper run.
fn rank(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.accuracy_mean
            .total_cmp(&a.accuracy_mean)
            .then(b.macro_f1_mean.total_cmp(&a.macro_f1_mean))
            .then(a.seconds.total_cmp(&b.seconds))
    });
}

/// The leaderboard of sweep `id`, read back from its runs.
pub fn leaderboard(project: &Project, id: &str) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for summary in super::list(project.root())? {
        let dir = super::dir(project.root(), &summary.id);
        let Ok(record) = super::record::RunRecord::read(&dir) else { continue };
        if record.sweep.as_deref() == Some(id)
            && record.status == "finished"
            && let Some(e) = entry(project, &summary.id)?
        {
            entries.push(e);
        }
    }
    if entries.is_empty() {
        return Err(Error::user(format!("no finished run of sweep {id}; `kindling runs DIR` lists the runs")));
    }
    rank(&mut entries);
    Ok(entries)
}

/// Whether the top two are within one standard deviation of each other.
pub fn too_close_to_call(entries: &[Entry]) -> bool {
    match entries {
        [a, b, ..] => a.accuracy_mean - b.accuracy_mean <= a.accuracy_std.max(b.accuracy_std),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(model: &str, acc: f64, f1: f64, secs: f64) -> Entry {
        Entry {
            run: model.into(),
            model: model.into(),
            features: "table".into(),
            accuracy_mean: acc,
            accuracy_std: 0.02,
            macro_f1_mean: f1,
            macro_f1_std: 0.0,
            seconds: secs,
            fit_seconds: secs,
            predict_seconds_per_1000: 0.0,
        }
    }

    #[test]
    fn the_leaderboard_ranks_by_accuracy_then_f1_then_cost() {
        let mut v =
            vec![e("a", 0.80, 0.7, 1.0), e("b", 0.90, 0.8, 9.0), e("c", 0.90, 0.8, 2.0), e("d", 0.90, 0.9, 5.0)];
        rank(&mut v);
        assert_eq!(v.iter().map(|x| x.model.as_str()).collect::<Vec<_>>(), ["d", "c", "b", "a"]);
        assert!(too_close_to_call(&v), "0.90 and 0.90");
        assert!(!too_close_to_call(&[e("x", 0.95, 0.9, 1.0), e("y", 0.80, 0.8, 1.0)]));
    }
}
