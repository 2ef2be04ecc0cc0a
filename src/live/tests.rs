use super::*;
use crate::labels::store::Origin;
use crate::project::init::{InitOptions, init};

/// A table project: two well separated classes of points, `n` rows.
fn project(n: usize) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,y\n");
    for i in 0..n {
        let (cx, cy) = if i % 2 == 0 { (0.0, 0.0) } else { (5.0, 5.0) };
        text.push_str(&format!("{},{}\n", cx + (i % 7) as f64 * 0.1, cy - (i % 5) as f64 * 0.1));
    }
    std::fs::write(dir.path().join("points.csv"), text).unwrap();
    let opts = InitOptions {
        dir: dir.path().join("p"),
        source: dir.path().join("points.csv"),
        classes: Some(vec!["low".into(), "high".into()]),
        ..Default::default()
    };
    let (project, _) = init(&opts, &Silent).unwrap();
    (dir, project)
}

fn label(project: &Project, pairs: &[(usize, &str)]) {
    let mut store = project.labels().unwrap();
    for (id, class) in pairs {
        store.set(&id.to_string(), Some(class), Origin::Cli).unwrap();
    }
}

#[test]
fn one_class_is_not_enough() {
    let (_dir, project) = project(40);
    let e = refit(&project, &Silent).unwrap_err();
    assert!(e.message().contains("label at least one sample of two classes"), "{}", e.message());
    label(&project, &[(0, "low"), (2, "low")]);
    let e = refit(&project, &Silent).unwrap_err();
    assert!(e.message().contains("1 class"), "{}", e.message());
}

#[test]
fn a_refit_predicts_every_sample_and_keeps_its_history() {
    let (_dir, project) = project(60);
    label(&project, &[(0, "low"), (1, "high")]);
    let first = refit(&project, &Silent).unwrap();
    assert_eq!((first.labels, first.accuracy), (2, None), "one label a class: no folds to score with");
    label(&project, &[(2, "low"), (3, "high"), (4, "low"), (5, "high"), (6, "low"), (7, "high")]);
    let second = refit(&project, &Silent).unwrap();
    assert_eq!(second.labels, 8);
    assert_eq!(second.accuracy, Some(1.0), "separable points");
    let live = state::read(project.root()).unwrap().unwrap();
    assert_eq!(live.refit, second);
    assert_eq!(live.predictions.by_id.len(), 60, "every sample, labelled or not");
    for i in 8..60 {
        let p = &live.predictions.by_id[&i.to_string()];
        assert_eq!(p.predicted, if i % 2 == 0 { "low" } else { "high" }, "sample {i}");
        assert_eq!(p.split, "unlabelled");
    }
    let history = state::history(project.root());
    assert_eq!(history.iter().map(|r| r.labels).collect::<Vec<_>>(), [2, 8]);
    assert!(!project.root().join("runs").exists(), "the live model is not a run");
}

#[test]
fn features_are_cached_until_the_data_changes() {
    let (dir, project) = project(30);
    label(&project, &[(0, "low"), (1, "high")]);
    refit(&project, &Silent).unwrap();
    let cache = super::dir(project.root()).join("features.bin");
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    label(&project, &[(2, "low")]);
    refit(&project, &Silent).unwrap();
    assert_eq!(std::fs::metadata(&cache).unwrap().modified().unwrap(), written, "labels do not change the rows");
    // New data: the rows are computed again.
    let csv = dir.path().join("points.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("9,9\n");
    std::fs::write(&csv, text).unwrap();
    let project = Project::open(project.root()).unwrap();
    refit(&project, &Silent).unwrap();
    assert_eq!(state::read(project.root()).unwrap().unwrap().predictions.by_id.len(), 31);
}
