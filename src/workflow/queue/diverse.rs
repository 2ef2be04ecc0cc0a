//! Diverse uncertainty, batch-mode active learning. Pure uncertainty sampling keeps asking
//! about one cluster: the samples nearest the boundary there are all alike. Among the most
//! uncertain samples, each next pick weighs its uncertainty against how like it is to a
//! sample already labelled or picked (ranked batch-mode sampling, Cardoso et al. 2017):
//! `α·(1 − most similar) + (1 − α)·uncertainty`, with α the unlabelled share, so that while
//! labels are few, covering the data counts most.

/// The most uncertain samples the picks are made among.
const CANDIDATES: usize = 600;
/// Picks made one by one; the candidates left follow in their order, then everything else.
const PICKS: usize = 100;
/// Labelled samples compared with, spread over all of them (comparing with every one costs
/// too much on large projects and changes little).
const LABELLED_COMPARED: usize = 400;

/// `queue` (unlabelled samples first, most uncertain first) with its head reordered for
/// diversity. `labelled` lists the labelled samples; `similarity` compares two samples
/// (`None` when either has no feature row: counted as unlike).
pub fn diversify(queue: Vec<String>, labelled: &[&str], similarity: impl Fn(&str, &str) -> Option<f64>) -> Vec<String> {
    let is_labelled: std::collections::HashSet<&str> = labelled.iter().copied().collect();
    let unlabelled = queue.iter().take_while(|id| !is_labelled.contains(id.as_str())).count();
    let n = unlabelled.min(CANDIDATES);
    let mut rest = queue;
    let tail = rest.split_off(n);
    let candidates = rest;
    let like = |a: &str, b: &str| similarity(a, b).unwrap_or(0.0).clamp(0.0, 1.0);
    let step = labelled.len().div_ceil(LABELLED_COMPARED).max(1);
    let mut closest: Vec<f64> =
        candidates.iter().map(|c| labelled.iter().step_by(step).map(|l| like(c, l)).fold(0.0, f64::max)).collect();
    let alpha = unlabelled as f64 / (unlabelled + labelled.len()).max(1) as f64;
    let uncertainty = |rank: usize| 1.0 - rank as f64 / n.max(1) as f64;
    let mut picked = vec![false; n];
    let mut out = Vec::with_capacity(n + tail.len());
    for _ in 0..PICKS.min(n) {
        let score = |i: usize| alpha * (1.0 - closest[i]) + (1.0 - alpha) * uncertainty(i);
        let Some(best) = (0..n).filter(|&i| !picked[i]).max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)))
        else {
            break;
        };
        picked[best] = true;
        for i in (0..n).filter(|&i| !picked[i]) {
            closest[i] = closest[i].max(like(&candidates[i], &candidates[best]));
        }
        out.push(best);
    }
    let mut order: Vec<String> = out.iter().map(|&i| candidates[i].clone()).collect();
    order.extend((0..n).filter(|&i| !picked[i]).map(|i| candidates[i].clone()));
    order.extend(tail);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    #[test]
    fn near_duplicates_wait() {
        // s0..s5 unlabelled in order of uncertainty; s1 and s3 are copies of s0, s4 of s2; s6 is labelled.
        let group = |id: &str| match id {
            "s0" | "s1" | "s3" => 0,
            "s2" | "s4" => 1,
            _ => 2 + id[1..].parse::<usize>().unwrap(),
        };
        let similarity = |a: &str, b: &str| Some(if group(a) == group(b) { 0.99 } else { 0.1 });
        let got = diversify(ids(7), &["s6"], similarity);
        assert_eq!(got, ["s0", "s2", "s5", "s1", "s3", "s4", "s6"]);
    }

    #[test]
    fn one_uncertain_cluster_does_not_fill_the_batch() {
        // The ten most uncertain are one cluster (alike, not copies); ten more are each apart.
        let cluster = |id: &str| id[1..].parse::<usize>().unwrap() < 10;
        let similarity = |a: &str, b: &str| Some(if cluster(a) && cluster(b) { 0.8 } else { 0.05 });
        let got = diversify(ids(20), &[], similarity);
        assert_eq!(got[0], "s0", "the most uncertain comes first");
        let first_ten = got[..10].iter().filter(|id| cluster(id)).count();
        assert_eq!(first_ten, 1, "one sample of the cluster, then the others: {got:?}");
        let mut sorted = got.clone();
        sorted.sort();
        let mut all = ids(20);
        all.sort();
        assert_eq!(sorted, all, "a permutation");
    }

    #[test]
    fn a_sample_like_a_labelled_one_waits() {
        // s0 is the most uncertain but just like the labelled s3.
        let similarity =
            |a: &str, b: &str| Some(if (a, b) == ("s0", "s3") || (a, b) == ("s3", "s0") { 0.97 } else { 0.0 });
        let got = diversify(ids(4), &["s3"], similarity);
        assert_eq!(got, ["s1", "s2", "s0", "s3"]);
    }

    #[test]
    fn labelled_samples_and_samples_without_rows_keep_their_places() {
        let got = diversify(ids(5), &["s3", "s4"], |_, _| None);
        assert_eq!(got, ids(5), "nothing to compare: uncertainty order");
    }
}
