//! Suspected label errors by confident learning, from out-of-fold probabilities: each class's
//! threshold is the mean probability the model gives that class over the samples labelled
//! with it (its mean self-confidence); a sample is suspect when another class reaches that
//! class's threshold. Worst first: the lowest probability of the given label.

use serde::Serialize;

use crate::eval::predictions::Predictions;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelIssue {
    pub id: String,
    pub given: String,
    /// The other class that reaches its threshold with the highest probability.
    pub suggested: String,
    /// The probability of the given label.
    pub self_confidence: f64,
}

pub fn find(predictions: &Predictions) -> Vec<LabelIssue> {
    let classes = &predictions.classes;
    let k = classes.len();
    let labelled: Vec<(&String, usize, &Vec<f64>)> = predictions
        .by_id
        .iter()
        .filter_map(|(id, p)| {
            let given = classes.iter().position(|c| Some(c) == p.given.as_ref())?;
            Some((id, given, &p.probs))
        })
        .collect();
    let (mut sum, mut count) = (vec![0.0; k], vec![0usize; k]);
    for (_, given, probs) in &labelled {
        sum[*given] += probs[*given];
        count[*given] += 1;
    }
    // A class nobody is labelled with has no threshold: it cannot be suggested.
    let threshold: Vec<f64> =
        (0..k).map(|c| if count[c] > 0 { sum[c] / count[c] as f64 } else { f64::INFINITY }).collect();
    let mut issues: Vec<LabelIssue> = labelled
        .into_iter()
        .filter_map(|(id, given, probs)| {
            let suggested = (0..k)
                .filter(|&j| j != given && probs[j] >= threshold[j])
                .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)))?;
            Some(LabelIssue {
                id: id.clone(),
                given: classes[given].clone(),
                suggested: classes[suggested].clone(),
                self_confidence: probs[given],
            })
        })
        .collect();
    issues.sort_by(|a, b| a.self_confidence.total_cmp(&b.self_confidence).then_with(|| a.id.cmp(&b.id)));
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::predictions::Prediction;

    #[test]
    fn flags_samples_another_class_claims_worst_first() {
        let classes: Vec<String> = ["cat", "dog"].map(String::from).to_vec();
        let row = |given: &str, p_cat: f64| Prediction {
            split: "train".into(),
            given: Some(given.into()),
            predicted: if p_cat >= 0.5 { "cat".into() } else { "dog".into() },
            probs: vec![p_cat, 1.0 - p_cat],
        };
        // Thresholds: cat = mean(0.9, 0.8, 0.3) = 0.667; dog = mean(0.8, 0.6, 0.1) = 0.5.
        let by_id = [
            ("c1", row("cat", 0.9)),
            ("c2", row("cat", 0.8)),
            ("c3", row("cat", 0.3)), // dog 0.7 ≥ 0.5: suspect
            ("d1", row("dog", 0.2)),
            ("d2", row("dog", 0.4)),
            ("d3", row("dog", 0.9)), // cat 0.9 ≥ 0.667: suspect, self-confidence 0.1
        ]
        .into_iter()
        .map(|(id, p)| (id.to_string(), p))
        .collect();
        let issues = find(&Predictions { classes, by_id });
        let ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, vec!["d3", "c3"]);
        assert_eq!((issues[0].given.as_str(), issues[0].suggested.as_str()), ("dog", "cat"));
        assert!((issues[0].self_confidence - 0.1).abs() < 1e-12);
    }
}
