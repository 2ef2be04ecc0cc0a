//! The library's modules stack in layers (DESIGN.md, "Layers"): a module may use modules of
//! lower layers only. This test reads `src/` and fails on any `crate::` path that reaches its
//! own layer or a higher one, naming the file and line. The workbench (`src/tui/`) gets the
//! same check against its own layers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first. Keep in step with DESIGN.md.
const LIBRARY: &[&[&str]] = &[
    &["error"],
    &["atomic", "natural", "text", "progress", "settings"],
    &["data"],
    &["labels", "encoders"],
    &["features"],
    &["models"],
    &["augment"],
    &["project"],
    &["eval", "drift"],
    &["detect"],
    &["runs", "qa"],
    &["embed", "readiness", "served"],
    &["live"],
    &["workflow"],
    &["serve", "demo"],
];

/// The workbench's modules (`src/tui/`), lowest layer first. Keep in step with DESIGN.md.
const WORKBENCH: &[&[&str]] = &[
    &[
        "viewport",
        "terminal",
        "theme",
        "cells",
        "pane",
        "label_write",
        "map_data",
        "map_dots",
        "launch",
        "learner",
        "kitty",
    ],
    &["keys", "run_widgets", "sample_view"],
    &["command", "job"],
    &["palette", "thumbs", "report"],
    &["component", "report_view"],
    &[
        "browse",
        "browse_view",
        "label",
        "label_view",
        "augment",
        "augment_view",
        "map",
        "map_view",
        "train",
        "train_view",
        "results",
        "results_view",
        "boxes",
        "boxes_view",
    ],
    &["map_job"],
    &["worker"],
    &["app"],
    &["ui"],
    &["snapshot_tests"],
    &["wide_table_tests"],
    &["mod"],
];

/// A pane and the view that draws it, in one layer: each may name the other, and no other
/// module of its layer.
const PAIRS: &[(&str, &str)] = &[
    ("browse", "browse_view"),
    ("label", "label_view"),
    ("augment", "augment_view"),
    ("map", "map_view"),
    ("train", "train_view"),
    ("results", "results_view"),
    ("boxes", "boxes_view"),
];

#[derive(Debug, PartialEq)]
struct Reach {
    line: usize,
    target: String,
}

/// The first segment of every `crate::` path in `code` (comments left out), with its line:
/// `crate::data::Source` gives `data`; `use crate::{data::Source, labels}` gives both.
fn crate_paths(code: &str, prefix: &str) -> Vec<Reach> {
    let code = without_comments(code);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(prefix) {
        let start = from + at;
        from = start + prefix.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') && depth == 1 => {
                        let name: String =
                            group[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        found.push(Reach { line: line_of(from + 1 + i), target: name });
                        item_start = false;
                    }
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(Reach { line: line_of(start), target: name });
            }
        }
    }
    found
}

/// `code` with `//` comments blanked (kept the same length, so lines stay where they are);
/// `//` inside a string literal is kept.
fn without_comments(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let mut in_string = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_string => i += 1,
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        out.push_str(&line[..cut]);
        out.extend(line[cut..].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    }
    out
}

fn layer_of(layers: &[&[&str]], module: &str) -> Option<usize> {
    layers.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `root` belongs to: `data/folder.rs` → `data`.
fn module_of(root: &Path, file: &Path) -> String {
    let first = file.strip_prefix(root).unwrap().components().next().unwrap();
    first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string()
}

/// Every path in `root`'s files that reaches the module's own layer or above, as
/// `file:line: a (layer i) uses b (layer j)`; modules in no layer are reported too.
fn upward(root: &Path, layers: &[&[&str]], prefixes: &[&str], pairs: &[(&str, &str)], skip: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let module = module_of(root, &file);
        if skip.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = layer_of(layers, &module) else {
            wrong.push(format!("{}: module `{module}` is in no layer; add it to the list", file.display()));
            continue;
        };
        let code = std::fs::read_to_string(&file).unwrap();
        for reach in prefixes.iter().flat_map(|p| crate_paths(&code, p)) {
            if reach.target == module
                || pairs.iter().any(|&(a, b)| (a, b) == (&module, &reach.target) || (b, a) == (&module, &reach.target))
            {
                continue;
            }
            // Names that are not modules (a function or type at the crate's root).
            let Some(theirs) = layer_of(layers, &reach.target) else { continue };
            if theirs >= own {
                wrong.push(format!(
                    "{}:{}: `{module}` (layer {own}) uses `{}` (layer {theirs}); a module may use lower layers only",
                    file.display(),
                    reach.line,
                    reach.target
                ));
            }
        }
    }
    wrong
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_library_uses_lower_layers_only() {
    let wrong = upward(&src(), LIBRARY, &["crate::"], &[], &["lib", "main", "cli", "tui"]);
    assert!(wrong.is_empty(), "{} upward uses:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_library_module_has_a_layer() {
    let declared: Vec<String> = std::fs::read_to_string(src().join("lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ").or_else(|| l.strip_prefix("mod ")))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let placed: BTreeMap<&str, usize> =
        LIBRARY.iter().enumerate().flat_map(|(i, l)| l.iter().map(move |m| (*m, i))).collect();
    let missing: Vec<&String> = declared.iter().filter(|m| !placed.contains_key(m.as_str())).collect();
    assert!(missing.is_empty(), "modules in no layer: {missing:?}");
    let gone: Vec<&&str> = placed.keys().filter(|m| !declared.iter().any(|d| d == *m)).collect();
    assert!(gone.is_empty(), "layers name modules lib.rs does not declare: {gone:?}");
}

#[test]
fn the_workbench_uses_lower_layers_only() {
    let wrong = upward(&src().join("tui"), WORKBENCH, &["super::", "crate::tui::"], PAIRS, &[]);
    assert!(wrong.is_empty(), "{} upward uses:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn paths_are_read_from_use_groups_and_expressions() {
    let code = "use crate::{\n    data::Source,\n    labels::{self, store},\n};\n// crate::runs in a comment\nlet x = crate::eval::split();\nnot_crate::models;\n";
    let got: Vec<(usize, String)> = crate_paths(code, "crate::").into_iter().map(|r| (r.line, r.target)).collect();
    assert_eq!(got, [(2, "data".to_string()), (3, "labels".to_string()), (6, "eval".to_string())]);
}

#[test]
fn an_upward_use_is_named_with_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("kindling-layers-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("error.rs"), "pub struct Error;\n").unwrap();
    std::fs::write(dir.join("data").join("mod.rs"), "use crate::error::Error;\n\nfn f() { crate::runs::go(); }\n")
        .unwrap();
    std::fs::write(dir.join("runs.rs"), "use crate::data;\n").unwrap();
    let wrong = upward(&dir, &[&["error"], &["data"], &["runs"]], &["crate::"], &[], &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(
        wrong[0].ends_with("data/mod.rs:3: `data` (layer 1) uses `runs` (layer 2); a module may use lower layers only"),
        "{}",
        wrong[0]
    );
}
