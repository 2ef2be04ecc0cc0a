//! Stratified, seeded splits of the labelled samples: a held-out test share, and K folds.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Samples of each class, shuffled by `seed`.
fn shuffled_by_class(y: &[usize], seed: u64) -> Vec<Vec<usize>> {
    let k = y.iter().max().map_or(0, |m| m + 1);
    let mut by_class = vec![Vec::new(); k];
    y.iter().enumerate().for_each(|(i, &c)| by_class[c].push(i));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    by_class.iter_mut().for_each(|members| members.shuffle(&mut rng));
    by_class
}

/// Which samples are held out for testing: `share` of each class, rounded, keeping at least
/// one sample of every class for training.
pub fn hold_out(y: &[usize], share: f64, seed: u64) -> Vec<bool> {
    let mut test = vec![false; y.len()];
    for members in shuffled_by_class(y, seed) {
        let n = members.len();
        let take = ((n as f64 * share).round() as usize).min(n.saturating_sub(1));
        members[..take].iter().for_each(|&i| test[i] = true);
    }
    test
}

/// The fold (0..k) of every sample; each class is spread evenly over the folds.
pub fn folds(y: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0; y.len()];
    let mut next = 0;
    for members in shuffled_by_class(y, seed) {
        for i in members {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hold_out_is_stratified_and_deterministic(y in prop::collection::vec(0usize..4, 1..200), seed: u64) {
            let test = hold_out(&y, 0.2, seed);
            prop_assert_eq!(&test, &hold_out(&y, 0.2, seed));
            for c in 0..4 {
                let n = y.iter().filter(|&&v| v == c).count();
                let held = (0..y.len()).filter(|&i| y[i] == c && test[i]).count();
                prop_assert_eq!(held, ((n as f64 * 0.2).round() as usize).min(n.saturating_sub(1)));
            }
        }

        #[test]
        fn folds_spread_each_class_evenly(y in prop::collection::vec(0usize..3, 1..200), k in 2usize..6, seed: u64) {
            let fold = folds(&y, k, seed);
            for c in 0..3 {
                let sizes: Vec<usize> = (0..k).map(|f| (0..y.len()).filter(|&i| y[i] == c && fold[i] == f).count()).collect();
                prop_assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
            }
        }
    }
}
