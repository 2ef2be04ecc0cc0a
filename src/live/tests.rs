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
    let cache = project.root().join(".kindling/cache/vectors-table.bin");
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

#[test]
fn an_image_the_featurizer_cannot_read_is_left_out_and_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    for i in 0..12 {
        let shade = if i % 2 == 0 { 20 } else { 230 };
        let img = image::GrayImage::from_fn(8, 8, |x, _| image::Luma([shade + (x as u8 % 3)]));
        img.save(images.join(format!("{i:02}.png"))).unwrap();
    }
    let opts = InitOptions {
        dir: dir.path().join("p"),
        source: images.clone(),
        classes: Some(vec!["dark".into(), "light".into()]),
        ..Default::default()
    };
    let (project, _) = init(&opts, &Silent).unwrap();
    let mut store = project.labels().unwrap();
    for (id, class) in [("00.png", "dark"), ("01.png", "light"), ("02.png", "dark"), ("03.png", "light")] {
        store.set(id, Some(class), Origin::Cli).unwrap();
    }
    // Cut short after the files were listed (a sync that stopped): the listing passed it, the
    // featurizer cannot read it.
    let dataset = Dataset::load(&project).unwrap();
    let whole = std::fs::read(images.join("05.png")).unwrap();
    std::fs::write(images.join("05.png"), &whole[..40]).unwrap();
    let rows = crate::embed::all_rows(
        &project,
        &dataset,
        &crate::embed::Embedder::Features(crate::features::Method::Pixels),
        &Silent,
    )
    .unwrap();
    assert_eq!(rows.skipped.len(), 1, "{:?}", rows.skipped);
    assert!(rows.skipped[0].starts_with("05.png: cannot be read as an image"), "{}", rows.skipped[0]);
    assert_eq!(rows.kept, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    assert_eq!(rows.x.rows(), 11);
    let again = crate::embed::all_rows(
        &project,
        &dataset,
        &crate::embed::Embedder::Features(crate::features::Method::Pixels),
        &Silent,
    )
    .unwrap();
    assert_eq!((again.kept.len(), again.skipped.len()), (11, 0), "named once, not at every refit");
    let refit = refit(&project, &Silent).unwrap();
    assert_eq!(refit.labels, 4);
    let live = state::read(project.root()).unwrap().unwrap();
    assert!(!live.predictions.by_id.contains_key("05.png"), "the listing now leaves it out too");
    assert_eq!(live.predictions.by_id["07.png"].predicted, "light");
}

#[test]
fn a_refit_overtaken_by_one_on_later_labels_is_dropped() {
    let (_dir, project) = project(20);
    label(&project, &[(0, "low"), (1, "high")]);
    let early = refit(&project, &Silent).unwrap();
    label(&project, &[(2, "low"), (3, "high")]);
    let late = refit(&project, &Silent).unwrap();
    let dataset = Dataset::load(&project).unwrap();
    let classes = project.config.class_names();
    let old = crate::eval::predictions::Predictions { classes, by_id: Default::default() };
    state::write(project.root(), &dataset.ids, &old, &early).unwrap();
    assert_eq!(state::latest(project.root()).unwrap(), late, "the later labels' refit stays");
    assert_eq!(state::read(project.root()).unwrap().unwrap().predictions.by_id.len(), 20);
}

/// The points of `project`, the last `held_out` of `n` rows in the test split.
fn split_project(n: usize, held_out: usize) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,y,split\n");
    for i in 0..n {
        let (cx, cy) = if i.is_multiple_of(2) { (0.0, 0.0) } else { (5.0, 5.0) };
        let split = if i >= n - held_out { "test" } else { "train" };
        text.push_str(&format!("{},{},{split}\n", cx + (i % 7) as f64 * 0.1, cy - (i % 5) as f64 * 0.1));
    }
    std::fs::write(dir.path().join("points.csv"), text).unwrap();
    let opts = InitOptions {
        dir: dir.path().join("p"),
        source: dir.path().join("points.csv"),
        split_column: Some("split".into()),
        classes: Some(vec!["low".into(), "high".into()]),
        ..Default::default()
    };
    let (project, _) = init(&opts, &Silent).unwrap();
    (dir, project)
}

#[test]
fn held_out_labels_are_never_fitted_on_and_score_the_model() {
    let (_dir, project) = split_project(120, 40);
    let right = |i: usize| if i.is_multiple_of(2) { "low" } else { "high" };
    let wrong = |i: usize| if i.is_multiple_of(2) { "high" } else { "low" };
    label(&project, &(0..10).map(|i| (i, right(i))).collect::<Vec<_>>());
    // Every held-out label is the wrong class: fitted on, 40 of them would outvote the 10.
    label(&project, &(80..120).map(|i| (i, wrong(i))).collect::<Vec<_>>());
    let refit = refit(&project, &Silent).unwrap();
    assert_eq!((refit.labels, refit.held_out_labels, refit.held_out_scored), (10, 40, Some(40)));
    assert_eq!(refit.accuracy, Some(0.0), "scored on the held-out labels, which are all wrong");
    assert_eq!(refit.said(), "0.00 on 10 labels · held-out 40");
    let live = state::read(project.root()).unwrap().unwrap();
    for i in 10..80 {
        assert_eq!(
            live.predictions.by_id[&i.to_string()].predicted,
            right(i),
            "sample {i} follows the training labels"
        );
    }
    assert_eq!(live.predictions.by_id["100"].split, HELD_OUT);
    assert_eq!(live.predictions.by_id["20"].split, "unlabelled");
}

#[test]
fn below_thirty_held_out_labels_the_score_is_cross_validated_and_says_so() {
    let (_dir, project) = split_project(120, 40);
    let right = |i: usize| if i.is_multiple_of(2) { "low" } else { "high" };
    label(&project, &(0..12).chain(80..92).map(|i| (i, right(i))).collect::<Vec<_>>());
    let refit = refit(&project, &Silent).unwrap();
    assert_eq!((refit.labels, refit.held_out_labels, refit.held_out_scored), (12, 12, None));
    assert_eq!(refit.accuracy, Some(1.0), "three folds of the training labels");
    assert_eq!(refit.said(), "1.00 on 12 labels · cross-validated (held-out 12 < 30)");
    // Held-out labels alone cannot fit it.
    let (_dir, only) = split_project(120, 40);
    label(&only, &(80..90).map(|i| (i, right(i))).collect::<Vec<_>>());
    let e = super::refit(&only, &Silent).unwrap_err();
    assert!(too_few_classes(&e) && e.message().contains("of the training split"), "{}", e.message());
}

#[test]
fn a_labelled_sample_is_guessed_by_the_folds_that_did_not_fit_on_it() {
    // An echo asks a labelled sample again: its suggestion must not repeat the first answer.
    // A tree learns every label it fits on, so only the folds keep it blind.
    let (_dir, mut project) = project(60);
    project.config.live.model = "decision_tree".into();
    let mut pairs: Vec<(usize, &str)> = (0..30).map(|i| (i, if i % 2 == 0 { "low" } else { "high" })).collect();
    pairs[4].1 = "high";
    label(&project, &pairs);
    refit(&project, &Silent).unwrap();
    let live = state::read(project.root()).unwrap().unwrap();
    let p = &live.predictions.by_id["4"];
    assert_eq!((p.given.as_deref(), p.predicted.as_str()), (Some("high"), "low"), "sample 4 sits among the low points");
    assert_eq!(live.predictions.by_id["6"].predicted, "low");
}
