//! `kindling train`, `runs`, `show` and `predict`.

use std::path::Path;

use kindling::progress::Progress;
use kindling::project::Project;
use kindling::runs::train::{TrainOptions, train as train_run};
use kindling::runs::{self, predict};
use kindling::{Error, Result};
use serde_json::json;

use super::output::{print, print_json};
use super::progress::TermProgress;

pub fn train(dir: &Path, options: &TrainOptions, as_json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    cancel_on_signals();
    let progress = TermProgress::new();
    let trained = train_run(&project, options, &progress)?;
    progress.finish();
    if as_json {
        print_json(&json!({ "run": trained.run, "metrics": trained.metrics }));
        return Ok(());
    }
    let r = &trained.record;
    let m = &trained.metrics;
    let mut text = format!(
        "run {} ({} on {} features, {:.1} s)\n",
        trained.run,
        r.model,
        r.features_said(),
        r.seconds.unwrap_or(0.0)
    );
    text += &format!(
        "trained on {}, scored on {} ({} split)\n",
        super::output::count(r.dataset.train as u64, "sample"),
        r.dataset.evaluated,
        r.dataset.evaluated_split
    );
    text += &format!(
        "accuracy {:.3}  balanced {:.3}  macro F1 {:.3}  log loss {:.3}\n",
        m.accuracy, m.balanced_accuracy, m.macro_f1, m.log_loss
    );
    for note in &r.notes {
        text += &format!("note: {note}\n");
    }
    text += &format!("details: kindling show {} {}\n", dir.display(), trained.run);
    print(&text);
    Ok(())
}

/// Ctrl-C, `kill` (the Train pane's cancel key) or a closed terminal mark the run being
/// trained `cancelled` before the process ends, so it is never left `running`.
pub(crate) fn cancel_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if let Some(id) = runs::active::cancel() {
                eprintln!("\nkindling: run {id} cancelled");
            }
            std::process::exit(128 + signal);
        }
    });
}

pub fn list(dir: &Path, as_json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let runs = runs::list(project.root())?;
    if as_json {
        print_json(&runs);
        return Ok(());
    }
    if runs.is_empty() {
        print(&format!("no runs yet; train one with `kindling train {} --model logistic`\n", dir.display()));
        return Ok(());
    }
    let score = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    let mut rows =
        vec![["run", "status", "model", "features", "labelled", "accuracy", "macro F1"].map(String::from).to_vec()];
    for r in &runs {
        rows.push(vec![
            r.id.clone(),
            r.status.clone(),
            r.model.clone(),
            r.features.clone(),
            r.labelled.to_string(),
            score(r.accuracy),
            score(r.macro_f1),
        ]);
    }
    print(&table(&rows));
    Ok(())
}

pub fn show(dir: &Path, run: &str, as_json: bool, png: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    let id = runs::resolve(project.root(), run)?;
    let runs::RunDetail { record, metrics, confusion, since, .. } = runs::detail(project.root(), &id)?;
    if let Some(path) = png {
        let title = format!("{id}: {} split, {} samples", record.dataset.evaluated_split, record.dataset.evaluated);
        kindling::eval::confusion_png::write(&confusion, &title, path)?;
        eprintln!("wrote the confusion matrix of run {id} to {}", path.display());
    }
    if as_json {
        print_json(&json!({ "run": record, "metrics": metrics, "confusion": confusion.counts }));
        return Ok(());
    }
    let f = |key: &str| metrics[key].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
    let mut text = format!(
        "run {id}: {} on {} features, seed {}\n{} samples, {} labelled; trained on {}, scored on {} ({} split)\n\n",
        record.model,
        record.features_said(),
        record.seed,
        record.dataset.samples,
        record.dataset.labelled,
        record.dataset.train,
        record.dataset.evaluated,
        record.dataset.evaluated_split
    );
    let detector = record.model == kindling::runs::detector::MODEL_NAME;
    if detector {
        text += &format!("mAP@0.5 {}  mAP@[.5:.95] {} (held-out images, boxes)\n", f("map50"), f("map"));
    } else {
        text += &format!(
            "accuracy {}  balanced accuracy {}  log loss {}\nmacro precision {}  macro recall {}  macro F1 {}  weighted F1 {}\n",
            f("accuracy"),
            f("balanced_accuracy"),
            f("log_loss"),
            f("macro_precision"),
            f("macro_recall"),
            f("macro_f1"),
            f("weighted_f1")
        );
    }
    if let Some(cv) = metrics.get("cross_validation") {
        text += &format!(
            "cross-validation: {} folds, accuracy {:.3} ± {:.3}\n",
            cv["folds"],
            cv["accuracy_mean"].as_f64().unwrap_or(0.0),
            cv["accuracy_std"].as_f64().unwrap_or(0.0)
        );
    }
    let mut per_class = vec![["class", "precision", "recall", "F1", "support"].map(String::from).to_vec()];
    for class in &confusion.classes {
        let m = &metrics["per_class"][class];
        let v = |k: &str| m[k].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
        let name = match since.get(class) {
            Some(now) => format!("{class} {now}"),
            None => class.clone(),
        };
        if m.is_null() {
            continue;
        }
        per_class.push(vec![name, v("precision"), v("recall"), v("f1"), m["support"].to_string()]);
    }
    if detector {
        let mut aps = vec![["class", "boxes", "AP50", "AP"].map(String::from).to_vec()];
        for c in metrics.pointer("/evaluation/per_class").and_then(|v| v.as_array()).into_iter().flatten() {
            let v = |k: &str| c[k].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
            aps.push(vec![c["class"].as_str().unwrap_or("").to_string(), c["boxes"].to_string(), v("ap50"), v("ap")]);
        }
        text += &format!("\n{}", table(&aps));
    }
    text += &format!("\n{}", table(&per_class));
    let mut matrix =
        vec![std::iter::once("given \\ predicted".to_string()).chain(confusion.classes.iter().cloned()).collect()];
    for (class, row) in confusion.classes.iter().zip(&confusion.counts) {
        matrix.push(std::iter::once(class.clone()).chain(row.iter().map(u64::to_string)).collect());
    }
    let axes = if detector {
        "boxes at IoU 0.5; rows: labelled, columns: found; background: found where nothing is labelled, or nothing found"
    } else {
        "rows: given, columns: predicted"
    };
    text += &format!("\nconfusion matrix ({axes})\n{}", table(&matrix));
    for note in &record.notes {
        text += &format!("note: {note}\n");
    }
    print(&text);
    Ok(())
}

/// `show --label-issues`: suspected label errors of a run with out-of-fold predictions.
pub fn label_issues(dir: &Path, run: &str, as_json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let id = runs::resolve(project.root(), run)?;
    let detail = runs::detail(project.root(), &id)?;
    let Some(issues) = detail.issues else {
        if let (Some(_), Some(problem)) = (detail.record.folds, detail.drill.problem) {
            return Err(kindling::Error::user(problem));
        }
        return Err(kindling::Error::user(format!(
            "run {id} has no out-of-fold predictions to judge labels by; train with --folds 5 (e.g. `kindling train {} --model {} --folds 5`)",
            dir.display(),
            detail.record.model
        )));
    };
    if as_json {
        print_json(&issues);
        return Ok(());
    }
    if issues.is_empty() {
        print(&format!("run {id}: no suspected label errors\n"));
        return Ok(());
    }
    let mut rows = vec![["id", "given", "suggested", "self-confidence"].map(String::from).to_vec()];
    for i in &issues {
        rows.push(vec![i.id.clone(), i.given.clone(), i.suggested.clone(), format!("{:.3}", i.self_confidence)]);
    }
    print(&format!("run {id}: {} suspected label errors, worst first\n{}", issues.len(), table(&rows)));
    Ok(())
}

pub fn report(dir: &Path, run: &str, path: &Path) -> Result<()> {
    let project = Project::open(dir)?;
    let id = runs::resolve(project.root(), run)?;
    let beside = runs::report::write(&project, &id, path)?;
    eprintln!("wrote the report of run {id} to {}", path.display());
    for picture in beside {
        eprintln!("  with {}", picture.display());
    }
    Ok(())
}

pub fn predict(dir: &Path, run: &str, input: &Path, output: Option<&Path>, drift: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    let id = runs::resolve(project.root(), run)?;
    let run_dir = runs::dir(project.root(), &id);
    if kindling::runs::record::RunRecord::read(&run_dir)?.model == kindling::runs::detector::MODEL_NAME {
        return super::detector::predict(&run_dir, input, output, 0.05);
    }
    project.config.require_classify("`kindling predict` with a classifier run")?;
    let progress = TermProgress::new();
    let applied = predict::apply(&runs::dir(project.root(), &id), input, &progress)?;
    progress.finish();
    for file in &applied.skipped {
        eprintln!("kindling: skipped {}: {}", input.join(&file.id).display(), file.reason);
    }
    match (&applied.drift, drift) {
        (Some(report), path) => {
            if let Some(line) = report.warning() {
                eprintln!("kindling: warning: {line}");
            }
            if let Some(path) = path {
                let text = serde_json::to_string_pretty(report).map_err(|e| Error::internal(e.to_string()))?;
                std::fs::write(path, text + "\n").map_err(|e| Error::file(path, e))?;
            }
        }
        (None, Some(_)) => {
            return Err(Error::user(format!(
                "run {id} has no training profile (trained before drift checks); train again"
            )));
        }
        (None, None) => {}
    }
    match super::output::file_or_stdout(output) {
        Some(path) => {
            applied.write(Some(path), &mut std::io::sink())?;
            let n = super::output::count(applied.ids.len() as u64, "prediction");
            eprintln!("wrote {n} of run {id} to {}", path.display());
        }
        None => {
            let mut bytes = Vec::new();
            applied.write(None, &mut bytes)?;
            super::output::print_bytes(&bytes);
        }
    }
    Ok(())
}

/// Left-aligned columns, two spaces apart.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out += line.join("  ").trim_end();
        out.push('\n');
    }
    out
}
