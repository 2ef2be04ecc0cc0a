//! CART classification trees as scikit-learn grows them by default: Gini impurity, best
//! split over the features considered, grown until leaves are pure; a leaf's probabilities
//! are its (weighted) class shares. Sparse rows are split without densifying: only the
//! stored values are sorted and the zeros of a feature move as one block.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::features::Matrix;

/// Values closer than this are one value (scikit-learn's `FEATURE_THRESHOLD`).
const SAME: f32 = 1e-7;

pub struct Params {
    /// Features looked at per split (non-constant ones); `None` for all.
    pub max_features: Option<usize>,
    pub seed: u64,
}

impl Params {
    pub fn full(seed: u64) -> Params {
        Params { max_features: None, seed }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tree {
    nodes: Vec<Node>,
    k: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Node {
    Split { feature: u32, threshold: f32, left: u32, right: u32 },
    Leaf { probs: Vec<f32> },
}

/// One value of a feature within a node: its class and weight.
#[derive(Clone, Copy)]
struct Item {
    value: f32,
    class: u32,
    weight: f64,
}

impl Tree {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, params: &Params) -> Tree {
        Tree::fit_weighted(x, y, &vec![1; y.len()], k, params)
    }

    /// Fits with a whole-number weight per row (bootstrap draws); rows of weight 0 are out.
    pub fn fit_weighted(x: &Matrix, y: &[usize], weights: &[u32], k: usize, params: &Params) -> Tree {
        let mut grower = Grower::new(x, y, weights, k, params);
        let root: Vec<usize> = (0..y.len()).filter(|&i| weights[i] > 0).collect();
        let mut nodes = vec![Node::Leaf { probs: Vec::new() }];
        let mut stack = vec![(0usize, root)];
        while let Some((id, samples)) = stack.pop() {
            let counts = grower.counts(&samples);
            let pure = counts.iter().filter(|c| **c > 0.0).count() <= 1;
            let split = if pure || samples.len() < 2 { None } else { grower.best_split(&samples, &counts) };
            match split {
                None => {
                    let total: f64 = counts.iter().sum();
                    nodes[id] = Node::Leaf { probs: counts.iter().map(|c| (c / total) as f32).collect() };
                }
                Some((feature, threshold)) => {
                    let (left, right): (Vec<usize>, Vec<usize>) =
                        samples.iter().partition(|&&i| x.row(i).get(feature) <= threshold);
                    let (l, r) = (nodes.len(), nodes.len() + 1);
                    nodes.push(Node::Leaf { probs: Vec::new() });
                    nodes.push(Node::Leaf { probs: Vec::new() });
                    nodes[id] = Node::Split { feature: feature as u32, threshold, left: l as u32, right: r as u32 };
                    stack.push((r, right));
                    stack.push((l, left));
                }
            }
        }
        Tree { nodes, k }
    }

    /// The leaf probabilities of one row.
    pub fn leaf(&self, row: crate::features::Row<'_>) -> &[f32] {
        let mut id = 0;
        loop {
            match &self.nodes[id] {
                Node::Leaf { probs } => return probs,
                Node::Split { feature, threshold, left, right } => {
                    id = if row.get(*feature as usize) <= *threshold { *left } else { *right } as usize;
                }
            }
        }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        let data = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| self.leaf(x.row(i)).iter().map(|p| *p as f64).collect::<Vec<_>>())
            .collect();
        Probabilities::new(self.k, data)
    }

    #[cfg(test)]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// Scratch space and data for growing one tree.
struct Grower<'a> {
    x: &'a Matrix,
    y: &'a [usize],
    weights: &'a [u32],
    k: usize,
    max_features: Option<usize>,
    rng: ChaCha8Rng,
    features: Vec<usize>,
    items: Vec<Item>,
    /// Sparse rows: per-feature values of the node (slot of each feature, then its values).
    slot: Vec<u32>,
    buckets: Vec<Vec<(f32, u32)>>,
}

const NO_SLOT: u32 = u32::MAX;

impl<'a> Grower<'a> {
    fn new(x: &'a Matrix, y: &'a [usize], weights: &'a [u32], k: usize, params: &Params) -> Grower<'a> {
        let sparse = x.is_sparse();
        Grower {
            x,
            y,
            weights,
            k,
            max_features: params.max_features,
            rng: ChaCha8Rng::seed_from_u64(params.seed),
            features: (0..x.cols()).collect(),
            items: Vec::new(),
            slot: if sparse { vec![NO_SLOT; x.cols()] } else { Vec::new() },
            buckets: Vec::new(),
        }
    }

    fn counts(&self, samples: &[usize]) -> Vec<f64> {
        let mut counts = vec![0.0; self.k];
        samples.iter().for_each(|&i| counts[self.y[i]] += self.weights[i] as f64);
        counts
    }

    /// The best (feature, threshold) over the features considered, or `None` when every
    /// feature is constant in the node.
    fn best_split(&mut self, samples: &[usize], counts: &[f64]) -> Option<(usize, f32)> {
        if self.x.is_sparse() { self.best_sparse_split(samples, counts) } else { self.best_dense_split(samples) }
    }

    /// Looks at features in random order until `max_features` have been drawn (constant
    /// ones count, as in scikit-learn) and at least one could split.
    fn best_dense_split(&mut self, samples: &[usize]) -> Option<(usize, f32)> {
        self.features.shuffle(&mut self.rng);
        let wanted = self.max_features.unwrap_or(self.features.len());
        let mut best: Option<(f64, usize, f32)> = None;
        for n in 0..self.features.len() {
            if n >= wanted && best.is_some() {
                break;
            }
            let f = self.features[n];
            self.items.clear();
            for &i in samples {
                let value = self.x.row(i).get(f);
                self.items.push(Item { value, class: self.y[i] as u32, weight: self.weights[i] as f64 });
            }
            if let Some((score, threshold)) = scan(&mut self.items, self.k)
                && best.is_none_or(|b| score > b.0)
            {
                best = Some((score, f, threshold));
            }
        }
        best.map(|(_, f, t)| (f, t))
    }

    /// As the dense search, over sparse rows: features absent from every row of the node are
    /// constant zeros. Of the first `max_features` draws from all features, those that hit a
    /// present feature are evaluated together; more present ones follow only if none of
    /// them could split.
    fn best_sparse_split(&mut self, samples: &[usize], counts: &[f64]) -> Option<(usize, f32)> {
        let mut present: Vec<usize> = Vec::new();
        for &i in samples {
            self.x.row(i).for_each(|j, _| {
                if self.slot[j] == NO_SLOT {
                    self.slot[j] = 0;
                    present.push(j);
                }
            });
        }
        present.sort_unstable();
        present.shuffle(&mut self.rng);
        let d = self.x.cols();
        let hits = match self.max_features {
            None => present.len(),
            Some(m) => {
                let (mut left, mut left_present, mut hits) = (d, present.len(), 0);
                for _ in 0..m.min(d) {
                    if self.rng.random_range(0..left) < left_present {
                        hits += 1;
                        left_present -= 1;
                    }
                    left -= 1;
                }
                hits
            }
        };
        let mut best: Option<(f64, usize, f32)> = None;
        let mut start = 0;
        while start < present.len() && (start == 0 || best.is_none()) {
            let end = if start == 0 { hits.max(1) } else { start + hits.max(1) }.min(present.len());
            let chunk = &present[start..end];
            self.fill_buckets(samples, chunk);
            for (s, &f) in chunk.iter().enumerate() {
                let mut nonzero = vec![0.0; self.k];
                self.items.clear();
                for &(value, i) in &self.buckets[s] {
                    let (class, weight) = (self.y[i as usize], self.weights[i as usize] as f64);
                    nonzero[class] += weight;
                    self.items.push(Item { value, class: class as u32, weight });
                }
                for c in 0..self.k {
                    let zeros = counts[c] - nonzero[c];
                    if zeros > 0.0 {
                        self.items.push(Item { value: 0.0, class: c as u32, weight: zeros });
                    }
                }
                if let Some((score, threshold)) = scan(&mut self.items, self.k)
                    && best.is_none_or(|b| score > b.0)
                {
                    best = Some((score, f, threshold));
                }
            }
            start = end;
        }
        present.iter().for_each(|&j| self.slot[j] = NO_SLOT);
        best.map(|(_, f, t)| (f, t))
    }

    /// Gathers the stored values of `features` over the node's rows, one bucket each.
    fn fill_buckets(&mut self, samples: &[usize], features: &[usize]) {
        if self.buckets.len() < features.len() {
            self.buckets.resize_with(features.len(), Vec::new);
        }
        self.buckets.iter_mut().for_each(Vec::clear);
        for (s, &f) in features.iter().enumerate() {
            self.slot[f] = s as u32 + 1;
        }
        for &i in samples {
            self.x.row(i).for_each(|j, v| {
                let s = self.slot[j];
                if s != 0 && s != NO_SLOT && v != 0.0 {
                    self.buckets[s as usize - 1].push((v, i as u32));
                }
            });
        }
        features.iter().for_each(|&f| self.slot[f] = 0);
    }
}

/// The best threshold over one feature's items: (score, threshold), where a higher score is
/// a lower weighted Gini impurity of the children; `None` for a constant feature.
fn scan(items: &mut [Item], k: usize) -> Option<(f64, f32)> {
    items.sort_unstable_by(|a, b| a.value.total_cmp(&b.value));
    let (first, last) = (items.first()?.value, items.last()?.value);
    if last <= first + SAME {
        return None;
    }
    let mut total = vec![0.0; k];
    items.iter().for_each(|it| total[it.class as usize] += it.weight);
    let total_w: f64 = total.iter().sum();
    let mut left = vec![0.0; k];
    let mut left_w = 0.0;
    let mut best: Option<(f64, f32)> = None;
    for p in 0..items.len() - 1 {
        left[items[p].class as usize] += items[p].weight;
        left_w += items[p].weight;
        let (a, b) = (items[p].value, items[p + 1].value);
        if b <= a + SAME {
            continue;
        }
        let right_w = total_w - left_w;
        let left_sq: f64 = left.iter().map(|c| c * c).sum();
        let right_sq: f64 = left.iter().zip(&total).map(|(l, t)| (t - l) * (t - l)).sum();
        let score = left_sq / left_w + right_sq / right_w;
        if best.is_none_or(|(s, _)| score > s) {
            let mid = ((a as f64 + b as f64) / 2.0) as f32;
            best = Some((score, if mid >= b { a } else { mid }));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_data::{accuracy, blobs, documents};

    #[test]
    fn a_full_tree_fits_its_training_data() {
        let (x, y) = blobs(3, 30, 4, 1.0, 10);
        let tree = Tree::fit(&x, &y, 3, &Params::full(0));
        assert_eq!(accuracy(&tree.predict_proba(&x), &y), 1.0);
        let (x, y) = documents(3, 30, 90, 11);
        let tree = Tree::fit(&x, &y, 3, &Params::full(0));
        let distinct_rows = (0..x.rows()).all(|i| (0..i).all(|j| x.row(i).iter().ne(x.row(j).iter())));
        assert!(distinct_rows);
        assert_eq!(accuracy(&tree.predict_proba(&x), &y), 1.0);
    }

    #[test]
    fn splits_at_the_midpoint_of_the_best_gap() {
        let x = Matrix::dense(4, 2, vec![0.0, 5.0, 1.0, 5.0, 3.0, 5.0, 4.0, 5.0]);
        let tree = Tree::fit(&x, &[0, 0, 1, 1], 2, &Params::full(0));
        assert_eq!(tree.node_count(), 3);
        match &tree.nodes[0] {
            Node::Split { feature, threshold, .. } => assert_eq!((*feature, *threshold), (0, 2.0)),
            leaf => panic!("expected a split, got {leaf:?}"),
        }
    }

    #[test]
    fn sparse_and_dense_grow_the_same_tree() {
        let x = Matrix::dense(6, 3, vec![0., 0., 2., 1., 0., 0., 0., -1., 0., 2., 0., 1., 0., 0., 0., 3., -2., 0.]);
        let rows = (0..6).map(|i| x.row(i).iter().filter(|(_, v)| *v != 0.0).collect()).collect();
        let sparse = Matrix::sparse(3, rows);
        let y = [0, 1, 0, 1, 0, 2];
        let (a, b) = (Tree::fit(&x, &y, 3, &Params::full(0)), Tree::fit(&sparse, &y, 3, &Params::full(0)));
        assert_eq!(a.predict_proba(&x), b.predict_proba(&sparse));
        assert_eq!(accuracy(&b.predict_proba(&sparse), &y), 1.0);
    }
}
