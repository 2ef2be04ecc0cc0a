//! Approximate nearest neighbours of every row among the others, for maps of more rows than
//! the exact search covers in minutes: it compares every pair, and 2,000,000 rows of 20
//! columns took over half an hour on two cores. NN-descent (Dong, Moses & Li 2011): a
//! neighbour's neighbour is likely a neighbour. It starts from the rows that share a leaf
//! of random-projection trees (as pynndescent does), then each round compares, for every
//! row, the pairs among its neighbours and the rows that have it as one, at least one of
//! the pair new since the last round, until few lists change.
//!
//! Deterministic: every random choice is a hash of the seed and the rows, and the changes
//! each block of rows proposes (in parallel) are made in row order.

mod lists;
mod trees;

use rayon::prelude::*;

use crate::embed::hashed::mix;
use crate::models::knn::squared_distance;
use crate::progress::Progress;
use lists::{Lists, NONE};

/// Above this many rows the map's neighbours are found by NN-descent, not compared in full.
pub const APPROXIMATE_ABOVE: usize = 200_000;
const TREES: usize = 4;
const MOST_ROUNDS: usize = 12;
/// Rounds stop once fewer than this share of all list entries changed in one.
const DELTA: f64 = 0.001;
/// Rows whose candidate pairs are compared together before their changes are made.
const BLOCK: usize = 16_384;

/// Each of the `n` rows' `k` (approximately) nearest other rows, nearest first: (squared
/// distance, row). `progress` hears the trees (one step) and each round.
pub fn others_nearest(rows: &[f32], d: usize, k: usize, seed: u64, progress: &dyn Progress) -> Vec<Vec<(f32, u32)>> {
    let n = rows.len() / d.max(1);
    let k = k.min(n.saturating_sub(1));
    if k == 0 {
        return vec![Vec::new(); n];
    }
    progress.stage(crate::models::knn::NEIGHBOURS_STAGE, Some(1 + MOST_ROUNDS as u64));
    let distance = |a: u32, b: u32| {
        let (a, b) = (a as usize, b as usize);
        squared_distance(&rows[a * d..(a + 1) * d], &rows[b * d..(b + 1) * d]) as f32
    };
    let mut lists = Lists::new(n, k);
    start_from_trees(&mut lists, rows, d, seed, &distance);
    progress.advance(1);
    for round in 0..MOST_ROUNDS {
        let changed = descend(&mut lists, mix(seed, 1000 + round as u64), &distance);
        progress.advance(2 + round as u64);
        if (changed as f64) < DELTA * (n * k) as f64 {
            break;
        }
    }
    progress.finish();
    (0..n).map(|i| lists.sorted(i)).collect()
}

/// The pairs within each leaf of each tree offered to both lists; then rows still short of
/// `k` (a leaf too small) given rows by hash.
fn start_from_trees(lists: &mut Lists, rows: &[f32], d: usize, seed: u64, distance: &(dyn Fn(u32, u32) -> f32 + Sync)) {
    let (n, k) = (lists.len(), lists.k);
    let leaf = (2 * k).max(24);
    let forest: Vec<Vec<Vec<u32>>> =
        (0..TREES).into_par_iter().map(|t| trees::leaves(rows, d, n, leaf, mix(seed, t as u64))).collect();
    for leaves in forest {
        let pairs: Vec<Vec<(u32, u32, f32)>> = leaves
            .par_iter()
            .map(|members| {
                let mut pairs = Vec::with_capacity(members.len() * members.len() / 2);
                for (x, &a) in members.iter().enumerate() {
                    for &b in &members[x + 1..] {
                        pairs.push((a, b, distance(a, b)));
                    }
                }
                pairs
            })
            .collect();
        for (a, b, dist) in pairs.into_iter().flatten() {
            lists.offer(a as usize, dist, b);
            lists.offer(b as usize, dist, a);
        }
    }
    for i in 0..n {
        let mut tries = 0u64;
        while lists.filled(i) < k {
            let j = (mix(seed ^ 0x5eed, (i as u64) << 20 | tries) % n as u64) as u32;
            tries += 1;
            if j as usize != i {
                lists.offer(i, distance(i as u32, j), j);
            }
        }
    }
}

/// One round: every row's candidate pairs compared, the better ones offered to both ends.
/// Returns how many list entries changed.
fn descend(lists: &mut Lists, seed: u64, distance: &(dyn Fn(u32, u32) -> f32 + Sync)) -> usize {
    let n = lists.len();
    let (new, old) = lists.candidates(lists.k, |a, b| mix(seed, (a.min(b) as u64) << 32 | a.max(b) as u64));
    let mut changed = 0;
    for start in (0..n).step_by(BLOCK) {
        let view = &*lists;
        let proposed: Vec<Vec<(u32, u32, f32)>> = (start..(start + BLOCK).min(n))
            .into_par_iter()
            .map(|i| {
                let (fresh, stale) = (new.of(i), old.of(i));
                let mut out = Vec::new();
                let mut consider = |a: u32, b: u32| {
                    if a == b || a == NONE || b == NONE {
                        return;
                    }
                    let dist = distance(a, b);
                    if dist < view.worst(a as usize) || dist < view.worst(b as usize) {
                        out.push((a, b, dist));
                    }
                };
                for (x, &a) in fresh.iter().enumerate() {
                    for &b in &fresh[x + 1..] {
                        consider(a, b);
                    }
                    for &b in stale {
                        consider(a, b);
                    }
                }
                out
            })
            .collect();
        for (a, b, dist) in proposed.into_iter().flatten() {
            changed += lists.offer(a as usize, dist, b) as usize + lists.offer(b as usize, dist, a) as usize;
        }
    }
    changed
}

#[cfg(test)]
mod tests;
