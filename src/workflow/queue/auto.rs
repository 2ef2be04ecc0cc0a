//! `auto`: one sample of every k-means cluster of the samples still to label a round — the
//! cluster's least sure one, or for a share of the clusters a random one (seven in eight
//! while labels are few, half from `AUTO_SETTLED` labels a class) — so that a batch is
//! spread over the data, holds the model's doubts and samples it would never ask about.
//! Without vectors: the smallest margin and random picks mixed at the same share.
//!
//! Chosen by Kindling's walk (bench/active_real.py, 5 seeds, to 390 labels) and a faster
//! simulation of it (bench/active_orders_sim.py). Margin and random picks mixed led random
//! order on the manual pages but fell behind it on the digits; the least sure of every
//! cluster led on the digits and fell behind on the manual pages from 90 to 210 labels,
//! whether the clusters were of every sample (fitted once) or of the samples still to label
//! (fitted for each queue). The clusters of the samples still to label, with the mix's share
//! of random members, stay at or near random order on both and lead it later.

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

/// The unlabelled training samples in rounds, one sample of every cluster a round: its least
/// sure one (by `ranked`, least sure first), or for `share` of the clusters a random one (by
/// `random`, spread evenly over the round); clusters whose least sure sample is less sure go
/// first. Then the rest in `ranked`'s order (held-out samples are placed by
/// `held_out_after`). Samples without a cluster are one cluster together.
pub(super) fn by_cluster(
    ranked: &[String],
    random: &[String],
    share: f64,
    cluster_of: &HashMap<String, usize>,
    labels: &HashMap<String, String>,
    held_out: &HashSet<String>,
) -> Vec<String> {
    let asked = |id: &&String| !labels.contains_key(*id) && !held_out.contains(*id);
    let cluster = |id: &String| cluster_of.get(id).copied().unwrap_or(usize::MAX);
    // Each cluster's members by their place in `ranked` (least sure first), twice: in that
    // order, and in `random`'s.
    let sure: Vec<&String> = ranked.iter().filter(asked).collect();
    let place: HashMap<&String, usize> = sure.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let mut members: HashMap<usize, [Vec<usize>; 2]> = HashMap::new();
    for (k, id) in sure.iter().enumerate() {
        members.entry(cluster(id)).or_default()[0].push(k);
    }
    for id in random.iter().filter(asked) {
        if let Some(&k) = place.get(id) {
            members.entry(cluster(id)).or_default()[1].push(k);
        }
    }
    let mut sides: Vec<[std::iter::Peekable<std::vec::IntoIter<usize>>; 2]> =
        members.into_values().map(|[a, b]| [a.into_iter().peekable(), b.into_iter().peekable()]).collect();
    let mut taken = vec![false; sure.len()];
    let mut out: Vec<String> = Vec::with_capacity(ranked.len());
    let mut placed = 0usize;
    while out.len() < sure.len() {
        // The clusters with samples left, least sure first.
        let mut round: Vec<(usize, usize)> = Vec::new();
        for (c, side) in sides.iter_mut().enumerate() {
            while side[0].next_if(|&k| taken[k]).is_some() {}
            if let Some(&k) = side[0].peek() {
                round.push((k, c));
            }
        }
        round.sort_unstable();
        for (_, c) in round {
            let from_random = ((placed + 1) as f64 * share).floor() > (placed as f64 * share).floor();
            let side = &mut sides[c][usize::from(from_random)];
            while side.next_if(|&k| taken[k]).is_some() {}
            // Both sides hold the same members, so the one asked has one left.
            if let Some(k) = side.next() {
                taken[k] = true;
                out.push(sure[k].clone());
                placed += 1;
            }
        }
    }
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
