//! Table augmentations, on the encoded feature rows of the training split: Gaussian jitter
//! of the numeric features (copies of every row), then SMOTE or random oversampling, which
//! add rows of the smaller classes until each class has as many as the largest.

use super::random::{happens, index, normal, uniform};
use super::settings::{Plan, Step};

/// Extra rows (and their classes) for the training rows `x` with classes `y`; `numeric`
/// marks the columns jitter may move.
pub fn augment(
    x: &[Vec<f32>],
    y: &[usize],
    numeric: &[bool],
    plan: &Plan,
    rng: &mut impl rand::Rng,
) -> (Vec<Vec<f32>>, Vec<usize>) {
    let (mut rows, mut classes) = (Vec::new(), Vec::new());
    for step in &plan.steps {
        match step.name.as_str() {
            "jitter" => {
                let sigma = step.param("sigma");
                for _ in 0..plan.copies {
                    for (row, &class) in x.iter().zip(y) {
                        if happens(rng, step.p) {
                            rows.push(jitter(row, numeric, sigma, rng));
                            classes.push(class);
                        }
                    }
                }
            }
            "smote" | "oversample" => {
                let k = step.param("k").max(1.0) as usize;
                for (class, needed) in shortfall(y) {
                    let members: Vec<&Vec<f32>> =
                        x.iter().zip(y).filter(|(_, c)| **c == class).map(|(r, _)| r).collect();
                    for _ in 0..needed {
                        let one = members[index(rng, members.len())];
                        let row = if step.name == "smote" { smote(one, &members, k, rng) } else { one.clone() };
                        rows.push(row);
                        classes.push(class);
                    }
                }
            }
            _ => {}
        }
    }
    (rows, classes)
}

/// One augmented version of a single encoded row (for a preview): jitter and SMOTE as
/// training would apply them to it; `members` are the rows of its class.
pub fn copy_of(
    row: &[f32],
    members: &[&Vec<f32>],
    numeric: &[bool],
    steps: &[Step],
    rng: &mut impl rand::Rng,
) -> Vec<f32> {
    let mut out = row.to_vec();
    for step in steps {
        if !happens(rng, step.p) {
            continue;
        }
        out = match step.name.as_str() {
            "jitter" => jitter(&out, numeric, step.param("sigma"), rng),
            "smote" => smote(&out, members, step.param("k").max(1.0) as usize, rng),
            _ => out,
        };
    }
    out
}

fn jitter(row: &[f32], numeric: &[bool], sigma: f64, rng: &mut impl rand::Rng) -> Vec<f32> {
    row.iter()
        .enumerate()
        .map(|(j, v)| if numeric.get(j).copied().unwrap_or(false) { v + (sigma * normal(rng)) as f32 } else { *v })
        .collect()
}

/// (class, rows to add) for every class smaller than the largest.
fn shortfall(y: &[usize]) -> Vec<(usize, usize)> {
    let classes = y.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; classes];
    y.iter().for_each(|&c| counts[c] += 1);
    let most = counts.iter().copied().max().unwrap_or(0);
    counts.iter().enumerate().filter(|(_, n)| **n > 0 && **n < most).map(|(c, n)| (c, most - n)).collect()
}

/// A point on the segment from `one` to one of its `k` nearest neighbours in its class.
fn smote(one: &[f32], members: &[&Vec<f32>], k: usize, rng: &mut impl rand::Rng) -> Vec<f32> {
    let distance = |other: &[f32]| one.iter().zip(other).map(|(a, b)| f64::from(a - b).powi(2)).sum::<f64>();
    let mut others: Vec<(f64, &Vec<f32>)> =
        members.iter().map(|m| (distance(m), *m)).filter(|(d, _)| *d > 0.0).collect();
    if others.is_empty() {
        return one.to_vec();
    }
    others.sort_by(|a, b| a.0.total_cmp(&b.0));
    let neighbour = others[index(rng, others.len().min(k))].1;
    let t = uniform(rng, 0.0, 1.0) as f32;
    one.iter().zip(neighbour).map(|(a, b)| a + t * (b - a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::catalogue::Modality;
    use crate::augment::rng_for;

    fn plan(names: &[&str], copies: usize) -> Plan {
        let mut s = crate::augment::Settings::default();
        names.iter().for_each(|n| s.set_on(n, true));
        s.copies = Some(copies);
        s.plan(Modality::Table).unwrap()
    }

    fn data() -> (Vec<Vec<f32>>, Vec<usize>) {
        let x: Vec<Vec<f32>> = (0..12).map(|i| vec![i as f32, (i % 3) as f32, 1.0]).collect();
        let y = (0..12).map(|i| usize::from(i >= 9)).collect();
        (x, y)
    }

    #[test]
    fn smote_evens_the_classes_with_points_between_neighbours() {
        let (x, y) = data();
        let (rows, classes) = augment(&x, &y, &[true, true, false], &plan(&["smote"], 1), &mut rng_for(0, 0, 0));
        assert_eq!(classes, vec![1; 6], "9 against 3: six more of class 1");
        let minority: Vec<&Vec<f32>> = x.iter().zip(&y).filter(|(_, c)| **c == 1).map(|(r, _)| r).collect();
        for row in &rows {
            // On a segment between two minority rows: some pair and t in [0, 1] give it.
            let between = minority.iter().any(|a| {
                minority.iter().any(|b| {
                    let t = if b[0] != a[0] { (row[0] - a[0]) / (b[0] - a[0]) } else { 0.0 };
                    (0.0..=1.0).contains(&t)
                        && row
                            .iter()
                            .zip(a.iter().zip(b.iter()))
                            .all(|(v, (p, q))| (v - (p + t * (q - p))).abs() < 1e-4)
                })
            });
            assert!(between, "{row:?} is not between two minority rows");
        }
    }

    #[test]
    fn oversampling_repeats_rows_and_jitter_moves_only_numbers() {
        let (x, y) = data();
        let (rows, classes) = augment(&x, &y, &[true, true, false], &plan(&["oversample"], 1), &mut rng_for(0, 0, 0));
        assert_eq!(classes.len(), 6);
        assert!(rows.iter().all(|r| x[9..].contains(r)));
        let (rows, classes) = augment(&x, &y, &[true, false, false], &plan(&["jitter"], 2), &mut rng_for(0, 0, 0));
        assert_eq!((rows.len(), classes.len()), (24, 24), "two copies of each row");
        for (i, row) in rows.iter().enumerate() {
            let source = &x[i % 12];
            assert_eq!(&row[1..], &source[1..], "only the numeric column moves");
            assert!((row[0] - source[0]).abs() < 1.0);
        }
        let again = augment(&x, &y, &[true, false, false], &plan(&["jitter"], 2), &mut rng_for(0, 0, 0));
        assert_eq!(again.0, rows, "same seed, same rows");
    }
}
