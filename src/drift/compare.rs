//! One feature of new inputs against its training profile: the population stability index
//! (PSI) over the training bins (or categories), the two-sample Kolmogorov–Smirnov statistic
//! for numbers, the share of categories never seen in training, and the missing share.

use std::collections::HashMap;

use serde::Serialize;

use super::observe::Cells;
use super::profile::{FeatureProfile, Shape, bin, quantile};

/// Fewer new values than this are reported but never called drifted.
pub const MIN_VALUES: usize = 30;
/// The usual reading of PSI: below 0.1 stable, 0.1–0.2 moderate, above 0.2 a major shift.
pub const PSI_MAJOR: f64 = 0.2;
/// A KS statistic at least this large with p below `KS_P` is drift too.
const KS_D: f64 = 0.1;
const KS_P: f64 = 0.001;
/// New categories (or a rise in gaps) over this share of the values are drift.
const NEW_SHARE: f64 = 0.05;
const MORE_GAPS: f64 = 0.1;
/// Shares are floored here so that an empty bin does not make PSI infinite.
const FLOOR: f64 = 1e-4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureDrift {
    pub name: String,
    pub values: usize,
    pub psi: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ks: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ks_p: Option<f64>,
    /// Mean (numbers) in training and now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<(f64, f64)>,
    /// Median (numbers) in training and now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<(f64, f64)>,
    /// Categories: the share of values in training never seen, and the commonest of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unseen_share: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<String>,
    /// The missing share in training and now.
    pub missing: (f64, f64),
    pub drifted: bool,
    /// Why it is called drifted, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

pub fn compare(profile: &FeatureProfile, cells: &Cells) -> FeatureDrift {
    let count = cells.len();
    let mut d = FeatureDrift {
        name: profile.name.clone(),
        values: count,
        psi: 0.0,
        ks: None,
        ks_p: None,
        mean: None,
        median: None,
        unseen_share: None,
        unseen: Vec::new(),
        missing: (profile.missing, 0.0),
        drifted: false,
        reasons: Vec::new(),
    };
    match (&profile.shape, cells) {
        (Shape::Number { edges, shares, reference, mean, deciles }, Cells::Numbers(values)) => {
            let mut v: Vec<f64> = values.iter().flatten().copied().filter(|x| x.is_finite()).collect();
            v.sort_unstable_by(f64::total_cmp);
            d.missing.1 = (count - v.len()) as f64 / count.max(1) as f64;
            let mut now = vec![0.0; shares.len()];
            v.iter().for_each(|x| now[bin(edges, *x)] += 1.0);
            now.iter_mut().for_each(|s| *s /= v.len().max(1) as f64);
            d.psi = psi(shares, &now);
            if !v.is_empty() && !reference.is_empty() {
                let ks = ks_statistic(reference, &v);
                d.ks = Some(ks);
                d.ks_p = Some(ks_p_value(ks, reference.len(), v.len()));
                d.mean = Some((*mean, v.iter().sum::<f64>() / v.len() as f64));
                d.median = Some((deciles[5], quantile(&v, 0.5)));
            }
            if v.len() >= MIN_VALUES {
                if d.psi >= PSI_MAJOR {
                    d.reasons.push(format!("PSI {:.2}", d.psi));
                }
                if let (Some(ks), Some(p)) = (d.ks, d.ks_p)
                    && ks >= KS_D
                    && p < KS_P
                {
                    d.reasons.push(format!("KS {ks:.2}, p {p:.0e}"));
                }
            }
        }
        (Shape::Category { frequencies, other }, Cells::Categories(values)) => {
            let present: Vec<&String> = values.iter().flatten().collect();
            d.missing.1 = (count - present.len()) as f64 / count.max(1) as f64;
            let index: HashMap<&str, usize> =
                frequencies.iter().enumerate().map(|(i, (c, _))| (c.as_str(), i)).collect();
            // Bins: each training category, the training's `other`, and categories never seen.
            let mut now = vec![0.0; frequencies.len() + 2];
            let mut unseen: HashMap<&str, usize> = HashMap::new();
            for c in &present {
                match index.get(c.as_str()) {
                    Some(&i) => now[i] += 1.0,
                    None if *other > 0.0 => now[frequencies.len()] += 1.0,
                    None => {
                        now[frequencies.len() + 1] += 1.0;
                        *unseen.entry(c.as_str()).or_default() += 1;
                    }
                }
            }
            now.iter_mut().for_each(|s| *s /= present.len().max(1) as f64);
            let mut before: Vec<f64> = frequencies.iter().map(|f| f.1).collect();
            before.extend([*other, 0.0]);
            d.psi = psi(&before, &now);
            let share = now[frequencies.len() + 1];
            d.unseen_share = Some(share);
            let mut commonest: Vec<(&str, usize)> = unseen.into_iter().collect();
            commonest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            d.unseen = commonest.iter().take(5).map(|c| c.0.to_string()).collect();
            if present.len() >= MIN_VALUES {
                if share >= NEW_SHARE {
                    d.reasons.push(format!("{:.0} % new categories ({})", share * 100.0, d.unseen.join(", ")));
                } else if d.psi >= PSI_MAJOR {
                    d.reasons.push(format!("PSI {:.2}", d.psi));
                }
            }
        }
        _ => d.reasons.push("numbers where training had categories, or the reverse".into()),
    }
    if count >= MIN_VALUES && d.missing.1 - d.missing.0 >= MORE_GAPS {
        d.reasons.push(format!("gaps {:.0} % (training {:.0} %)", d.missing.1 * 100.0, d.missing.0 * 100.0));
    }
    d.drifted = !d.reasons.is_empty();
    d
}

/// Σ (now − before) · ln(now / before), shares floored.
pub fn psi(before: &[f64], now: &[f64]) -> f64 {
    before
        .iter()
        .zip(now)
        .map(|(b, n)| {
            let (b, n) = (b.max(FLOOR), n.max(FLOOR));
            (n - b) * (n / b).ln()
        })
        .sum()
}

/// The largest gap between the empirical distribution functions of two sorted samples.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// The asymptotic p-value of a two-sample KS statistic (Kolmogorov's distribution with
/// Stephens' small-sample correction).
pub fn ks_p_value(d: f64, n: usize, m: usize) -> f64 {
    let ne = (n * m) as f64 / (n + m) as f64;
    let lambda = (ne.sqrt() + 0.12 + 0.11 / ne.sqrt()) * d;
    if lambda < 0.3 {
        return 1.0;
    }
    let sum: f64 = (1..=100)
        .map(|k| {
            let k = f64::from(k);
            2.0 * if k as i64 % 2 == 1 { 1.0 } else { -1.0 } * (-2.0 * k * k * lambda * lambda).exp()
        })
        .sum();
    sum.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(values: impl Iterator<Item = f64>) -> Cells {
        Cells::Numbers(values.map(Some).collect())
    }

    /// A smooth, deterministic spread over [0, 1).
    fn spread(n: usize, seed: f64) -> impl Iterator<Item = f64> {
        (0..n).map(move |i| ((i as f64 + seed) * 0.618_033_988_75).fract())
    }

    #[test]
    fn the_same_distribution_is_stable_and_a_shifted_one_drifts() {
        let profile = FeatureProfile::fit("x", &numbers(spread(5000, 0.0)));
        let same = compare(&profile, &numbers(spread(500, 0.37)));
        assert!(same.psi < 0.05 && !same.drifted, "{same:?}");
        let shifted = compare(&profile, &numbers(spread(500, 0.37).map(|v| v + 0.3)));
        assert!(shifted.psi > PSI_MAJOR && shifted.drifted, "{shifted:?}");
        assert!(shifted.ks.unwrap() > 0.25 && shifted.ks_p.unwrap() < 1e-6, "{shifted:?}");
    }

    #[test]
    fn too_few_values_are_never_called_drift() {
        let profile = FeatureProfile::fit("x", &numbers(spread(1000, 0.0)));
        let few = compare(&profile, &numbers((0..10).map(|_| 50.0)));
        assert!(few.psi > PSI_MAJOR && !few.drifted, "{few:?}");
    }

    #[test]
    fn new_categories_and_more_gaps_are_named() {
        let train: Vec<Option<String>> = (0..300).map(|i| Some(["red", "green"][i % 2].to_string())).collect();
        let profile = FeatureProfile::fit("colour", &Cells::Categories(train));
        let mut now: Vec<Option<String>> = (0..100).map(|i| Some(["red", "green"][i % 2].to_string())).collect();
        now.extend((0..20).map(|_| Some("blue".to_string())));
        now.extend((0..30).map(|_| None));
        let d = compare(&profile, &Cells::Categories(now));
        assert!(d.drifted, "{d:?}");
        assert_eq!(d.unseen, ["blue"]);
        assert!((d.unseen_share.unwrap() - 20.0 / 120.0).abs() < 1e-12);
        assert!(d.reasons.iter().any(|r| r.contains("new categories")) && d.reasons.iter().any(|r| r.contains("gaps")));
    }

    #[test]
    fn ks_matches_hand_counts() {
        assert_eq!(ks_statistic(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 4.0]), 0.0);
        assert_eq!(ks_statistic(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
        assert_eq!(ks_statistic(&[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 5.0, 6.0]), 0.5);
        assert!(ks_p_value(0.0, 100, 100) == 1.0 && ks_p_value(0.5, 1000, 1000) < 1e-10);
        // Kolmogorov's distribution at λ = 1.36 is the familiar 5 %.
        let n = 1_000_000;
        let d = 1.36 / ((n / 2) as f64).sqrt();
        assert!((ks_p_value(d, n, n) - 0.05).abs() < 0.002);
    }
}
