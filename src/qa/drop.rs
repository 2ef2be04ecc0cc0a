//! Where the labeller's care dropped. Two kinds of evidence, each placed in the run of own
//! labels: re-asks (an echo answered alike, a gold sample answered right) — pure but few, one
//! in twenty labels — and the model's agreement with every label, scored by a model that never
//! saw that label (the live model's out-of-fold view): the probability it gives the label
//! less what it would give a label drawn from its own view, so that hard samples met late are
//! no drop. The split that best separates a better stretch before
//! from a worse one after (the larger of each kind's two-sample z) is said when shuffling the
//! evidence in time seldom does as well (a permutation test).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// One kind of evidence: at each observation, the own labels given before it, whether it
/// agreed, and the value weighed against what was expected of it (for a re-ask, agreement
/// itself against nothing; for the model, the probability it gives the label against the
/// probability it would give a label drawn from its own view, Σ p²).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub at: Vec<usize>,
    pub agreed: Vec<bool>,
    pub value: Vec<f64>,
    pub expected: Vec<f64>,
    /// Fewest observations on each side of a split for this kind to weigh in.
    pub side: usize,
}

impl Evidence {
    pub fn new(side: usize) -> Evidence {
        Evidence { side, ..Default::default() }
    }

    pub fn push(&mut self, at: usize, agreed: bool, value: f64, expected: f64) {
        self.at.push(at);
        self.agreed.push(agreed);
        self.value.push(value);
        self.expected.push(expected);
    }

    /// A re-ask: agreement is the value, nothing expected.
    pub fn push_answer(&mut self, at: usize, agreed: bool) {
        self.push(at, agreed, f64::from(u8::from(agreed)), 0.0);
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The share seen agreeing among observations placed before `split` and from it on.
    fn rates(&self, split: usize) -> (Option<f64>, Option<f64>) {
        let mean = |pick: &dyn Fn(usize) -> bool| {
            let v: Vec<bool> = (0..self.len()).filter(|&i| pick(self.at[i])).map(|i| self.agreed[i]).collect();
            (!v.is_empty()).then(|| v.iter().filter(|&&a| a).count() as f64 / v.len() as f64)
        };
        (mean(&|a| a < split), mean(&|a| a >= split))
    }
}

/// A drop: the first own label after it, how sure, and each kind's rates before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drop {
    pub at: usize,
    /// The share of shuffled orders that separate as well (smaller is surer).
    pub p_value: f64,
    /// Per kind of evidence, in the order given: the shares agreeing before and after.
    pub rates: Vec<(Option<f64>, Option<f64>)>,
}

/// Said when fewer than this share of shuffled orders separate as well.
pub const SURE: f64 = 0.05;
const SHUFFLES: usize = 499;

/// The most likely single point in `labels` own labels where `evidence` turned worse, when a
/// permutation test says it is no chance. Each kind is scanned on its own, and its largest
/// fall is held against the same kind shuffled in time (its p-value); the kinds' p-values
/// are combined by Fisher's method, itself held against the shufflings — so that either kind
/// may tell a drop the other cannot (a swap the model learnt too; too few re-asks), and both
/// add up when both see it. The drop is placed where the surer kind places it.
pub fn drop(evidence: &[Evidence], labels: usize) -> Option<Drop> {
    let kinds: Vec<Kind> = evidence.iter().filter_map(|e| Kind::of(e, labels)).collect();
    let seen: Vec<Option<(f64, usize)>> = kinds.iter().map(|k| k.scan(&k.residuals)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(labels as u64);
    let mut shuffled: Vec<Vec<f64>> = kinds.iter().map(|k| k.residuals.clone()).collect();
    // Each shuffling's largest fall per kind (none: no fall at all).
    let null: Vec<Vec<f64>> = (0..SHUFFLES)
        .map(|_| {
            kinds
                .iter()
                .zip(shuffled.iter_mut())
                .map(|(k, r)| {
                    r.shuffle(&mut rng);
                    k.scan(r).map_or(f64::NEG_INFINITY, |(z, _)| z)
                })
                .collect()
        })
        .collect();
    let p_of = |kind: usize, z: f64| (1 + null.iter().filter(|n| n[kind] >= z).count()) as f64 / (SHUFFLES + 1) as f64;
    let fisher = |zs: &[f64]| -2.0 * zs.iter().enumerate().map(|(k, &z)| p_of(k, z).ln()).sum::<f64>();
    let observed: Vec<f64> = seen.iter().map(|s| s.map_or(f64::NEG_INFINITY, |(z, _)| z)).collect();
    let combined = fisher(&observed);
    let as_good = null.iter().filter(|n| fisher(n) >= combined).count();
    let p_value = (as_good + 1) as f64 / (SHUFFLES + 1) as f64;
    let surest = (0..kinds.len())
        .filter(|&k| seen[k].is_some())
        .min_by(|&a, &b| p_of(a, observed[a]).total_cmp(&p_of(b, observed[b])))?;
    let at = seen[surest]?.1;
    (p_value < SURE).then(|| Drop { at, p_value, rates: evidence.iter().map(|e| e.rates(at)).collect() })
}

/// One kind of evidence ready to scan: its residuals, where each falls, its spread.
struct Kind {
    residuals: Vec<f64>,
    /// The slot of each observation: own labels before it, at most `labels`.
    slots: Vec<usize>,
    sd: f64,
    side: usize,
    labels: usize,
}

impl Kind {
    /// `None` when it has too few observations to weigh in, or no spread.
    fn of(e: &Evidence, labels: usize) -> Option<Kind> {
        let side = e.side.max(1);
        if e.len() < 2 * side {
            return None;
        }
        let residuals: Vec<f64> = e.value.iter().zip(&e.expected).map(|(v, x)| v - x).collect();
        let n = residuals.len() as f64;
        let mean = residuals.iter().sum::<f64>() / n;
        let sd = (residuals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let slots = e.at.iter().map(|&a| a.min(labels)).collect();
        (sd > 0.0).then_some(Kind { residuals, slots, sd, side, labels })
    }

    /// The split of largest fall of `residuals` (in this kind's places) and its two-sample z,
    /// when some split has a fall.
    fn scan(&self, residuals: &[f64]) -> Option<(f64, usize)> {
        let mut count = vec![0usize; self.labels + 2];
        let mut sum = vec![0.0; self.labels + 2];
        for (&slot, v) in self.slots.iter().zip(residuals) {
            count[slot + 1] += 1;
            sum[slot + 1] += v;
        }
        for s in 1..count.len() {
            count[s] += count[s - 1];
            sum[s] += sum[s - 1];
        }
        let (n, total) = (count[count.len() - 1], sum[sum.len() - 1]);
        let mut best: Option<(f64, usize)> = None;
        for split in 1..=self.labels {
            let (n1, s1) = (count[split], sum[split]);
            let n2 = n - n1;
            if n1 < self.side || n2 < self.side {
                continue;
            }
            let fall = s1 / n1 as f64 - (total - s1) / n2 as f64;
            let z = fall / (self.sd * (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt());
            if best.is_none_or(|(b, _)| z > b) {
                best = Some((z, split));
            }
        }
        best.filter(|(z, _)| *z > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Re-asks, one every `every` labels, agreeing as `agrees(label)` says.
    fn reasks(labels: usize, every: usize, agrees: impl Fn(usize) -> bool) -> Evidence {
        let mut e = Evidence::new(8);
        (0..labels).step_by(every).for_each(|a| e.push_answer(a, agrees(a)));
        e
    }

    #[test]
    fn a_planted_drop_in_re_asks_is_found_where_it_was_planted() {
        // 60 answers agreeing 19 in 20, then 40 agreeing 6 in 10, one every 10 labels.
        let e = reasks(1000, 10, |a| if a < 600 { a / 10 % 20 != 7 } else { a / 10 % 10 >= 4 });
        let d = drop(std::slice::from_ref(&e), 1000).unwrap();
        assert!((550..=650).contains(&d.at), "{d:?}");
        let (before, after) = d.rates[0];
        assert!(before.unwrap() > 0.9 && after.unwrap() < 0.7, "{d:?}");
        assert!(d.p_value < SURE);
        // Steady agreement, or a late rise, is no drop.
        assert_eq!(drop(&[reasks(1000, 10, |a| a / 10 % 10 != 3)], 1000), None);
        assert_eq!(drop(&[reasks(1000, 10, |a| a >= 400 || a / 10 % 10 < 6)], 1000), None);
        assert_eq!(drop(&[reasks(30, 10, |_| false)], 30), None, "too few to tell");
    }

    #[test]
    fn the_model_agreeing_with_fewer_labels_places_a_drop_the_re_asks_alone_cannot() {
        // A labeller right 19 in 20 until label 500, 3 in 4 after; the model agrees with the
        // right ones 9 in 10 and never with the wrong ones. Re-asks one in 50: too few.
        let wrong = |a: usize| if a < 500 { a % 20 == 3 } else { a % 4 == 1 };
        let sparse = reasks(1000, 50, |a| !wrong(a));
        assert_eq!(drop(std::slice::from_ref(&sparse), 1000), None);
        let mut model = Evidence::new(30);
        (0..1000).for_each(|a| {
            let agreed = !wrong(a) && a % 10 != 7;
            model.push(a, agreed, if agreed { 0.9 } else { 0.2 }, 0.8);
        });
        let d = drop(&[sparse, model], 1000).unwrap();
        assert!((470..=530).contains(&d.at), "{d:?}");
        let (before, after) = d.rates[1];
        assert!(before.unwrap() > 0.8 && after.unwrap() < 0.7, "{d:?}");
    }

    #[test]
    fn re_asks_see_a_drop_the_model_cannot() {
        // A swap the model learnt too: its agreement stays flat while the echoes fall.
        let reasks = reasks(1000, 10, |a| if a < 600 { a / 10 % 20 != 7 } else { a / 10 % 10 >= 4 });
        let mut blind = Evidence::new(30);
        (0..1000).for_each(|a| blind.push(a, a % 5 != 2, f64::from(u8::from(a % 5 != 2)), 0.8));
        let d = drop(&[reasks, blind], 1000).unwrap();
        assert!((550..=650).contains(&d.at), "{d:?}");
    }

    #[test]
    fn hard_samples_met_late_are_no_drop_when_the_model_says_they_are_hard() {
        // The model agrees less with the later labels, and expected to: residuals stay flat.
        let mut model = Evidence::new(30);
        (0..1000).for_each(|a| {
            let sure = if a < 500 { 0.9 } else { 0.6 };
            let agreed = if a < 500 { a % 10 != 0 } else { a % 10 < 6 };
            model.push(a, agreed, f64::from(u8::from(agreed)), sure);
        });
        assert_eq!(drop(std::slice::from_ref(&model), 1000), None);
        // The raw agreement alone would have been called a drop.
        model.expected.iter_mut().for_each(|x| *x = 0.0);
        assert!(drop(&[model], 1000).is_some());
    }
}
