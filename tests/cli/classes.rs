use std::path::{Path, PathBuf};

use super::*;

/// A table project of 6 rows, classes cat, dog, bird; rows 0–2 cat, 3–4 dog, row 5 bird.
fn project(dir: &Path) -> PathBuf {
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "x\n1\n2\n3\n4\n5\n6\n").unwrap();
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--classes", "cat,dog,bird"]);
    for (id, class) in [("0", "cat"), ("1", "cat"), ("2", "cat"), ("3", "dog"), ("4", "dog"), ("5", "bird")] {
        ok(&["labels", "set", p(&proj), id, class]);
    }
    proj
}

#[test]
fn classes_lists_keys_colours_and_label_counts() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let list = json(&["classes", p(&proj), "--json"]);
    let counts: Vec<(String, String, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().into(), c["key"].as_str().unwrap().into(), c["labels"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, [("cat".into(), "1".into(), 3), ("dog".into(), "2".into(), 2), ("bird".into(), "3".into(), 1)]);
    let text = ok(&["classes", p(&proj)]);
    assert!(text.lines().nth(1).unwrap().starts_with("cat    1    red"), "{text}");
}

#[test]
fn a_rename_is_seen_by_export_and_keeps_the_comments_of_kindling_toml() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let toml = proj.join("kindling.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("[[classes]]\nname = \"cat\"", "# the shelter's word\n[[classes]]\nname = \"cat\""),
    )
    .unwrap();
    assert_eq!(ok(&["classes", "rename", p(&proj), "cat", "feline"]), "rename cat → feline (3 labels changed)\n");
    let export = ok(&["labels", "export", p(&proj)]);
    assert_eq!(export, "id,label\n0,feline\n1,feline\n2,feline\n3,dog\n4,dog\n5,bird\n");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("# the shelter's word\n[[classes]]\nname = \"feline\""), "{text}");
    let stats = json(&["labels", "stats", p(&proj), "--json"]);
    assert_eq!(stats["events_per_origin"]["rename"], 3);
    // Training sees the new class list.
    ok(&["train", p(&proj), "--model", "majority"]);
}

#[test]
fn a_merge_is_undone_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let before = ok(&["labels", "export", p(&proj)]);
    let config = std::fs::read_to_string(proj.join("kindling.toml")).unwrap();
    assert_eq!(
        ok(&["classes", "merge", p(&proj), "dog", "bird", "cat"]),
        "merge dog, bird into cat (3 labels changed)\n"
    );
    assert_eq!(ok(&["labels", "export", p(&proj)]).matches(",cat").count(), 6);
    assert_eq!(ok(&["labels", "undo", p(&proj)]), "undone: merge dog, bird into cat (3 labels back)\n");
    assert_eq!(ok(&["labels", "export", p(&proj)]), before);
    assert_eq!(std::fs::read_to_string(proj.join("kindling.toml")).unwrap(), config, "the file as it was");
}

#[test]
fn remove_is_refused_while_used_and_bad_changes_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let e = user_error(&["classes", "remove", p(&proj), "bird"]);
    assert!(e.contains("1 label uses \"bird\""), "{e}");
    assert_eq!(ok(&["classes", "remove", p(&proj), "bird", "--clear-labels"]), "remove bird (1 label changed)\n");
    assert!(!ok(&["labels", "export", p(&proj)]).contains("bird"));
    let e = user_error(&["classes", "add", p(&proj), "dog"]);
    assert!(e.contains("there is a class \"dog\" already"), "{e}");
    let e = user_error(&["classes", "key", p(&proj), "dog", "1"]);
    assert!(e.contains("used by both"), "{e}");
    let e = user_error(&["classes", "add", p(&proj), "fish", "--key", "q"]);
    assert!(e.contains("Label pane's own"), "{e}");
    let e = user_error(&["classes", "rename", p(&proj), "cow", "ox"]);
    assert!(e.contains("no class \"cow\""), "{e}");
    assert_eq!(ok(&["classes", "add", p(&proj), "fish"]), "add fish\n");
    assert_eq!(ok(&["classes", "key", p(&proj), "fish", "f"]), "key of fish → f\n");
    let list = json(&["classes", p(&proj), "--json"]);
    assert_eq!(list[2]["name"], "fish");
    assert_eq!(list[2]["key"], "f");
}
