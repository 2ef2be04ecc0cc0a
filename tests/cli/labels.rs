use std::path::{Path, PathBuf};

use super::*;

/// An image project with `n` unlabelled images and classes cat, dog, "a, b".
fn image_project(dir: &Path, n: usize) -> PathBuf {
    let images = dir.join("images");
    for i in 0..n {
        data::png(&images.join(format!("img{i}.png")), i as u8);
    }
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--classes", "cat,dog,a b"]);
    proj
}

#[test]
fn set_clear_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let proj = image_project(dir.path(), 4);
    ok(&["labels", "set", p(&proj), "img0.png", "cat"]);
    ok(&["labels", "set", p(&proj), "img1.png", "dog"]);
    ok(&["labels", "set", p(&proj), "img1.png", "cat"]);
    ok(&["labels", "clear", p(&proj), "img0.png"]);
    let s = json(&["labels", "stats", p(&proj), "--json"]);
    assert_eq!(s["samples"], 4);
    assert_eq!(s["labelled"], 1);
    assert_eq!(s["per_class"], serde_json::json!({"a b": 0, "cat": 1, "dog": 0}));
    assert_eq!(s["events"], 4);
    assert_eq!(s["events_per_origin"]["cli"], 4);
    let text = ok(&["labels", "stats", p(&proj)]);
    assert!(text.contains("labelled 1 of 4"), "{text}");
}

#[test]
fn export_import_round_trip_is_exact_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let proj = image_project(dir.path(), 6);
    for (i, class) in ["cat", "dog", "a b", "cat"].iter().enumerate() {
        ok(&["labels", "set", p(&proj), &format!("img{i}.png"), class]);
    }
    let reference = ok(&["labels", "export", p(&proj), "--format", "csv"]);
    assert_eq!(reference, "id,label\nimg0.png,cat\nimg1.png,dog\nimg2.png,a b\nimg3.png,cat\n");
    for ext in ["csv", "jsonl", "parquet"] {
        let file = dir.path().join(format!("labels.{ext}"));
        ok(&["labels", "export", p(&proj), "-o", p(&file)]);
        let fresh = image_project(&dir.path().join(ext), 6);
        let out = ok(&["labels", "import", p(&fresh), p(&file)]);
        assert!(out.contains("4 labels changed"), "{out}");
        assert_eq!(ok(&["labels", "export", p(&fresh)]), reference, "{ext}");
        // Importing the same file again changes nothing and writes no event.
        ok(&["labels", "import", p(&fresh), p(&file)]);
        assert_eq!(json(&["labels", "stats", p(&fresh), "--json"])["events"], 4);
    }
    let jsonl = ok(&["labels", "export", p(&proj), "--format", "jsonl"]);
    assert_eq!(jsonl.lines().next(), Some(r#"{"id":"img0.png","label":"cat"}"#));
}

#[test]
fn import_is_all_or_nothing_and_names_lines() {
    let dir = tempfile::tempdir().unwrap();
    let proj = image_project(dir.path(), 3);
    let file = dir.path().join("in.csv");
    std::fs::write(&file, "id,label\nimg0.png,cat\nnope.png,dog\nimg1.png,horse\nimg2.png,\n").unwrap();
    let err = user_error(&["labels", "import", p(&proj), p(&file)]);
    assert!(err.contains("line 3: unknown id \"nope.png\""), "{err}");
    assert!(err.contains("line 4: unknown class \"horse\""), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    assert_eq!(json(&["labels", "stats", p(&proj), "--json"])["labelled"], 0);

    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, "{\"id\":\"img0.png\",\"label\":\"cat\"}\n{\"id\":\"img9.png\",\"label\":\"cat\"}\n")
        .unwrap();
    let err = user_error(&["labels", "import", p(&proj), p(&file)]);
    assert!(err.contains("line 2: unknown id \"img9.png\""), "{err}");
    assert_eq!(json(&["labels", "stats", p(&proj), "--json"])["labelled"], 0);
}

#[test]
fn export_to_a_closed_pipe_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let proj = image_project(dir.path(), 1);
    ok(&["labels", "set", p(&proj), "img0.png", "cat"]);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' labels export '{}' | head -c 0", env!("CARGO_BIN_EXE_kindling"), p(&proj)))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
