//! The scores of `metrics.json`, with scikit-learn's conventions: macro averages over the
//! classes that occur in the given or predicted labels, 0 where a ratio has no denominator.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::models::Probabilities;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub accuracy: f64,
    pub balanced_accuracy: f64,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    pub log_loss: f64,
    pub per_class: BTreeMap<String, ClassMetrics>,
    /// How many samples these scores are over.
    pub samples: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Scores of probabilities `p` against the given classes `y` (indices into `classes`).
pub fn compute(classes: &[String], y: &[usize], p: &Probabilities) -> Metrics {
    let k = classes.len();
    let (mut tp, mut predicted, mut support) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
    let mut log_loss = 0.0;
    for (i, &given) in y.iter().enumerate() {
        let guess = p.predicted(i);
        predicted[guess] += 1;
        support[given] += 1;
        if guess == given {
            tp[given] += 1;
        }
        let row = p.row(i);
        let total: f64 = row.iter().sum();
        log_loss -= (row[given] / total).clamp(f64::EPSILON, 1.0).ln();
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_class: Vec<ClassMetrics> = (0..k)
        .map(|c| {
            let (precision, recall) = (ratio(tp[c], predicted[c]), ratio(tp[c], support[c]));
            let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            ClassMetrics { precision, recall, f1, support: support[c] }
        })
        .collect();
    let occurring: Vec<usize> = (0..k).filter(|&c| support[c] > 0 || predicted[c] > 0).collect();
    let given: Vec<usize> = (0..k).filter(|&c| support[c] > 0).collect();
    let mean = |over: &[usize], f: &dyn Fn(&ClassMetrics) -> f64| {
        if over.is_empty() { 0.0 } else { over.iter().map(|&c| f(&per_class[c])).sum::<f64>() / over.len() as f64 }
    };
    let n = y.len();
    Metrics {
        accuracy: ratio(tp.iter().sum(), n),
        balanced_accuracy: mean(&given, &|m| m.recall),
        macro_precision: mean(&occurring, &|m| m.precision),
        macro_recall: mean(&occurring, &|m| m.recall),
        macro_f1: mean(&occurring, &|m| m.f1),
        weighted_f1: if n == 0 {
            0.0
        } else {
            per_class.iter().map(|m| m.f1 * m.support as f64).sum::<f64>() / n as f64
        },
        log_loss: if n == 0 { 0.0 } else { log_loss / n as f64 },
        per_class: classes.iter().cloned().zip(per_class).collect(),
        samples: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(k: usize, picks: &[usize]) -> Probabilities {
        let mut data = vec![0.0; k * picks.len()];
        picks.iter().enumerate().for_each(|(i, &c)| data[i * k + c] = 1.0);
        Probabilities::new(k, data)
    }

    #[test]
    fn match_scikit_learn_on_a_small_case() {
        // y_true = [a a a b b c], y_pred = [a a b b c c]; scikit-learn gives
        // precision (1, .5, .5), recall (2/3, .5, 1), f1 (.8, .5, 2/3).
        let classes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let m = compute(&classes, &[0, 0, 0, 1, 1, 2], &one_hot(3, &[0, 0, 1, 1, 2, 2]));
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(m.accuracy, 4.0 / 6.0));
        assert!(close(m.per_class["a"].f1, 0.8));
        assert!(close(m.macro_precision, 2.0 / 3.0));
        assert!(close(m.macro_recall, (2.0 / 3.0 + 0.5 + 1.0) / 3.0));
        assert!(close(m.balanced_accuracy, m.macro_recall));
        assert!(close(m.macro_f1, (0.8 + 0.5 + 2.0 / 3.0) / 3.0));
        assert!(close(m.weighted_f1, (3.0 * 0.8 + 2.0 * 0.5 + 2.0 / 3.0) / 6.0));
        assert_eq!(m.per_class["b"].support, 2);
        // Wrong and certain: log loss of the clipped probability.
        assert!(close(m.log_loss, -2.0 * f64::EPSILON.ln() / 6.0));
    }

    #[test]
    fn log_loss_of_honest_probabilities() {
        let classes: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let p = Probabilities::new(2, vec![0.8, 0.2, 0.4, 0.6]);
        let m = compute(&classes, &[0, 1], &p);
        assert!((m.log_loss - -(0.8f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-12);
        assert_eq!(m.accuracy, 1.0);
    }
}
