//! Band A: is the labelled data fit for the task? Coverage, balance, classes too small for
//! a split or folds, duplicates across splits, and duplicates labelled differently.

use std::collections::{BTreeMap, HashMap};

use super::{Check, Finding, Groups, Severity};
use crate::data::split::Split;

/// Folds a class should be able to fill (the usual 5-fold cross-validation).
const FOLDS: usize = 5;
/// A class with this many times fewer labels than the largest is a warning.
const IMBALANCE: f64 = 10.0;

pub fn check(
    classes: &[String],
    ids: &[String],
    labels: &HashMap<String, String>,
    splits: &HashMap<String, Split>,
    exact: &Groups,
    near: &Groups,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // One pass: counts, and the first few ids, of the unlabelled and of each class.
    let mut unlabelled = (0usize, Vec::new());
    let mut per_class: BTreeMap<&str, (usize, Vec<String>)> =
        classes.iter().map(|c| (c.as_str(), (0, Vec::new()))).collect();
    for id in ids {
        let slot = match labels.get(id) {
            None => &mut unlabelled,
            Some(label) => match per_class.get_mut(label.as_str()) {
                Some(slot) => slot,
                None => continue,
            },
        };
        slot.0 += 1;
        if slot.1.len() < super::EXAMPLES {
            slot.1.push(id.clone());
        }
    }
    let labelled = ids.len() - unlabelled.0;
    if labelled == 0 {
        out.push(
            Finding::new(Check::LabelCoverage, Severity::Error, unlabelled.0 as u64, "no sample is labelled")
                .examples(unlabelled.1)
                .suggest("label samples in the Label pane, or import labels with `kindling labels import`"),
        );
        return out;
    }
    if unlabelled.0 > 0 {
        let share = labelled as f64 / ids.len() as f64;
        let severity = if share < 0.5 { Severity::Warning } else { Severity::Info };
        out.push(
            Finding::new(
                Check::LabelCoverage,
                severity,
                unlabelled.0 as u64,
                format!("{labelled} of {} samples labelled ({:.1}%)", ids.len(), share * 100.0),
            )
            .examples(unlabelled.1)
            .suggest("label more samples; the Label pane's uncertainty orders pick the most useful next"),
        );
    }

    let largest = per_class.values().map(|(n, _)| *n).max().unwrap_or(0);
    if let Some((smallest_class, (smallest, examples))) = per_class.iter().min_by_key(|(_, (n, _))| *n)
        && *smallest > 0
        && largest as f64 >= IMBALANCE * *smallest as f64
    {
        out.push(
            Finding::new(
                Check::ClassImbalance,
                Severity::Warning,
                *smallest as u64,
                format!(
                    "imbalance ratio {:.1}: the smallest class '{smallest_class}' has {smallest} labels, the largest {largest}",
                    largest as f64 / *smallest as f64,
                ),
            )
            .examples(examples.iter().cloned())
            .suggest("label more of the small classes, or report balanced accuracy and macro F1"),
        );
    }
    for (class, (n, members)) in &per_class {
        if *n >= FOLDS {
            continue;
        }
        let (severity, why) = if *n < 2 {
            (Severity::Error, "too few to hold one out for testing")
        } else {
            (Severity::Warning, "too few for 5-fold cross-validation")
        };
        out.push(
            Finding::new(
                Check::TooFewSamples,
                severity,
                *n as u64,
                format!("class '{class}' has {n} labelled samples: {why}"),
            )
            .examples(members.iter().cloned())
            .suggest(format!("label at least {FOLDS} samples of '{class}', or merge it into another class")),
        );
    }

    // Near groups hold the exact copies they touch; an exact group counts on its own only
    // when no near group holds it.
    let in_near: std::collections::HashSet<&String> = near.iter().flatten().collect();
    let all_groups: Vec<&Vec<String>> =
        near.iter().chain(exact.iter().filter(|g| !g.iter().any(|id| in_near.contains(id)))).collect();
    let mut crossing = Vec::new();
    let mut conflicting = Vec::new();
    for &group in &all_groups {
        let in_splits: Vec<Split> = group.iter().filter_map(|id| splits.get(id).copied()).collect();
        let trains = in_splits.contains(&Split::Train);
        let held = in_splits.iter().any(|s| *s != Split::Train);
        if trains && held {
            crossing.push(group);
        }
        let mut given: Vec<&str> = group.iter().filter_map(|id| labels.get(id).map(String::as_str)).collect();
        given.sort_unstable();
        given.dedup();
        if given.len() > 1 {
            conflicting.push(group);
        }
    }
    if !crossing.is_empty() {
        out.push(Finding::groups(
            Check::SplitLeakage,
            &crossing,
            "sit in both train and valid/test",
            "put each group of duplicates in one split (or drop the copies): test scores are inflated",
        ));
    }
    if !conflicting.is_empty() {
        out.push(Finding::groups(
            Check::ConflictingLabels,
            &conflicting,
            "carry different labels",
            "review these in the Label pane and give each group one label",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn leakage_conflicts_coverage_and_small_classes() {
        let classes = s(&["a", "b"]);
        let ids = s(&["1", "2", "3", "4", "5", "6", "7"]);
        let labels: HashMap<String, String> = [("1", "a"), ("2", "a"), ("3", "b"), ("4", "a"), ("5", "a"), ("6", "a")]
            .iter()
            .map(|(i, l)| (i.to_string(), l.to_string()))
            .collect();
        let splits: HashMap<String, Split> =
            [("1", Split::Train), ("2", Split::Test)].iter().map(|(i, s)| (i.to_string(), *s)).collect();
        let exact = vec![s(&["1", "2"]), s(&["3", "4"])];
        let found = check(&classes, &ids, &labels, &splits, &exact, &Vec::new());
        let get = |c: Check| found.iter().find(|f| f.check == c).unwrap_or_else(|| panic!("no {c:?}: {found:?}"));
        assert_eq!(get(Check::SplitLeakage).examples, s(&["1", "2"]));
        assert_eq!(get(Check::ConflictingLabels).examples, s(&["3", "4"]));
        assert_eq!(get(Check::LabelCoverage).count, 1);
        assert_eq!(get(Check::LabelCoverage).severity, Severity::Info);
        let small = get(Check::TooFewSamples);
        assert_eq!((small.count, small.severity), (1, Severity::Error));
        assert!(found.iter().all(|f| f.check != Check::ClassImbalance), "5 to 1 is not 10 to 1");
    }
}
