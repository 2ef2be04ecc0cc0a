//! Clusters of the vectors: k-means (linfa-clustering) on the rows, each cluster with its
//! size, its label make-up and its most central samples — to label a cluster at once, or to
//! see which classes the data really holds. Wide rows are first brought down to 100
//! dimensions and every row is scaled to unit length (`reduce`), so that k-means groups by
//! direction, as the cosine of `similar` does.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::Array2;
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use super::Vectors;
use super::reduce::{REDUCTION, dense, kept_dense};
use crate::error::{Error, Result};

/// Most central samples listed per cluster.
const CENTRAL: usize = 5;
/// k-means is run from this many rows' worth of k-means++ starts (at most 10 runs, at
/// least one) and the one of least inertia kept: ten runs of a few thousand rows cost
/// nothing, but ten of 100,000 took 12 s where one takes 0.9 s (scikit-learn's
/// `n_init="auto"` also runs k-means++ once).
const ROWS_OF_RUNS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub size: usize,
    /// Samples per current label, `(unlabelled)` included.
    pub labels: BTreeMap<String, usize>,
    /// The samples nearest its centre, nearest first.
    pub central: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clustering {
    pub clusters: Vec<Cluster>,
    /// The cluster of each sample, by id.
    #[serde(skip)]
    pub of: HashMap<String, usize>,
}

/// Where each sample fell: its cluster (numbered largest first) and its distance to the
/// cluster's centre, by row of the vectors. What k-means costs; the labels are laid over it
/// afterwards, so a fit is kept until the vectors change (`cached_kmeans`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Assignment {
    cluster: Vec<u32>,
    distance: Vec<f64>,
}

/// `k` clusters of the vectors, the same under the same seed; largest first.
pub fn kmeans(vectors: &Vectors, labels: &HashMap<String, String>, k: usize, seed: u64) -> Result<Clustering> {
    Ok(laid_over(vectors, &fit(vectors, || dense(vectors), k, seed)?, k, labels))
}

/// `kmeans`, its fit kept in `.kindling/cache/` with the vectors' cache key, until they
/// change: the Map pane asks for the clusters of both its maps, and `clusters` asked again
/// after labelling costs no k-means. Vectors not of the project are clustered afresh.
pub fn cached_kmeans(
    project_root: &Path,
    vectors: &Vectors,
    labels: &HashMap<String, String>,
    k: usize,
    seed: u64,
) -> Result<Clustering> {
    let Some(key) = vectors.key() else { return kmeans(vectors, labels, k, seed) };
    let key = format!("{key} {REDUCTION}");
    // One file a `k` and seed, the vectors' key inside: a fit of data since changed is
    // replaced, not left beside the new one.
    let path = project_root.join(".kindling").join("cache").join(format!("clusters-{k}-{seed}.bin"));
    let kept = std::fs::read(&path).ok().and_then(|b| postcard::from_bytes::<(String, Assignment)>(&b).ok());
    let fitted = match kept {
        Some((was, fit))
            if was == key && fit.cluster.len() == vectors.len() && fit.cluster.iter().all(|&c| (c as usize) < k) =>
        {
            fit
        }
        _ => {
            let fit = fit(vectors, || kept_dense(project_root, vectors), k, seed)?;
            // A fit that cannot be kept is only made again next time.
            if let Ok(bytes) = postcard::to_allocvec(&(key, &fit)) {
                let _ = std::fs::create_dir_all(path.parent().unwrap_or(project_root));
                let _ = crate::atomic::write_whole(&path, &bytes);
            }
            fit
        }
    };
    Ok(laid_over(vectors, &fitted, k, labels))
}

/// The cluster of each sample that `among` keeps, by id: k-means of those samples' rows
/// alone into `most` clusters, or a cluster for every two samples when they are fewer (the
/// project's reduction of wide rows kept as for every map and clustering), made afresh each
/// time — what the queue's `auto` order asks of the samples still to label. `None` when
/// there are fewer than four.
pub fn kmeans_among(
    project_root: &Path,
    vectors: &Vectors,
    among: impl Fn(&str) -> bool,
    most: usize,
    seed: u64,
) -> Result<Option<HashMap<String, usize>>> {
    let rows: Vec<usize> = (0..vectors.len()).filter(|&i| among(&vectors.ids[i])).collect();
    let k = most.min(rows.len() / 2);
    if k < 2 {
        return Ok(None);
    }
    let x = kept_dense(project_root, vectors).select(ndarray::Axis(0), &rows);
    let fit = fit_rows(x, k, seed)?;
    Ok(Some(rows.iter().zip(&fit.cluster).map(|(&i, &c)| (vectors.ids[i].clone(), c as usize)).collect()))
}

/// k-means of the rows `reduced` gives (made only when `k` fits).
fn fit(vectors: &Vectors, reduced: impl FnOnce() -> Array2<f64>, k: usize, seed: u64) -> Result<Assignment> {
    if k < 2 || k > vectors.len() {
        return Err(Error::user(format!("-k {k}: give 2 to {} (the samples with a vector)", vectors.len())));
    }
    fit_rows(reduced(), k, seed)
}

/// k-means of the rows of `x` (`k` of 2 to the rows).
fn fit_rows(x: Array2<f64>, k: usize, seed: u64) -> Result<Assignment> {
    let data = DatasetBase::from(x.clone());
    let rng = Xoshiro256Plus::seed_from_u64(seed);
    let runs = (ROWS_OF_RUNS / x.nrows().max(1)).clamp(1, 10);
    let model = KMeans::params_with_rng(k, rng)
        .n_runs(runs)
        .max_n_iterations(200)
        .tolerance(1e-5)
        .fit(&data)
        .map_err(|e| Error::internal(format!("k-means: {e}")))?;
    let assigned = model.predict(&x);
    let centroids = model.centroids();
    let mut sizes = vec![0usize; k];
    assigned.iter().for_each(|&c| sizes[c] += 1);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), c));
    let mut rank = vec![0u32; k];
    order.iter().enumerate().for_each(|(r, &c)| rank[c] = r as u32);
    let distance = assigned
        .iter()
        .enumerate()
        .map(|(i, &c)| x.row(i).iter().zip(centroids.row(c)).map(|(a, b)| (a - b) * (a - b)).sum())
        .collect();
    Ok(Assignment { cluster: assigned.iter().map(|&c| rank[c]).collect(), distance })
}

/// The clusters of `fit` with the labels' make-up and each one's most central samples.
fn laid_over(vectors: &Vectors, fit: &Assignment, k: usize, labels: &HashMap<String, String>) -> Clustering {
    let mut members: Vec<Vec<(f64, usize)>> = vec![Vec::new(); k];
    for (i, (&c, &d)) in fit.cluster.iter().zip(&fit.distance).enumerate() {
        members[c as usize].push((d, i));
    }
    let clusters = members
        .into_iter()
        .map(|mut near| {
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut make_up = BTreeMap::new();
            for (_, i) in &near {
                let label = labels.get(&vectors.ids[*i]).cloned().unwrap_or_else(|| "(unlabelled)".into());
                *make_up.entry(label).or_default() += 1;
            }
            let central = near.iter().take(CENTRAL).map(|(_, i)| vectors.ids[*i].clone()).collect();
            Cluster { size: near.len(), labels: make_up, central }
        })
        .collect();
    let of = fit.cluster.iter().enumerate().map(|(i, &c)| (vectors.ids[i].clone(), c as usize)).collect();
    Clustering { clusters, of }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;

    fn vectors(rows: Vec<Vec<f32>>) -> Vectors {
        let (n, d) = (rows.len(), rows[0].len());
        let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        let x = Matrix::dense(n, d, rows.into_iter().flatten().collect());
        Vectors::new(ids, x)
    }

    /// Three directions, `n` samples each, a little spread.
    fn three_groups(n: usize, width: usize) -> Vectors {
        let rows = (0..3 * n)
            .map(|i| {
                let g = i % 3;
                (0..width).map(|j| if j % 3 == g { 1.0 + (i % 7) as f32 * 0.01 } else { 0.02 }).collect()
            })
            .collect();
        vectors(rows)
    }

    #[test]
    fn three_groups_are_three_clusters_with_their_make_up_and_centres() {
        for width in [6, 600] {
            let v = three_groups(20, width);
            let labels: HashMap<String, String> =
                [("s0".to_string(), "a".to_string()), ("s3".into(), "a".into())].into();
            let got = kmeans(&v, &labels, 3, 7).unwrap();
            assert_eq!(got.clusters.iter().map(|c| c.size).collect::<Vec<_>>(), [20, 20, 20], "width {width}");
            for i in 0..60 {
                assert_eq!(got.of[&format!("s{i}")], got.of[&format!("s{}", i % 3)], "s{i} with its group");
            }
            let with_a = &got.clusters[got.of["s0"]];
            assert_eq!(with_a.labels.get("a"), Some(&2));
            assert_eq!(with_a.labels.get("(unlabelled)"), Some(&18));
            assert_eq!(with_a.central.len(), 5);
            assert!(with_a.central.iter().all(|id| got.of[id] == got.of["s0"]));
            assert_eq!(kmeans(&v, &labels, 3, 7).unwrap(), got, "the same under a seed");
        }
    }

    #[test]
    fn a_fit_is_kept_under_the_vectors_key_and_made_again_when_it_does_not_fit() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vectors { key: Some("data-and-featurizer".into()), ..three_groups(10, 6) };
        let labels: HashMap<String, String> = [("s1".to_string(), "b".to_string())].into();
        let fresh = kmeans(&v, &labels, 3, 5).unwrap();
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap(), fresh);
        let kept = dir.path().join(".kindling/cache/clusters-3-5.bin");
        let keep =
            |fit: &Assignment, key: &str| std::fs::write(&kept, postcard::to_allocvec(&(key, fit)).unwrap()).unwrap();
        let this_key = format!("data-and-featurizer {REDUCTION}");
        // What is kept is what is used: every sample put in cluster 0 shows.
        let all_in_one = Assignment { cluster: vec![0; 30], distance: vec![0.5; 30] };
        keep(&all_in_one, &this_key);
        let recalled = cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap();
        assert_eq!(recalled.clusters.iter().map(|c| c.size).collect::<Vec<_>>(), [30, 0, 0]);
        assert_eq!(recalled.clusters[0].labels.get("b"), Some(&1), "labels laid over the kept fit");
        // Another k, a fit of other vectors, reduction or rows, or no fit at all: fitted afresh.
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 2, 5).unwrap(), kmeans(&v, &labels, 2, 5).unwrap());
        keep(&all_in_one, "data-since-changed");
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap(), fresh);
        keep(&all_in_one, "data-and-featurizer");
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap(), fresh, "a fit of another reduction");
        keep(&Assignment { cluster: vec![0; 7], distance: vec![0.0; 7] }, &this_key);
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap(), fresh);
        std::fs::write(&kept, b"not a fit").unwrap();
        assert_eq!(cached_kmeans(dir.path(), &v, &labels, 3, 5).unwrap(), fresh);
    }

    #[test]
    fn only_the_samples_asked_for_are_clustered_at_most_one_cluster_for_two() {
        let dir = tempfile::tempdir().unwrap();
        let v = three_groups(10, 6);
        // Two of the three groups (s0, s3, … and s1, s4, …), into at most 5 clusters.
        let group = |id: &str| id[1..].parse::<usize>().unwrap() % 3;
        let got = kmeans_among(dir.path(), &v, |id| group(id) != 2, 5, 1).unwrap().unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.keys().all(|id| group(id) != 2), "only those asked for");
        assert!(got.values().all(|&c| c < 5));
        // No cluster mixes the two groups.
        for (id, c) in &got {
            let same = got.iter().filter(|(_, oc)| *oc == c).all(|(o, _)| group(o) == group(id));
            assert!(same, "{id} shares its cluster with another group: {got:?}");
        }
        // Five samples make two clusters; three, none.
        let few = kmeans_among(dir.path(), &v, |id| ["s0", "s1", "s2", "s3", "s4"].contains(&id), 30, 1);
        assert_eq!(few.unwrap().unwrap().values().collect::<std::collections::HashSet<_>>().len(), 2);
        assert!(kmeans_among(dir.path(), &v, |id| ["s0", "s1", "s2"].contains(&id), 30, 1).unwrap().is_none());
    }

    #[test]
    fn k_must_fit_the_samples() {
        let v = three_groups(2, 6);
        assert!(kmeans(&v, &HashMap::new(), 1, 0).unwrap_err().message().contains("give 2 to 6"));
        assert!(kmeans(&v, &HashMap::new(), 7, 0).is_err());
    }
}
