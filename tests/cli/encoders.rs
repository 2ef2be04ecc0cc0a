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
