use super::*;
use crate::progress::Silent;
use crate::project::class_history::since;
use crate::project::init::{InitOptions, init};

/// A table project of 6 rows with classes cat, dog, bird; rows 0–2 cat, 3–4 dog.
fn project(multi: bool) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "x\n1\n2\n3\n4\n5\n6\n").unwrap();
    let opts = InitOptions {
        dir: dir.path().join("p"),
        source: dir.path().join("t.csv"),
        classes: Some(vec!["cat".into(), "dog".into(), "bird".into()]),
        multi_label: multi,
        ..Default::default()
    };
    let (project, _) = init(&opts, &Silent).unwrap();
    let mut store = project.labels().unwrap();
    let labels = if multi { ["cat|dog", "cat", "cat|bird", "dog", "dog"] } else { ["cat", "cat", "cat", "dog", "dog"] };
    for (i, l) in labels.iter().enumerate() {
        store.set(&i.to_string(), Some(l), Origin::Keyboard).unwrap();
    }
    (dir, project)
}

fn labels(p: &Project) -> Vec<(String, String)> {
    p.labels().unwrap().current().unwrap()
}

fn names(p: &Project) -> Vec<String> {
    Project::open(p.root()).unwrap().config.class_names()
}

#[test]
fn a_rename_relabels_as_events_and_rewrites_the_config() {
    let (_d, mut p) = project(false);
    let changed = change(&mut p, &ClassChange::Rename { from: "cat".into(), to: "feline".into() }).unwrap();
    assert_eq!(changed, Changed { what: "rename cat → feline".into(), labels: 3 });
    assert_eq!(names(&p), ["feline", "dog", "bird"]);
    assert_eq!(labels(&p).iter().filter(|(_, l)| l == "feline").count(), 3);
    let events = p.labels().unwrap().events().unwrap();
    let renames: Vec<_> = events.iter().filter(|e| e.origin == Origin::Rename).collect();
    assert_eq!(renames.len(), 3);
    assert!(renames.iter().all(|e| e.change.is_some() && e.change == renames[0].change), "one change");
    assert_eq!(
        crate::labels::store::replay(&events).into_iter().collect::<Vec<_>>(),
        labels(&p),
        "the log explains it"
    );
}

#[test]
fn a_merge_is_undone_as_a_whole_labels_and_classes() {
    let (_d, mut p) = project(false);
    let before = labels(&p);
    let changed = change(&mut p, &ClassChange::Merge { from: vec!["cat".into()], into: "dog".into() }).unwrap();
    assert_eq!((changed.what.as_str(), changed.labels), ("merge cat into dog", 3));
    assert_eq!(names(&p), ["dog", "bird"]);
    assert!(labels(&p).iter().all(|(_, l)| l == "dog"));
    let said = undo(&mut p).unwrap().unwrap();
    assert_eq!(said, "undone: merge cat into dog (3 labels back)");
    assert_eq!(labels(&p), before);
    assert_eq!(names(&p), ["cat", "dog", "bird"], "the class list comes back in its order");
    // Then the labels before it, one at a time.
    assert_eq!(undo(&mut p).unwrap().unwrap(), "undone: 4 → (no label)");
}

#[test]
fn an_undo_takes_the_latest_first_a_label_after_a_change() {
    let (_d, mut p) = project(false);
    change(&mut p, &ClassChange::Rename { from: "cat".into(), to: "feline".into() }).unwrap();
    p.labels().unwrap().set("5", Some("feline"), Origin::Keyboard).unwrap();
    assert_eq!(undo(&mut p).unwrap().unwrap(), "undone: 5 → (no label)");
    assert!(undo(&mut p).unwrap().unwrap().starts_with("undone: rename cat → feline"));
    assert_eq!(names(&p), ["cat", "dog", "bird"]);
}

#[test]
fn remove_is_refused_while_labels_use_the_class_unless_they_are_cleared() {
    let (_d, mut p) = project(false);
    let e = change(&mut p, &ClassChange::Remove { name: "dog".into(), clear_labels: false }).unwrap_err();
    assert!(e.message().starts_with("2 labels use \"dog\""), "{}", e.message());
    assert_eq!(names(&p), ["cat", "dog", "bird"], "nothing changed");
    change(&mut p, &ClassChange::Remove { name: "bird".into(), clear_labels: false }).unwrap();
    let changed = change(&mut p, &ClassChange::Remove { name: "dog".into(), clear_labels: true }).unwrap();
    assert_eq!(changed.labels, 2);
    assert_eq!(labels(&p).len(), 3);
    assert_eq!(names(&p), ["cat"]);
}

#[test]
fn add_and_key_check_names_and_keys() {
    let (_d, mut p) = project(false);
    change(&mut p, &ClassChange::Add { name: "fish".into(), key: None, colour: None }).unwrap();
    let fish = list(&p).unwrap().into_iter().find(|c| c.name == "fish").unwrap();
    assert_eq!((fish.key.as_str(), fish.labels), ("4", 0), "the next free default key");
    let e = change(&mut p, &ClassChange::Add { name: "dog".into(), key: None, colour: None }).unwrap_err();
    assert!(e.message().contains("there is a class \"dog\" already"), "{}", e.message());
    let e = change(&mut p, &ClassChange::Key { name: "fish".into(), key: "2".into() }).unwrap_err();
    assert!(e.message().contains("used by both"), "{}", e.message());
    let e = change(&mut p, &ClassChange::Key { name: "fish".into(), key: "j".into() }).unwrap_err();
    assert!(e.message().contains("Label pane's own"), "{}", e.message());
    let e = change(&mut p, &ClassChange::Rename { from: "cow".into(), to: "ox".into() }).unwrap_err();
    assert!(e.message().contains("no class \"cow\"; the classes are cat, dog, bird, fish"), "{}", e.message());
    change(&mut p, &ClassChange::Key { name: "fish".into(), key: "f".into() }).unwrap();
    assert_eq!(Project::open(p.root()).unwrap().config.classes[3].key, "f");
    assert_eq!(list(&p).unwrap().iter().map(|c| c.labels).collect::<Vec<_>>(), [3, 2, 0, 0]);
}

#[test]
fn multi_label_changes_touch_only_the_class_in_each_label() {
    let (_d, mut p) = project(true);
    change(&mut p, &ClassChange::Merge { from: vec!["bird".into()], into: "dog".into() }).unwrap();
    let got: std::collections::BTreeMap<String, String> = labels(&p).into_iter().collect();
    assert_eq!(got["0"], "cat|dog");
    assert_eq!(got["2"], "cat|dog", "bird became dog, in the classes' order");
    change(&mut p, &ClassChange::Remove { name: "cat".into(), clear_labels: true }).unwrap();
    let got: std::collections::BTreeMap<String, String> = labels(&p).into_iter().collect();
    assert_eq!((got["0"].as_str(), got.get("1")), ("dog", None), "a label of cat alone is cleared");
}

#[test]
fn since_says_what_became_of_a_run_s_classes() {
    let (_d, mut p) = project(false);
    let run: Vec<String> = ["cat", "dog", "bird"].map(String::from).to_vec();
    assert!(since(&p, &run).unwrap().is_empty(), "nothing changed");
    change(&mut p, &ClassChange::Rename { from: "cat".into(), to: "feline".into() }).unwrap();
    change(&mut p, &ClassChange::Merge { from: vec!["feline".into()], into: "dog".into() }).unwrap();
    change(&mut p, &ClassChange::Remove { name: "bird".into(), clear_labels: true }).unwrap();
    change(&mut p, &ClassChange::Add { name: "fish".into(), key: None, colour: None }).unwrap();
    let got = since(&p, &run).unwrap();
    assert_eq!(got.get("cat").map(String::as_str), Some("→ dog"), "through the rename and the merge");
    assert_eq!(got.get("bird").map(String::as_str), Some("(removed)"));
    assert_eq!(got.get("dog"), None, "still a class");
    undo(&mut p).unwrap(); // the add
    undo(&mut p).unwrap(); // the remove
    assert_eq!(since(&p, &run).unwrap().get("bird"), None, "the removal was undone");
}
