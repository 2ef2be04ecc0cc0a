//! A k-d tree over dense rows for exact nearest-neighbour search in few dimensions: nodes
//! split at the median of their widest dimension down to leaves of at most 40 rows, and a
//! query visits the far side of a split only while the splitting plane is nearer than its
//! k-th best. Built at prediction time from the training rows (so a run saves none).

use super::nearest::Nearest;

const LEAF_SIZE: usize = 40;

pub struct KdTree<'a> {
    data: &'a [f32],
    d: usize,
    /// Row numbers, each leaf's a contiguous range.
    order: Vec<u32>,
    nodes: Vec<Node>,
}

enum Node {
    Leaf {
        start: usize,
        end: usize,
    },
    /// Rows with `x[dim] <= value` are under `left`.
    Split {
        dim: usize,
        value: f32,
        left: usize,
        right: usize,
    },
}

impl<'a> KdTree<'a> {
    /// The tree over the row-major `data` of `d` columns.
    pub fn new(data: &'a [f32], d: usize) -> KdTree<'a> {
        let n = data.len() / d.max(1);
        let mut tree = KdTree { data, d, order: (0..n as u32).collect(), nodes: Vec::new() };
        tree.build(0, n);
        tree
    }

    fn value(&self, row: u32, dim: usize) -> f32 {
        self.data[row as usize * self.d + dim]
    }

    fn build(&mut self, start: usize, end: usize) -> usize {
        let at = self.nodes.len();
        self.nodes.push(Node::Leaf { start, end });
        if end - start <= LEAF_SIZE || self.d == 0 {
            return at;
        }
        let spread = |dim: usize| {
            let (lo, hi) = self.order[start..end]
                .iter()
                .map(|&r| self.value(r, dim))
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
            hi - lo
        };
        let dim = (0..self.d).max_by(|&a, &b| spread(a).total_cmp(&spread(b)).then(b.cmp(&a))).unwrap_or(0);
        if spread(dim) <= 0.0 {
            return at; // every row the same: nothing to split
        }
        let mid = start + (end - start) / 2;
        let (data, d) = (self.data, self.d);
        self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            data[a as usize * d + dim].total_cmp(&data[b as usize * d + dim])
        });
        let value = self.value(self.order[mid], dim);
        let left = self.build(start, mid + 1);
        let right = self.build(mid + 1, end);
        self.nodes[at] = Node::Split { dim, value, left, right };
        at
    }

    /// The rows nearest to `query`, into `nearest`.
    pub fn search(&self, query: &[f32], nearest: &mut Nearest) {
        self.visit(0, query, nearest);
    }

    fn visit(&self, at: usize, query: &[f32], nearest: &mut Nearest) {
        match self.nodes[at] {
            Node::Leaf { start, end } => {
                for &r in &self.order[start..end] {
                    let row = &self.data[r as usize * self.d..(r as usize + 1) * self.d];
                    nearest.offer(super::knn::squared_distance(query, row) as f32, r);
                }
            }
            Node::Split { dim, value, left, right } => {
                let gap = query[dim] - value;
                let (near, far) = if gap <= 0.0 { (left, right) } else { (right, left) };
                self.visit(near, query, nearest);
                if gap * gap <= nearest.worst() {
                    self.visit(far, query, nearest);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_brute_force_search_finds() {
        // 3 dimensions, 500 points on a coarse grid (many ties) plus jitter-free noise.
        let d = 3;
        let data: Vec<f32> = (0..500 * d).map(|i| ((i * 7919 + i / 3) % 23) as f32 * 0.5).collect();
        let tree = KdTree::new(&data, d);
        for q in 0..60 {
            let query: Vec<f32> = (0..d).map(|j| ((q * 31 + j * 17) % 25) as f32 * 0.47).collect();
            let mut by_tree = Nearest::new(7);
            tree.search(&query, &mut by_tree);
            let mut by_brute = Nearest::new(7);
            for r in 0..500 {
                let row = &data[r * d..(r + 1) * d];
                by_brute.offer(crate::models::knn::squared_distance(&query, row) as f32, r as u32);
            }
            assert_eq!(by_tree.into_sorted(), by_brute.into_sorted(), "query {q}");
        }
    }
}
