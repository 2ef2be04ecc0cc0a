//! `kindling qa`, `kindling labels gold`, and re-asks in the queue a labelling script walks.

use super::*;

/// A text project of `n` short texts about two topics, none labelled, that asks again
/// every fifth sample shown, two labels and no time after the first answer.
fn texts(dir: &Path, n: usize) -> std::path::PathBuf {
    let project = super::live::texts(dir, n);
    let config = project.join("kindling.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[qa]\necho = 0.2\necho_gap = 2\necho_wait = \"0s\"\ngold = 0.0\n");
    std::fs::write(&config, toml).unwrap();
    project
}

fn truth(id: &str) -> &'static str {
    if id[1..4].parse::<usize>().unwrap() % 2 == 0 { "printer" } else { "account" }
}

#[test]
fn a_script_meets_echoes_blind_and_qa_counts_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 60);
    let mut echoes = Vec::new();
    let mut answered_differently = None;
    let mut last_was_echo = false;
    for _ in 0..4 {
        let next = json(&["queue", p(&project), "--order", "random", "--limit", "10", "--json"]);
        let items = next.as_array().unwrap();
        assert_eq!(items.len(), 10);
        for item in items {
            let id = item["id"].as_str().unwrap();
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert!(keys.iter().all(|k| ["id", "class", "probability", "runner_up"].contains(&k.as_str())), "{item}");
            let labelled = ok(&["labels", "export", p(&project)]).lines().any(|l| l.starts_with(&format!("{id},")));
            // The first echo is answered wrong on purpose.
            let answer = match (labelled, answered_differently.is_none()) {
                (true, true) => {
                    answered_differently = Some(id.to_string());
                    if truth(id) == "printer" { "account" } else { "printer" }
                }
                _ => truth(id),
            };
            let out = ok(&["labels", "set", p(&project), id, answer]);
            last_was_echo = labelled;
            if labelled {
                assert!(out.contains("echo answer"), "{out}");
                echoes.push(id.to_string());
            }
        }
    }
    // One place in five is an echo once labels are there to ask again: 8 of the 40 shown.
    assert!((6..=8).contains(&echoes.len()), "{echoes:?}");
    let first = answered_differently.unwrap();
    assert_eq!(
        ok(&["labels", "export", p(&project)]).lines().find(|l| l.starts_with(&format!("{first},"))).unwrap(),
        format!("{first},{}", truth(&first)),
        "an echo answer never overwrites the label"
    );
    let qa = json(&["qa", p(&project), "--json"]);
    let pairs = qa["self_agreement"]["pairs"].as_u64().unwrap() as usize;
    assert_eq!(pairs, echoes.len());
    let percent = qa["self_agreement"]["percent"].as_f64().unwrap();
    assert!((percent - (pairs - 1) as f64 / pairs as f64).abs() < 1e-9, "{qa}");
    let confusion = &qa["self_confusion"][0];
    assert_eq!(confusion[0], truth(&first));
    assert_eq!(confusion[2], 1);
    let text = ok(&["qa", p(&project)]);
    assert!(text.contains(&format!("on {pairs} echoes")) && text.contains("κ"), "{text}");
    // Every answer, with its origin, beside the label it re-asked.
    let answers = ok(&["qa", p(&project), "--answers"]);
    let mut lines = answers.lines();
    assert_eq!(lines.next(), Some("id,label,answer,origin,time_ms"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), pairs, "{answers}");
    assert!(rows.iter().all(|r| r.contains(",echo,")));
    let wrong = rows.iter().find(|r| r.starts_with(&format!("{first},"))).unwrap();
    assert!(wrong.starts_with(&format!("{first},{},", truth(&first))), "{wrong}");
    // The readiness report says it too.
    let report = json(&["report", p(&project), "--json"]);
    let said = report["profile"].as_array().unwrap().iter().find(|e| e[0] == "self-agreement").cloned();
    assert!(said.is_some_and(|e| e[1].as_str().unwrap().contains(&format!("on {pairs} echoes"))), "{report}");
    // Undo withdraws the last answer: one pair fewer.
    ok(&["labels", "undo", p(&project)]);
    let after = json(&["qa", p(&project), "--json"]);
    let pairs_after = after["self_agreement"]["pairs"].as_u64().unwrap() as usize;
    assert_eq!(pairs_after, if last_was_echo { pairs - 1 } else { pairs }, "{after}");
    // The echo answered differently is first in the review, with both answers.
    let review = json(&["queue", p(&project), "--order", "review", "--json"]);
    assert_eq!(review.as_array().unwrap().len(), 1, "{review}");
    assert_eq!(review[0]["id"], first.as_str());
    assert_eq!(review[0]["answers"].as_array().unwrap().len(), 2);
    assert!(review[0]["why"][0].as_str().unwrap().contains("when asked again"), "{review}");
    let text = kindling(&["queue", p(&project), "--order", "review"]);
    assert!(text.stdout.contains(&first) && text.stderr.contains("--folds 5"), "{}", text.stderr);
    // Settled by labelling it (again): out of the review.
    ok(&["labels", "set", p(&project), &first, truth(&first)]);
    assert_eq!(json(&["queue", p(&project), "--order", "review", "--json"]), serde_json::json!([]));
}

#[test]
fn gold_samples_are_set_aside_asked_once_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 40);
    let config = project.join("kindling.toml");
    let toml = std::fs::read_to_string(&config)
        .unwrap()
        .replace("echo = 0.2", "echo = 0.0")
        .replace("gold = 0.0", "gold = 0.25");
    std::fs::write(&config, toml).unwrap();
    let file = dir.path().join("gold.csv");
    std::fs::write(&file, "id,label\nt000.txt,printer\nt001.txt,account\nt002.txt,printer\n").unwrap();
    let out = ok(&["labels", "gold", p(&project), p(&file)]);
    assert!(out.contains("set aside 3 samples as gold"), "{out}");
    let mut asked = Vec::new();
    for _ in 0..2 {
        let next = json(&["queue", p(&project), "--order", "random", "--limit", "8", "--json"]);
        for item in next.as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let gold = ["t000.txt", "t001.txt", "t002.txt"].contains(&id);
            // Gold t000 is answered wrong.
            let answer = if id == "t000.txt" { "account" } else { truth(id) };
            ok(&["labels", "set", p(&project), id, answer]);
            if gold {
                asked.push(id.to_string());
            }
        }
    }
    asked.sort();
    assert_eq!(asked, ["t000.txt", "t001.txt", "t002.txt"], "each gold sample once");
    let qa = json(&["qa", p(&project), "--json"]);
    assert_eq!(qa["gold"]["answered"], 3);
    assert!((qa["gold"]["accuracy"]["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{qa}");
    // Gold answers are not labels.
    let labels = ok(&["labels", "export", p(&project)]);
    assert!(!labels.lines().any(|l| l.starts_with("t000.txt,")), "{labels}");
    // Current labels as gold, and what cannot be.
    let out = ok(&["labels", "gold", p(&project), "--from-labels", "2"]);
    assert!(out.contains("set aside 2 samples as gold (5 in all)"), "{out}");
    assert!(user_error(&["labels", "gold", p(&project), "--from-labels", "999"]).contains("only"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,label\nt003.txt,parrot\n").unwrap();
    assert!(user_error(&["labels", "gold", p(&project), p(&bad)]).contains("no class \"parrot\""));
    std::fs::write(&bad, "id,label\nnowhere.txt,printer\n").unwrap();
    assert!(user_error(&["labels", "gold", p(&project), p(&bad)]).contains("\"nowhere.txt\""));
}

#[test]
fn qa_on_a_project_without_answers_says_how_to_get_them() {
    let dir = tempfile::tempdir().unwrap();
    let project = texts(dir.path(), 10);
    let text = ok(&["qa", p(&project)]);
    assert!(text.contains("no echoes answered yet"), "{text}");
    assert!(text.contains("kindling labels gold"), "{text}");
    let qa = json(&["qa", p(&project), "--json"]);
    assert_eq!(qa["self_agreement"]["pairs"], 0);
    assert!(qa["gold"].is_null());
    let config = project.join("kindling.toml");
    let toml = std::fs::read_to_string(&config).unwrap().replace("echo_wait = \"0s\"", "echo_wait = \"soon\"");
    std::fs::write(&config, toml).unwrap();
    assert!(user_error(&["qa", p(&project)]).contains("echo_wait"));
}

#[test]
fn a_drop_in_care_is_found_from_the_model_s_view_of_every_label() {
    // No re-asks at all: only the live model, which never saw the label it scores, can tell.
    let dir = tempfile::tempdir().unwrap();
    let project = super::live::texts(dir.path(), 200);
    let config = project.join("kindling.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[qa]\necho = 0.0\ngold = 0.0\n");
    std::fs::write(&config, toml).unwrap();
    let steady = json(&["qa", p(&project), "--json"]);
    assert!(steady["drop"].is_null(), "{steady}");
    let wrong = |id: &str| if truth(id) == "printer" { "account" } else { "printer" };
    // Careful for 80 labels, then every third answer wrong.
    for i in 0..160usize {
        let id = format!("t{i:03}.txt");
        let answer = if i >= 80 && i.is_multiple_of(3) { wrong(&id) } else { truth(&id) };
        ok(&["labels", "set", p(&project), &id, answer]);
    }
    let qa = json(&["qa", p(&project), "--json"]);
    let drop = &qa["drop"];
    let at = drop["after_labels"].as_u64().unwrap_or_else(|| panic!("no drop found: {qa}"));
    assert!((70..=90).contains(&at), "{drop}");
    assert!(drop["model_before"].as_f64().unwrap() > 0.95 && drop["model_after"].as_f64().unwrap() < 0.8, "{drop}");
    assert!(drop["before"].is_null(), "no re-asks on either side: {drop}");
    let text = ok(&["qa", p(&project)]);
    assert!(text.contains("agreement dropped: the model's agreement 1.00 → 0.6"), "{text}");
    // With no run trained, the review takes the live model's suspicions: the wrong answers.
    let said = kindling(&["queue", p(&project), "--order", "review"]);
    assert!(said.stderr.contains("the live model's"), "{}", said.stderr);
    let items = json(&["queue", p(&project), "--order", "review", "--limit", "100", "--json"]);
    let ids: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    let planted = (80..160).filter(|i| i % 3 == 0).count();
    let caught = ids.iter().filter(|id| index_of(id) >= 80 && index_of(id).is_multiple_of(3)).count();
    assert!(caught * 10 >= planted * 9 && caught * 10 >= ids.len() * 9, "{caught} of {planted} planted among {ids:?}");
}

fn index_of(id: &str) -> usize {
    id[1..4].parse().unwrap()
}
