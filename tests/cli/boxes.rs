//! Detection projects: `init --task detect`, box files in and out (YOLO, COCO, VOC), and the
//! commands that work on a class per sample saying so.

use super::*;

/// A folder of three photos of different sizes, and a detection project on it.
fn street(dir: &Path) -> std::path::PathBuf {
    let images = dir.join("images");
    std::fs::create_dir_all(images.join("day")).unwrap();
    for (name, w, h) in [("day/a.jpg", 1920, 1080), ("b.png", 640, 480), ("c.png", 300, 200)] {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        img.save(images.join(name)).unwrap();
    }
    let project = dir.join("p");
    let out = ok(&["init", p(&project), "--source", p(&images), "--task", "detect", "--classes", "car,person"]);
    assert!(out.contains("detection (images)"), "{out}");
    project
}

const COCO: &str = r#"{
  "images": [{"id": 7, "file_name": "day/a.jpg", "width": 1920, "height": 1080},
             {"id": 8, "file_name": "b.png", "width": 640, "height": 480}],
  "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}],
  "annotations": [
    {"id": 1, "image_id": 7, "category_id": 1, "bbox": [100, 200, 300, 150]},
    {"id": 2, "image_id": 7, "category_id": 2, "bbox": [1500.5, 40, 60, 180]},
    {"id": 3, "image_id": 8, "category_id": 2, "bbox": [10, 20, 30, 40]}
  ]
}"#;

/// Each image's boxes as COCO export lists them: (file, class, bbox).
fn coco_boxes(path: &Path) -> Vec<(String, String, Vec<f64>)> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let file = |id: &serde_json::Value| {
        v["images"].as_array().unwrap().iter().find(|i| &i["id"] == id).unwrap()["file_name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let class = |id: &serde_json::Value| {
        v["categories"].as_array().unwrap().iter().find(|c| &c["id"] == id).unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut all: Vec<_> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let bbox = a["bbox"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            (file(&a["image_id"]), class(&a["category_id"]), bbox)
        })
        .collect();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    all
}

#[test]
fn boxes_come_in_from_coco_and_go_out_as_yolo_voc_and_coco_that_read_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let project = street(dir.path());
    let coco = dir.path().join("in.json");
    std::fs::write(&coco, COCO).unwrap();
    let out = ok(&["labels", "import", p(&project), p(&coco)]);
    assert!(out.contains("imported 3 boxes in 2 images") && out.contains("coco"), "{out}");
    let first = coco_boxes(&coco);
    let report = json(&["report", p(&project), "--json"]);
    let checks: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap()).collect();
    assert!(checks.contains(&"too_few_samples") && checks.contains(&"label_coverage"), "{report}");
    assert!(!checks.contains(&"boxes_outside"), "{report}");
    let info = ok(&["info", p(&project)]);
    assert!(info.contains("boxed     2 images (66.7%), 3 boxes; 1 image to go"), "{info}");
    assert!(info.contains("car          1") && info.contains("person       2"), "{info}");

    let again = dir.path().join("out.json");
    ok(&["labels", "export", p(&project), "--format", "coco", "-o", p(&again)]);
    assert_eq!(coco_boxes(&again), first, "COCO out as it came in");

    for format in ["yolo", "voc"] {
        let folder = dir.path().join(format);
        let r = kindling(&["labels", "export", p(&project), "--format", format, "-o", p(&folder)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("wrote 3 boxes in 2 images"), "{}", r.stderr);
        // Into a new project, told the format by the files themselves, and out again.
        let other = street(&dir.path().join(format!("{format}-project")));
        let out = ok(&["labels", "import", p(&other), p(&folder)]);
        assert!(out.contains(format), "{out}");
        let back = dir.path().join(format!("{format}.json"));
        ok(&["labels", "export", p(&other), "--format", "coco", "-o", p(&back)]);
        let got = coco_boxes(&back);
        assert_eq!(got.len(), first.len(), "{format}: {got:?}");
        for (a, b) in first.iter().zip(&got) {
            assert_eq!((&a.0, &a.1), (&b.0, &b.1), "{format}");
            let close = a.2.iter().zip(&b.2).all(|(x, y)| (x - y).abs() < 0.01);
            assert!(close, "{format}: {a:?} came back as {b:?}");
        }
    }
    let yolo = std::fs::read_to_string(dir.path().join("yolo/day/a.txt")).unwrap();
    assert_eq!(yolo.lines().next(), Some("0 0.130208 0.254630 0.156250 0.138889"), "{yolo}");
    let voc = std::fs::read_to_string(dir.path().join("voc/b.xml")).unwrap();
    assert!(voc.contains("<xmin>10</xmin>") && voc.contains("<ymax>60</ymax>"), "{voc}");
}

#[test]
fn a_bad_box_file_changes_nothing_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let project = street(dir.path());
    let coco = dir.path().join("in.json");
    std::fs::write(&coco, COCO).unwrap();
    ok(&["labels", "import", p(&project), p(&coco)]);
    let bad = COCO.replace("[10, 20, 30, 40]", "[10, 20, -30, 40]");
    std::fs::write(&coco, bad).unwrap();
    let err = user_error(&["labels", "import", p(&project), p(&coco)]);
    assert!(err.contains("in.json") && err.contains("annotation 3") && err.contains("wider and taller"), "{err}");
    let yolo = dir.path().join("yolo");
    std::fs::create_dir(&yolo).unwrap();
    std::fs::write(yolo.join("classes.txt"), "car\nperson\n").unwrap();
    std::fs::write(yolo.join("c.txt"), "0 0.5 0.5 0.2\n").unwrap();
    let err = user_error(&["labels", "import", p(&project), p(&yolo)]);
    assert!(err.contains("c.txt") && err.contains("line 1"), "{err}");
    let kept = dir.path().join("kept.json");
    ok(&["labels", "export", p(&project), "--format", "coco", "-o", p(&kept)]);
    assert_eq!(coco_boxes(&kept).len(), 3, "the first import's boxes stay, nothing half written");
}

#[test]
fn a_detection_project_is_made_for_images_and_commands_for_classes_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let project = street(dir.path());
    for args in [
        vec!["train", p(&project), "--model", "logistic"],
        vec!["queue", p(&project)],
        vec!["labels", "set", p(&project), "b.png", "car"],
    ] {
        let err = user_error(&args);
        assert!(err.contains("detection project") && err.contains("labels boxes"), "{args:?}: {err}");
    }
    let err = user_error(&["labels", "export", p(&project)]);
    assert!(err.contains("--format yolo, coco or voc"), "{err}");
    // A detector needs boxed images, and an image encoder.
    let snapshot = dir.path().join("tiny");
    std::fs::create_dir(&snapshot).unwrap();
    kindling::encoders::tiny::write_efficientnet(&snapshot, 1, 32).unwrap();
    let err = user_error(&["train", p(&project), "--model", "detector", "--encoder", p(&snapshot)]);
    assert!(err.contains("0 image(s) boxed") && err.contains("at least 2"), "{err}");
    let err = user_error(&["labels", "export", p(&project), "--format", "yolo"]);
    assert!(err.contains("-o boxes"), "{err}");

    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    std::fs::write(texts.join("a.txt"), "a text").unwrap();
    let err =
        user_error(&["init", p(&dir.path().join("t")), "--source", p(&texts), "--task", "detect", "--classes", "car"]);
    assert!(err.contains("boxes objects in images"), "{err}");
    let images = dir.path().join("images");
    let err = user_error(&["init", p(&dir.path().join("n")), "--source", p(&images), "--task", "detect"]);
    assert!(err.contains("--classes car,person"), "{err}");
    // A classification project does not take box files.
    let plain = dir.path().join("plain");
    ok(&["init", p(&plain), "--source", p(&images), "--classes", "car,person"]);
    let err = user_error(&["labels", "export", p(&plain), "--format", "coco", "-o", "x.json"]);
    assert!(err.contains("class per sample"), "{err}");
}

#[test]
fn an_augment_preview_of_a_detection_project_draws_the_boxes_where_the_transform_took_them() {
    let dir = tempfile::tempdir().unwrap();
    let project = street(dir.path());
    let coco = dir.path().join("in.json");
    std::fs::write(&coco, COCO).unwrap();
    ok(&["labels", "import", p(&project), p(&coco)]);
    let out = dir.path().join("preview");
    ok(&["augment", p(&project), "--on", "hflip", "--set", "hflip.p=1"]);
    let r = kindling(&["augment", p(&project), "--preview", "b.png", "-o", p(&out), "--copies", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let original = image::open(out.join("b-original.png")).unwrap().to_rgb8();
    let flipped = image::open(out.join("b-1.png")).unwrap().to_rgb8();
    // b.png's person: [10, 20, 30, 40], outlined in the class's colour (green, the second).
    let green = image::Rgb([40, 200, 60]);
    assert_eq!(*original.get_pixel(10, 40), green, "the box's left edge");
    assert_ne!(*original.get_pixel(25, 40), green, "inside the box, the image");
    assert_eq!(*flipped.get_pixel(640 - 11, 40), green, "mirrored: the box's edge at 640 − 10");
    assert_ne!(*flipped.get_pixel(10, 40), green);
}

#[test]
fn evaluate_scores_found_boxes_with_map_a_confusion_matrix_and_error_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let project = street(dir.path());
    let coco = dir.path().join("in.json");
    std::fs::write(&coco, COCO).unwrap();
    ok(&["labels", "import", p(&project), p(&coco)]);
    let found = dir.path().join("found.json");
    // day/a.jpg: the car found, the person called a car; b.png (image_id 1, as the export
    // numbers images in id order): the person found, and a box where nothing is.
    std::fs::write(
        &found,
        r#"[{"image": "day/a.jpg", "class": "car", "bbox": [100, 200, 300, 150], "score": 0.9},
            {"image": "day/a.jpg", "class": "car", "bbox": [1500.5, 40, 60, 180], "score": 0.8},
            {"image_id": 1, "category_id": 2, "bbox": [10, 20, 30, 40], "score": 0.7},
            {"image_id": 1, "category_id": 1, "bbox": [400, 300, 50, 50], "score": 0.6},
            {"image": "c.png", "class": "car", "bbox": [1, 1, 5, 5], "score": 0.6}]"#,
    )
    .unwrap();
    let e = json(&["evaluate", p(&project), p(&found), "--json"]);
    // car: one labelled, found first (0.9), then false ones → AP 1; person: two labelled,
    // one found → precision 1 up to recall 0.5: 51 of 101 points.
    assert_eq!(e["per_class"][0]["ap50"], 1.0, "{e}");
    let person = e["per_class"][1]["ap50"].as_f64().unwrap();
    assert!((person - 51.0 / 101.0).abs() < 1e-9, "{person}");
    let cell = |row: u64, col: u64| {
        e["confusion"]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["row"] == row && c["col"] == col)
            .map_or(0, |c| c["pairs"].as_array().unwrap().len())
    };
    assert_eq!((cell(0, 0), cell(1, 0), cell(1, 1), cell(2, 0)), (1, 1, 1, 1), "{e}");
    assert_eq!(e["errors"]["class"], 1);
    assert_eq!(e["errors"]["background"], 1);
    let text = ok(&["evaluate", p(&project), p(&found)]);
    assert!(text.contains("mAP@0.5 0.752") && text.contains("1 found boxes are on images not labelled"), "{text}");
    assert!(text.contains("background") && text.contains("missed"), "{text}");

    std::fs::write(&found, r#"[{"image": "b.png", "class": "bus", "bbox": [0, 0, 5, 5], "score": 0.5}]"#).unwrap();
    let err = user_error(&["evaluate", p(&project), p(&found)]);
    assert!(err.contains("found.json") && err.contains("box 1") && err.contains("\"bus\""), "{err}");
}

/// A detection project of `n` 96×96 images of grey noise, each with one or two squares
/// (red or blue, 20–36 px) imported from COCO, and a small random EfficientNet snapshot
/// (random features: EfficientNet-Lite0's find these squares with mAP@0.5 1.0, these less).
fn squares(dir: &Path, n: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let images = dir.join("squares");
    std::fs::create_dir_all(&images).unwrap();
    let mut listed = Vec::new();
    let mut annotations = Vec::new();
    for i in 0..n {
        let mut img = image::RgbImage::from_fn(96, 96, |_, _| {
            let v = rng.random_range(90..160u8);
            image::Rgb([v, v, v])
        });
        let mut placed: Vec<(u32, u32, u32)> = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            let side = rng.random_range(20..36u32);
            let (x, y) = (rng.random_range(0..96 - side), rng.random_range(0..96 - side));
            if placed.iter().any(|&(px, py, ps)| x < px + ps && px < x + side && y < py + ps && py < y + side) {
                continue;
            }
            let class = rng.random_range(1..3u32);
            let colour = if class == 1 { [200, 30, 30] } else { [30, 40, 210] };
            (x..x + side).for_each(|px| (y..y + side).for_each(|py| img.put_pixel(px, py, image::Rgb(colour))));
            placed.push((x, y, side));
            annotations.push(serde_json::json!({"id": annotations.len() + 1, "image_id": i + 1,
                "category_id": class, "bbox": [x, y, side, side]}));
        }
        let name = format!("{i:03}.png");
        img.save(images.join(&name)).unwrap();
        listed.push(serde_json::json!({"id": i + 1, "file_name": name, "width": 96, "height": 96}));
    }
    let coco = serde_json::json!({"images": listed, "annotations": annotations,
        "categories": [{"id": 1, "name": "red"}, {"id": 2, "name": "blue"}]});
    std::fs::write(dir.join("squares.json"), coco.to_string()).unwrap();
    let project = dir.join("sq");
    ok(&["init", p(&project), "--source", p(&images), "--task", "detect", "--classes", "red,blue"]);
    ok(&["labels", "import", p(&project), p(&dir.join("squares.json"))]);
    let toml = project.join("kindling.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text += "\n[detector]\nside = 128\n";
    std::fs::write(&toml, text).unwrap();
    let snapshot = dir.join("tiny-lite0");
    std::fs::create_dir_all(&snapshot).unwrap();
    kindling::encoders::tiny::write_efficientnet_wide(&snapshot, 2, 32, 16).unwrap();
    (project, snapshot)
}

#[test]
fn a_detector_trains_on_boxes_finds_them_in_held_out_images_and_predict_feeds_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let (project, snapshot) = squares(dir.path(), 60);
    let out = json(&["train", p(&project), "--model", "detector", "--encoder", p(&snapshot), "--json"]);
    let map50 = out["metrics"]["map50"].as_f64().unwrap();
    assert_eq!(out["metrics"]["test_images"], 12, "{out}");
    assert!(map50 > 0.6, "squares should be found on held-out images: mAP@0.5 {map50}");
    let run = out["run"].as_str().unwrap().to_string();
    let runs = ok(&["runs", p(&project)]);
    assert!(runs.contains(&run) && runs.contains("detector"), "{runs}");

    // predict writes what evaluate reads; over every image the boxes score at least as
    // well as on the held-out ones alone (most were trained on).
    // A damaged image among them is named and left out; the rest are read.
    let found = dir.path().join("found.json");
    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    for entry in std::fs::read_dir(dir.path().join("squares")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, new.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(new.join("zz-broken.png"), b"not a picture").unwrap();
    let r = kindling(&["predict", p(&project), "--run", &run, p(&new), "-o", p(&found)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("skipped") && r.stderr.contains("zz-broken.png"), "{}", r.stderr);
    let boxes: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&found).unwrap()).unwrap();
    assert!(boxes.len() >= 60, "{} boxes", boxes.len());
    assert!(boxes.iter().all(|b| b["score"].as_f64().unwrap() >= 0.05));
    let scored = json(&["evaluate", p(&project), p(&found), "--json"]);
    assert!(scored["map50"].as_f64().unwrap() >= map50 - 0.05, "{} vs {map50}", scored["map50"]);

    // [augment] copies train beside the images, their boxes carried along.
    let toml = project.join("kindling.toml");
    let text = std::fs::read_to_string(&toml).unwrap() + "\n[augment]\ncopies = 1\n[augment.hflip]\non = true\n";
    std::fs::write(&toml, text).unwrap();
    let again = json(&["train", p(&project), "--model", "detector", "--encoder", p(&snapshot), "--json"]);
    assert_eq!(again["metrics"]["augmented_copies"], 48, "{again}");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("runs").join(again["run"].as_str().unwrap()).join("run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["augment"]["steps"][0]["name"], "hflip", "{record}");

    // serve answers a posted image with the boxes predict found in its file.
    use base64::Engine;
    let server = super::serve::Server::start(&[p(&project), "--run", &run, "--log"]);
    let bytes = std::fs::read(dir.path().join("squares").join("007.png")).unwrap();
    let body = format!("{{\"images\": [\"{}\"]}}", base64::engine::general_purpose::STANDARD.encode(bytes));
    let (status, answer) = server.post(&body);
    assert_eq!(status, 200, "{answer}");
    let served = answer["predictions"][0]["boxes"].as_array().unwrap().clone();
    let predicted: Vec<&serde_json::Value> = boxes.iter().filter(|b| b["image"] == "007.png").collect();
    assert_eq!(served.len(), predicted.len(), "{served:?} vs {predicted:?}");
    for (s, p) in served.iter().zip(&predicted) {
        assert_eq!((&s["class"], &s["bbox"], &s["score"]), (&p["class"], &p["bbox"], &p["score"]));
    }
    let (status, e) = server.post("{\"images\": [\"@@\"]}");
    assert_eq!((status, e["field"].as_str()), (400, Some("images[0]")), "{e}");
    // --log keeps the image with its surest box; `served --import` brings it in to box.
    let logged = super::serve::log_lines(&project, 1);
    assert_eq!(logged[0]["predicted"], predicted.first().map_or(serde_json::json!(""), |b| b["class"].clone()));
    drop(server);
    ok(&["served", p(&project), "--import"]);
    let name = logged[0]["input"].as_str().unwrap();
    assert!(dir.path().join("squares/served").join(name).is_file());

    // A classification project refuses a detector; a detector refuses texts' encoders.
    let plain = dir.path().join("plain");
    ok(&["init", p(&plain), "--source", p(&dir.path().join("squares")), "--classes", "red,blue"]);
    let err = user_error(&["train", p(&plain), "--model", "detector", "--encoder", p(&snapshot)]);
    assert!(err.contains("init --task detect"), "{err}");
}
