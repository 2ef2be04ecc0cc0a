use super::*;

/// Texts of two topics; t0–t4 about printers, t5–t9 about passwords.
fn project(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("texts");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..10 {
        let text = if i < 5 { "the printer jams paper toner tray" } else { "reset password account login locked" };
        std::fs::write(data.join(format!("t{i}.txt")), format!("{text} ticket{i}")).unwrap();
    }
    let proj = dir.join("p");
    ok(&["init", p(&proj), "--source", p(&data), "--kind", "text", "--classes", "printer,account"]);
    ok(&["labels", "set", p(&proj), "t1.txt", "printer"]);
    proj
}

#[test]
fn embed_caches_vectors_and_similar_finds_the_same_topic_with_labels() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let out = ok(&["embed", p(&proj)]);
    assert!(out.starts_with("10 vectors of ") && out.contains("(tfidf features)"), "{out}");
    assert!(proj.join(".kindling/cache/vectors-tfidf.bin").is_file());
    let near = json(&["similar", p(&proj), "t0.txt", "-k", "4", "--json"]);
    let ids: Vec<&str> = near.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["t1.txt", "t2.txt", "t3.txt", "t4.txt"], "the other printer tickets");
    let t1 = near.as_array().unwrap().iter().find(|n| n["id"] == "t1.txt").unwrap();
    assert_eq!(t1["label"], "printer");
    let text = ok(&["similar", p(&proj), "t9.txt", "-k", "2"]);
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().all(|l| ["t5", "t6", "t7", "t8"].iter().any(|t| l.starts_with(t))), "{text}");
    assert!(user_error(&["similar", p(&proj), "t99.txt"]).contains("no sample \"t99.txt\""));
    let both = json(&["similar", p(&proj), "t9.txt", "t0.txt", "-k", "4", "--json"]);
    assert_eq!((&both[0]["id"], &both[1]["neighbours"]), (&"t9.txt".into(), &near), "sparse rows, two ids");
    assert!(user_error(&["embed", p(&proj), "--features", "pixels"]).contains("do not fit text data"));
    let csv = dir.path().join("vectors.csv");
    let r = kindling(&["embed", p(&proj), "-o", p(&csv)]);
    assert!(r.code == 0 && r.stderr.contains("wrote 10 vectors (sparse: a line"), "{}", r.stderr);
    // TF-IDF is written long, a line a non-zero value: the rows it gives back have the
    // cosines `similar` found.
    let text = std::fs::read_to_string(&csv).unwrap();
    let width = out.split(" of ").nth(1).unwrap().split(' ').next().unwrap().parse::<usize>().unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,dimension,value"));
    let mut rows: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (j, v): (usize, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        assert!(j < width && v != 0.0, "{line}");
        rows.entry(f[0].to_string()).or_insert_with(|| vec![0.0; width])[j] = v;
    }
    assert_eq!(rows.len(), 10, "every sample: {:?}", rows.keys());
    let cosine = |a: &[f64], b: &[f64]| {
        let n = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (n(a) * n(b))
    };
    for n in near.as_array().unwrap() {
        let from_file = cosine(&rows["t0.txt"], &rows[n["id"].as_str().unwrap()]);
        assert!((from_file - n["similarity"].as_f64().unwrap()).abs() < 1e-4, "{n}: {from_file}");
    }
}

#[test]
fn clusters_group_the_two_topics_with_their_label_make_up() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let clusters = json(&["clusters", p(&proj), "--json"]);
    let clusters = clusters.as_array().unwrap();
    assert_eq!(clusters.len(), 2, "as many as classes");
    let sizes: Vec<u64> = clusters.iter().map(|c| c["size"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [5, 5]);
    let printers = clusters.iter().find(|c| c["labels"]["printer"] == 1).expect("t1's cluster");
    assert_eq!(printers["labels"]["(unlabelled)"], 4);
    let central: Vec<&str> = printers["central"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(central.iter().all(|id| ["t0.txt", "t1.txt", "t2.txt", "t3.txt", "t4.txt"].contains(id)), "{central:?}");
    let text = ok(&["clusters", p(&proj), "-k", "2"]);
    assert!(text.starts_with("cluster 0: 5 samples"), "{text}");
    assert!(user_error(&["clusters", p(&proj), "-k", "1"]).contains("give 2 to 10"));
}

#[test]
fn map_gives_every_sample_a_place_apart_by_topic_and_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let csv = ok(&["map", p(&proj)]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,x,y,label"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().any(|r| r[0] == "t1.txt" && r[3] == "printer"));
    let x = |id: &str| rows.iter().find(|r| r[0] == id).unwrap()[1].parse::<f64>().unwrap();
    // The map's first axis splits the two topics.
    let printers: Vec<f64> = (0..5).map(|i| x(&format!("t{i}.txt"))).collect();
    let accounts: Vec<f64> = (5..10).map(|i| x(&format!("t{i}.txt"))).collect();
    let apart = printers.iter().all(|a| accounts.iter().all(|b| a < b))
        || printers.iter().all(|a| accounts.iter().all(|b| a > b));
    assert!(apart, "{printers:?} {accounts:?}");
    assert_eq!(ok(&["map", p(&proj)]), csv, "the same map every time");
    let png = dir.path().join("map.png");
    let r = kindling(&["map", p(&proj), "--png", p(&png)]);
    assert!(r.code == 0 && r.stderr.starts_with("wrote the map of 10 samples"), "{}", r.stderr);
    assert_eq!(image::open(&png).unwrap().width(), 900);
    assert_eq!(json(&["map", p(&proj), "--json"]).as_array().unwrap().len(), 10);
    // auto is t-SNE at this size; the principal components or UMAP on asking.
    assert_eq!(ok(&["map", p(&proj), "--method", "tsne"]), csv);
    assert_ne!(ok(&["map", p(&proj), "--method", "pca"]), csv);
    let umap = ok(&["map", p(&proj), "--method", "umap"]);
    assert!(umap != csv && umap.lines().count() == 11, "{umap}");
    assert_eq!(ok(&["map", p(&proj), "--method", "umap"]), umap, "the same UMAP map every time");
    assert!(user_error(&["map", p(&proj), "--method", "mds"]).contains("choose auto, tsne, umap or pca"));
}

#[test]
fn cached_vectors_are_made_again_when_the_data_changes() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    ok(&["embed", p(&proj)]);
    let near = |id: &str| {
        let found = json(&["similar", p(&proj), id, "-k", "1", "--json"]);
        found[0]["id"].as_str().unwrap().to_string()
    };
    assert!(user_error(&["similar", p(&proj), "t10.txt"]).contains("no sample"));
    // A new printer ticket, and t0 rewritten to be about passwords.
    let data = dir.path().join("texts");
    std::fs::write(data.join("t10.txt"), "the printer jams paper toner tray again").unwrap();
    std::fs::write(data.join("t0.txt"), "reset password account login locked ticket0").unwrap();
    assert!(["t1.txt", "t2.txt", "t3.txt", "t4.txt"].contains(&near("t10.txt").as_str()));
    assert!(["t5.txt", "t6.txt", "t7.txt", "t8.txt", "t9.txt"].contains(&near("t0.txt").as_str()));
}

#[test]
fn similar_on_wide_vectors_goes_through_its_index_and_finds_what_comparing_all_finds() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/shapes");
    let csv = dir.path().join("vectors.csv");
    ok(&["embed", p(&proj), "-o", p(&csv)]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<(String, Vec<f64>)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().to_string(), f.map(|v| v.parse().unwrap()).collect())
        })
        .collect();
    assert!(rows[0].1.len() > 128, "pixels are wide: {}", rows[0].1.len());
    let cosine = |a: &[f64], b: &[f64]| {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let n = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        dot / (n(a) * n(b))
    };
    for query in [0, rows.len() / 2] {
        let (id, me) = &rows[query];
        let mut all: Vec<(f64, &str)> =
            rows.iter().filter(|(other, _)| other != id).map(|(other, v)| (cosine(me, v), other.as_str())).collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        let found = json(&["similar", p(&proj), id, "-k", "5", "--json"]);
        let found: Vec<&str> = found.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
        let expected: Vec<&str> = all.iter().take(5).map(|a| a.1).collect();
        assert_eq!(found, expected, "{id}");
    }
    // Several at once answer as one at a time, in the order asked, from the arguments or
    // from standard input.
    let (a, b) = (rows[0].0.as_str(), rows[rows.len() / 2].0.as_str());
    let alone = |id: &str| json(&["similar", p(&proj), id, "-k", "5", "--json"]);
    let both = json(&["similar", p(&proj), b, a, "-k", "5", "--json"]);
    assert_eq!(both[0]["id"], b);
    assert_eq!(both[0]["neighbours"], alone(b));
    assert_eq!(both[1]["neighbours"], alone(a));
    let piped = with_input(&["similar", p(&proj), "-", "-k", "5", "--json"], &format!("{b}\n\n{a}\n"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&piped).unwrap(), both, "blank lines skipped");
    let text = ok(&["similar", p(&proj), a, b, "-k", "2"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!((lines[0], lines[3], lines[4]), (a, "", b), "{text}");
    assert!(lines[1].starts_with("  ") && lines.len() == 7, "{text}");
    let missing = user_error(&["similar", p(&proj), a, "nope.png", "gone.png"]);
    assert!(missing.contains("no sample \"nope.png\" (and 1 more)"), "{missing}");
    assert!(with_input_error(&["similar", p(&proj), "-"], "").contains("no sample ids given"));
    assert!(proj.join(".kindling/cache/similar-pixels-2.bin").is_file(), "the index is kept");
}

#[test]
fn similar_answers_when_the_vectors_cannot_be_cached() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    // A folder where the cache file would go: nothing can be written there or mapped.
    std::fs::create_dir_all(proj.join(".kindling/cache/vectors-tfidf.bin")).unwrap();
    let near = json(&["similar", p(&proj), "t0.txt", "-k", "4", "--json"]);
    let mut ids: Vec<&str> = near.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["t1.txt", "t2.txt", "t3.txt", "t4.txt"]);
}

/// Twelve reddish and twelve bluish images in class folders, labelled from them.
fn colour_project(dir: &Path) -> std::path::PathBuf {
    let images = dir.join("images");
    for (class, base) in [("red", [200u8, 30, 30]), ("blue", [30u8, 30, 200])] {
        std::fs::create_dir_all(images.join(class)).unwrap();
        for i in 0..12u8 {
            let colour = base.map(|v| v.saturating_add(i * 3));
            image::RgbImage::from_pixel(6, 6, image::Rgb(colour))
                .save(images.join(class).join(format!("{i}.png")))
                .unwrap();
        }
    }
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--labels-from-folders"]);
    proj
}

#[test]
fn an_encoder_that_cannot_be_used_is_named_and_fits_only_images_or_texts() {
    let dir = tempfile::tempdir().unwrap();
    let proj = colour_project(dir.path());
    let missing = dir.path().join("none.pt");
    let err = user_error(&["embed", p(&proj), "--encoder", p(&missing)]);
    assert!(err.contains("none.pt"), "{err}");
    let r = kindling(&["similar", p(&proj), "red/1.png", "--encoder", p(&missing), "--features", "pixels"]);
    assert_eq!(r.code, 2, "--encoder and --features conflict: {}", r.stderr);
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let err = user_error(&["embed", p(&dir.path().join("demo/fruit")), "--encoder", p(&missing)]);
    assert!(err.contains("image or text"), "{err}");
    if !cfg!(feature = "torch") {
        std::fs::write(&missing, b"not a module").unwrap();
        let err = user_error(&["embed", p(&proj), "--encoder", p(&missing)]);
        assert!(err.contains("--features torch"), "{err}");
    }
}

#[cfg(feature = "torch")]
#[test]
fn torch_encoder_vectors_are_cached_and_searched_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let proj = colour_project(dir.path());
    let pt = dir.path().join("means.pt");
    colour_means_module(&pt);
    let out = json(&["embed", p(&proj), "--encoder", p(&pt), "--json"]);
    assert_eq!(
        (out["features"].as_str(), out["samples"].as_u64(), out["dimensions"].as_u64()),
        (Some("encoder"), Some(24), Some(3))
    );
    let cache = proj.join(".kindling/cache/vectors-encoder.bin");
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    let near = json(&["similar", p(&proj), "red/3.png", "-k", "5", "--encoder", p(&pt), "--json"]);
    let labels: Vec<&str> = near.as_array().unwrap().iter().map(|n| n["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["red"; 5], "{near}");
    assert_eq!(std::fs::metadata(&cache).unwrap().modified().unwrap(), written, "similar reuses the cached vectors");
    let clusters = json(&["clusters", p(&proj), "-k", "2", "--encoder", p(&pt), "--json"]);
    let sizes: Vec<u64> = clusters.as_array().unwrap().iter().map(|c| c["size"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [12, 12], "{clusters}");
    // Another module at the same path: the vectors are made again.
    let example = tch::Tensor::zeros([1, 3, 4, 4], (tch::Kind::Float, tch::Device::Cpu));
    save_traced(&pt, example, |x| x.amax([2i64, 3].as_slice(), false).repeat([1, 2]));
    let out = json(&["embed", p(&proj), "--encoder", p(&pt), "--json"]);
    assert_eq!(out["dimensions"], 6, "{out}");
}
