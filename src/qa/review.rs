//! The review queue's evidence: echoes answered differently, gold samples answered wrong, and
//! the model's suspected label errors (confident learning on a run's out-of-fold
//! predictions), merged by sample and ordered by how much speaks against the label. An item
//! is settled by an own label given after its evidence (a review, a relabel, or the same label
//! again).

use std::collections::BTreeMap;

use serde::Serialize;

use super::answers::Answers;
use crate::eval::label_issues::LabelIssue;

/// What two answers that differ weigh: as much as the surest model flag twice over.
const ANSWERS_DIFFER: f64 = 2.0;

/// An answer given to a sample, with when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Given {
    pub label: String,
    /// `label` (the answer that set the label), `echo` or `gold`.
    pub origin: String,
    pub time_ms: i64,
}

/// One sample to review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub id: String,
    pub answers: Vec<Given>,
    /// The known answer of a gold sample.
    pub known: Option<String>,
    /// The model's suspicion: the class it suggests and the probability of the label.
    pub model: Option<(String, f64)>,
    pub evidence: f64,
    /// Each piece of evidence in words.
    pub why: Vec<String>,
}

/// The open review items, most evidence first. `issues` are the suspected label errors of
/// the latest cross-validated run, finished at `run_ms`, with the labels they were judged on.
pub fn items(
    answers: &Answers,
    issues: &[LabelIssue],
    run_ms: i64,
    current: &BTreeMap<String, String>,
) -> Vec<ReviewItem> {
    let mut found: BTreeMap<String, ReviewItem> = BTreeMap::new();
    let settled_after = |id: &str, seq: i64| answers.latest_own.get(id).is_some_and(|&(s, _)| s > seq);
    for e in answers.echoes.iter().filter(|e| e.first != e.second && !settled_after(&e.sample_id, e.seq)) {
        let it = item(&mut found, &e.sample_id);
        it.answers.push(Given { label: e.first.clone(), origin: "label".into(), time_ms: e.first_ms });
        it.answers.push(Given { label: e.second.clone(), origin: "echo".into(), time_ms: e.second_ms });
        it.evidence += ANSWERS_DIFFER;
        it.why.push(format!("answered {} first, {} when asked again", e.first, e.second));
    }
    for g in answers.gold.iter().filter(|g| g.answer != g.known && !settled_after(&g.sample_id, g.seq)) {
        let it = item(&mut found, &g.sample_id);
        it.answers.push(Given { label: g.answer.clone(), origin: "gold".into(), time_ms: g.time_ms });
        it.known = Some(g.known.clone());
        it.evidence += ANSWERS_DIFFER;
        it.why.push(format!("gold: known {}, answered {}", g.known, g.answer));
    }
    for i in issues {
        let relabelled = current.get(&i.id) != Some(&i.given);
        let since = answers.latest_own.get(&i.id).is_some_and(|&(_, time)| time > run_ms);
        if relabelled || since {
            continue;
        }
        let it = item(&mut found, &i.id);
        if it.answers.is_empty() {
            it.answers.push(Given { label: i.given.clone(), origin: "label".into(), time_ms: 0 });
        }
        it.model = Some((i.suggested.clone(), i.self_confidence));
        it.evidence += 1.0 - i.self_confidence;
        it.why.push(format!("the model suggests {} (it gives {} {:.2})", i.suggested, i.given, i.self_confidence));
    }
    let mut out: Vec<ReviewItem> = found.into_values().collect();
    out.sort_by(|a, b| b.evidence.total_cmp(&a.evidence).then_with(|| a.id.cmp(&b.id)));
    out
}

fn item<'a>(found: &'a mut BTreeMap<String, ReviewItem>, id: &str) -> &'a mut ReviewItem {
    found.entry(id.to_string()).or_insert_with(|| ReviewItem {
        id: id.to_string(),
        answers: Vec::new(),
        known: None,
        model: None,
        evidence: 0.0,
        why: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::store::{LabelEvent, Origin};

    fn event(seq: i64, id: &str, label: &str, origin: Origin) -> LabelEvent {
        LabelEvent {
            seq,
            sample_id: id.into(),
            label: Some(label.into()),
            time_ms: seq * 1000,
            origin,
            session: "s".into(),
            undoes: None,
            change: None,
        }
    }

    fn issue(id: &str, given: &str, suggested: &str, p: f64) -> LabelIssue {
        LabelIssue { id: id.into(), given: given.into(), suggested: suggested.into(), self_confidence: p }
    }

    #[test]
    fn answers_that_differ_come_before_model_flags_and_a_label_settles_them() {
        let mut events = vec![
            event(1, "a", "cat", Origin::Keyboard),
            event(2, "b", "cat", Origin::Keyboard),
            event(3, "c", "dog", Origin::Keyboard),
            event(4, "a", "dog", Origin::Echo),
            event(5, "b", "cat", Origin::Echo),
            event(6, "g", "cat", Origin::Gold),
        ];
        let gold = [("g".to_string(), "dog".to_string())].into();
        let current: BTreeMap<String, String> =
            [("a", "cat"), ("b", "cat"), ("c", "dog")].map(|(i, l)| (i.to_string(), l.to_string())).into();
        let issues = [issue("c", "dog", "cat", 0.1), issue("a", "cat", "dog", 0.3), issue("b", "cat", "dog", 0.45)];
        let got = items(&super::super::answers::read(&events, &gold), &issues, 10_000, &current);
        let order: Vec<&str> = got.iter().map(|i| i.id.as_str()).collect();
        // a: answers differ and the model agrees (2.7); g: gold wrong (2); c: 0.9; b: 0.55.
        assert_eq!(order, ["a", "g", "c", "b"]);
        assert_eq!(got[0].answers.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["cat", "dog"]);
        assert_eq!(got[0].why.len(), 2);
        assert_eq!(got[1].known.as_deref(), Some("dog"));
        // Labelled again (here in the review) after the evidence: settled.
        events.push(event(7, "a", "dog", Origin::Review));
        events.push(event(8, "g", "dog", Origin::Review));
        let current: BTreeMap<String, String> = [("a", "dog"), ("b", "cat"), ("c", "dog"), ("g", "dog")]
            .map(|(i, l)| (i.to_string(), l.to_string()))
            .into();
        let got = items(&super::super::answers::read(&events, &gold), &issues, 10_000, &current);
        assert_eq!(got.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["c", "b"]);
    }
}
