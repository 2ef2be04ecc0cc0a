//! A cold start: before the live model can be fitted (fewer than two classes labelled), the
//! first samples asked about are spread over the data rather than taken in file order, so
//! that the first labels cover its kinds. The picks are k-means++ seeds (Arthur and
//! Vassilvitskii 2007): the first at random, each next drawn with probability proportional
//! to its squared distance from the nearest pick so far.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Up to `k` of `candidates`, spread out; `distance` is in [0, 1] (`None`: no feature row,
/// counted as far). Seeded: the same picks every time for the same seed.
pub fn spread(candidates: &[String], k: usize, seed: u64, distance: impl Fn(&str, &str) -> Option<f64>) -> Vec<String> {
    let n = candidates.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut picks = Vec::with_capacity(k.min(n));
    if n == 0 || k == 0 {
        return picks;
    }
    let mut picked = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut next = rng.random_range(0..n);
    while picks.len() < k.min(n) {
        picked[next] = true;
        picks.push(candidates[next].clone());
        let at = &candidates[next];
        for i in (0..n).filter(|&i| !picked[i]) {
            let d = distance(&candidates[i], at).unwrap_or(1.0).clamp(0.0, 1.0);
            nearest[i] = nearest[i].min(d * d);
        }
        let total: f64 = (0..n).filter(|&i| !picked[i]).map(|i| nearest[i]).sum();
        if picks.len() == k.min(n) {
            break;
        }
        next = if total > 0.0 {
            let mut target = rng.random::<f64>() * total;
            let mut chosen = None;
            for i in (0..n).filter(|&i| !picked[i]) {
                chosen = Some(i);
                target -= nearest[i];
                if target <= 0.0 {
                    break;
                }
            }
            chosen.unwrap_or(0)
        } else {
            // Everything left is a copy of a pick: take the rest in a random order.
            let left: Vec<usize> = (0..n).filter(|&i| !picked[i]).collect();
            left[rng.random_range(0..left.len())]
        };
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line: three tight groups at 0, 0.5 and 1.
    fn groups() -> (Vec<String>, impl Fn(&str, &str) -> Option<f64>) {
        let ids: Vec<String> = (0..30).map(|i| format!("g{}-{}", i / 10, i % 10)).collect();
        let place = |id: &str| id[1..2].parse::<f64>().unwrap() * 0.5 + id[3..].parse::<f64>().unwrap() * 0.001;
        (ids, move |a: &str, b: &str| Some((place(a) - place(b)).abs()))
    }

    #[test]
    fn the_first_picks_cover_every_group() {
        let (ids, distance) = groups();
        for seed in 0..20 {
            let picks = spread(&ids, 3, seed, &distance);
            let mut groups: Vec<&str> = picks.iter().map(|p| &p[..2]).collect();
            groups.sort();
            assert_eq!(groups, ["g0", "g1", "g2"], "seed {seed}: {picks:?}");
        }
    }

    #[test]
    fn picks_are_distinct_seeded_and_stop_at_the_candidates() {
        let (ids, distance) = groups();
        let a = spread(&ids, 40, 7, &distance);
        assert_eq!(a.len(), 30, "no more picks than candidates");
        let unique: std::collections::HashSet<&String> = a.iter().collect();
        assert_eq!(unique.len(), 30);
        assert_eq!(a, spread(&ids, 40, 7, &distance));
        assert_ne!(spread(&ids, 5, 7, &distance), spread(&ids, 5, 8, &distance));
        assert!(spread(&[], 5, 0, &distance).is_empty());
    }
}
