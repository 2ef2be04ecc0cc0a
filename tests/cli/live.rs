//! `kindling live` and `kindling queue`: the live model refitted from the command line, and
//! the queue a labelling script walks.

use super::*;

/// A text project of `n` short texts about two topics, none labelled.
pub fn texts(dir: &Path, n: usize) -> std::path::PathBuf {
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
    // An active order before any model is a cold start: samples spread over the data.
    let cold = kindling(&["queue", p(&project), "--order", "entropy", "--limit", "4", "--json"]);
    assert_eq!(cold.code, 0, "{}", cold.stderr);
    assert!(cold.stderr.contains("cold start"), "{}", cold.stderr);
    let cold: serde_json::Value = serde_json::from_str(&cold.stdout).unwrap();
    let topics: std::collections::HashSet<usize> = cold
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap()[1..4].parse::<usize>().unwrap() % 2)
        .collect();
    assert_eq!(topics.len(), 2, "the first picks cover both topics: {cold}");
    assert!(cold[0]["class"].is_null(), "no model, no suggestion");
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

/// A table of `n` texts about two topics with a split column: every fourth row is in the
/// test split. None labelled.
fn texts_with_split(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut csv = String::from("id,text,split\n");
    for i in 0..n {
        let text = if i % 2 == 0 { "the printer jams and the toner leaks" } else { "please reset my password" };
        let split = if i % 4 == 3 { "test" } else { "train" };
        csv.push_str(&format!("r{i:03},{text} {},{split}\n", ["today", "again", "now", "here", "still"][i % 5]));
    }
    std::fs::write(dir.join("t.csv"), csv).unwrap();
    let project = dir.join("p");
    ok(&[
        "init",
        p(&project),
        "--source",
        p(&dir.join("t.csv")),
        "--id-column",
        "id",
        "--split-column",
        "split",
        "--classes",
        "printer,account",
    ]);
    project
}

#[test]
fn active_orders_never_offer_held_out_samples_and_the_held_out_order_does() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts_with_split(dir.path(), 80);
    let class = |i: usize| if i.is_multiple_of(2) { "printer" } else { "account" };
    for i in [0usize, 1, 2, 4, 5, 6] {
        ok(&["labels", "set", p(&project), &format!("r{i:03}"), class(i)]);
    }
    let is_test = |id: &str| id[1..].parse::<usize>().unwrap() % 4 == 3;
    for order in ["least_confident", "margin", "entropy", "diverse", "auto"] {
        let next = json(&["queue", p(&project), "--order", order, "--limit", "54", "--json"]);
        let ids: Vec<&str> = next.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 54, "{order}: the 54 unlabelled training rows");
        assert!(ids.iter().all(|id| !is_test(id)), "{order} offered a held-out sample: {ids:?}");
        assert!(next[0]["class"].is_string(), "suggestions are still shown");
    }
    let held_out = json(&["queue", p(&project), "--order", "held_out", "--limit", "20", "--json"]);
    let ids: Vec<&str> = held_out.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 20);
    assert!(ids.iter().all(|id| is_test(id)), "{ids:?}");
    assert!(held_out[0]["class"].is_string(), "suggestions on held-out samples too");
    let live = ok(&["live", p(&project)]);
    assert!(live.contains("cross-validated"), "no held-out labels yet: {live}");
}

#[test]
fn a_class_name_with_the_multi_label_separator_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 10);
    let e = user_error(&["classes", "add", p(&project), "paper|toner"]);
    assert!(e.contains("cannot contain \"|\""), "{e}");
    assert!(!ok(&["classes", p(&project)]).contains("paper"), "nothing was added");
}

#[test]
fn clusters_say_when_k_is_more_than_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 6);
    let r = kindling(&["clusters", p(&project), "-k", "50", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("-k 50 is more than the 6 samples: made 6 clusters"), "{}", r.stderr);
    let clusters: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(clusters.as_array().unwrap().len(), 6);
}
