use super::*;

#[test]
fn table_with_labels_missing_values_and_strings() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("trees.csv");
    data::table_csv(&csv, 12);
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--label-column", "species", "--id-column", "key"]);
    let info = json(&["info", p(&proj), "--json"]);
    assert_eq!(info["kind"], "table");
    assert_eq!(info["samples"], 12);
    assert_eq!(info["labelled"], 9);
    assert_eq!(info["classes"], serde_json::json!(["elm", "oak", "pine"]));
    assert_eq!(info["per_class"], serde_json::json!({"elm": 3, "oak": 3, "pine": 3}));
    assert_eq!(info["label_events"], 9);
    assert!(info["version"].as_str().unwrap().ends_with("-9"), "{}", info["version"]);
    let config = std::fs::read_to_string(proj.join("kindling.toml")).unwrap();
    assert!(config.contains("key = \"1\"") && config.contains("key = \"3\""), "{config}");

    // The version changes with the labels and with the data.
    ok(&["labels", "set", p(&proj), "k3", "oak"]);
    let err = user_error(&["labels", "set", p(&proj), "k12", "oak"]);
    assert!(err.contains("no sample \"k12\"") && err.contains("id column"), "{err}");
    let after = json(&["info", p(&proj), "--json"]);
    assert_eq!(after["fingerprint"], info["fingerprint"]);
    assert_ne!(after["version"], info["version"]);
    data::table_csv(&csv, 13);
    let changed = json(&["info", p(&proj), "--json"]);
    assert_ne!(changed["fingerprint"], info["fingerprint"]);
}

#[test]
fn table_rows_are_ids_without_an_id_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    data::table_csv(&csv, 5);
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--classes", "yes,no"]);
    ok(&["labels", "set", p(&proj), "4", "yes"]);
    let err = user_error(&["labels", "set", p(&proj), "5", "yes"]);
    assert!(err.contains("no sample \"5\"") && err.contains("row numbers"), "{err}");
}

#[test]
fn image_class_folders_with_split_folders_and_a_corrupt_file() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for (split, n) in [("train", 3), ("test", 2)] {
        for class in ["cat", "dog"] {
            for i in 0..n {
                data::png(&images.join(format!("{split}/{class}/{i}.png")), i as u8);
            }
        }
    }
    std::fs::write(images.join("train/cat/broken.png"), &data::png_bytes()[..30]).unwrap();
    std::fs::write(images.join("train/dog/notes.md"), "not an image").unwrap();
    let proj = dir.path().join("proj");
    let out = ok(&["init", p(&proj), "--source", p(&images), "--labels-from-folders"]);
    assert!(out.contains("train/cat/broken.png"), "init lists the corrupt file: {out}");
    let info = json(&["info", p(&proj), "--json"]);
    assert_eq!(info["kind"], "images");
    assert_eq!(info["samples"], 10);
    assert_eq!(info["labelled"], 10);
    assert_eq!(info["per_class"], serde_json::json!({"cat": 5, "dog": 5}));
    assert_eq!(info["split"]["train"], 6);
    assert_eq!(info["split"]["test"], 4);
    assert_eq!(info["unreadable"][0]["id"], "train/cat/broken.png");
    let export = ok(&["labels", "export", p(&proj)]);
    assert!(export.contains("test/dog/1.png,dog"), "{export}");
}

#[test]
fn text_folder_skips_a_non_utf8_file() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir_all(texts.join("nested")).unwrap();
    std::fs::write(texts.join("a.txt"), "a short text").unwrap();
    std::fs::write(texts.join("nested/b.txt"), "another, with ünïcode").unwrap();
    std::fs::write(texts.join("latin1.txt"), b"caf\xe9").unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&texts), "--classes", "pos,neg"]);
    let info = json(&["info", p(&proj), "--json"]);
    assert_eq!(info["kind"], "text");
    assert_eq!(info["samples"], 2);
    assert_eq!(info["unreadable"][0]["id"], "latin1.txt");
    assert!(info["unreadable"][0]["reason"].as_str().unwrap().contains("UTF-8"));
    ok(&["labels", "set", p(&proj), "nested/b.txt", "neg"]);
}

#[test]
fn text_column_of_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("reviews.csv");
    std::fs::write(&csv, "text,stars\n\"great, really\",good\nawful,bad\nmeh,\n").unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--text-column", "text", "--label-column", "stars"]);
    let info = json(&["info", p(&proj), "--json"]);
    assert_eq!(info["kind"], "text");
    assert_eq!(info["samples"], 3);
    assert_eq!(info["per_class"], serde_json::json!({"bad": 1, "good": 1}));
}

#[test]
fn a_table_with_a_column_named_text_is_texts_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("reviews.csv");
    std::fs::write(&csv, "text,stars\n\"great, really\",good\nawful,bad\n").unwrap();
    let texts = dir.path().join("texts");
    let said = ok(&["init", p(&texts), "--source", p(&csv), "--label-column", "stars"]);
    assert!(said.contains("column \"text\" holds each sample's text"), "{said}");
    assert_eq!(json(&["info", p(&texts), "--json"])["kind"], "text");
    let table = dir.path().join("table");
    ok(&["init", p(&table), "--source", p(&csv), "--label-column", "stars", "--kind", "table"]);
    assert_eq!(json(&["info", p(&table), "--json"])["kind"], "table");
    // A column `text` that holds the labels is no text.
    let labels = dir.path().join("labels");
    ok(&["init", p(&labels), "--source", p(&csv), "--label-column", "text"]);
    assert_eq!(json(&["info", p(&labels), "--json"])["kind"], "table");
}

#[test]
fn wav_folder_of_every_pcm_width_and_float() {
    let dir = tempfile::tempdir().unwrap();
    let clips = dir.path().join("clips");
    for (name, bits, float, ch) in
        [("u8", 8, false, 1), ("s16", 16, false, 2), ("s24", 24, false, 1), ("f32", 32, true, 2)]
    {
        data::wav(&clips.join(format!("{name}.wav")), bits, float, ch);
    }
    std::fs::write(clips.join("empty.wav"), b"").unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&clips), "--classes", "speech,music"]);
    let info = json(&["info", p(&proj), "--json"]);
    assert_eq!(info["kind"], "audio");
    assert_eq!(info["samples"], 4);
    assert_eq!(info["unreadable"][0]["id"], "empty.wav");
}

#[test]
fn parquet_and_ndjson_tables() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("l.csv");
    std::fs::write(&labels, "id,label\na,x\nb,y\nc,\n").unwrap();
    // Make a Parquet file through a project's own export.
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "id,label\na,x\nb,y\nc,\n").unwrap();
    let proj = dir.path().join("from_csv");
    ok(&["init", p(&proj), "--source", p(&csv), "--id-column", "id", "--label-column", "label"]);
    let parquet = dir.path().join("t.parquet");
    ok(&["labels", "export", p(&proj), "-o", p(&parquet)]);
    let proj2 = dir.path().join("from_parquet");
    ok(&["init", p(&proj2), "--source", p(&parquet), "--id-column", "id", "--label-column", "label"]);
    assert_eq!(json(&["info", p(&proj2), "--json"])["samples"], 2);

    let ndjson = dir.path().join("t.ndjson");
    std::fs::write(&ndjson, "{\"id\":\"a\",\"v\":1.5,\"label\":\"x\"}\n{\"id\":\"b\",\"v\":null,\"label\":null}\n")
        .unwrap();
    let proj3 = dir.path().join("from_ndjson");
    ok(&[
        "init",
        p(&proj3),
        "--source",
        p(&ndjson),
        "--id-column",
        "id",
        "--label-column",
        "label",
        "--classes",
        "x,y",
    ]);
    let info = json(&["info", p(&proj3), "--json"]);
    assert_eq!(info["samples"], 2);
    assert_eq!(info["labelled"], 1);
}

#[test]
fn split_column_and_split_file_fix_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "id,x,split\na,1,train\nb,2,Validation\nc,3,test\nd,4,\n").unwrap();
    let proj = dir.path().join("p1");
    ok(&["init", p(&proj), "--source", p(&csv), "--id-column", "id", "--classes", "u,v"]);
    let split = &json(&["info", p(&proj), "--json"])["split"];
    assert_eq!(split, &serde_json::json!({"train": 1, "valid": 1, "test": 1, "unassigned": 1}));

    let images = dir.path().join("images");
    for i in 0..4 {
        data::png(&images.join(format!("{i}.png")), i);
    }
    let split_file = dir.path().join("split.csv");
    std::fs::write(&split_file, "id,split\n0.png,train\n1.png,train\n2.png,test\n").unwrap();
    let proj2 = dir.path().join("p2");
    ok(&["init", p(&proj2), "--source", p(&images), "--split-file", p(&split_file), "--classes", "u,v"]);
    let split = &json(&["info", p(&proj2), "--json"])["split"];
    assert_eq!(split, &serde_json::json!({"train": 2, "valid": 0, "test": 1, "unassigned": 1}));
}

#[test]
fn project_inside_the_data_folder_keeps_relative_paths() {
    let dir = tempfile::tempdir().unwrap();
    data::png(&dir.path().join("images/a.png"), 1);
    ok(&["init", p(dir.path()), "--source", p(&dir.path().join("images")), "--classes", "u"]);
    let config = std::fs::read_to_string(dir.path().join("kindling.toml")).unwrap();
    assert!(config.contains("path = \"images\""), "{config}");
    // The project still works after it is moved.
    let moved = tempfile::tempdir().unwrap();
    let target = moved.path().join("moved");
    std::fs::rename(dir.path(), &target).unwrap();
    assert_eq!(json(&["info", p(&target), "--json"])["samples"], 1);
}

#[test]
fn samples_shows_a_window_with_labels() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("trees.csv");
    data::table_csv(&csv, 2000);
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--label-column", "species", "--id-column", "key"]);
    let w = json(&["samples", p(&proj), "--offset", "1000", "--limit", "51", "--json"]);
    assert_eq!(w["total"], 2000);
    let rows = w["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 51);
    assert_eq!(rows[0]["id"], "k1000");
    assert_eq!(rows[0]["label"], "pine");
    assert_eq!(rows[3]["label"], serde_json::Value::Null, "row 1003 has no label");
    let note = w["columns"].as_array().unwrap().iter().position(|c| c == "note").unwrap();
    assert_eq!(rows[0]["values"][note], "note, \"1000\"");
    let text = ok(&["samples", p(&proj), "--offset", "1998"]);
    assert!(text.contains("k1999") && text.contains("samples 1998–1999 of 2000"), "{text}");
}

#[test]
fn a_split_column_that_holds_no_splits_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "x,split\n1,fold1\n2,fold2\n").unwrap();
    let proj = dir.path().join("p");
    let out = ok(&["init", p(&proj), "--source", p(&csv), "--classes", "u"]);
    assert!(out.contains("column \"split\" is not used as the split"), "{out}");
    assert_eq!(json(&["info", p(&proj), "--json"])["split"], serde_json::Value::Null);
    // Asked for by name, the same column is an error.
    let err = user_error(&[
        "init",
        p(&dir.path().join("q")),
        "--source",
        p(&csv),
        "--classes",
        "u",
        "--split-column",
        "split",
    ]);
    assert!(err.contains("\"fold1\" is not train, valid or test"), "{err}");
}

#[test]
fn a_folder_fingerprint_is_recalled_until_a_file_changes_and_follows_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir_all(texts.join("sub")).unwrap();
    for (name, text) in [("a.txt", "one"), ("b.txt", "two"), ("sub/c.txt", "three")] {
        std::fs::write(texts.join(name), text).unwrap();
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&texts), "--kind", "text", "--classes", "x,y"]);
    let fingerprint = |proj: &Path| json(&["info", p(proj), "--json"])["fingerprint"].as_str().unwrap().to_string();
    let first = fingerprint(&proj);
    let remembered = proj.join(".kindling/cache/folder-fingerprint.txt");
    let kept = std::fs::read_to_string(&remembered).unwrap();
    assert_eq!(kept.split_whitespace().count(), 2, "the look at the folder and the fingerprint: {kept}");
    assert_eq!(fingerprint(&proj), first, "recalled");
    // The same content written again: a new modification time, the same fingerprint.
    std::fs::write(texts.join("b.txt"), "two").unwrap();
    assert_eq!(fingerprint(&proj), first);
    std::fs::write(texts.join("sub/c.txt"), "four!").unwrap();
    let edited = fingerprint(&proj);
    assert_ne!(edited, first, "an edited file changes it");
    std::fs::write(texts.join("sub/d.txt"), "five").unwrap();
    assert_ne!(fingerprint(&proj), edited, "so does a new file");
    std::fs::remove_file(texts.join("sub/d.txt")).unwrap();
    assert_eq!(fingerprint(&proj), edited, "and its removal");
    // A remembered fingerprint that does not fit the folder is worked out again.
    std::fs::write(&remembered, "stale 0000\n").unwrap();
    assert_eq!(fingerprint(&proj), edited);
}

#[test]
fn classes_named_by_digits_or_number_words_get_those_keys_and_their_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "x\n1\n2\n").unwrap();
    let digits = dir.path().join("digits");
    ok(&["init", p(&digits), "--source", p(&dir.path().join("t.csv")), "--classes", "0,1,2,3,4,5,6,7,8,9"]);
    let listed = json(&["classes", p(&digits), "--json"]);
    for class in listed.as_array().unwrap() {
        assert_eq!(class["key"], class["name"], "pressing 3 labels 3: {class}");
    }
    // Folders zero … nine: counted in order, each with its digit.
    let words = dir.path().join("words");
    let names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    for name in names {
        std::fs::create_dir_all(words.join(name)).unwrap();
        std::fs::write(words.join(name).join("a.txt"), format!("a text about {name}")).unwrap();
    }
    let project = dir.path().join("p");
    ok(&["init", p(&project), "--source", p(&words), "--kind", "text", "--labels-from-folders"]);
    let listed = json(&["classes", p(&project), "--json"]);
    let got: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["key"].as_str().unwrap().to_string()))
        .collect();
    let want: Vec<(String, String)> = names.iter().enumerate().map(|(i, n)| (n.to_string(), i.to_string())).collect();
    assert_eq!(got, want);
    // A class added later by its digit's name takes its digit when free.
    ok(&["classes", "add", p(&digits), "ten"]);
    let added = json(&["classes", p(&digits), "--json"]);
    assert_eq!(added[10]["key"], "a", "no digit is free: the next default key");
}
