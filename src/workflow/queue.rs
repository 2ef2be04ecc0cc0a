//! The order in which the Label pane shows samples, and the review lists. Every order is a
//! permutation of all samples, so nothing becomes unreachable; it only decides what comes
//! first.

mod auto;
pub mod cold_start;
mod diverse;
mod held_out;

use std::collections::HashMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::data::Source;
use crate::error::Result;
use crate::eval::predictions::{PREDICTIONS_FILE, Predictions};
use crate::labels::multi;
use crate::labels::store::LabelStore;
use auto::auto;
#[cfg(test)]
use auto::{AUTO_SETTLED, auto_random_share, mixed};
pub use held_out::{held_out_after, held_out_first};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Sequential,
    /// Shuffled with the project's labelling seed.
    Random,
    UnlabelledFirst,
    /// Labelled samples grouped by class (in kindling.toml's order), then the unlabelled.
    ByClass,
    /// Active learning from the latest finished run: unlabelled samples the model is least
    /// sure of first.
    LeastConfident,
    SmallestMargin,
    HighestEntropy,
    /// Least confident first, but a sample much like one just before it in the queue waits
    /// (batch-mode active learning: pure uncertainty keeps asking about one cluster).
    Diverse,
    /// Smallest margin across clusters: each round takes the least sure sample of every
    /// k-means cluster of the samples still to label (the live model's vectors, clustered
    /// again for each queue). Without cached vectors, smallest margin and random picks mixed:
    /// mostly random while labels are few, half and half from `AUTO_SETTLED` labels a class on.
    Auto,
    /// Inputs a server answered and `kindling served --import` added, the ones the model was
    /// least sure of first; then the rest, unlabelled first.
    Served,
    /// The held-out split's unlabelled samples (valid and test), in random order: labelled
    /// this way they stay a fair test; then the rest, unlabelled first.
    HeldOut,
}

impl Order {
    pub const ALL: [Order; 11] = [
        Order::UnlabelledFirst,
        Order::Sequential,
        Order::Random,
        Order::ByClass,
        Order::LeastConfident,
        Order::SmallestMargin,
        Order::HighestEntropy,
        Order::Diverse,
        Order::Auto,
        Order::Served,
        Order::HeldOut,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Order::Sequential => "sequential",
            Order::Random => "random",
            Order::UnlabelledFirst => "unlabelled first",
            Order::ByClass => "by class",
            Order::LeastConfident => "least confident",
            Order::SmallestMargin => "smallest margin",
            Order::HighestEntropy => "highest entropy",
            Order::Diverse => "diverse uncertainty",
            Order::Auto => "auto: margin across clusters",
            Order::Served => "served, least sure first",
            Order::HeldOut => "held-out split, random",
        }
    }

    /// The order a command line names: `least_confident`, `margin`, `entropy`, `diverse`,
    /// `random`, `unlabelled`, `sequential`, `by_class`, `served`, `held_out`, `auto`.
    pub fn parse(name: &str) -> Option<Order> {
        Some(match name {
            "least_confident" => Order::LeastConfident,
            "margin" => Order::SmallestMargin,
            "entropy" => Order::HighestEntropy,
            "diverse" => Order::Diverse,
            "random" => Order::Random,
            "unlabelled" => Order::UnlabelledFirst,
            "sequential" => Order::Sequential,
            "by_class" => Order::ByClass,
            "served" => Order::Served,
            "held_out" => Order::HeldOut,
            "auto" => Order::Auto,
            _ => return None,
        })
    }

    pub fn needs_predictions(self) -> bool {
        matches!(
            self,
            Order::LeastConfident | Order::SmallestMargin | Order::HighestEntropy | Order::Diverse | Order::Auto
        )
    }

    /// The order after this one; the active-learning orders only when a run exists.
    pub fn next(self, have_predictions: bool) -> Order {
        let at = Order::ALL.iter().position(|o| *o == self).unwrap_or(0);
        (1..=Order::ALL.len())
            .map(|k| Order::ALL[(at + k) % Order::ALL.len()])
            .find(|o| have_predictions || !o.needs_predictions())
            .unwrap_or(Order::UnlabelledFirst)
    }

    /// How much labelling this sample would teach the model: higher first.
    fn uncertainty(self, probs: &[f64]) -> f64 {
        let mut sorted: Vec<f64> = probs.iter().copied().filter(|p| p.is_finite()).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let top = sorted.first().copied().unwrap_or(0.0);
        match self {
            Order::LeastConfident | Order::Diverse => 1.0 - top,
            Order::SmallestMargin | Order::Auto => -(top - sorted.get(1).copied().unwrap_or(0.0)),
            Order::HighestEntropy => -sorted.iter().filter(|p| **p > 0.0).map(|p| p * p.ln()).sum::<f64>(),
            _ => 0.0,
        }
    }
}

/// What a review walks through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// Every sample labelled with this class.
    Class(String),
    /// Samples whose latest prediction disagrees with their current label, most confident
    /// disagreement first.
    Disagreements,
    /// These samples, in this order (a confusion cell, suspected label errors).
    Listed { title: String, ids: Vec<String> },
    /// Label QA's review: echoes answered differently, gold answered wrong and a
    /// cross-validated run's suspected label errors, most evidence first.
    Answers,
}

impl Review {
    pub fn describe(&self) -> String {
        match self {
            Review::Class(c) => format!("review: {c}"),
            Review::Disagreements => "review: the model disagrees".into(),
            Review::Listed { title, .. } => format!("review: {title}"),
            Review::Answers => "review: answers that differ, gold missed, suspected errors".into(),
        }
    }

    /// Off → each class → disagreements (when a run exists) → label QA's answers → off.
    pub fn next(current: Option<&Review>, classes: &[String], have_predictions: bool) -> Option<Review> {
        let mut all: Vec<Review> = classes.iter().cloned().map(Review::Class).collect();
        if have_predictions {
            all.push(Review::Disagreements);
        }
        all.push(Review::Answers);
        match current {
            None => all.into_iter().next(),
            Some(r) => all.iter().position(|x| x == r).and_then(|i| all.get(i + 1).cloned()),
        }
    }
}

/// A queue as the Label pane needs it: the samples in order and the labels it was built from.
pub struct Queue {
    pub ids: Vec<String>,
    pub labels: HashMap<String, String>,
    /// Samples in the source.
    pub total: usize,
    /// The latest finished run, whose predictions the active-learning orders and the
    /// disagreement review use.
    pub run: Option<String>,
    /// Label events in the store when the labels were read.
    pub events: u64,
    /// Why the latest run's predictions are not used, when they cannot be read.
    pub note: Option<String>,
    /// The live model's latest refit and its predictions, the Label pane's suggestions.
    pub live: Option<crate::live::LiveState>,
    /// Labelled samples placed in the queue to be asked again blind, and gold samples
    /// (`[qa]`, by `place_asks`): their answers are kept beside the labels.
    pub asks: HashMap<String, crate::labels::store::Ask>,
    /// What to show beside a sample (the review of answers says why each is there).
    pub notes: HashMap<String, String>,
    /// What label QA says so far (`kindling qa`), once it has anything to say.
    pub qa: Option<Box<crate::qa::QaReport>>,
}

/// Re-asks looked for among this many of a labelling queue's first unlabelled samples.
const ASKS_AHEAD: usize = 60;

/// Places the re-asks due (`[qa]`) among the first unlabelled samples of `queue`, noting
/// them as shown. Multi-label projects are not asked again.
pub fn place_asks(project_root: &std::path::Path, store: &mut LabelStore, queue: &mut Queue) -> Result<()> {
    let project = crate::project::Project::open(project_root)?;
    if project.config.project.multi_label {
        return Ok(());
    }
    let head: Vec<String> =
        queue.ids.iter().filter(|id| !queue.labels.contains_key(*id)).take(ASKS_AHEAD).cloned().collect();
    let answers = crate::qa::answers(store)?;
    let placed = crate::qa::with_asks(&project, store, &answers, &head, ASKS_AHEAD)?;
    let model = queue.live.as_ref().map(|l| &l.predictions);
    let qa = crate::qa::report::report(&answers, model, crate::qa::now_ms());
    queue.qa = qa.has_news().then(|| Box::new(qa));
    let front: std::collections::HashSet<&String> = placed.iter().map(|(id, _)| id).collect();
    let mut ids: Vec<String> = placed.iter().map(|(id, _)| id.clone()).collect();
    ids.extend(queue.ids.iter().filter(|id| !front.contains(id)).cloned());
    queue.asks = placed.into_iter().filter_map(|(id, ask)| ask.map(|a| (id, a))).collect();
    queue.ids = ids;
    Ok(())
}

/// Builds the queue for `order`, or for `review` when one is given.
pub fn build(
    project_root: &std::path::Path,
    source: &Source,
    store: &LabelStore,
    classes: &[String],
    order: Order,
    review_of: Option<&Review>,
    seed: u64,
) -> Result<Queue> {
    let events = store.event_count()?;
    let labels: HashMap<String, String> = store.current()?.into_iter().collect();
    let ids = source.ids_in_order()?;
    let held_out = source.held_out_ids()?;
    // The live model's predictions are the freshest; the latest finished run's otherwise.
    let live = crate::live::state::read(project_root).ok().flatten();
    let mut run = match &live {
        Some(_) => Some(LIVE.to_string()),
        None => crate::runs::latest_finished(project_root)?,
    };
    let mut note = None;
    let predictions = match &run {
        Some(_) if live.is_some() => live.as_ref().map(|l| l.predictions.clone()),
        // A broken run must not stop labelling: it is left out, and the pane says why.
        Some(id) => match Predictions::read(&crate::runs::dir(project_root, id).join(PREDICTIONS_FILE)) {
            Ok(p) => Some(p),
            Err(e) => {
                note = Some(format!("run {id} left out: {e}"));
                run = None;
                None
            }
        },
        None => None,
    };
    let arranged = match review_of {
        Some(r) => review(&ids, &labels, r, predictions.as_ref()),
        None if order == Order::Served => served_first(&ids, &labels, &crate::served::confidences(project_root)?),
        None if order == Order::HeldOut => held_out_first(&ids, &labels, &held_out, seed),
        None if order == Order::Auto => {
            let clusters = predictions.as_ref().and_then(|_| live_vectors(project_root, live.as_ref())).and_then(|v| {
                auto::clusters(project_root, &v, |id| !labels.contains_key(id) && !held_out.contains(id), seed)
            });
            match clusters {
                Some(of) => {
                    let ranked = arrange(&ids, &labels, classes, Order::SmallestMargin, seed, predictions.as_ref());
                    auto::by_cluster(&ranked, &of, &labels, &held_out)
                }
                None => {
                    let trained = labels.keys().filter(|id| !held_out.contains(*id)).count();
                    auto(&ids, &labels, classes, seed, predictions.as_ref(), trained)
                }
            }
        }
        None => arrange(&ids, &labels, classes, order, seed, predictions.as_ref()),
    };
    // The feature rows are read only for the order that compares samples.
    let vectors =
        (order == Order::Diverse && review_of.is_none()).then(|| live_vectors(project_root, live.as_ref())).flatten();
    let arranged = match vectors {
        Some(v) => {
            let mut labelled: Vec<&str> = labels.keys().map(String::as_str).collect();
            labelled.sort_unstable(); // The same queue every time.
            diverse::diversify(arranged, &labelled, |a, b| v.cosine(a, b))
        }
        None => arranged,
    };
    let arranged = match order.needs_predictions() && review_of.is_none() {
        true => held_out_after(arranged, &labels, &held_out, seed),
        false => arranged,
    };
    let mut notes = HashMap::new();
    let arranged = match review_of {
        Some(Review::Answers) => {
            let project = crate::project::Project::open(project_root)?;
            let found = super::review::review(&project)?;
            notes = found.items.iter().map(|i| (i.id.clone(), i.why.join("; "))).collect();
            found.items.into_iter().map(|i| i.id).collect()
        }
        _ => arranged,
    };
    Ok(Queue {
        total: ids.len(),
        ids: arranged,
        labels,
        run,
        events,
        note,
        live,
        asks: HashMap::new(),
        notes,
        qa: None,
    })
}

/// The cached rows of the featurizer the live model last used, when there are.
fn live_vectors(
    project_root: &std::path::Path,
    live: Option<&crate::live::LiveState>,
) -> Option<crate::embed::Vectors> {
    let features = &live?.refit.features;
    let embedder = match crate::features::Method::ALL.into_iter().find(|m| m.name() == features.as_str()) {
        Some(method) => crate::embed::Embedder::Features(method),
        None => crate::embed::Embedder::live(&crate::project::Project::open(project_root).ok()?.config).ok()?,
    };
    crate::embed::cached(project_root, &embedder)
}

/// What `Queue::run` says when the live model's predictions ordered the queue.
pub const LIVE: &str = "live model";

/// A new order for a queue being walked: the samples up to `pos` (shown and passed, and
/// those kept ahead) stay where they are; the rest follow in `fresh`'s order — a sample
/// passed before `shown` again only when it is asked again (`asks`: it was labelled when
/// passed), never the one shown nor one kept ahead.
pub fn rerank(
    queue: &[String],
    shown: usize,
    pos: usize,
    fresh: &[String],
    asks: &HashMap<String, crate::labels::store::Ask>,
) -> Vec<String> {
    let keep = (pos + 1).min(queue.len());
    let ahead: std::collections::HashSet<&String> = queue[shown.min(keep)..keep].iter().collect();
    let passed: std::collections::HashSet<&String> = queue[..keep].iter().collect();
    let again = |id: &String| asks.contains_key(id) && !ahead.contains(id);
    let mut out = queue[..keep].to_vec();
    out.extend(fresh.iter().filter(|id| !passed.contains(id) || again(id)).cloned());
    out
}

/// `ids` (in source order) arranged in `order`.
pub fn arrange(
    ids: &[String],
    labels: &HashMap<String, String>,
    classes: &[String],
    order: Order,
    seed: u64,
    predictions: Option<&Predictions>,
) -> Vec<String> {
    let labelled = |id: &String| labels.contains_key(id);
    let mut out: Vec<String> = ids.to_vec();
    match order {
        Order::Sequential => {}
        Order::Random => out.shuffle(&mut ChaCha8Rng::seed_from_u64(seed)),
        // Stable sorts keep source order inside each group.
        Order::UnlabelledFirst | Order::Served | Order::HeldOut => out.sort_by_key(labelled),
        Order::ByClass => {
            let rank = |id: &String| match labels.get(id) {
                None => classes.len() + 1,
                Some(l) => {
                    multi::split(l).next().and_then(|c| classes.iter().position(|k| k == c)).unwrap_or(classes.len())
                }
            };
            out.sort_by_cached_key(rank);
        }
        Order::LeastConfident | Order::SmallestMargin | Order::HighestEntropy | Order::Diverse => {
            // Unlabelled with a prediction (most uncertain first), unlabelled without one,
            // then the labelled ones.
            let score = |id: &String| -> (u8, f64) {
                match (labelled(id), predictions.and_then(|p| p.by_id.get(id))) {
                    (false, Some(p)) => (0, -order.uncertainty(&p.probs)),
                    (false, None) => (1, 0.0),
                    (true, _) => (2, 0.0),
                }
            };
            let mut scored: Vec<((u8, f64), String)> = out.into_iter().map(|id| (score(&id), id)).collect();
            scored.sort_by(|(a, _), (b, _)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            out = scored.into_iter().map(|(_, id)| id).collect();
        }
        Order::Auto => out = auto(ids, labels, classes, seed, predictions, labels.len()),
    }
    out
}

/// Unlabelled served samples, least confident first; then the rest, unlabelled first.
pub fn served_first(
    ids: &[String],
    labels: &HashMap<String, String>,
    confidence: &HashMap<String, f64>,
) -> Vec<String> {
    let group = |id: &String| match (labels.contains_key(id), confidence.get(id)) {
        (false, Some(c)) => (0, *c),
        (false, None) => (1, 0.0),
        (true, _) => (2, 0.0),
    };
    let mut scored: Vec<((u8, f64), &String)> = ids.iter().map(|id| (group(id), id)).collect();
    scored.sort_by(|(a, _), (b, _)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    scored.into_iter().map(|(_, id)| id.clone()).collect()
}

/// The samples a review walks through, in its order.
pub fn review(
    ids: &[String],
    labels: &HashMap<String, String>,
    review: &Review,
    predictions: Option<&Predictions>,
) -> Vec<String> {
    match review {
        // Read from the label log by `build`.
        Review::Answers => Vec::new(),
        Review::Listed { ids: listed, .. } => {
            let present: std::collections::HashSet<&String> = ids.iter().collect();
            listed.iter().filter(|id| present.contains(id)).cloned().collect()
        }
        Review::Class(c) => {
            ids.iter().filter(|id| labels.get(*id).is_some_and(|l| multi::split(l).any(|x| x == c))).cloned().collect()
        }
        Review::Disagreements => {
            let Some(p) = predictions else { return Vec::new() };
            let mut found: Vec<(f64, &String)> = ids
                .iter()
                .filter_map(|id| {
                    let (label, prediction) = (labels.get(id)?, p.by_id.get(id)?);
                    (*label != prediction.predicted).then(|| (prediction.confidence(&p.classes), id))
                })
                .collect();
            found.sort_by(|a, b| b.0.total_cmp(&a.0));
            found.into_iter().map(|(_, id)| id.clone()).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::eval::predictions::Prediction;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(i, l)| (i.to_string(), l.to_string())).collect()
    }

    fn classes() -> Vec<String> {
        vec!["cat".into(), "dog".into()]
    }

    fn predictions(rows: &[(&str, [f64; 2])]) -> Predictions {
        let by_id = rows
            .iter()
            .map(|(id, probs)| {
                let predicted = if probs[0] >= probs[1] { "cat" } else { "dog" };
                let p = Prediction {
                    split: "unlabelled".into(),
                    given: None,
                    predicted: predicted.into(),
                    probs: probs.to_vec(),
                };
                (id.to_string(), p)
            })
            .collect();
        Predictions { classes: classes(), by_id }
    }

    #[test]
    fn sequential_keeps_source_order() {
        let all = ids(5);
        assert_eq!(arrange(&all, &labels(&[("s1", "cat")]), &classes(), Order::Sequential, 0, None), all);
    }

    #[test]
    fn random_is_a_seeded_permutation() {
        let all = ids(50);
        let a = arrange(&all, &HashMap::new(), &classes(), Order::Random, 7, None);
        let b = arrange(&all, &HashMap::new(), &classes(), Order::Random, 7, None);
        let c = arrange(&all, &HashMap::new(), &classes(), Order::Random, 8, None);
        assert_eq!(a, b, "the same seed gives the same order");
        assert_ne!(a, c, "another seed gives another order");
        assert_ne!(a, all);
        let mut sorted = a.clone();
        sorted.sort_by(|x, y| crate::natural::compare(x, y));
        assert_eq!(sorted, all, "every sample exactly once");
    }

    #[test]
    fn unlabelled_first_keeps_each_group_in_source_order() {
        let got =
            arrange(&ids(5), &labels(&[("s0", "cat"), ("s3", "dog")]), &classes(), Order::UnlabelledFirst, 0, None);
        assert_eq!(got, ["s1", "s2", "s4", "s0", "s3"]);
    }

    #[test]
    fn served_first_asks_about_the_least_sure_served_sample_first() {
        let confidence: HashMap<String, f64> =
            [("s4", 0.9), ("s2", 0.4), ("s0", 0.1)].into_iter().map(|(id, c)| (id.to_string(), c)).collect();
        let got = served_first(&ids(6), &labels(&[("s0", "cat"), ("s1", "dog")]), &confidence);
        assert_eq!(got, ["s2", "s4", "s3", "s5", "s0", "s1"], "s0 was served but is labelled now");
    }

    #[test]
    fn by_class_groups_in_the_order_of_the_classes() {
        let l = labels(&[("s0", "dog"), ("s1", "cat"), ("s3", "dog"), ("s4", "retired")]);
        let got = arrange(&ids(5), &l, &classes(), Order::ByClass, 0, None);
        assert_eq!(got, ["s1", "s0", "s3", "s4", "s2"], "cat, dog, a class no longer listed, unlabelled");
    }

    #[test]
    fn active_learning_orders_rank_unlabelled_samples_by_uncertainty() {
        let p = predictions(&[("s0", [0.5, 0.5]), ("s1", [0.95, 0.05]), ("s2", [0.7, 0.3]), ("s4", [0.6, 0.4])]);
        let l = labels(&[("s4", "cat")]);
        for order in [Order::LeastConfident, Order::SmallestMargin, Order::HighestEntropy] {
            let got = arrange(&ids(5), &l, &classes(), order, 0, Some(&p));
            assert_eq!(got, ["s0", "s2", "s1", "s3", "s4"], "{order:?}: unsure first, unpredicted, then labelled");
        }
        // With three classes the three criteria differ.
        let three = |probs: [f64; 3]| probs.to_vec();
        let (a, b) = (three([0.4, 0.4, 0.2]), three([0.45, 0.3, 0.25]));
        assert!(Order::LeastConfident.uncertainty(&a) > Order::LeastConfident.uncertainty(&b));
        assert!(Order::SmallestMargin.uncertainty(&a) > Order::SmallestMargin.uncertainty(&b));
        assert!(Order::HighestEntropy.uncertainty(&b) > Order::HighestEntropy.uncertainty(&a));
    }

    #[test]
    fn active_learning_is_offered_only_with_predictions() {
        let mut seen = vec![Order::UnlabelledFirst];
        while let next = seen.last().unwrap().next(false)
            && next != Order::UnlabelledFirst
        {
            seen.push(next);
        }
        assert_eq!(
            seen,
            [Order::UnlabelledFirst, Order::Sequential, Order::Random, Order::ByClass, Order::Served, Order::HeldOut]
        );
        assert_eq!(Order::ByClass.next(true), Order::LeastConfident);
        assert_eq!(Order::HighestEntropy.next(true), Order::Diverse);
        assert_eq!(Order::Diverse.next(true), Order::Auto);
        assert_eq!(Order::Auto.next(true), Order::Served);
        assert_eq!(Order::Served.next(true), Order::HeldOut);
        assert_eq!(Order::HeldOut.next(true), Order::UnlabelledFirst);
    }

    #[test]
    fn active_orders_never_rank_held_out_samples() {
        // s0 and s2 are held out; the model is least sure of them.
        let p = predictions(&[("s0", [0.5, 0.5]), ("s1", [0.9, 0.1]), ("s2", [0.55, 0.45]), ("s3", [0.6, 0.4])]);
        let held_out: HashSet<String> = ["s0", "s2", "s5"].iter().map(|s| s.to_string()).collect();
        let l = labels(&[("s5", "cat")]);
        for order in [Order::LeastConfident, Order::SmallestMargin, Order::HighestEntropy, Order::Diverse] {
            let ranked = arrange(&ids(6), &l, &classes(), order, 0, Some(&p));
            let got = held_out_after(ranked, &l, &held_out, 3);
            assert_eq!(&got[..3], ["s3", "s1", "s4"], "{order:?}: the training samples first, by uncertainty");
            let mut rest = got[3..5].to_vec();
            rest.sort();
            assert_eq!(rest, ["s0", "s2"], "{order:?}: then the held-out ones");
            assert_eq!(got[5], "s5", "the labelled last");
        }
        // Their order is the seed's, whatever the model says of them.
        let flipped = predictions(&[("s0", [0.99, 0.01]), ("s2", [0.5, 0.5])]);
        let one =
            held_out_after(arrange(&ids(6), &l, &classes(), Order::SmallestMargin, 0, Some(&p)), &l, &held_out, 3);
        let two = held_out_after(
            arrange(&ids(6), &l, &classes(), Order::SmallestMargin, 0, Some(&flipped)),
            &l,
            &held_out,
            3,
        );
        assert_eq!(one[3..5], two[3..5]);
    }

    #[test]
    fn auto_takes_the_least_sure_of_every_cluster_each_round() {
        // Least sure first: s0..s7; clusters: s0 s1 s2 in A, s3 s4 in B, s5 in C, s6 s7 without vectors.
        let ranked: Vec<String> = ids(8);
        let of: HashMap<String, usize> =
            [("s0", 0), ("s1", 0), ("s2", 0), ("s3", 1), ("s4", 1), ("s5", 2)].map(|(i, c)| (i.to_string(), c)).into();
        let got = auto::by_cluster(&ranked, &of, &HashMap::new(), &HashSet::new());
        assert_eq!(got, ["s0", "s3", "s5", "s6", "s1", "s4", "s7", "s2"]);
        // Labelled and held-out samples take no place in the rounds: s3 held out, s0 labelled.
        let held_out: HashSet<String> = ["s3".to_string()].into();
        let got = auto::by_cluster(&ranked, &of, &labels(&[("s0", "cat")]), &held_out);
        assert_eq!(got, ["s1", "s4", "s5", "s6", "s2", "s7", "s0", "s3"]);
    }

    #[test]
    fn auto_mixes_the_smallest_margin_with_random_picks() {
        let upper = |i: usize| format!("U{i}");
        let a: Vec<String> = (0..8).map(upper).collect();
        let b: Vec<String> = (0..8).map(|i| format!("r{i}")).collect();
        let got = mixed(&a, &b, 0.5, |_| false);
        assert_eq!(&got[..6], ["U0", "r0", "U1", "r1", "U2", "r2"], "half and half, a first");
        let got = mixed(&a, &b, 0.75, |_| false);
        let from_b = got[..8].iter().filter(|id| id.starts_with('r')).count();
        assert_eq!(from_b, 6, "three places in four: {got:?}");
        // A sample on both sides comes once; labelled ones last.
        let twice: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
        let got = mixed(&twice, &["y", "x", "z"].map(String::from), 0.5, |id| id == "z");
        assert_eq!(got, ["x", "y", "z"]);
        // The share starts mostly random and settles at a half.
        assert_eq!(auto_random_share(0, 6), 0.875);
        assert!(auto_random_share(60, 6) > auto_random_share(120, 6));
        assert_eq!(auto_random_share(AUTO_SETTLED * 6, 6), 0.5);
        assert_eq!(auto_random_share(10_000, 6), 0.5);
        // In arrange: every sample once, the labelled last, the surest never first.
        let p = predictions(&[("s0", [0.9, 0.1]), ("s1", [0.5, 0.5]), ("s2", [0.6, 0.4]), ("s3", [0.99, 0.01])]);
        let got = arrange(&ids(20), &labels(&[("s4", "cat")]), &classes(), Order::Auto, 11, Some(&p));
        assert_eq!(got.len(), 20);
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), 20);
        assert_eq!(got.last().map(String::as_str), Some("s4"));
        assert_eq!(got[0], "s1", "the first place is the smallest margin");
        // The share follows the training labels it is told of, not every label.
        let many: Vec<String> = (0..400).map(|i| format!("s{i}")).collect();
        let held: HashMap<String, String> = (200..400).map(|i| (format!("s{i}"), "cat".to_string())).collect();
        let all_preds: Vec<(String, [f64; 2])> =
            (0..200).map(|i| (format!("s{i}"), [0.5 + i as f64 / 500.0, 0.5 - i as f64 / 500.0])).collect();
        let refs: Vec<(&str, [f64; 2])> = all_preds.iter().map(|(id, p)| (id.as_str(), *p)).collect();
        let p = predictions(&refs);
        let margin_first =
            |got: &[String]| got[..16].iter().filter(|id| id[1..].parse::<usize>().unwrap() < 16).count();
        let cold = auto(&many, &held, &classes(), 3, Some(&p), 0);
        let settled = auto(&many, &held, &classes(), 3, Some(&p), 200);
        assert!(margin_first(&cold) < margin_first(&settled), "fewer margin picks before training labels");
    }

    #[test]
    fn the_held_out_order_asks_for_held_out_samples_first_at_random() {
        let all = ids(40);
        let held_out: HashSet<String> = (0..40).step_by(4).map(|i| format!("s{i}")).collect();
        let l = labels(&[("s0", "cat"), ("s1", "dog")]);
        let got = held_out_first(&all, &l, &held_out, 5);
        assert_eq!(got.len(), 40);
        assert!(got[..9].iter().all(|id| held_out.contains(id) && id != "s0"), "{got:?}");
        let firsts: Vec<&String> = got[..9].iter().collect();
        let mut sorted = firsts.clone();
        sorted.sort_by(|a, b| crate::natural::compare(a, b));
        assert_ne!(firsts, sorted, "not in file order");
        assert_eq!(&got[9..11], ["s2", "s3"], "then the training samples in file order");
        assert_eq!(&got[38..], ["s0", "s1"]);
    }

    #[test]
    fn a_listed_review_keeps_its_order_and_drops_samples_no_longer_there() {
        let listed = Review::Listed { title: "cell".into(), ids: vec!["s3".into(), "gone".into(), "s1".into()] };
        assert_eq!(review(&ids(5), &HashMap::new(), &listed, None), vec!["s3".to_string(), "s1".to_string()]);
    }

    #[test]
    fn reviews_list_a_class_or_the_disagreements_most_confident_first() {
        let l = labels(&[("s0", "cat"), ("s1", "cat"), ("s2", "dog"), ("s3", "cat|dog")]);
        assert_eq!(review(&ids(5), &l, &Review::Class("cat".into()), None), ["s0", "s1", "s3"]);
        let p = predictions(&[("s0", [0.2, 0.8]), ("s1", [0.4, 0.6]), ("s2", [0.1, 0.9])]);
        assert_eq!(review(&ids(5), &l, &Review::Disagreements, Some(&p)), ["s0", "s1"]);
        assert!(review(&ids(5), &l, &Review::Disagreements, None).is_empty());
        let cycle = |r: Option<&Review>| Review::next(r, &classes(), true);
        assert_eq!(cycle(None), Some(Review::Class("cat".into())));
        assert_eq!(cycle(Some(&Review::Class("dog".into()))), Some(Review::Disagreements));
        assert_eq!(cycle(Some(&Review::Disagreements)), Some(Review::Answers));
        assert_eq!(cycle(Some(&Review::Answers)), None);
        assert_eq!(Review::next(Some(&Review::Class("dog".into())), &classes(), false), Some(Review::Answers));
    }

    #[test]
    fn rerank_keeps_the_shown_and_passed_samples_in_place() {
        let queue = ids(6);
        let fresh: Vec<String> = ["s5", "s0", "s4", "s1", "s3", "s2"].iter().map(|s| s.to_string()).collect();
        let got = rerank(&queue, 2, 2, &fresh, &HashMap::new());
        assert_eq!(got, ["s0", "s1", "s2", "s5", "s4", "s3"]);
        assert_eq!(rerank(&queue, 5, 5, &fresh, &HashMap::new()), queue, "at the end nothing moves");
        assert_eq!(rerank(&[], 0, 0, &fresh, &HashMap::new()), fresh);
        // A passed sample asked again comes back where the fresh order puts it.
        let asks: HashMap<String, crate::labels::store::Ask> =
            [("s1".to_string(), crate::labels::store::Ask::Echo)].into();
        let got = rerank(&queue, 2, 2, &fresh, &asks);
        assert_eq!(got[..3], queue[..3]);
        assert_eq!(got.iter().filter(|id| *id == "s1").count(), 2, "{got:?}");
        // Kept ahead of the shown one already (s1 at 1, shown 0), or the one shown: not twice.
        for shown in [0, 1] {
            let got = rerank(&queue, shown, 2, &fresh, &asks);
            assert_eq!(got.iter().filter(|id| *id == "s1").count(), 1, "{got:?}");
        }
    }
}
