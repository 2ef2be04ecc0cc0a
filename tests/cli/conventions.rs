use super::*;

/// A table project: columns x and colour, 6 rows, classes cat and dog; rows 0 and 1 labelled.
fn project(dir: &Path) -> std::path::PathBuf {
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "x,colour\n1,red\n2,blue\n3,red\n4,red\n5,blue\n6,red\n").unwrap();
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&csv), "--classes", "cat,dog"]);
    ok(&["labels", "set", p(&proj), "0", "cat"]);
    ok(&["labels", "set", p(&proj), "1", "dog"]);
    proj
}

fn ids(window: &serde_json::Value) -> Vec<String> {
    window["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn samples_lists_what_the_workbench_can_show() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let w = json(&["samples", p(&proj), "--unlabelled", "--json"]);
    assert_eq!(
        (ids(&w), w["total"].as_u64()),
        (vec!["2", "3", "4", "5"].into_iter().map(String::from).collect(), Some(4))
    );
    let w = json(&["samples", p(&proj), "--class", "dog", "--json"]);
    assert_eq!(ids(&w), ["1"]);
    let w = json(&["samples", p(&proj), "--filter", "colour == \"red\" and x > 2", "--json"]);
    assert_eq!(ids(&w), ["2", "3", "5"]);
    let w = json(&["samples", p(&proj), "--labelled", "--filter", "x < 2", "--json"]);
    assert_eq!(ids(&w), ["0"]);
    assert!(user_error(&["samples", p(&proj), "--filter", "size > 1"]).contains("no column \"size\""));
    assert!(user_error(&["samples", p(&proj), "--class", "cow"]).contains("no class \"cow\""));
    assert!(user_error(&["samples", p(&proj), "--split", "test"]).contains("no fixed split"));
    assert!(user_error(&["samples", p(&proj), "--split", "later"]).contains("choose train, valid or test"));
}

#[test]
fn dash_is_standard_output_and_counts_agree_with_their_nouns() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project(dir.path());
    let r = kindling_in(dir.path(), &["labels", "export", p(&proj), "-o", "-"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "id,label\n0,cat\n1,dog\n"));
    assert!(!dir.path().join("-").exists(), "no file named -");
    ok(&["labels", "clear", p(&proj), "1"]);
    let r = kindling(&["labels", "export", p(&proj), "-o", p(&dir.path().join("one.csv"))]);
    assert!(r.stderr.starts_with("wrote 1 label to "), "{}", r.stderr);
    let out = ok(&["labels", "import", p(&proj), p(&dir.path().join("one.csv"))]);
    assert!(out.starts_with("imported 1 row from "), "{out}");
    let report = ok(&["report", p(&proj), "--md", "-"]);
    assert!(report.starts_with('#'), "the Markdown on stdout: {report}");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(&["completions", shell]);
        assert!(script.contains("classes") && script.contains("queue"), "{shell}: {script}");
    }
    let man = ok(&["man"]);
    assert!(man.contains(".TH kindling") && man.contains("classes"), "{man}");
    let r = kindling(&["completions", "tcsh"]);
    assert!(r.code == 2 && r.stderr.contains("possible values: bash"), "{}", r.stderr);
}

#[test]
fn augment_turns_transforms_on_and_off_from_the_command_line_and_previews_a_chosen_set() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    let proj = dir.path().join("demo/shapes");
    let out = ok(&["augment", p(&proj), "--on", "hflip", "--on", "rotate", "--set", "rotate.degrees=30"]);
    assert_eq!(out, "augmentations on: hflip, rotate\n");
    let config = std::fs::read_to_string(proj.join("kindling.toml")).unwrap();
    assert!(config.contains("[augment.rotate]") && config.contains("degrees = 30"), "{config}");
    assert_eq!(ok(&["augment", p(&proj), "--off", "rotate"]), "augmentations on: hflip\n");
    let config = std::fs::read_to_string(proj.join("kindling.toml")).unwrap();
    assert!(config.contains("degrees = 30"), "off keeps the numbers: {config}");
    let preview = dir.path().join("preview");
    let r = kindling(&[
        "augment",
        p(&proj),
        "--preview",
        "circle_0001.png",
        "--transforms",
        "blur,noise",
        "--copies",
        "2",
        "-o",
        p(&preview),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.starts_with("2 augmented versions of circle_0001.png (blur, noise"), "{}", r.stderr);
    let r =
        kindling(&["augment", p(&proj), "--preview", "circle_0001.png", "--all", "--copies", "1", "-o", p(&preview)]);
    assert!(r.stderr.starts_with("1 augmented version of circle_0001.png (hflip, vflip, rotate"), "{}", r.stderr);
    assert!(user_error(&["augment", p(&proj), "--on", "warp"]).contains("no transform \"warp\""));
    assert!(user_error(&["augment", p(&proj), "--set", "rotate.degrees=999"]).contains("between"));
    assert!(user_error(&["augment", p(&proj), "--set", "rotate=3"]).contains("NAME.PARAM=VALUE"));
    assert!(user_error(&["augment", p(&proj)]).contains("--preview ID"));
}

#[test]
fn every_command_says_what_it_does_in_the_help() {
    let help = ok(&["--help"]);
    let commands = help.split("Commands:").nth(1).and_then(|s| s.split("\n\n").next()).unwrap();
    for line in commands.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap();
        let about: Vec<&str> = words.collect();
        assert!(!about.is_empty(), "`{name}` has no description:\n{help}");
        if name == "encoders" {
            assert!(!line.contains("completion"), "{line}");
        }
        if name == "completions" {
            assert!(line.contains("completion"), "{line}");
        }
    }
}
