//! Every kind of bad input gets one clear line naming the file, and exit status 2.

use super::*;

#[test]
fn missing_source_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", "/no/such/place"]);
    assert!(err.contains("/no/such/place") && err.contains("does not exist"), "{err}");
    assert!(!dir.path().join("p").exists(), "a failed init leaves nothing behind");
}

#[test]
fn not_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let err = user_error(&["info", p(dir.path())]);
    assert!(err.contains("not a Kindling project") && err.contains("kindling init"), "{err}");
}

#[test]
fn ragged_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(&csv, "a,b,label\n1,2,x\n3,4\n5,6,y\n").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&csv), "--label-column", "label"]);
    assert!(err.contains("r.csv") && err.contains("line 3 has 2 fields but the header has 3"), "{err}");
}

#[test]
fn non_utf8_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("l.csv");
    std::fs::write(&csv, b"name,label\ncaf\xe9,x\n").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&csv), "--label-column", "label"]);
    assert!(err.contains("l.csv") && err.contains("line 2 is not valid UTF-8"), "{err}");
}

#[test]
fn corrupt_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.parquet");
    std::fs::write(&file, b"PAR1 this is not really parquet PAR1").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&file), "--classes", "a"]);
    assert!(err.contains("c.parquet"), "{err}");
}

#[test]
fn empty_sources() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&empty)]);
    assert!(err.contains("holds no images"), "{err}");
    let err =
        user_error(&["init", p(&dir.path().join("p")), "--source", p(&empty), "--kind", "images", "--classes", "a"]);
    assert!(err.contains("no usable images"), "{err}");
    let csv = dir.path().join("header_only.csv");
    std::fs::write(&csv, "a,b\n").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&csv), "--classes", "a"]);
    assert!(err.contains("header_only.csv") && err.contains("no rows"), "{err}");
    let blank = dir.path().join("blank.csv");
    std::fs::write(&blank, "").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&blank), "--classes", "a"]);
    assert!(err.contains("blank.csv"), "{err}");
}

#[test]
fn only_corrupt_images() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    std::fs::write(images.join("a.png"), b"garbage").unwrap();
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&images), "--classes", "a"]);
    assert!(err.contains("1 file(s) failed to decode"), "{err}");
}

#[test]
fn unknown_class_and_id() {
    let dir = tempfile::tempdir().unwrap();
    data::png(&dir.path().join("images/a.png"), 0);
    let proj = dir.path().join("p");
    ok(&["init", p(&proj), "--source", p(&dir.path().join("images")), "--classes", "cat,dog"]);
    let err = user_error(&["labels", "set", p(&proj), "a.png", "horse"]);
    assert!(err.contains("no class \"horse\"") && err.contains("cat, dog"), "{err}");
    let err = user_error(&["labels", "set", p(&proj), "b.png", "cat"]);
    assert!(err.contains("no sample \"b.png\""), "{err}");
    let err = user_error(&["labels", "set", p(&proj), "../images/a.png", "cat"]);
    assert!(err.contains("no sample"), "{err}");
}

#[test]
fn label_column_and_classes_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "x,label\n1,cat\n2,cow\n").unwrap();
    let err = user_error(&[
        "init",
        p(&dir.path().join("p")),
        "--source",
        p(&csv),
        "--label-column",
        "label",
        "--classes",
        "cat,dog",
    ]);
    assert!(err.contains("sample \"1\" has \"cow\""), "{err}");
    let err = user_error(&["init", p(&dir.path().join("p")), "--source", p(&csv), "--label-column", "lable"]);
    assert!(err.contains("no column \"lable\"") && err.contains("x, label"), "{err}");
}

#[test]
fn duplicate_ids_and_bad_split_values() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "id,split\na,train\nb,test\na,train\n").unwrap();
    let err =
        user_error(&["init", p(&dir.path().join("p")), "--source", p(&csv), "--id-column", "id", "--classes", "u"]);
    assert!(err.contains("line 4") && err.contains("\"a\" appears twice"), "{err}");
    std::fs::write(&csv, "id,split\na,train\nb,holdout\n").unwrap();
    let err = user_error(&[
        "init",
        p(&dir.path().join("p")),
        "--source",
        p(&csv),
        "--id-column",
        "id",
        "--split-column",
        "split",
        "--classes",
        "u",
    ]);
    assert!(err.contains("line 3") && err.contains("\"holdout\""), "{err}");
}

#[test]
fn broken_config_and_label_store() {
    let dir = tempfile::tempdir().unwrap();
    data::png(&dir.path().join("images/a.png"), 0);
    let proj = dir.path().join("p");
    ok(&["init", p(&proj), "--source", p(&dir.path().join("images")), "--classes", "cat"]);
    let config = proj.join("kindling.toml");
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, good.replace("kind = \"images\"", "kind = video")).unwrap();
    let err = user_error(&["info", p(&proj)]);
    assert!(err.contains("kindling.toml") && err.contains("line"), "{err}");
    std::fs::write(&config, &good).unwrap();
    std::fs::write(proj.join("labels.db"), "not a database, only text, but long enough to look like a header").unwrap();
    let _ = std::fs::remove_file(proj.join("labels.db-wal"));
    let _ = std::fs::remove_file(proj.join("labels.db-shm"));
    let err = user_error(&["labels", "stats", p(&proj)]);
    assert!(err.contains("labels.db") && err.contains("not a Kindling label store"), "{err}");
}

#[test]
fn existing_project_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    data::png(&dir.path().join("images/a.png"), 0);
    let proj = dir.path().join("p");
    ok(&["init", p(&proj), "--source", p(&dir.path().join("images")), "--classes", "cat"]);
    let err = user_error(&["init", p(&proj), "--source", p(&dir.path().join("images")), "--classes", "cat"]);
    assert!(err.contains("already a Kindling project"), "{err}");
}

#[test]
fn opening_a_folder_that_is_no_project_fails_before_the_screen_changes() {
    let dir = tempfile::tempdir().unwrap();
    let err = user_error(&[p(dir.path())]);
    assert!(err.contains("not a Kindling project"), "{err}");
    let err = user_error(&["open", p(&dir.path().join("missing"))]);
    assert!(err.contains("not a Kindling project"), "{err}");
    let r = kindling_in(dir.path(), &[]);
    assert_eq!(r.code, 2, "no project here: the usage is shown");
    assert!(r.stdout.contains("Usage") || r.stderr.contains("Usage"), "{} {}", r.stdout, r.stderr);
}
