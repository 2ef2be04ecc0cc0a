//! The label log read for QA: which label each echo re-asked (the sample's label when the
//! echo was answered), each gold answer beside its known answer, and the own labels in order.
//! Withdrawn (undone) answers are left out.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::labels::store::{LabelEvent, Origin};

/// An echo: the label given first and the answer given blind later.
#[derive(Debug, Clone, PartialEq)]
pub struct Echo {
    pub seq: i64,
    pub sample_id: String,
    pub first: String,
    pub first_ms: i64,
    pub second: String,
    pub second_ms: i64,
    /// Own labels given before the echo was answered: where it falls in the labelling.
    pub after_labels: usize,
}

/// A gold sample's answer beside its known answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldAnswer {
    pub seq: i64,
    pub sample_id: String,
    pub answer: String,
    pub known: String,
    pub time_ms: i64,
    pub after_labels: usize,
}

/// An own label event (keyboard, CLI, accepted, review) that was not taken back.
#[derive(Debug, Clone, PartialEq)]
pub struct Own {
    pub sample_id: String,
    pub label: String,
    pub time_ms: i64,
    pub session: String,
}

/// What the log says for QA.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    pub echoes: Vec<Echo>,
    pub gold: Vec<GoldAnswer>,
    pub own: Vec<Own>,
    /// The event that set each labelled sample's current label: (seq, origin, time).
    pub labelled_by: HashMap<String, (i64, Origin, i64)>,
    /// Samples with an echo answered since their current label was set.
    pub echoed: HashSet<String>,
    /// Gold samples answered at least once.
    pub gold_asked: HashSet<String>,
    /// The latest own label event of each sample (seq, time): what settles a review.
    pub latest_own: HashMap<String, (i64, i64)>,
}

/// Reads `events` (in log order) against the gold samples' known answers.
pub fn read(events: &[LabelEvent], gold: &BTreeMap<String, String>) -> Answers {
    let undone: HashSet<i64> = events.iter().filter_map(|e| e.undoes).collect();
    let mut out = Answers::default();
    let mut current: HashMap<&str, (i64, Origin, i64, &str)> = HashMap::new();
    // The own label events that still stand, found after the walk: an undo takes one back.
    let mut own_seqs: Vec<(i64, &LabelEvent)> = Vec::new();
    for e in events {
        let kept = e.undoes.is_none() && !undone.contains(&e.seq);
        if e.origin.is_answer() {
            let Some(answer) = e.label.as_deref().filter(|_| kept) else { continue };
            let after_labels = own_seqs.len();
            if e.origin == Origin::Gold {
                if let Some(known) = gold.get(&e.sample_id) {
                    out.gold.push(GoldAnswer {
                        seq: e.seq,
                        sample_id: e.sample_id.clone(),
                        answer: answer.to_string(),
                        known: known.clone(),
                        time_ms: e.time_ms,
                        after_labels,
                    });
                }
                out.gold_asked.insert(e.sample_id.clone());
            } else if let Some(&(_, _, first_ms, first)) = current.get(e.sample_id.as_str()) {
                out.echoes.push(Echo {
                    seq: e.seq,
                    sample_id: e.sample_id.clone(),
                    first: first.to_string(),
                    first_ms,
                    second: answer.to_string(),
                    second_ms: e.time_ms,
                    after_labels,
                });
                out.echoed.insert(e.sample_id.clone());
            }
            continue;
        }
        out.echoed.remove(&e.sample_id);
        match e.label.as_deref() {
            Some(label) => {
                current.insert(&e.sample_id, (e.seq, e.origin, e.time_ms, label));
            }
            None => {
                current.remove(e.sample_id.as_str());
            }
        }
        if kept && e.origin.is_own() && e.label.is_some() {
            own_seqs.push((e.seq, e));
            out.latest_own.insert(e.sample_id.clone(), (e.seq, e.time_ms));
        }
    }
    out.own = own_seqs
        .into_iter()
        .map(|(_, e)| Own {
            sample_id: e.sample_id.clone(),
            label: e.label.clone().unwrap_or_default(),
            time_ms: e.time_ms,
            session: e.session.clone(),
        })
        .collect();
    out.labelled_by =
        current.into_iter().map(|(id, (seq, origin, time, _))| (id.to_string(), (seq, origin, time))).collect();
    out
}
