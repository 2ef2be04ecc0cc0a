//! Pre-trained encoders from the command line, on tiny snapshots in the Hub's layouts that
//! the tests write (`kindling::encoders::tiny`): nothing is downloaded.

use super::serve::Server;
use super::*;

const TEXTS: &[(&str, &str)] = &[
    ("the cat sat on the mat", "pets"),
    ("a cat sat", "pets"),
    ("the dog sat on a mat", "pets"),
    ("cat and dog", "pets"),
    ("the cafe", "places"),
    ("a cafe on the mat", "places"),
    ("play at the cafe", "places"),
    ("playing and played at a cafe", "places"),
];

/// A text project of `TEXTS`, all labelled, with the tiny snapshot as its encoder.
fn text_project(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let snapshot = dir.join("mini-bert");
    kindling::encoders::tiny::write_sentence_bert(&snapshot, 5, 16).unwrap();
    let mut csv = String::from("id,text,label\n");
    TEXTS.iter().enumerate().for_each(|(i, (t, l))| csv.push_str(&format!("t{i},{t},{l}\n")));
    std::fs::write(dir.join("texts.csv"), csv).unwrap();
    let proj = dir.join("proj");
    let table = dir.join("texts.csv");
    ok(&[
        "init",
        p(&proj),
        "--source",
        p(&table),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--encoder",
        p(&snapshot),
    ]);
    (proj, snapshot)
}

#[test]
fn encoders_are_listed_and_one_not_on_disk_says_which_files_go_where() {
    let listed = json(&["encoders", "--json"]);
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"all-MiniLM-L6-v2") && names.contains(&"tf_efficientnet_lite0"), "{names:?}");
    assert_eq!(listed[0]["on_disk"], false);
    let dir = tempfile::tempdir().unwrap();
    let (proj, _) = text_project(dir.path());
    let r = kindling(&["embed", p(&proj), "--encoder", "all-MiniLM-L6-v2"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/model.safetensors")
    );
    assert!(r.stderr.contains(&test_cache().join("encoders/all-MiniLM-L6-v2").display().to_string()), "{}", r.stderr);
    let r = kindling(&["embed", p(&proj), "--encoder", "no-such-model"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("known encoder") && r.stderr.contains("gte-small"), "{}", r.stderr);
    let r = kindling(&["embed", p(&proj), "--encoder", "tf_efficientnet_lite0", "--features", "tfidf"]);
    assert!(r.code == 2 && r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

#[test]
fn a_text_project_embeds_trains_predicts_and_serves_with_its_encoder() {
    let dir = tempfile::tempdir().unwrap();
    let (proj, snapshot) = text_project(dir.path());
    let toml = std::fs::read_to_string(proj.join("kindling.toml")).unwrap();
    assert!(toml.contains("encoder = ") && toml.contains("mini-bert"), "{toml}");
    // `auto` features are the project's encoder: its own vectors, normalized.
    let out = dir.path().join("vectors.csv");
    ok(&["embed", p(&proj), "-o", p(&out)]);
    let rows: Vec<Vec<f64>> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), TEXTS.len());
    assert!(rows.iter().all(|r| r.len() == 8 && (r.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-4));
    // The built-in features are still there when named.
    let tfidf = json(&["embed", p(&proj), "--features", "tfidf", "--json"]);
    assert_eq!(tfidf["features"], "tfidf");

    let trained = ok(&["train", p(&proj), "--model", "logistic"]);
    assert!(trained.contains("encoder"), "{trained}");
    let shown = json(&["show", p(&proj), "latest", "--json"]);
    let encoder = shown["run"]["encoder"].as_str().unwrap_or_default().to_string();
    assert!(encoder.contains("mini-bert"), "the run records the encoder: {shown}");
    std::fs::write(dir.path().join("new.csv"), "id,text\na,the cat on the mat\nb,a cafe\n").unwrap();
    let expected = ok(&["predict", p(&proj), p(&dir.path().join("new.csv"))]);
    assert_eq!(expected.lines().count(), 3, "{expected}");
    let server = Server::start(&[p(&proj)]);
    let (status, text) = server.send("POST", "/predict", &[], br#"{"texts": ["the cat on the mat", "a cafe"]}"#);
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    super::serve::same_as_predict(&expected, answer["predictions"].as_array().unwrap(), |row, _| row);
    // Requests at once share encoder passes; each still gets its own rows, as predict's.
    let texts = ["the cat on the mat", "a cafe", "dog sat on the mat", "play at the cafe", "cat and dog", "the"];
    let mut csv = String::from("id,text\n");
    texts.iter().enumerate().for_each(|(i, t)| csv.push_str(&format!("t{i},{t}\n")));
    std::fs::write(dir.path().join("six.csv"), csv).unwrap();
    let each = ok(&["predict", p(&proj), p(&dir.path().join("six.csv"))]);
    let header = each.lines().next().unwrap().to_string();
    let server = std::sync::Arc::new(server);
    let asked: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (server, line) = (server.clone(), format!("{header}\n{}\n", each.lines().nth(i + 1).unwrap()));
            let body = format!(r#"{{"texts": ["{t}"]}}"#);
            std::thread::spawn(move || {
                let (status, text) = server.send("POST", "/predict", &[], body.as_bytes());
                assert_eq!(status, 200, "{text}");
                let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
                super::serve::same_as_predict(&line, answer["predictions"].as_array().unwrap(), |_, _| 0);
            })
        })
        .collect();
    asked.into_iter().for_each(|h| h.join().unwrap());
    let (_, info) = server.send("GET", "/info", &[], b"");
    let passes = serde_json::from_str::<serde_json::Value>(&info).unwrap()["encoder_passes"].as_u64().unwrap();
    assert!((1..=7).contains(&passes), "{info}");
    drop(server);

    // New weights in the same folder: the run refuses them rather than answer wrongly.
    std::thread::sleep(std::time::Duration::from_millis(20));
    kindling::encoders::tiny::write_sentence_bert(&snapshot, 6, 16).unwrap();
    let r = kindling(&["predict", p(&proj), p(&dir.path().join("new.csv"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("mini-bert") && r.stderr.contains("train again"), "{}", r.stderr);
}

#[test]
fn an_image_project_embeds_with_a_timm_snapshot_and_an_unreadable_image_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("mini-lite");
    kindling::encoders::tiny::write_efficientnet(&snapshot, 2, 32).unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    for i in 0..4u8 {
        let img =
            ::image::RgbImage::from_fn(40 + u32::from(i), 30, |x, y| ::image::Rgb([x as u8 * 5, y as u8 * 7, i * 60]));
        img.save(images.join(format!("{i}.png"))).unwrap();
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--classes", "a,b"]);
    std::fs::write(images.join("broken.png"), b"not a png").unwrap();
    let r = kindling(&["embed", p(&proj), "--encoder", p(&snapshot), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let answer: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(answer["dimensions"], 8);
    let r = kindling(&[
        "init",
        p(&dir.path().join("p2")),
        "--source",
        p(&images),
        "--encoder",
        p(&dir.path().join("nothing")),
    ]);
    assert_eq!(r.code, 2);
    let r = kindling(&["embed", p(&proj), "--encoder", p(&dir.path().join("mini-bert-missing"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn an_embedding_stopped_by_ctrl_c_keeps_what_it_encoded_and_the_next_call_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("mini-bert");
    kindling::encoders::tiny::write_sentence_bert(&snapshot, 5, 16).unwrap();
    // Enough texts that the pass is still going when the first batches are in the cache.
    let words = ["the", "cat", "sat", "on", "mat", "a", "dog", "cafe", "play", "and"];
    let mut csv = String::from("id,text\n");
    for i in 0..100_000usize {
        let text: Vec<&str> = (0..8).map(|k| words[(i / 10usize.pow(k % 5) + k as usize) % words.len()]).collect();
        csv.push_str(&format!("t{i},{} {i}\n", text.join(" ")));
    }
    std::fs::write(dir.path().join("texts.csv"), csv).unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&dir.path().join("texts.csv")), "--text-column", "text", "--classes", "a,b"]);
    let cache = dir.path().join("cache");
    let embed = |proj: &Path, cache: &Path, out: &Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kindling"));
        command
            .args(["embed", p(proj), "--encoder", p(&snapshot), "-o", p(out)])
            .env("KINDLING_CACHE_DIR", cache)
            .env("KINDLING_OFFLINE", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    };
    let cached_bytes = || -> u64 {
        let Ok(files) = std::fs::read_dir(cache.join("vectors")) else { return 0 };
        files.filter_map(|f| f.ok()?.metadata().ok()).map(|m| m.len()).sum()
    };
    let child = embed(&proj, &cache, &dir.path().join("stopped.csv")).spawn().unwrap();
    let start = std::time::Instant::now();
    // Past the file's header (24 bytes): at least one batch is kept.
    while cached_bytes() <= 24 {
        assert!(start.elapsed() < std::time::Duration::from_secs(300), "no batch was ever kept");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let stopped = child.wait_with_output().unwrap();
    assert!(!stopped.status.success(), "the pass was stopped before its end");
    assert!(!dir.path().join("stopped.csv").exists(), "nothing written for a stopped pass");
    let kept = cached_bytes();

    let resumed = embed(&proj, &cache, &dir.path().join("resumed.csv")).output().unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    let said = stderr.lines().find(|l| l.contains("already encoded")).unwrap_or_else(|| panic!("{stderr}"));
    let before: usize = said.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(before > 0 && before < 100_000, "{said}");
    assert!(said.contains(&format!("the other {}", 100_000 - before)), "{said}");
    assert!(cached_bytes() > kept, "the rest was added to what was kept");
    // The vectors are those of a pass never stopped (another project, another cache).
    let other = dir.path().join("other");
    ok(&["init", p(&other), "--source", p(&dir.path().join("texts.csv")), "--text-column", "text", "--classes", "a,b"]);
    let whole = embed(&other, &dir.path().join("fresh-cache"), &dir.path().join("whole.csv")).output().unwrap();
    assert!(whole.status.success());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("resumed.csv"), read("whole.csv"));
}
