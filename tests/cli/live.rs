//! `kindling live` and `kindling queue`: the live model refitted from the command line, and
//! the queue a labelling script walks.

use super::*;

/// A text project of `n` short texts about two topics, none labelled.
fn texts(dir: &Path, n: usize) -> std::path::PathBuf {
    let data = dir.join("texts");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..n {
        let text = if i % 2 == 0 {
            format!("the printer jams and the toner leaks, ticket {i}")
        } else {
            format!("please reset my password and unlock the account, ticket {i}")
        };
        std::fs::write(data.join(format!("t{i:03}.txt")), text).unwrap();
    }
    let project = dir.join("p");
    ok(&["init", p(&project), "--source", p(&data), "--kind", "text", "--classes", "printer,account"]);
    project
}

#[test]
fn the_live_model_needs_two_classes_and_scores_itself() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 40);
    assert!(user_error(&["live", p(&project)]).contains("label at least one sample of two classes"));
    assert!(user_error(&["queue", p(&project), "--order", "entropy"]).contains("two classes"));
    // Without a model the plain orders still list what to label.
    let plain = json(&["queue", p(&project), "--order", "unlabelled", "--limit", "3", "--json"]);
    assert_eq!(plain.as_array().unwrap().len(), 3);
    assert!(plain[0]["class"].is_null());
    for i in 0..6usize {
        ok(&[
            "labels",
            "set",
            p(&project),
            &format!("t{i:03}.txt"),
            if i.is_multiple_of(2) { "printer" } else { "account" },
        ]);
    }
    let refit = json(&["live", p(&project), "--json"]);
    assert_eq!(refit["labels"], 6);
    assert_eq!(refit["accuracy"], 1.0, "two clearly different topics");
    assert!(!project.join("runs").exists(), "the live model is not a run");
    assert!(ok(&["live", p(&project)]).contains("on 6 labels"));
}

#[test]
fn queue_suggests_and_sees_new_labels() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 40);
    ok(&["labels", "set", p(&project), "t000.txt", "printer"]);
    ok(&["labels", "set", p(&project), "t001.txt", "account"]);
    let next = json(&["queue", p(&project), "--limit", "5", "--json"]);
    let next = next.as_array().unwrap();
    assert_eq!(next.len(), 5);
    for s in next {
        let id = s["id"].as_str().unwrap();
        let n: usize = id[1..4].parse().unwrap();
        let want = if n.is_multiple_of(2) { "printer" } else { "account" };
        assert_eq!(s["class"], want, "{s}");
        assert!(s["probability"].as_f64().unwrap() > 0.5);
    }
    // Label the first one: the next queue is refitted on it and leaves it out.
    let first = next[0]["id"].as_str().unwrap().to_string();
    let class = next[0]["class"].as_str().unwrap().to_string();
    ok(&["labels", "set", p(&project), &first, &class]);
    let again = json(&["queue", p(&project), "--order", "diverse", "--limit", "50", "--json"]);
    let ids: Vec<&str> = again.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 37, "40 texts, 3 labelled");
    assert!(!ids.contains(&first.as_str()));
    assert_eq!(json(&["live", p(&project), "--json"])["labels"], 3);
    assert!(user_error(&["queue", p(&project), "--order", "sideways"]).contains("unknown order"));
}
