use super::*;

fn tree_digest(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let p = e.path().to_string_lossy();
            !p.contains("labels.db") && !p.contains(".kindling")
        })
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn demo_is_real_deterministic_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let out = ok(&["demo", p(&a), "--no-open"]);
    assert!(out.contains("created demo projects"), "{out}");
    ok(&["demo", p(&b), "--no-open"]);
    assert_eq!(tree_digest(&a), tree_digest(&b), "same files, byte for byte");

    let shapes = json(&["info", p(&a.join("shapes")), "--json"]);
    assert_eq!(shapes["kind"], "images");
    assert!(shapes["samples"].as_u64().unwrap() >= 300);
    assert!(shapes["classes"].as_array().unwrap().len() >= 4);
    let labelled = shapes["labelled"].as_u64().unwrap();
    assert!(labelled > 0 && labelled < shapes["samples"].as_u64().unwrap(), "partly labelled");
    assert_eq!(shapes["unreadable"].as_array().unwrap().len(), 1, "the one broken file is listed");
    assert_eq!(
        json(&["info", p(&a.join("shapes")), "--json"])["version"],
        json(&["info", p(&b.join("shapes")), "--json"])["version"]
    );

    let fruit = json(&["info", p(&a.join("fruit")), "--json"]);
    assert_eq!(fruit["kind"], "table");
    assert!(fruit["labelled"].as_u64().unwrap() > 0);
    let tickets = json(&["info", p(&a.join("tickets")), "--json"]);
    assert_eq!(tickets["kind"], "text");
    let tones = json(&["info", p(&a.join("tones")), "--json"]);
    assert_eq!(tones["kind"], "audio");

    // The table really has missing values and categorical columns.
    let csv = std::fs::read_to_string(a.join("fruit/fruit.csv")).unwrap();
    assert!(csv.lines().skip(1).any(|l| l.contains(",,")), "some values are missing");

    // A second run finds the demo and leaves labels alone.
    ok(&["labels", "set", p(&a.join("shapes")), "circle_0001.png", "square"]);
    let again = ok(&["demo", p(&a), "--no-open"]);
    assert!(again.contains("found existing"), "{again}");
    let export = ok(&["labels", "export", p(&a.join("shapes"))]);
    assert!(export.contains("circle_0001.png,square"), "{export}");
}

#[test]
fn demo_refuses_a_folder_with_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "mine").unwrap();
    let err = user_error(&["demo", p(dir.path())]);
    assert!(err.contains("not a complete Kindling demo"), "{err}");
}
