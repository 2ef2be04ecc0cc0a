//! `kindling evaluate DIR FOUND.json`: a detector's boxes scored against the project's.

use std::path::Path;

use kindling::Result;
use kindling::eval::detection::Evaluation;
use kindling::project::Project;
use kindling::workflow::box_eval;

use super::output::{print, print_json};

pub fn run(dir: &Path, found: &Path, min_score: f64, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let (e, elsewhere) = box_eval::run(&project, found, min_score)?;
    if json {
        print_json(&e);
        return Ok(());
    }
    let mut text = render(&e, min_score);
    if elsewhere > 0 {
        text.push_str(&format!("({elsewhere} found boxes are on images not labelled, and left out)\n"));
    }
    print(&text);
    Ok(())
}

fn score(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.3}"))
}

pub fn render(e: &Evaluation, min_score: f64) -> String {
    let mut s = format!(
        "{} labelled images: {} labelled boxes, {} found\nmAP@0.5 {} · mAP@[.5:.95] {}\n",
        e.images,
        e.boxes,
        e.found,
        score(e.map50),
        score(e.map)
    );
    let names = &e.confusion.classes;
    let width = names.iter().map(|c| c.chars().count()).chain([10]).max().unwrap_or(10);
    s.push_str(&format!("  {:<width$}  {:>5}  {:>6}  {:>6}\n", "class", "boxes", "AP50", "AP"));
    for c in &e.per_class {
        s.push_str(&format!("  {:<width$}  {:>5}  {:>6}  {:>6}\n", c.class, c.boxes, score(c.ap50), score(c.ap)));
    }
    s.push_str(&format!(
        "confusion at IoU 0.5, found boxes scored {min_score} or more (rows labelled, columns found):\n"
    ));
    let cols: Vec<&str> = names.iter().map(String::as_str).chain(["missed"]).collect();
    let cell = cols.iter().map(|c| c.chars().count()).max().unwrap_or(6).max(6);
    s.push_str(&format!("  {:<width$}", ""));
    for c in &cols {
        s.push_str(&format!(" {c:>cell$}"));
    }
    s.push('\n');
    for (row, name) in names.iter().map(String::as_str).chain(["background"]).enumerate() {
        s.push_str(&format!("  {name:<width$}"));
        for col in 0..cols.len() {
            let n = e.confusion.count(row, col);
            let shown = if row == names.len() && col == names.len() { "·".to_string() } else { n.to_string() };
            s.push_str(&format!(" {shown:>cell$}"));
        }
        s.push('\n');
    }
    let (r, c) = (&e.errors, &e.costs);
    s.push_str("errors of every found box, and the mAP@0.5 fixing them would give back (TIDE):\n");
    for (name, n, cost) in [
        ("class", r.class, c.class),
        ("location", r.location, c.location),
        ("both", r.both, c.both),
        ("duplicate", r.duplicate, c.duplicate),
        ("background", r.background, c.background),
        ("missed", r.missed, c.missed),
    ] {
        s.push_str(&format!("  {name:<10} {n:>6}  {cost:+.3}\n"));
    }
    s
}
