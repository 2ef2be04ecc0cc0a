//! Run directories (`runs/<id>/`): what finished runs left behind, for the panes that use a
//! model's predictions (active learning and review in the Label pane).

pub mod predictions;

use std::path::{Path, PathBuf};

use crate::error::Result;

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

/// The newest finished run, if there is one.
pub fn latest_finished(project_root: &Path) -> Result<Option<String>> {
    Ok(ids(project_root)?.into_iter().rev().find(|id| is_finished(&dir(project_root, id))))
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
    }
}
