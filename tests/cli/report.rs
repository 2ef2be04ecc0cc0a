//! `kindling report` on data with planted problems: each must be found where it was put.

use std::path::Path;

use serde_json::Value;

use super::*;

fn findings<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["check"] == check).collect()
}

fn one<'a>(report: &'a Value, check: &str, column: Option<&str>) -> &'a Value {
    let found: Vec<&Value> =
        findings(report, check).into_iter().filter(|f| column.is_none_or(|c| f["column"] == c)).collect();
    assert_eq!(found.len(), 1, "{check} {column:?}: {}", report["findings"]);
    found[0]
}

/// 200 rows: `serial` unique, `size` numeric with 3 gaps and 2 planted outliers, `kind` constant,
/// `price` numbers with 2 typed as text, `code` a copy of the label, rows 198–199 copies
/// of rows 0–1 (row 198 in test while row 0 is in train; row 199 labelled differently).
fn planted_csv(path: &Path) {
    let mut text = String::from("id,serial,size,kind,price,code,split,label\n");
    for i in 0..200 {
        let src = if i >= 198 { i - 198 } else { i };
        let label = if i == 199 { "a" } else { ["a", "b"][src % 2] };
        let size = match src {
            3 | 7 | 11 => String::new(),
            5 => "900".into(),
            9 => "-700".into(),
            _ => format!("{}", 10 + (src * 37) % 20),
        };
        let price = match src {
            13 => "n/a".to_string(),
            17 => "free".to_string(),
            _ => format!("{}.5", src % 50),
        };
        let code = ["A1", "B2"][src % 2];
        let split = if i == 198 { "test" } else { "train" };
        text += &format!("r{i},{},{size},box,{price},{code},{split},{label}\n", src * 3);
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn planted_table_problems_are_each_found() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    planted_csv(&csv);
    let proj = dir.path().join("proj");
    ok(&[
        "init",
        p(&proj),
        "--source",
        p(&csv),
        "--id-column",
        "id",
        "--label-column",
        "label",
        "--split-column",
        "split",
    ]);
    let md = dir.path().join("READINESS.md");
    let r = json(&["report", p(&proj), "--json", "--md", p(&md)]);

    let missing = one(&r, "missing_values", Some("size"));
    assert_eq!(missing["count"], 3);
    assert_eq!(missing["examples"], serde_json::json!(["r3", "r7", "r11"]));
    assert_eq!(one(&r, "constant_column", Some("kind"))["count"], 200);
    let mixup = one(&r, "type_mixup", Some("price"));
    assert_eq!(mixup["count"], 2);
    assert_eq!(mixup["examples"], serde_json::json!(["r13", "r17"]));
    let outliers = one(&r, "outliers", Some("size"));
    assert_eq!(outliers["count"], 2);
    assert_eq!(outliers["examples"], serde_json::json!(["r5", "r9"]), "the most extreme first");
    let duplicates = one(&r, "duplicates", None);
    assert_eq!(duplicates["count"], 2);
    assert_eq!(duplicates["examples"], serde_json::json!(["r0", "r198", "r1", "r199"]));
    let leak = one(&r, "split_leakage", None);
    assert_eq!(leak["examples"], serde_json::json!(["r0", "r198"]));
    assert_eq!(leak["severity"], "error");
    assert_eq!(one(&r, "conflicting_labels", None)["examples"], serde_json::json!(["r1", "r199"]));
    assert_eq!(one(&r, "leakage_suspect", Some("code"))["band"], "A");
    assert!(findings(&r, "leakage_suspect").iter().all(|f| f["column"] != "size"));
    assert!(findings(&r, "unreadable").is_empty() && findings(&r, "label_coverage").is_empty());
    assert_eq!(r["band"], "B", "faithful, but duplicates cross the split");
    for f in r["findings"].as_array().unwrap() {
        assert!(!f["suggestion"].as_str().unwrap().is_empty(), "{f}");
        assert!(["info", "warning", "error"].contains(&f["severity"].as_str().unwrap()));
    }
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("**Band B**") && md.contains("| split_leakage | **error** |"), "{md}");
    let text = ok(&["report", p(&proj)]);
    assert!(text.starts_with("band B") && text.contains("type_mixup [price]"), "{text}");
}

#[test]
fn planted_file_problems_are_each_found() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    let picture = |w: u32, h: u32, flip: bool| {
        image::RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 255 / w) as u8).wrapping_add((y * 60 / h) as u8);
            image::Rgb([if flip { 255 - v } else { v }, 40, 90])
        })
    };
    picture(64, 48, false).save(images.join("a.png")).unwrap();
    picture(64, 48, true).save(images.join("b.png")).unwrap();
    std::fs::copy(images.join("a.png"), images.join("a_copy.png")).unwrap();
    picture(32, 24, false).save(images.join("a_small.png")).unwrap();
    std::fs::write(images.join("broken.png"), b"not a png").unwrap();
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--classes", "x,y"]);
    ok(&["labels", "set", p(&proj), "a.png", "x"]);
    ok(&["labels", "set", p(&proj), "a_copy.png", "y"]);
    let r = json(&["report", p(&proj), "--json"]);
    assert_eq!(r["band"], "none");
    assert_eq!(one(&r, "unreadable", None)["examples"], serde_json::json!(["broken.png"]));
    assert_eq!(one(&r, "duplicates", None)["examples"], serde_json::json!(["a.png", "a_copy.png"]));
    let near = one(&r, "near_duplicates", None);
    assert!(near["examples"].as_array().unwrap().contains(&Value::from("a_small.png")), "{near}");
    assert!(!near["examples"].as_array().unwrap().contains(&Value::from("b.png")), "{near}");
    assert_eq!(
        one(&r, "conflicting_labels", None)["examples"],
        serde_json::json!(["a.png", "a_copy.png", "a_small.png"])
    );
    let profile = r["profile"].to_string();
    assert!(profile.contains("64×48 ×3") && profile.contains("32×24 ×1"), "{profile}");

    let texts = dir.path().join("texts");
    std::fs::create_dir_all(&texts).unwrap();
    std::fs::write(texts.join("1.txt"), "The printer is jammed again.").unwrap();
    std::fs::write(texts.join("2.txt"), "the printer is JAMMED again").unwrap();
    std::fs::write(texts.join("3.txt"), "Payroll export fails on Mondays").unwrap();
    std::fs::write(texts.join("4.txt"), "").unwrap();
    let tproj = dir.path().join("tproj");
    ok(&["init", p(&tproj), "--source", p(&texts), "--classes", "x,y"]);
    let r = json(&["report", p(&tproj), "--json"]);
    assert_eq!(one(&r, "near_duplicates", None)["examples"], serde_json::json!(["1.txt", "2.txt"]));
    assert_eq!(one(&r, "missing_values", None)["examples"], serde_json::json!(["4.txt"]));
    assert!(r["profile"].to_string().contains("min 0, median 28, max 31"), "{}", r["profile"]);
    let coverage = one(&r, "label_coverage", None);
    assert_eq!((coverage["severity"].as_str(), coverage["count"].as_u64()), (Some("error"), Some(4)));
}

#[test]
fn clips_are_profiled_and_copies_found() {
    let dir = tempfile::tempdir().unwrap();
    let clips = dir.path().join("clips");
    data::wav(&clips.join("a.wav"), 16, false, 1);
    data::wav(&clips.join("b.wav"), 16, false, 1);
    data::wav(&clips.join("c.wav"), 24, false, 2);
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&clips), "--classes", "x,y"]);
    let r = json(&["report", p(&proj), "--json"]);
    assert_eq!(one(&r, "duplicates", None)["examples"], serde_json::json!(["a.wav", "b.wav"]));
    let profile = r["profile"].to_string();
    assert!(profile.contains("sample rates (Hz)") && profile.contains("16000 ×3"), "{profile}");
    assert!(profile.contains("durations (s)"), "{profile}");
}
