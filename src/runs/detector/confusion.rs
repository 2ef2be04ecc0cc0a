//! A detector run's box confusion in the shapes the Results pane and `kindling show` read:
//! square, with background as the last row and column, and per class.

use crate::eval::confusion::Confusion;
use crate::eval::detection::Evaluation;

/// The name of the row and column of boxes on one side only: found where nothing is
/// labelled (the row), labelled where nothing was found (the column).
pub fn background_name(classes: &[String]) -> String {
    if classes.iter().any(|c| c == "background") { "(background)".into() } else { "background".into() }
}

/// The box confusion as a square matrix over the classes and background (rows labelled,
/// columns found), the Results pane's shape.
pub fn square_confusion(e: &Evaluation) -> Confusion {
    let mut classes = e.confusion.classes.clone();
    classes.push(background_name(&e.confusion.classes));
    let k = classes.len();
    let mut counts = vec![vec![0u64; k]; k];
    for cell in &e.confusion.cells {
        counts[cell.row][cell.col] += cell.pairs.len() as u64;
    }
    Confusion { classes, counts }
}

/// Precision, recall, F1 and support (labelled boxes) of each class at IoU 0.5, from the
/// square matrix, as the Results pane lists classes.
pub fn per_class(m: &Confusion) -> serde_json::Value {
    let k = m.classes.len() - 1;
    let mut out = serde_json::Map::new();
    for c in 0..k {
        let hit = m.counts[c][c] as f64;
        let labelled: u64 = m.counts[c].iter().sum();
        let found: u64 = m.counts.iter().map(|row| row[c]).sum();
        let ratio = |a: f64, b: u64| (b > 0).then(|| a / b as f64);
        let (p, r) = (ratio(hit, found), ratio(hit, labelled));
        let f1 = p.zip(r).map(|(p, r)| if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 });
        out.insert(
            m.classes[c].clone(),
            serde_json::json!({ "precision": p, "recall": r, "f1": f1, "support": labelled }),
        );
    }
    serde_json::Value::Object(out)
}
