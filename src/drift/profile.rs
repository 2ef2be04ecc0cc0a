//! A run's compact profile of its training inputs, one entry per observed feature: for a
//! number its deciles, the share of values in each decile bin and a sorted reference sample
//! (for Kolmogorov–Smirnov); for a category its frequencies; for both the missing share.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::observe::Cells;

/// Categories kept per feature; the rest are counted together as `other`.
const MAX_CATEGORIES: usize = 1000;
/// Values kept as the reference sample of a number.
const REFERENCE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureProfile {
    pub name: String,
    /// Values seen (gaps included).
    pub count: usize,
    /// The share of gaps (or unreadable files).
    pub missing: f64,
    #[serde(flatten)]
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    Number {
        /// The 0 %, 10 %, …, 100 % quantiles.
        deciles: Vec<f64>,
        mean: f64,
        /// Bin boundaries (the distinct inner deciles): a value `v` is in the first bin whose
        /// edge is ≥ `v`, or the last bin.
        edges: Vec<f64>,
        /// The training share of each bin (`edges.len() + 1`).
        shares: Vec<f64>,
        /// Evenly spaced order statistics of the training values, sorted.
        reference: Vec<f64>,
    },
    Category {
        /// The most frequent categories and their share of the values that are not gaps.
        frequencies: Vec<(String, f64)>,
        /// The share of the categories beyond `MAX_CATEGORIES` (0: every one is listed, and a
        /// category not listed is new).
        other: f64,
    },
}

impl FeatureProfile {
    pub fn fit(name: &str, cells: &Cells) -> FeatureProfile {
        let count = cells.len();
        let (missing, shape) = match cells {
            Cells::Numbers(values) => {
                let mut v: Vec<f64> = values.iter().flatten().copied().filter(|x| x.is_finite()).collect();
                v.sort_unstable_by(f64::total_cmp);
                (count - v.len(), number(&v))
            }
            Cells::Categories(values) => {
                let present: Vec<&String> = values.iter().flatten().collect();
                (count - present.len(), category(&present))
            }
        };
        FeatureProfile { name: name.to_string(), count, missing: missing as f64 / count.max(1) as f64, shape }
    }
}

/// The `q` quantile of sorted values (linear between order statistics).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

/// Which bin of `edges` holds `v`.
pub fn bin(edges: &[f64], v: f64) -> usize {
    edges.partition_point(|e| *e < v)
}

fn number(sorted: &[f64]) -> Shape {
    let deciles: Vec<f64> = (0..=10).map(|d| quantile(sorted, d as f64 / 10.0)).collect();
    let mut edges: Vec<f64> = deciles[1..10].iter().copied().filter(|e| e.is_finite()).collect();
    edges.dedup();
    let mut shares = vec![0.0; edges.len() + 1];
    for v in sorted {
        shares[bin(&edges, *v)] += 1.0;
    }
    shares.iter_mut().for_each(|s| *s /= sorted.len().max(1) as f64);
    let step = (sorted.len() as f64 / REFERENCE as f64).max(1.0);
    let reference = (0..sorted.len().min(REFERENCE)).map(|i| sorted[(i as f64 * step) as usize]).collect();
    let mean = sorted.iter().sum::<f64>() / sorted.len().max(1) as f64;
    Shape::Number { deciles, mean, edges, shares, reference }
}

fn category(present: &[&String]) -> Shape {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in present {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total = present.len().max(1) as f64;
    let kept = sorted.len().min(MAX_CATEGORIES);
    let other = sorted[kept..].iter().map(|c| c.1).sum::<usize>() as f64 / total;
    let frequencies = sorted[..kept].iter().map(|(c, n)| (c.to_string(), *n as f64 / total)).collect();
    Shape::Category { frequencies, other }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_keeps_its_deciles_bin_shares_and_a_sorted_reference() {
        let values: Vec<Option<f64>> = (0..1000).map(|i| Some(f64::from(i))).chain([None; 250]).collect();
        let p = FeatureProfile::fit("x", &Cells::Numbers(values));
        assert_eq!((p.count, p.missing), (1250, 0.2));
        let Shape::Number { deciles, edges, shares, reference, mean } = p.shape else { panic!() };
        assert_eq!((deciles[0], deciles[10], mean), (0.0, 999.0, 499.5));
        assert!((deciles[5] - 499.5).abs() < 1e-9);
        assert_eq!(edges.len(), 9);
        assert!(shares.iter().all(|s| (s - 0.1).abs() < 0.002), "{shares:?}");
        assert_eq!(reference.len(), 1000);
        assert!(reference.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_category_keeps_frequencies_most_frequent_first() {
        let values: Vec<Option<String>> =
            ["b", "a", "b", "c", "b", "a"].iter().map(|s| Some(s.to_string())).chain([None]).collect();
        let p = FeatureProfile::fit("c", &Cells::Categories(values));
        let Shape::Category { frequencies, other } = p.shape else { panic!() };
        assert_eq!(frequencies[0], ("b".to_string(), 0.5));
        assert_eq!(frequencies[1].0, "a");
        assert_eq!(other, 0.0);
        assert!((p.missing - 1.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn ties_collapse_into_fewer_bins() {
        let p = FeatureProfile::fit("x", &Cells::Numbers(vec![Some(1.0); 50]));
        let Shape::Number { edges, shares, .. } = p.shape else { panic!() };
        assert_eq!((edges, shares), (vec![1.0], vec![1.0, 0.0]));
    }
}
