use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::*;

/// A `kindling serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    addr: String,
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
            .args(["serve"])
            .args(args)
            .args(["--port", "0"])
            .env("KINDLING_CACHE_DIR", test_cache())
            .env("KINDLING_OFFLINE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stderr.as_mut().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).expect(&line).to_string();
        Server { child, addr }
    }

    /// (status, body) of one request.
    pub fn send(&self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        for h in headers {
            head += &format!("{h}\r\n");
        }
        stream.write_all(format!("{head}\r\n").as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
        (status, body)
    }

    pub fn post(&self, body: &str) -> (u16, serde_json::Value) {
        let (status, text) = self.send("POST", "/predict", &["Content-Type: application/json"], body.as_bytes());
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every line of `predict`'s CSV equals the server's answer for the same input to the last
/// digit; `item` says which answer a line is, from its row number and id.
pub fn same_as_predict(expected: &str, predictions: &[serde_json::Value], item: impl Fn(usize, &str) -> usize) {
    let mut lines = expected.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut compared = 0;
    for (row, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let got = &predictions[item(row, cells[0])];
        assert_eq!(got["predicted"], cells[1], "{line}");
        for (name, cell) in header.iter().zip(&cells).skip(2) {
            let class = name.strip_prefix("prob_").unwrap();
            let want: f64 = cell.parse().unwrap();
            assert_eq!(got["probabilities"][class].as_f64().unwrap(), want, "{class} in {line}: to the last digit");
        }
        compared += 1;
    }
    assert_eq!(compared, predictions.len(), "as many answers as predict's lines");
}

#[test]
fn serve_answers_as_predict_does_and_refuses_bad_requests_by_field() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    ok(&["train", p(&proj), "--model", "gradient_boosting"]);
    // Three rows as a file for `predict` and as JSON for the server (a gap in the third).
    let csv = "id,weight_g,length_cm,sweetness,colour,origin\na,110.4,20.86,8,green,New Zealand\nb,154.7,6.53,4,red,Spain\nc,,7.1,5,purple,\n";
    std::fs::write(dir.path().join("new.csv"), csv).unwrap();
    let expected = ok(&["predict", p(&proj), p(&dir.path().join("new.csv"))]);
    let server = Server::start(&[p(&proj), "--max-body", "4000", "--max-batch", "5"]);
    let rows = r#"{"rows": [
        {"weight_g": 110.4, "length_cm": 20.86, "sweetness": 8, "colour": "green", "origin": "New Zealand"},
        {"weight_g": 154.7, "length_cm": 6.53, "sweetness": 4, "colour": "red", "origin": "Spain"},
        {"weight_g": null, "length_cm": 7.1, "sweetness": 5, "colour": "purple"}]}"#;
    let (status, answer) = server.post(rows);
    assert_eq!(status, 200, "{answer}");
    let predictions = answer["predictions"].as_array().unwrap();
    same_as_predict(&expected, predictions, |row, _| row);
    assert_eq!(predictions.len(), 3);
    assert!(answer["run"].as_str().unwrap().ends_with("gradient_boosting"));
    // Bad requests: each a 4xx and one JSON error naming the field.
    let refused = |body: &str| server.post(body);
    assert_eq!(refused("").0, 400);
    assert!(refused("").1["error"].as_str().unwrap().contains("empty"));
    assert!(refused("{not json").1["error"].as_str().unwrap().contains("not JSON"));
    let (status, e) = refused(r#"{"rows": [{"weight_g": 1}]}"#);
    assert_eq!((status, e["field"].as_str()), (400, Some("length_cm")), "{e}");
    let (_, e) =
        refused(r#"{"rows": [{"weight_g": "heavy", "length_cm": 1, "sweetness": 1, "colour": "red", "origin": "x"}]}"#);
    assert_eq!(e["field"], "rows[0].weight_g", "{e}");
    assert_eq!(refused(r#"{"rows": []}"#).1["field"], "rows");
    assert_eq!(refused(r#"{"texts": ["a"]}"#).1["field"], "rows");
    let (status, e) = refused(&format!("{{\"rows\": [{}{{}}]}}", "{}, ".repeat(5)));
    assert_eq!((status, e["field"].as_str()), (400, Some("rows")), "{e}");
    assert!(e["error"].as_str().unwrap().contains("at most 5"), "{e}");
    let (status, e) = refused(&format!("{{\"rows\": [{}]}}", "{}, ".repeat(1000)));
    assert_eq!(status, 413, "{e}");
    assert_eq!(server.send("GET", "/nowhere", &[], b"").0, 404);
    let (status, info) = server.send("GET", "/info", &[], b"");
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!((status, info["input"]["rows"]["colour"].as_str()), (200, Some("category")), "{info}");
    let (_, metrics) = server.send("GET", "/metrics", &[], b"");
    assert!(metrics.contains("kindling_requests_total 10\n"), "{metrics}");
    assert!(metrics.contains("kindling_errors_total 9\n"), "{metrics}");
}

#[test]
fn a_token_guards_every_route_but_health_and_texts_answer_as_predict_does() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/tickets");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let server = Server::start(&[p(&proj), "--token", "s3cret"]);
    assert_eq!(server.send("GET", "/health", &[], b"").0, 200);
    assert_eq!(server.send("GET", "/info", &[], b"").0, 401);
    assert_eq!(server.send("GET", "/info", &["Authorization: Bearer wrong"], b"").0, 401);
    let body = br#"{"texts": ["my printer jams", "I cannot log in"]}"#;
    assert_eq!(server.send("POST", "/predict", &[], body).0, 401);
    let (status, text) = server.send("POST", "/predict", &["Authorization: Bearer s3cret"], body);
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["predictions"].as_array().unwrap().len(), 2);
    let total: f64 =
        answer["predictions"][0]["probabilities"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9);
    // The same texts through `predict`: the same probabilities, to the last digit.
    std::fs::write(dir.path().join("new.csv"), "id,text\na,my printer jams\nb,I cannot log in\n").unwrap();
    let expected = ok(&["predict", p(&proj), p(&dir.path().join("new.csv"))]);
    same_as_predict(&expected, answer["predictions"].as_array().unwrap(), |row, _| row);
}

/// `predict` on three of the project's files against the server posting the same files in
/// base64; then a file that is not of the kind, named by its field.
fn files_served_as_predicted(project: &str, model: &str, key: &str, extension: &str) {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo").join(project);
    ok(&["train", p(&proj), "--model", model]);
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&proj)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|f| f.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    let picked = dir.path().join("new");
    std::fs::create_dir(&picked).unwrap();
    // Three the project could read (the demo holds a damaged file or two on purpose).
    let readable = |f: &std::path::Path| match key {
        "images" => image::open(f).is_ok(),
        _ => hound::WavReader::open(f).is_ok_and(|mut r| r.samples::<i32>().all(|s| s.is_ok())),
    };
    for (i, f) in files.iter().step_by(files.len() / 5).filter(|f| readable(f)).take(3).enumerate() {
        std::fs::copy(f, picked.join(format!("{i}.{extension}"))).unwrap();
    }
    let expected = ok(&["predict", p(&proj), p(&picked)]);
    let encoded: Vec<String> = (0..3)
        .map(|i| {
            let bytes = std::fs::read(picked.join(format!("{i}.{extension}"))).unwrap();
            format!("\"{}\"", base64::engine::general_purpose::STANDARD.encode(bytes))
        })
        .collect();
    let server = Server::start(&[p(&proj)]);
    let (status, answer) = server.post(&format!("{{\"{key}\": [{}]}}", encoded.join(",")));
    assert_eq!(status, 200, "{answer}");
    let posted_as = |_: usize, id: &str| id.trim_end_matches(&format!(".{extension}")).parse().unwrap();
    same_as_predict(&expected, answer["predictions"].as_array().unwrap(), posted_as);
    let not_a_file = base64::engine::general_purpose::STANDARD.encode(b"hello, not a file");
    let (status, e) = server.post(&format!("{{\"{key}\": [{}, \"{not_a_file}\"]}}", encoded[0]));
    assert_eq!((status, e["field"].as_str()), (400, Some(format!("{key}[1]").as_str())), "{e}");
    let (status, e) = server.post(&format!("{{\"{key}\": [\"@@ not base64 @@\"]}}"));
    assert_eq!((status, e["field"].as_str()), (400, Some(format!("{key}[0]").as_str())), "{e}");
    assert!(e["error"].as_str().unwrap().contains("base64"), "{e}");
}

#[test]
fn images_posted_in_base64_are_answered_as_predict_answers_their_files() {
    files_served_as_predicted("shapes", "logistic", "images", "png");
}

#[test]
fn clips_posted_in_base64_are_answered_as_predict_answers_their_files() {
    files_served_as_predicted("tones", "naive_bayes", "clips", "wav");
}

#[test]
fn reload_switches_to_the_newest_run_without_failing_a_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let server = std::sync::Arc::new(Server::start(&[p(&proj), "--workers", "2"]));
    let row =
        r#"{"rows": [{"weight_g": 120, "length_cm": 18, "sweetness": 7, "colour": "yellow", "origin": "Spain"}]}"#;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (server, stop) = (server.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            // Bounded, so that a failing test does not leave the server loaded forever.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && std::time::Instant::now() < deadline {
                let (status, answer) = server.post(row);
                assert_eq!(status, 200, "a request failed during the reload: {answer}");
                seen.push(answer["run"].as_str().unwrap().to_string());
            }
            seen
        })
    };
    ok(&["train", p(&proj), "--model", "decision_tree"]);
    let (status, text) = server.send("POST", "/reload", &[], b"");
    assert_eq!(status, 200, "{text}");
    let reloaded: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(reloaded["run"].as_str().unwrap().ends_with("decision_tree"), "{reloaded}");
    assert!(reloaded["previous"].as_str().unwrap().ends_with("logistic"), "{reloaded}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = load.join().unwrap();
    assert!(seen.first().unwrap().ends_with("logistic") && seen.last().unwrap().ends_with("decision_tree"));
    let switches = seen.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(switches, 1, "answers switch run once, and stay switched");
    // SIGHUP does the same.
    ok(&["train", p(&proj), "--model", "majority"]);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, info) = server.send("GET", "/info", &[], b"");
        if info.contains("majority") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "SIGHUP did not reload: {info}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Waits for the served log to hold `lines` lines (the writer appends off the request path).
pub fn log_lines(proj: &std::path::Path, lines: usize) -> Vec<serde_json::Value> {
    let log = proj.join("served/log.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.lines().count() >= lines {
            return text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        }
        assert!(std::time::Instant::now() < deadline, "the log holds {text}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn served_rows_come_back_as_samples_to_label_least_sure_first() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let before = std::fs::read_to_string(proj.join("fruit.csv")).unwrap().lines().count();
    let server = Server::start(&[p(&proj), "--log"]);
    let rows = r#"{"rows": [
        {"weight_g": 118, "length_cm": 19.5, "sweetness": 8, "colour": "yellow", "origin": "Ecuador"},
        {"weight_g": 150, "length_cm": 9, "sweetness": 5, "colour": "green", "origin": "Chile, north"}]}"#;
    let (status, answer) = server.post(rows);
    assert_eq!(status, 200, "{answer}");
    let logged = log_lines(&proj, 2);
    assert_eq!(logged[1]["input"]["origin"], "Chile, north");
    assert_eq!(logged[0]["predicted"], answer["predictions"][0]["predicted"]);
    assert!(logged[0]["run"].as_str().unwrap().ends_with("logistic"));
    drop(server);
    assert!(ok(&["served", p(&proj)]).starts_with("2 served inputs, 0 imported"));
    let r = kindling(&["served", p(&proj), "--import"]);
    assert!(r.code == 0 && r.stderr.contains("added 2 served inputs"), "{}", r.stderr);
    let table = std::fs::read_to_string(proj.join("fruit.csv")).unwrap();
    assert_eq!(table.lines().count(), before + 2);
    let last = table.lines().last().unwrap();
    assert!(last.starts_with("served-") && last.contains("\"Chile, north\""), "{last}");
    // Imported once: a second import adds nothing.
    assert!(kindling(&["served", p(&proj), "--import"]).stderr.contains("added 0 served inputs"));
    let queue = json(&["queue", p(&proj), "--order", "served", "--limit", "3", "--json"]);
    let ids: Vec<&str> = queue.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let confidence = |i: usize| logged[i]["confidence"].as_f64().unwrap();
    let least_sure = if confidence(0) <= confidence(1) { 0 } else { 1 };
    assert!(ids[0].starts_with("served-") && ids[1].starts_with("served-"), "{ids:?}");
    assert!(ids[0].ends_with(&format!("-{}", least_sure + 1)), "least sure first: {ids:?}");
}

#[test]
fn served_images_are_copied_into_the_source_folder() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/shapes");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let server = Server::start(&[p(&proj), "--log"]);
    let png = std::fs::read(proj.join("images/circle_0001.png")).unwrap();
    let body = format!("{{\"images\": [\"{}\"]}}", base64::engine::general_purpose::STANDARD.encode(&png));
    assert_eq!(server.post(&body).0, 200);
    let logged = log_lines(&proj, 1);
    let name = logged[0]["input"].as_str().unwrap();
    assert_eq!(std::fs::read(proj.join("served/files").join(name)).unwrap(), png);
    drop(server);
    ok(&["served", p(&proj), "--import"]);
    assert_eq!(std::fs::read(proj.join("images/served").join(name)).unwrap(), png);
    let queue = json(&["queue", p(&proj), "--order", "served", "--limit", "1", "--json"]);
    assert_eq!(queue[0]["id"], format!("served/{name}"), "an unlabelled sample of the project now: {queue}");
}

#[test]
fn served_rows_are_appended_to_a_parquet_source_with_their_types() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let csv = dir.path().join("demo/fruit/fruit.csv");
    let mut df = CsvReadOptions::default().try_into_reader_with_file_path(Some(csv)).unwrap().finish().unwrap();
    let parquet = dir.path().join("fruit.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap()).finish(&mut df).unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&parquet), "--label-column", "label", "--id-column", "id"]);
    ok(&["train", p(&proj), "--model", "logistic"]);
    let server = Server::start(&[p(&proj), "--log"]);
    let row = r#"{"rows": [{"weight_g": 131.5, "length_cm": 8, "sweetness": 6, "colour": "red", "origin": "Chile"}]}"#;
    assert_eq!(server.post(row).0, 200);
    log_lines(&proj, 1);
    drop(server);
    let r = kindling(&["served", p(&proj), "--import"]);
    assert!(r.code == 0 && r.stderr.contains("added 1 served input"), "{}", r.stderr);
    let after = ParquetReader::new(std::fs::File::open(&parquet).unwrap()).finish().unwrap();
    assert_eq!(after.height(), df.height() + 1);
    assert_eq!(after.dtypes(), df.dtypes(), "the types stay");
    let last = after.tail(Some(1));
    assert!(last.column("id").unwrap().str().unwrap().get(0).unwrap().starts_with("served-"));
    assert_eq!(last.column("weight_g").unwrap().f64().unwrap().get(0), Some(131.5));
    assert_eq!(last.column("label").unwrap().null_count(), 1, "unlabelled");
}
