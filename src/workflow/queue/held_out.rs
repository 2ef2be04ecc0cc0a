//! The held-out split in the queue: the active orders never rank its samples, and the
//! `held_out` order asks for them at random.

use std::collections::{HashMap, HashSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The samples of `held_out` in an order of their own that no model chose: seeded random.
fn held_out_shuffled(held_out: &HashSet<String>, seed: u64) -> HashMap<&str, usize> {
    let mut ids: Vec<&str> = held_out.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect()
}

/// An active order's queue with the unlabelled held-out samples moved after the unlabelled
/// training samples, in random order: the model that ranks the training samples never
/// chooses which held-out samples get labelled, so the held-out split stays a fair test.
pub fn held_out_after(
    queue: Vec<String>,
    labels: &HashMap<String, String>,
    held_out: &HashSet<String>,
    seed: u64,
) -> Vec<String> {
    if held_out.is_empty() {
        return queue;
    }
    let random = held_out_shuffled(held_out, seed);
    let mut keyed: Vec<((u8, usize), String)> = queue
        .into_iter()
        .enumerate()
        .map(|(at, id)| {
            let key = match (labels.contains_key(&id), random.get(id.as_str())) {
                (false, None) => (0, at),
                (false, Some(&r)) => (1, r),
                (true, _) => (2, at),
            };
            (key, id)
        })
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// The unlabelled held-out samples in random order, then the other unlabelled samples in
/// source order, then the labelled ones.
pub fn held_out_first(
    ids: &[String],
    labels: &HashMap<String, String>,
    held_out: &HashSet<String>,
    seed: u64,
) -> Vec<String> {
    let random = held_out_shuffled(held_out, seed);
    let mut keyed: Vec<((u8, usize), &String)> = ids
        .iter()
        .enumerate()
        .map(|(at, id)| match (labels.contains_key(id), random.get(id.as_str())) {
            (false, Some(&r)) => ((0, r), id),
            (false, None) => ((1, at), id),
            (true, _) => ((2, at), id),
        })
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, id)| id.clone()).collect()
}
