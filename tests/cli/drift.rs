use super::serve::Server;
use super::*;

/// The demo's fruit table with `weight_g` moved up by 80 g (a scale that reads heavy).
fn shifted_copy(proj: &Path, to: &Path) {
    let text = std::fs::read_to_string(proj.join("fruit.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if let Ok(w) = cells[1].parse::<f64>() {
            cells[1] = format!("{:.1}", w + 80.0);
        }
        out += &(cells.join(",") + "\n");
    }
    std::fs::write(to, out).unwrap();
}

#[test]
fn predict_names_the_drifted_column_only_and_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let same = kindling(&["predict", p(&proj), p(&proj.join("fruit.csv")), "-o", p(&dir.path().join("a.csv"))]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(!same.stderr.contains("drift"), "the training data itself is not drift: {}", same.stderr);
    let shifted = dir.path().join("heavy.csv");
    shifted_copy(&proj, &shifted);
    let report = dir.path().join("drift.json");
    let r =
        kindling(&["predict", p(&proj), p(&shifted), "-o", p(&dir.path().join("b.csv")), "--drift-report", p(&report)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warning = r.stderr.lines().find(|l| l.contains("drift")).expect(&r.stderr);
    assert!(warning.contains("weight_g (PSI") && !warning.contains("length_cm"), "{warning}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["drifted"], serde_json::json!(["weight_g"]), "{json}");
    let names: Vec<&str> = json["features"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["weight_g", "length_cm", "sweetness", "colour", "origin"]);
    assert!(json["confidence"]["mean"][0].as_f64().unwrap() > 0.5, "{json}");
}

#[test]
fn the_server_reports_drift_over_its_window() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/fruit");
    ok(&["train", p(&proj), "--model", "logistic"]);
    let server = Server::start(&[p(&proj)]);
    let rows: Vec<String> = (0..100)
        .map(|i| {
            let w = 240.0 + f64::from(i % 17);
            let colour = ["red", "yellow", "green"][i as usize % 3];
            format!(
                r#"{{"weight_g": {w}, "length_cm": {}, "sweetness": {}, "colour": "{colour}", "origin": "Spain"}}"#,
                6 + i % 15,
                3 + i % 6
            )
        })
        .collect();
    for chunk in rows.chunks(10) {
        let (status, answer) = server.post(&format!("{{\"rows\": [{}]}}", chunk.join(",")));
        assert_eq!(status, 200, "{answer}");
    }
    let (status, text) = server.send("GET", "/drift", &[], b"");
    assert_eq!(status, 200, "{text}");
    let drift: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(drift["report"]["samples"], 100, "{drift}");
    assert!(drift["report"]["drifted"].as_array().unwrap().contains(&"weight_g".into()), "{drift}");
    let (_, metrics) = server.send("GET", "/metrics", &[], b"");
    assert!(metrics.contains("kindling_drift_flagged{feature=\"weight_g\"} 1\n"), "{metrics}");
    assert!(metrics.contains("kindling_drift_window_samples 100\n"), "{metrics}");
}
