//! `train`, `runs`, `show` and `predict` on generated tables, texts, images and clips.

use std::path::{Path, PathBuf};

use super::*;

/// A CSV whose class follows from `size` and `colour`, with gaps and an empty column.
fn fruit_csv(path: &Path, rows: usize, seed: u64) {
    let mut text = String::from("id,size,colour,weight,nothing,label\n");
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..rows {
        let class = ["apple", "plum", "melon"][i % 3];
        let size = match class {
            "apple" => 7.0,
            "plum" => 4.0,
            _ => 20.0,
        } + next() * 2.0;
        let colour = match class {
            "plum" => "purple",
            _ if next() < 0.5 => "green",
            _ => "red",
        };
        let size = if next() < 0.1 { String::new() } else { format!("{size:.2}") };
        text += &format!("f{i},{size},{colour},{:.1},,{class}\n", next() * 100.0);
    }
    std::fs::write(path, text).unwrap();
}

fn fruit_project(dir: &Path) -> PathBuf {
    let csv = dir.join("fruit.csv");
    fruit_csv(&csv, 150, 1);
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--label-column", "label", "--id-column", "id"]);
    proj
}

fn run_dir(proj: &Path, run: &str) -> PathBuf {
    proj.join("runs").join(run)
}

#[test]
fn a_table_run_leaves_everything_needed_and_scores_well() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    let out = json(&["train", p(&proj), "--model", "logistic", "--seed", "3", "--json"]);
    let run = out["run"].as_str().unwrap().to_string();
    let keys: Vec<&String> = out["metrics"].as_object().unwrap().keys().collect();
    for key in [
        "accuracy",
        "balanced_accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "weighted_f1",
        "log_loss",
        "per_class",
    ] {
        assert!(keys.iter().any(|k| *k == key), "metrics lack {key}: {keys:?}");
    }
    assert!(out["metrics"]["accuracy"].as_f64().unwrap() >= 0.9, "{}", out["metrics"]);
    assert_eq!(out["metrics"]["per_class"]["plum"]["support"], 10, "20% of 50 plums are held out");

    let d = run_dir(&proj, &run);
    for file in [
        "run.json",
        "events.jsonl",
        "metrics.json",
        "confusion.csv",
        "predictions.parquet",
        "featurizer.bin",
        "model.bin",
    ] {
        assert!(d.join(file).is_file(), "{file} missing");
    }
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["status"], "finished");
    assert_eq!(record["seed"], 3);
    assert_eq!(record["dataset"]["label_events"], 150);
    assert_eq!(record["dataset"]["split"], "stratified");
    assert_eq!(record["config"]["source"]["label_column"], "label");
    assert!(record["notes"].to_string().contains("nothing"), "the empty column is noted: {}", record["notes"]);
    let events = std::fs::read_to_string(d.join("events.jsonl")).unwrap();
    assert!(events.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(events.lines().last().unwrap().contains("\"finished\""));
    let confusion = std::fs::read_to_string(d.join("confusion.csv")).unwrap();
    assert_eq!(confusion.lines().next(), Some("given,apple,melon,plum"));
    let total: u64 =
        confusion.lines().skip(1).flat_map(|l| l.split(',').skip(1)).map(|v| v.parse::<u64>().unwrap()).sum();
    assert_eq!(total, 30);

    let listed = json(&["runs", p(&proj), "--json"]);
    assert_eq!(listed[0]["id"], run.as_str());
    assert_eq!(listed[0]["model"], "logistic");
    let shown = ok(&["show", p(&proj), &run]);
    assert!(shown.contains("confusion matrix") && shown.contains("melon"), "{shown}");
    assert_eq!(json(&["show", p(&proj), "latest", "--json"])["confusion"].as_array().unwrap().len(), 3);
}

#[test]
fn the_same_seed_gives_the_same_metrics_for_every_model() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    let models = [
        "majority",
        "logistic",
        "linear_svm",
        "knn",
        "naive_bayes",
        "decision_tree",
        "random_forest",
        "gradient_boosting",
    ];
    for model in models {
        let a = json(&["train", p(&proj), "--model", model, "--seed", "5", "--json"]);
        let b = json(&["train", p(&proj), "--model", model, "--seed", "5", "--json"]);
        assert_ne!(a["run"], b["run"], "each run gets its own directory");
        assert_eq!(a["metrics"], b["metrics"], "{model}");
        let accuracy = a["metrics"]["accuracy"].as_f64().unwrap();
        let floor = if model == "majority" { 0.3 } else { 0.85 };
        assert!(accuracy >= floor, "{model}: accuracy {accuracy}");
        let ma = std::fs::read(run_dir(&proj, a["run"].as_str().unwrap()).join("metrics.json")).unwrap();
        let mb = std::fs::read(run_dir(&proj, b["run"].as_str().unwrap()).join("metrics.json")).unwrap();
        assert_eq!(ma, mb, "{model}: metrics.json byte for byte");
    }
    assert_eq!(json(&["runs", p(&proj), "--json"]).as_array().unwrap().len(), 16);
}

#[test]
fn predict_applies_a_run_to_a_new_table_and_names_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    ok(&["train", p(&proj), "--model", "random_forest"]);
    let new = dir.path().join("new.csv");
    fruit_csv(&new, 30, 9);
    let csv = ok(&["predict", p(&proj), p(&new)]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,predicted,prob_apple,prob_melon,prob_plum"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0][0], "f0", "ids come from the id column");
    let right = rows.iter().enumerate().filter(|(i, r)| r[1] == ["apple", "plum", "melon"][i % 3]).count();
    assert!(right >= 26, "{right} of 30 right");
    for r in &rows {
        let sum: f64 = r[2..].iter().map(|v| v.parse::<f64>().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }
    let parquet = dir.path().join("out.parquet");
    ok(&["predict", p(&proj), "--run", "latest", p(&new), "-o", p(&parquet)]);
    assert!(std::fs::metadata(&parquet).unwrap().len() > 0);

    let partial = dir.path().join("partial.csv");
    std::fs::write(&partial, "id,size,weight\nx,3.0,5\n").unwrap();
    let err = user_error(&["predict", p(&proj), p(&partial)]);
    assert!(err.contains("partial.csv") && err.contains("'colour'"), "{err}");
}

#[test]
fn folds_give_out_of_fold_predictions_for_every_labelled_sample() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    let out = json(&["train", p(&proj), "--model", "naive_bayes", "--folds", "5", "--json"]);
    let run = out["run"].as_str().unwrap();
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir(&proj, run).join("metrics.json")).unwrap()).unwrap();
    let cv = &metrics["cross_validation"];
    assert_eq!(cv["folds"], 5);
    assert_eq!(cv["fold_accuracy"].as_array().unwrap().len(), 5);
    assert_eq!(cv["out_of_fold"]["samples"], 150);
    assert!(cv["accuracy_mean"].as_f64().unwrap() > 0.85, "{cv}");
}

#[test]
fn texts_images_and_clips_train_with_their_default_features() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    ok(&["demo", p(&demo), "--no-open"]);
    // The demo shapes are small noisy images with few labels: beating the majority (0.26)
    // is what pixels can do; HOG does better.
    let cases = [
        ("tickets", "auto", 0.9),
        ("tickets", "tfidf", 0.9),
        ("shapes", "auto", 0.3),
        ("shapes", "hog", 0.45),
        ("tones", "auto", 0.8),
        ("tones", "mfcc", 0.8),
    ];
    for (project, features, floor) in cases {
        let proj = demo.join(project);
        let out = json(&["train", p(&proj), "--model", "knn", "--features", features, "--json"]);
        let accuracy = out["metrics"]["accuracy"].as_f64().unwrap();
        assert!(accuracy >= floor, "{project} knn on {features}: {accuracy}");
        let path = run_dir(&proj, out["run"].as_str().unwrap()).join("predictions.parquet");
        let predictions = kindling::eval::predictions::Predictions::read(&path).unwrap();
        let samples = json(&["info", p(&proj), "--json"])["samples"].as_u64().unwrap();
        assert_eq!(predictions.by_id.len() as u64, samples, "{project}: every sample is predicted");
        let unlabelled = predictions.by_id.values().filter(|p| p.split == "unlabelled").count();
        let labelled = json(&["labels", "stats", p(&proj), "--json"])["labelled"].as_u64().unwrap();
        assert_eq!(unlabelled as u64, samples - labelled, "{project}");
    }
}

#[test]
fn one_class_or_nothing_labelled_is_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "x,label\n1,a\n2,a\n3,a\n4,\n").unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--label-column", "label", "--classes", "a,b"]);
    let err = user_error(&["train", p(&proj), "--model", "logistic"]);
    assert!(err.contains("only one class"), "{err}");
    let failed = json(&["runs", p(&proj), "--json"]);
    assert_eq!(failed[0]["status"], "failed");
    let majority = json(&["train", p(&proj), "--model", "majority", "--json"]);
    assert_eq!(majority["metrics"]["accuracy"], 1.0);

    let empty = dir.path().join("empty");
    std::fs::write(dir.path().join("u.csv"), "x\n1\n2\n").unwrap();
    ok(&["init", p(&empty), "--source", p(&dir.path().join("u.csv")), "--classes", "a,b"]);
    let err = user_error(&["train", p(&empty), "--model", "knn"]);
    assert!(err.contains("no labelled samples"), "{err}");
    let err = user_error(&["train", p(&empty), "--model", "knn", "--features", "tfidf"]);
    assert!(err.contains("do not fit table data"), "{err}");
    let err = user_error(&["show", p(&empty), "nope"]);
    assert!(err.contains("no run 'nope'"), "{err}");
}

#[test]
fn a_class_with_one_sample_and_more_features_than_samples_still_train() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for i in 0..9u8 {
        let shade = if i == 8 {
            128
        } else if i % 2 == 0 {
            10
        } else {
            240
        };
        data::png(&images.join(format!("i{i}.png")), shade);
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--classes", "x,y,z"]);
    for (i, class) in ["x", "y", "x", "y", "x", "y", "x", "y", "z"].iter().enumerate() {
        ok(&["labels", "set", p(&proj), &format!("i{i}.png"), class]);
    }
    // 32 × 32 grey pixels: 1024 features for 7 training images.
    for model in ["logistic", "linear_svm", "knn", "naive_bayes", "decision_tree", "random_forest"] {
        let out = json(&["train", p(&proj), "--model", model, "--json"]);
        assert_eq!(out["metrics"]["per_class"]["z"]["support"], 0, "{model}: the one z trains");
        assert_eq!(out["metrics"]["accuracy"], 1.0, "{model}: dark x, bright y");
    }
}

#[test]
fn predict_on_a_folder_skips_files_it_cannot_decode() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for i in 0..10u8 {
        data::png(&images.join(format!("{}/{i}.png", ["dark", "light"][i as usize % 2])), [20, 230][i as usize % 2]);
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--labels-from-folders"]);
    ok(&["train", p(&proj), "--model", "knn"]);
    let new = dir.path().join("new");
    data::png(&new.join("a.png"), 25);
    data::png(&new.join("b.png"), 225);
    std::fs::write(new.join("broken.png"), b"not a png").unwrap();
    let r = kindling(&["predict", p(&proj), p(&new)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("skipped") && r.stderr.contains("broken.png"), "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", r.stdout);
    assert!(rows[1].starts_with("a.png,dark,") && rows[2].starts_with("b.png,light,"), "{}", r.stdout);
    let err = user_error(&["predict", p(&proj), p(&dir.path().join("proj"))]);
    assert!(err.contains("holds no readable images files"), "{err}");
}

#[test]
fn label_issues_list_the_flipped_labels_of_a_run_with_folds() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    // Flip three labels: a plum called a melon, a melon an apple, an apple a plum.
    for (id, wrong) in [("f1", "melon"), ("f2", "apple"), ("f3", "plum")] {
        ok(&["labels", "set", p(&proj), id, wrong]);
    }
    let err = user_error(&["show", p(&proj), "latest", "--label-issues"]);
    assert!(err.contains("no finished run"), "{err}");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let err = user_error(&["show", p(&proj), "latest", "--label-issues"]);
    assert!(err.contains("--folds"), "{err}");
    ok(&["train", p(&proj), "--model", "logistic", "--folds", "5"]);
    let issues = json(&["show", p(&proj), "latest", "--label-issues", "--json"]);
    let issues = issues.as_array().unwrap();
    let flagged: Vec<&str> = issues.iter().map(|i| i["id"].as_str().unwrap()).collect();
    for id in ["f1", "f2", "f3"] {
        assert!(flagged.contains(&id), "{id} not flagged: {issues:?}");
    }
    let f1 = issues.iter().find(|i| i["id"] == "f1").unwrap();
    assert_eq!((f1["given"].as_str(), f1["suggested"].as_str()), (Some("melon"), Some("plum")));
    let confidences: Vec<f64> = issues.iter().map(|i| i["self_confidence"].as_f64().unwrap()).collect();
    assert!(confidences.windows(2).all(|w| w[0] <= w[1]), "worst first: {confidences:?}");
    assert!(flagged.len() <= 10, "a clean table has few suspects: {flagged:?}");
    let text = ok(&["show", p(&proj), "latest", "--label-issues"]);
    assert!(text.contains("suspected label errors") && text.contains("f1"), "{text}");
}

#[test]
fn show_writes_the_confusion_matrix_as_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    ok(&["train", p(&proj), "--model", "logistic"]);
    let png = dir.path().join("matrix.png");
    let text = ok(&["show", p(&proj), "latest", "--png", p(&png)]);
    assert!(text.contains("confusion matrix"), "show still prints the run: {text}");
    let picture = image::open(&png).expect("a PNG that decodes").to_rgb8();
    assert!(picture.width() > 200 && picture.height() > 100, "{:?}", picture.dimensions());
    // Some cell is shaded: a pixel neither white nor ink.
    assert!(picture.pixels().any(|px| u16::from(px.0[2]) > u16::from(px.0[0]) + 60), "no shaded cell");
    let err = user_error(&["show", p(&proj), "latest", "--png", p(&dir.path().join("no/such/dir/m.png"))]);
    assert!(err.contains("m.png"), "{err}");
}

fn demo_project(dir: &Path, name: &str) -> PathBuf {
    ok(&["demo", p(&dir.join("demo")), "--no-open"]);
    dir.join("demo").join(name)
}

fn add_to_config(proj: &Path, text: &str) {
    let path = proj.join("kindling.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{config}\n{text}")).unwrap();
}

#[test]
fn augment_preview_writes_versions_of_every_kind_and_repeats_under_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let cases = [
        (
            "shapes",
            "circle_0001.png",
            "[augment.hflip]\n[augment.rotate]\ndegrees = 30\n[augment.noise]\np = 1.0\n",
            "png",
        ),
        ("tickets", "t0001", "[augment.replace]\n[augment.swap]\np = 1.0\n", "txt"),
        ("tones", "chirp_001.wav", "[augment.gain]\np = 1.0\n[augment.time_mask]\n", "wav"),
    ];
    for (name, id, config, ext) in cases {
        let proj = dir.path().join("demo").join(name);
        let out = dir.path().join(format!("out-{name}"));
        // Nothing turned on: the preview shows the kind's default set, and says so.
        let r = kindling(&["augment", p(&proj), "--preview", id, "--copies", "1", "-o", p(&out)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("previewing the default set"), "{}", r.stderr);
        assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
        add_to_config(&proj, config);
        let listed = ok(&["augment", p(&proj), "--preview", id, "--copies", "3", "--seed", "4", "-o", p(&out)]);
        let files: Vec<&str> = listed.lines().collect();
        assert_eq!(files.len(), 4, "the original and three versions: {listed}");
        assert!(files.iter().all(|f| f.ends_with(ext)), "{listed}");
        let bytes = |f: &str| std::fs::read(f).unwrap();
        assert!(bytes(files[0]) != bytes(files[1]), "{name}: a version differs from the original");
        let first = bytes(files[2]);
        ok(&["augment", p(&proj), "--preview", id, "--copies", "3", "--seed", "4", "-o", p(&out)]);
        assert!(bytes(files[2]) == first, "{name}: the same seed gives the same version");
        if ext == "png" {
            let (a, b) = (image::open(files[0]).unwrap(), image::open(files[3]).unwrap());
            assert_eq!((a.width(), a.height()), (b.width(), b.height()));
        }
    }
    let err =
        user_error(&["augment", p(&dir.path().join("demo/shapes")), "--preview", "nope.png", "-o", p(dir.path())]);
    assert!(err.contains("nope.png"), "{err}");
}

#[test]
fn table_preview_shows_jittered_rows_as_values() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    add_to_config(&proj, "[augment]\ncopies = 2\n[augment.jitter]\nsigma = 0.2\n");
    let out = dir.path().join("out");
    let listed = ok(&["augment", p(&proj), "--preview", "f1", "-o", p(&out)]);
    let csv = std::fs::read_to_string(listed.trim()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "header, original, two versions:\n{csv}");
    assert!(lines[0].starts_with("version,") && lines[1].starts_with("original,"), "{csv}");
    assert_ne!(lines[1].split_once(',').unwrap().1, lines[2].split_once(',').unwrap().1, "{csv}");
}

#[test]
fn training_applies_the_augmentations_and_records_them() {
    let dir = tempfile::tempdir().unwrap();
    let proj = demo_project(dir.path(), "tickets");
    add_to_config(&proj, "[augment]\ncopies = 2\n[augment.replace]\n[augment.delete]\nalpha = 0.2\n");
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["train", p(&proj), "--model", "logistic", "--json"];
        all.extend_from_slice(args);
        json(&all)
    };
    let with = run(&[]);
    let again = run(&[]);
    assert_eq!(with["metrics"], again["metrics"], "augmentation is seeded");
    let without = run(&["--no-augment"]);
    let record = |out: &serde_json::Value| -> serde_json::Value {
        let dir = run_dir(&proj, out["run"].as_str().unwrap());
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap()
    };
    let augmented = record(&with);
    assert_eq!(augmented["augment"]["copies"], 2);
    let steps: Vec<&str> =
        augmented["augment"]["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(steps, ["replace", "delete"]);
    assert_eq!(augmented["augment"]["steps"][1]["params"]["alpha"], 0.2);
    assert!(record(&without).get("augment").is_none());
    let events = std::fs::read_to_string(run_dir(&proj, with["run"].as_str().unwrap()).join("events.jsonl")).unwrap();
    assert!(events.contains("augmenting texts"), "{events}");
    add_to_config(&proj, "[augment.spin]\n");
    let err = user_error(&["train", p(&proj), "--model", "logistic"]);
    assert!(err.contains("kindling.toml") && err.contains("spin"), "{err}");
}

#[cfg(not(feature = "torch"))]
#[test]
fn gpu_models_are_listed_and_say_how_to_enable_them() {
    let help = ok(&["train", "--help"]);
    assert!(help.contains("mlp") && help.contains("cnn"), "{help}");
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    let err = user_error(&["train", p(&proj), "--model", "mlp"]);
    assert!(err.contains("--features torch"), "{err}");
    assert!(!proj.join("runs").exists(), "no failed run is left behind");
}

#[cfg(feature = "torch")]
#[test]
fn torch_mlp_trains_predicts_and_records_its_device() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    let out = json(&["train", p(&proj), "--model", "mlp", "--device", "cpu", "--json"]);
    assert!(out["metrics"]["accuracy"].as_f64().unwrap() > 0.8, "{out}");
    let run = out["run"].as_str().unwrap();
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir(&proj, run).join("run.json")).unwrap()).unwrap();
    assert_eq!(record["device"], "cpu");
    let events = std::fs::read_to_string(run_dir(&proj, run).join("events.jsonl")).unwrap();
    assert!(events.contains("\"event\":\"epoch\"") && events.contains("samples_per_second"), "{events}");
    let predictions = ok(&["predict", p(&proj), "--run", run, p(&dir.path().join("fruit.csv"))]);
    assert_eq!(predictions.lines().count(), 151, "a header and one line per row");
}

#[cfg(feature = "torch")]
#[test]
fn torch_encoder_featurizes_images_for_a_linear_probe() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for (class, base) in [("red", [200u8, 30, 30]), ("blue", [30u8, 30, 200])] {
        std::fs::create_dir_all(images.join(class)).unwrap();
        for i in 0..12u8 {
            let colour = base.map(|v| v.saturating_add(i * 3));
            let path = images.join(class).join(format!("{i}.png"));
            image::RgbImage::from_pixel(6, 6, image::Rgb(colour)).save(path).unwrap();
        }
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--labels-from-folders"]);
    let pt = dir.path().join("means.pt");
    colour_means_module(&pt);
    let out = json(&["train", p(&proj), "--model", "logistic", "--encoder", p(&pt), "--json"]);
    assert_eq!(out["metrics"]["accuracy"], 1.0, "{out}");
    let run = out["run"].as_str().unwrap();
    std::fs::remove_file(&pt).unwrap();
    let predictions = ok(&["predict", p(&proj), "--run", run, p(&images.join("red"))]);
    assert_eq!(predictions.lines().filter(|l| l.contains(",red,")).count(), 12, "{predictions}");
    let err = user_error(&["train", p(&proj), "--model", "logistic", "--encoder", p(&dir.path().join("none.pt"))]);
    assert!(err.contains("none.pt"), "{err}");
}

#[cfg(feature = "torch")]
#[test]
fn torch_cnn_augments_on_the_fly_each_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let proj = demo_project(dir.path(), "shapes");
    add_to_config(&proj, "[augment]\n[augment.hflip]\n[augment.rotate]\n[torch]\nepochs = 3\n");
    let out = json(&["train", p(&proj), "--model", "cnn", "--features", "pixels", "--device", "cpu", "--json"]);
    let run = run_dir(&proj, out["run"].as_str().unwrap());
    let events = std::fs::read_to_string(run.join("events.jsonl")).unwrap();
    assert_eq!(events.matches("\"event\":\"epoch\"").count(), 3, "{events}");
    assert!(!events.contains("augmenting images"), "no copies made before training: {events}");
    let record = std::fs::read_to_string(run.join("run.json")).unwrap();
    assert!(record.contains("\"hflip\""), "the plan is recorded");
}

/// A TorchScript module counting each of `words` token ids in a text (a bag of words).
#[cfg(feature = "torch")]
fn bag_of_words_module(path: &Path, words: i64) {
    let example = tch::Tensor::from_slice(&[2i64, 5, 3, 0]).view([1, 4]);
    save_traced(path, example, |x| {
        x.one_hot(words).to_kind(tch::Kind::Float).sum_dim_intlist(1, false, tch::Kind::Float)
    });
}

#[cfg(feature = "torch")]
#[test]
fn torch_encoder_takes_token_ids_of_texts_with_the_vocabulary_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let proj = demo_project(dir.path(), "tickets");
    let texts = std::fs::read_to_string(proj.join("tickets.csv")).unwrap().to_lowercase();
    let mut words: Vec<&str> = texts.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.sort();
    words.dedup();
    let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].into_iter().chain(words).collect::<Vec<_>>();
    let pt = dir.path().join("bag.pt");
    bag_of_words_module(&pt, vocabulary.len() as i64);
    let err = user_error(&["train", p(&proj), "--model", "logistic", "--encoder", p(&pt)]);
    assert!(err.contains("bag.vocab.txt") && err.contains("vocab.txt"), "{err}");
    std::fs::write(dir.path().join("vocab.txt"), vocabulary.join("\n")).unwrap();
    let out = json(&["train", p(&proj), "--model", "logistic", "--encoder", p(&pt), "--json"]);
    assert!(out["metrics"]["accuracy"].as_f64().unwrap() > 0.8, "{out}");
    let run = out["run"].as_str().unwrap();
    std::fs::remove_file(&pt).unwrap();
    std::fs::remove_file(dir.path().join("vocab.txt")).unwrap();
    let predictions = ok(&["predict", p(&proj), "--run", run, p(&proj.join("tickets.csv"))]);
    assert_eq!(predictions.lines().count(), 401, "the run keeps the module and vocabulary: {predictions}");
}

#[test]
fn a_sweep_trains_each_pair_as_a_run_and_ranks_them() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    let swept = json(&["sweep", p(&proj), "--models", "majority,logistic", "--folds", "3", "--json"]);
    let entries = swept["entries"].as_array().unwrap();
    let models: Vec<&str> = entries.iter().map(|e| e["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["logistic", "majority"], "best first");
    for e in entries {
        for key in [
            "accuracy_mean",
            "accuracy_std",
            "macro_f1_mean",
            "macro_f1_std",
            "seconds",
            "fit_seconds",
            "predict_seconds_per_1000",
        ] {
            assert!(e[key].as_f64().is_some(), "{key} in {e}");
        }
    }
    assert!(entries[0]["accuracy_mean"].as_f64().unwrap() > entries[1]["accuracy_mean"].as_f64().unwrap());
    let id = swept["id"].as_str().unwrap();
    let again = json(&["runs", p(&proj), "--sweep", id, "--json"]);
    assert_eq!(again.as_array().unwrap().len(), 2, "the leaderboard read back from the runs");
    assert_eq!(again[0]["run"], entries[0]["run"]);
    let text = ok(&["runs", p(&proj), "--sweep", id]);
    assert!(text.lines().nth(2).unwrap().starts_with("logistic"), "{text}");
    let out = ok(&["sweep", p(&proj), "--models", "majority,logistic", "--budget", "0s"]);
    assert!(out.contains("2 combinations not started"), "{out}");
    let other = json(&["sweep", p(&proj), "--models", "majority", "--folds", "2", "--json"]);
    assert_ne!(other["id"], swept["id"], "each sweep its own id");
    assert!(user_error(&["sweep", p(&proj), "--models", "mlp"]).contains("CPU baselines"));
    assert!(user_error(&["sweep", p(&proj), "--budget", "soon"]).contains("--budget"));
}

#[test]
fn a_sweep_on_texts_says_boosting_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/tickets");
    let run = kindling(&["sweep", p(&proj), "--models", "majority,gradient_boosting", "--folds", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("gradient_boosting on tfidf left out"), "{}", run.stderr);
    assert!(run.stdout.contains("1 run,"), "{}", run.stdout);
    let alone = user_error(&["sweep", p(&proj), "--models", "gradient_boosting"]);
    assert!(alone.contains("for dense features") && alone.contains("for texts use"), "{alone}");
}

#[test]
fn ctrl_c_stops_a_sweep_keeping_the_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let proj = slow_forest_project(dir.path());
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["sweep", p(&proj), "--models", "majority,random_forest", "--folds", "5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let records = || -> Vec<serde_json::Value> {
        let Ok(runs) = std::fs::read_dir(proj.join("runs")) else { return Vec::new() };
        runs.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("run.json")).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    };
    let start = std::time::Instant::now();
    while !records().iter().any(|r| r["model"] == "random_forest" && r["status"] == "running") {
        assert!(start.elapsed() < std::time::Duration::from_secs(120), "the forest never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "128 + SIGINT");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stopped; 1 finished run kept"), "{stderr}");
    let status = |model: &str| records().into_iter().find(|r| r["model"] == model).unwrap()["status"].clone();
    assert_eq!(status("majority"), "finished");
    assert_eq!(status("random_forest"), "cancelled");
}

#[test]
fn a_run_report_holds_every_section_in_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let proj = fruit_project(dir.path());
    ok(&["train", p(&proj), "--model", "logistic", "--folds", "3"]);
    let html = dir.path().join("report.html");
    let r = kindling(&["show", p(&proj), "latest", "--report", p(&html)]);
    assert!(r.code == 0 && r.stderr.starts_with("wrote the report of run "), "{}", r.stderr);
    let text = std::fs::read_to_string(&html).unwrap();
    for section in [
        "<h2>Task</h2>",
        "<h2>Data</h2>",
        "<h2>Model</h2>",
        "<h2>Metrics</h2>",
        "<h2>Confusion matrix</h2>",
        "<h2>Loss curve</h2>",
        "<h2>Suspected label errors</h2>",
        "<h2>Training profile</h2>",
        "<h2>Reproduce</h2>",
    ] {
        assert!(text.contains(section), "{section} missing");
    }
    assert_eq!(text.matches("src=\"data:image/png;base64,").count(), 2, "both pictures embedded");
    assert!(text.contains("<td>weight</td>") && text.contains("<td>colour</td>"), "the profile's columns");
    assert!(text.contains("<th>labelled now</th>") && text.contains("<td>plum</td>"), "labels per class");
    // Well formed: every element opened is closed.
    for tag in ["html", "body", "table", "tr", "td", "th", "h1", "h2", "p", "pre", "ul", "li"] {
        let (open, close) = (text.matches(&format!("<{tag}>")).count(), text.matches(&format!("</{tag}>")).count());
        let open = open + text.matches(&format!("<{tag} ")).count();
        assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
    }
    assert!(text.contains("--model logistic") && text.contains("--folds 3"), "the command that trains it again");
    let md = dir.path().join("report.md");
    let r = kindling(&["show", p(&proj), "latest", "--report", p(&md)]);
    assert!(r.stderr.contains("report-confusion.png"), "{}", r.stderr);
    assert!(std::fs::read_to_string(&md).unwrap().contains("![confusion](report-confusion.png)"));
    assert!(image::open(dir.path().join("report-confusion.png")).is_ok());
}

#[test]
fn a_refused_train_says_what_is_needed_and_leaves_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x\n");
    for i in 0..40 {
        csv.push_str(&format!("{i}\n"));
    }
    std::fs::write(dir.path().join("t.csv"), csv).unwrap();
    let proj = dir.path().join("p");
    let classes = "zero,one,two,three,four";
    ok(&["init", p(&proj), "--source", p(&dir.path().join("t.csv")), "--classes", classes]);
    for (i, class) in classes.split(',').enumerate() {
        for k in 0..2 {
            ok(&["labels", "set", p(&proj), &(i * 2 + k).to_string(), class]);
        }
    }
    let err = user_error(&["train", p(&proj), "--model", "logistic"]);
    assert!(err.contains("(zero 2, one 2, two 2, three 2, four 2)"), "{err}");
    assert!(err.contains("a class needs 3 labels to give one to the test split"), "{err}");
    assert!(!err.contains("label at least two samples"), "the old message contradicted the counts: {err}");
    assert_eq!(json(&["runs", p(&proj), "--json"]).as_array().map(Vec::len), Some(0), "no failed run left behind");
    ok(&["labels", "set", p(&proj), "10", "zero"]);
    let trained = json(&["train", p(&proj), "--model", "logistic", "--json"]);
    assert_eq!(trained["metrics"]["samples"], 1, "three of zero give it one test sample");
}

#[test]
fn the_data_version_is_one_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x,split\n");
    for i in 0..30 {
        csv.push_str(&format!("{},{}\n", i % 10, if i % 5 == 0 { "test" } else { "train" }));
    }
    std::fs::write(dir.path().join("t.csv"), csv).unwrap();
    let proj = dir.path().join("p");
    ok(&["init", p(&proj), "--source", p(&dir.path().join("t.csv")), "--classes", "low,high"]);
    for i in 0..30usize {
        ok(&["labels", "set", p(&proj), &i.to_string(), if i % 10 < 5 { "low" } else { "high" }]);
    }
    ok(&["train", p(&proj), "--model", "logistic"]);
    let version = json(&["info", p(&proj), "--json"])["version"].as_str().unwrap().to_string();
    assert!(version.ends_with("-30") && version.len() == 19, "{version}");
    assert_eq!(json(&["runs", p(&proj), "--json"])[0]["data"], version.as_str(), "runs say what info says");
}

/// A table of 90 rows whose `code` column names the label, with a noisy measurement.
fn leaky_table(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("id,code,length,label\n");
    for i in 0..90 {
        let class = ["adelie", "gentoo", "chinstrap"][i % 3];
        csv.push_str(&format!("p{i},{},{},{class}\n", &class[..2], 30 + (i * 7) % 25));
    }
    let path = dir.join("penguins.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn a_column_that_gives_the_label_away_is_warned_of_and_can_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let table = leaky_table(dir.path());
    let plain = dir.path().join("plain");
    ok(&["init", p(&plain), "--source", p(&table), "--id-column", "id", "--label-column", "label"]);
    let r = kindling(&["train", p(&plain), "--model", "logistic"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("column \"code\" alone gives the label of 100.0% of the training rows"), "{said}");
    assert!(!said.contains("column \"length\""), "{said}");
    let live = kindling(&["live", p(&plain)]);
    assert!(live.stderr.contains("column \"code\" alone gives the label"), "{}", live.stderr);

    let left_out = dir.path().join("left-out");
    let init = ["init", p(&left_out), "--source", p(&table), "--id-column", "id", "--label-column", "label"];
    ok(&[&init[..], &["--exclude", "code"]].concat());
    let config = std::fs::read_to_string(left_out.join("kindling.toml")).unwrap();
    assert!(config.contains("exclude = [\"code\"]"), "{config}");
    let r = kindling(&["train", p(&left_out), "--model", "logistic"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("gives the label"), "code is not a feature now");
    let bad = dir.path().join("bad");
    let err = user_error(&["init", p(&bad), "--source", p(&table), "--label-column", "label", "--exclude", "beak"]);
    assert!(err.contains("--exclude beak") && err.contains("code, length"), "{err}");
}
