//! `auto`: the least sure sample of every k-means cluster of the samples still to label a
//! round (clustered again for each queue), so that a batch is both uncertain and spread over
//! the data. Without vectors: the smallest margin and random picks mixed, mostly random
//! while labels are few.
//!
//! Chosen by Kindling's walk (bench/active_real.py, 3 to 5 seeds, to 390 labels) among four
//! candidates, none ahead of random order at every round on every set: margin and random
//! picks mixed (far behind on short passages early, ahead on the manual pages), clusters of
//! every sample fitted once, these clusters with a share of random members (behind on the
//! passages to 270 labels), and these clusters alone — ahead on the digits from the first
//! round, behind on the passages to 150 labels and on the manual pages from 90 to 210 by at
//! most 0.03 (docs/benchmarks.md).

use std::collections::{HashMap, HashSet};
use std::path::Path;

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

/// Clusters a round takes one sample from: one round is a batch of labels.
pub const ROUND: usize = 30;

/// The cluster of each sample still to label (unlabelled, of the training split), by id:
/// k-means of their vectors, made afresh for each queue — clusters of every sample, kept
/// while the vectors stay, fell behind random order on the manual pages (their small
/// clusters, one pick a round each as the large ones, outweighed their share of the data).
/// `None` when there are too few to cluster.
pub(super) fn clusters(
    project_root: &Path,
    vectors: &crate::embed::Vectors,
    asked: impl Fn(&str) -> bool,
    seed: u64,
) -> Option<HashMap<String, usize>> {
    crate::embed::clusters::kmeans_among(project_root, vectors, asked, ROUND, seed).ok().flatten()
}

/// The unlabelled training samples of `ranked` (least sure first) in rounds: each round the
/// next least sure sample of every cluster, least sure first; then the rest in `ranked`'s
/// order (held-out samples are placed by `held_out_after`). Samples without a cluster are
/// one cluster together.
pub(super) fn by_cluster(
    ranked: &[String],
    cluster_of: &HashMap<String, usize>,
    labels: &HashMap<String, String>,
    held_out: &HashSet<String>,
) -> Vec<String> {
    let asked = |id: &String| !labels.contains_key(id) && !held_out.contains(id);
    let mut taken: HashMap<usize, usize> = HashMap::new();
    let mut keyed: Vec<(usize, usize, &String)> = Vec::new();
    for (rank, id) in ranked.iter().enumerate().filter(|(_, id)| asked(id)) {
        let round = taken.entry(cluster_of.get(id).copied().unwrap_or(usize::MAX)).or_insert(0);
        keyed.push((*round, rank, id));
        *round += 1;
    }
    keyed.sort_unstable();
    let mut out: Vec<String> = keyed.into_iter().map(|(_, _, id)| id.clone()).collect();
    out.extend(ranked.iter().filter(|id| !asked(id)).cloned());
    out
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
