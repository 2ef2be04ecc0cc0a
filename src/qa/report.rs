//! `kindling qa`: how consistent the labeller is with themselves (echoes), how often right
//! on samples with known answers (gold), which classes they answer differently the second
//! time, whether agreement dropped, and how long a label takes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::answers::Answers;
use super::drop::{self, Evidence};
use super::measures::{self, Agreement, Interval};
use crate::eval::predictions::Predictions;

/// The interval half width worth aiming for.
pub const TARGET_HALF_WIDTH: f64 = 0.05;
/// Answers in each window of the agreement over time.
const WINDOW: usize = 20;
/// A pause longer than this between two labels is a break, not a slow label.
const BREAK_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QaReport {
    pub self_agreement: Agreement,
    /// More echoes that would narrow κ's interval to ±0.05.
    pub echoes_for_target: Option<usize>,
    pub gold: Option<GoldScore>,
    /// Pairs answered differently: (first answer, second answer, count), most first.
    pub self_confusion: Vec<(String, String, usize)>,
    /// Per class: the echoes whose first answer was it, and the share answered alike.
    pub per_class: BTreeMap<String, (usize, f64)>,
    /// Agreement (echoes agreeing, gold answered right) in windows of 20 answers, in time.
    pub windows: Vec<Window>,
    pub drop: Option<DropSeen>,
    pub pace: Option<Pace>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldScore {
    pub answered: usize,
    pub accuracy: Interval,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
    pub answers: usize,
    pub agreement: f64,
}

/// Care that dropped, and since when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropSeen {
    /// Re-asks answered alike (echoes) or right (gold), before and after; `None` on a side
    /// without any.
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// The live model's agreement with the own labels (out of fold), before and after.
    pub model_before: Option<f64>,
    pub model_after: Option<f64>,
    /// The share of shuffled orders of the evidence that separate as well.
    pub p_value: f64,
    /// When the first own label after the drop was given.
    pub since_ms: i64,
    /// Own labels given before it: where in the labelling it began.
    pub after_labels: usize,
    pub minutes: f64,
}

impl QaReport {
    /// Whether there is anything to show: answered re-asks, or a drop.
    pub fn has_news(&self) -> bool {
        self.self_agreement.pairs > 0 || self.gold.is_some() || self.drop.is_some()
    }
}

impl DropSeen {
    /// The rates on each side in words: `re-asks 0.94 → 0.71, the model's agreement 0.88 → 0.80`.
    pub fn rates_said(&self) -> String {
        let side = |what: &str, before: Option<f64>, after: Option<f64>| {
            Some(format!("{what} {:.2} → {:.2}", before?, after?))
        };
        [side("re-asks", self.before, self.after), side("the model's agreement", self.model_before, self.model_after)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Seconds per label and the slowest ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pace {
    pub labels: usize,
    pub median_s: f64,
    pub p90_s: f64,
    /// Labels that took far longer than most (3 × the median and the upper fence of the
    /// quartiles), slowest first: (sample, seconds).
    pub slow: Vec<(String, f64)>,
}

/// Fewest re-asks, and fewest own labels the model scored, on each side of a drop.
const REASKS_SIDE: usize = 8;
const MODEL_SIDE: usize = 30;

/// Reads the measures from what the log says, and where it can the live model's view of each
/// own label (`model`: predictions that never learnt the label they score, as the live model
/// writes them); `now_ms` dates "the last N minutes".
pub fn report(answers: &Answers, model: Option<&Predictions>, now_ms: i64) -> QaReport {
    let self_agreement = measures::agreement(answers.echoes.iter().map(|e| (e.first.as_str(), e.second.as_str())));
    let echoes_for_target =
        self_agreement.kappa.as_ref().map(|k| measures::more_for(k, self_agreement.pairs, TARGET_HALF_WIDTH));
    let right = answers.gold.iter().filter(|g| g.answer == g.known).count();
    let gold = measures::wilson(right, answers.gold.len())
        .map(|accuracy| GoldScore { answered: answers.gold.len(), accuracy });
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut per_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for e in &answers.echoes {
        let class = per_class.entry(e.first.clone()).or_default();
        class.0 += 1;
        if e.first == e.second {
            class.1 += 1;
        } else {
            *confusion.entry((e.first.clone(), e.second.clone())).or_default() += 1;
        }
    }
    let mut self_confusion: Vec<(String, String, usize)> = confusion.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    self_confusion.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    let per_class = per_class.into_iter().map(|(c, (n, same))| (c, (n, same as f64 / n as f64))).collect();
    // Every QA answer in time: (when, after how many labels, agreed).
    let mut timeline: Vec<(i64, usize, bool)> = answers
        .echoes
        .iter()
        .map(|e| (e.second_ms, e.after_labels, e.first == e.second))
        .chain(answers.gold.iter().map(|g| (g.time_ms, g.after_labels, g.answer == g.known)))
        .collect();
    timeline.sort_by_key(|t| (t.0, t.1));
    let windows = timeline
        .chunks(WINDOW)
        .map(|w| Window {
            from_ms: w[0].0,
            to_ms: w[w.len() - 1].0,
            answers: w.len(),
            agreement: w.iter().filter(|t| t.2).count() as f64 / w.len() as f64,
        })
        .collect();
    let drop = seen_drop(answers, &timeline, model, now_ms);
    QaReport { self_agreement, echoes_for_target, gold, self_confusion, per_class, windows, drop, pace: pace(answers) }
}

/// Where the evidence says care dropped: the re-asks in `timeline` and the model's agreement
/// with each own label.
fn seen_drop(
    answers: &Answers,
    timeline: &[(i64, usize, bool)],
    model: Option<&Predictions>,
    now_ms: i64,
) -> Option<DropSeen> {
    let mut reasks = Evidence::new(REASKS_SIDE);
    timeline.iter().for_each(|&(_, at, agreed)| reasks.push_answer(at, agreed));
    let mut agreement = Evidence::new(MODEL_SIDE);
    for (at, own) in answers.own.iter().enumerate() {
        let Some(p) = model.and_then(|m| m.by_id.get(&own.sample_id)) else { continue };
        let Some(given) = model.and_then(|m| m.classes.iter().position(|c| *c == own.label)) else { continue };
        let expected = p.probs.iter().map(|q| q * q).sum();
        agreement.push(at, p.predicted == own.label, p.probs[given], expected);
    }
    let d = drop::drop(&[reasks, agreement], answers.own.len())?;
    let since_ms = answers.own.get(d.at).map_or_else(|| timeline.last().map_or(now_ms, |t| t.0), |o| o.time_ms);
    Some(DropSeen {
        before: d.rates[0].0,
        after: d.rates[0].1,
        model_before: d.rates[1].0,
        model_after: d.rates[1].1,
        p_value: d.p_value,
        since_ms,
        after_labels: d.at,
        minutes: (now_ms - since_ms).max(0) as f64 / 60_000.0,
    })
}

/// The time between one own label and the next of the same session, breaks left out.
fn pace(answers: &Answers) -> Option<Pace> {
    let mut took: Vec<(String, f64)> = answers
        .own
        .windows(2)
        .filter(|w| w[0].session == w[1].session)
        .map(|w| (w[1].sample_id.clone(), w[1].time_ms - w[0].time_ms))
        .filter(|(_, ms)| (0..=BREAK_MS).contains(ms))
        .map(|(id, ms)| (id, ms as f64 / 1000.0))
        .collect();
    if took.is_empty() {
        return None;
    }
    let mut seconds: Vec<f64> = took.iter().map(|t| t.1).collect();
    seconds.sort_by(f64::total_cmp);
    let at = |q: f64| seconds[((seconds.len() - 1) as f64 * q).round() as usize];
    let (median, p90) = (at(0.5), at(0.9));
    let fence = at(0.75) + 3.0 * (at(0.75) - at(0.25));
    let slow_from = fence.max(3.0 * median);
    took.retain(|t| t.1 > slow_from);
    took.sort_by(|a, b| b.1.total_cmp(&a.1));
    took.truncate(10);
    Some(Pace { labels: seconds.len(), median_s: median, p90_s: p90, slow: took })
}
