//! `auto`: the smallest margin and random picks mixed, mostly random while labels are few.

use std::collections::{HashMap, HashSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{Order, arrange};
use crate::eval::predictions::Predictions;

/// `auto`'s queue, its share of random picks set by the `trained` labels (those of the
/// training split: held-out labels teach the model nothing).
pub(super) fn auto(
    ids: &[String],
    labels: &HashMap<String, String>,
    classes: &[String],
    seed: u64,
    predictions: Option<&Predictions>,
    trained: usize,
) -> Vec<String> {
    let mut random = ids.to_vec();
    random.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let ranked = arrange(ids, labels, classes, Order::SmallestMargin, seed, predictions);
    let share = auto_random_share(trained, classes.len());
    mixed(&ranked, &random, share, |id| labels.contains_key(id))
}

/// Labels a class from which `auto` takes as many margin picks as random ones.
pub const AUTO_SETTLED: usize = 40;

/// The share of `auto`'s picks taken at random: all but one in eight while no class can
/// have labels, falling to a half at `AUTO_SETTLED` labels a class. On the manual pages
/// (6 classes, 30 random labels to start) margin sampling trailed random order until about
/// 200 labels, then led it.
pub(super) fn auto_random_share(labelled: usize, classes: usize) -> f64 {
    let settled = (AUTO_SETTLED * classes.max(1)) as f64;
    (1.0 - 0.5 * labelled as f64 / settled).clamp(0.5, 0.875)
}

/// The unlabelled samples of `a` and `b` mixed, `share` of the places from `b` (spread
/// evenly, `a` first), each sample once; then the labelled ones in `a`'s order.
pub(super) fn mixed(a: &[String], b: &[String], share: f64, labelled: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::with_capacity(a.len());
    let mut out = Vec::with_capacity(a.len());
    let unlabelled = |id: &&String| !labelled(id);
    let mut sides = [a.iter().filter(&unlabelled).peekable(), b.iter().filter(&unlabelled).peekable()];
    for place in 0.. {
        // Place i comes from b when it takes the count of b's places to the next whole one.
        let from_b = ((place + 1) as f64 * share).floor() > (place as f64 * share).floor();
        let order = if from_b { [1, 0] } else { [0, 1] };
        let mut took = false;
        for side in order {
            let side = &mut sides[side];
            while side.next_if(|id| seen.contains(id.as_str())).is_some() {}
            if let Some(id) = side.next() {
                seen.insert(id.as_str());
                out.push(id.clone());
                took = true;
                break;
            }
        }
        if !took {
            break;
        }
    }
    out.extend(a.iter().filter(|id| labelled(id)).cloned());
    out
}
