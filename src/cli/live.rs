//! `kindling live` (refit the live model once, print its score) and `kindling queue` (what
//! to label next, with the live model's suggestions).

use std::path::Path;

use kindling::live;
use kindling::project::Project;
use kindling::workflow::next;
use kindling::workflow::queue::Order;
use kindling::{Error, Result};

use super::output::{print, print_json};
use super::progress::TermProgress;

pub fn refit(dir: &Path, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let refit = live::refit(&project, &TermProgress::new())?;
    if json {
        print_json(&refit);
        return Ok(());
    }
    let score = match (refit.accuracy, refit.held_out_scored) {
        (Some(a), Some(n)) => format!("{a:.3} accuracy on {} held-out labels", n),
        (Some(a), None) => format!("{a:.3} cross-validated accuracy"),
        (None, _) => "no score yet (label two samples of each class)".into(),
    };
    print(&format!(
        "live model: {score} on {} ({} on {}), refitted in {:.2} s\n",
        super::output::count(refit.labels as u64, "label"),
        refit.model,
        refit.features,
        refit.seconds
    ));
    if refit.held_out_scored.is_none() && refit.held_out_labels > 0 {
        eprintln!(
            "kindling: {} held-out labels, fewer than {}: scored by cross-validation on the training labels",
            refit.held_out_labels,
            live::MIN_HELD_OUT
        );
    }
    for column in &refit.leaks {
        eprintln!(
            "kindling: warning: column \"{column}\" alone gives the label: a leak? leave it out with \
             [features] exclude = [\"{column}\"] in kindling.toml"
        );
    }
    for skipped in &refit.skipped {
        eprintln!("kindling: left out {skipped}");
    }
    Ok(())
}

pub fn queue(dir: &Path, order: &str, limit: usize, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    if order == "review" {
        return review(&project, limit, json);
    }
    let order = Order::parse(order).ok_or_else(|| {
        Error::user(format!(
            "unknown order \"{order}\"; choose auto, least_confident, margin, entropy, diverse, random, unlabelled, served, held_out or review"
        ))
    })?;
    let found = next::next(&project, order, limit, &TermProgress::new())?;
    if found.cold_start {
        eprintln!(
            "kindling: cold start: fewer than two classes are labelled, so no model ranks these yet; \
             they are spread over the data (k-means++ seeds of its vectors). Label them, and the \
             {} order takes over.",
            order.name()
        );
    }
    let next = found.suggestions;
    if json {
        print_json(&next);
        return Ok(());
    }
    let width = next.iter().map(|s| s.id.chars().count()).max().unwrap_or(2).max(2);
    let mut out = String::new();
    for s in &next {
        let suggestion = s.guess.as_ref().map_or("·".into(), |g| format!("{} {:.2}", g.class, g.probability));
        let close = s.guess.as_ref().and_then(|g| g.runner_up.as_ref());
        let close = close.map(|(c, p)| format!("  (or {c} {p:.2})")).unwrap_or_default();
        out.push_str(&format!("{:<width$}  {suggestion}{close}\n", s.id));
    }
    if next.is_empty() {
        out.push_str("nothing left to label\n");
    }
    print(&out);
    Ok(())
}

/// `queue --order review`: echoes answered differently, gold answered wrong and the model's
/// suspected label errors, most evidence first.
fn review(project: &Project, limit: usize, json: bool) -> Result<()> {
    let found = kindling::workflow::review::review(project)?;
    let items: Vec<_> = found.items.into_iter().take(limit).collect();
    if json {
        print_json(&items);
        return Ok(());
    }
    if items.is_empty() {
        print("nothing to review: no echo answered differently, no gold answered wrong, no suspected label error\n");
    }
    let width = items.iter().map(|i| i.id.chars().count()).max().unwrap_or(2).max(2);
    let mut out = String::new();
    for i in &items {
        out.push_str(&format!("{:<width$}  {:.2}  {}\n", i.id, i.evidence, i.why.join("; ")));
    }
    print(&out);
    match found.run.as_deref() {
        None => eprintln!(
            "kindling: no live model and no run with out-of-fold predictions, so the model's suspicions are not \
             in the review; label two classes, or train with --folds 5"
        ),
        Some(kindling::workflow::review::LIVE) => eprintln!(
            "kindling: the model's suspicions are the live model's (out of fold); a run trained with --folds 5 \
             takes their place"
        ),
        Some(_) => {}
    }
    Ok(())
}
