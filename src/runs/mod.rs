//! Run directories (`runs/<id>/`): training a run, what it leaves behind, listing runs, and
//! applying a finished run to new data.

pub mod active;
pub mod artifacts;
pub mod clock;
pub mod dataset;
pub mod detail;
pub mod detector;
pub mod events;
pub mod predict;
pub mod record;
pub mod report;
pub mod sweep;
pub mod train;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use detail::{Drill, RunDetail, Scored, detail};

pub const RUNS_DIR: &str = "runs";

/// The run directory of run `id`.
pub fn dir(project_root: &Path, id: &str) -> PathBuf {
    project_root.join(RUNS_DIR).join(id)
}

/// Whether a run directory holds a finished run: its `run.json` says `"status": "finished"`.
/// A run directory without a readable `run.json` is someone else's business, not an error.
pub fn is_finished(run_dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(run_dir.join("run.json")) else { return false };
    serde_json::from_str::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("status").and_then(|s| s.as_str()) == Some("finished"))
}

/// Ids of the runs in `runs/`, oldest first (run ids start with their start time).
pub fn ids(project_root: &Path) -> Result<Vec<String>> {
    let runs = project_root.join(RUNS_DIR);
    let Ok(entries) = std::fs::read_dir(&runs) else { return Ok(Vec::new()) };
    let mut ids: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    ids.sort_by(|a, b| crate::natural::compare(a, b));
    Ok(ids)
}

/// The run that finished last, if one has: ids order runs by their start only to the second
/// (a sweep starts many in one), so the record's last write decides, then the id.
pub fn latest_finished(project_root: &Path) -> Result<Option<String>> {
    let finished_at = |id: &String| {
        let run = dir(project_root, id);
        let modified = std::fs::metadata(run.join("run.json")).and_then(|m| m.modified()).ok();
        is_finished(&run).then_some(modified)
    };
    let ids = ids(project_root)?;
    let latest = ids.iter().enumerate().filter_map(|(i, id)| Some((finished_at(id)?, i))).max();
    Ok(latest.map(|(_, i)| ids[i].clone()))
}

/// One line of `kindling runs`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunSummary {
    pub id: String,
    /// running | finished | failed | cancelled | stopped (running, but its process is gone)
    pub status: String,
    /// The training process of a running run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    pub model: String,
    pub features: String,
    pub started: String,
    pub seconds: Option<f64>,
    pub labelled: usize,
    /// The dataset version trained on: the source fingerprint's start and the label events.
    pub data: String,
    pub accuracy: Option<f64>,
    pub macro_f1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The sweep the run is part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<String>,
    /// Mean and standard deviation of fold accuracy, for a run with `--folds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv_accuracy: Option<(f64, f64)>,
    /// Mean fold macro F1, for a run with `--folds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv_macro_f1: Option<f64>,
}

/// Every run with a readable run.json, oldest first.
pub fn list(project_root: &Path) -> Result<Vec<RunSummary>> {
    let mut out = Vec::new();
    for id in ids(project_root)? {
        let d = dir(project_root, &id);
        let Ok(r) = record::RunRecord::read(&d) else { continue };
        let metrics: Option<serde_json::Value> =
            std::fs::read_to_string(d.join(train::METRICS_FILE)).ok().and_then(|t| serde_json::from_str(&t).ok());
        let score = |key: &str| metrics.as_ref().and_then(|m| m.get(key)).and_then(|v| v.as_f64());
        let cv = |key: &str| metrics.as_ref()?.get("cross_validation")?.get(key)?.as_f64();
        // A run whose process died without a word (killed, machine rebooted) never finishes.
        let status = match r.pid {
            Some(pid) if r.status == "running" && !active::process_alive(pid) => "stopped".to_string(),
            _ => r.status,
        };
        out.push(RunSummary {
            pid: r.pid.filter(|_| status == "running"),
            status,
            accuracy: score("accuracy"),
            macro_f1: score("macro_f1"),
            id,
            model: r.model,
            features: r.features,
            started: r.started,
            seconds: r.seconds,
            labelled: r.dataset.labelled,
            data: crate::project::data_version(&r.dataset.fingerprint, r.dataset.label_events),
            error: r.error,
            sweep: r.sweep,
            cv_accuracy: cv("accuracy_mean").zip(cv("accuracy_std")),
            cv_macro_f1: cv("macro_f1_mean"),
        });
    }
    Ok(out)
}

/// A run named on the command line: its id, a unique prefix of one, or `latest` (the newest
/// finished run).
pub fn resolve(project_root: &Path, name: &str) -> Result<String> {
    let all = ids(project_root)?;
    if name == "latest" {
        return latest_finished(project_root)?
            .ok_or_else(|| Error::user("no finished run yet; train one with `kindling train DIR --model logistic`"));
    }
    if all.iter().any(|id| id == name) {
        return Ok(name.to_string());
    }
    let matching: Vec<&String> = all.iter().filter(|id| id.starts_with(name)).collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::user(format!(
            "no run '{name}' in {}; `kindling runs {}` lists them",
            project_root.join(RUNS_DIR).display(),
            project_root.display()
        ))),
        many => Err(Error::user(format!(
            "'{name}' names {} runs ({}); give more of the id",
            many.len(),
            crate::text::first_few(&many.iter().map(|s| s.to_string()).collect::<Vec<_>>(), 3)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_finished_run_is_the_newest_whose_run_json_says_so() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(latest_finished(root.path()).unwrap(), None, "no runs/ at all");
        let write = |id: &str, status: &str| {
            let d = dir(root.path(), id);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("run.json"), format!(r#"{{"status": "{status}"}}"#)).unwrap();
        };
        write("20261101-090000-logistic", "finished");
        write("20261102-090000-knn", "finished");
        write("20261103-090000-knn", "running");
        std::fs::create_dir_all(dir(root.path(), "20261104-broken")).unwrap();
        assert_eq!(latest_finished(root.path()).unwrap().as_deref(), Some("20261102-090000-knn"));
        // Started first, finished last: the one that finished last is the latest.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("20261101-090000-logistic", "finished");
        assert_eq!(latest_finished(root.path()).unwrap().as_deref(), Some("20261101-090000-logistic"));
    }
}
